"""The session documents: convocation, delivery sheet, attendance sheet, PV, fiches.

Each is rendered by poppler (``pdftoppm``) and read back (``pdftotext``): the Malian header,
French dates (and the PV's date in words), accented and Bambara names, page numbering, the
agenda, every recommendation in the PV and as a form.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from ccsdesk.core.documents import (
    attendance_sheet,
    convocation,
    french_words,
    layout,
    minutes_pdf,
    recommendation_form,
)
from ccsdesk.core.services import meetings, minutes
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import PASSPHRASE
from tests.core import pdftools
from tests.core.session_data import AGENDA, SESSION_DAY, full_session, populate_members

HEADER = ("RÉPUBLIQUE DU MALI", "Un Peuple \u2013 Un But \u2013 Une Foi", "DISTRICT DE BAMAKO",
          "COMMUNE IV", "COMITÉ CONSULTATIF DE SÉCURITÉ")


@pytest.mark.parametrize(("number", "words"), [
    (1, "un"), (16, "seize"), (17, "dix-sept"), (21, "vingt et un"), (31, "trente et un"),
    (70, "soixante-dix"), (71, "soixante et onze"), (72, "soixante-douze"),
    (80, "quatre-vingts"), (81, "quatre-vingt-un"), (91, "quatre-vingt-onze"),
    (100, "cent"), (200, "deux cents"), (280, "deux cent quatre-vingts"), (1000, "mille"),
    (1980, "mille neuf cent quatre-vingts"), (2000, "deux mille"),
    (2026, "deux mille vingt-six"), (2080, "deux mille quatre-vingts"),
    (80000, "quatre-vingt mille"),
])
def test_numbers_in_french_words(number: int, words: str) -> None:
    assert french_words.cardinal(number) == words


def test_dates_and_ordinals_in_words() -> None:
    assert french_words.pv_opening_date(date(2026, 12, 7)) == \
        "L’an deux mille vingt-six et le sept décembre"
    assert french_words.day_in_words(date(2026, 12, 1)) == "le premier décembre"
    assert french_words.day_in_words(date(2027, 3, 21)) == "le vingt et un mars"
    assert french_words.day_in_words(date(2027, 8, 31)) == "le trente et un août"
    assert [french_words.ordinal_feminine(n) for n in (1, 2, 5, 9, 21)] == [
        "première", "deuxième", "cinquième", "neuvième", "vingt et unième"]
    assert french_words.hour_in_words("09:30") == "9 h 30"
    assert french_words.hour_in_words("12:00") == "12 h"
    assert french_words.at_venue("Salle de la Mairie") == "à la salle de la Mairie"
    assert french_words.at_venue("Centre culturel") == "au centre culturel"
    assert french_words.at_venue("Ségou") == "à Ségou"


@pytest.fixture
def session(commune: DataFolder) -> tuple[DataFolder, int]:
    return commune, full_session(commune, PASSPHRASE)


def _read(data: bytes, path: Path, *, numbering: list[tuple[int, int]] | None = None
          ) -> list[str]:
    """The checked page texts (``pdftools.checked_pages``), under the committee's header."""
    pages = pdftools.checked_pages(data, path, numbering=numbering)
    for expected in HEADER:
        assert expected in pages[0], expected
    return pages


