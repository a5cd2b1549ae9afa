"""Attendance per member and the quorum it gives.

The quorum rule is an assumed rule (domain.md), so it is a setting: by default the majority
of the members in office, i.e. more than half of the active members with a vote (members
whose bureau role is "guest" are recorded but never counted). A member represented by
another counts as present, and the representative must be present at that session. A
second convocation deliberates whatever the attendance (also a setting).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccsdesk.core.errors import InputError, NotFoundError, StateError
from ccsdesk.core.i18n import N_, _
from ccsdesk.core.services import journal, meetings, settings
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import Attendance, Meeting, Member
from ccsdesk.core.text import fold

STATUSES: dict[str, str] = {
    "present": N_("present"),
    "absent": N_("absent"),
    "excused": N_("excused"),
    "represented": N_("represented"),
}
COUNTED = ("present", "represented")

QUORUM_RULE = "quorum.rule"
SECOND_CONVOCATION_DELIBERATES = "quorum.second_convocation_deliberates"
RULES: dict[str, str] = {
    "majority": N_("majority of the members in office"),
    "half": N_("half of the members in office"),
    "two_thirds": N_("two thirds of the members in office"),
}
DEFAULT_RULE = "majority"


def required(rule: str, in_office: int) -> int:
    """How many members must attend for ``rule`` with ``in_office`` voting members."""
    if rule == "half":
        return (in_office + 1) // 2
    if rule == "two_thirds":
        return -(-2 * in_office // 3)
    return in_office // 2 + 1


@dataclass(frozen=True)
class Rules:
    rule: str
    second_convocation_deliberates: bool


def rules(folder: DataFolder) -> Rules:
    rule = settings.get(folder, QUORUM_RULE, DEFAULT_RULE)
    if rule not in RULES:
        rule = DEFAULT_RULE
    return Rules(rule, bool(settings.get(folder, SECOND_CONVOCATION_DELIBERATES, True)))


@dataclass(frozen=True)
class Quorum:
    """Whether the session may deliberate, with the counts behind it."""

    recorded: bool
    reached: bool
    present: int
    represented: int
    required: int
    in_office: int
    rule: str
    second_convocation: bool

    @property
    def counted(self) -> int:
        return self.present + self.represented

    def as_dict(self) -> dict[str, object]:
        return {"recorded": self.recorded, "reached": self.reached, "present": self.present,
                "represented": self.represented, "counted": self.counted,
                "required": self.required, "in_office": self.in_office, "rule": self.rule,
                "second_convocation": self.second_convocation}


def _voting() -> list:  # type: ignore[type-arg]
    return [Member.active.is_(True), Member.role != "guest"]


def _decide(meeting: Meeting, found: Rules, in_office: int, counts: dict[str, int],
            recorded: bool) -> Quorum:
    need = required(found.rule, in_office)
    present, represented = counts.get("present", 0), counts.get("represented", 0)
    second = meeting.second_convocation_of_id is not None
    reached = (second and found.second_convocation_deliberates) or (
        recorded and in_office > 0 and present + represented >= need)
    return Quorum(recorded, reached, present, represented, need, in_office, found.rule, second)


def _in_office(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Member).where(*_voting())) or 0


def _from_snapshot(snapshot: str) -> Quorum:
    data = json.loads(snapshot)
    return Quorum(data["recorded"], data["reached"], data["present"], data["represented"],
                  data["required"], data["in_office"], data["rule"],
                  data["second_convocation"])


def snapshot(session: Session, meeting: Meeting, found: Rules) -> None:
    """Freeze the quorum on the session (at adoption: the PV states it from then on)."""
    meeting.quorum_snapshot = None
    quorum_now = compute(session, meeting, found)
    data = quorum_now.as_dict()
    data.pop("counted")
    meeting.quorum_snapshot = json.dumps(data, sort_keys=True)


def compute(session: Session, meeting: Meeting, found: Rules) -> Quorum:
    """The quorum of ``meeting`` inside an open session (frozen once minutes are adopted)."""
    if meeting.quorum_snapshot:
        return _from_snapshot(meeting.quorum_snapshot)
    counts = dict(session.execute(
        select(Attendance.status, func.count()).join(Member, Attendance.member_id == Member.id)
        .where(Attendance.meeting_id == meeting.id, *_voting())
        .group_by(Attendance.status)
    ).all())
    return _decide(meeting, found, _in_office(session), counts,
                   meetings.has_attendance(session, meeting.id))


def quorum(folder: DataFolder, meeting_id: int) -> Quorum:
    found = rules(folder)
    with folder.database.reading() as session:
        return compute(session, meetings.get_row(session, meeting_id), found)


def quorums(folder: DataFolder) -> dict[int, Quorum]:
    """The quorum of every session (for lists), counting members in office once."""
    found = rules(folder)
    with folder.database.reading() as session:
        in_office = _in_office(session)
        counts: dict[int, dict[str, int]] = {}
        for meeting_id, status, count in session.execute(
                select(Attendance.meeting_id, Attendance.status, func.count())
                .join(Member, Attendance.member_id == Member.id).where(*_voting())
                .group_by(Attendance.meeting_id, Attendance.status)):
            counts.setdefault(meeting_id, {})[status] = count
        recorded = set(session.scalars(select(Attendance.meeting_id).distinct()))
        return {m.id: _from_snapshot(m.quorum_snapshot) if m.quorum_snapshot else
                _decide(m, found, in_office, counts.get(m.id, {}), m.id in recorded)
                for m in session.scalars(select(Meeting))}


@dataclass(frozen=True)
class AttendanceInfo:
    member_id: int
    name: str
    role: str
    votes: bool
    status: str | None
    represented_by: int | None
    represented_by_name: str


def _name(member: Member) -> str:
    return f"{member.last_name.upper()} {member.first_names}".strip()


def set_attendance(folder: DataFolder, meeting_id: int, member_id: int, status: str,
                   represented_by: int | None = None) -> Quorum:
    """Record one member's attendance; returns the quorum it now gives."""
    if status not in STATUSES:
        raise InputError(_("Unknown attendance: {status} (present, absent, excused, "
                           "represented).").format(status=status))
    if status == "represented" and represented_by is None:
        raise InputError(_("Say who represents the member (a member present at the "
                           "session)."))
    if status != "represented" and represented_by is not None:
        raise InputError(_("Only a represented member has a representative."))
    found = rules(folder)
    with folder.database.unit_of_work() as session:
        meeting = meetings.get_row(session, meeting_id)
        meetings.check_open(session, meeting)
        member = session.get(Member, member_id)
        if member is None:
            raise NotFoundError(_("No member has the number {id}.").format(id=member_id))
        row = session.scalar(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                      Attendance.member_id == member_id))
        if not member.active and row is None:
            raise StateError(_("{name} is no longer an active member.").format(
                name=_name(member)))
        if represented_by is not None:
            if represented_by == member_id:
                raise InputError(_("A member cannot represent themselves."))
            proxy = session.get(Member, represented_by)
            if proxy is None:
                raise NotFoundError(_("No member has the number {id}.").format(
                    id=represented_by))
            proxy_status = session.scalar(select(Attendance.status).where(
                Attendance.meeting_id == meeting.id, Attendance.member_id == represented_by))
            if proxy_status != "present":
                raise InputError(_("{proxy} is not marked present at this session, so cannot "
                                   "represent {name}. Mark them present first.").format(
                                       proxy=_name(proxy), name=_name(member)))
        if row is not None and row.status == "present" and status != "present":
            represents = session.scalar(select(Member).join(
                Attendance, Attendance.member_id == Member.id).where(
                Attendance.meeting_id == meeting.id,
                Attendance.represented_by_id == member_id).limit(1))
            if represents is not None:
                raise StateError(_("{name} represents {other} at this session: change "
                                   "{other}'s attendance first.").format(
                                       name=_name(member), other=_name(represents)))
        previous = row.status if row else None
        if row is None:
            row = Attendance(meeting_id=meeting.id, member_id=member_id, status=status,
                             represented_by_id=represented_by)
            session.add(row)
        else:
            row.status, row.represented_by_id = status, represented_by
        if meeting.state == "planned":
            meeting.state = "held"
        meetings._touch(meeting)
        session.flush()
        journal.record(session, "attendance.set", f"meeting:{meeting.uid}",
                       {"member": member.uid, "from": previous, "to": status,
                        "represented_by": represented_by})
        return compute(session, meeting, found)


def list_attendance(folder: DataFolder, meeting_id: int) -> list[AttendanceInfo]:
    """Every active member (and anyone already recorded), in roster order."""
    with folder.database.reading() as session:
        meetings.get_row(session, meeting_id)
        rows = {a.member_id: a for a in session.scalars(
            select(Attendance).where(Attendance.meeting_id == meeting_id))}
        members = {m.id: m for m in session.scalars(
            select(Member).where(Member.active.is_(True) | Member.id.in_(list(rows))))}
        ordered = sorted(members.values(), key=lambda m: (fold(m.last_name), fold(m.first_names)))
        result = []
        for member in ordered:
            row = rows.get(member.id)
            proxy = members.get(row.represented_by_id) if row and row.represented_by_id \
                else None
            if row and row.represented_by_id and proxy is None:
                proxy = session.get(Member, row.represented_by_id)
            result.append(AttendanceInfo(
                member_id=member.id, name=_name(member), role=member.role,
                votes=member.role != "guest", status=row.status if row else None,
                represented_by=row.represented_by_id if row else None,
                represented_by_name=_name(proxy) if proxy else ""))
        return result
