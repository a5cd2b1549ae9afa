"""The procès-verbal: text per agenda item, autosave, adoption, signing, corrections.

Power cuts are frequent, so :func:`save_draft` is meant to be called every few seconds while
the secretary types: one short transaction (WAL, ``synchronous=FULL``) that writes only what
changed. Two windows on the same minutes must not overwrite each other, so every save
carries the ``revision`` it started from and is refused when another save came in between.

Once signed, a version is frozen — here, and below us by SQLite triggers (migration 0002) —
and a correction is a new version with its reason; earlier versions stay readable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccsdesk.core.errors import InputError, NotFoundError, StateError
from ccsdesk.core.i18n import N_, _
from ccsdesk.core.services import committee, journal, meetings, search
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import AgendaItem, Meeting, Member, Minutes, MinutesItem
from ccsdesk.core.storage.models import MinutesVersion as Version

STATES: dict[str, str] = {"draft": N_("draft"), "adopted": N_("adopted"),
                          "signed": N_("signed")}


@dataclass(frozen=True)
class ItemText:
    position: int
    agenda_item_id: int
    title: str
    text: str


@dataclass(frozen=True)
class MinutesInfo:
    """One version of a session's minutes, as the editor and the documents read it."""

    meeting_id: int
    number: int
    state: str
    revision: int
    opening: str
    items: tuple[ItemText, ...]
    divers: str
    closing_time: str
    reason: str
    adopted_at: datetime | None
    signer: str
    signed_at: datetime | None
    text_hash: str
    versions: int

    def item(self, position: int) -> ItemText:
        for item in self.items:
            if item.position == position:
                return item
        raise NotFoundError(_("There is no agenda item {position}.").format(position=position))


def _frozen_message(state: str) -> str:
    if state == "signed":
        return _("These minutes are signed and can no longer be changed. To correct them, "
                 "make a new version with the reason for the correction. Nothing changed.")
    return _("These minutes are adopted and can no longer be edited. To correct them, make a "
             "new version with the reason for the correction. Nothing changed.")


def _minutes(session: Session, meeting_id: int) -> Minutes | None:
    return session.scalar(select(Minutes).where(Minutes.meeting_id == meeting_id))


def _version(session: Session, minutes: Minutes, number: int | None = None) -> Version:
    wanted = minutes.current_version if number is None else number
    version = session.scalar(select(Version).where(Version.minutes_id == minutes.id,
                                                   Version.number == wanted))
    if version is None:
        raise NotFoundError(_("These minutes have no version {number}.").format(number=wanted))
    return version


def current_state(session: Session, meeting_id: int) -> str | None:
    """The state of the session's current minutes version (``draft``, ``adopted``,
    ``signed``), or None before any is written: what other services check before changing
    something the PV records."""
    minutes = _minutes(session, meeting_id)
    return None if minutes is None else _version(session, minutes).state


def _texts(session: Session, version_id: int | None) -> dict[int, str]:
    if version_id is None:
        return {}
    return dict(session.execute(select(MinutesItem.agenda_item_id, MinutesItem.text)
                                .where(MinutesItem.version_id == version_id)).all())


def _info(session: Session, meeting: Meeting, minutes: Minutes | None,
          version: Version | None) -> MinutesInfo:
    texts = _texts(session, version.id if version else None)
    agenda = session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                             .order_by(AgendaItem.position))
    items = tuple(ItemText(a.position, a.id, a.title, texts.get(a.id, "")) for a in agenda)
    if version is None:
        return MinutesInfo(meeting.id, 1, "draft", 0, "", items, "", "", "", None, "", None,
                           "", 0)
    return MinutesInfo(
        meeting_id=meeting.id, number=version.number, state=version.state,
        revision=version.revision, opening=version.opening, items=items,
        divers=version.divers, closing_time=version.closing_time, reason=version.reason,
        adopted_at=version.adopted_at, signer=version.signer, signed_at=version.signed_at,
        text_hash=version.text_hash, versions=minutes.current_version if minutes else 0,
    )


