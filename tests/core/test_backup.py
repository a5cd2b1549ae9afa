"""Backups on real data folders: consistency, same data after restore, refusals, rotation."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import threading
import time
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ccsdesk.core.errors import InputError, StateError, StorageError
from ccsdesk.core.exchange import keys
from ccsdesk.core.services import backup, journal, places, roster, settings
from ccsdesk.core.storage import migrate
from ccsdesk.core.storage.folder import DB_FILE, DataFolder
from tests.conftest import PASSPHRASE
from tests.safety.backup_craft import (
    change_database,
    entries_of,
    manifest_of,
    rebuild,
    snapshot_tree,
    table_rows,
)

SAMPLE_0001 = Path(__file__).resolve().parent.parent / "data" / "schemas" / "0001_initial.sqlite"


@pytest.fixture
def filled(commune: DataFolder) -> DataFolder:
    """The commune with members, an updated and a deactivated one, a place and a setting."""
    first = roster.add_member(commune, roster.MemberData(
        last_name="Traoré", first_names="Awa", sex="F", role="president",
        phone="+223 70 00 00 01"))
    roster.add_member(commune, roster.MemberData(last_name="Keïta", first_names="Moussa",
                                                 sex="M", organisation="Police"))
    third = roster.add_member(commune, roster.MemberData(last_name="Diarra", sex="M"))
    roster.update_member(commune, first, roster.MemberData(
        last_name="Traoré", first_names="Awa Maïmouna", sex="F", role="president"))
    roster.set_active(commune, third, False)
    places.add(commune, "cercle", "Macina", "Ségou")
    settings.put(commune, "language", "fr")
    (commune.path / "documents").mkdir()
    (commune.path / "documents" / "convocation-1.pdf").write_bytes(b"%PDF-1.7 test\n" * 50)
    (commune.path / "scans" / "2026").mkdir(parents=True)
    (commune.path / "scans" / "2026" / "pv.jpg").write_bytes(bytes(range(256)) * 40)
    return commune


def _journal_rows(rows: dict[str, list[tuple]]) -> list[tuple]:
    return sorted(rows["journal_entry"])


def test_restore_into_a_new_folder_gives_the_same_data_row_by_row(
    filled: DataFolder, tmp_path: Path
) -> None:
    before = table_rows(filled.db_path)
    assert len(before["member"]) == 3 and before["journal_entry"]
    path = backup.create(filled)
    assert path.parent == filled.backups_dir and path.name.startswith("ccsdesk-")
    assert path.suffix == ".ccsbak"

    result = backup.restore(path, tmp_path / "restauree", replace=False)
    assert result.previous_copy is None
    after = table_rows(result.target / DB_FILE)
    assert set(after) == set(before)
    for table in before:
        if table == "journal_entry":
            continue
        assert after[table] == before[table], table
    # The restored journal is the old one plus exactly one "backup.restore" entry.
    restored_journal = _journal_rows(after)
    assert restored_journal[: len(before["journal_entry"])] == _journal_rows(before)
    assert [row[3] for row in restored_journal[len(before["journal_entry"]):]] == [
        "backup.restore"]
    # Scans, documents and keys are there byte for byte; the keys open with the passphrase.
    assert snapshot_tree(result.target / "scans") == snapshot_tree(filled.path / "scans")
    assert snapshot_tree(result.target / "documents") == snapshot_tree(filled.path / "documents")
    assert snapshot_tree(result.target / "keys") == snapshot_tree(filled.keys_dir)
    keys.unlock(result.target / "keys", PASSPHRASE)
    reopened = DataFolder.open(result.target)
    try:
        assert journal.verify(reopened.database).intact
    finally:
        reopened.close()
    # The source journal recorded the backup after taking it.
    with filled.database.reading() as session:
        from sqlalchemy import select

        from ccsdesk.core.storage.models import JournalEntry

        last = session.scalars(select(JournalEntry).order_by(JournalEntry.id.desc())).first()
        assert last is not None and last.action == "backup.create"
    assert journal.verify(filled.database).intact


def test_manifest_describes_every_entry(filled: DataFolder) -> None:
    path = backup.create(filled)
    manifest = manifest_of(path)
    assert manifest["format"] == "ccsdesk-backup/1"
    assert manifest["schema_revision"] == migrate.HEAD
    assert manifest["committee"]["name"] == "CCS de la Commune IV"
    names = {entry["name"] for entry in manifest["entries"]}
    assert names == {"ccsdesk.sqlite", "keys/cles.ccskeys", "keys/certificat.pem",
                     "keys/destinataire-age.txt", "documents/convocation-1.pdf",
                     "scans/2026/pv.jpg"}
    assert not any(name.endswith(("-wal", "-shm")) for name in names)
    info = backup.verify(path)
    assert info.entries == len(names) and info.committee_name == "CCS de la Commune IV"


def test_backup_while_another_connection_holds_a_write_transaction(
    filled: DataFolder, tmp_path: Path
) -> None:
    """A writer in the middle of a transaction neither blocks the copy nor leaks into it."""
    holding = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            connection = sqlite3.connect(filled.db_path, isolation_level=None, timeout=30)
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "INSERT INTO member (uid, last_name, first_names, name_key, sex, organisation,"
                " role, phone, email, active, created_at, updated_at) VALUES ('u-pending',"
                " 'EnCours', '', 'encours', 'M', '', 'member', '', '', 1, '2026-01-01',"
                " '2026-01-01')")
            holding.set()
            deadline = time.monotonic() + 30
            while not list(filled.backups_dir.glob("*.ccsbak")) and time.monotonic() < deadline:
                time.sleep(0.01)
            connection.execute("COMMIT")
            connection.close()
        except BaseException as error:  # reported to the test thread
            errors.append(error)
            holding.set()

    thread = threading.Thread(target=writer)
    thread.start()
    assert holding.wait(10)
    path = backup.create(filled)  # the journal entry waits for the writer, the copy did not
    thread.join(30)
    assert not errors
    restored = backup.restore(path, tmp_path / "copie", replace=False).target
    names = {row[2] for row in table_rows(restored / DB_FILE)["member"]}
    assert "EnCours" not in names and {"Traoré", "Keïta", "Diarra"} <= names
    assert "EnCours" in {row[2] for row in table_rows(filled.db_path)["member"]}


def test_keys_in_the_backup_stay_sealed(commune: DataFolder) -> None:
    secrets = keys.unlock(commune.keys_dir, PASSPHRASE)
    path = backup.create(commune)
    raw = path.read_bytes()
    contents = b"".join(entries_of(path).values())
    for blob in (raw, contents):
        assert secrets.age_identity.encode() not in blob
        assert secrets.age_identity.upper().encode() not in blob
        assert secrets.signing_key_der not in blob
        assert base64.b64encode(secrets.signing_key_der) not in blob
    assert PASSPHRASE.encode() not in raw and PASSPHRASE.encode() not in contents
    assert entries_of(path)["keys/cles.ccskeys"] == (commune.keys_dir / "cles.ccskeys").read_bytes()


def _refused(path: Path, target: Path, tmp_path: Path, error: type = InputError) -> str:
    """Restore must refuse and leave the target and its surroundings exactly as they were."""
    around = snapshot_tree(tmp_path)
    with pytest.raises(error) as caught:
        backup.restore(path, target, replace=True)
    assert snapshot_tree(tmp_path) == around
    return caught.value.message


@pytest.fixture
def good_backup(filled: DataFolder, tmp_path: Path) -> Path:
    return backup.create(filled, tmp_path / "bonne.ccsbak")


def test_truncated_backup_is_refused_before_anything_is_touched(
    filled: DataFolder, good_backup: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "tronquee.ccsbak"
    broken.write_bytes(good_backup.read_bytes()[: good_backup.stat().st_size // 2])
    filled.close()
    message = _refused(broken, filled.path, tmp_path)
    assert "n’est pas une sauvegarde de CCS Desk" in message and "incomplète" in message


def test_one_flipped_byte_is_refused(filled: DataFolder, good_backup: Path,
                                     tmp_path: Path) -> None:
    data = bytearray(good_backup.read_bytes())
    data[len(data) // 3] ^= 0x01
    broken = tmp_path / "abimee.ccsbak"
    broken.write_bytes(bytes(data))
    filled.close()
    message = _refused(broken, filled.path, tmp_path)
    assert "abîmée" in message and "somme de contrôle" in message


def test_edited_manifest_is_refused(filled: DataFolder, good_backup: Path,
                                    tmp_path: Path) -> None:
    def edit(contents: dict[str, bytes]) -> None:
        manifest = json.loads(contents["manifest.json"])
        manifest["entries"][1]["sha256"] = "0" * 64
        contents["manifest.json"] = json.dumps(manifest).encode()

    broken = rebuild(good_backup, tmp_path / "manifeste.ccsbak", change=edit, fix_manifest=False)
    message = _refused(broken, tmp_path / "nouveau", tmp_path)
    assert "ne correspond pas à sa somme de contrôle" in message


def test_swapped_member_row_with_a_recomputed_manifest_is_caught_by_content_hash(
    good_backup: Path, tmp_path: Path
) -> None:
    """Editing the database without fixing the manifest: the entry hash differs."""
    def edit(contents: dict[str, bytes]) -> None:
        change_database(contents, "UPDATE member SET last_name='Faux'", tmp_path)

    broken = rebuild(good_backup, tmp_path / "modifiee.ccsbak", change=edit, fix_manifest=False)
    message = _refused(broken, tmp_path / "nouveau", tmp_path)
    assert "« ccsdesk.sqlite »" in message


def test_foreign_zip_is_refused(tmp_path: Path) -> None:
    foreign = tmp_path / "photos.zip"
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff" + b"x" * 1000)
    message = _refused(foreign, tmp_path / "nouveau", tmp_path)
    assert "n’est pas une sauvegarde de CCS Desk" in message
    text_file = tmp_path / "notes.ccsbak"
    text_file.write_text("bonjour", encoding="utf-8")
    _refused(text_file, tmp_path / "nouveau", tmp_path)


@pytest.mark.parametrize("name", ["../evil", "keys/../../evil", "/etc/evil", "C:/evil",
                                  "..\\evil", "scans//x", "./x"])
def test_traversal_and_absolute_names_are_refused(good_backup: Path, tmp_path: Path,
                                                  name: str) -> None:
    def add(contents: dict[str, bytes]) -> None:
        contents[name] = b"pwned"

    broken = rebuild(good_backup, tmp_path / "piege.ccsbak", change=add)
    message = _refused(broken, tmp_path / "cible" / "nouveau", tmp_path)
    assert "nom interdit" in message
    assert not (tmp_path / "evil").exists() and not (tmp_path / "cible" / "evil").exists()


def test_symlink_entry_is_refused(good_backup: Path, tmp_path: Path) -> None:
    def add(contents: dict[str, bytes]) -> None:
        contents["scans/lien"] = b"/etc/passwd"

    broken = rebuild(good_backup, tmp_path / "lien.ccsbak", change=add, symlinks=("scans/lien",))
    assert "lien" in _refused(broken, tmp_path / "nouveau", tmp_path)


def test_extra_entry_not_in_the_manifest_is_refused(good_backup: Path, tmp_path: Path) -> None:
    def add(contents: dict[str, bytes]) -> None:
        contents["scans/intrus.pdf"] = b"x"

    broken = rebuild(good_backup, tmp_path / "intrus.ccsbak", change=add, fix_manifest=False)
    assert "intrus.pdf" in _refused(broken, tmp_path / "nouveau", tmp_path)


def test_oversized_declared_entry_is_refused_with_the_limit(good_backup: Path,
                                                            tmp_path: Path) -> None:
    """A central directory claiming a 4 GB file is refused before a byte is read."""
    data = bytearray(good_backup.read_bytes())
    with zipfile.ZipFile(good_backup) as archive:
        info = archive.getinfo("keys/certificat.pem")
    # Patch the uncompressed size in the central directory record of that entry.
    name = info.filename.encode()
    position = data.find(b"PK\x01\x02")
    while data[position + 46:position + 46 + len(name)] != name:
        position = data.find(b"PK\x01\x02", position + 1)
        assert position >= 0
    data[position + 24:position + 28] = (0xFFFF_FF00).to_bytes(4, "little")
    broken = tmp_path / "enorme.ccsbak"
    broken.write_bytes(bytes(data))
    # Reseal so the whole-file checksum holds and the size check itself is exercised.
    backup.seal_trailer(broken)
    message = _refused(broken, tmp_path / "nouveau", tmp_path)
    assert "2\u202f048 Mo" in message and "certificat.pem" in message


def test_newer_schema_is_refused(good_backup: Path, tmp_path: Path) -> None:
    def future(contents: dict[str, bytes]) -> None:
        change_database(contents, "UPDATE alembic_version SET version_num='9999_futur'",
                        tmp_path)
        manifest = json.loads(contents["manifest.json"])
        manifest["schema_revision"] = "9999_futur"
        contents["manifest.json"] = json.dumps(manifest).encode()

    newer = rebuild(good_backup, tmp_path / "future.ccsbak", change=future)
    message = _refused(newer, tmp_path / "nouveau", tmp_path, StorageError)
    assert "plus récente" in message and "9999_futur" in message


def test_older_schema_is_migrated_on_restore(good_backup: Path, tmp_path: Path) -> None:
    def older(contents: dict[str, bytes]) -> None:
        contents["ccsdesk.sqlite"] = SAMPLE_0001.read_bytes()
        manifest = json.loads(contents["manifest.json"])
        manifest["schema_revision"] = "0001_initial"
        contents["manifest.json"] = json.dumps(manifest).encode()

    old = rebuild(good_backup, tmp_path / "ancienne.ccsbak", change=older)
    result = backup.restore(old, tmp_path / "nouveau", replace=False)
    assert result.info.schema_revision == "0001_initial"
    reopened = DataFolder.open(result.target)
    try:
        assert migrate.current_revision(reopened.database) == migrate.HEAD
        assert {m.last_name for m in roster.list_members(reopened)} >= {"Traoré", "Keïta"}
        assert journal.verify(reopened.database).intact
    finally:
        reopened.close()


def test_restore_into_a_non_empty_folder_without_replace_is_refused(
    good_backup: Path, tmp_path: Path
) -> None:
    occupied = tmp_path / "occupe"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("à garder", encoding="utf-8")
    with pytest.raises(StateError, match="n’est pas vide"):
        backup.restore(good_backup, occupied, replace=False)
    assert snapshot_tree(occupied) == {"notes.txt": snapshot_tree(occupied)["notes.txt"]}


def test_replace_keeps_the_previous_data_aside(filled: DataFolder, tmp_path: Path) -> None:
    path = backup.create(filled)
    roster.add_member(filled, roster.MemberData(last_name="Après", sex="F"))
    later = table_rows(filled.db_path)
    filled.close()
    result = backup.restore(path, filled.path, replace=True)
    aside = result.previous_copy
    assert aside is not None and aside.name.startswith("donnees-avant-restauration-")
    assert table_rows(aside / DB_FILE)["member"] == later["member"]
    assert "Après" not in {row[2] for row in table_rows(filled.path / DB_FILE)["member"]}
    # The backups folder stays with the live data.
    assert (filled.path / "sauvegardes" / path.name).is_file()
    reopened = DataFolder.open(filled.path)
    try:
        assert journal.verify(reopened.database).intact
    finally:
        reopened.close()


def test_rotation_keeps_seven_days_and_four_weeks(commune: DataFolder) -> None:
    start = datetime(2026, 10, 1, 18, 0)
    for day in range(40):  # 1 October to 9 November 2026, one closing a day
        result = backup.automatic(commune, now=start + timedelta(days=day))
        assert result.path is not None and not result.warnings
    again = backup.automatic(commune, now=start + timedelta(days=39, hours=2))
    assert again.path is None  # already one today
    kept = sorted(p.name for p in commune.backups_dir.glob("*.ccsbak"))
    # 7 last days (3-9 Nov), plus the newest of ISO weeks 44 (1 Nov) and 43 (25 Oct);
    # weeks 45 and 46 are already covered by 8 and 9 November.
    expected = [f"ccsdesk-auto-202611{d:02d}-180000.ccsbak" for d in (1, 3, 4, 5, 6, 7, 8, 9)]
    expected.insert(0, "ccsdesk-auto-20261025-180000.ccsbak")
    assert kept == sorted(expected)
    assert backup.last_good_backup(commune) == datetime(2026, 11, 9, 18, 0)


def test_manual_backups_are_never_rotated(commune: DataFolder) -> None:
    manual = backup.create(commune, now=datetime(2026, 1, 1, 9, 0))
    for day in range(20):
        backup.automatic(commune, now=datetime(2026, 2, 1, 18, 0) + timedelta(days=day))
    assert manual.is_file()


def test_second_place_gets_a_copy_and_a_missing_stick_is_a_message(
    commune: DataFolder, tmp_path: Path
) -> None:
    stick = tmp_path / "cle-usb"
    stick.mkdir()
    settings.put(commune, backup.SECOND_PLACE_SETTING, str(stick))
    first = backup.automatic(commune, now=datetime(2026, 3, 2, 18, 0))
    assert first.copied_to is not None and first.copied_to.parent == stick
    assert first.copied_to.read_bytes() == first.path.read_bytes()  # type: ignore[union-attr]
    backup.verify(first.copied_to)

    removed = tmp_path / "cle-retiree"
    second = backup.automatic(commune, now=datetime(2026, 3, 3, 18, 0),
                              extra_destination=removed)
    assert second.path is not None and second.path.is_file()
    assert second.copied_to is None
    assert len(second.warnings) == 1 and "retiré" in second.warnings[0]
    assert not removed.exists()


def test_last_good_backup_and_age_warning(commune: DataFolder) -> None:
    assert backup.last_good_backup(commune) is None
    assert backup.is_old(None)
    backup.create(commune, now=datetime(2026, 5, 1, 10, 0))
    incomplete = commune.backups_dir / "ccsdesk-20260510-100000.ccsbak"
    incomplete.write_bytes(b"PK\x03\x04 coupee")
    assert backup.last_good_backup(commune) == datetime(2026, 5, 1, 10, 0)
    assert backup.is_old(datetime(2026, 5, 1, 10, 0), now=datetime(2026, 5, 4, 9, 0))
    assert not backup.is_old(datetime(2026, 5, 1, 10, 0), now=datetime(2026, 5, 2, 9, 0))


def test_leftovers_of_a_killed_backup_are_cleaned_when_old(commune: DataFolder) -> None:
    commune.backups_dir.mkdir()
    old_dir = commune.backups_dir / ".en-cours-abc"
    old_dir.mkdir()
    (old_dir / "ccsdesk.sqlite").write_bytes(b"x")
    old_partial = commune.backups_dir / "ccsdesk-20260101-000000.ccsbak.partial"
    old_partial.write_bytes(b"PK")
    recent = commune.backups_dir / "ccsdesk-20260102-000000.ccsbak.partial"
    recent.write_bytes(b"PK")
    long_ago = time.time() - 7 * 3600
    for item in (old_dir, old_partial):
        os.utime(item, (long_ago, long_ago))
    backup.automatic(commune)
    assert not old_dir.exists() and not old_partial.exists()
    assert recent.exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_stick_is_a_message_not_a_crash(commune: DataFolder, tmp_path: Path) -> None:
    """The copy's temporary file is made to point at /dev/full: every write says ENOSPC."""
    stick = tmp_path / "cle-pleine"
    stick.mkdir()
    moment = datetime(2026, 4, 1, 18, 0)
    (stick / "ccsdesk-auto-20260401-180000.ccsbak.partial").symlink_to("/dev/full")
    result = backup.automatic(commune, now=moment, extra_destination=stick)
    assert result.path is not None and result.path.is_file()
    assert result.copied_to is None
    assert len(result.warnings) == 1 and "plein" in result.warnings[0]
    assert sorted(p.name for p in stick.iterdir()) == []


def test_folder_names_with_spaces_accents_and_signs(tmp_path: Path) -> None:
    odd = tmp_path / "Données CCS #1  Ségou"
    folder = DataFolder.open(odd)
    try:
        roster.add_member(folder, roster.MemberData(last_name="Maïga", sex="F"))
        path = backup.create(folder)
        restored = backup.restore(path, tmp_path / "Copie #2 (Kati)", replace=False).target
    finally:
        folder.close()
    assert table_rows(restored / DB_FILE)["member"] == table_rows(odd / DB_FILE)["member"]
