"""Bringing a database to the schema this program expects.

Opening a data folder must stay fast (the command line targets 0.3 s), so the current
revision is read with one query and Alembic is imported only when a migration is due.
``REVISIONS`` lists every released revision in order; a test checks it against Alembic.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ccsdesk.core.errors import StorageError
from ccsdesk.core.i18n import _

if TYPE_CHECKING:  # SQLAlchemy is imported by the functions, so ``HEAD`` costs nothing to read
    from ccsdesk.core.storage.database import Database

REVISIONS: tuple[str, ...] = ("0001_initial", "0002_sessions", "0004_exchange",
                              "0005_journal_segments", "0006_step_decider", "0007_pv_snapshot")
HEAD = REVISIONS[-1]
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


# Tables that are not models: the FTS5 search index and the shadow tables SQLite makes for it
# (search_index_data, _idx, _content, _docsize, _config). Autogenerate must neither drop
# them nor report them as differences.
NON_MODEL_TABLE_PREFIX = "search_index"


def include_object(obj: object, name: str | None, type_: str, reflected: bool,
                   compare_to: object) -> bool:
    """Alembic ``include_object`` hook: leave the FTS5 tables out of model comparisons."""
    return not (type_ == "table" and name is not None
                and name.startswith(NON_MODEL_TABLE_PREFIX))


def current_revision(database: Database) -> str | None:
    from sqlalchemy import inspect, text

    # A read transaction: opening a folder must not queue behind a writer (see database.py).
    with database.engine.execution_options(readonly=True).connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def pending(database: Database) -> tuple[str | None, bool]:
    """The database's revision and whether it must be upgraded; refuses newer schemas."""
    revision = current_revision(database)
    if revision == HEAD:
        return revision, False
    if revision is not None and revision not in REVISIONS:
        raise StorageError(
            _(
                "This data was written by a newer version of CCS Desk (schema {revision}). "
                "Install that version or a later one; nothing was changed."
            ).format(revision=revision)
        )
    return revision, True


def upgrade(database: Database) -> None:
    """Apply every missing migration in one go."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
