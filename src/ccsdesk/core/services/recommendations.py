"""Recommendation forms and their follow-up.

A recommendation is tied to the session (and agenda item) that produced it and carries the
uid of the committee that wrote it, because forms travel up to the région and the CRSS. Its
status history is append-only — each step with date, author and note — and the current
status is repeated on the form so the follow-up list over thousands of forms stays fast.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple, TypeVar

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ccsdesk.core.errors import InputError, NotFoundError, StateError
from ccsdesk.core.i18n import N_, _
from ccsdesk.core.services import journal, label_lists, meetings, minutes, places, search
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import (
    Committee,
    Meeting,
    Place,
    Recommendation,
    RecommendationStatus,
    Theme,
)
from ccsdesk.core.text import fold, fold_key

_Row = TypeVar("_Row")

STATUSES: dict[str, str] = {
    "proposed": N_("proposed"),
    "transmitted": N_("transmitted"),
    "accepted": N_("accepted"),
    "in_progress": N_("in progress"),
    "implemented": N_("implemented"),
    "rejected": N_("rejected"),
}
# A recommendation in one of these is settled: it is never overdue.
CLOSED = ("implemented", "rejected")
PRIORITIES: dict[str, str] = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}


@dataclass
class RecommendationData:
    """The fields of the form, as the window or the command line gives them."""

    problem: str
    text: str
    addressee: str
    priority: str
    deadline: date
    follow_up_by: str = ""
    theme: str = ""
    place: str = ""
    agenda_position: int | None = None


@dataclass(frozen=True)
class StatusStep:
    status: str
    at: datetime
    author: str
    note: str
    # The committee that decided the step ("" for a step recorded before deciders were kept).
    committee: str = ""
    committee_uid: str = ""


def decided_elsewhere(step: StatusStep, own_uid: str) -> str:
    """The committee that decided ``step`` when it is another one than ``own_uid``, else "".

    Histories name the decider only when it is not the committee reading them: at the
    commune, « décidé par le CCS du District de Bamako » says the step came from above. A
    step recorded before deciders were kept names no one.
    """
    return step.committee if step.committee_uid and step.committee_uid != own_uid else ""


def decided_by(committee: str) -> str:
    """« décidé par le CCS du District de Bamako » (the article only before « CCS … »)."""
    if committee.startswith(_("CCS") + " "):
        return _("decided by the {committee}").format(committee=committee)
    return _("decided by {committee}").format(committee=committee)


class RecommendationInfo(NamedTuple):
    """A recommendation as the follow-up list shows it (``history`` only from ``get``).

    A named tuple rather than a frozen dataclass: the follow-up list builds 10 000 of them
    and a frozen dataclass's ``__init__`` alone took a third of the 100 ms budget.
    """

    id: int
    uid: str
    number: int
    meeting_id: int | None
    meeting: str
    meeting_date: date | None
    agenda_position: int | None
    problem: str
    text: str
    addressee: str
    follow_up_by: str
    priority: str
    deadline: date
    theme: str
    place: str
    origin_uid: str
    origin: str
    status: str
    status_at: datetime
    overdue: bool
    history: tuple[StatusStep, ...] = ()


def _clean(value: str) -> str:
    return " ".join(value.split())


def _theme(session: Session, label: str) -> Theme | None:
    label = _clean(label)
    if not label:
        return None
    theme = session.scalar(select(Theme).where(Theme.label_key == fold_key(label)))
    if theme is None:
        known = ", ".join(t for t in session.scalars(
            select(Theme.label).where(Theme.active.is_(True)).order_by(Theme.position)))
        raise InputError(_("Unknown theme « {theme} ». Known themes: {known}. Add it to the "
                           "list first.").format(theme=label, known=known))
    return theme


def _check(data: RecommendationData) -> RecommendationData:
    problem, text, addressee = data.problem.strip(), data.text.strip(), _clean(data.addressee)
    if not problem:
        raise InputError(_("The problem observed is empty."))
    if not text:
        raise InputError(_("The recommendation's text is empty."))
    if not addressee:
        raise InputError(_("The addressee is empty."))
    if data.priority not in PRIORITIES:
        raise InputError(_("Unknown priority: {priority} (high, medium or low).").format(
            priority=data.priority))
    return RecommendationData(problem=problem, text=text, addressee=addressee,
                              priority=data.priority, deadline=data.deadline,
                              follow_up_by=_clean(data.follow_up_by), theme=data.theme,
                              place=_clean(data.place), agenda_position=data.agenda_position)


def _why_closed(session: Session, meeting: Meeting) -> str | None:
    """Why the session's forms cannot be added or changed now, or None: once its minutes
    are adopted or signed, the PV lists its recommendations, so they change only through a
    correction of the minutes (a new version with its reason), as the PV's text does.
    Follow-up steps stay open."""
    state = minutes.current_state(session, meeting.id)
    if state == "signed":
        return _("The minutes of the {label} are signed: its recommendations are part of "
                 "them. To add or change one, correct the minutes first (a new version with "
                 "its reason).").format(label=meetings.label_of(meeting))
    if state == "adopted":
        return _("The minutes of the {label} are adopted: its recommendations are part of "
                 "them. To add or change one, correct the minutes first (a new version with "
                 "its reason).").format(label=meetings.label_of(meeting))
    return None


def _check_minutes_open(session: Session, meeting: Meeting) -> None:
    reason = _why_closed(session, meeting)
    if reason is not None:
        raise StateError(_("{reason} Nothing changed.").format(reason=reason))


def closed_reason(folder: DataFolder, meeting_id: int) -> str | None:
    """Why no form can be added to or changed in this session now (None: they can), for
    the window to say so before a form is filled in."""
    with folder.database.reading() as session:
        return _why_closed(session, meetings.get_row(session, meeting_id))


def add(folder: DataFolder, meeting_id: int, data: RecommendationData,
        author: str | None = None) -> int:
    """A new form (status ``proposed``); the deadline may not be before the session."""
    clean = _check(data)
    with folder.database.unit_of_work() as session:
        own = session.scalar(select(Committee).where(Committee.relation == "self"))
        if own is None:
            raise StateError(_("This data folder has no committee yet: set it up first "
                               "(ccsdesk init)."))
        meeting = meetings.get_row(session, meeting_id)
        _check_minutes_open(session, meeting)
        if clean.deadline < meeting.date:
            raise InputError(_("The deadline ({deadline}) is before the session ({date}).")
                             .format(deadline=clean.deadline.isoformat(),
                                     date=meeting.date.isoformat()))
        item_id = None
        if clean.agenda_position is not None:
            item_id = meetings.item_at(session, meeting, clean.agenda_position).id
        theme = _theme(session, clean.theme)
        place = places.find(session, clean.place) if clean.place else None
        number = (session.scalar(select(func.max(Recommendation.number)).where(
            Recommendation.meeting_id == meeting.id)) or 0) + 1
        now = datetime.now()
        who = author or journal._actor()
        row = Recommendation(
            meeting_id=meeting.id, agenda_item_id=item_id, number=number,
            problem=clean.problem, text=clean.text, addressee=clean.addressee,
            addressee_key=fold(clean.addressee), follow_up_by=clean.follow_up_by,
            priority=clean.priority, deadline=clean.deadline,
            theme_id=theme.id if theme else None, place_id=place.id if place else None,
            origin_uid=own.uid, origin_name=own.name, status="proposed", status_at=now,
            created_at=now, updated_at=now,
        )
        session.add(row)
        session.flush()
        session.add(RecommendationStatus(recommendation_id=row.id, status="proposed", at=now,
                                         author=who, note="", committee_uid=own.uid,
                                         committee_name=own.name))
        _reindex(session, row, meeting, theme)
        journal.record(session, "recommendation.add", f"recommendation:{row.uid}",
                       {"meeting": meeting.uid, "number": number, "addressee": row.addressee,
                        "priority": row.priority, "deadline": row.deadline,
                        "theme": theme.label if theme else ""})
        return row.id


def update(folder: DataFolder, rec_id: int, data: RecommendationData) -> None:
    """Correct a form that is still ``proposed``; once transmitted, its text is what was sent."""
    clean = _check(data)
    with folder.database.unit_of_work() as session:
        row = _get(session, rec_id)
        own_uid = session.scalar(select(Committee.uid).where(Committee.relation == "self"))
        if row.origin_uid != own_uid:
            raise StateError(_("This recommendation was written by {origin}: only that "
                               "committee can change its form. Record a follow-up step "
                               "instead.").format(origin=row.origin_name))
        if row.status != "proposed":
            raise StateError(_("This recommendation was already « {status} »: its form can no "
                               "longer be changed; record a follow-up step with a note "
                               "instead.").format(status=_(STATUSES[row.status])))
        meeting = session.get(Meeting, row.meeting_id) if row.meeting_id else None
        if meeting is not None:
            _check_minutes_open(session, meeting)
        if meeting is not None and clean.deadline < meeting.date:
            raise InputError(_("The deadline ({deadline}) is before the session ({date}).")
                             .format(deadline=clean.deadline.isoformat(),
                                     date=meeting.date.isoformat()))
        item_id = None
        if clean.agenda_position is not None and meeting is not None:
            item_id = meetings.item_at(session, meeting, clean.agenda_position).id
        theme = _theme(session, clean.theme)
        place = places.find(session, clean.place) if clean.place else None
        row.problem, row.text = clean.problem, clean.text
        row.addressee, row.addressee_key = clean.addressee, fold(clean.addressee)
        row.follow_up_by, row.priority, row.deadline = (clean.follow_up_by, clean.priority,
                                                        clean.deadline)
        row.theme_id = theme.id if theme else None
        row.place_id = place.id if place else None
        row.agenda_item_id = item_id
        row.updated_at = datetime.now()
        _reindex(session, row, meeting, theme)
        journal.record(session, "recommendation.update", f"recommendation:{row.uid}",
                       {"addressee": row.addressee, "priority": row.priority,
                        "deadline": row.deadline, "theme": theme.label if theme else ""})


def _reindex(session: Session, row: Recommendation, meeting: Meeting | None,
             theme: Theme | None) -> None:
    title = _("Recommendation {number} — {meeting}").format(
        number=row.number, meeting=meetings.label_of(meeting) if meeting else row.origin_name)
    body = "\n".join([row.problem, row.text, row.addressee, row.follow_up_by,
                      theme.label if theme else ""])
    search.index(session, search.RECOMMENDATION, row.id, title, body)


def _get(session: Session, rec_id: int) -> Recommendation:
    row = session.get(Recommendation, rec_id)
    if row is None:
        raise NotFoundError(_("No recommendation has the number {id}.").format(id=rec_id))
    return row


def set_status(folder: DataFolder, rec_id: int, status: str, note: str = "",
               author: str | None = None) -> None:
    """Append a follow-up step; the history keeps every earlier one."""
    if status not in STATUSES:
        raise InputError(_("Unknown status: {status} ({known}).").format(
            status=status, known=", ".join(STATUSES)))
    note = note.strip()
    with folder.database.unit_of_work() as session:
        row = _get(session, rec_id)
        if status == row.status and not note:
            raise StateError(_("This recommendation is already « {status} »; add a note to "
                               "record a new step.").format(status=_(STATUSES[status])))
        now = datetime.now()
        who = author or journal._actor()
        # The deciding committee travels with the step to every level that holds the form.
        own = session.scalar(select(Committee).where(Committee.relation == "self"))
        session.add(RecommendationStatus(recommendation_id=row.id, status=status, at=now,
                                         author=who, note=note,
                                         committee_uid=own.uid if own else "",
                                         committee_name=own.name if own else ""))
        previous = row.status
        row.status, row.status_at, row.updated_at = status, now, now
        journal.record(session, "recommendation.status", f"recommendation:{row.uid}",
                       {"from": previous, "to": status, "note": note, "author": who})


def _to_info(row: Recommendation, meeting: Meeting | None, theme: str | None,
             place: str | None, today: date, position: int | None,
             history: tuple[StatusStep, ...] = ()) -> RecommendationInfo:
    return RecommendationInfo(
        id=row.id, uid=row.uid, number=row.number, meeting_id=row.meeting_id,
        meeting=meetings.label_of(meeting) if meeting else "",
        meeting_date=meeting.date if meeting else None, agenda_position=position,
        problem=row.problem, text=row.text, addressee=row.addressee,
        follow_up_by=row.follow_up_by, priority=row.priority, deadline=row.deadline,
        theme=theme or "", place=place or "", origin_uid=row.origin_uid,
        origin=row.origin_name, status=row.status, status_at=row.status_at,
        overdue=row.deadline < today and row.status not in CLOSED, history=history,
    )


_LIST_SQL = (
    "SELECT r.id, r.uid, r.number, r.meeting_id, r.problem, r.text, r.addressee, "
    "r.follow_up_by, r.priority, r.deadline, t.label, p.name, r.origin_uid, r.origin_name, "
    "r.status, r.status_at FROM recommendation r "
    "LEFT JOIN theme t ON r.theme_id = t.id LEFT JOIN place p ON r.place_id = p.id "
)
_OVERDUE_SQL = "r.deadline < :today AND r.status NOT IN ('implemented', 'rejected')"


def _as_date(value: object) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value  # type: ignore[return-value]


def _as_datetime(value: object) -> datetime:
    return (datetime.fromisoformat(value) if isinstance(value, str)  # type: ignore[return-value]
            else value)


def list_recommendations(folder: DataFolder, *, status: str | None = None,
                         addressee: str | None = None, theme: str | None = None,
                         meeting_id: int | None = None,
                         today: date | None = None) -> list[RecommendationInfo]:
    """The follow-up list: filtered, overdue ones first, then by deadline.

    It must stay under 100 ms over 10 000 forms on an old 2-core PC, hence plain SQL read
    as tuples (no ORM objects, no type conversion layer) and two queries — overdue, then
    the rest — each walking the deadline index in order instead of sorting whole rows.
    """
    today = today or date.today()
    if status is not None and status not in STATUSES:
        raise InputError(_("Unknown status: {status} ({known}).").format(
            status=status, known=", ".join(STATUSES)))
    where: list[str] = []
    params: dict[str, object] = {"today": today.isoformat()}
    if status is not None:
        where.append("r.status = :status")
        params["status"] = status
    if addressee and fold(addressee):
        escaped = fold(addressee).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append("r.addressee_key LIKE :addressee ESCAPE '\\'")
        params["addressee"] = f"%{escaped}%"
    if meeting_id is not None:
        where.append("r.meeting_id = :meeting")
        params["meeting"] = meeting_id
    with folder.database.reading() as session:
        if theme:
            found = _theme(session, theme)
            where.append("r.theme_id = :theme")
            params["theme"] = found.id if found else -1
        sessions = {m.id: (meetings.label_of(m), m.date)
                    for m in session.scalars(select(Meeting))}
        rows = []
        for part in (_OVERDUE_SQL, f"NOT ({_OVERDUE_SQL})"):
            statement = _LIST_SQL + "WHERE " + " AND ".join([part, *where]) + \
                " ORDER BY r.deadline, r.id"
            rows += session.execute(text(statement), params).all()
    result = []
    for (rec_id, uid, number, rec_meeting, problem, body, rec_addressee, follow_up_by,
         priority, deadline, theme_label, place, origin_uid, origin, rec_status,
         status_at) in rows:
        label, meeting_date = sessions.get(rec_meeting, ("", None))
        day = _as_date(deadline)
        result.append(RecommendationInfo(
            rec_id, uid, number, rec_meeting, label, meeting_date, None, problem, body,
            rec_addressee, follow_up_by, priority, day, theme_label or "", place or "",
            origin_uid, origin, rec_status, _as_datetime(status_at),
            day < today and rec_status not in CLOSED))
    return result


def get(folder: DataFolder, rec_id: int, today: date | None = None) -> RecommendationInfo:
    """One form with its whole status history, oldest step first."""
    with folder.database.reading() as session:
        return _with_history(session, [_get(session, rec_id)], today or date.today())[0]


def of_meeting(folder: DataFolder, meeting_id: int,
               today: date | None = None) -> list[RecommendationInfo]:
    """Every form of one session with its history, by number, as ``get`` gives each.

    In a fixed handful of queries whatever the number of forms: the session documents read
    them on every packet build, and ``get`` form by form cost 160 queries for 30 forms.
    """
    with folder.database.reading() as session:
        rows = list(session.scalars(select(Recommendation)
                                    .where(Recommendation.meeting_id == meeting_id)
                                    .order_by(Recommendation.number, Recommendation.id)))
        return _with_history(session, rows, today or date.today())


def _by_id(session: Session, model: type[_Row], ids: Iterable[int | None]) -> dict[int, _Row]:
    """The rows of ``model`` with these ids, in one query (none when no id is given)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {row.id: row for row in session.scalars(
        select(model).where(model.id.in_(wanted)))}  # type: ignore[attr-defined]


