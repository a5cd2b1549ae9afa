"""The main window: navigation on the left, one page per area, a status bar with Undo.

Membres, Sessions, Recommandations, Échanges and Paramètres work. Keyboard: Ctrl+1…5 switch
pages, Ctrl+F searches the roster, Ctrl+Shift+F searches sessions, minutes and
recommendations, Ctrl+Shift+V verifies a signed file, Ctrl+N creates what the page shows
(a member, a session, a recommendation; nothing on Échanges and Paramètres), Ctrl+Q quits.
An exchange archive dropped on the window is imported (``exchanges_page.route_drop``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.i18n import N_, _
from ccsdesk.core.services import committee
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.backup_watch import AutomaticBackups
from ccsdesk.gui.roster_page import RosterPage
from ccsdesk.gui.sessions_wiring import LAZY_PAGES, ensure_page, open_search

PAGES = (
    ("members", N_("Members")),
    ("sessions", N_("Sessions")),
    ("recommendations", N_("Recommendations")),
    ("exchanges", N_("Exchanges")),
    ("settings", N_("Settings")),
)
LATER_TEXT: dict[str, str] = {
    "sessions": N_("Sessions, agendas, convocations, attendance and minutes"),
    "recommendations": N_("Recommendations and their follow-up"),
    "exchanges": N_("Signed, encrypted exchanges with the other levels"),
}
UNDO_SECONDS = 15


class LaterPage(QWidget):
    """An honest placeholder for an area this version does not have yet."""

    def __init__(self, what: str) -> None:
        super().__init__()
        title = QLabel(_(what))
        title.setObjectName("pageTitle")
        text = QLabel(_("This part of CCS Desk comes in a later version. For now you can keep "
                        "the roster (Members), hold sessions with their minutes (Sessions), "
                        "follow up recommendations (Recommendations) and set up the committee "
                        "(Settings)."))
        for label in (title, text):
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        # A column of readable width in the middle of the page.
        column = QWidget()
        column.setMaximumWidth(620)
        inner = QVBoxLayout(column)
        inner.addWidget(title)
        inner.addSpacing(8)
        inner.addWidget(text)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(column, 3)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
        self.text = text


class MainWindow(QMainWindow):
    """Attributes: ``folder``, ``profile``, ``roster_page``, ``pages`` (code → widget)."""

    def __init__(self, folder: DataFolder, profile: committee.Profile) -> None:
        super().__init__()
        self.folder = folder
        self.profile = profile
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setFixedWidth(190)
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        self.roster_page = RosterPage(folder, self.show_status)
        self.roster_page.changed.connect(self._update_counts)
        for code, label in PAGES:
            self.navigation.addItem(_(label))
            if code == "members":
                page: QWidget = self.roster_page
            elif code in ("settings", "exchanges", *LAZY_PAGES):
                page = QWidget()  # built on first visit: start-up stays fast
            else:
                page = LaterPage(LATER_TEXT[code])
            self.pages[code] = page
            self.stack.addWidget(page)
        self.navigation.currentRowChanged.connect(self.show_page)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.setAcceptDrops(True)  # exchange archives and signed PDFs

        self.counts = QLabel()
        self.undo_button = QPushButton(_("Undo"))
        self.undo_button.setObjectName("undo")
        self.undo_button.hide()
        self.undo_button.clicked.connect(self._on_undo)
        self._undo: Callable[[], None] | None = None
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.timeout.connect(self._clear_undo)
        self.statusBar().addPermanentWidget(self.undo_button)
        self.statusBar().addPermanentWidget(self.counts)
        # Daily and on-closing backups, and the « Dernière sauvegarde » line.
        self.backups = AutomaticBackups(self, folder)
        self.statusBar().addPermanentWidget(self.backups.indicator)

        self._shortcuts()
        self.update_title()
        self._update_counts()
        self.navigation.setCurrentRow(0)
        self.resize(1280, 720)
        self.setMinimumSize(960, 600)

    def show_fitted(self) -> None:
        """Show the window, maximised on a small screen (a 1366×768 office PC)."""
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None and (screen.width() < 1440 or screen.height() < 860):
            self.showMaximized()
        else:
            self.show()

    def _shortcuts(self) -> None:
        for number in range(len(PAGES)):
            QShortcut(QKeySequence(f"Ctrl+{number + 1}"), self,
                      lambda row=number: self.navigation.setCurrentRow(row))
        QShortcut(QKeySequence.StandardKey.Find, self, self._on_find)
        QShortcut(QKeySequence.StandardKey.New, self, self._on_new)
        QShortcut(QKeySequence.StandardKey.Quit, self, self.close)
        QShortcut(QKeySequence("Ctrl+Shift+F"), self, self.open_search)
        QShortcut(QKeySequence("Ctrl+Shift+V"), self, self.open_verify)

    def update_title(self, profile: committee.Profile | None = None) -> None:
        """Committee name in the title bar, and the portable mode when it is on."""
        if profile is not None:
            self.profile = profile
        title = f"{self.profile.name} — CCS Desk"
        if self.profile.is_demo:
            title += " " + _("(demo)")
        if self.folder.portable:
            title += " " + _("(portable mode)")
        self.setWindowTitle(title)

    def show_page(self, row: int) -> None:
        code = PAGES[row][0]
        if code == "settings" and not hasattr(self.pages[code], "folder"):
            from ccsdesk.gui.settings_page import SettingsPage

            page = SettingsPage(self.folder, self.show_status)
            page.profile_changed.connect(self.update_title)
            page.roster_changed.connect(self.roster_page.reload)
            page.backups_tab.backup_made.connect(self.backups.refresh)
            page.backups_tab.data_replaced.connect(self._on_data_replaced)
            index = self.stack.indexOf(self.pages[code])
            self.stack.removeWidget(self.pages[code])
            self.pages[code].deleteLater()
            self.stack.insertWidget(index, page)
            self.pages[code] = page
        elif code in LAZY_PAGES:
            ensure_page(self, code)
        elif code == "exchanges":
            from ccsdesk.gui.exchanges_page import ensure_page as ensure_exchanges

            ensure_exchanges(self)
        self.stack.setCurrentWidget(self.pages[code])
        if self.navigation.currentRow() != row:
            self.navigation.setCurrentRow(row)

    def show_status(self, message: str, undo: Callable[[], None] | None = None) -> None:
        """A message in the status bar; with ``undo``, an « Undo » button for a while."""
        self.statusBar().showMessage(message, UNDO_SECONDS * 1000)
        self._undo = undo
        self.undo_button.setVisible(undo is not None)
        if undo is not None:
            self._undo_timer.start(UNDO_SECONDS * 1000)

    def _on_undo(self) -> None:
        action = self._undo
        self._clear_undo()
        if action is not None:
            action()

    def _clear_undo(self) -> None:
        self._undo = None
        self.undo_button.hide()

    def _update_counts(self) -> None:
        figures = committee.counts(self.folder)
        self.counts.setText(_("{active} active members out of {total}").format(
            active=figures.active_members, total=figures.members))

    def closeEvent(self, event: QCloseEvent) -> None:
        """The automatic backup before closing; its failure never stops the closing."""
        self.backups.before_close()
        super().closeEvent(event)

    def _on_data_replaced(self, _target: object) -> None:
        """The data folder was replaced by a backup: close without backing up the old one."""
        self.backups.closing_done = True
        self.close()

    def open_search(self) -> object:
        """The search over sessions, minutes and recommendations (Ctrl+Shift+F)."""
        return open_search(self)

    def open_verify(self) -> object:
        """« Verify a file »: who signed a PDF or an archive, is it intact (Ctrl+Shift+V)."""
        from ccsdesk.gui.exchanges_page import open_verify

        return open_verify(self)

    def receive_archive(self, path: object) -> None:
        """Import an exchange archive (given on the command line or dropped)."""
        from pathlib import Path

        from ccsdesk.gui.exchanges_page import route_drop

        route_drop(self, [Path(str(path))])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        from ccsdesk.gui.exchanges_page import droppable
        from ccsdesk.gui.verify_dialog import dropped_paths

        if droppable(dropped_paths(event)):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        from ccsdesk.gui.exchanges_page import route_drop
        from ccsdesk.gui.verify_dialog import dropped_paths

        paths = dropped_paths(event)
        if paths:
            event.acceptProposedAction()
            # After the drop returns: the import asks the passphrase in a dialog of its own.
            QTimer.singleShot(0, lambda: route_drop(self, paths))

    def _on_find(self) -> None:
        self.show_page(0)
        self.roster_page.focus_search()

    def _on_new(self) -> None:
        """Ctrl+N: the page on screen says what « new » means there (``create_new``).

        Adding a member from the Sessions page surprised people: a page without anything to
        create (Échanges, Paramètres) does nothing rather than jump elsewhere.
        """
        create = getattr(self.stack.currentWidget(), "create_new", None)
        if callable(create):
            create()
