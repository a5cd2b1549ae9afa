"""The Qt table model over the roster, and the proxy that searches and hides inactive rows.

The model holds :class:`MemberInfo` values read by ``roster.list_members``; it is reloaded
after each change rather than patched, because a commune roster is a few dozen rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from ccsdesk.core.i18n import N_, _
from ccsdesk.core.services import roster
from ccsdesk.core.services.member_fields import ROLES, SEXES
from ccsdesk.core.text import fold
from ccsdesk.gui.table_model import RowsModel

COLUMNS = (
    ("name", N_("Name")),
    ("sex", N_("Sex")),
    ("category", N_("Category")),
    ("organisation", N_("Organisation")),
    ("role", N_("Role")),
    ("mandate_end", N_("Mandate ends")),
    ("status", N_("Status")),
    ("phone", N_("Phone")),
)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
MEMBER_ROLE = Qt.ItemDataRole.UserRole
_ENDING_SOON = QColor("#fff1c2")
_INACTIVE = QColor("#777777")

AnyIndex = QModelIndex | QPersistentModelIndex


def french_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


class RosterModel(RowsModel[roster.MemberInfo]):
    """One row per member. ``rows``; ``member_at(row)``; ``row_of(id)``."""

    def __init__(self, today: date | None = None) -> None:
        super().__init__(COLUMNS)
        self.today = today or date.today()

    def member_at(self, row: int) -> roster.MemberInfo:
        return self.rows[row]

    def _ending_soon(self, member: roster.MemberInfo) -> bool:
        end = member.mandate_end
        horizon = self.today + timedelta(days=roster.ENDING_SOON_DAYS)
        return member.active and end is not None and self.today <= end <= horizon

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        member = self.rows[index.row()]
        column = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(member, column)
        if role == SORT_ROLE:
            if column == "name":
                return f"{fold(member.last_name)} {fold(member.first_names)}"
            if column == "mandate_end":
                return member.mandate_end.isoformat() if member.mandate_end else "9999"
            return fold(str(self._display(member, column)))
        if role == MEMBER_ROLE:
            return member
        if role == Qt.ItemDataRole.ForegroundRole and not member.active:
            return QBrush(_INACTIVE)
        if (role == Qt.ItemDataRole.BackgroundRole and column == "mandate_end"
                and self._ending_soon(member)):
            return QBrush(_ENDING_SOON)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "mandate_end" and self._ending_soon(member):
                return _("Mandate ends within {days} days").format(days=roster.ENDING_SOON_DAYS)
            return self._display(member, column) or None
        return None

    def _display(self, member: roster.MemberInfo, column: str) -> str:
        if column == "name":
            return member.full_name
        if column == "sex":
            return member.sex
        if column == "role":
            return _(ROLES.get(member.role, member.role))
        if column == "mandate_end":
            return french_date(member.mandate_end)
        if column == "status":
            return _("Active") if member.active else _("Inactive")
        return str(getattr(member, column))

    def search_text(self, row: int) -> str:
        """Everything a search may match in a row, folded once."""
        member = self.rows[row]
        parts = (member.last_name, member.first_names, member.category, member.organisation,
                 member.phone, member.email, _(ROLES.get(member.role, "")),
                 _(SEXES.get(member.sex, "")))
        return fold(" ".join(parts))


class RosterFilter(QSortFilterProxyModel):
    """Search words (all must match, accents and case ignored) and the inactive switch."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.show_inactive = False
        self.setSortRole(SORT_ROLE)
        self._cache: dict[int, str] = {}

    def setSourceModel(self, model: RosterModel) -> None:  # type: ignore[override]
        super().setSourceModel(model)
        model.modelReset.connect(self._cache.clear)

    def set_search(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "words", fold(text).split()))

    def set_show_inactive(self, show: bool) -> None:
        self._refilter(lambda: setattr(self, "show_inactive", show))

    def _refilter(self, change: Callable[[], None]) -> None:
        """Apply ``change`` to the filter; Qt 6.10 wants it bracketed, older Qt invalidated."""
        if hasattr(self, "endFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        assert isinstance(model, RosterModel)
        if not self.show_inactive and not model.member_at(source_row).active:
            return False
        if not self.words:
            return True
        text = self._cache.get(source_row)
        if text is None:
            text = self._cache[source_row] = model.search_text(source_row)
        return all(word in text for word in self.words)
