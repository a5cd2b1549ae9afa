"""A committee's data folder: the database, the keys, the backups, the settings file.

Opening a folder creates it when needed, checks it can be written, migrates the database
(keeping a copy first when an older schema is upgraded) and seeds the reference tables.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ccsdesk.core.errors import StorageError
from ccsdesk.core.i18n import _

if TYPE_CHECKING:  # SQLAlchemy is imported on open, so reading a path here stays cheap
    from ccsdesk.core.storage.database import Database

DB_FILE = "ccsdesk.sqlite"
CONFIG_FILE = "config.json"
CONFIG_FORMAT = "ccsdesk-config/1"


class DataFolder:
    """An opened data folder. Attributes: ``path``, ``portable``, ``database``."""

    def __init__(self, path: Path, database: Database, portable: bool = False) -> None:
        self.path = path
        self.database = database
        self.portable = portable

    @property
    def keys_dir(self) -> Path:
        return self.path / "keys"

    @property
    def backups_dir(self) -> Path:
        return self.path / "sauvegardes"

    @property
    def db_path(self) -> Path:
        return self.path / DB_FILE

    @classmethod
    def open(cls, path: Path, *, portable: bool = False) -> DataFolder:
        from ccsdesk.core.storage import migrate
        from ccsdesk.core.storage.database import Database, sqlite_file_url

        path = Path(path)
        _ensure_writable(path)
        url = configured_url(path)
        database = Database(url if url else sqlite_file_url(path / DB_FILE))
        try:
            revision, due = migrate.pending(database)
            if due:
                if revision is not None and url is None:
                    _copy_before_upgrade(path / DB_FILE, path / "sauvegardes", revision)
                migrate.upgrade(database)
            from ccsdesk.core.services import reference

            reference.seed_if_empty(database)
        except BaseException:
            database.dispose()
            raise
        return cls(path, database, portable)

    def close(self) -> None:
        self.database.dispose()


def configured_url(path: Path) -> str | None:
    """``CCSDESK_DATABASE_URL``, else the folder's config file; ``None`` means the folder's
    own SQLite file, which is the usual case."""
    url = os.environ.get("CCSDESK_DATABASE_URL")
    if url:
        return url
    config = path / CONFIG_FILE
    if config.is_file():
        try:
            data = json.loads(config.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise StorageError(
                _("The settings file {file} cannot be read: {reason}").format(
                    file=config, reason=error
                )
            ) from error
        if data.get("database_url"):
            return str(data["database_url"])
    return None


def _ensure_writable(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as error:
        raise StorageError(
            _("The data folder {folder} cannot be written to ({reason}). "
              "Choose another folder or ask for write access.").format(
                folder=path, reason=error.strerror or error
            )
        ) from error


def _copy_before_upgrade(db_file: Path, backups: Path, revision: str) -> Path:
    """A consistent copy of the database, taken before a migration changes it."""
    backups.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = backups / f"avant-mise-a-jour-{revision}-{stamp}.sqlite"
    partial = target.with_suffix(".partial")
    source = sqlite3.connect(db_file)
    try:
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    shutil.move(partial, target)
    return target
