"""The Paramètres page: the committee's profile, the interface language, the member
categories and the reference table of places.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core import i18n
from ccsdesk.core.errors import CcsError
from ccsdesk.core.i18n import _
from ccsdesk.core.services import committee, places, roster, settings
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.text import fold
from ccsdesk.gui.errors import show_error
from ccsdesk.gui.place_picker import KIND_LABELS, AddPlaceDialog, place_label
from ccsdesk.gui.wizard import CHAIR_TITLES

Notify = Callable[[str, Callable[[], None] | None], None]


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label


class SettingsPage(QTabWidget):
    """Signals: ``profile_changed(Profile)`` after the name or chair changes,
    ``roster_changed()`` after a category is added or renamed."""

    profile_changed = Signal(object)
    roster_changed = Signal()

    def __init__(self, folder: DataFolder, notify: Notify | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.notify: Notify = notify or (lambda _message, _undo: None)
        self.addTab(self._committee_tab(), _("Committee"))
        self.addTab(self._language_tab(), _("Language"))
        self.addTab(self._categories_tab(), _("Member categories"))
        self.addTab(self._places_tab(), _("Places"))
        self.load_profile()
        self.load_categories()
        self.load_places()

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
        inner.addWidget(_hint(_("The level and the place cannot change: they are part of the "
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
        self.language_note = _hint(_("The new language applies the next time CCS Desk "
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

    # -- categories ----------------------------------------------------------------------

    def _categories_tab(self) -> QWidget:
        tab = QWidget()
        self.categories = QListWidget()
        add = QPushButton(_("Add…"))
        rename = QPushButton(_("Rename…"))
        add.clicked.connect(self._on_add_category)
        rename.clicked.connect(self._on_rename_category)
        buttons = QVBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(rename)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.categories, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(tab)
        layout.addWidget(_hint(_("The categories a member can belong to. Renaming one "
                                 "renames it for every member in it.")))
        layout.addLayout(row, 1)
        return tab

    def load_categories(self, select_id: int | None = None) -> None:
        self.categories.clear()
        for category in roster.list_categories(self.folder):
            item = QListWidgetItem(category.label)
            item.setData(Qt.ItemDataRole.UserRole, category.id)
            self.categories.addItem(item)
            if category.id == select_id:
                self.categories.setCurrentItem(item)

    def add_category(self, label: str) -> bool:
        try:
            category_id = roster.add_category(self.folder, label)
        except CcsError as error:
            show_error(self, error)
            return False
        self.load_categories(category_id)
        self.roster_changed.emit()
        return True

    def rename_category(self, category_id: int, label: str) -> bool:
        try:
            roster.rename_category(self.folder, category_id, label)
        except CcsError as error:
            show_error(self, error)
            return False
        self.load_categories(category_id)
        self.roster_changed.emit()
        return True

    def _on_add_category(self) -> None:
        label, ok = QInputDialog.getText(self, _("New category"), _("Name of the category:"))
        if ok:
            self.add_category(label)

    def _on_rename_category(self) -> None:
        item = self.categories.currentItem()
        if item is None:
            return
        label, ok = QInputDialog.getText(self, _("Rename the category"),
                                         _("New name:"), text=item.text())
        if ok:
            self.rename_category(item.data(Qt.ItemDataRole.UserRole), label)

    # -- places --------------------------------------------------------------------------

    def _places_tab(self) -> QWidget:
        tab = QWidget()
        self.place_search = QLineEdit()
        self.place_search.setPlaceholderText(_("Type to search (accents not needed)"))
        self.place_search.setClearButtonEnabled(True)
        self.place_search.textChanged.connect(self._filter_places)
        self.places = QListWidget()
        add = QPushButton(_("Add…"))
        rename = QPushButton(_("Rename…"))
        add.clicked.connect(self._on_add_place)
        rename.clicked.connect(self._on_rename_place)
        buttons = QVBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(rename)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.places, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(tab)
        layout.addWidget(_hint(_("Mali's administrative units. Add a cercle or a commune that "
                                 "is missing, or correct a name.")))
        layout.addWidget(self.place_search)
        layout.addLayout(row, 1)
        return tab

    def load_places(self, select_id: int | None = None) -> None:
        self.places.clear()
        for place in places.list_places(self.folder):
            if place.kind == "country":
                continue
            kind = _(KIND_LABELS.get(place.kind, place.kind)).lower()
            item = QListWidgetItem(f"{place_label(place)}  ({kind})")
            item.setData(Qt.ItemDataRole.UserRole, place.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, fold(place_label(place)))
            item.setData(Qt.ItemDataRole.UserRole + 2, place.name)
            self.places.addItem(item)
            if place.id == select_id:
                self.places.setCurrentItem(item)
        self._filter_places()

    def _filter_places(self) -> None:
        words = fold(self.place_search.text()).split()
        for row in range(self.places.count()):
            item = self.places.item(row)
            key = item.data(Qt.ItemDataRole.UserRole + 1)
            item.setHidden(not all(word in key for word in words))

    def rename_place(self, place_id: int, name: str) -> bool:
        try:
            places.rename(self.folder, place_id, name)
        except CcsError as error:
            show_error(self, error)
            return False
        self.load_places(place_id)
        return True

    def _on_add_place(self) -> None:
        dialog = AddPlaceDialog(self.folder, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.place_search.clear()
            self.load_places(dialog.place_id)

    def _on_rename_place(self) -> None:
        item = self.places.currentItem()
        if item is None:
            return
        name, ok = QInputDialog.getText(self, _("Rename the place"), _("New name:"),
                                        text=item.data(Qt.ItemDataRole.UserRole + 2))
        if ok:
            self.rename_place(item.data(Qt.ItemDataRole.UserRole), name)
