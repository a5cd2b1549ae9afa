"""Sessions: numbering, the agenda, guests, convocations and the second convocation.

A session is numbered per year and kind ("2e session ordinaire 2026") so that minutes and
recommendation forms can name it the way the secretariat does on paper. The notice period
is an assumed rule (domain.md), so it lives in settings and a late convocation is flagged,
not refused: the secretariat may have had good reasons, the record just says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccsdesk.core.errors import InputError, NotFoundError, StateError
from ccsdesk.core.i18n import N_, _
from ccsdesk.core.services import journal, search, settings
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import (
    AgendaItem,
    Attendance,
    Convocation,
    Guest,
    Meeting,
    Member,
    Minutes,
    MinutesItem,
    MinutesVersion,
    Recommendation,
)

KINDS: dict[str, str] = {"ordinary": N_("ordinary"), "extraordinary": N_("extraordinary")}
STATES: dict[str, str] = {
    "planned": N_("planned"),
    "held": N_("held"),
    "minutes_adopted": N_("minutes adopted"),
    "signed": N_("signed"),
}
CHANNELS: dict[str, str] = {"hand": N_("hand delivery"), "email": N_("e-mail")}
# States after which the agenda and attendance are part of adopted minutes and stay put.
CLOSED_STATES = ("minutes_adopted", "signed")

NOTICE_ORDINARY_DAYS = "notice.ordinary_days"
NOTICE_URGENT_DAYS = "notice.urgent_days"
DEFAULT_NOTICE_ORDINARY = 5
DEFAULT_NOTICE_URGENT = 1

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def clean_time(value: str) -> str:
    """``HH:MM`` (24 h) or empty; ``9h30`` and ``9:30`` are accepted as typed on paper."""
    value = value.strip().lower().replace("h", ":")
    if not value:
        return ""
    if value.endswith(":"):
        value += "00"
    if len(value) == 4 and value[1] == ":":
        value = "0" + value
    if not _TIME.match(value):
        raise InputError(_("The time « {value} » is not valid: write it as HH:MM, e.g. 09:30.")
                         .format(value=value))
    return value


def label(kind: str, number: int, year: int, second_convocation: bool = False) -> str:
    """"2e session ordinaire 2026", as minutes and forms name a session."""
    if kind == "ordinary":
        text = (_("{n}st ordinary session {year}") if number == 1
                else _("{n}th ordinary session {year}"))
    else:
        text = (_("{n}st extraordinary session {year}") if number == 1
                else _("{n}th extraordinary session {year}"))
    text = text.format(n=number, year=year)
    if second_convocation:
        text += " " + _("(second convocation)")
    return text


@dataclass(frozen=True)
class AgendaInfo:
    id: int
    uid: str
    position: int
    title: str
    presenter: str
    working_group: str


@dataclass(frozen=True)
class MeetingInfo:
    """A session as lists and screens show it (quorum comes from ``attendance.quorum``)."""

    id: int
    uid: str
    year: int
    kind: str
    number: int
    date: date
    time: str
    venue: str
    urgent: bool
    state: str
    second_convocation_of: int | None
    label: str
    agenda: tuple[AgendaInfo, ...]


def get_row(session: Session, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFoundError(_("No session has the number {id}.").format(id=meeting_id))
    return meeting


def label_of(meeting: Meeting) -> str:
    return label(meeting.kind, meeting.number, meeting.year,
                 meeting.second_convocation_of_id is not None)


def _agenda(session: Session, meeting_id: int) -> list[AgendaItem]:
    return list(session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
        .order_by(AgendaItem.position)
    ))


def _to_info(meeting: Meeting, agenda: list[AgendaItem]) -> MeetingInfo:
    return MeetingInfo(
        id=meeting.id, uid=meeting.uid, year=meeting.year, kind=meeting.kind,
        number=meeting.number, date=meeting.date, time=meeting.time, venue=meeting.venue,
        urgent=meeting.urgent, state=meeting.state,
        second_convocation_of=meeting.second_convocation_of_id, label=label_of(meeting),
        agenda=tuple(AgendaInfo(a.id, a.uid, a.position, a.title, a.presenter,
                                a.working_group) for a in agenda),
    )


def reindex(session: Session, meeting: Meeting) -> None:
    """Keep the session's entry of the search index in step (label, venue, agenda)."""
    agenda = _agenda(session, meeting.id)
    body = "\n".join([meeting.venue, *(f"{a.title} {a.presenter} {a.working_group}"
                                       for a in agenda)])
    search.index(session, search.MEETING, meeting.id,
                 f"{label_of(meeting)} — {meeting.date.isoformat()}", body)


