"""Upgrades: a database written by each released schema opens in this version, intact.

``tests/data/schemas/`` keeps one small database per released schema, written by the released
code itself (``scripts/make_schema_sample.py --git-ref``). Opening a copy must migrate it to the
current head after taking a backup copy, keep every member, the committee and an intact
journal; a database from a newer program must be refused and left byte for byte as it was.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from ccsdesk.core.errors import StorageError
from ccsdesk.core.services import committee, journal, roster
from ccsdesk.core.storage import migrate
from ccsdesk.core.storage.folder import DB_FILE, DataFolder

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "schemas"
SAMPLES = sorted(SAMPLES_DIR.glob("*.sqlite"))

# What scripts/make_schema_sample.py puts in every sample.
EXPECTED_MEMBERS = {
    ("Traoré", "Awa", "F", "president", True),
    ("Keïta", "Moussa", "M", "secretary", True),
    ("Coulibaly", "Fatoumata", "F", "member", True),
    ("Diarra", "Seydou", "M", "member", False),
}


# ``immutable=1``: reading a kept sample must not create -wal/-shm files beside it.
def _revision(db: Path) -> str:
    connection = sqlite3.connect(f"file:{db}?immutable=1", uri=True)
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        connection.close()


def _member_rows(db: Path) -> set[tuple]:
    connection = sqlite3.connect(f"file:{db}?immutable=1", uri=True)
    try:
        return set(connection.execute(
            "SELECT last_name, first_names, sex, role, active FROM member"
        ).fetchall())
    finally:
        connection.close()


def _install(sample: Path, data_dir: Path) -> Path:
    data_dir.mkdir(parents=True)
    target = data_dir / DB_FILE
    shutil.copyfile(sample, target)
    return target


def test_samples_are_named_after_released_revisions() -> None:
    assert SAMPLES, f"no sample database in {SAMPLES_DIR}"
    assert (SAMPLES_DIR / f"{migrate.REVISIONS[0]}.sqlite").is_file()
    for sample in SAMPLES:
        assert sample.stem in migrate.REVISIONS, f"{sample.name}: unknown revision"
        assert _revision(sample) == sample.stem, f"{sample.name} holds another schema"


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.stem for s in SAMPLES])
def test_sample_upgrades_to_head_and_keeps_the_data(sample: Path, data_dir: Path) -> None:
    db = _install(sample, data_dir)
    before_rows = _member_rows(db)
    assert {(*row[:4], bool(row[4])) for row in before_rows} == EXPECTED_MEMBERS

    folder = DataFolder.open(data_dir)
    try:
        assert migrate.current_revision(folder.database) == migrate.HEAD
        members = {(m.last_name, m.first_names, m.sex, m.role, m.active)
                   for m in roster.list_members(folder)}
        assert members == EXPECTED_MEMBERS
        profile = committee.require_profile(folder)
        assert (profile.name, profile.level) == ("CCS de la Commune IV", "commune")
        report = journal.verify(folder.database)
        assert report.intact, report.reason
        assert report.entries >= 1 + len(EXPECTED_MEMBERS)
        # The upgraded database is usable: a change after the upgrade is recorded too.
        roster.add_member(folder, roster.MemberData(last_name="Sangaré", sex="F"))
        assert len(roster.list_members(folder)) == len(EXPECTED_MEMBERS) + 1
    finally:
        folder.close()

    backups = sorted((data_dir / "sauvegardes").glob("avant-mise-a-jour-*.sqlite"))
    if sample.stem == migrate.HEAD:
        assert backups == [], "a database already at head needs no upgrade and no backup"
        return
    assert len(backups) == 1, backups
    assert backups[0].name.startswith(f"avant-mise-a-jour-{sample.stem}-")
    # The backup is the database as it was before the upgrade, not a half-migrated one.
    assert _revision(backups[0]) == sample.stem
    assert _member_rows(backups[0]) == before_rows
    assert not list((data_dir / "sauvegardes").glob("*.partial"))


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.stem for s in SAMPLES])
def test_upgraded_folder_reopens_without_a_second_backup(sample: Path, data_dir: Path) -> None:
    _install(sample, data_dir)
    DataFolder.open(data_dir).close()
    backups = set((data_dir / "sauvegardes").glob("*")) if (data_dir / "sauvegardes").exists() \
        else set()
    again = DataFolder.open(data_dir)
    again.close()
    after = set((data_dir / "sauvegardes").glob("*")) if (data_dir / "sauvegardes").exists() \
        else set()
    assert after == backups


def test_database_from_a_newer_program_is_refused_untouched(data_dir: Path, cli) -> None:
    db = _install(SAMPLES_DIR / f"{migrate.REVISIONS[0]}.sqlite", data_dir)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    connection.close()
    before = db.read_bytes()

    with pytest.raises(StorageError, match="version plus récente") as refused:
        DataFolder.open(data_dir)
    assert "9999_future" in refused.value.message
    result = cli("status")
    assert result.code == 1
    assert "version plus récente de CCS Desk" in result.err
    assert "rien n’a été modifié" in result.err.lower() or "rien n'a été modifié" in result.err

    assert db.read_bytes() == before
    assert not (data_dir / "sauvegardes").exists()
    assert sorted(p.name for p in data_dir.iterdir()) == [DB_FILE]
