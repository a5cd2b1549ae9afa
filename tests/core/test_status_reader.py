"""The SQLAlchemy-free status reader agrees with the services and steps aside when unsure."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from ccsdesk.cli import committee_commands, places_commands
from ccsdesk.core.services import committee, demo, places, reference, settings
from ccsdesk.core.services import status as status_reader
from ccsdesk.core.storage.folder import CONFIG_FILE, DataFolder
from tests.conftest import PASSPHRASE


def test_fast_and_normal_paths_agree_with_the_services(folder: DataFolder) -> None:
    demo.populate(folder, PASSPHRASE, today=date(2026, 11, 22))
    fast = status_reader.fast_status(folder.path)
    normal = status_reader.folder_status(folder)
    assert fast is not None
    assert fast == normal
    profile, counts = committee.require_profile(folder), committee.counts(folder)
    assert (fast.uid, fast.level, fast.name, fast.place, fast.chair_title, fast.fingerprint,
            fast.is_demo) == (profile.uid, profile.level, profile.name, profile.place,
                              profile.chair_title, profile.fingerprint, profile.is_demo)
    assert (fast.members, fast.active_members, fast.meetings, fast.recommendations) == (
        counts.members, counts.active_members, counts.meetings, counts.recommendations)
    assert (fast.members, fast.active_members) == (23, 22)
    assert fast.place == "Bamako / Commune IV"
    assert fast.language is None
    settings.put(folder, settings.LANGUAGE, "en")
    assert status_reader.fast_status(folder.path).language == "en"  # type: ignore[union-attr]


def test_steps_aside_without_a_committee_or_a_file(folder: DataFolder, tmp_path: Path) -> None:
    assert status_reader.fast_status(folder.path) is None  # opened, seeded, no committee
    assert status_reader.folder_status(folder) is None
    assert status_reader.fast_status(tmp_path / "absent") is None
    assert not (tmp_path / "absent").exists()  # nothing created


@pytest.mark.parametrize("name", ["Réunions ?mode=ro", "CCS %20 Kati", "Dossier #1"])
def test_folder_names_that_look_like_url_syntax(tmp_path: Path, name: str) -> None:
    opened = DataFolder.open(tmp_path / name)
    try:
        committee.initialize(opened, level="commune", name="CCS", place="Commune IV",
                             passphrase=PASSPHRASE)
        found = status_reader.fast_status(opened.path)
        assert found is not None and found == status_reader.folder_status(opened)
    finally:
        opened.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_steps_aside_on_an_older_schema(commune: DataFolder) -> None:
    assert status_reader.fast_status(commune.path) is not None
    with sqlite3.connect(commune.db_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0001_initial'")
    assert status_reader.fast_status(commune.path) is None


def test_steps_aside_for_another_database_url(commune: DataFolder,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCSDESK_DATABASE_URL", "postgresql+psycopg://ccs@localhost/ccs")
    assert status_reader.fast_status(commune.path) is None
    monkeypatch.delenv("CCSDESK_DATABASE_URL")
    (commune.path / CONFIG_FILE).write_text(
        json.dumps({"database_url": "sqlite:////elsewhere/ccs.sqlite"}), encoding="utf-8"
    )
    assert status_reader.fast_status(commune.path) is None


def test_steps_aside_when_reference_tables_are_empty(commune: DataFolder) -> None:
    with commune.database.unit_of_work() as session:
        session.execute(text("DELETE FROM category"))
    assert not reference.is_seeded(commune.database)
    assert status_reader.fast_status(commune.path) is None
    reference.seed_if_empty(commune.database)
    assert reference.is_seeded(commune.database)
    assert status_reader.fast_status(commune.path) is not None


def test_status_follows_the_folder_language(cli, commune: DataFolder) -> None:  # type: ignore[no-untyped-def]
    assert "Niveau : commune" in cli("status").out
    settings.put(commune, settings.LANGUAGE, "en")
    assert "Level: commune" in cli("status").out


def test_cli_tables_match_the_services() -> None:
    assert committee_commands.LEVELS == committee.LEVELS
    assert tuple(places.PARENT_KINDS) == places_commands.ADDABLE_KINDS


def test_status_path_does_not_load_sqlalchemy(commune: DataFolder) -> None:
    """The part of ``ccsdesk status`` this module owns stays on the standard library."""
    script = (
        "import argparse, sys\n"
        "from ccsdesk.cli import committee_commands\n"
        "from ccsdesk.cli.context import Context\n"
        "parser = argparse.ArgumentParser()\n"
        "parser.add_argument('--data-dir'); parser.add_argument('--json', action='store_true')\n"
        "committee_commands.register(parser.add_subparsers(dest='command'))\n"
        f"args = parser.parse_args(['--data-dir', {str(commune.path)!r}, '--json', 'status'])\n"
        "code = args.handler(Context(args), args)\n"
        "print('sqlalchemy' in sys.modules, file=sys.stderr)\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               timeout=60, check=True)
    assert json.loads(completed.stdout)["committee"]["place"] == "Bamako / Commune IV"
    assert completed.stderr.strip() == "False"


def test_opening_and_status_do_not_wait_for_a_writer(commune: DataFolder) -> None:
    """A script's ``status`` must not queue behind a long write (e.g. a big import).

    Opening a folder used to take the write lock to check the reference tables; in WAL mode
    readers never wait, so with a writer holding the lock both calls return at once (the
    busy timeout they would otherwise wait is 15 s).
    """
    import time as clock

    writer = sqlite3.connect(commune.db_path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE member SET phone = phone")
        start = clock.monotonic()
        assert status_reader.fast_status(commune.path) is not None
        DataFolder.open(commune.path).close()
        assert clock.monotonic() - start < 5
    finally:
        writer.execute("ROLLBACK")
        writer.close()