def _touch(meeting: Meeting) -> None:
    meeting.updated_at = datetime.now()


def check_open(session: Session, meeting: Meeting) -> None:
    """Refuse agenda changes once minutes were adopted or signed (a signed text names them)."""
    signed_before = session.scalar(
        select(func.count()).select_from(MinutesVersion).join(
            Minutes, MinutesVersion.minutes_id == Minutes.id)
        .where(Minutes.meeting_id == meeting.id, MinutesVersion.state != "draft"))
    if meeting.state in CLOSED_STATES or signed_before:
        raise StateError(
            _("The minutes of the {label} are adopted: its agenda and attendance can no longer "
              "change. Nothing changed.").format(label=label_of(meeting))
        )


def create_meeting(folder: DataFolder, *, on: date, time: str = "", kind: str = "ordinary",
                   venue: str = "", urgent: bool | None = None) -> MeetingInfo:
    """A new numbered session; the adoption of the previous minutes is proposed as item 1."""
    if kind not in KINDS:
        raise InputError(_("Unknown kind of session: {kind} (ordinary or extraordinary).")
                         .format(kind=kind))
    time = clean_time(time)
    venue = " ".join(venue.split())
    with folder.database.unit_of_work() as session:
        number = (session.scalar(
            select(func.max(Meeting.number)).where(
                Meeting.year == on.year, Meeting.kind == kind,
                Meeting.second_convocation_of_id.is_(None))
        ) or 0) + 1
        now = datetime.now()
        meeting = Meeting(year=on.year, kind=kind, number=number, date=on, time=time,
                          venue=venue, urgent=(kind == "extraordinary") if urgent is None
                          else urgent, state="planned", created_at=now, updated_at=now)
        session.add(meeting)
        session.flush()
        previous = session.scalar(
            select(Meeting).where(Meeting.id != meeting.id, Meeting.date <= on,
                                  Meeting.second_convocation_of_id.is_(None))
            .order_by(Meeting.date.desc(), Meeting.id.desc()).limit(1)
        )
        if previous is not None:
            session.add(AgendaItem(
                meeting_id=meeting.id, position=1,
                title=_("Adoption of the minutes of the {label}").format(
                    label=label_of(previous)),
            ))
            session.flush()
        reindex(session, meeting)
        journal.record(session, "meeting.create", f"meeting:{meeting.uid}",
                       {"kind": kind, "number": number, "date": on, "time": time,
                        "venue": venue})
        return _to_info(meeting, _agenda(session, meeting.id))


def get_meeting(folder: DataFolder, meeting_id: int) -> MeetingInfo:
    with folder.database.reading() as session:
        meeting = get_row(session, meeting_id)
        return _to_info(meeting, _agenda(session, meeting.id))


def list_meetings(folder: DataFolder) -> list[MeetingInfo]:
    """All sessions, latest first."""
    with folder.database.reading() as session:
        meetings = list(session.scalars(
            select(Meeting).order_by(Meeting.date.desc(), Meeting.id.desc())))
        agenda: dict[int, list[AgendaItem]] = {}
        for item in session.scalars(select(AgendaItem).order_by(AgendaItem.position)):
            agenda.setdefault(item.meeting_id, []).append(item)
        return [_to_info(m, agenda.get(m.id, [])) for m in meetings]


def update_meeting(folder: DataFolder, meeting_id: int, *, on: date, time: str,
                   venue: str) -> MeetingInfo:
    """Move a planned session (date, time, venue); its number stays."""
    time = clean_time(time)
    venue = " ".join(venue.split())
    with folder.database.unit_of_work() as session:
        meeting = get_row(session, meeting_id)
        check_open(session, meeting)
        if on.year != meeting.year:
            raise InputError(_("A session cannot move to another year: create a new one."))
        changes = {"date": [meeting.date, on], "time": [meeting.time, time],
                   "venue": [meeting.venue, venue]}
        meeting.date, meeting.time, meeting.venue = on, time, venue
        _touch(meeting)
        reindex(session, meeting)
        journal.record(session, "meeting.update", f"meeting:{meeting.uid}", changes)
        return _to_info(meeting, _agenda(session, meeting.id))


# --- Agenda ---------------------------------------------------------------------------


