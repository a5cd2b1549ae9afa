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

from ccsdesk.core.errors import InputError
from ccsdesk.core.i18n import N_, _
from ccsdesk.core.storage.database import Database
from ccsdesk.core.storage.models import JournalEntry

GENESIS = "0" * 64

# Short words for each action code, for the window and ``journal list`` (codes stay in the
# chain: they are what was hashed).
ACTION_LABELS: dict[str, str] = {
    "agenda.add": N_("Agenda item added"), "agenda.edit": N_("Agenda item changed"),
    "agenda.move": N_("Agenda item moved"), "agenda.remove": N_("Agenda item removed"),
    "attendance.set": N_("Attendance recorded"), "backup.create": N_("Backup made"),
    "backup.restore": N_("Backup restored"), "category.add": N_("Category added"),
    "category.rename": N_("Category renamed"), "committee.enrol": N_("Committee enrolled"),
    "committee.init": N_("Committee set up"), "committee.update": N_("Committee changed"),
    "convocation.prepare": N_("Convocations prepared"),
    "convocation.sent": N_("Convocations sent"), "exchange.receive": N_("Archive received"),
    "exchange.send": N_("Archive sent"), "exchange.session": N_("Session received"),
    "guest.add": N_("Guest added"), "guest.attendance": N_("Guest attendance recorded"),
    "keys.backup": N_("Keys backed up"), "keys.passphrase_change": N_("Passphrase changed"),
    "mail.settings": N_("E-mail settings changed"),
    "meeting.create": N_("Session created"), "meeting.update": N_("Session changed"),
    "meeting.second_convocation": N_("Second convocation"),
    "member.activate": N_("Member reactivated or deactivated"),
    "member.add": N_("Member added"), "member.delete": N_("Member deleted"),
    "member.update": N_("Member changed"), "members.export": N_("Members exported"),
    "members.import": N_("Members imported"), "minutes.adopt": N_("Minutes adopted"),
    "minutes.correct": N_("Minutes corrected"), "minutes.save": N_("Minutes saved"),
    "minutes.sign": N_("Minutes signed"), "place.add": N_("Place added"),
    "place.rename": N_("Place renamed"), "scan.attach": N_("Scanned minutes attached"),
    "recommendation.add": N_("Recommendation added"),
    "recommendation.status": N_("Recommendation status changed"),
    "recommendation.update": N_("Recommendation changed"), "theme.add": N_("Theme added"),
    "theme.rename": N_("Theme renamed"),
}


def action_label(action: str) -> str:
    """The action in plain words (the code itself when this version does not know it)."""
    label = ACTION_LABELS.get(action)
    return _(label) if label else action


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


# --- Reading in slices (the window's view, ``journal list``) ------------------------------


@dataclass(frozen=True)
class EntryView:
    """One entry as lists show it (details still the JSON text that was hashed)."""

    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    details: str


def _matching(text: str):  # type: ignore[no-untyped-def]
    """The SQL condition for a search text: every word in the action, subject, who or details."""
    from sqlalchemy import and_, or_

    from ccsdesk.core.text import fold_key

    words = [w for w in text.split() if w]
    conditions = []
    for word in words:
        # A word of an action's French label finds its code too ("membre" → member.add).
        codes = [code for code in ACTION_LABELS
                 if fold_key(word) in fold_key(action_label(code))]
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = "%" + escaped + "%"
        conditions.append(or_(*(column.ilike(pattern, escape="\\") for column in (
            JournalEntry.action, JournalEntry.subject, JournalEntry.actor,
            JournalEntry.details)), JournalEntry.action.in_(codes)))
    return and_(*conditions) if conditions else None


def count(database: Database, search: str = "") -> int:
    """How many entries match ``search`` (all with an empty search)."""
    from sqlalchemy import func

    query = select(func.count()).select_from(JournalEntry)
    condition = _matching(search)
    if condition is not None:
        query = query.where(condition)
    with database.reading() as session:
        return session.scalar(query) or 0


