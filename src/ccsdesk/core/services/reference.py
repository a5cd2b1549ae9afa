"""Reference tables shipped with the program: Mali's administrative units, member categories.

Both are seeded once into a new data folder and then belong to the secretariat, which may add
and rename entries (a commune that is missing, a category of its own).
"""

from __future__ import annotations

import csv

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from ccsdesk.core.i18n import N_
from ccsdesk.core.resources import resource_path
from ccsdesk.core.storage.database import Database
from ccsdesk.core.storage.models import Category, Place
from ccsdesk.core.text import fold, fold_key

PLACE_KINDS: dict[str, str] = {
    "country": N_("country"),
    "district": N_("district"),
    "region": N_("region"),
    "cercle": N_("cercle"),
    "commune": N_("commune"),
}

# Labels are French data, not interface text: they are editable rows printed on documents.
SEED_CATEGORIES: tuple[str, ...] = (
    "Élus",
    "Administration",
    "FDS – Police nationale",
    "FDS – Gendarmerie nationale",
    "FDS – Garde nationale",
    "FDS – Protection civile",
    "FDS – Armée",
    "Justice",
    "Autorités traditionnelles et religieuses",
    "Société civile",
    "Femmes",
    "Jeunes",
    "Chasseurs",
    "Partenaires",
)


def is_seeded(database: Database) -> bool:
    """Whether both reference tables hold rows: one read query, no write lock.

    Opening a folder calls this every time, so the common case (already seeded) must not
    take the write lock that ``BEGIN IMMEDIATE`` would, nor count whole tables.
    """
    with database.reading() as session:
        places, categories = session.execute(
            select(exists().select_from(Place), exists().select_from(Category))
        ).one()
    return bool(places and categories)


def seed_if_empty(database: Database) -> None:
    """Fill the places and categories of a new data folder from the shipped lists."""
    if is_seeded(database):
        return
    with database.unit_of_work() as session:
        if session.scalar(select(func.count()).select_from(Place)) == 0:
            _seed_places(session)
        if session.scalar(select(func.count()).select_from(Category)) == 0:
            for position, label in enumerate(SEED_CATEGORIES):
                session.add(
                    Category(label=label, label_key=fold_key(label), position=position,
                             builtin=True)
                )


def _seed_places(session: Session) -> None:
    by_name: dict[str, Place] = {}
    with resource_path("places", "mali_units.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            parent = by_name.get(row["parent"]) if row["parent"] else None
            place = Place(
                kind=row["kind"],
                name=row["name"],
                name_key=fold(row["name"]),
                code=row["code"] or None,
                parent=parent,
                builtin=True,
            )
            session.add(place)
            by_name[row["name"]] = place
    session.flush()