def get_minutes(folder: DataFolder, meeting_id: int, version: int | None = None) -> MinutesInfo:
    """The current version (or ``version``); an empty draft at revision 0 before any save."""
    with folder.database.reading() as session:
        meeting = meetings.get_row(session, meeting_id)
        minutes = _minutes(session, meeting.id)
        if minutes is None:
            if version not in (None, 1):
                raise NotFoundError(_("These minutes have no version {number}.").format(
                    number=version))
            return _info(session, meeting, None, None)
        return _info(session, meeting, minutes, _version(session, minutes, version))


def _full_text(info_items: list[tuple[str, str]], opening: str, divers: str) -> str:
    return "\n".join([opening, *(f"{title}\n{text}" for title, text in info_items), divers])


def _reindex(session: Session, meeting: Meeting, version: Version) -> None:
    texts = _texts(session, version.id)
    agenda = session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                             .order_by(AgendaItem.position))
    body = _full_text([(a.title, texts.get(a.id, "")) for a in agenda], version.opening,
                      version.divers)
    search.index(session, search.MINUTES, meeting.id,
                 _("Minutes of the {label}").format(label=meetings.label_of(meeting)), body)


def save_draft(folder: DataFolder, meeting_id: int, *, revision: int | None,
               opening: str | None = None, items: Mapping[int, str] | None = None,
               divers: str | None = None, closing_time: str | None = None,
               version: int | None = None) -> int:
    """Save what changed in the draft and return the new revision (the autosave entry point).

    ``items`` maps agenda positions (1-based) to their text; ``None`` fields are left alone.
    ``revision`` is the revision the caller last read (``None``: no check, e.g. one-shot
    commands). ``version`` is the version number the caller is editing, so that an editor
    left open across a correction cannot write into the new version unawares. Nothing is
    written, and the revision stays, when nothing changed.
    """
    if closing_time is not None:
        closing_time = meetings.clean_time(closing_time)
    with folder.database.unit_of_work() as session:
        meeting = meetings.get_row(session, meeting_id)
        minutes = _minutes(session, meeting.id)
        now = datetime.now()
        if minutes is None:
            if revision not in (None, 0) or version not in (None, 1):
                raise StateError(_stale())
            minutes = Minutes(meeting_id=meeting.id, current_version=1)
            session.add(minutes)
            session.flush()
            draft = Version(minutes_id=minutes.id, number=1, state="draft", revision=0,
                              created_at=now, updated_at=now)
            session.add(draft)
            session.flush()
        else:
            current = _version(session, minutes)
            if version is not None and version != current.number:
                raise StateError(_stale())
            draft = current
        if draft.state != "draft":
            raise StateError(_frozen_message(draft.state))
        if revision is not None and revision != draft.revision:
            raise StateError(_stale())
        changed: list[str] = []
        if opening is not None and opening != draft.opening:
            draft.opening = opening
            changed.append("opening")
        if divers is not None and divers != draft.divers:
            draft.divers = divers
            changed.append("divers")
        if closing_time is not None and closing_time != draft.closing_time:
            draft.closing_time = closing_time
            changed.append("closing_time")
        if items:
            agenda = {a.position: a for a in session.scalars(
                select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))}
            unknown = [p for p in items if p not in agenda]
            if unknown:
                raise InputError(_("The {label} has no agenda item {position}.").format(
                    label=meetings.label_of(meeting), position=unknown[0]))
            rows = {r.agenda_item_id: r for r in session.scalars(
                select(MinutesItem).where(MinutesItem.version_id == draft.id))}
            for position, text in items.items():
                item_id = agenda[position].id
                row = rows.get(item_id)
                if row is None:
                    if text:
                        session.add(MinutesItem(version_id=draft.id, agenda_item_id=item_id,
                                                text=text))
                        changed.append(f"item {position}")
                elif row.text != text:
                    row.text = text
                    changed.append(f"item {position}")
        if not changed:
            return draft.revision
        draft.revision += 1
        draft.updated_at = now
        if meeting.state == "planned":
            meeting.state = "held"
        session.flush()
        _reindex(session, meeting, draft)
        journal.record(session, "minutes.save", f"meeting:{meeting.uid}",
                       {"version": draft.number, "revision": draft.revision,
                        "changed": changed})
        return draft.revision