def page(database: Database, offset: int, limit: int, search: str = "") -> list[EntryView]:
    """``limit`` entries newest first from ``offset``: lists read the journal in slices."""
    query = select(JournalEntry.id, JournalEntry.at, JournalEntry.actor, JournalEntry.action,
                   JournalEntry.subject, JournalEntry.details)
    condition = _matching(search)
    if condition is not None:
        query = query.where(condition)
    query = query.order_by(JournalEntry.id.desc()).offset(offset).limit(limit)
    with database.reading() as session:
        return [EntryView(*row) for row in session.execute(query)]


def position_of(database: Database, entry_id: int, search: str = "") -> int | None:
    """The row of entry ``entry_id`` in the newest-first list (None if filtered out)."""
    from sqlalchemy import func

    with database.reading() as session:
        query = select(func.count()).select_from(JournalEntry).where(JournalEntry.id > entry_id)
        condition = _matching(search)
        if condition is not None:
            if not session.scalar(select(func.count()).select_from(JournalEntry).where(
                    JournalEntry.id == entry_id, condition)):
                return None
            query = query.where(condition)
        return session.scalar(query) or 0


# --- Segments travelling in exchange archives ---------------------------------------------

SEGMENT_FORMAT = "ccsdesk-journal/1"
MAX_SEGMENT_ENTRIES = 200_000


def segment(session: Session, after_id: int) -> dict[str, Any] | None:
    """Our entries after ``after_id`` as a ``ccsdesk-journal/1`` document (None if none)."""
    rows = list(session.scalars(select(JournalEntry).where(JournalEntry.id > after_id)
                                .order_by(JournalEntry.id)))
    if not rows:
        return None
    return {"format": SEGMENT_FORMAT, "entries": [
        {"id": r.id, "at": r.at.isoformat(timespec="microseconds"), "actor": r.actor,
         "action": r.action, "subject": r.subject, "details": r.details,
         "prev_hash": r.prev_hash, "hash": r.hash} for r in rows]}


def _segment_refused(name: str, entry: object, reason: str) -> InputError:
    return InputError(_("The journal of « {name} » in this archive is broken at its entry "
                        "{id}: {reason}; nothing was imported.").format(
                            name=name, id=entry, reason=reason))


def check_segment(session: Session, document: dict[str, Any], origin_uid: str,
                  origin_name: str, archive_id: int, *, keep: bool = True) -> int:
    """Check a received segment against what we hold of that committee's chain, keep it.

    Every entry's hash must recompute and link to the one before; the first new entry must
    link to the last one received from that committee (the genesis hash the first time).
    Entries already received (a segment that was not yet acknowledged is sent again) must
    be the very same. Raises ``InputError`` (the caller's transaction is rolled back);
    returns the number of new entries. ``keep=False`` only checks (``verify FILE``, from a
    read transaction): the same walk, nothing stored.
    """
    from sqlalchemy import func

    from ccsdesk.core.storage.models import ReceivedJournalEntry

    name = origin_name[:200]
    entries = document.get("entries") if document.get("format") == SEGMENT_FORMAT else None
    if not isinstance(entries, list) or len(entries) > MAX_SEGMENT_ENTRIES:
        raise InputError(_("The journal of « {name} » in this archive cannot be read; nothing "
                           "was imported.").format(name=name))
    last = session.scalars(select(ReceivedJournalEntry).where(
        ReceivedJournalEntry.origin_uid == origin_uid).order_by(
            ReceivedJournalEntry.entry_id.desc()).limit(1)).first()
    last_id, prev = (last.entry_id, last.hash) if last else (0, GENESIS)
    first_held = session.scalar(select(func.min(ReceivedJournalEntry.entry_id)).where(
        ReceivedJournalEntry.origin_uid == origin_uid))
    # What we hold of the overlap, read in one query (an unacknowledged segment is sent
    # again whole, and may be tens of thousands of entries the first time).
    held_hashes: dict[int, str] = dict(session.execute(
        select(ReceivedJournalEntry.entry_id, ReceivedJournalEntry.hash).where(
            ReceivedJournalEntry.origin_uid == origin_uid)).all()) if last is not None else {}
    previous_id = None
    added = 0
    for item in entries:
        try:
            entry_id = int(item["id"])
            at = datetime.fromisoformat(str(item["at"]))
            fields = [str(item[k]) for k in ("actor", "action", "subject", "details",
                                             "prev_hash", "hash")]
        except (KeyError, TypeError, ValueError):
            raise _segment_refused(name, str(item)[:20] if not isinstance(item, dict)
                                   else str(item.get("id", "?"))[:20],
                                   _("it cannot be read")) from None
        actor, action, subject, details, prev_hash, digest = fields
        if previous_id is not None and entry_id <= previous_id:
            raise _segment_refused(name, entry_id, _("the entries are not in order"))
        previous_id = entry_id
        if _digest(at, actor, action, subject, details, prev_hash) != digest:
            raise _segment_refused(name, entry_id,
                                   _("its content was changed after it was written"))
        if entry_id <= last_id:
            held = held_hashes.get(entry_id)
            if held is None and first_held is not None and entry_id < first_held:
                continue  # before the first segment we hold: nothing to compare with
            if held != digest:
                raise _segment_refused(name, entry_id,
                                       _("it differs from the entry received before"))
            continue
        if prev_hash != prev:
            raise _segment_refused(
                name, entry_id,
                _("it does not continue the journal received before") if added == 0
                and last is not None else _("its link to the previous entry does not match"))
        if len(actor) > 120 or len(action) > 60 or len(subject) > 120:
            raise _segment_refused(name, entry_id, _("it cannot be read"))
        if keep:
            session.add(ReceivedJournalEntry(
                origin_uid=origin_uid, origin_name=name, archive_id=archive_id,
                entry_id=entry_id, at=at, actor=actor, action=action, subject=subject,
                details=details, prev_hash=prev_hash, hash=digest))
        prev, last_id = digest, entry_id
        added += 1
    if keep:
        session.flush()
    return added


