"""The Paramètres page: profile, language, categories and places."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from ccsdesk.core.services import committee, places, roster, settings
from ccsdesk.gui.settings_page import SettingsPage
from tests.conftest import screenshot
from tests.gui.conftest import answer_next_dialog, open_window


@pytest.fixture
def window(qtbot, qapp_styled, commune):  # type: ignore[no-untyped-def]
    """The window on Paramètres."""
    main = open_window(qtbot, commune, exposed=False)
    main.navigation.setCurrentRow(4)
    return main


def test_profile_shown_and_updated(window, commune):
    page = window.pages["settings"]
    assert isinstance(page, SettingsPage)
    profile = committee.require_profile(commune)
    assert page.fingerprint.text() == profile.fingerprint
    assert page.level.text() == "Commune"
    assert page.place.text() == "Bamako / Commune IV"
    screenshot(window, "settings-committee")
    page.name.setText("CCS de la Commune IV (Bamako)")
    page.chair.setCurrentText("Maire de la Commune IV")
    page.save_button.click()
    changed = committee.require_profile(commune)
    assert (changed.name, changed.chair_title) == ("CCS de la Commune IV (Bamako)",
                                                   "Maire de la Commune IV")
    assert window.windowTitle() == "CCS de la Commune IV (Bamako) — CCS Desk"
    assert window.statusBar().currentMessage() == "Profil du comité enregistré."


def test_empty_name_refused(window, commune):
    page = window.pages["settings"]
    messages: list[str] = []
    answer_next_dialog(lambda box: (messages.append(box.text()), box.accept()))
    page.name.setText("   ")
    page.save_button.click()
    assert messages and "nom du comité est vide" in messages[0].lower()
    assert committee.require_profile(commune).name == "CCS de la Commune IV"


def test_language_setting(window, commune):
    page = window.pages["settings"]
    page.setCurrentIndex(1)
    assert page.language.currentData() == "fr"
    assert "prochain démarrage" in page.language_note.text()
    screenshot(window, "settings-language")
    page.language.setCurrentIndex(page.language.findData("en"))
    assert settings.get(commune, settings.LANGUAGE) == "en"
    assert window.navigation.item(0).text() == "Membres"  # applies at the next start


def test_categories_add_and_rename(qtbot, window, commune):
    settings_page = window.pages["settings"]
    settings_page.setCurrentIndex(2)
    page = settings_page.categories_tab
    before = len(roster.list_categories(commune))
    assert page.categories.count() == before
    with qtbot.waitSignal(settings_page.roster_changed, timeout=1000):
        assert page.add_category("Transporteurs")
    assert page.categories.count() == before + 1
    assert page.categories.currentItem().text() == "Transporteurs"
    new_id = next(c.id for c in roster.list_categories(commune) if c.label == "Transporteurs")
    assert page.rename_category(new_id, "Transporteurs routiers")
    assert "Transporteurs routiers" in [c.label for c in roster.list_categories(commune)]
    screenshot(window, "settings-categories")

    messages: list[str] = []
    answer_next_dialog(lambda box: (messages.append(box.text()), box.accept()))
    assert not page.add_category("transporteurs ROUTIERS")
    assert "existe déjà" in messages[0]
    assert len(roster.list_categories(commune)) == before + 1
    # The member dialog offers the new category at once.
    from ccsdesk.gui.member_dialog import MemberDialog

    dialog = MemberDialog(commune)
    assert dialog.category.findText("Transporteurs routiers") >= 0
    dialog.deleteLater()


def test_places_add_and_rename(qtbot, window, commune):
    from ccsdesk.gui.place_picker import AddPlaceDialog

    settings_page = window.pages["settings"]
    settings_page.setCurrentIndex(3)
    page = settings_page.places_tab
    labels = [page.places.item(row).text() for row in range(page.places.count())]
    assert "Bamako / Commune IV  (commune)" in labels
    assert "Ségou  (région)" in labels
    dialog = AddPlaceDialog(commune, page, "cercle")
    qtbot.addWidget(dialog)
    dialog.name.setText("Macina")
    dialog.parent_place.setCurrentIndex(dialog.parent_place.findData("Ségou"))
    dialog._on_accept()
    page.load_places(dialog.place_id)
    assert page.places.currentItem().text() == "Ségou / Macina  (cercle)"
    qtbot.keyClicks(page.place_search, "macina")
    shown = [page.places.item(r).text() for r in range(page.places.count())
             if not page.places.item(r).isHidden()]
    assert shown == ["Ségou / Macina  (cercle)"]
    screenshot(window, "settings-places")
    assert page.rename_place(dialog.place_id, "Macina (Kokry)")
    assert "Ségou / Macina (Kokry)" in [p.path for p in places.list_places(commune, "cercle")]
    answer_next_dialog(lambda box: box.button(QMessageBox.StandardButton.Ok).click())
    assert not page.rename_place(dialog.place_id, " ")
