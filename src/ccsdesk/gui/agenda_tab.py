"""The « Ordre du jour » tab: items in order, add / edit / remove / move.

Moving is by buttons and by Ctrl+Up / Ctrl+Down, removing by Delete (after a confirmation),
editing by Enter or a double-click. Each action is one service call followed by a re-read,
so the order shown is always the stored one.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.errors import CcsError
from ccsdesk.core.i18n import _
from ccsdesk.core.services import meetings
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.errors import show_error
from ccsdesk.gui.form_parts import lay_out_form, problem_label


class AgendaItemDialog(QDialog):
    """Title, presenter and working group of one item; saved by the caller's ``save``."""

    def __init__(self, item: meetings.AgendaInfo | None, save: object,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Edit an agenda item") if item else _("New agenda item"))
        self._save = save
        self.title = QLineEdit(item.title if item else "")
        self.presenter = QLineEdit(item.presenter if item else "")
        self.presenter.setPlaceholderText(_("optional"))
        self.working_group = QLineEdit(item.working_group if item else "")
        self.working_group.setPlaceholderText(_("optional, e.g. land commission"))
        self.problem = problem_label()
        form = QFormLayout()
        form.addRow(_("Title:"), self.title)
        form.addRow(_("Presented by:"), self.presenter)
        form.addRow(_("Working group:"), self.working_group)
        lay_out_form(self, form, self.problem, self._on_save, width=520)

    def _on_save(self) -> None:
        try:
            self._save(self.title.text(), self.presenter.text(),  # type: ignore[operator]
                       self.working_group.text())
        except CcsError as error:
            self.problem.setText(error.message)
            self.problem.show()
            return
        self.accept()


class AgendaTab(QWidget):
    """Signal ``changed()`` after any change (the minutes editor follows the agenda)."""

    changed = Signal()

    def __init__(self, folder: DataFolder, meeting_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.meeting_id = meeting_id
        self.items: tuple[meetings.AgendaInfo, ...] = ()
        self.open = True
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([_("No."), _("Item"), _("Presented by"),
                                              _("Working group")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.add_button = QPushButton(_("Add an item…"))
        self.add_button.setObjectName("primary")
        self.edit_button = QPushButton(_("Edit…"))
        self.remove_button = QPushButton(_("Remove"))
        self.up_button = QPushButton(_("Move up"))
        self.up_button.setToolTip(_("Ctrl+Up"))
        self.down_button = QPushButton(_("Move down"))
        self.down_button.setToolTip(_("Ctrl+Down"))
        self.closed_note = QLabel(_("The minutes are adopted: the agenda can no longer "
                                    "change."))
        self.closed_note.setObjectName("hint")
        self.closed_note.hide()
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button, self.up_button,
                       self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.closed_note)
        layout.addWidget(self.table, 1)

        self.add_button.clicked.connect(self.add_item)
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Keys on the table: Ctrl+Up / Ctrl+Down move, Delete removes, Enter edits,
        Insert adds (an event filter, because the table itself takes Ctrl+arrows)."""
        if watched is self.table and isinstance(event, QKeyEvent) \
                and event.type() == QEvent.Type.KeyPress:
            key, ctrl = event.key(), bool(event.modifiers()
                                         & Qt.KeyboardModifier.ControlModifier)
            actions = {(Qt.Key.Key_Up, True): lambda: self.move_selected(-1),
                       (Qt.Key.Key_Down, True): lambda: self.move_selected(1),
                       (Qt.Key.Key_Delete, False): self.remove_selected,
                       (Qt.Key.Key_Return, False): self.edit_selected,
                       (Qt.Key.Key_Enter, False): self.edit_selected,
                       (Qt.Key.Key_Insert, False): self.add_item}
            action = actions.get((Qt.Key(key), ctrl))
            if action is not None:
                action()
                return True
        return super().eventFilter(watched, event)

    def load(self, info: meetings.MeetingInfo, is_open: bool) -> None:
        """Show ``info``'s agenda; ``is_open`` False once the minutes are adopted."""
        keep = self.selected_position()
        self.items = info.agenda
        self.open = is_open
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            for column, text in enumerate((str(item.position), item.title, item.presenter,
                                           item.working_group)):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.table.setItem(row, column, cell)
        self.closed_note.setVisible(not is_open)
        if keep is not None and self.items:
            self.table.selectRow(min(keep, len(self.items)) - 1)
        self._update_buttons()

    def selected_position(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() + 1 if rows else None

    def _update_buttons(self) -> None:
        position = self.selected_position()
        self.add_button.setEnabled(self.open)
        for button in (self.edit_button, self.remove_button):
            button.setEnabled(self.open and position is not None)
        self.up_button.setEnabled(self.open and position is not None and position > 1)
        self.down_button.setEnabled(self.open and position is not None
                                    and position < len(self.items))

    def add_item(self) -> None:
        if not self.open:
            return

        def save(title: str, presenter: str, group: str) -> None:
            meetings.add_agenda_item(self.folder, self.meeting_id, title, presenter=presenter,
                                     working_group=group)

        if AgendaItemDialog(None, save, self).exec():
            self.changed.emit()
            self.table.selectRow(self.table.rowCount() - 1)

    def edit_selected(self) -> None:
        position = self.selected_position()
        if position is None or not self.open:
            return

        def save(title: str, presenter: str, group: str) -> None:
            meetings.edit_agenda_item(self.folder, self.meeting_id, position, title=title,
                                      presenter=presenter, working_group=group)

        if AgendaItemDialog(self.items[position - 1], save, self).exec():
            self.changed.emit()

    def remove_selected(self) -> None:
        position = self.selected_position()
        if position is None or not self.open:
            return
        answer = QMessageBox.question(
            self, _("Remove an agenda item"),
            _("Remove item {position}, « {title} », from the agenda?").format(
                position=position, title=self.items[position - 1].title))
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            meetings.remove_agenda_item(self.folder, self.meeting_id, position)
        except CcsError as error:
            show_error(self, error)
            return
        self.changed.emit()

    def move_selected(self, step: int) -> None:
        position = self.selected_position()
        if position is None or not self.open:
            return
        target = position + step
        if not 1 <= target <= len(self.items):
            return
        try:
            meetings.move_agenda_item(self.folder, self.meeting_id, position, target)
        except CcsError as error:
            show_error(self, error)
            return
        self.table.selectRow(target - 1)
        self.changed.emit()
