"""The roster import dialog: read the file off the GUI thread, show how its columns were
understood and what each row will do, and write only when the whole file is acceptable.

A file with bad rows is refused whole (as on the command line): every bad row is listed with
its line number and reason, and the Import button stays disabled.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.errors import CcsError
from ccsdesk.core.i18n import N_, _, ngettext
from ccsdesk.core.services import roster
from ccsdesk.core.services.member_fields import ROLES
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.errors import show_error
from ccsdesk.gui.roster_model import french_date
from ccsdesk.gui.tasks import Task, run_task

ACTION_LABELS: dict[str, str] = {
    "add": N_("add"),
    "update": N_("update"),
    "unchanged": N_("unchanged"),
}
_GREY = QColor("#8a8a8a")
_ACTION_COLOURS = {"add": QColor("#e3f4e1"), "update": QColor("#e4eefb")}


def _item(text: str, grey: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if grey:
        item.setForeground(QBrush(_GREY))
    return item


def _table(headings: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headings))
    table.setHorizontalHeaderLabels(headings)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setStretchLastSection(True)
    table.setAlternatingRowColors(True)
    return table


class ImportDialog(QDialog):
    """Preview and import one file. Signal ``imported(str)`` carries the summary shown after.

    Attributes: ``plan`` (the last :class:`ImportPlan`, or ``None``), ``import_result`` once
    imported, ``task`` (the background read or write in progress, if any).
    """

    imported = Signal(str)

    def __init__(self, folder: DataFolder, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.path = Path(path)
        self.plan: object | None = None
        self.import_result: object | None = None
        self.task: Task | None = None
        self.categories = {c.id: c.label for c in roster.list_categories(
            folder, include_inactive=True)}
        self.setWindowTitle(_("Import members — {file}").format(file=self.path.name))

        self.source = QLabel(_("Reading {file}…").format(file=self.path.name))
        self.source.setWordWrap(True)
        self.create_categories = QCheckBox(_("Create the categories the file names that are "
                                             "not in the list yet"))
        self.create_categories.toggled.connect(lambda _checked: self.read())
        self.columns = _table([_("Column in the file"), _("Read as")])
        self.columns.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents)
        self.rows = _table([_("Line"), _("Action"), _("Name"), _("Sex"), _("Category"),
                            _("Role"), _("Phone"), _("Mandate ends")])
        self.rejected = _table([_("Line"), _("Reason")])
        self.rejected.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents)
        self.rejected_box = QGroupBox(_("Rows refused"))
        QVBoxLayout(self.rejected_box).addWidget(self.rejected)
        self.rejected_box.hide()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setObjectName("figures")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = QPushButton(_("Import"))
        self.import_button.setObjectName("primary")
        self.import_button.setEnabled(False)
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)

        columns_box = QGroupBox(_("Columns"))
        QVBoxLayout(columns_box).addWidget(self.columns)
        columns_box.setMinimumWidth(380)
        columns_box.setMaximumWidth(420)
        rows_box = QGroupBox(_("Rows"))
        QVBoxLayout(rows_box).addWidget(self.rows)
        middle = QHBoxLayout()
        middle.addWidget(columns_box)
        middle.addWidget(rows_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.source)
        layout.addWidget(self.create_categories)
        layout.addLayout(middle, 3)
        layout.addWidget(self.rejected_box, 2)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.resize(1100, 640)
        self.read()

    # -- reading -------------------------------------------------------------------------

    def read(self) -> None:
        """(Re-)read the file off the GUI thread; nothing is written."""
        from ccsdesk.core.services import roster_import

        self.import_button.setEnabled(False)
        self.create_categories.setEnabled(False)
        folder, path = self.folder, self.path
        create = self.create_categories.isChecked()
        self.task = run_task(
            self, _("Reading {file}…").format(file=path.name),
            lambda: roster_import.read_file(folder, path, create_categories=create),
            self._on_read, self._on_read_failed, cancellable=True)
        self.task.finished.connect(self._on_read_finished)

    def _on_read_finished(self) -> None:
        self.create_categories.setEnabled(True)
        if self.task is None or not self.task.cancelled:
            return
        if self.plan is None:
            self.reject()  # nothing was read: there is nothing to show
            return
        # The re-read was cancelled: the preview still shows the previous reading.
        self.create_categories.blockSignals(True)
        self.create_categories.setChecked(not self.create_categories.isChecked())
        self.create_categories.blockSignals(False)
        self.import_button.setEnabled(bool(self.plan.ok and self.plan.rows))  # type: ignore[attr-defined]

    def _on_read_failed(self, error: BaseException) -> None:
        self.plan = None
        if not isinstance(error, CcsError):
            show_error(self, error)
            return
        self.source.setText(_("The file cannot be imported.") + "\n" + error.message)
        self.source.setObjectName("error")
        self.source.style().polish(self.source)
        self.columns.setRowCount(0)
        self.rows.setRowCount(0)
        self.summary.setText("\n".join(error.details))

    def _on_read(self, plan) -> None:  # type: ignore[no-untyped-def]
        self.plan = plan
        self.source.setObjectName("")
        self.source.style().polish(self.source)
        self.source.setText(self._describe_source(plan))
        self._show_columns(plan)
        self._show_rows(plan)
        self._show_rejected(plan)
        if plan.ok:
            self.summary.setText(_("Nothing is written until you click « Import »: {added} to "
                                   "add, {updated} to update, {unchanged} unchanged.").format(
                added=plan.added, updated=plan.updated, unchanged=plan.unchanged)
                + self._new_categories_text(plan))
        else:
            count = len(plan.rejected)
            self.summary.setText(ngettext(
                "The file is refused whole because {count} row is wrong: correct it in the "
                "file and import again. Nothing was written.",
                "The file is refused whole because {count} rows are wrong: correct them in "
                "the file and import again. Nothing was written.", count).format(count=count))
        self.summary.setObjectName("figures" if plan.ok else "error")
        self.summary.style().polish(self.summary)
        self.import_button.setEnabled(bool(plan.ok and plan.rows))

    def _describe_source(self, plan) -> str:  # type: ignore[no-untyped-def]
        parts = [_("File: {file}").format(file=Path(str(plan.source)).name),
                 _("format {format}").format(format=str(plan.file_format).upper())]
        if plan.encoding:
            parts.append(_("encoding {encoding}").format(encoding=plan.encoding))
        if plan.delimiter:
            shown = {";": _("semicolon"), ",": _("comma"), "\t": _("tab")}.get(
                plan.delimiter, plan.delimiter)
            parts.append(_("separator {separator}").format(separator=shown))
        parts.append(_("headings on line {line}").format(line=plan.header_line))
        return " · ".join(parts)

    def _new_categories_text(self, plan) -> str:  # type: ignore[no-untyped-def]
        if not plan.new_categories:
            return ""
        return "\n" + _("New categories created on import: {names}.").format(
            names=", ".join(map(str, plan.new_categories)))

    def _show_columns(self, plan) -> None:  # type: ignore[no-untyped-def]
        self.columns.setRowCount(len(plan.columns))
        for row, column in enumerate(plan.columns):
            from ccsdesk.core.services.roster_import import field_label

            ignored = column.field is None
            heading = column.heading or _("(no heading)")
            if getattr(column, "column", ""):
                heading = f"{column.column} — {heading}"
            self.columns.setItem(row, 0, _item(heading, ignored))
            self.columns.setItem(row, 1, _item(field_label(column.field), ignored))

    def _show_rows(self, plan) -> None:  # type: ignore[no-untyped-def]
        self.rows.setRowCount(len(plan.rows))
        for row, planned in enumerate(plan.rows):
            data = planned.data
            name = f"{data.last_name.upper()} {data.first_names}".strip()
            if data.category_id is not None:
                category = self.categories.get(data.category_id, "")
            elif planned.new_category:
                category = _("{category} (new)").format(category=planned.new_category)
            else:
                category = ""
            values = [str(planned.line), _(ACTION_LABELS.get(planned.action, planned.action)),
                      name, data.sex, category, _(ROLES.get(data.role, data.role)), data.phone,
                      french_date(data.mandate_end)]
            colour = _ACTION_COLOURS.get(planned.action)
            for column, value in enumerate(values):
                item = _item(value, grey=planned.action == "unchanged")
                if colour is not None and column == 1:
                    item.setBackground(QBrush(colour))
                self.rows.setItem(row, column, item)
        self.rows.resizeColumnsToContents()
        for column in range(self.rows.columnCount()):
            self.rows.setColumnWidth(column, min(self.rows.columnWidth(column), 200))

    def _show_rejected(self, plan) -> None:  # type: ignore[no-untyped-def]
        self.rejected.setRowCount(len(plan.rejected))
        for row, rejected in enumerate(plan.rejected):
            self.rejected.setItem(row, 0, _item(_("line {line}").format(line=rejected.line)))
            self.rejected.setItem(row, 1, _item(rejected.reason))
        self.rejected_box.setVisible(bool(plan.rejected))
        self.rejected_box.setTitle(ngettext("{count} row refused", "{count} rows refused",
                                            len(plan.rejected)).format(
            count=len(plan.rejected)))

    # -- writing -------------------------------------------------------------------------

    def apply(self) -> None:
        """Write the previewed plan (all rows or none) off the GUI thread."""
        from ccsdesk.core.services import roster_import

        plan = self.plan
        if plan is None or not plan.ok:  # type: ignore[attr-defined]
            return
        self.import_button.setEnabled(False)
        folder = self.folder
        self.task = run_task(self, _("Importing the members…"),
                             lambda: roster_import.apply(folder, plan),
                             self._on_applied, self._on_apply_failed)

    def _on_applied(self, result) -> None:  # type: ignore[no-untyped-def]
        self.import_result = result
        message = _("Import done: {added} added, {updated} updated, {unchanged} "
                    "unchanged.").format(added=result.added, updated=result.updated,
                                         unchanged=result.unchanged)
        self.imported.emit(message)
        self.accept()

    def _on_apply_failed(self, error: BaseException) -> None:
        show_error(self, error)
        self.read()
