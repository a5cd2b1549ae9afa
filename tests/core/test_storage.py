"""The storage layer on a real SQLite file: pragmas, migrations, refusals."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from ccsdesk.core.errors import StorageError
from ccsdesk.core.storage import migrate
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import Base


def test_sqlite_pragmas_protect_against_power_cuts(folder: DataFolder) -> None:
    with folder.database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrated_schema_matches_the_models(folder: DataFolder) -> None:
    with folder.database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_object": migrate.include_object},
        )
        assert compare_metadata(context, Base.metadata) == []


def test_revision_list_matches_alembic_scripts() -> None:
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
    script = ScriptDirectory.from_config(config)
    walked = [rev.revision for rev in script.walk_revisions()]
    assert list(reversed(walked)) == list(migrate.REVISIONS)
    assert script.get_current_head() == migrate.HEAD


def test_reopening_does_not_migrate_or_reseed(data_dir: Path) -> None:
    first = DataFolder.open(data_dir)
    with first.database.engine.connect() as connection:
        places = connection.exec_driver_sql("SELECT count(*) FROM place").scalar()
    first.close()
    second = DataFolder.open(data_dir)
    with second.database.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM place").scalar() == places
    second.close()
    assert not (data_dir / "sauvegardes").exists()


def test_newer_schema_is_refused_and_left_untouched(data_dir: Path) -> None:
    DataFolder.open(data_dir).close()
    db = data_dir / "ccsdesk.sqlite"
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    before = db.read_bytes()
    with pytest.raises(StorageError, match="version plus récente"):
        DataFolder.open(data_dir)
    assert db.read_bytes() == before


def test_read_only_data_folder_gets_a_clear_message(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root ignores permissions: a path below a regular file cannot be created either.
        blocker = tmp_path / "fichier"
        blocker.write_text("x")
        target = blocker / "donnees"
    else:
        target = tmp_path / "lecture-seule"
        target.mkdir()
        target.chmod(0o500)
    with pytest.raises(StorageError, match="Impossible d’écrire dans le dossier de données"):
        DataFolder.open(target)


def test_unit_of_work_rolls_back_on_error(folder: DataFolder) -> None:
    with pytest.raises(RuntimeError), folder.database.unit_of_work() as session:
        session.execute(text("INSERT INTO setting(key, value) VALUES ('x', '1')"))
        raise RuntimeError("boom")
    with folder.database.reading() as session:
        assert session.execute(text("SELECT count(*) FROM setting")).scalar() == 0


@pytest.mark.parametrize("name", ["Réunions ?mode=ro", "CCS %20 Kati", "Dossier #1"])
def test_folder_names_that_look_like_url_syntax_use_their_own_file(tmp_path: Path,
                                                                   name: str) -> None:
    folder = DataFolder.open(tmp_path / name)
    with folder.database.unit_of_work() as session:
        session.execute(text("INSERT INTO setting(key, value) VALUES ('marker', '1')"))
    folder.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    with sqlite3.connect(tmp_path / name / "ccsdesk.sqlite") as connection:
        assert connection.execute("SELECT value FROM setting WHERE key='marker'").fetchone()
