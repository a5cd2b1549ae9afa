"""The attendance list filled in from the recorded attendance, and the words it is said in.

Rendered by poppler and read back page by page: every member with the status recorded
(agreed in gender), the representative's name, the counts and the PV's quorum sentence, the
signature column kept only for those present, headings repeated when 65 members run over
several pages, the identity in the footer, and the demo watermark.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ccsdesk.core import i18n
from ccsdesk.core.documents import attendance_words, filled_attendance_sheet, layout
from ccsdesk.core.errors import StateError
from ccsdesk.core.services import attendance, demo, meetings, roster
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import PASSPHRASE
from tests.core import pdftools
from tests.core.session_data import SESSION_DAY, full_session, populate_members

HEADER = ("RÉPUBLIQUE DU MALI", "Un Peuple \u2013 Un But \u2013 Une Foi", "DISTRICT DE BAMAKO",
          "COMMUNE IV", "COMITÉ CONSULTATIF DE SÉCURITÉ", "LISTE DE PRÉSENCE",
          "Bamako, le 7 décembre 2026", "Séance du lundi 7 décembre 2026 à 9 h 30")


def _pages(data: bytes, path: Path) -> list[str]:
    """Write, check fonts and structure, render every page; the text of each page."""
    return pdftools.checked_pages(data, path)


def _row_tops(pdf: Path, names: list[str]) -> dict[str, float]:
    """The top (points from the page top) of the first word of each name on page 1."""
    result = pdftools.run("pdftotext", "-bbox", "-f", "1", "-l", "1", pdf, "-")
    words = re.findall(r'yMin="([\d.]+)"[^>]*>([^<]+)</word>', result.stdout)
    tops: dict[str, float] = {}
    for top, word in words:
        if word in names and word not in tops:
            tops[word] = float(top)
    return tops


def test_filled_list_of_a_held_session(commune: DataFolder, tmp_path: Path) -> None:
    meeting = full_session(commune, PASSPHRASE)
    pdf = tmp_path / "liste.pdf"
    pages = _pages(filled_attendance_sheet.render(commune, meeting), pdf)
    text = "\n".join(pages)
    flat = " ".join(text.split())
    for expected in HEADER:
        assert expected in pages[0], expected
    rows = {
        "DIARRA Mariam": "présente", "KƐITA Sɔgɔ": "présent", "TRAORÉ Aminata": "présente",
        "COULIBALY Ɲɛlɛni": "excusée", "SANGARÉ Oumou": "absente",
        "DEMBÉLÉ Drissa": "présent", "MAÏGA Hamadoun": "présent",
        "SIDIBÉ Fatoumata": "présente", "OUATTARA Salif": "présent",
    }
    for name, status in rows.items():
        line = next(line for line in text.splitlines() if name in line)
        assert re.search(rf"\b{status}\b", line), (name, line)
    assert "représenté par" in flat and "TOURÉ Ibrahim" in flat
    assert "Présidente" in pages[0] and "Vice-président" in pages[0]  # roles agree too
    for expected in ("Présents Représentés Excusés Absents Non enregistrés En fonction",
                     "6 1 1 1 0 9",
                     "Sur 9 membres en fonction ayant voix délibérative, 7 étaient présents ou "
                     "représentés ; le quorum étant de 5 (la majorité des membres en fonction), "
                     "le comité a pu valablement délibérer.",
                     "Arrêtée la présente liste à 7 personnes présentes.",
                     "Le Secrétaire de séance", "Émargement", "Présence"):
        assert expected in flat, expected
    # Same footer identity as the other documents, kind "attendance-filled", code LP.
    identity = layout.parse_payload(pdftools.info(pdf)["Keywords"])
    assert identity.kind == "attendance-filled" and identity.reference.startswith("LP-")
    assert all(f"Réf. {identity.reference}" in page for page in pages)
    # Signature room only where someone was there: a present member's row is taller.
    tops = _row_tops(pdf, ["COULIBALY", "DEMBÉLÉ", "MAÏGA", "SANGARÉ", "SIDIBÉ"])
    after_excused = tops["DEMBÉLÉ"] - tops["COULIBALY"]  # excused row 4, present row 5
    after_present = tops["MAÏGA"] - tops["DEMBÉLÉ"]  # present rows 5 and 6
    assert after_present > after_excused + 5
    # The closing never sits alone: the last page still holds rows of the list.
    assert "TOURÉ Ibrahim" in pages[-1] or len(pages) == 1


def test_lines_follow_the_empty_sheet_and_the_record(commune: DataFolder) -> None:
    from ccsdesk.core.documents.session_record import gather

    meeting = full_session(commune, PASSPHRASE)
    record = gather(commune, meeting)
    lines = filled_attendance_sheet.lines(record)
    assert [line.name for line in lines[:3]] == ["DIARRA Mariam", "KƐITA Sɔgɔ",
                                                 "TRAORÉ Aminata"]  # bureau first
    assert lines[-1].name == "OUATTARA Salif" and not lines[-1].votes  # the guest, last
    assert [line.status for line in lines].count("present") == 7
    assert filled_attendance_sheet.counts(record) == {
        "present": 6, "represented": 1, "excused": 1, "absent": 1, None: 0}
    assert filled_attendance_sheet.people_present(record) == 7


def test_no_filled_list_before_attendance_is_recorded(commune: DataFolder) -> None:
    populate_members(commune, 4)
    meeting = meetings.create_meeting(commune, on=SESSION_DAY, time="09:30")
    with pytest.raises(StateError, match="ne sont pas encore enregistrées"):
        filled_attendance_sheet.render(commune, meeting.id)


def test_sixty_five_members_break_with_the_heading_repeated(commune: DataFolder,
                                                           tmp_path: Path) -> None:
    ids = populate_members(commune, 65)
    meeting = meetings.create_meeting(commune, on=SESSION_DAY, time="09:30",
                                      venue="Salle de délibérations de la Mairie")
    for index, member in enumerate(ids):
        attendance.set_attendance(commune, meeting.id, member,
                                  "excused" if index % 5 == 4 else "present")
    pages = _pages(filled_attendance_sheet.render(commune, meeting.id),
                   tmp_path / "longue.pdf")
    assert len(pages) >= 3
    for page in pages:
        assert "Nom et prénom(s)" in page and "Émargement" in page
    text = "\n".join(pages)
    members = roster.list_members(commune)
    assert len(members) == 65
    listed = text.split("Arrêtée la présente liste")[0]
    for member in members:  # everyone, accents and all, once
        assert listed.count(f"{member.last_name.upper()} {member.first_names}") == 1, member
    assert all(f"\n{n:>5} " in "\n" + text or f" {n} " in text for n in (1, 33, 65))
    flat = " ".join(text.split())
    assert "52 0 13 0 0 65" in flat
    assert "Arrêtée la présente liste à 52 personnes présentes." in flat
    assert "Le Secrétaire de séance" in pages[-1] and "Nom et prénom(s)" in pages[-1]


def test_demo_folder_prints_the_test_watermark(folder: DataFolder, tmp_path: Path) -> None:
    demo.populate(folder, PASSPHRASE)
    held = next(m for m in meetings.list_meetings(folder)
                if attendance.quorum(folder, m.id).recorded)
    path = tmp_path / "demo.pdf"
    _pages(filled_attendance_sheet.render(folder, held.id), path)
    raw_pages = pdftools.text(path, mode="-raw").split("\f")[:-1]
    assert raw_pages and all("DOCUMENTDETEST" in "".join(page.split()) for page in raw_pages)


def test_attendance_words_agree_in_number_and_gender() -> None:
    line = attendance_words.group_line
    assert line("absent", ["A", "B"], ["F", "F"]) == "Absentes (2) : A, B."
    assert line("absent", ["A", "B"], ["F", "M"]) == "Absents (2) : A, B."
    assert line("excused", ["A"], ["F"]) == "Excusée (1) : A."
    assert line("excused", ["A"], [""]) == "Excusé (1) : A."
    assert line("represented", ["A (par B)"], ["M"]) == "Représenté (1) : A (par B)."
    assert line("present", ["A", "B", "C"], ["F", "F", "F"]) == "Présentes (3) : A, B, C."
    assert attendance_words.status_text("represented", "F", "DIARRA Mariam") == \
        "représentée par DIARRA Mariam"
    assert attendance_words.status_text("present", "M") == "présent"
    assert attendance_words.status_text(None) == "non enregistré"
    assert attendance_words.role_text("president", "F") == "Présidente"
    assert attendance_words.role_text("president", "M") == "Président"
    assert attendance_words.role_text("secretary", "F") == "Secrétaire / rapporteuse"
    assert attendance_words.role_text("member", "F") == "Membre"
    i18n.set_language("en")
    try:  # English has no feminine ids translated: the ordinary words, never the ids
        assert line("absent", ["A", "B"], ["F", "F"]) == "Absent (2): A, B."
        assert attendance_words.status_text("excused", "F") == "excused"
        assert attendance_words.status_text("represented", "F", "X") == "represented by X"
    finally:
        i18n.set_language("fr")
