"""The Sessions page: the list of sessions, « New session », and the session view it opens.

The list and the open session share one page (a stack) so that going back to the list is
one click or Escape, and the list is read again each time, since the session view changes
states and quorums.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.errors import CcsError
from ccsdesk.core.formats import long_date
from ccsdesk.core.i18n import N_, _
from ccsdesk.core.services import attendance, meetings
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.form_parts import lay_out_form, problem_label
from ccsdesk.gui.table_model import RowsModel

Notify = Callable[[str, Callable[[], None] | None], None]

COLUMNS = (
    ("label", N_("Session")),
    ("date", N_("Date")),
    ("time", N_("Time")),
    ("venue", N_("Venue")),
    ("state", N_("State")),
    ("quorum", N_("Quorum")),
)
MEETING_ROLE = Qt.ItemDataRole.UserRole
_NO_QUORUM = QColor("#f6d2cf")

AnyIndex = QModelIndex | QPersistentModelIndex


def quorum_text(quorum: attendance.Quorum) -> str:
    """A short quorum cell: « atteint (5/5) », « non atteint (3/5) », « — »."""
    if quorum.second_convocation and quorum.reached and not quorum.recorded:
        return _("second convocation")
    if not quorum.recorded:
        return "—"
    figures = f"{quorum.counted}/{quorum.required}"
    return (_("reached ({figures})") if quorum.reached
            else _("not reached ({figures})")).format(figures=figures)


class MeetingsModel(RowsModel[meetings.MeetingInfo]):
    """One row per session, latest first (the service's order)."""

    def __init__(self) -> None:
        super().__init__(COLUMNS)
        self.quorums: dict[int, attendance.Quorum] = {}

    def set_sessions(self, rows: list[meetings.MeetingInfo],
                     quorums: dict[int, attendance.Quorum]) -> None:
        self.quorums = quorums
        self.set_rows(rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        info = self.rows[index.row()]
        column = COLUMNS[index.column()][0]
        quorum = self.quorums.get(info.id)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "date":
                return long_date(info.date)
            if column == "state":
                return _(meetings.STATES.get(info.state, info.state))
            if column == "quorum":
                return quorum_text(quorum) if quorum else "—"
            return str(getattr(info, column))
        if role == MEETING_ROLE:
            return info
        if (role == Qt.ItemDataRole.BackgroundRole and column == "quorum" and quorum
                and quorum.recorded and not quorum.reached):
            return QBrush(_NO_QUORUM)
        return None


class NewSessionDialog(QDialog):
    """Date, time, kind and venue of a new session — or, given ``info``, of a planned one
    being moved (its kind and number stay). Attribute ``meeting`` once saved."""

    def __init__(self, folder: DataFolder, parent: QWidget | None = None,
                 info: meetings.MeetingInfo | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.info = info
        self.meeting: meetings.MeetingInfo | None = None
        self.setWindowTitle(_("Change the session") if info else _("New session"))
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        soon = date.today() + timedelta(days=14)
        self.date.setDate(QDate(soon.year, soon.month, soon.day))
        self.time = QLineEdit("09:00")
        self.time.setPlaceholderText(_("HH:MM, e.g. 09:30"))
        self.kind = QComboBox()
        for code, label in meetings.KINDS.items():
            self.kind.addItem(_(label), code)
        self.venue = QLineEdit()
        self.venue.setPlaceholderText(_("e.g. Town hall, meeting room"))
        self.problem = problem_label()
        form = QFormLayout()
        form.addRow(_("Date:"), self.date)
        form.addRow(_("Time:"), self.time)
        form.addRow(_("Kind:"), self.kind)
        form.addRow(_("Venue:"), self.venue)
        note = QLabel(_("The session is numbered automatically for its year and kind; the "
                        "adoption of the previous minutes is proposed as its first agenda "
                        "item."))
        if info is not None:
            self.date.setDate(QDate(info.date.year, info.date.month, info.date.day))
            self.time.setText(info.time)
            self.kind.setCurrentIndex(self.kind.findData(info.kind))
            self.kind.setEnabled(False)
            self.venue.setText(info.venue)
            note.setText(_("The session keeps its number; it cannot move to another year."))
        note.setWordWrap(True)
        note.setObjectName("hint")
        self.buttons = lay_out_form(self, form, self.problem, self._on_save, width=540,
                                    after=(note,))

    def chosen_date(self) -> date:
        value = self.date.date()
        return date(value.year(), value.month(), value.day())

    def _on_save(self) -> None:
        try:
            if self.info is not None:
                self.meeting = meetings.update_meeting(
                    self.folder, self.info.id, on=self.chosen_date(), time=self.time.text(),
                    venue=self.venue.text())
            else:
                self.meeting = meetings.create_meeting(
                    self.folder, on=self.chosen_date(), time=self.time.text(),
                    kind=self.kind.currentData(), venue=self.venue.text())
        except CcsError as error:
            self.problem.setText(error.message)
            self.problem.show()
            return
        self.accept()


class SessionsPage(QWidget):
    """The list of sessions and, once one is opened, its view (``self.view``).

    Signals: ``search_requested(str)`` when Enter is pressed in the search box (the main
    window's search dialog answers), ``recommendations_changed()`` so the follow-up page
    can reload.
    """

    search_requested = Signal(str)
    recommendations_changed = Signal()

    def __init__(self, folder: DataFolder, notify: Notify | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.notify: Notify = notify or (lambda _message, _undo: None)
        self.view: QWidget | None = None
        self.model = MeetingsModel()
        title = QLabel(_("Sessions"))
        title.setObjectName("pageTitle")
        self.new_button = QPushButton(_("New session"))
        self.new_button.setObjectName("primary")
        self.new_button.setToolTip(_("Plan a new session (Ctrl+N)"))
        self.open_button = QPushButton(_("Open"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(
            _("Search sessions, minutes and recommendations… (Ctrl+Shift+F)"))
        self.search.setClearButtonEnabled(True)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.empty = QLabel(_("No session yet. Click « New session » to plan the next "
                              "meeting of the committee."))
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table_or_empty = QStackedWidget()
        self.table_or_empty.addWidget(self.table)
        self.table_or_empty.addWidget(self.empty)

        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.search, 2)
        actions = QHBoxLayout()
        actions.addWidget(self.new_button)
        actions.addWidget(self.open_button)
        actions.addStretch(1)
        list_page = QWidget()
        list_layout = QVBoxLayout(list_page)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addLayout(top)
        list_layout.addLayout(actions)
        list_layout.addWidget(self.table_or_empty, 1)
        self.list_page = list_page
        self.stack = QStackedWidget()
        self.stack.addWidget(list_page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)

        self.new_button.clicked.connect(self.new_session)
        self.open_button.clicked.connect(self._open_selected)
        self.table.doubleClicked.connect(lambda _index: self._open_selected())
        self.table.activated.connect(lambda _index: self._open_selected())
        self.search.returnPressed.connect(
            lambda: self.search_requested.emit(self.search.text()))
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.setTabOrder(self.search, self.new_button)
        self.setTabOrder(self.new_button, self.open_button)
        self.setTabOrder(self.open_button, self.table)
        self.reload()

    def reload(self, select_id: int | None = None) -> None:
        self.model.set_sessions(meetings.list_meetings(self.folder),
                                attendance.quorums(self.folder))
        self.table_or_empty.setCurrentWidget(self.table if self.model.rows else self.empty)
        self.table.resizeColumnsToContents()
        for column in range(self.model.columnCount()):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column) + 16, 320))
        if select_id is not None and (row := self.model.row_of(select_id)) >= 0:
            self.table.selectRow(row)
        self._update_buttons()

    def selected(self) -> meetings.MeetingInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _update_buttons(self, *_args: object) -> None:
        self.open_button.setEnabled(self.selected() is not None)

    def new_session(self) -> None:
        dialog = NewSessionDialog(self.folder, self)
        if dialog.exec() and dialog.meeting is not None:
            self.reload(select_id=dialog.meeting.id)
            self.notify(_("{label} created.").format(label=dialog.meeting.label), None)
            self.open_meeting(dialog.meeting.id)

    def create_new(self) -> None:
        """Ctrl+N: a new session — or, on an open session's Recommendations tab, a new
        recommendation of that session, which is what the person is looking at."""
        view = self.view
        tab = getattr(view, "recommendations_tab", None)
        if view is not None and tab is not None and view.tabs.currentWidget() is tab:
            tab.new_recommendation()
        else:
            self.new_session()

    def _open_selected(self) -> None:
        info = self.selected()
        if info is not None:
            self.open_meeting(info.id)

    def open_meeting(self, meeting_id: int, tab: str | None = None) -> Any:
        """Show the session view of ``meeting_id`` (optionally on ``tab``); returns it."""
        from ccsdesk.gui.session_view import SessionView

        self.close_view()
        view = SessionView(self.folder, meeting_id, self.notify, self)
        view.back_requested.connect(self.close_view)
        view.changed.connect(lambda: self.reload(select_id=meeting_id))
        view.recommendations_changed.connect(self.recommendations_changed)
        view.open_requested.connect(self.open_meeting)
        view.recommendations_tab.new_button.setToolTip(
            _("A recommendation made at this session (Ctrl+N)"))
        self.stack.addWidget(view)
        self.stack.setCurrentWidget(view)
        self.view = view
        if tab:
            view.show_tab(tab)
        return view

    def close_view(self) -> None:
        """Back to the list; the open view saves its minutes as it hides."""
        view = self.view
        if view is None:
            return
        self.view = None
        meeting_id = getattr(view, "meeting_id", None)
        self.stack.setCurrentWidget(self.list_page)
        self.stack.removeWidget(view)
        view.deleteLater()
        self.reload(select_id=meeting_id)
        self.table.setFocus()

    def focus_search(self) -> None:
        if self.view is not None:
            self.close_view()
        self.search.setFocus()
        self.search.selectAll()
