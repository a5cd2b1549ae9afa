"""A signed procès-verbal renders exactly as it was signed, whatever changes later.

The PV is re-rendered from data every time it is needed (the documents dialog, ``ccsdesk
documents``, the packet built at ``send``), and part of what it shows lives in tables that
keep changing after the signature: the roster, the guests, the committee's name, the forms.
Signing stores a snapshot of those (``ccsdesk-pv-snapshot/1``); these tests sign a real
session in a real data folder, change everything the PV reads, and compare real PDFs.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from ccsdesk.core.documents import minutes_pdf, packet
from ccsdesk.core.documents.session_record import SNAPSHOT_FORMAT, _from_snapshot, gather
from ccsdesk.core.errors import StateError, StorageError
from ccsdesk.core.services import (
    committee,
    journal,
    minutes,
    recommendations,
    roster,
)
from ccsdesk.core.storage.folder import DB_FILE, DataFolder
from ccsdesk.core.storage.models import Guest, Meeting, MinutesVersion, Recommendation
from ccsdesk.core.storage.models import Minutes as MinutesRow
from tests.conftest import PASSPHRASE
from tests.core import pdftools
from tests.core.exchange_helpers import child_of, signed_session
from tests.core.session_data import held_with_guests

DOC_ID = "0123456789abcdef0123456789abcdef"
PACKET_DAY = date(2026, 12, 20)
NEW_NAME = "CCS de la Commune IV du District de Bamako"
GUESTS = (("OUATTARA Salif", "Chef de quartier de Lafiabougou", True),
          ("BERTHÉ Moussa", "Association des commerçants", False))
SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "schemas"


def _session(folder: DataFolder, *, sign: bool = True) -> tuple[int, list[int]]:
    """A held session (six members, two guests, one recommendation), through the services."""
    meeting_id, ids = held_with_guests(folder, GUESTS)
    recommendations.add(folder, meeting_id, recommendations.RecommendationData(
        problem="Vols de motos répétés", text="Renforcer les patrouilles au marché",
        addressee="Commissariat du 5e arrondissement", priority="high",
        deadline=date(2027, 1, 31), agenda_position=1))
    minutes.save_draft(folder, meeting_id, revision=None, opening="La séance est ouverte.",
                       items={1: "Échanges sur les vols."}, closing_time="12:00")
    minutes.adopt(folder, meeting_id)
    if sign:
        minutes.sign(folder, meeting_id, PASSPHRASE)
    return meeting_id, ids


def _change_everything(folder: DataFolder, meeting_id: int, ids: list[int]) -> None:
    """What happens to a committee in the months after a session, through the services
    (the guest's row directly: no service edits a guest once the minutes are adopted)."""
    secretary = roster.get_member(folder, ids[1])  # TRAORÉ Aminata steps down
    roster.update_member(folder, ids[1], replace(
        roster.MemberData(last_name=secretary.last_name, first_names=secretary.first_names,
                          sex=secretary.sex, category_id=secretary.category_id),
        organisation="Direction régionale de la Police", role="member"))
    plain = roster.get_member(folder, ids[3])  # COULIBALY Ɲɛlɛni, renamed, takes over
    roster.update_member(folder, ids[3], roster.MemberData(
        last_name="KONATÉ", first_names=plain.first_names, sex=plain.sex,
        category_id=plain.category_id, organisation="Mairie annexe", role="secretary"))
    roster.set_active(folder, ids[5], False)  # TOURÉ Ibrahim, present at the session
    roster.add_member(folder, roster.MemberData(
        last_name="DEMBÉLÉ", first_names="Issa", sex="M", organisation="Société civile"))
    committee.update(folder, name=NEW_NAME, chair_title="Maire délégué")
    with folder.database.unit_of_work() as session:
        guest = session.scalars(select(Guest).where(Guest.meeting_id == meeting_id)).first()
        assert guest is not None
        guest.name, guest.organisation = "OUATTARA Salif Jr", "Chefferie de Lafiabougou"
        # The services refuse to add or change a form once the minutes are adopted
        # (test_recommendations); rows changed by any other path must not reach the PV.
        [rec] = session.scalars(select(Recommendation).where(
            Recommendation.meeting_id == meeting_id)).all()
        rec.text, rec.priority = "Doubler les patrouilles de nuit", "low"
        now = datetime.now()
        session.add(Recommendation(
            meeting_id=meeting_id, number=2, problem="Éclairage",
            text="Réparer les lampadaires", addressee="Mairie", addressee_key="mairie",
            priority="medium", deadline=date(2027, 2, 28), origin_uid=rec.origin_uid,
            origin_name=rec.origin_name, status="proposed", status_at=now, created_at=now,
            updated_at=now))


def _rendered(folder: DataFolder, meeting_id: int, path: Path) -> tuple[str, str]:
    """The PV's content hash and its ``pdftotext -layout`` text (the PDF written to path)."""
    record = gather(folder, meeting_id)
    identity = minutes_pdf.layout.identify(minutes_pdf.KIND, minutes_pdf.content(record))
    path.write_bytes(minutes_pdf.render(folder, meeting_id, doc_id=DOC_ID))
    return identity.content_hash, pdftools.text(path)


def _packet_minutes(folder: DataFolder, meeting_id: int, path: Path) -> tuple[str, str]:
    """The packet's PV part: its content hash, and the text of its pages (PV to annex)."""
    built = packet.build(folder, meeting_id, today=PACKET_DAY, doc_id=DOC_ID)
    path.write_bytes(built.data)
    record = gather(folder, meeting_id)
    part = json.dumps(packet.content(record, PACKET_DAY)["minutes"], sort_keys=True)
    pages = pdftools.page_texts(path)
    start = next(i for i, p in enumerate(pages) if "PROCÈS-VERBAL" in p)
    end = next(i for i, p in enumerate(pages) if "LISTE DE PRÉSENCE" in p)
    # Each page's last line is the packet's own footer (page number, reference): left out.
    body = ["\n".join(p.rstrip().splitlines()[:-2]) for p in pages[start:end + 1]]
    return part, "\n\f".join(body)


def test_a_signed_pv_renders_as_signed_after_everything_changed(
        commune: DataFolder, tmp_path: Path) -> None:
    meeting_id, ids = _session(commune)
    before_hash, before = _rendered(commune, meeting_id, tmp_path / "avant.pdf")
    before_part, before_pages = _packet_minutes(commune, meeting_id, tmp_path / "dossier1.pdf")
    pdftools.run("pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1",
                 tmp_path / "avant.pdf", tmp_path / "avant")
    assert "assuré par TRAORÉ Aminata" in before and "TOURÉ Ibrahim" in before
    assert "Chef de quartier de Lafiabougou" in before and "DEMBÉLÉ" not in before

    _change_everything(commune, meeting_id, ids)
    after_hash, after = _rendered(commune, meeting_id, tmp_path / "apres.pdf")
    after_part, after_pages = _packet_minutes(commune, meeting_id, tmp_path / "dossier2.pdf")
    pdftools.run("pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1",
                 tmp_path / "apres.pdf", tmp_path / "apres")

    assert after_hash == before_hash
    assert after == before
    assert after_part == before_part
    assert after_pages == before_pages
    for missing in ("DEMBÉLÉ", "KONATÉ", "Direction régionale de la Police", NEW_NAME,
                    "OUATTARA Salif Jr", "Doubler les patrouilles", "lampadaires"):
        assert missing not in after
    # The page looks the same (same pixels) before and after.
    assert ((tmp_path / "avant-1.png").read_bytes() == (tmp_path / "apres-1.png").read_bytes())
    # The packet's forms stay live: they show each form as it stands today.
    packet_text = pdftools.text(tmp_path / "dossier2.pdf")
    assert "Doubler les patrouilles de nuit" in packet_text
    assert "Réparer les lampadaires" in packet_text


def test_a_correction_shows_the_current_data(commune: DataFolder, tmp_path: Path) -> None:
    meeting_id, ids = _session(commune)
    signed_hash, signed = _rendered(commune, meeting_id, tmp_path / "v1.pdf")
    assert "DEMBÉLÉ" not in signed
    assert "assuré par TRAORÉ Aminata" in " ".join(signed.split())
    _change_everything(commune, meeting_id, ids)
    minutes.correct(commune, meeting_id, "Nom du comité corrigé")
    draft_hash, draft = _rendered(commune, meeting_id, tmp_path / "v2.pdf")
    assert draft_hash != signed_hash
    flat = " ".join(draft.split())
    for shown in ("DEMBÉLÉ Issa", "assuré par KONATÉ Ɲɛlɛni",
                  "Direction régionale de la Police", "Doubler les patrouilles de nuit",
                  "Réparer les lampadaires", "Chefferie de Lafiabougou",
                  "Commune IV du District de Bamako"):
        assert shown in flat, shown
    # Signed in turn, version 2 freezes the data of its own signature.
    minutes.save_draft(commune, meeting_id, revision=None, divers="Rien.")
    minutes.adopt(commune, meeting_id)
    minutes.sign(commune, meeting_id, PASSPHRASE)
    v2_hash, v2 = _rendered(commune, meeting_id, tmp_path / "v2-signe.pdf")
    roster.add_member(commune, roster.MemberData(last_name="SIDIBÉ", first_names="Kadia",
                                                 sex="F", organisation="Jeunesse"))
    assert _rendered(commune, meeting_id, tmp_path / "v2-encore.pdf") == (v2_hash, v2)
    assert "DEMBÉLÉ Issa" in v2 and "SIDIBÉ" not in v2


def test_the_snapshot_is_versioned_json_written_at_signing(commune: DataFolder) -> None:
    meeting_id, _ids = _session(commune, sign=False)
    assert minutes.signed_snapshot(commune, meeting_id, 1) is None  # adopted, not signed
    minutes.sign(commune, meeting_id, PASSPHRASE)
    data = json.loads(minutes.signed_snapshot(commune, meeting_id, 1) or "")
    assert data["format"] == SNAPSHOT_FORMAT == "ccsdesk-pv-snapshot/1"
    assert data["version"] == 1 and data["president"] == "DIARRA Mariam"
    assert len(data["members"]) == 6 and len(data["attendance"]) == 6
    assert data["letterhead"]["committee_name"] == committee.profile(commune).name
    assert [r["number"] for r in data["recommendations"]] == [1]
    assert journal.verify(commune.database).intact


def test_an_unreadable_snapshot_is_refused(commune: DataFolder) -> None:
    meeting_id, _ids = _session(commune)
    record = gather(commune, meeting_id)
    for bad in ('{"format": "ccsdesk-pv-snapshot/9"}', "not json",
                '{"format": "ccsdesk-pv-snapshot/1"}'):
        with pytest.raises(StorageError, match="données figées"):
            _from_snapshot(record, bad)


def _sign_without_snapshot(folder: DataFolder, meeting_id: int) -> None:
    """Sign as the program did before migration 0007: the same writes as ``minutes.sign``
    (with today's ``pv_annex`` marker), no snapshot."""
    with folder.database.unit_of_work() as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        version = session.scalars(select(MinutesVersion).join(
            MinutesRow, MinutesVersion.minutes_id == MinutesRow.id).where(
            MinutesRow.meeting_id == meeting_id)).one()
        version.text_hash = minutes.text_hash(session, meeting, version)
        version.signer, version.signed_at, version.state = ("DIARRA Mariam", datetime.now(),
                                                            "signed")
        meeting.state = "signed"
        journal.record(session, "minutes.sign", f"meeting:{meeting.uid}",
                       {"version": version.number, "signer": "DIARRA Mariam",
                        "text_hash": version.text_hash, "pv_annex": 2})


def test_a_pv_signed_before_snapshots_renders_as_today(commune: DataFolder,
                                                        tmp_path: Path) -> None:
    meeting_id, _ids = _session(commune, sign=False)
    _sign_without_snapshot(commune, meeting_id)
    assert minutes.signed_snapshot(commune, meeting_id, 1) is None
    record = gather(commune, meeting_id)
    assert record.signed_recommendations is None and record.annex_guests
    _hash, before = _rendered(commune, meeting_id, tmp_path / "ancien.pdf")
    assert "OUATTARA Salif" in before.split("LISTE DE PRÉSENCE")[1]
    roster.add_member(commune, roster.MemberData(last_name="DEMBÉLÉ", first_names="Issa",
                                                 sex="M"))
    _hash, after = _rendered(commune, meeting_id, tmp_path / "ancien-apres.pdf")
    assert "DEMBÉLÉ Issa" in after  # read from the live roster, as before this change


def _sql(folder: DataFolder, statement: str) -> None:
    with folder.database.unit_of_work() as session:
        session.execute(text(statement))


def test_sqlite_refuses_to_write_a_snapshot_outside_the_signature(
        commune: DataFolder) -> None:
    meeting_id, _ids = _session(commune)
    frozen = minutes.signed_snapshot(commune, meeting_id, 1)
    for statement in ("UPDATE minutes_version SET pv_snapshot = NULL",
                      "UPDATE minutes_version SET pv_snapshot = '{}'"):
        with pytest.raises(IntegrityError, match=r"signed minutes cannot be changed|only when"):
            _sql(commune, statement)
    assert minutes.signed_snapshot(commune, meeting_id, 1) == frozen
    minutes.correct(commune, meeting_id, "Coquille")  # version 2, a draft
    with pytest.raises(IntegrityError, match="written only when the minutes are signed"):
        _sql(commune, "UPDATE minutes_version SET pv_snapshot = '{}' WHERE number = 2")
    with pytest.raises(IntegrityError, match="written only when the minutes are signed"):
        _sql(commune, "INSERT INTO minutes_version (minutes_id, number, state, revision, "
                      "opening, divers, closing_time, reason, signer, text_hash, created_at, "
                      "updated_at, pv_snapshot) SELECT minutes_id, 3, 'signed', 0, '', '', "
                      "'', '', '', '', created_at, updated_at, '{}' FROM minutes_version "
                      "WHERE number = 1")
    with pytest.raises(StateError):
        minutes.sign(commune, meeting_id, PASSPHRASE)  # a draft is not signed
    assert minutes.get_minutes(commune, meeting_id).number == 2


def test_an_upgraded_database_keeps_every_freeze_trigger(tmp_path: Path) -> None:
    data_dir = tmp_path / "ancien"
    data_dir.mkdir()
    shutil.copyfile(SAMPLES_DIR / "0001_initial.sqlite", data_dir / DB_FILE)
    folder = DataFolder.open(data_dir)
    folder.database.dispose()
    connection = sqlite3.connect(data_dir / DB_FILE)
    try:
        names = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        columns = {row[1] for row in connection.execute("PRAGMA table_info(minutes_version)")}
    finally:
        connection.close()
    assert "pv_snapshot" in columns
    assert {"minutes_version_signed_no_update", "minutes_version_signed_no_delete",
            "minutes_item_signed_no_update", "minutes_item_signed_no_insert",
            "minutes_version_snapshot_at_signing",
            "minutes_version_snapshot_no_insert"} <= names


def test_roster_changes_after_signing_do_not_make_the_session_due_again(pair) -> None:  # type: ignore[no-untyped-def]
    commune, district = pair
    signed_session(commune.folder)
    assert district.receive(commune.send("parent")[0]).sessions == 1
    # The District's acknowledgement brings its certificate down: the session goes up once
    # more, signed with the certified key (test_exchange_late_certificate), and then rests.
    assert commune.receive(district.send(child_of(district))[0]).certificate_installed
    assert district.receive(commune.send("parent")[0]).sessions == 1
    assert commune.receive(district.send(child_of(district))[0]).acknowledged >= 1
    with pytest.raises(StateError, match=r"Rien à envoyer"):
        commune.send("parent")
    president = roster.list_members(commune.folder)[0]
    roster.update_member(commune.folder, president.id, roster.MemberData(
        last_name=president.last_name, first_names=president.first_names, sex=president.sex,
        role="president", organisation="Gouvernorat du District"))
    roster.add_member(commune.folder, roster.MemberData(last_name="DEMBÉLÉ", sex="M",
                                                        first_names="Issa"))
    with pytest.raises(StateError, match=r"Rien à envoyer"):
        commune.send("parent")


def _trigger_names(db: Path) -> set[str]:
    connection = sqlite3.connect(db)
    try:
        return {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    finally:
        connection.close()


def test_downgrading_0007_keeps_the_freeze_of_signed_minutes(tmp_path: Path) -> None:
    """The downgrade rebuilds minutes_version; the 0002 triggers must come back with it."""
    from alembic import command
    from alembic.config import Config

    from ccsdesk.core.storage import migrate
    from ccsdesk.core.storage.database import Database, sqlite_file_url

    db = tmp_path / "schema.sqlite"
    database = Database(sqlite_file_url(db))
    migrate.upgrade(database)
    at_head = _trigger_names(db)
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006_step_decider")
    database.dispose()
    assert at_head - _trigger_names(db) == {"minutes_version_snapshot_at_signing",
                                            "minutes_version_snapshot_no_insert"}
    assert migrate.current_revision(database) == "0006_step_decider"
    migrate.upgrade(database)
    assert _trigger_names(db) == at_head
    database.dispose()


def test_forms_change_only_while_the_minutes_are_open(commune: DataFolder) -> None:
    """The PV lists the session's recommendations: once it is adopted (and signed), a form
    is added or changed only through a correction of the minutes; follow-up stays open."""
    meeting_id, _ids = _session(commune, sign=False)
    [rec] = recommendations.of_meeting(commune, meeting_id)
    change = recommendations.RecommendationData(
        problem=rec.problem, text="Doubler les patrouilles de nuit", addressee=rec.addressee,
        priority="low", deadline=rec.deadline, agenda_position=1)
    extra = recommendations.RecommendationData(
        problem="Éclairage", text="Réparer les lampadaires", addressee="Mairie",
        priority="medium", deadline=date(2027, 2, 28))
    for step, said in (("adopted", "adopté"), ("signed", "signé")):
        if step == "signed":
            minutes.sign(commune, meeting_id, PASSPHRASE)
        with pytest.raises(StateError, match=f"procès-verbal .* est {said}"):
            recommendations.update(commune, rec.id, change)
        with pytest.raises(StateError, match="corrigez d’abord le procès-verbal"):
            recommendations.add(commune, meeting_id, extra)
        assert [r.text for r in recommendations.of_meeting(commune, meeting_id)] == [rec.text]
    recommendations.set_status(commune, rec.id, "transmitted", note="Remise en main propre")
    minutes.correct(commune, meeting_id, "Une recommandation oubliée")
    recommendations.add(commune, meeting_id, extra)
    assert [r.text for r in recommendations.of_meeting(commune, meeting_id)] == [
        rec.text, "Réparer les lampadaires"]
