"""Write a new Alembic revision by comparing the models with a database at the current head.

Usage: python scripts/new_migration.py REVISION_ID "message"
Then add REVISION_ID to ``REVISIONS`` in ``ccsdesk/core/storage/migrate.py``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config

from ccsdesk.core.storage import migrate
from ccsdesk.core.storage.database import Database, sqlite_file_url


def main() -> None:
    revision_id, message = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(sqlite_file_url(Path(tmp) / "head.sqlite"))
        if migrate.REVISIONS and any(migrate.MIGRATIONS_DIR.glob("versions/0*.py")):
            migrate.upgrade(database)
        config = Config()
        config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.revision(config, message=message, autogenerate=True, rev_id=revision_id)
        database.dispose()


if __name__ == "__main__":
    main()
