"""The Paramètres tabs over the editable reference lists: member categories and places.

Both lists are shared with the command line (``ccsdesk places add``) and the import, so a
change here is seen everywhere; every change goes through the roster and places services.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.errors import CcsError
from ccsdesk.core.i18n import _
from ccsdesk.core.services import places, roster
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.text import fold
from ccsdesk.gui.errors import show_error
from ccsdesk.gui.place_picker import KIND_LABELS, AddPlaceDialog, place_label


def hint(text: str) -> QLabel:
    """A grey explanatory line, as used at the top of the settings tabs."""
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label


def list_with_buttons(items: QListWidget, on_add: Callable[[], None],
                      on_rename: Callable[[], None]) -> QHBoxLayout:
    """A reference list with « Add… » and « Rename… » beside it, as both tabs show them."""
    buttons = QVBoxLayout()
    for text, action in ((_("Add…"), on_add), (_("Rename…"), on_rename)):
        button = QPushButton(text)
        button.clicked.connect(action)
        buttons.addWidget(button)
    buttons.addStretch(1)
    row = QHBoxLayout()
    row.addWidget(items, 1)
    row.addLayout(buttons)
    return row


class CategoriesTab(QWidget):
    """The member categories: list, add, rename. Signal ``changed()`` after a change."""

    changed = Signal()

    def __init__(self, folder: DataFolder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.categories = QListWidget()
        layout = QVBoxLayout(self)
        layout.addWidget(hint(_("The categories a member can belong to. Renaming one "
                                "renames it for every member in it.")))
        layout.addLayout(list_with_buttons(self.categories, self._on_add_category,
                                           self._on_rename_category), 1)
        self.load_categories()

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
        self.changed.emit()
        return True

    def rename_category(self, category_id: int, label: str) -> bool:
        try:
            roster.rename_category(self.folder, category_id, label)
        except CcsError as error:
            show_error(self, error)
            return False
        self.load_categories(category_id)
        self.changed.emit()
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


class PlacesTab(QWidget):
    """Mali's administrative units by path: search, add a cercle or commune, rename."""

    def __init__(self, folder: DataFolder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.place_search = QLineEdit()
        self.place_search.setPlaceholderText(_("Type to search (accents not needed)"))
        self.place_search.setClearButtonEnabled(True)
        self.place_search.textChanged.connect(self._filter_places)
        self.places = QListWidget()
        layout = QVBoxLayout(self)
        layout.addWidget(hint(_("Mali's administrative units. Add a cercle or a commune that "
                                "is missing, or correct a name.")))
        layout.addWidget(self.place_search)
        layout.addLayout(list_with_buttons(self.places, self._on_add_place,
                                           self._on_rename_place), 1)
        self.load_places()

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
