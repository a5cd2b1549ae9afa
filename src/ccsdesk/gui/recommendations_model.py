"""The Qt table model over recommendation forms, shared by the follow-up page and the
session view.

The follow-up list may hold 10 000 forms, so the model only keeps the tuples the service
returns and formats a cell when Qt asks for it; filtering and ordering (overdue first) are
done by the service in SQL, not by a proxy here.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from ccsdesk.core.formats import short_date
from ccsdesk.core.i18n import N_, _
from ccsdesk.core.services import recommendations
from ccsdesk.core.services.recommendations import RecommendationInfo
from ccsdesk.gui.table_model import RowsModel

COLUMNS = (
    ("number", N_("No.")),
    ("deadline", N_("Deadline")),
    ("status", N_("Status")),
    ("text", N_("Recommendation")),
    ("addressee", N_("Addressee")),
    ("theme", N_("Theme")),
    ("priority", N_("Priority")),
    ("meeting", N_("Session")),
)
REC_ROLE = Qt.ItemDataRole.UserRole
# Overdue: red; due within DUE_SOON_DAYS and still open: orange.
OVERDUE = QColor("#f6d2cf")
DUE_SOON = QColor("#fde3bf")
DUE_SOON_DAYS = 14

AnyIndex = QModelIndex | QPersistentModelIndex


class RecommendationsModel(RowsModel[RecommendationInfo]):
    """One row per form, in the order the service gave (overdue first)."""

    def __init__(self, today: date | None = None, with_meeting: bool = True) -> None:
        super().__init__(COLUMNS if with_meeting else COLUMNS[:-1])
        self.today = today or date.today()
        # Translated once per model, not once per painted cell.
        self._statuses = {code: _(label) for code, label in recommendations.STATUSES.items()}
        self._priorities = {code: _(label) for code, label in recommendations.PRIORITIES.items()}
        self._dates: dict[date, str] = {}

    def rows_changed(self) -> None:
        self._dates.clear()

    def due_soon(self, info: RecommendationInfo) -> bool:
        return (not info.overdue and info.status not in recommendations.CLOSED
                and info.deadline <= self.today + timedelta(days=DUE_SOON_DAYS))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        info = self.rows[index.row()]
        column = self.columns[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(info, column)
        if role == REC_ROLE:
            return info
        if role == Qt.ItemDataRole.BackgroundRole:
            if info.overdue:
                return QBrush(OVERDUE)
            if self.due_soon(info):
                return QBrush(DUE_SOON)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "deadline" and info.overdue:
                return _("Overdue: the deadline has passed and it is not settled.")
            if column == "deadline" and self.due_soon(info):
                return _("Due within {days} days.").format(days=DUE_SOON_DAYS)
            if column == "text":
                return info.text
            return self._display(info, column) or None
        return None

    def _display(self, info: RecommendationInfo, column: str) -> str:
        if column == "number":
            return str(info.number)
        if column == "deadline":
            text = self._dates.get(info.deadline)
            if text is None:
                text = self._dates[info.deadline] = short_date(info.deadline)
            return text
        if column == "status":
            return self._statuses.get(info.status, info.status)
        if column == "priority":
            return self._priorities.get(info.priority, info.priority)
        if column == "text":
            return " ".join(info.text.split())[:160]
        return str(getattr(info, column))
