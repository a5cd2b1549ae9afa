"""The « Journal » tab of Paramètres: every change to the record, newest first, searchable,
and the check of the hash chain, run off the GUI thread, that points at the first broken link.

A commune may collect 50 000 entries over the years, so the model never loads them all: it
knows the count and reads slices of ``PAGE`` rows from SQLite when Qt asks for a row it does
not hold (an indexed ``ORDER BY id DESC LIMIT/OFFSET``), keeping only a few slices.
Below the list, the journals received from the committees below this one (through the
exchange) are summarised with their own chain checked again.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.formats import moment, number
from ccsdesk.core.i18n import N_, _, ngettext
from ccsdesk.core.services import journal
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.tasks import run_task

COLUMNS = (N_("No."), N_("Date"), N_("Who"), N_("Action"), N_("Subject"), N_("Details"))
PAGE = 200
KEEP_PAGES = 8
ENTRY_ROLE = Qt.ItemDataRole.UserRole
AnyIndex = QModelIndex | QPersistentModelIndex
SEARCH_DELAY_MS = 250
INTACT_STYLE = "color: #1b6e2a; font-weight: bold;"
BROKEN_STYLE = "color: #b3261e; font-weight: bold;"


def summarise(details: str, limit: int = 140) -> str:
    """The details JSON as ``key: value`` pairs on one line, cut at ``limit`` characters."""
    try:
        data: Any = json.loads(details)
    except ValueError:
        data = details
    if isinstance(data, dict):
        parts = []
        for key, value in data.items():
            if isinstance(value, bool):
                value = _("yes") if value else _("no")
            elif value is None:
                value = "—"
            elif isinstance(value, list | dict):
                value = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
            parts.append(f"{key}: {value}")
        text = " · ".join(parts)
    else:
        text = str(data)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class JournalModel(QAbstractTableModel):
    """The entries newest first, read in slices; ``search`` filters in SQL."""

    def __init__(self, folder: DataFolder) -> None:
        super().__init__()
        self.folder = folder
        self.search = ""
        self.total = 0
        self._pages: dict[int, list[journal.EntryView]] = {}

    def reload(self, search: str | None = None) -> None:
        self.beginResetModel()
        if search is not None:
            self.search = search
        self._pages.clear()
        self.total = journal.count(self.folder.database, self.search)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def entry(self, row: int) -> journal.EntryView | None:
        number_ = row // PAGE
        page = self._pages.get(number_)
        if page is None:
            if len(self._pages) >= KEEP_PAGES:
                self._pages.pop(next(iter(self._pages)))
            page = journal.page(self.folder.database, number_ * PAGE, PAGE, self.search)
            self._pages[number_] = page
        offset = row - number_ * PAGE
        return page[offset] if offset < len(page) else None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self.entry(index.row())
        if entry is None:
            return None
        column = index.column()
        if role == ENTRY_ROLE:
            return entry.id
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(entry.id), moment(entry.at), entry.actor,
                    journal.action_label(entry.action), entry.subject,
                    summarise(entry.details))[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 5:
            return entry.details
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            return entry.action
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(COLUMNS[section])
        return None


class JournalTab(QWidget):
    """Attributes: ``model``, ``table``, ``search``, ``verify_button``, ``result``
    (the verdict), ``received`` (the journals of the committees below), ``last_report``."""

    def __init__(self, folder: DataFolder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.last_report: journal.ChainReport | None = None
        self.model = JournalModel(folder)
        self.table = QTableView()
        self.table.setObjectName("journal")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        # Fixed widths: measuring contents would read every row.
        for column, width in enumerate((60, 190, 110, 230, 230)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search the journal (action, who, subject, details)"))
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.count_label = QLabel()
        self.verify_button = QPushButton(_("Verify the journal"))
        self.verify_button.setObjectName("primary")
        self.verify_button.clicked.connect(self.verify)
        self.result = QLabel()
        self.result.setObjectName("journal_result")
        self.result.setWordWrap(True)
        self.received = QLabel()
        self.received.setWordWrap(True)
        self.received.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.result)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.received)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        """Read the journal again (it grows with every change made elsewhere)."""
        self.model.reload(self.search.text())
        self._show_count()
        self._show_received()

    def apply_search(self) -> None:
        self._search_timer.stop()
        self.model.reload(self.search.text())
        self._show_count()

    def _show_count(self) -> None:
        self.count_label.setText(ngettext("{count} entry", "{count} entries",
                                          self.model.total).format(
                                              count=number(self.model.total)))

    def _show_received(self) -> None:
        """The counts only: walking every received chain again waits for « Vérifier »."""
        lines = [ngettext("Journal of « {name} »: {count} entry received, checked on arrival.",
                          "Journal of « {name} »: {count} entries received, checked on "
                          "arrival.", count).format(name=name, count=number(count))
                 for _uid, name, count in journal.received_counts(self.folder.database)]
        self.received.setText("\n".join(lines))
        self.received.setVisible(bool(lines))

    def _show_received_checked(self, journals: list[journal.ReceivedJournal]) -> None:
        lines = []
        for item in journals:
            if item.report.intact:
                state = _("intact")
            else:
                state = _("broken at entry {id}").format(id=item.report.broken_at)
            lines.append(ngettext("Journal of « {name} »: {count} entry received, {state}.",
                                  "Journal of « {name} »: {count} entries received, {state}.",
                                  item.entries).format(name=item.origin_name,
                                                       count=number(item.entries),
                                                       state=state))
        self.received.setText("\n".join(lines))
        self.received.setVisible(bool(lines))

    # -- verification --------------------------------------------------------------------

    def verify(self) -> None:
        """Walk our chain and the received ones on a pool thread; the verdict lands in
        ``result``, the received journals' in ``received``."""
        self.verify_button.setEnabled(False)
        self.result.setText(_("Checking the journal…"))
        self.result.setStyleSheet("")
        database = self.folder.database
        run_task(self, _("Checking the journal…"),
                 lambda: (journal.verify(database), journal.received_journals(database)),
                 self._show_reports, self._verify_failed)

    def _verify_failed(self, error: BaseException) -> None:
        from ccsdesk.gui.errors import show_error

        self.verify_button.setEnabled(True)
        self.result.setText("")
        show_error(self, error)

    def _show_reports(self, reports: tuple[journal.ChainReport,
                                           list[journal.ReceivedJournal]]) -> None:
        own, received = reports
        self._show_received_checked(received)
        self._show_report(own)

    def _show_report(self, report: journal.ChainReport) -> None:
        self.verify_button.setEnabled(True)
        self.last_report = report
        if report.intact:
            self.result.setStyleSheet(INTACT_STYLE)
            self.result.setText(ngettext("The journal is intact ({count} entry).",
                                         "The journal is intact ({count} entries).",
                                         report.entries).format(count=number(report.entries)))
            return
        reason = (_("its link to the previous entry does not match")
                  if report.reason == "previous-hash"
                  else _("its content was changed after it was written"))
        self.result.setStyleSheet(BROKEN_STYLE)
        self.result.setText(_("The journal is broken at entry {id}: {reason}. The {count} "
                              "entries before it are intact.").format(
                                  id=report.broken_at, reason=reason,
                                  count=number(report.entries)))
        self.show_entry(report.broken_at or 0)

    def show_entry(self, entry_id: int) -> None:
        """Select and scroll to an entry, clearing the search if it hides it."""
        row = journal.position_of(self.folder.database, entry_id, self.model.search)
        if row is None:
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.apply_search()
            row = journal.position_of(self.folder.database, entry_id, "")
        if row is None:
            return
        index = self.model.index(row, 0)
        self.table.selectRow(row)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