def _item_at(session: Session, meeting: Meeting, position: int) -> AgendaItem:
    item = session.scalar(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id,
                                                   AgendaItem.position == position))
    if item is None:
        raise NotFoundError(_("The {label} has no agenda item {position}.").format(
            label=label_of(meeting), position=position))
    return item


def item_at(session: Session, meeting: Meeting, position: int) -> AgendaItem:
    """The agenda item at ``position`` (1-based), or a clear refusal."""
    return _item_at(session, meeting, position)


def add_agenda_item(folder: DataFolder, meeting_id: int, title: str, *, presenter: str = "",
                    working_group: str = "") -> int:
    """Append an item; returns its position."""
    title = " ".join(title.split())
    if not title:
        raise InputError(_("The agenda item's title is empty."))
    with folder.database.unit_of_work() as session:
        meeting = get_row(session, meeting_id)
        check_open(session, meeting)
        position = (session.scalar(select(func.max(AgendaItem.position))
                                   .where(AgendaItem.meeting_id == meeting.id)) or 0) + 1
        item = AgendaItem(meeting_id=meeting.id, position=position, title=title,
                          presenter=" ".join(presenter.split()),
                          working_group=" ".join(working_group.split()))
        session.add(item)
        session.flush()
        _touch(meeting)
        reindex(session, meeting)
        journal.record(session, "agenda.add", f"meeting:{meeting.uid}",
                       {"position": position, "title": title, "presenter": item.presenter,
                        "working_group": item.working_group})
        return position


def edit_agenda_item(folder: DataFolder, meeting_id: int, position: int, *, title: str,
                     presenter: str = "", working_group: str = "") -> None:
    title = " ".join(title.split())
    if not title:
        raise InputError(_("The agenda item's title is empty."))
    with folder.database.unit_of_work() as session:
        meeting = get_row(session, meeting_id)
        check_open(session, meeting)
        item = _item_at(session, meeting, position)
        changes = {"title": [item.title, title], "presenter": [item.presenter, presenter],
                   "working_group": [item.working_group, working_group]}
        item.title = title
        item.presenter = " ".join(presenter.split())
        item.working_group = " ".join(working_group.split())
        _touch(meeting)
        reindex(session, meeting)
        journal.record(session, "agenda.edit", f"meeting:{meeting.uid}",
                       {"position": position, **changes})


def move_agenda_item(folder: DataFolder, meeting_id: int, position: int,
                     new_position: int) -> None:
    """Move an item to ``new_position``; the others close up in order."""
    with folder.database.unit_of_work() as session:
        meeting = get_row(session, meeting_id)
        check_open(session, meeting)
        items = _agenda(session, meeting.id)
        moving = _item_at(session, meeting, position)
        if not 1 <= new_position <= len(items):
            raise InputError(_("The new position must be between 1 and {count}.")
                             .format(count=len(items)))
        items.remove(moving)
        items.insert(new_position - 1, moving)
        for index, item in enumerate(items, start=1):
            item.position = index
        _touch(meeting)
        journal.record(session, "agenda.move", f"meeting:{meeting.uid}",
                       {"from": position, "to": new_position, "title": moving.title})


def remove_agenda_item(folder: DataFolder, meeting_id: int, position: int) -> None:
    """Remove an item that has no minutes text and no recommendation yet."""
    with folder.database.unit_of_work() as session:
        meeting = get_row(session, meeting_id)
        check_open(session, meeting)
        item = _item_at(session, meeting, position)
        has_text = session.scalar(select(func.count()).select_from(MinutesItem).where(
            MinutesItem.agenda_item_id == item.id, MinutesItem.text != ""))
        has_rec = session.scalar(select(func.count()).select_from(Recommendation).where(
            Recommendation.agenda_item_id == item.id))
        if has_text or has_rec:
            raise StateError(_("Agenda item {position} already has minutes text or "
                               "recommendations; it cannot be removed.").format(
                                   position=position))
        session.execute(MinutesItem.__table__.delete().where(
            MinutesItem.agenda_item_id == item.id))
        session.delete(item)
        session.flush()
        for index, other in enumerate(_agenda(session, meeting.id), start=1):
            other.position = index
        _touch(meeting)
        reindex(session, meeting)
        journal.record(session, "agenda.remove", f"meeting:{meeting.uid}",
                       {"position": position, "title": item.title})


# --- Guests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GuestInfo:
    id: int
    name: str
    organisation: str
    present: bool