@dataclass(frozen=True)
class ReceivedJournal:
    """What we hold of another committee's journal: how many entries and whether intact.

    ``entries`` counts every entry held; ``report.entries`` those checked before a break.
    """

    origin_uid: str
    origin_name: str
    entries: int
    last_at: datetime | None
    report: ChainReport


def received_counts(database: Database) -> list[tuple[str, str, int]]:
    """(uid, name, entries) per committee whose journal reached us: one grouped query,
    cheap enough for the GUI thread (each segment was checked when it arrived)."""
    from sqlalchemy import func

    from ccsdesk.core.storage.models import ReceivedJournalEntry

    with database.reading() as session:
        rows = session.execute(
            select(ReceivedJournalEntry.origin_uid, func.max(ReceivedJournalEntry.origin_name),
                   func.count()).group_by(ReceivedJournalEntry.origin_uid)).all()
    return sorted(((uid, name, count_) for uid, name, count_ in rows), key=lambda r: r[1])


def received_journals(database: Database) -> list[ReceivedJournal]:
    """Each committee whose journal reached us, its chain walked again from what we hold."""
    from ccsdesk.core.storage.models import ReceivedJournalEntry

    result = []
    with database.reading() as session:
        uids = list(session.scalars(select(ReceivedJournalEntry.origin_uid).distinct()))
        for uid in uids:
            prev: str | None = None
            count_ = held = 0
            broken: tuple[int, str] | None = None
            name, last_at = "", None
            for row in session.scalars(select(ReceivedJournalEntry).where(
                    ReceivedJournalEntry.origin_uid == uid).order_by(
                        ReceivedJournalEntry.entry_id)):
                name, last_at = row.origin_name, row.at
                held += 1
                if broken is not None:
                    continue
                if prev is not None and row.prev_hash != prev:
                    broken = (row.entry_id, "previous-hash")
                elif _digest(row.at, row.actor, row.action, row.subject, row.details,
                             row.prev_hash) != row.hash:
                    broken = (row.entry_id, "content")
                else:
                    prev = row.hash
                    count_ += 1
            report = ChainReport(count_, broken[0] if broken else None,
                                 broken[1] if broken else None)
            result.append(ReceivedJournal(uid, name, held, last_at,
                                          report))
    return sorted(result, key=lambda j: j.origin_name)
