"""Two corrections to the session documents, read back from real PDFs.

1. The president convenes and signs the convocation, so is sent none: no individual letter,
   no line in the list of those convened, none on the delivery sheet, and never « not sent »
   in the convocations the window and the command line list.
2. The PV's annexed attendance list names the guests present after the members, under their
   own heading « Invités (sans voix délibérative) », counted in no figure; a PV signed before
   the annex named them is re-rendered as it was signed.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from ccsdesk.core.documents import convocation, layout, minutes_pdf
from ccsdesk.core.documents.session_record import gather
from ccsdesk.core.services import journal, meetings, minutes, roster
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import Convocation, Meeting, MinutesVersion
from ccsdesk.core.storage.models import Minutes as MinutesRow
from tests.conftest import PASSPHRASE
from tests.core import pdftools
from tests.core.session_data import SENT_ON, SESSION_DAY, held_with_guests

PRESIDENT = "DIARRA Mariam"
GUESTS = (("OUATTARA Salif", "Chef de quartier de Lafiabougou", True),
          ("KONÉ Awa", "", True),
          ("BERTHÉ Moussa", "Association des commerçants", False))


def _session(folder: DataFolder, *, members: int = 6, sign: bool = True) -> int:
    """A held session with three guests invited (two came), through the real services."""
    meeting_id, _ids = held_with_guests(folder, GUESTS, members=members)
    minutes.save_draft(folder, meeting_id, revision=None, opening="La séance est ouverte.",
                       items={1: "Échanges sur les vols."}, divers="", closing_time="12:00")
    minutes.adopt(folder, meeting_id)
    if sign:
        minutes.sign(folder, meeting_id, PASSPHRASE)
    return meeting_id


def _pages(data: bytes, path: Path, **numbering: list[tuple[int, int]]) -> list[str]:
    return [" ".join(page.split()) for page in pdftools.checked_pages(data, path, **numbering)]


# --- 1. the president is not convened ---------------------------------------------------


def test_no_convocation_goes_to_the_president(commune: DataFolder, tmp_path: Path) -> None:
    meeting = _session(commune)
    # Six members less the president, and the three guests invited: eight letters.
    pages = _pages(convocation.render(commune, meeting, per_recipient=True),
                   tmp_path / "individuelles.pdf", numbering=[(1, 1)] * 8)
    addressees = [page.split("À l’attention de ")[1].split(" Madame,")[0].split(" Monsieur,")[0]
                  for page in pages]
    assert not any(PRESIDENT in addressee for addressee in addressees), addressees
    assert addressees[0].startswith("Monsieur KƐITA Sɔgɔ")  # the vice-president is convened
    assert addressees[1].startswith("Madame TRAORÉ Aminata")  # and the secretary
    assert [a.split(" ")[0] + " " + a.split(" ")[1] for a in addressees[-3:]] == [
        "OUATTARA Salif", "KONÉ Awa", "BERTHÉ Moussa"]
    # Every letter is still signed by the president who convenes.
    assert all(page.split("considération distinguée.")[1].lstrip().startswith(
        "Maire " + PRESIDENT) for page in pages)


def test_the_list_of_those_convened_leaves_the_president_out(commune: DataFolder,
                                                             tmp_path: Path) -> None:
    meeting = _session(commune)
    text = " ".join(_pages(convocation.render(commune, meeting), tmp_path / "generale.pdf"))
    signature, convened = text.split("Liste des personnes convoquées")
    assert PRESIDENT in signature  # she signs the letter…
    assert PRESIDENT not in convened  # …and is not on the list she convenes
    for name in ("KƐITA Sɔgɔ", "TRAORÉ Aminata", "OUATTARA Salif", "BERTHÉ Moussa"):
        assert name in convened, name
    assert "8 BERTHÉ Moussa" in convened and "9 " not in convened.split("BERTHÉ")[1][:40]


def test_the_delivery_sheet_leaves_the_president_out(commune: DataFolder,
                                                     tmp_path: Path) -> None:
    meeting = _session(commune)
    text = " ".join(_pages(convocation.render_delivery(commune, meeting),
                           tmp_path / "bordereau.pdf"))
    assert PRESIDENT not in text
    assert "1 KƐITA Sɔgɔ" in text and "8 BERTHÉ Moussa" in text
    # The members' rows carry the delivery date; nobody is left « not yet delivered ».
    rows = convocation.delivery_rows(gather(commune, meeting))[1:]
    assert len(rows) == 8
    assert all(row[3] == "30/11/2026" for row in rows), rows  # the guests' too
    assert "6 OUATTARA Salif Chef de quartier de Lafiabougou 30/11/2026" in text


def test_the_convocations_listed_never_show_the_president(commune: DataFolder) -> None:
    meeting = _session(commune, sign=False)
    president_id = next(m.id for m in roster.list_members(commune) if m.role == "president")
    listed = meetings.list_convocations(commune, meeting)
    assert len(listed) == 8 and president_id not in {c.member_id for c in listed}
    assert all(c.sent_on == SENT_ON for c in listed)
    # A folder where the president's convocation was prepared by an earlier version: it is
    # neither listed as « not sent » nor marked sent with the others.
    with commune.database.unit_of_work() as session:
        session.add(Convocation(meeting_id=meeting, member_id=president_id))
    assert president_id not in {c.member_id for c in meetings.list_convocations(commune,
                                                                                 meeting)}
    meetings.record_sent(commune, meeting, sent_on=SENT_ON, channel="hand")
    with commune.database.reading() as session:
        row = session.query(Convocation).filter_by(member_id=president_id).one()
        assert row.sent_on is None
    # Preparing again adds nothing for her.
    assert len(meetings.prepare_convocations(commune, meeting)) == 8


def test_without_a_president_everyone_is_convened(commune: DataFolder,
                                                  tmp_path: Path) -> None:
    category = roster.list_categories(commune)[0].id
    for last, first, sex, role in (("DIARRA", "Mariam", "F", "vice_president"),
                                   ("TRAORÉ", "Aminata", "F", "secretary"),
                                   ("TOURÉ", "Ibrahim", "M", "member")):
        roster.add_member(commune, roster.MemberData(
            last_name=last, first_names=first, sex=sex, role=role, category_id=category))
    meeting = meetings.create_meeting(commune, on=SESSION_DAY, time="09:30")
    record = gather(commune, meeting.id)
    assert record.president == "" and record.convener is None
    assert len(record.convened) == 3
    assert len(meetings.prepare_convocations(commune, meeting.id)) == 3
    pages = _pages(convocation.render(commune, meeting.id, per_recipient=True),
                   tmp_path / "sans-president.pdf", numbering=[(1, 1)] * 3)
    assert "Madame DIARRA Mariam" in pages[0] and "Monsieur TOURÉ Ibrahim" in pages[2]


def test_whoever_signs_the_convocation_is_the_one_not_convened(commune: DataFolder) -> None:
    """Signed minutes name who chaired (here the vice-president): the letters printed from
    the signed session bear that name, so that member is the one left out."""
    meeting = _session(commune, sign=False)
    minutes.sign(commune, meeting, PASSPHRASE, signer="KƐITA Sɔgɔ")
    record = gather(commune, meeting)
    assert record.president == "KƐITA Sɔgɔ" and record.convener is not None
    names = [p.name for p in record.convened]
    assert "KƐITA Sɔgɔ" not in names and PRESIDENT in names
    # A signer who is not a member in office leaves nobody out.
    outsider = dataclasses.replace(record, president="SANOGO Bakary")
    assert outsider.convener is None and len(outsider.convened) == len(record.recipients)


def test_the_attendance_sheet_still_lists_the_president(commune: DataFolder) -> None:
    """The sheet members sign at the session is not a convocation: the president is on it."""
    record = gather(commune, _session(commune, sign=False))
    assert PRESIDENT in [p.name for p in record.recipients]


# --- 2. the guests in the PV's annex ----------------------------------------------------


def _annex(pages: list[str]) -> str:
    return " ".join(pages).split("ANNEXE : LISTE DE PRÉSENCE")[1]


def test_the_annex_lists_the_guests_present_after_the_members(commune: DataFolder,
                                                              tmp_path: Path) -> None:
    meeting = _session(commune)
    pages = _pages(minutes_pdf.render(commune, meeting), tmp_path / "pv.pdf")
    annex = _annex(pages)
    members, guests = annex.split("Invités (sans voix délibérative)")
    assert "6 TRAORÉ Aminata" in members or "TRAORÉ Aminata" in members
    assert "1 OUATTARA Salif Chef de quartier de Lafiabougou présent" in guests
    assert "2 KONÉ Awa Invité présent" in guests
    assert "BERTHÉ Moussa" not in annex  # invited, did not come
    # The guests count in no figure: the quorum sentence is the one of the members alone.
    record = gather(commune, meeting)
    assert "Sur 6 membres en fonction ayant voix délibérative, 5 étaient présents" in \
        " ".join(pages)
    without = dataclasses.replace(record, guests_present=())
    assert minutes_pdf.quorum_sentence(without) == minutes_pdf.quorum_sentence(record)
    rows = minutes_pdf.annex_rows(record)
    assert rows[7] == ["", "Invités (sans voix délibérative)", "", ""]
    assert [row[1] for row in rows[8:]] == ["OUATTARA Salif", "KONÉ Awa"]


def _sign_as_before(folder: DataFolder, meeting_id: int) -> None:
    """Sign the adopted minutes as the program did before the annex named the guests: the
    same writes as ``minutes.sign``, with the journal entry of that time (no ``pv_annex``)."""
    with folder.database.unit_of_work() as session:
        meeting = session.get(Meeting, meeting_id)
        version = session.scalars(select(MinutesVersion).join(
            MinutesRow, MinutesVersion.minutes_id == MinutesRow.id).where(
            MinutesRow.meeting_id == meeting_id)).one()
        version.text_hash = minutes.text_hash(session, meeting, version)
        version.signer, version.signed_at, version.state = PRESIDENT, datetime.now(), "signed"
        meeting.state = "signed"
        journal.record(session, "minutes.sign", f"meeting:{meeting.uid}",
                       {"version": version.number, "signer": PRESIDENT,
                        "text_hash": version.text_hash})


def test_a_pv_signed_before_keeps_its_annex(commune: DataFolder, tmp_path: Path) -> None:
    meeting = _session(commune, sign=False)
    _sign_as_before(commune, meeting)
    record = gather(commune, meeting)
    assert record.minutes.state == "signed" and not record.annex_guests
    pages = _pages(minutes_pdf.render(commune, meeting), tmp_path / "pv-ancien.pdf")
    annex = _annex(pages)
    assert "Invités" not in annex and "OUATTARA Salif" not in annex
    # The text still names them, as it did; the identity is the one of the members-only
    # annex it was signed with.
    assert "sans voix délibérative : OUATTARA Salif, KONÉ Awa." in " ".join(pages)
    old_annex = minutes_pdf.annex_rows(record)
    assert len(old_annex) == 7 and all(row[0] for row in old_annex)
    identity = layout.parse_payload(pdftools.info(tmp_path / "pv-ancien.pdf")["Keywords"])
    assert identity.content_hash == layout.content_hash(minutes_pdf.KIND,
                                                        minutes_pdf.content(record))
    assert minutes_pdf.content(record)["annex"] == old_annex