def add_guest(folder: DataFolder, meeting_id: int, name: str, organisation: str = "") -> int:
    """Invite someone without a vote: recorded on the lists, never counted for quorum."""
    name = " ".join(name.split())
    if not name:
        raise InputError(_("The guest's name is empty."))
    with folder.database.unit_of_work() as session:
        meeting = get_row(session, meeting_id)
        check_open(session, meeting)
        guest = Guest(meeting_id=meeting.id, name=name,
                      organisation=" ".join(organisation.split()), present=False)
        session.add(guest)
        session.flush()
        journal.record(session, "guest.add", f"meeting:{meeting.uid}",
                       {"guest": guest.uid, "name": name, "organisation": guest.organisation})
        return guest.id


def set_guest_present(folder: DataFolder, meeting_id: int, guest_id: int,
                      present: bool) -> None:
    with folder.database.unit_of_work() as session:
        meeting = get_row(session, meeting_id)
        check_open(session, meeting)
        guest = session.get(Guest, guest_id)
        if guest is None or guest.meeting_id != meeting.id:
            raise NotFoundError(_("No guest has the number {id} in this session.")
                                .format(id=guest_id))
        guest.present = present
        journal.record(session, "guest.attendance", f"meeting:{meeting.uid}",
                       {"guest": guest.uid, "present": present})


def list_guests(folder: DataFolder, meeting_id: int) -> list[GuestInfo]:
    with folder.database.reading() as session:
        get_row(session, meeting_id)
        return [GuestInfo(g.id, g.name, g.organisation, g.present) for g in session.scalars(
            select(Guest).where(Guest.meeting_id == meeting_id).order_by(Guest.id))]


# --- Convocations ---------------------------------------------------------------------


@dataclass(frozen=True)
class ConvocationInfo:
    id: int
    member_id: int | None
    guest_id: int | None
    recipient: str
    sent_on: date | None
    channel: str
    late: bool


def notice_days(folder: DataFolder, urgent: bool) -> int:
    """Clear days of notice required (settings; defaults 5 ordinary, 1 urgent)."""
    if urgent:
        return int(settings.get(folder, NOTICE_URGENT_DAYS, DEFAULT_NOTICE_URGENT))
    return int(settings.get(folder, NOTICE_ORDINARY_DAYS, DEFAULT_NOTICE_ORDINARY))


def send_by(meeting_date: date, days: int) -> date:
    """The last day a convocation may go out: ``days`` clear days before the session."""
    return meeting_date - timedelta(days=days + 1)


def _convener_id(session: Session) -> int | None:
    """The president in office: they convene and sign the convocation, so receive none."""
    return session.scalar(select(Member.id).where(Member.role == "president",
                                                  Member.active.is_(True)).limit(1))


def _to_convener(convocation: Convocation, convener: int | None) -> bool:
    """A convocation to the president not sent yet (prepared before the president was left
    out): ignored, so a president is never « not sent ». One already sent stays listed."""
    return (convocation.sent_on is None and convener is not None
            and convocation.member_id == convener)


def prepare_convocations(folder: DataFolder, meeting_id: int) -> list[ConvocationInfo]:
    """One convocation per active member but the president, and per guest (idempotent)."""
    with folder.database.unit_of_work() as session:
        meeting = get_row(session, meeting_id)
        existing = list(session.scalars(
            select(Convocation).where(Convocation.meeting_id == meeting.id)))
        members = {c.member_id for c in existing if c.member_id is not None}
        members.add(_convener_id(session))
        guests = {c.guest_id for c in existing if c.guest_id is not None}
        added = 0
        for member_id in session.scalars(select(Member.id).where(Member.active.is_(True))):
            if member_id not in members:
                session.add(Convocation(meeting_id=meeting.id, member_id=member_id))
                added += 1
        for guest_id in session.scalars(select(Guest.id).where(Guest.meeting_id == meeting.id)):
            if guest_id not in guests:
                session.add(Convocation(meeting_id=meeting.id, guest_id=guest_id))
                added += 1
        if added:
            session.flush()
            journal.record(session, "convocation.prepare", f"meeting:{meeting.uid}",
                           {"added": added})
    return list_convocations(folder, meeting_id)


