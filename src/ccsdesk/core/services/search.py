"""One search over sessions, minutes text and recommendations, accents and case ignored.

The index is the SQLite FTS5 table ``search_index`` (created by migration 0002 with
``unicode61 remove_diacritics 2``). The services that change a session, its minutes or a
recommendation call :func:`index` in the same unit of work, so the index never disagrees
with the record. Each document's rowid is derived from its kind and id, so replacing it is
a keyed delete plus an insert — cheap enough for the minutes autosave every few seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from ccsdesk.core.errors import InputError, StateError
from ccsdesk.core.i18n import _
from ccsdesk.core.storage.folder import DataFolder

MEETING = "meeting"
MINUTES = "minutes"
RECOMMENDATION = "recommendation"
_KIND_CODES = {MEETING: 0, MINUTES: 1, RECOMMENDATION: 2}
_SLOTS = 4
_WORD = re.compile(r"\w+", re.UNICODE)
DEFAULT_LIMIT = 50


def _rowid(kind: str, ref: int) -> int:
    return ref * _SLOTS + _KIND_CODES[kind]


def _enabled(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def index(session: Session, kind: str, ref: int, title: str, body: str) -> None:
    """Replace the indexed text of one document (a session, its minutes, a recommendation)."""
    if not _enabled(session):
        return
    rowid = _rowid(kind, ref)
    session.execute(text("DELETE FROM search_index WHERE rowid = :rowid"), {"rowid": rowid})
    session.execute(
        text("INSERT INTO search_index (rowid, kind, ref, title, body) "
             "VALUES (:rowid, :kind, :ref, :title, :body)"),
        {"rowid": rowid, "kind": kind, "ref": ref, "title": title, "body": body},
    )


def remove(session: Session, kind: str, ref: int) -> None:
    if _enabled(session):
        session.execute(text("DELETE FROM search_index WHERE rowid = :rowid"),
                        {"rowid": _rowid(kind, ref)})


@dataclass(frozen=True)
class Hit:
    """One result: what it is (``kind``), its id (``ref``: meeting or recommendation id)."""

    kind: str
    ref: int
    title: str
    snippet: str


def fts_query(query: str) -> str:
    """The FTS5 expression for words typed by a person: every word, as a prefix.

    Words are quoted so that FTS5 operators (AND, NEAR, ``*``, quotes) typed by a user are
    treated as plain text instead of raising a syntax error.
    """
    words = _WORD.findall(query)
    if not words:
        raise InputError(_("Type at least one word to search for."))
    return " ".join(f'"{word}"*' for word in words)


def search(folder: DataFolder, query: str, limit: int = DEFAULT_LIMIT) -> list[Hit]:
    """Sessions, minutes and recommendations matching every word of ``query``, best first."""
    expression = fts_query(query)
    with folder.database.reading() as session:
        if not _enabled(session):
            raise StateError(_("Search needs the SQLite database of a data folder."))
        rows = session.execute(
            text("SELECT kind, ref, title, snippet(search_index, 3, '[', ']', '…', 12) "
                 "FROM search_index WHERE search_index MATCH :query "
                 "ORDER BY rank LIMIT :limit"),
            {"query": expression, "limit": limit},
        ).all()
    return [Hit(kind, int(ref), title, snippet) for kind, ref, title, snippet in rows]