def _stale() -> str:
    return _("These minutes were changed elsewhere (another window or the command line) since "
             "you opened them. Reload them before writing; nothing was saved.")


def write_item(folder: DataFolder, meeting_id: int, position: int, text: str,
               revision: int | None = None) -> int:
    """The minutes text of one agenda item (``minutes write``)."""
    return save_draft(folder, meeting_id, revision=revision, items={position: text})


def adopt(folder: DataFolder, meeting_id: int) -> MinutesInfo:
    """The committee approved the draft: it can no longer be edited, only signed.

    The attendance and the quorum are frozen with it (the PV states them).
    """
    from ccsdesk.core.services import attendance

    rules = attendance.rules(folder)
    with folder.database.unit_of_work() as session:
        meeting = meetings.get_row(session, meeting_id)
        minutes = _minutes(session, meeting.id)
        if minutes is None:
            raise StateError(_("These minutes are empty: write them before adopting them."))
        version = _version(session, minutes)
        if version.state != "draft":
            raise StateError(_("These minutes are already {state}.").format(
                state=_(STATES[version.state])))
        if not meetings.has_attendance(session, meeting.id):
            raise StateError(_("Record the attendance of the {label} before adopting its "
                               "minutes.").format(label=meetings.label_of(meeting)))
        version.state = "adopted"
        version.adopted_at = datetime.now()
        if not meeting.quorum_snapshot:
            attendance.snapshot(session, meeting, rules)
        meeting.state = "minutes_adopted"
        meetings._touch(meeting)
        journal.record(session, "minutes.adopt", f"meeting:{meeting.uid}",
                       {"version": version.number, "revision": version.revision})
        return _info(session, meeting, minutes, version)


