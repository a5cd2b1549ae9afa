"""The main window's Membres page: add, edit, deactivate (with undo), search, composition,
keyboard shortcuts, and the pages that come later."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from ccsdesk.core.services import committee, roster
from ccsdesk.gui.main_window import LaterPage, MainWindow
from ccsdesk.gui.member_dialog import MemberDialog
from tests.conftest import screenshot
from tests.gui.conftest import answer_next_dialog, press


def _category(folder, label: str) -> int:  # type: ignore[no-untyped-def]
    return next(c.id for c in roster.list_categories(folder) if c.label == label)


def _fill(dialog: MemberDialog, **values: str) -> None:
    for field, value in values.items():
        widget = getattr(dialog, field)
        if hasattr(widget, "findData"):
            widget.setCurrentIndex(widget.findData(value))
        else:
            widget.setText(value)


def _some_members(folder) -> None:  # type: ignore[no-untyped-def]
    soon = date.today() + timedelta(days=30)
    elus = _category(folder, roster.list_categories(folder)[0].label)
    for last, first, sex, org in (("Traoré", "Aminata", "F", "Mairie"),
                                  ("Diallo", "Oumar", "M", "Police nationale"),
                                  ("Coulibaly", "Fatoumata", "F", "Association des femmes"),
                                  ("Keïta", "Moussa", "M", "Chefferie de quartier")):
        roster.add_member(folder, roster.MemberData(
            last_name=last, first_names=first, sex=sex, category_id=elus, organisation=org,
            mandate_start=date(2024, 1, 15), mandate_end=soon if last == "Diallo" else None))


def test_window_title_pages_and_later_pages(window, commune):
    assert window.windowTitle() == "CCS de la Commune IV — CCS Desk"
    labels = [window.navigation.item(row).text() for row in range(window.navigation.count())]
    assert labels == ["Membres", "Sessions", "Recommandations", "Échanges", "Paramètres"]
    # Every page is a real one now: Sessions and Recommandations
    # (tests/gui/test_sessions_gui.py), Échanges (tests/gui/test_exchanges_gui.py).
    from ccsdesk.gui.exchanges_page import ExchangesPage

    window.navigation.setCurrentRow(3)
    assert isinstance(window.stack.currentWidget(), ExchangesPage)
    assert not any(isinstance(page, LaterPage) for page in window.pages.values())
    screenshot(window, "exchanges-page")
    assert window.minimumSizeHint().width() <= 1366 and window.minimumSizeHint().height() <= 768


def test_portable_mode_in_title(qtbot, qapp_styled, commune):
    commune.portable = True
    main = MainWindow(commune, committee.require_profile(commune))
    qtbot.addWidget(main)
    assert main.windowTitle().endswith("(mode portable)")


def test_add_member_with_errors_then_saved(qtbot, window, commune):
    page = window.roster_page
    assert page.table_or_empty.currentWidget() is page.empty
    assert "Aucun membre pour l’instant" in page.empty.text()
    screenshot(window, "members-empty")
    shots: list[str] = []

    def first_try(dialog: MemberDialog) -> None:
        _fill(dialog, last_name="  Sangaré ", first_names="Awa", phone="12")
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
        assert dialog.isVisible() and "sexe" in dialog.problem.text()
        _fill(dialog, sex="F")
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
        assert "téléphone" in dialog.problem.text() and dialog.last_name.text() == "  Sangaré "
        screenshot(dialog, "member-dialog-error")
        shots.append("error")
        _fill(dialog, phone="76 12 34 56")
        dialog.category.setCurrentIndex(2)
        dialog.role.setCurrentIndex(dialog.role.findData("secretary"))
        dialog.mandate_start.set_value(date(2024, 3, 1))
        dialog.mandate_end.set_value(date(2027, 2, 28))
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()

    answer_next_dialog(first_try)
    page.add_member()
    assert shots == ["error"]
    [member] = roster.list_members(commune)
    assert (member.last_name, member.first_names, member.sex, member.role, member.phone,
            member.mandate_end) == ("Sangaré", "Awa", "F", "secretary", "76 12 34 56",
                                    date(2027, 2, 28))
    assert page.visible_names() == ["SANGARÉ Awa"]
    assert page.table_or_empty.currentWidget() is page.table
    assert page.selected().id == member.id
    assert window.statusBar().currentMessage() == "Membre ajouté."
    assert window.counts.text() == "1 membres actifs sur 1"


def test_homonym_needs_confirmation(qtbot, window, commune):
    _some_members(commune)
    window.roster_page.reload()

    def fill_same_name(dialog: MemberDialog) -> None:
        _fill(dialog, last_name="TRAORE", first_names="aminata", sex="F")
        answer_next_dialog(press(QMessageBox.StandardButton.No))
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
        assert dialog.isVisible()  # refused: still open, nothing written
        assert len(roster.list_members(commune)) == 4
        answer_next_dialog(press(QMessageBox.StandardButton.Yes))
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()

    answer_next_dialog(fill_same_name)
    window.roster_page.add_member()
    assert [m.full_name for m in roster.list_members(commune)].count("TRAORE aminata") == 1
    assert len(roster.list_members(commune)) == 5


def test_edit_member(qtbot, window, commune):
    _some_members(commune)
    page = window.roster_page
    page.reload()
    diallo = next(m for m in roster.list_members(commune) if m.last_name == "Diallo")
    page.select(diallo.id)

    def edit(dialog: MemberDialog) -> None:
        assert dialog.windowTitle() == "Modifier un membre"
        assert dialog.organisation.text() == "Police nationale"
        assert dialog.mandate_start.value() == date(2024, 1, 15)
        screenshot(dialog, "member-dialog-edit")
        _fill(dialog, organisation="Commissariat du 4e arrondissement", role="vice_president")
        dialog.mandate_end.set_value(None)
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()

    answer_next_dialog(edit)
    page.edit_selected()
    changed = roster.get_member(commune, diallo.id)
    assert changed.organisation == "Commissariat du 4e arrondissement"
    assert changed.role == "vice_president" and changed.mandate_end is None
    assert changed.first_names == "Oumar"


def test_deactivate_with_confirmation_and_undo(qtbot, window, commune):
    _some_members(commune)
    page = window.roster_page
    page.reload()
    keita = next(m for m in roster.list_members(commune) if m.last_name == "Keïta")
    page.select(keita.id)
    assert page.active_button.text() == "Désactiver"

    answer_next_dialog(press(QMessageBox.StandardButton.No))
    page.active_button.click()
    assert roster.get_member(commune, keita.id).active

    answer_next_dialog(press(QMessageBox.StandardButton.Yes))
    page.active_button.click()
    assert not roster.get_member(commune, keita.id).active
    assert "KEÏTA Moussa" not in page.visible_names()
    assert window.undo_button.isVisible()
    assert window.statusBar().currentMessage() == "KEÏTA Moussa désactivé(e)."
    assert window.counts.text() == "3 membres actifs sur 4"
    screenshot(window, "members-after-deactivate")

    page.show_inactive.setChecked(True)
    assert "KEÏTA Moussa" in page.visible_names()
    window.undo_button.click()
    assert roster.get_member(commune, keita.id).active
    assert not window.undo_button.isVisible()
    assert window.counts.text() == "4 membres actifs sur 4"


def test_search_sort_and_composition(qtbot, window, commune):
    _some_members(commune)
    page = window.roster_page
    page.reload()
    assert page.visible_names() == ["COULIBALY Fatoumata", "DIALLO Oumar", "KEÏTA Moussa",
                                    "TRAORÉ Aminata"]
    qtbot.keyClicks(page.search, "KEITA")
    assert page.visible_names() == ["KEÏTA Moussa"]
    page.search.clear()
    qtbot.keyClicks(page.search, "femmes")
    assert page.visible_names() == ["COULIBALY Fatoumata"]
    page.search.clear()
    qtbot.keyClicks(page.search, "police oumar")
    assert page.visible_names() == ["DIALLO Oumar"]
    page.search.clear()
    page.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert page.visible_names()[0] == "TRAORÉ Aminata"
    page.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)

    text = page.composition.summary.text()
    assert "4 membres actifs avec voix délibérative" in text and "Femmes : 2 (50\xa0%)" in text
    assert "DIALLO Oumar" in page.composition.ending.text()
    diallo_row = page.visible_names().index("DIALLO Oumar")
    index = page.proxy.index(diallo_row, 5)
    assert page.proxy.data(index, Qt.ItemDataRole.BackgroundRole) is not None
    qtbot.wait(100)  # let the layout take the new figures into account, as on screen
    screenshot(window, "members-list")


def test_keyboard_shortcuts(qtbot, window, commune):
    window.navigation.setCurrentRow(2)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.roster_page
    assert QApplication.focusWidget() is window.roster_page.search

    opened: list[str] = []

    def cancel(dialog: MemberDialog) -> None:
        opened.append(dialog.windowTitle())
        dialog.reject()

    answer_next_dialog(cancel)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert opened == ["Nouveau membre"]
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.pages["settings"]
