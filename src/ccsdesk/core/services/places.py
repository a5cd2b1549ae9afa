"""The editable reference table of Mali's administrative units.

People type place names in many ways ("segou", "Région de Ségou", "Commune IV"), so lookups
ignore case, accents and the usual prefixes, and a path ``Région/Cercle/Commune`` settles
homonyms (several communes share a name across the country).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccsdesk.core.errors import InputError, NotFoundError
from ccsdesk.core.i18n import _
from ccsdesk.core.services import journal
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import Place
from ccsdesk.core.text import fold

# Which kinds of unit may hold which: a commune sits in a cercle, or directly in a région
# or the District where no cercle is set up.
PARENT_KINDS: dict[str, tuple[str, ...]] = {
    "region": ("country",),
    "district": ("country",),
    "cercle": ("region",),
    "commune": ("cercle", "region", "district"),
}
_PREFIXES = ("region de ", "region d'", "district de ", "cercle de ", "cercle d'",
             "commune de ", "commune d'", "commune rurale de ", "commune urbaine de ")


@dataclass(frozen=True)
class PlaceInfo:
    """A place as the surfaces show it."""

    id: int
    kind: str
    name: str
    code: str | None
    parent_id: int | None
    path: str
    builtin: bool


def chain(place: Place) -> list[Place]:
    """The place and its ancestors, country first."""
    links: list[Place] = []
    current: Place | None = place
    while current is not None:
        links.append(current)
        current = current.parent
    return list(reversed(links))


def path_of(place: Place) -> str:
    """``Ségou / Macina / Kokry`` — the chain below the country."""
    return " / ".join(p.name for p in chain(place) if p.kind != "country")


def info(place: Place) -> PlaceInfo:
    return PlaceInfo(place.id, place.kind, place.name, place.code, place.parent_id,
                     path_of(place), place.builtin)


def _strip_prefix(key: str) -> str:
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def find(session: Session, query: str, kinds: tuple[str, ...] | None = None) -> Place:
    """The one place ``query`` names (optionally among ``kinds``); refuses none or several."""
    parts = [fold(part) for part in query.replace(">", "/").split("/") if part.strip()]
    if not parts:
        raise InputError(_("No place was given."))
    target = _strip_prefix(parts[-1])
    statement = select(Place).where(Place.name_key.in_({parts[-1], target}))
    if kinds:
        statement = statement.where(Place.kind.in_(kinds))
    candidates = [
        place for place in session.scalars(statement)
        if _ancestors_match(place, [_strip_prefix(p) for p in parts[:-1]])
    ]
    if not candidates:
        raise NotFoundError(
            _("The place « {place} » is not in the list of administrative units. "
              "Add it first (Settings → Places, or: ccsdesk places add).").format(place=query)
        )
    if len(candidates) > 1:
        raise InputError(
            _("Several places are called « {place} »: {choices}. "
              "Write the full path, for example « {example} ».").format(
                place=query,
                choices="; ".join(path_of(p) for p in candidates),
                example=path_of(candidates[0]),
            )
        )
    return candidates[0]


def _ancestors_match(place: Place, wanted: list[str]) -> bool:
    """Whether the folded names in ``wanted`` appear, in order, among the place's ancestors."""
    names = [fold(p.name) for p in chain(place)[:-1]]
    position = 0
    for name in wanted:
        try:
            position = names.index(name, position) + 1
        except ValueError:
            return False
    return True


def list_places(folder: DataFolder, kind: str | None = None) -> list[PlaceInfo]:
    with folder.database.reading() as session:
        statement = select(Place)
        if kind:
            statement = statement.where(Place.kind == kind)
        places = [info(p) for p in session.scalars(statement)]
    return sorted(places, key=lambda p: fold(p.path))


def add(folder: DataFolder, kind: str, name: str, parent: str, code: str | None = None) -> int:
    """Add a cercle or commune (or a région) under ``parent``; returns its id."""
    name = " ".join(name.split())
    if kind not in PARENT_KINDS:
        raise InputError(_("Unknown kind of place: {kind}.").format(kind=kind))
    if not name:
        raise InputError(_("The name of the place is empty."))
    with folder.database.unit_of_work() as session:
        parent_place = find(session, parent, PARENT_KINDS[kind])
        duplicate = session.scalar(
            select(Place).where(Place.parent_id == parent_place.id,
                                Place.name_key == fold(name), Place.kind == kind)
        )
        if duplicate is not None:
            raise InputError(
                _("« {name} » already exists under {parent}.").format(
                    name=name, parent=path_of(parent_place)
                )
            )
        place = Place(kind=kind, name=name, name_key=fold(name), code=code or None,
                      parent=parent_place, builtin=False)
        session.add(place)
        session.flush()
        journal.record(session, "place.add", f"place:{place.id}",
                       {"kind": kind, "name": name, "parent": parent_place.id})
        return place.id


def rename(folder: DataFolder, place_id: int, name: str) -> None:
    name = " ".join(name.split())
    if not name:
        raise InputError(_("The name of the place is empty."))
    with folder.database.unit_of_work() as session:
        place = session.get(Place, place_id)
        if place is None:
            raise NotFoundError(_("No place has the number {id}.").format(id=place_id))
        old = place.name
        place.name, place.name_key = name, fold(name)
        journal.record(session, "place.rename", f"place:{place.id}", {"from": old, "to": name})