def text_hash(session: Session, meeting: Meeting, version: Version) -> str:
    """SHA-256 of the version's whole text, recorded at signing to show it never changed."""
    texts = _texts(session, version.id)
    agenda = session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                             .order_by(AgendaItem.position))
    payload = json.dumps({
        "meeting": meeting.uid, "version": version.number, "opening": version.opening,
        "items": [[a.uid, a.title, texts.get(a.id, "")] for a in agenda],
        "divers": version.divers, "closing_time": version.closing_time,
        "reason": version.reason,
    }, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _default_signer(session: Session) -> str:
    president = session.scalar(select(Member).where(Member.role == "president",
                                                    Member.active.is_(True)).limit(1))
    if president is not None:
        return f"{president.last_name.upper()} {president.first_names}".strip()
    return journal._actor()


def _pv_snapshot(folder: DataFolder, meeting_id: int, signer: str, number: int) -> str:
    """What the PV about to be signed shows that other tables may change later (JSON)."""
    from ccsdesk.core.documents import session_record

    return session_record.snapshot(session_record.gather(folder, meeting_id), signer=signer,
                                   version=number)


def signed_snapshot(folder: DataFolder, meeting_id: int, number: int) -> str | None:
    """The snapshot stored when version ``number`` was signed; None for a version not
    signed, or signed before snapshots existed (it then renders from the live data)."""
    with folder.database.reading() as session:
        minutes = _minutes(session, meeting_id)
        if minutes is None:
            return None
        return session.scalar(select(Version.pv_snapshot).where(
            Version.minutes_id == minutes.id, Version.number == number,
            Version.state == "signed"))


def sign(folder: DataFolder, meeting_id: int, passphrase: str,
         signer: str | None = None) -> MinutesInfo:
    """Sign adopted minutes: checks the passphrase, records signer and time, freezes."""
    committee.check_passphrase(folder, passphrase)
    with folder.database.unit_of_work() as session:
        meeting = meetings.get_row(session, meeting_id)
        minutes = _minutes(session, meeting.id)
        if minutes is None:
            raise StateError(_("These minutes are empty: write and adopt them before signing."))
        version = _version(session, minutes)
        if not meetings.has_attendance(session, meeting.id):
            raise StateError(_("The attendance of the {label} was not recorded: minutes "
                               "cannot be signed without it.").format(
                                   label=meetings.label_of(meeting)))
        if version.state == "signed":
            raise StateError(_("These minutes are already signed."))
        if version.state != "adopted":
            raise StateError(_("Adopt the minutes before signing them."))
        name = " ".join((signer or "").split()) or _default_signer(session)
        # Frozen in this transaction, which holds the write lock: the roster, guests and
        # forms it reads are exactly those of the moment of signing (read through the
        # folder, committed data, WAL), and the PV is re-rendered from it from now on.
        frozen = _pv_snapshot(folder, meeting_id, name, version.number)
        version.text_hash = text_hash(session, meeting, version)
        version.signer = name
        version.signed_at = datetime.now()
        version.state = "signed"
        version.pv_snapshot = frozen  # with the state: the 0007 trigger allows it only then
        meeting.state = "signed"
        meetings._touch(meeting)
        # "pv_annex": 2 — the PV is signed with the guests in its annexed list; a PV signed
        # before (no key) keeps its members-only annex when re-rendered (session_record).
        journal.record(session, "minutes.sign", f"meeting:{meeting.uid}",
                       {"version": version.number, "signer": name,
                        "text_hash": version.text_hash, "pv_annex": 2})
        return _info(session, meeting, minutes, version)


def correct(folder: DataFolder, meeting_id: int, reason: str) -> MinutesInfo:
    """Start version N+1 (a draft copied from N) to correct adopted or signed minutes."""
    reason = " ".join(reason.split())
    if not reason:
        raise InputError(_("Give the reason for the correction."))
    with folder.database.unit_of_work() as session:
        meeting = meetings.get_row(session, meeting_id)
        minutes = _minutes(session, meeting.id)
        if minutes is None:
            raise StateError(_("These minutes are empty: there is nothing to correct."))
        old = _version(session, minutes)
        if old.state == "draft":
            raise StateError(_("These minutes are still a draft: edit them directly."))
        now = datetime.now()
        new = Version(minutes_id=minutes.id, number=old.number + 1, state="draft", revision=0,
                      opening=old.opening, divers=old.divers, closing_time=old.closing_time,
                      reason=reason, created_at=now, updated_at=now)
        session.add(new)
        session.flush()
        for item_id, text in _texts(session, old.id).items():
            session.add(MinutesItem(version_id=new.id, agenda_item_id=item_id, text=text))
        minutes.current_version = new.number
        meeting.state = "held"
        meetings._touch(meeting)
        session.flush()
        _reindex(session, meeting, new)
        journal.record(session, "minutes.correct", f"meeting:{meeting.uid}",
                       {"from_version": old.number, "version": new.number, "reason": reason})
        return _info(session, meeting, minutes, new)


@dataclass(frozen=True)
class VersionSummary:
    number: int
    state: str
    reason: str
    signer: str
    signed_at: datetime | None
    updated_at: datetime


def list_versions(folder: DataFolder, meeting_id: int) -> list[VersionSummary]:
    with folder.database.reading() as session:
        meeting = meetings.get_row(session, meeting_id)
        minutes = _minutes(session, meeting.id)
        if minutes is None:
            return []
        return [VersionSummary(v.number, v.state, v.reason, v.signer, v.signed_at,
                               v.updated_at)
                for v in session.scalars(select(Version).where(Version.minutes_id == minutes.id)
                                         .order_by(Version.number))]