def record_sent(folder: DataFolder, meeting_id: int, *, sent_on: date, channel: str,
                convocation_ids: list[int] | None = None) -> list[ConvocationInfo]:
    """Record when and how convocations went out (all unsent ones when no ids are given)."""
    if channel not in CHANNELS:
        raise InputError(_("Unknown delivery: {channel} (hand or email).").format(
            channel=channel))
    with folder.database.unit_of_work() as session:
        meeting = get_row(session, meeting_id)
        if sent_on > meeting.date:
            raise InputError(_("A convocation cannot be sent after the session ({date}).")
                             .format(date=meeting.date.isoformat()))
        convener = _convener_id(session)
        rows = [c for c in session.scalars(
            select(Convocation).where(Convocation.meeting_id == meeting.id))
            if not _to_convener(c, convener)]
        if convocation_ids is None:
            chosen = [c for c in rows if c.sent_on is None]
        else:
            by_id = {c.id: c for c in rows}
            unknown = [i for i in convocation_ids if i not in by_id]
            if unknown:
                raise NotFoundError(_("No convocation has the number {id} in this session.")
                                    .format(id=unknown[0]))
            chosen = [by_id[i] for i in convocation_ids]
        for convocation in chosen:
            convocation.sent_on, convocation.channel = sent_on, channel
        journal.record(session, "convocation.sent", f"meeting:{meeting.uid}",
                       {"count": len(chosen), "sent_on": sent_on, "channel": channel})
    return list_convocations(folder, meeting_id)


def list_convocations(folder: DataFolder, meeting_id: int) -> list[ConvocationInfo]:
    with folder.database.reading() as session:
        meeting = get_row(session, meeting_id)
        urgent = meeting.urgent
        meeting_date = meeting.date
        rows = session.execute(
            select(Convocation, Member, Guest)
            .outerjoin(Member, Convocation.member_id == Member.id)
            .outerjoin(Guest, Convocation.guest_id == Guest.id)
            .where(Convocation.meeting_id == meeting_id).order_by(Convocation.id)
        ).all()
        convener = _convener_id(session)
        found = [(c.id, c.member_id, c.guest_id,
                  f"{m.last_name.upper()} {m.first_names}".strip() if m else g.name,
                  c.sent_on, c.channel) for c, m, g in rows
                 if not _to_convener(c, convener)]
    deadline = send_by(meeting_date, notice_days(folder, urgent))
    return [ConvocationInfo(*values, late=values[4] is not None and values[4] > deadline)
            for values in found]


# --- Second convocation ---------------------------------------------------------------


def second_convocation(folder: DataFolder, meeting_id: int, *, on: date, time: str = "",
                       venue: str | None = None) -> MeetingInfo:
    """Re-convene a session whose quorum failed; the new one deliberates regardless."""
    from ccsdesk.core.services import attendance

    quorum = attendance.quorum(folder, meeting_id)
    time = clean_time(time)
    with folder.database.unit_of_work() as session:
        first = get_row(session, meeting_id)
        if first.second_convocation_of_id is not None:
            raise StateError(_("This session is already a second convocation."))
        if not quorum.recorded:
            raise StateError(_("Record the attendance first: a second convocation is only "
                               "issued when the quorum was not reached."))
        if quorum.reached:
            raise StateError(_("The quorum was reached: no second convocation is needed."))
        if on <= first.date:
            raise InputError(_("The second convocation must come after the first session "
                               "({date}).").format(date=first.date.isoformat()))
        already = session.scalar(select(Meeting).where(
            Meeting.second_convocation_of_id == first.id))
        if already is not None:
            raise StateError(_("This session already has a second convocation (number {id}).")
                             .format(id=already.id))
        now = datetime.now()
        meeting = Meeting(year=first.year, kind=first.kind, number=first.number, date=on,
                          time=time or first.time,
                          venue=first.venue if venue is None else " ".join(venue.split()),
                          urgent=first.urgent, state="planned",
                          second_convocation_of_id=first.id, created_at=now, updated_at=now)
        session.add(meeting)
        session.flush()
        for item in _agenda(session, first.id):
            session.add(AgendaItem(meeting_id=meeting.id, position=item.position,
                                   title=item.title, presenter=item.presenter,
                                   working_group=item.working_group))
        session.flush()
        reindex(session, meeting)
        journal.record(session, "meeting.second_convocation", f"meeting:{meeting.uid}",
                       {"first": first.uid, "date": on, "time": meeting.time})
        return _to_info(meeting, _agenda(session, meeting.id))


def has_attendance(session: Session, meeting_id: int) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Attendance)
                               .where(Attendance.meeting_id == meeting_id)))
