"""The hash-chained journal of changes to the record.

Each change appends an entry holding who, when, what, and the previous entry's hash, inside
the same transaction as the change itself, so the journal and the data cannot disagree.
Rewriting or deleting an entry breaks every later link, which ``verify`` reports.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccsdesk.core.storage.database import Database
from ccsdesk.core.storage.models import JournalEntry

GENESIS = "0" * 64


def _actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"


def _digest(at: datetime, actor: str, action: str, subject: str, details: str, prev: str) -> str:
    payload = json.dumps(
        [at.isoformat(timespec="microseconds"), actor, action, subject, details, prev],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(session: Session, action: str, subject: str, details: dict[str, Any]) -> JournalEntry:
    """Append one entry for a change made in ``session`` (same transaction)."""
    last = session.scalar(select(JournalEntry.hash).order_by(JournalEntry.id.desc()).limit(1))
    prev = last or GENESIS
    at = datetime.now().replace(tzinfo=None)
    actor = _actor()
    text = json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)
    entry = JournalEntry(
        at=at, actor=actor, action=action, subject=subject, details=text, prev_hash=prev,
        hash=_digest(at, actor, action, subject, text, prev),
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking the chain: entries checked and the first broken one, if any."""

    entries: int
    broken_at: int | None
    reason: str | None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(database: Database) -> ChainReport:
    """Walk the chain from the first entry and stop at the first link that does not hold."""
    prev = GENESIS
    count = 0
    with database.reading() as session:
        for entry in session.scalars(select(JournalEntry).order_by(JournalEntry.id)):
            if entry.prev_hash != prev:
                return ChainReport(count, entry.id, "previous-hash")
            expected = _digest(entry.at, entry.actor, entry.action, entry.subject,
                               entry.details, entry.prev_hash)
            if expected != entry.hash:
                return ChainReport(count, entry.id, "content")
            prev = entry.hash
            count += 1
    return ChainReport(count, None, None)
