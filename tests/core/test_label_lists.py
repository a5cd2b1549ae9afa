"""Member categories and recommendation themes follow one set of rules (``label_lists``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ccsdesk.core.errors import InputError, NotFoundError
from ccsdesk.core.services import journal, label_lists, recommendations, roster
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import JournalEntry

LISTS = {
    "category": (roster.add_category, roster.rename_category,
                 lambda folder: [c.label for c in roster.list_categories(folder)]),
    "theme": (recommendations.add_theme, recommendations.rename_theme,
              lambda folder: [t.label for t in recommendations.list_themes(folder)]),
}


def _actions(folder: DataFolder) -> list[str]:
    with folder.database.reading() as session:
        return list(session.scalars(select(JournalEntry.action).order_by(JournalEntry.id)))


@pytest.mark.parametrize("subject", sorted(LISTS))
def test_one_rule_for_both_lists(folder: DataFolder, subject: str) -> None:
    add, rename, labels = LISTS[subject]
    before = labels(folder)
    new_id = add(folder, "  Sécurité   routière ")
    assert labels(folder) == [*before, "Sécurité routière"]  # at the end, spaces tidied
    with pytest.raises(InputError, match="existe déjà"):
        add(folder, "SECURITE ROUTIERE")  # same name but for accents and case
    with pytest.raises(InputError, match="est vide"):
        add(folder, "   ")
    with pytest.raises(InputError, match="existe déjà"):
        rename(folder, new_id, before[0].upper())
    with pytest.raises(NotFoundError):
        rename(folder, 99_999, "Autre")
    rename(folder, new_id, "Transports urbains")
    rename(folder, new_id, "transports URBAINS")  # its own name, other case: allowed
    assert labels(folder)[-1] == "transports URBAINS"
    assert _actions(folder)[-3:] == [f"{subject}.add", f"{subject}.rename", f"{subject}.rename"]
    assert journal.verify(folder.database).intact


def test_the_lists_are_told_apart() -> None:
    assert label_lists.CATEGORIES.subject == "category"
    assert label_lists.THEMES.subject == "theme"
