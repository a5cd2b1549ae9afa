"""The Membres page: the roster table with search, the actions on members, the composition.

Every action calls one roster service and then reloads the table; deactivation offers an
« Undo » in the status bar instead of a second confirmation.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.i18n import _, ngettext
from ccsdesk.core.services import roster
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.composition_panel import CompositionPanel
from ccsdesk.gui.errors import show_error
from ccsdesk.gui.roster_model import MEMBER_ROLE, RosterFilter, RosterModel
from ccsdesk.gui.tasks import run_task

# Wider columns would push the mandate dates off a 1366-pixel screen; long texts are elided
# and shown whole in the tooltip.
MAX_COLUMN_WIDTH = 190

# ``notify(message, undo)``: the main window's status bar, with an optional Undo action.
Notify = Callable[[str, Callable[[], None] | None], None]


class RosterPage(QWidget):
    """Signal ``changed()`` each time the roster is (re)read, so the status bar's counts
    follow every change made here, in Settings or by an import."""

    changed = Signal()

    def __init__(self, folder: DataFolder, notify: Notify | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.notify: Notify = notify or (lambda _message, _undo: None)
        self.model = RosterModel()
        self.proxy = RosterFilter()
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search a name, a category, an organisation… (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.show_inactive = QCheckBox(_("Show inactive members"))
        self.new_button = QPushButton(_("New member"))
        self.new_button.setObjectName("primary")
        self.new_button.setToolTip(_("Add a member (Ctrl+N)"))
        self.edit_button = QPushButton(_("Edit…"))
        self.active_button = QPushButton(_("Deactivate"))
        self.import_button = QPushButton(_("Import…"))
        self.export_button = QPushButton(_("Export…"))
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.composition = CompositionPanel(folder)
        # A first-time roster shows what to do instead of an empty grid.
        self.empty = QLabel(_("No member yet. Click « New member » to add one, or « Import… » "
                              "to bring in the list you keep in Excel (CSV or XLSX)."))
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table_or_empty = QStackedWidget()
        self.table_or_empty.addWidget(self.table)
        self.table_or_empty.addWidget(self.empty)

        actions = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.active_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.import_button)
        actions.addWidget(self.export_button)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.show_inactive)
        left = QVBoxLayout()
        left.addLayout(actions)
        left.addLayout(filters)
        left.addWidget(self.table_or_empty, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(self.composition)

        self.search.textChanged.connect(self.proxy.set_search)
        self.show_inactive.toggled.connect(self.proxy.set_show_inactive)
        self.new_button.clicked.connect(self.add_member)
        self.edit_button.clicked.connect(self.edit_selected)
        self.active_button.clicked.connect(self.toggle_selected)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.proxy.modelReset.connect(self._update_buttons)
        self.setTabOrder(self.new_button, self.edit_button)
        self.setTabOrder(self.edit_button, self.active_button)
        self.setTabOrder(self.active_button, self.import_button)
        self.setTabOrder(self.import_button, self.export_button)
        self.setTabOrder(self.export_button, self.search)
        self.setTabOrder(self.search, self.show_inactive)
        self.setTabOrder(self.show_inactive, self.table)
        self.reload()

    # -- reading -------------------------------------------------------------------------

    def reload(self, select_id: int | None = None) -> None:
        """Read the roster again, keeping (or moving) the selection."""
        current = self.selected()
        keep = select_id if select_id is not None else (current.id if current else None)
        self.model.set_rows(roster.list_members(self.folder))
        self.table_or_empty.setCurrentWidget(self.empty if not self.model.rows
                                             else self.table)
        self.table.resizeColumnsToContents()
        for column in range(self.model.columnCount()):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column),
                                                 MAX_COLUMN_WIDTH))
        self.composition.refresh()
        if keep is not None:
            self.select(keep)
        self._update_buttons()
        self.changed.emit()

    def select(self, member_id: int) -> None:
        row = self.model.row_of(member_id)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.table.selectRow(index.row())
            self.table.scrollTo(index)

    def selected(self) -> roster.MemberInfo | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        return self.proxy.data(rows[0], MEMBER_ROLE)

    def visible_names(self) -> list[str]:
        """The names the table shows, in order (what a person reads down the first column)."""
        return [self.proxy.data(self.proxy.index(row, 0)) for row in range(self.proxy.rowCount())]

    def _update_buttons(self, *_args: object) -> None:
        member = self.selected()
        self.edit_button.setEnabled(member is not None)
        self.active_button.setEnabled(member is not None)
        self.active_button.setText(_("Reactivate") if member and not member.active
                                   else _("Deactivate"))

    # -- changing ------------------------------------------------------------------------

    def create_new(self) -> None:
        """Ctrl+N on the roster: a new member."""
        self.add_member()

    def add_member(self) -> None:
        from ccsdesk.gui.member_dialog import MemberDialog

        dialog = MemberDialog(self.folder, parent=self)
        if dialog.exec() and dialog.member_id is not None:
            self.reload(select_id=dialog.member_id)
            self.notify(_("Member added."), None)

    def edit_selected(self) -> None:
        from ccsdesk.gui.member_dialog import MemberDialog

        member = self.selected()
        if member is None:
            return
        dialog = MemberDialog(self.folder, roster.get_member(self.folder, member.id), self)
        if dialog.exec():
            self.reload(select_id=member.id)
            self.notify(_("Changes saved."), None)

    def toggle_selected(self) -> None:
        member = self.selected()
        if member is None:
            return
        if member.active:
            answer = QMessageBox.question(
                self, _("Deactivate"),
                _("Deactivate {name}? They stay in the record (minutes name them) but no "
                  "longer count in the composition or the quorum.").format(name=member.full_name))
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.set_active(member.id, not member.active, member.full_name)

    def set_active(self, member_id: int, active: bool, name: str, undoable: bool = True) -> None:
        """Change a member's status; ``undoable`` offers « Undo » (not for the undo itself)."""
        try:
            roster.set_active(self.folder, member_id, active)
        except Exception as error:  # a CcsError is shown; a bug reaches the crash dialog
            show_error(self, error)
            return
        self.reload(select_id=member_id)
        message = (_("{name} reactivated.") if active else _("{name} deactivated.")).format(
            name=name)
        self.notify(message, (lambda: self.set_active(member_id, not active, name, False))
                    if undoable else None)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- files ---------------------------------------------------------------------------

    def _on_import_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import members"), str(Path.home()),
            _("Spreadsheets (*.xlsx *.csv *.txt)"))
        if path:
            self.import_from(Path(path))

    def import_from(self, path: Path) -> object:
        """Open the import dialog on ``path``; returns it (tests drive it)."""
        from ccsdesk.gui.import_dialog import ImportDialog

        dialog = ImportDialog(self.folder, path, self)
        dialog.imported.connect(self._on_imported)
        dialog.open()
        return dialog

    def _on_imported(self, message: str) -> None:
        self.reload()
        self.notify(message, None)

    def _on_export_clicked(self) -> None:
        from ccsdesk.core.services import roster_export

        xlsx, csv = _("Excel workbook (*.xlsx)"), _("CSV file, semicolons (*.csv)")
        choices = [xlsx, csv]
        if ".pdf" in roster_export.supported_suffixes():
            choices.append(_("PDF document to print (*.pdf)"))
        path, chosen = QFileDialog.getSaveFileName(
            self, _("Export the roster"), str(Path.home() / _("members.xlsx")),
            ";;".join(choices))
        if not path:
            return
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(
                {csv: ".csv", xlsx: ".xlsx"}.get(chosen, ".pdf"))
        self.export_to(target)

    def export_to(self, path: Path, on_done: Callable[[], None] | None = None) -> None:
        """Write the roster to ``path`` (.xlsx or .csv) off the GUI thread."""
        from ccsdesk.core.services import roster_export

        folder = self.folder

        def finished(count: int) -> None:
            self.notify(ngettext("{count} member exported to {file}.",
                                 "{count} members exported to {file}.", count).format(
                count=count, file=path), None)
            if on_done is not None:
                on_done()

        run_task(self, _("Exporting the roster…"), lambda: roster_export.export(folder, path),
                 finished)

