"""The summary ``ccsdesk status`` prints, read with plain SQL so it can skip SQLAlchemy.

Why: on the 2-core reference machine, importing SQLAlchemy and building the ORM mapping
takes about 0.25 s, nearly the whole 0.3 s budget of a command-line call (see
``docs/decisions.md``). For the common case — the data folder's own SQLite file, at the
current schema, with its reference tables seeded — :func:`fast_status` answers with the
standard library's ``sqlite3`` in a few milliseconds. In every other case (another database,
a folder to create, migrate or seed, no committee yet, a locked or unreadable file) it returns
``None`` and the caller opens the folder the normal way and calls :func:`folder_status`,
which runs the very same queries through SQLAlchemy. One set of queries serves both paths,
so they cannot drift apart; a test compares them with the ORM services as well.

Nothing here writes: ``mode=rw`` only keeps sqlite3 from creating a missing file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccsdesk.core.storage.folder import DB_FILE, configured_url
from ccsdesk.core.storage.migrate import HEAD

if TYPE_CHECKING:
    from ccsdesk.core.storage.folder import DataFolder

# Runs one query with named parameters (``:name``, understood by sqlite3 and SQLAlchemy).
Query = Callable[[str, dict[str, Any]], Sequence[Sequence[Any]]]

BUSY_TIMEOUT_S = 15.0
_MAX_PLACE_DEPTH = 10  # country / région / cercle / commune, with room to spare


@dataclass(frozen=True)
class Status:
    """This committee's profile and counts, as ``status`` reports them."""

    uid: str
    level: str
    name: str
    place: str
    chair_title: str
    fingerprint: str
    is_demo: bool
    members: int
    active_members: int
    meetings: int
    recommendations: int
    language: str | None
    # The enrolled parent committee (exchange issue): name and fingerprint, or None.
    parent: dict[str, str] | None = None


def read(query: Query) -> Status | None:
    """The status from an up-to-date, seeded database; ``None`` when no committee is set up."""
    rows = query(
        "SELECT uid, level, name, place_id, chair_title, fingerprint, is_demo "
        "FROM committee WHERE relation = :relation",
        {"relation": "self"},
    )
    if not rows:
        return None
    uid, level, name, place_id, chair_title, fingerprint, is_demo = rows[0]
    members, active, meetings, recommendations = query(
        "SELECT count(*), coalesce(sum(CASE WHEN active THEN 1 ELSE 0 END), 0), "
        "(SELECT count(*) FROM meeting), (SELECT count(*) FROM recommendation) FROM member",
        {},
    )[0]
    language_rows = query("SELECT value FROM setting WHERE key = :key", {"key": "language"})
    parent_rows = query("SELECT uid, name, level, fingerprint FROM committee "
                        "WHERE relation = :relation", {"relation": "parent"})
    parent = None if not parent_rows else dict(
        zip(("id", "name", "level", "fingerprint"), parent_rows[0], strict=True))
    return Status(
        uid=uid, level=level, name=name, place=_place_path(query, place_id),
        chair_title=chair_title or "", fingerprint=fingerprint or "", is_demo=bool(is_demo),
        members=int(members), active_members=int(active), meetings=int(meetings),
        recommendations=int(recommendations),
        language=json.loads(language_rows[0][0]) if language_rows else None,
        parent=parent,
    )


def _place_path(query: Query, place_id: int | None) -> str:
    """``Bamako / Commune IV``: the chain below the country, as ``places.path_of`` writes it."""
    names: list[str] = []
    current = place_id
    for _step in range(_MAX_PLACE_DEPTH):
        if current is None:
            break
        rows = query("SELECT kind, name, parent_id FROM place WHERE id = :id", {"id": current})
        if not rows:
            break
        kind, name, current = rows[0]
        if kind != "country":
            names.append(name)
    return " / ".join(reversed(names))


def fast_status(path: Path) -> Status | None:
    """The status of the SQLite data folder at ``path`` without SQLAlchemy, when possible.

    ``None`` means "open the folder normally": not the folder's own SQLite file, no file
    yet, a schema that is not the current one, reference tables not seeded, no committee,
    or any SQLite error (busy, unreadable) — the normal path then reports it properly.
    """
    path = Path(path)
    db_file = path / DB_FILE
    if configured_url(path) is not None or not db_file.is_file():
        return None
    try:
        connection = sqlite3.connect(
            f"{db_file.resolve().as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S,
            isolation_level=None,
        )
    except sqlite3.Error:
        return None
    try:

        def query(sql: str, parameters: dict[str, Any]) -> list[Any]:
            return connection.execute(sql, parameters).fetchall()

        connection.execute("BEGIN")  # one snapshot for every query below
        revision = query("SELECT version_num FROM alembic_version", {})
        if not revision or revision[0][0] != HEAD:
            return None
        seeded = query(
            "SELECT EXISTS (SELECT 1 FROM place), EXISTS (SELECT 1 FROM category)", {}
        )[0]
        if not all(seeded):
            return None
        return read(query)
    except sqlite3.Error:
        return None
    finally:
        connection.close()


def folder_status(folder: DataFolder) -> Status | None:
    """The same status through the folder's opened database (any database SQLAlchemy serves)."""
    from sqlalchemy import text

    with folder.database.reading() as session:
        return read(lambda sql, parameters: session.execute(text(sql), parameters).all())