def _with_history(session: Session, rows: list[Recommendation],
                  today: date) -> list[RecommendationInfo]:
    """``rows`` as full infos: one query per related table, not per form."""
    from ccsdesk.core.storage.models import AgendaItem

    found_meetings = _by_id(session, Meeting, (r.meeting_id for r in rows))
    themes = _by_id(session, Theme, (r.theme_id for r in rows))
    items = _by_id(session, AgendaItem, (r.agenda_item_id for r in rows))
    found_places = _by_id(session, Place, (r.place_id for r in rows))
    # The places' ancestors, one level per query, so that ``path_of`` finds each parent in
    # the session's identity map instead of loading it on its own.
    known = dict(found_places)
    level = found_places
    while level:
        level = _by_id(session, Place, (p.parent_id for p in level.values()
                                        if p.parent_id not in known))
        known.update(level)
    steps: dict[int, list[StatusStep]] = {r.id: [] for r in rows}
    if steps:
        for s in session.scalars(select(RecommendationStatus)
                                 .where(RecommendationStatus.recommendation_id.in_(steps))
                                 .order_by(RecommendationStatus.id)):
            steps[s.recommendation_id].append(
                StatusStep(s.status, s.at, s.author, s.note, s.committee_name,
                           s.committee_uid))
    result = []
    for row in rows:
        meeting = found_meetings.get(row.meeting_id) if row.meeting_id else None
        theme = themes.get(row.theme_id) if row.theme_id else None
        place = found_places.get(row.place_id) if row.place_id else None
        item = items.get(row.agenda_item_id) if row.agenda_item_id else None
        result.append(_to_info(row, meeting, theme.label if theme else None,
                               places.path_of(place) if place else None, today,
                               item.position if item else None, tuple(steps[row.id])))
    return result


# --- Themes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeInfo:
    id: int
    label: str
    builtin: bool
    active: bool


def list_themes(folder: DataFolder) -> list[ThemeInfo]:
    with folder.database.reading() as session:
        return [ThemeInfo(t.id, t.label, t.builtin, t.active) for t in session.scalars(
            select(Theme).where(Theme.active.is_(True)).order_by(Theme.position, Theme.id))]


def add_theme(folder: DataFolder, label: str) -> int:
    """A new theme (same rules as the member categories: :mod:`label_lists`)."""
    return label_lists.add(folder, label_lists.THEMES, label)


def rename_theme(folder: DataFolder, theme_id: int, label: str) -> None:
    label_lists.rename(folder, label_lists.THEMES, theme_id, label)
