"""One session: its header (name, date, state, quorum) and five tabs — agenda,
convocations, attendance, minutes, recommendations.

The view re-reads the session after each change made in a tab, because one change moves
others: recording attendance makes a planned session « held », adopting the minutes
freezes the agenda and the attendance, a new agenda item adds a box to the minutes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.formats import full_date
from ccsdesk.core.i18n import _, ngettext
from ccsdesk.core.services import attendance, meetings, minutes, recommendations
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.agenda_tab import AgendaTab
from ccsdesk.gui.attendance_tab import AttendanceTab, QuorumBanner
from ccsdesk.gui.convocations_tab import ConvocationsTab
from ccsdesk.gui.minutes_editor import MinutesEditor
from ccsdesk.gui.recommendations_model import REC_ROLE, RecommendationsModel

Notify = Callable[[str, Callable[[], None] | None], None]
TABS = ("agenda", "convocations", "attendance", "minutes", "recommendations")


class SessionRecommendationsTab(QWidget):
    """The recommendations of one session, with « New recommendation »."""

    changed = Signal()

    def __init__(self, folder: DataFolder, meeting_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.meeting_id = meeting_id
        self.model = RecommendationsModel(with_meeting=False)
        self.new_button = QPushButton(_("New recommendation…"))
        self.new_button.setObjectName("primary")
        self.edit_button = QPushButton(_("Edit…"))
        self.edit_button.setToolTip(_("Only while the recommendation is still « proposed »"))
        self.status_button = QPushButton(_("Change the status…"))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((44, 90, 100, 420, 180, 150)):
            self.table.setColumnWidth(column, width)
        header.setStretchLastSection(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.closed: str | None = None  # why forms cannot change now (adopted minutes)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.status_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        self.new_button.clicked.connect(self.new_recommendation)
        self.edit_button.clicked.connect(self.edit_selected)
        self.status_button.clicked.connect(self.change_status)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

    def load(self) -> None:
        rows = recommendations.list_recommendations(self.folder, meeting_id=self.meeting_id)
        rows.sort(key=lambda r: r.number)
        self.model.set_rows(rows)
        # Adopted or signed minutes list the forms: new ones wait for a correction.
        self.closed = recommendations.closed_reason(self.folder, self.meeting_id)
        count = ngettext("{count} recommendation", "{count} recommendations",
                         len(rows)).format(count=len(rows))
        self.summary.setText(count if self.closed is None else f"{count}\n{self.closed}")
        self._update_buttons()

    def showEvent(self, event: QShowEvent) -> None:
        """Statuses may have moved in the follow-up page meanwhile: read them again."""
        self.load()
        super().showEvent(event)

    def selected(self) -> recommendations.RecommendationInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.data(rows[0], REC_ROLE) if rows else None

    def _update_buttons(self, *_args: object) -> None:
        info = self.selected()
        self.new_button.setEnabled(self.closed is None)
        self.edit_button.setEnabled(self.closed is None and info is not None
                                    and info.status == "proposed")
        self.status_button.setEnabled(info is not None)

    def new_recommendation(self) -> None:
        from ccsdesk.gui.recommendation_dialog import RecommendationDialog

        if self.closed is not None:  # Ctrl+N too: the summary says why
            return

        dialog = RecommendationDialog(self.folder, meetings.get_meeting(self.folder,
                                                                        self.meeting_id),
                                      parent=self)
        if dialog.exec():
            self.load()
            self.changed.emit()

    def edit_selected(self) -> None:
        from ccsdesk.gui.recommendation_dialog import RecommendationDialog

        info = self.selected()
        if info is None or info.status != "proposed":
            return
        dialog = RecommendationDialog(
            self.folder, meetings.get_meeting(self.folder, self.meeting_id),
            recommendations.get(self.folder, info.id), self)
        if dialog.exec():
            self.load()
            self.changed.emit()

    def change_status(self) -> None:
        from ccsdesk.gui.recommendation_dialog import StatusDialog

        info = self.selected()
        if info is None:
            return
        if StatusDialog(self.folder, recommendations.get(self.folder, info.id), self).exec():
            self.load()
            self.changed.emit()


class SessionView(QWidget):
    """Signals: ``back_requested()``, ``changed()`` (state or quorum moved; the list
    reloads), ``recommendations_changed()``, ``open_requested(int)`` (another session, e.g.
    the second convocation just made)."""

    back_requested = Signal()
    changed = Signal()
    recommendations_changed = Signal()
    open_requested = Signal(int)

    def __init__(self, folder: DataFolder, meeting_id: int, notify: Notify | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.meeting_id = meeting_id
        self.notify: Notify = notify or (lambda _message, _undo: None)
        self.info = meetings.get_meeting(folder, meeting_id)
        self.back_button = QPushButton(_("← All sessions"))
        self.back_button.setToolTip(_("Back to the list (Esc)"))
        self.edit_button = QPushButton(_("Change date, time, venue…"))
        self.documents_button = QPushButton(_("Documents…"))
        self.documents_button.setToolTip(_("Convocations, attendance sheet, minutes and "
                                           "recommendation forms to print or send"))
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.header_quorum = QuorumBanner()
        self.header_quorum.setObjectName("quorumLine")
        self.agenda_tab = AgendaTab(folder, meeting_id)
        self.convocations_tab = ConvocationsTab(folder, meeting_id)
        self.attendance_tab = AttendanceTab(folder, meeting_id)
        self.minutes_tab = MinutesEditor(folder, meeting_id)
        self.recommendations_tab = SessionRecommendationsTab(folder, meeting_id)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.agenda_tab, _("Agenda"))
        self.tabs.addTab(self.convocations_tab, _("Convocations"))
        self.tabs.addTab(self.attendance_tab, _("Who attended"))
        self.tabs.addTab(self.minutes_tab, _("Minutes"))
        self.tabs.addTab(self.recommendations_tab, _("Recommendations"))

        heading = QVBoxLayout()
        heading.addWidget(self.title)
        heading.addWidget(self.subtitle)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addSpacing(12)
        top.addLayout(heading, 1)
        top.addWidget(self.edit_button)
        top.addWidget(self.documents_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.header_quorum)
        layout.addWidget(self.tabs, 1)

        self.back_button.clicked.connect(self.back_requested)
        self.edit_button.clicked.connect(self.edit_session)
        self.documents_button.clicked.connect(self.open_documents)
        self.agenda_tab.changed.connect(self._on_agenda_changed)
        self.attendance_tab.quorum_changed.connect(self._on_quorum)
        self.convocations_tab.second_convocation_made.connect(self._on_second)
        self.minutes_tab.state_changed.connect(self._on_state_changed)
        self.minutes_tab.saved.connect(self._on_minutes_saved)
        self.recommendations_tab.changed.connect(self.recommendations_changed)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.refresh()

    # -- reading -------------------------------------------------------------------------

    def is_open(self) -> bool:
        """Agenda and attendance may change until a version of the minutes is adopted
        (a correction reopens the text only, as the service rules)."""
        if self.info.state in meetings.CLOSED_STATES:
            return False
        return all(v.state == "draft" for v in minutes.list_versions(self.folder,
                                                                     self.meeting_id))

    def refresh(self) -> None:
        """Read the session and every tab again (after a change of state)."""
        self.info = meetings.get_meeting(self.folder, self.meeting_id)
        self._header()
        is_open = self.is_open()
        self.agenda_tab.load(self.info, is_open)
        self.attendance_tab.load(is_open)
        self.minutes_tab.load()
        self.recommendations_tab.load()

    def _header(self) -> None:
        info = self.info
        self.edit_button.setEnabled(self.is_open())
        self.title.setText(info.label)
        when = full_date(info.date) + (" " + _("at {time}").format(time=info.time)
                                       if info.time else "")
        parts = [when]
        if info.venue:
            parts.append(info.venue)
        parts.append(_("state: {state}").format(state=_(meetings.STATES[info.state])))
        self.subtitle.setText(" — ".join(parts))

    def _on_quorum(self, quorum: attendance.Quorum) -> None:
        self.header_quorum.show_quorum(quorum)
        self.convocations_tab.load(self.info, quorum)
        before = self.info.state
        self.info = meetings.get_meeting(self.folder, self.meeting_id)
        if self.info.state != before:
            self._header()
        self.changed.emit()

    def _on_agenda_changed(self) -> None:
        self.minutes_tab.save_now()
        self.info = meetings.get_meeting(self.folder, self.meeting_id)
        self.agenda_tab.load(self.info, self.is_open())
        self.minutes_tab.load()
        self._header()
        self.changed.emit()

    def _on_state_changed(self) -> None:
        self.refresh()
        self.changed.emit()
        message = {"minutes_adopted": _("Minutes adopted."),
                   "signed": _("Minutes signed."),
                   "held": _("New version of the minutes started.")}.get(self.info.state)
        if message:
            self.notify(message, None)

    def _on_minutes_saved(self) -> None:
        if self.info.state == "planned":
            self.info = meetings.get_meeting(self.folder, self.meeting_id)
            self._header()
            self.changed.emit()

    def _on_second(self, meeting_id: int) -> None:
        self.notify(_("Second convocation created."), None)
        self.open_requested.emit(meeting_id)

    def _on_tab_changed(self, index: int) -> None:
        # The attendance tab has its own banner, right above the list it counts.
        self.header_quorum.setVisible(self.tabs.widget(index) is not self.attendance_tab)
        if self.tabs.widget(index) is self.minutes_tab:
            self.minutes_tab.focus_first()

    def edit_session(self) -> None:
        from ccsdesk.gui.sessions_page import NewSessionDialog

        dialog = NewSessionDialog(self.folder, self, self.info)
        if dialog.exec():
            self.info = meetings.get_meeting(self.folder, self.meeting_id)
            self._header()
            self.convocations_tab.load(self.info, attendance.quorum(self.folder,
                                                                    self.meeting_id))
            self.changed.emit()
            self.notify(_("Changes saved."), None)

    def open_documents(self) -> object:
        """The session's documents (PDFs to print, the signed packet); returns the dialog."""
        from ccsdesk.gui.documents_dialog import DocumentsDialog

        self.minutes_tab.save_now()  # the PV printed is the text on screen
        dialog = DocumentsDialog(self.folder, self.meeting_id, self)
        dialog.exec()
        return dialog

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Escape goes back to the list (when no child widget used the key)."""
        if event.key() == Qt.Key.Key_Escape:
            self.back_requested.emit()
            return
        super().keyPressEvent(event)

    def show_tab(self, code: str) -> None:
        self.tabs.setCurrentIndex(TABS.index(code))
