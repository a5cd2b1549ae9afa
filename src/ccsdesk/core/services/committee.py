"""This committee's profile: first-run set-up, its keys, and what ``status`` reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccsdesk.core.errors import InputError, StateError
from ccsdesk.core.exchange import keys, keystore
from ccsdesk.core.i18n import N_, _
from ccsdesk.core.services import journal, places
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import Committee, Meeting, Member, Recommendation

LEVELS: dict[str, str] = {
    "commune": N_("commune"),
    "cercle": N_("cercle"),
    "district": N_("District"),
    "region": N_("region"),
    "national": N_("national"),
}
# The kind of administrative unit a committee of each level sits in.
PLACE_KIND_OF_LEVEL: dict[str, str] = {
    "commune": "commune",
    "cercle": "cercle",
    "district": "district",
    "region": "region",
    "national": "country",
}


@dataclass(frozen=True)
class Profile:
    """This committee as every screen and command shows it."""

    id: int
    uid: str
    level: str
    name: str
    place_id: int | None
    place: str
    chair_title: str
    fingerprint: str
    is_demo: bool
    created_at: datetime


def _to_profile(row: Committee) -> Profile:
    return Profile(
        id=row.id, uid=row.uid, level=row.level, name=row.name, place_id=row.place_id,
        place=places.path_of(row.place) if row.place else "", chair_title=row.chair_title,
        fingerprint=row.fingerprint, is_demo=row.is_demo, created_at=row.created_at,
    )


def _own(session: Session) -> Committee | None:
    return session.scalar(select(Committee).where(Committee.relation == "self"))


def profile(folder: DataFolder) -> Profile | None:
    """This committee, or ``None`` before the first-run set-up."""
    with folder.database.reading() as session:
        row = _own(session)
        return _to_profile(row) if row else None


def require_profile(folder: DataFolder) -> Profile:
    found = profile(folder)
    if found is None:
        raise StateError(
            _("This data folder has no committee yet: set it up first (ccsdesk init).")
        )
    return found


def initialize(
    folder: DataFolder,
    *,
    level: str,
    name: str,
    place: str,
    passphrase: str,
    chair_title: str = "",
    demo: bool = False,
) -> Profile:
    """Set up this committee and create its keys, sealed with ``passphrase``."""
    name = " ".join(name.split())
    if level not in LEVELS:
        raise InputError(_("Unknown level: {level}.").format(level=level))
    if not name:
        raise InputError(_("The committee's name is empty."))
    keystore.check_passphrase_strength(passphrase)
    with folder.database.reading() as session:
        if _own(session) is not None:
            raise StateError(_("This data folder already holds a committee; nothing changed."))
        found = places.find(session, place, (PLACE_KIND_OF_LEVEL[level],))
        place_id, place_path = found.id, places.path_of(found)
    secrets, public = keys.generate(name, place_path)
    keys.save(folder.keys_dir, secrets, public, passphrase)
    with folder.database.unit_of_work() as session:
        if _own(session) is not None:
            raise StateError(_("This data folder already holds a committee; nothing changed."))
        row = Committee(
            relation="self", level=level, name=name, place_id=place_id,
            chair_title=" ".join(chair_title.split()),
            signing_certificate=public.certificate_pem, age_recipient=public.age_recipient,
            fingerprint=public.fingerprint, is_demo=demo, created_at=datetime.now(),
        )
        session.add(row)
        session.flush()
        journal.record(session, "committee.init", f"committee:{row.uid}",
                       {"level": level, "name": name, "place": place_path,
                        "fingerprint": public.fingerprint, "demo": demo})
        return _to_profile(row)


def update(folder: DataFolder, *, name: str, chair_title: str) -> Profile:
    """Change the committee's name or the chair's title (level and place stay)."""
    name = " ".join(name.split())
    if not name:
        raise InputError(_("The committee's name is empty."))
    with folder.database.unit_of_work() as session:
        row = _own(session)
        if row is None:
            raise StateError(_("This data folder has no committee yet."))
        changes = {"name": [row.name, name], "chair_title": [row.chair_title, chair_title]}
        row.name, row.chair_title = name, " ".join(chair_title.split())
        journal.record(session, "committee.update", f"committee:{row.uid}", changes)
        return _to_profile(row)


def check_passphrase(folder: DataFolder, passphrase: str) -> None:
    """Raise :class:`WrongPassphraseError` unless ``passphrase`` opens the keys."""
    keys.unlock(folder.keys_dir, passphrase)


@dataclass(frozen=True)
class Counts:
    members: int
    active_members: int
    meetings: int = 0
    recommendations: int = 0


def counts(folder: DataFolder) -> Counts:
    with folder.database.reading() as session:
        total = session.scalar(select(func.count()).select_from(Member)) or 0
        active = session.scalar(
            select(func.count()).select_from(Member).where(Member.active.is_(True))
        ) or 0
        meetings = session.scalar(select(func.count()).select_from(Meeting)) or 0
        recommendations = session.scalar(
            select(func.count()).select_from(Recommendation)) or 0
    return Counts(members=total, active_members=active, meetings=meetings,
                  recommendations=recommendations)
