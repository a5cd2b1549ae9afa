"""The part every list table of the window shares: rows read from a service, fixed columns.

The lists (members, sessions, recommendations) are reloaded whole after each change rather
than patched, since they hold at most a few thousand rows; what differs between them is
only how a cell is shown, so that is all a subclass writes (``data``).
"""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ccsdesk.core.i18n import _

AnyIndex = QModelIndex | QPersistentModelIndex


class HasId(Protocol):
    @property
    def id(self) -> int: ...


Row = TypeVar("Row", bound=HasId)


class RowsModel(QAbstractTableModel, Generic[Row]):
    """Rows with an ``id``, and ``columns`` as ``(key, untranslated heading)`` pairs."""

    def __init__(self, columns: tuple[tuple[str, str], ...]) -> None:
        super().__init__()
        self.rows: list[Row] = []
        self.columns = columns

    def set_rows(self, rows: list[Row]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.rows_changed()
        self.endResetModel()

    def rows_changed(self) -> None:
        """Forget what was cached for the old rows (called inside the model reset)."""

    def row_of(self, row_id: int) -> int:
        """The row showing the record ``row_id``, or -1."""
        for row, item in enumerate(self.rows):
            if item.id == row_id:
                return row
        return -1

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(self.columns[section][1])
        return None
