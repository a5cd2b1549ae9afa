"""The member roster: add, edit, deactivate, list, and the composition figures.

A member who attended a session stays in the record for good (they are deactivated, never
deleted), because signed minutes name them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccsdesk.core.errors import InputError, NotFoundError, StateError
from ccsdesk.core.i18n import _
from ccsdesk.core.services import journal, label_lists, member_fields
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import Attendance, Category, Convocation, Member
from ccsdesk.core.text import fold

ENDING_SOON_DAYS = 90


@dataclass
class MemberData:
    """The editable fields of a member, as a form or an import row gives them."""

    last_name: str
    first_names: str = ""
    sex: str = ""
    category_id: int | None = None
    organisation: str = ""
    role: str = "member"
    phone: str = ""
    email: str = ""
    mandate_start: date | None = None
    mandate_end: date | None = None
    active: bool = True

    def cleaned(self) -> MemberData:
        """A copy with whitespace tidied and every field checked; raises on the first fault."""
        last = " ".join(self.last_name.split())
        if not last:
            raise InputError(_("the name is missing"))
        if self.sex not in member_fields.SEXES:
            raise InputError(_("the sex is missing (F or M)"))
        if self.role not in member_fields.ROLES:
            raise InputError(_("unknown bureau role"))
        member_fields.check_mandate(self.mandate_start, self.mandate_end)
        return MemberData(
            last_name=last,
            first_names=" ".join(self.first_names.split()),
            sex=self.sex,
            category_id=self.category_id,
            organisation=" ".join(self.organisation.split()),
            role=self.role,
            phone=member_fields.clean_phone(self.phone),
            email=member_fields.clean_email(self.email),
            mandate_start=self.mandate_start,
            mandate_end=self.mandate_end,
            active=self.active,
        )


@dataclass(frozen=True)
class MemberInfo:
    """A member as lists and documents show it."""

    id: int
    uid: str
    last_name: str
    first_names: str
    sex: str
    category_id: int | None
    category: str
    organisation: str
    role: str
    phone: str
    email: str
    mandate_start: date | None
    mandate_end: date | None
    active: bool

    @property
    def full_name(self) -> str:
        """``TRAORÉ Aminata``: family name in capitals first, as on Malian lists."""
        return f"{self.last_name.upper()} {self.first_names}".strip()

    def data(self) -> MemberData:
        return MemberData(
            last_name=self.last_name, first_names=self.first_names, sex=self.sex,
            category_id=self.category_id, organisation=self.organisation, role=self.role,
            phone=self.phone, email=self.email, mandate_start=self.mandate_start,
            mandate_end=self.mandate_end, active=self.active,
        )


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    label: str
    position: int
    builtin: bool
    active: bool


def name_key(last_name: str, first_names: str) -> str:
    return f"{fold(last_name)}|{fold(first_names)}"


def to_info(member: Member) -> MemberInfo:
    return MemberInfo(
        id=member.id, uid=member.uid, last_name=member.last_name,
        first_names=member.first_names, sex=member.sex, category_id=member.category_id,
        category=member.category.label if member.category else "",
        organisation=member.organisation, role=member.role, phone=member.phone,
        email=member.email, mandate_start=member.mandate_start,
        mandate_end=member.mandate_end, active=member.active,
    )


def apply_data(member: Member, data: MemberData) -> None:
    """Copy cleaned ``data`` onto ``member`` (used by the form and the import alike)."""
    member.last_name = data.last_name
    member.first_names = data.first_names
    member.name_key = name_key(data.last_name, data.first_names)
    member.sex = data.sex
    member.category_id = data.category_id
    member.organisation = data.organisation
    member.role = data.role
    member.phone = data.phone
    member.email = data.email
    member.mandate_start = data.mandate_start
    member.mandate_end = data.mandate_end
    member.active = data.active
    member.updated_at = datetime.now()


def _check_category(session: Session, category_id: int | None) -> None:
    if category_id is not None and session.get(Category, category_id) is None:
        raise InputError(_("unknown category"))


def _journal_data(data: MemberData) -> dict[str, object]:
    return {key: value for key, value in asdict(data).items() if value not in ("", None)}


def add_member(folder: DataFolder, data: MemberData) -> int:
    clean = data.cleaned()
    with folder.database.unit_of_work() as session:
        _check_category(session, clean.category_id)
        now = datetime.now()
        member = Member(created_at=now, updated_at=now)
        apply_data(member, clean)
        session.add(member)
        session.flush()
        journal.record(session, "member.add", f"member:{member.uid}", _journal_data(clean))
        return member.id


def _get(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFoundError(_("No member has the number {id}.").format(id=member_id))
    return member


def update_member(folder: DataFolder, member_id: int, data: MemberData) -> None:
    clean = data.cleaned()
    with folder.database.unit_of_work() as session:
        _check_category(session, clean.category_id)
        member = _get(session, member_id)
        apply_data(member, clean)
        journal.record(session, "member.update", f"member:{member.uid}", _journal_data(clean))


def set_active(folder: DataFolder, member_id: int, active: bool) -> None:
    """Deactivate (or reactivate) a member; they stay in the record either way."""
    with folder.database.unit_of_work() as session:
        member = _get(session, member_id)
        member.active = active
        member.updated_at = datetime.now()
        journal.record(session, "member.activate" if active else "member.deactivate",
                       f"member:{member.uid}", {"active": active})


def delete_member(folder: DataFolder, member_id: int) -> None:
    """Remove a member entered by mistake; refused once a session's record names them.

    Signed minutes and attendance lists must keep naming whoever attended or was convened,
    so such a member can only be deactivated.
    """
    with folder.database.unit_of_work() as session:
        member = _get(session, member_id)
        used = session.scalar(select(func.count()).select_from(Attendance).where(
            (Attendance.member_id == member_id) | (Attendance.represented_by_id == member_id)))
        used = used or session.scalar(select(func.count()).select_from(Convocation).where(
            Convocation.member_id == member_id))
        if used:
            raise StateError(
                _("{name} appears in the record of a session (attendance or convocation) and "
                  "cannot be deleted: deactivate them instead. Nothing changed.").format(
                    name=to_info(member).full_name))
        journal.record(session, "member.delete", f"member:{member.uid}",
                       {"last_name": member.last_name, "first_names": member.first_names})
        session.delete(member)


def get_member(folder: DataFolder, member_id: int) -> MemberInfo:
    with folder.database.reading() as session:
        return to_info(_get(session, member_id))


def list_members(folder: DataFolder, *, active_only: bool = False) -> list[MemberInfo]:
    with folder.database.reading() as session:
        statement = select(Member)
        if active_only:
            statement = statement.where(Member.active.is_(True))
        members = [to_info(m) for m in session.scalars(statement)]
    return sorted(members, key=lambda m: (fold(m.last_name), fold(m.first_names)))


def homonyms(folder: DataFolder, last_name: str, first_names: str,
             exclude: int | None = None) -> list[MemberInfo]:
    """Members with the same name, so the form can ask before creating a second one."""
    with folder.database.reading() as session:
        statement = select(Member).where(Member.name_key == name_key(last_name, first_names))
        return [to_info(m) for m in session.scalars(statement) if m.id != exclude]


def list_categories(folder: DataFolder, *, include_inactive: bool = False) -> list[CategoryInfo]:
    with folder.database.reading() as session:
        statement = select(Category).order_by(Category.position, Category.id)
        if not include_inactive:
            statement = statement.where(Category.active.is_(True))
        return [CategoryInfo(c.id, c.label, c.position, c.builtin, c.active)
                for c in session.scalars(statement)]


def add_category(folder: DataFolder, label: str) -> int:
    """A new member category (same rules as the themes: :mod:`label_lists`)."""
    return label_lists.add(folder, label_lists.CATEGORIES, label)


def rename_category(folder: DataFolder, category_id: int, label: str) -> None:
    label_lists.rename(folder, label_lists.CATEGORIES, category_id, label)


@dataclass(frozen=True)
class Composition:
    """The figures funders and supervisors ask about, over active voting members."""

    active: int
    women: int
    men: int
    by_category: list[tuple[str, int]] = field(default_factory=list)
    ending_soon: list[MemberInfo] = field(default_factory=list)
    ended: list[MemberInfo] = field(default_factory=list)

    @property
    def women_share(self) -> float:
        return self.women / self.active if self.active else 0.0


def composition(folder: DataFolder, today: date | None = None) -> Composition:
    today = today or date.today()
    horizon = today + timedelta(days=ENDING_SOON_DAYS)
    voting = [m for m in list_members(folder, active_only=True) if m.role != "guest"]
    counts: dict[str, int] = {}
    for member in voting:
        label = member.category or _("No category")
        counts[label] = counts.get(label, 0) + 1
    order = {c.label: c.position for c in list_categories(folder, include_inactive=True)}
    by_category = sorted(counts.items(), key=lambda item: (order.get(item[0], 10**6), item[0]))
    with_end = [m for m in voting if m.mandate_end is not None]
    return Composition(
        active=len(voting),
        women=sum(1 for m in voting if m.sex == "F"),
        men=sum(1 for m in voting if m.sex == "M"),
        by_category=by_category,
        ending_soon=sorted((m for m in with_end if today <= m.mandate_end <= horizon),
                           key=lambda m: m.mandate_end),
        ended=sorted((m for m in with_end if m.mandate_end < today),
                     key=lambda m: m.mandate_end),
    )
