"""The Paramètres page: the committee's profile and the interface language, plus the tabs of
:mod:`ccsdesk.gui.reference_tabs` (member categories, places), e-mail (:mod:`.mail_tab`),
backups and the journal.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core import i18n
from ccsdesk.core.errors import CcsError
from ccsdesk.core.i18n import _
from ccsdesk.core.services import committee, settings
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.errors import show_error
from ccsdesk.gui.reference_tabs import CategoriesTab, PlacesTab, hint
from ccsdesk.gui.wizard import CHAIR_TITLES

Notify = Callable[[str, Callable[[], None] | None], None]


class SettingsPage(QTabWidget):
    """Signals: ``profile_changed(Profile)`` after the name or chair changes,
    ``roster_changed()`` after a category is added or renamed.
    Attributes: ``categories_tab``, ``places_tab``, ``mail_tab``, ``backups_tab``,
    ``journal_tab``."""

    profile_changed = Signal(object)
    roster_changed = Signal()

    def __init__(self, folder: DataFolder, notify: Notify | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.notify: Notify = notify or (lambda _message, _undo: None)
        self.addTab(self._committee_tab(), _("Committee"))
        self.addTab(self._language_tab(), _("Language"))
        self.categories_tab = CategoriesTab(folder)
        self.categories_tab.changed.connect(self.roster_changed)
        self.places_tab = PlacesTab(folder)
        self.addTab(self.categories_tab, _("Member categories"))
        self.addTab(self.places_tab, _("Places"))
        from ccsdesk.gui.mail_tab import MailTab

        self.mail_tab = MailTab(folder, self.notify)
        self.addTab(self.mail_tab, _("E-mail"))
        from ccsdesk.gui.backups_tab import BackupsTab

        self.backups_tab = BackupsTab(folder, self.notify)
        self.addTab(self.backups_tab, _("Backups"))
        from ccsdesk.gui.journal_tab import JournalTab

        self.journal_tab = JournalTab(folder)
        self.addTab(self.journal_tab, _("Journal"))
        self.load_profile()

    # -- committee -----------------------------------------------------------------------

    def _committee_tab(self) -> QWidget:
        tab = QWidget()
        self.name = QLineEdit()
        self.chair = QComboBox()
        self.chair.setEditable(True)
        self.chair.addItems([_(title) for title in CHAIR_TITLES])
        self.level = QLabel()
        self.place = QLabel()
        self.fingerprint = QLabel()
        self.fingerprint.setObjectName("fingerprint")
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint.setWordWrap(True)
        self.data_folder = QLabel(str(self.folder.path))
        self.data_folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.data_folder.setWordWrap(True)
        self.save_button = QPushButton(_("Save"))
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save_profile)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addStretch(1)
        form = QFormLayout()
        form.addRow(_("Committee's name:"), self.name)
        form.addRow(_("Chair's title:"), self.chair)
        form.addRow("", save_row)
        form.addRow(_("Level:"), self.level)
        form.addRow(_("Place:"), self.place)
        form.addRow(_("Key fingerprint:"), self.fingerprint)
        form.addRow(_("Data folder:"), self.data_folder)
        column = QWidget()
        column.setMaximumWidth(820)  # long fields are hard to read across a wide screen
        inner = QVBoxLayout(column)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addLayout(form)
        inner.addWidget(hint(_("The level and the place cannot change: they are part of the "
                                "committee's certificate.")))
        layout = QVBoxLayout(tab)
        layout.addWidget(column)
        layout.addStretch(1)
        return tab

    def load_profile(self) -> None:
        profile = committee.require_profile(self.folder)
        self.name.setText(profile.name)
        self.chair.setCurrentText(profile.chair_title)
        self.level.setText(_(committee.LEVELS[profile.level]).capitalize())
        self.place.setText(profile.place)
        self.fingerprint.setText(profile.fingerprint)

    def save_profile(self) -> None:
        try:
            profile = committee.update(self.folder, name=self.name.text(),
                                       chair_title=self.chair.currentText())
        except CcsError as error:
            show_error(self, error)
            return
        self.load_profile()
        self.profile_changed.emit(profile)
        self.notify(_("Committee profile saved."), None)

    # -- language ------------------------------------------------------------------------

    def _language_tab(self) -> QWidget:
        tab = QWidget()
        self.language = QComboBox()
        for code, label in i18n.LANGUAGES.items():
            self.language.addItem(label, code)
        stored = settings.get(self.folder, settings.LANGUAGE, i18n.DEFAULT_LANGUAGE)
        self.language.setCurrentIndex(max(0, self.language.findData(stored)))
        self.language.currentIndexChanged.connect(self._on_language)
        self.language_note = hint(_("The new language applies the next time CCS Desk "
                                     "starts."))
        form = QFormLayout()
        form.addRow(_("Interface language:"), self.language)
        column = QWidget()
        column.setMaximumWidth(520)
        inner = QVBoxLayout(column)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addLayout(form)
        inner.addWidget(self.language_note)
        layout = QVBoxLayout(tab)
        layout.addWidget(column)
        layout.addStretch(1)
        return tab

    def _on_language(self) -> None:
        settings.put(self.folder, settings.LANGUAGE, self.language.currentData())
        self.notify(_("Language saved; it applies at the next start."), None)