def test_convocation_letter_with_the_list(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder, meeting = session
    pages = _read(convocation.render(folder, meeting), tmp_path / "convocation.pdf")
    text = "\n".join(pages)
    for expected in ("CONVOCATION", "Bamako, le 30 novembre 2026", "N° __________/CCS-CIV",
                     "Objet : Convocation à la 1re session ordinaire 2026",
                     "J’ai l’honneur de vous convoquer à la 1re session ordinaire 2026",
                     "lundi 7 décembre 2026 à 9 h 30", "à la salle de délibérations",
                     "L’ordre du jour est le suivant", "Maire", "DIARRA Mariam",
                     "Liste des personnes convoquées", "KƐITA Sɔgɔ", "COULIBALY Ɲɛlɛni",
                     "Association Ŋàna des jeunes", "Madame, Monsieur,"):
        assert expected in " ".join(text.split()) or expected in text, expected
    for title in AGENDA:
        assert title in text


def test_one_convocation_per_recipient(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder, meeting = session
    data = convocation.render(folder, meeting, per_recipient=True)
    # Nine members but the president, who convenes, and the invited guest: nine letters of
    # one page, each "page 1 sur 1".
    pages = _read(data, tmp_path / "individuelles.pdf", numbering=[(1, 1)] * 9)
    assert len(pages) == 9
    assert "À l’attention de OUATTARA Salif" in " ".join(pages[8].split())
    assert "Monsieur KƐITA Sɔgɔ" in pages[0] and "Monsieur," in pages[0]
    assert "Madame TRAORÉ Aminata" in pages[1] and "Madame," in pages[1]
    assert all("CONVOCATION" in page for page in pages)
    # One file, one identity: the reference on every letter is the one verify reads.
    identity = layout.parse_payload(pdftools.info(tmp_path / "individuelles.pdf")["Keywords"])
    assert all(f"Réf. {identity.reference}" in page for page in pages)
    assert identity.kind == "convocation"


def test_a_long_letter_is_numbered_on_its_own(commune: DataFolder, tmp_path: Path) -> None:
    """A long agenda pushes each letter over two pages: "page 1 sur 2", "page 2 sur 2"."""
    populate_members(commune, 4)
    meeting = meetings.create_meeting(commune, on=SESSION_DAY, time="15:00",
                                      venue="Salle de délibérations de la Mairie")
    for number in range(1, 31):
        meetings.add_agenda_item(commune, meeting.id,
                                 f"Point {number} : sécurité du marché de Médina-Coura, "
                                 f"éclairage, gardiennage et circulation",
                                 presenter="le Commissaire du 2e arrondissement")
    data = convocation.render(commune, meeting.id, per_recipient=True)
    pages = _read(data, tmp_path / "longues.pdf", numbering=[(1, 2), (2, 2)] * 3)
    for first, second in zip(pages[::2], pages[1::2], strict=True):
        assert "CONVOCATION" in first and "Point 1 :" in first
        assert "30. Point 30 :" in second and "DIARRA Mariam" in second.split("Veuillez")[1]
        assert "RÉPUBLIQUE DU MALI" not in second  # the header is the first page's only
    assert "Monsieur KƐITA Sɔgɔ" in pages[0] and "Madame TRAORÉ Aminata" in pages[2]
    identity = layout.parse_payload(pdftools.info(tmp_path / "longues.pdf")["Keywords"])
    assert all(f"Réf. {identity.reference}" in page for page in pages)
    # The general letter, one document, still counts its pages over the whole file.
    general = _read(convocation.render(commune, meeting.id), tmp_path / "generale.pdf")
    assert len(general) >= 2


def test_page_numbers_restart_where_marked() -> None:
    assert layout.page_numbers([False, False, False]) == [(1, 3), (2, 3), (3, 3)]
    assert layout.page_numbers([True, False, True, True, False, False]) == [
        (1, 2), (2, 2), (1, 1), (1, 3), (2, 3), (3, 3)]
    assert layout.page_numbers([]) == []


def test_delivery_sheet(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder, meeting = session
    pages = _read(convocation.render_delivery(folder, meeting), tmp_path / "bordereau.pdf")
    text = "\n".join(pages)
    for expected in ("BORDEREAU DE REMISE DES CONVOCATIONS", "Nom et prénom(s)",
                     "Structure / qualité", "Date de remise", "Émargement", "30/11/2026",
                     "TRAORÉ Aminata", "Le Secrétaire du Comité"):
        assert expected in text, expected


def test_attendance_sheet_ready_to_sign(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder, meeting = session
    pages = _read(attendance_sheet.render(folder, meeting), tmp_path / "emargement.pdf")
    text = "\n".join(pages)
    for expected in ("FEUILLE D’ÉMARGEMENT", "Bamako, le 7 décembre 2026",
                     "Séance du lundi 7 décembre 2026 à 9 h 30", "N°", "Nom et prénom(s)",
                     "Structure / qualité", "Téléphone", "Émargement", "+223 76 12 34 01",
                     "SANGARÉ Oumou", "Arrêtée la présente liste", "Le Secrétaire de séance"):
        assert expected in text, expected
    # Nine members and a guest, then five blank rows numbered 11 to 15 for latecomers.
    assert "OUATTARA Salif" in text and "15" in text.split("Arrêtée")[0]
    # The signature never opens a page alone: the last rows of the list go over with it.
    last = pages[-1]
    assert "Le Secrétaire de séance" in last and "Nom et prénom(s)" in last
    assert re.search(r"^\s+15\s*$", last.split("Arrêtée")[0], re.MULTILINE)


def test_roster_names_the_chair_and_agrees_the_roles(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ccsdesk.core.documents import roster as roster_pdf

    folder, _meeting = session
    pages = _read(roster_pdf.render(folder, today=SESSION_DAY), tmp_path / "liste.pdf")
    text = "\n".join(pages)
    assert "Présidente" in pages[0] and "Vice-président" in pages[0]
    signature = " ".join(pages[-1].split("Aucun mandat")[-1].split())
    assert signature.startswith("ne prend fin") and "Maire DIARRA Mariam" in signature
    assert "Membres en fonction" in text


def test_minutes_in_the_malian_structure(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder, meeting = session
    pages = _read(minutes_pdf.render(folder, meeting), tmp_path / "pv.pdf")
    text = " ".join("\n".join(pages).split())
    for expected in (
        "PROCÈS-VERBAL", "de la 1re session ordinaire 2026",
        "L’an deux mille vingt-six et le sept décembre, s’est tenue à la salle de "
        "délibérations de la Mairie, de 9 h 30 à 12 h 15, sur convocation de la Présidente en "
        "date du 30 novembre 2026, la première session ordinaire du Comité consultatif de "
        "sécurité de la Commune IV, sous la présidence de DIARRA Mariam, maire.",
        "Le secrétariat de séance a été assuré par TRAORÉ Aminata.",
        "Présences et quorum", "Présents (6) : DEMBÉLÉ Drissa, DIARRA Mariam",
        "Représenté (1) : TOURÉ Ibrahim (par DIARRA Mariam).",
        "Excusée (1) : COULIBALY Ɲɛlɛni.", "Absente (1) : SANGARÉ Oumou.",
        "Ont également pris part, sans voix délibérative : OUATTARA Salif.",
        "Sur 9 membres en fonction ayant voix délibérative, 7 étaient présents ou "
        "représentés", "le comité a pu valablement délibérer", "Ordre du jour",
        "Déroulement des travaux", "Point 1 : Vols de motos", "Recommandations", "Divers",
        "la Présidente a levé la séance à 12 h 15", "Le Rapporteur", "Fait à Bamako",
        "ANNEXE : LISTE DE PRÉSENCE", "représenté par DIARRA Mariam", "KƐITA Sɔgɔ",
        "Voir la recommandation n° 1.", "Mairie de la Commune IV — Présidente",
        "SIDIBÉ Fatoumata Conseil de quartier de Sébénikoro présente",
        "DEMBÉLÉ Drissa Conseil de quartier de Sébénikoro présent",
    ):
        assert expected in text, expected
    for number in (1, 2, 3):
        assert f"Recommandation n° {number} : Organiser des patrouilles mixtes" in text
    assert "PROJET" not in text


def test_draft_and_corrected_minutes_say_so(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder, meeting = session
    minutes.correct(folder, meeting, "Erreur sur l’heure de clôture")
    text = " ".join("\n".join(_read(minutes_pdf.render(folder, meeting),
                                    tmp_path / "pv2.pdf")).split())
    assert "PROJET — procès-verbal en cours de rédaction" in text
    assert "Version 2, corrigée : Erreur sur l’heure de clôture" in text


def test_one_form_per_recommendation(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder, meeting = session
    pages = _read(recommendation_form.render(folder, meeting, today=date(2026, 12, 20)),
                  tmp_path / "fiches.pdf")
    assert len(pages) == 3
    for number, page in enumerate(pages, start=1):
        flat = " ".join(page.split())
        for expected in ("FICHE DE RECOMMANDATION", f"N° {number} — 1re session ordinaire",
                         "Constat", "Destinataire", "Commissariat du 5e arrondissement",
                         "Suivi par", "Échéance", "Priorité", "haute", "Thème", "État",
                         "transmise", "Suivi", "Remise en main propre",
                         "Bamako, le 20 décembre 2026", f"(mesure {number})"):
            assert expected in flat, (number, expected)
