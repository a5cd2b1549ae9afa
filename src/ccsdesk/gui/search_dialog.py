"""The search window: one box over sessions, minutes text and recommendations.

The core's full-text index ignores accents and case, so « securite » finds « sécurité ».
Results come as the person types (after a short pause); Enter or a double-click opens the
session, its minutes, or the recommendation, through the ``open_hit`` signal the main
window answers.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.errors import CcsError
from ccsdesk.core.formats import long_date
from ccsdesk.core.i18n import N_, _, ngettext
from ccsdesk.core.services import meetings, search
from ccsdesk.core.storage.folder import DataFolder

KIND_LABELS = {
    search.MEETING: N_("Session"),
    search.MINUTES: N_("Minutes"),
    search.RECOMMENDATION: N_("Recommendation"),
}
TYPING_PAUSE_MS = 250
HIT_ROLE = Qt.ItemDataRole.UserRole


class SearchDialog(QDialog):
    """Non-modal; signal ``open_hit(kind, ref)`` (``search.MEETING`` … and the id)."""

    open_hit = Signal(str, int)

    def __init__(self, folder: DataFolder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.hits: list[search.Hit] = []
        self.setWindowTitle(_("Search"))
        self.box = QLineEdit()
        self.box.setPlaceholderText(_("Words to find in sessions, minutes and "
                                      "recommendations (accents ignored)"))
        self.box.setClearButtonEnabled(True)
        self.summary = QLabel()
        self.summary.setObjectName("hint")
        self.results = QListWidget()
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(self.summary)
        layout.addWidget(self.results, 1)
        self.resize(720, 480)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self.run)
        self.box.textChanged.connect(lambda _t: self._timer.start())
        self.box.returnPressed.connect(self._on_return)
        self.results.itemActivated.connect(self._open)
        self.results.itemDoubleClicked.connect(self._open)

    def search_for(self, text: str) -> None:
        """Fill the box and search at once (from the Sessions page's box)."""
        self.box.setText(text)
        self.run()

    def run(self) -> None:
        self._timer.stop()
        self.results.clear()
        query = self.box.text()
        if not query.strip():
            self.hits = []
            self.summary.setText("")
            return
        try:
            self.hits = search.search(self.folder, query)
        except CcsError as error:
            self.hits = []
            self.summary.setText(error.message)
            return
        self.summary.setText(
            ngettext("{count} result", "{count} results", len(self.hits)).format(
                count=len(self.hits)) if self.hits else _("Nothing found."))
        for hit in self.hits:
            snippet = " ".join(hit.snippet.split()).replace("[", "« ").replace("]", " »")
            item = QListWidgetItem(f"{_(KIND_LABELS.get(hit.kind, hit.kind))} — "
                                   f"{self._title(hit)}\n{snippet}")
            item.setData(HIT_ROLE, (hit.kind, hit.ref))
            item.setToolTip(_("Double-click or Enter to open"))
            self.results.addItem(item)
        if self.hits:
            self.results.setCurrentRow(0)

    def _title(self, hit: search.Hit) -> str:
        """A session's title with its date written in French (the index keeps ISO dates)."""
        if hit.kind != search.MEETING:
            return hit.title
        try:
            info = meetings.get_meeting(self.folder, hit.ref)
        except CcsError:
            return hit.title
        return f"{info.label} — {long_date(info.date)}"

    def _on_return(self) -> None:
        if self._timer.isActive() or not self.hits:
            self.run()
            return
        item = self.results.currentItem()
        if item is not None:
            self._open(item)

    def _open(self, item: QListWidgetItem) -> None:
        kind, ref = item.data(HIT_ROLE)
        self.open_hit.emit(kind, ref)

    def focus_box(self) -> None:
        self.box.setFocus()
        self.box.selectAll()
