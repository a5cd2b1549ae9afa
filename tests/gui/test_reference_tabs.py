"""The « Ajouter… » and « Renommer… » buttons beside the categories and places lists."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QPushButton, QWidget

from ccsdesk.core.services import places, roster
from ccsdesk.gui.reference_tabs import CategoriesTab, PlacesTab
from tests.gui.conftest import answer_next_dialog


def _button(tab: QWidget, text: str) -> QPushButton:
    [button] = [b for b in tab.findChildren(QPushButton) if b.text() == text]
    return button


def _type(text: str):  # type: ignore[no-untyped-def]
    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, QInputDialog)
        dialog.setTextValue(text)
        dialog.accept()

    return act


def test_categories_add_and_rename_buttons(qtbot, qapp_styled, folder):  # type: ignore[no-untyped-def]
    tab = CategoriesTab(folder)
    qtbot.addWidget(tab)
    answer_next_dialog(_type("Transporteurs"))
    _button(tab, "Ajouter…").click()
    assert tab.categories.currentItem().text() == "Transporteurs"
    answer_next_dialog(_type("Syndicat des transporteurs"))
    _button(tab, "Renommer…").click()
    labels = [c.label for c in roster.list_categories(folder)]
    assert "Syndicat des transporteurs" in labels and "Transporteurs" not in labels


def test_places_rename_button(qtbot, qapp_styled, folder):  # type: ignore[no-untyped-def]
    tab = PlacesTab(folder)
    qtbot.addWidget(tab)
    tab.place_search.setText("commune iv")
    item = next(tab.places.item(r) for r in range(tab.places.count())
                if not tab.places.item(r).isHidden())
    tab.places.setCurrentItem(item)
    answer_next_dialog(_type("Commune IV du district"))
    _button(tab, "Renommer…").click()
    assert "Commune IV du district" in [p.name for p in places.list_places(folder)]
