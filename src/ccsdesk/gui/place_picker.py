"""Picking an administrative unit from the reference table, and adding a missing one.

The shipped list cannot hold every commune's current name, so wherever a place is chosen
the secretary can add the missing cercle or commune on the spot (it goes into the same
editable table the command line uses).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.errors import CcsError
from ccsdesk.core.i18n import N_, _, ngettext
from ccsdesk.core.services import places
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.text import fold
from ccsdesk.gui.errors import show_error

KIND_LABELS: dict[str, str] = {
    "country": N_("Country"),
    "region": N_("Region"),
    "district": N_("District"),
    "cercle": N_("Cercle"),
    "commune": N_("Commune"),
}
# The kinds a secretary may add by hand (régions and the District are shipped).
ADDABLE_KINDS = ("cercle", "commune")


def place_label(place: places.PlaceInfo) -> str:
    """What a list shows for a place: its path, or its name for the country itself."""
    return place.path or place.name


class AddPlaceDialog(QDialog):
    """Ask for a new cercle or commune and its parent; adds it with ``places.add``.

    Attribute ``place_id`` holds the new place's id once the dialog is accepted.
    """

    def __init__(self, folder: DataFolder, parent: QWidget | None = None,
                 kind: str = "commune") -> None:
        super().__init__(parent)
        self.folder = folder
        self.place_id: int | None = None
        self.setWindowTitle(_("Add a place"))
        self.kind = QComboBox()
        for code in ADDABLE_KINDS:
            self.kind.addItem(_(KIND_LABELS[code]), code)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.name = QLineEdit()
        self.name.setPlaceholderText(_("Name as written officially"))
        self.parent_place = QComboBox()
        self.parent_place.setEditable(False)
        self.parent_place.setMinimumWidth(320)
        form = QFormLayout()
        form.addRow(_("Kind:"), self.kind)
        form.addRow(_("Name:"), self.name)
        form.addRow(_("Inside:"), self.parent_place)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.kind.currentIndexChanged.connect(self._fill_parents)
        self._fill_parents()

    def _fill_parents(self) -> None:
        self.parent_place.clear()
        kinds = places.PARENT_KINDS[self.kind.currentData()]
        found = [p for kind in kinds for p in places.list_places(self.folder, kind)]
        for place in sorted(found, key=lambda p: fold(place_label(p))):
            self.parent_place.addItem(
                f"{place_label(place)} ({_(KIND_LABELS[place.kind]).lower()})", place.path)

    def _on_accept(self) -> None:
        try:
            self.place_id = places.add(self.folder, self.kind.currentData(), self.name.text(),
                                       self.parent_place.currentData() or "")
        except CcsError as error:
            show_error(self, error)
            return
        self.accept()


class PlacePicker(QWidget):
    """A search box over the places of some kinds, and a button to add a missing one.

    Signal ``changed()`` fires when the selection changes; ``selected()`` returns the place.
    """

    changed = Signal()

    def __init__(self, folder: DataFolder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.kinds: tuple[str, ...] = ("commune",)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Type to search (accents not needed)"))
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.add_button = QPushButton(_("Add a missing cercle or commune…"))
        self.count = QLabel()
        self.count.setObjectName("hint")
        row = QHBoxLayout()
        row.addWidget(self.count, 1)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        self.search.textChanged.connect(self._filter)
        self.list.currentItemChanged.connect(lambda *_args: self.changed.emit())
        self.add_button.clicked.connect(self._on_add)

    def set_kinds(self, kinds: tuple[str, ...]) -> None:
        """Offer places of these kinds only (a commune committee sits in a commune…)."""
        self.kinds = kinds
        self.add_button.setVisible(any(kind in ADDABLE_KINDS for kind in kinds))
        self.reload()

    def reload(self, select_id: int | None = None) -> None:
        self.list.clear()
        found = [p for kind in self.kinds for p in places.list_places(self.folder, kind)]
        for place in sorted(found, key=lambda p: fold(place_label(p))):
            item = QListWidgetItem(place_label(place))
            item.setData(Qt.ItemDataRole.UserRole, place)
            item.setData(Qt.ItemDataRole.UserRole + 1, fold(place_label(place)))
            self.list.addItem(item)
            if place.id == select_id:
                self.list.setCurrentItem(item)
        self._filter()

    def _filter(self) -> None:
        words = fold(self.search.text()).split()
        shown = 0
        for row in range(self.list.count()):
            item = self.list.item(row)
            key = item.data(Qt.ItemDataRole.UserRole + 1)
            hidden = not all(word in key for word in words)
            item.setHidden(hidden)
            shown += not hidden
        self.count.setText(ngettext("{count} place shown", "{count} places shown", shown).format(
            count=shown))
        current = self.list.currentItem()
        if (current is None or current.isHidden()) and shown == 1:
            for row in range(self.list.count()):
                if not self.list.item(row).isHidden():
                    self.list.setCurrentRow(row)
                    break

    def selected(self) -> places.PlaceInfo | None:
        item = self.list.currentItem()
        if item is None or item.isHidden():
            return None
        return item.data(Qt.ItemDataRole.UserRole)

    def _on_add(self) -> None:
        kind = "commune" if "commune" in self.kinds else "cercle"
        dialog = AddPlaceDialog(self.folder, self, kind)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.place_id is not None:
            self.search.clear()
            if dialog.kind.currentData() not in self.kinds:
                self.reload()
                return
            self.reload(select_id=dialog.place_id)
