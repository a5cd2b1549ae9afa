"""The lists of labels a committee may extend and rename: member categories and
recommendation themes.

Both are stored alike (a label, its accent- and case-free key, a position, a built-in flag)
and change alike: a new label goes at the end, a name may not repeat another one ignoring
accents and case, and every change is journalled. One implementation serves both, so that a
rule changed for one list cannot drift away from the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ccsdesk.core.errors import InputError, NotFoundError
from ccsdesk.core.i18n import N_, _
from ccsdesk.core.services import journal
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import Category, Theme
from ccsdesk.core.text import fold_key


@dataclass(frozen=True)
class LabelList:
    """One list: its table, its name in the journal, and its three refusals (English ids)."""

    model: type[Category] | type[Theme]
    subject: str
    empty: str
    exists: str
    unknown: str


CATEGORIES = LabelList(Category, "category", N_("The category's name is empty."),
                       N_("The category « {label} » already exists."),
                       N_("No category has the number {id}."))
THEMES = LabelList(Theme, "theme", N_("The theme's name is empty."),
                   N_("The theme « {label} » already exists."),
                   N_("No theme has the number {id}."))


def _checked(kind: LabelList, label: str) -> str:
    label = " ".join(label.split())
    if not label:
        raise InputError(_(kind.empty))
    return label


def add(folder: DataFolder, kind: LabelList, label: str) -> int:
    """A new label at the end of the list; refused if empty or already there."""
    label = _checked(kind, label)
    model = kind.model
    with folder.database.unit_of_work() as session:
        if session.scalar(select(model).where(model.label_key == fold_key(label))):
            raise InputError(_(kind.exists).format(label=label))
        position = (session.scalar(select(func.max(model.position))) or 0) + 1
        row = model(label=label, label_key=fold_key(label), position=position,
                    builtin=False, active=True)
        session.add(row)
        session.flush()
        journal.record(session, f"{kind.subject}.add", f"{kind.subject}:{row.id}",
                       {"label": label})
        return row.id


def rename(folder: DataFolder, kind: LabelList, row_id: int, label: str) -> None:
    """Rename a label (built-in ones too); refused if the new name is another's."""
    label = _checked(kind, label)
    model = kind.model
    with folder.database.unit_of_work() as session:
        row = session.get(model, row_id)
        if row is None:
            raise NotFoundError(_(kind.unknown).format(id=row_id))
        clash = session.scalar(select(model).where(model.label_key == fold_key(label)))
        if clash is not None and clash.id != row_id:
            raise InputError(_(kind.exists).format(label=label))
        old = row.label
        row.label, row.label_key = label, fold_key(label)
        journal.record(session, f"{kind.subject}.rename", f"{kind.subject}:{row.id}",
                       {"from": old, "to": label})
