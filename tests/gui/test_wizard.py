"""The first-run wizard driven to a set-up committee, and to a demo commune."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWizard

from ccsdesk.core.exchange import keys
from ccsdesk.core.services import committee, places, roster
from ccsdesk.gui import wizard as wiz
from ccsdesk.gui.place_picker import AddPlaceDialog
from tests.conftest import PASSPHRASE, screenshot


def _next(wizard: wiz.SetupWizard) -> None:
    wizard.button(QWizard.WizardButton.NextButton).click()


def test_wizard_sets_up_a_commune_committee(qtbot, qapp_styled, folder, wait_tasks):
    wizard = wiz.SetupWizard(folder)
    qtbot.addWidget(wizard)
    wizard.show()
    screenshot(wizard, "wizard-1-welcome")
    _next(wizard)
    assert wizard.currentId() == wiz.LEVEL
    screenshot(wizard, "wizard-2-level")
    _next(wizard)
    assert wizard.currentId() == wiz.PLACE
    picker = wizard.place_page.picker
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    qtbot.keyClicks(picker.search, "commune iv")
    assert picker.selected() is not None and picker.selected().path == "Bamako / Commune IV"
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    screenshot(wizard, "wizard-3-place")
    _next(wizard)
    assert wizard.name_page.name.text() == "CCS de Commune IV"
    wizard.name_page.name.setText("CCS de la Commune IV du District de Bamako")
    assert wizard.name_page.chair.currentText() == "Maire"
    wizard.back()
    _next(wizard)
    assert wizard.name_page.name.text() == "CCS de la Commune IV du District de Bamako"
    screenshot(wizard, "wizard-4-name")
    _next(wizard)
    page = wizard.passphrase_page
    qtbot.keyClicks(page.first, "court")
    assert "au moins 8" in page.advice.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    page.first.clear()
    qtbot.keyClicks(page.first, PASSPHRASE)
    qtbot.keyClicks(page.second, PASSPHRASE + "x")
    assert "pas les mêmes" in page.advice.text()
    page.second.setText(PASSPHRASE)
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    screenshot(wizard, "wizard-5-passphrase")
    _next(wizard)
    assert wizard.currentId() == wiz.SUMMARY
    assert "Commune IV" in wizard.summary_page.text.text()
    screenshot(wizard, "wizard-6-summary")
    assert committee.profile(folder) is None
    _next(wizard)
    if wizard.currentId() == wiz.SUMMARY:  # still creating: the wizard cannot be left
        assert not wizard.button(QWizard.WizardButton.CancelButton).isEnabled()
        wizard.reject()
        assert wizard.isVisible()
    qtbot.waitUntil(lambda: wizard.currentId() == wiz.DONE, timeout=30000)
    wait_tasks()

    profile = committee.profile(folder)
    assert profile is not None
    assert (profile.level, profile.name, profile.place, profile.chair_title) == (
        "commune", "CCS de la Commune IV du District de Bamako", "Bamako / Commune IV", "Maire")
    assert wizard.done_page.fingerprint.text() == profile.fingerprint
    assert keys.unlock(folder.keys_dir, PASSPHRASE).age_identity.startswith("AGE-SECRET-KEY-")
    screenshot(wizard, "wizard-7-done")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QDialog.DialogCode.Accepted


def test_wizard_adds_a_missing_commune(qtbot, qapp_styled, folder):
    wizard = wiz.SetupWizard(folder)
    qtbot.addWidget(wizard)
    wizard.show()
    _next(wizard)
    _next(wizard)
    picker = wizard.place_page.picker
    qtbot.keyClicks(picker.search, "Kokry")
    assert picker.selected() is None
    dialog = AddPlaceDialog(folder, wizard, "commune")
    qtbot.addWidget(dialog)
    dialog.name.setText("Kokry")
    dialog.parent_place.setCurrentIndex(dialog.parent_place.findData("Ségou"))
    screenshot(dialog, "wizard-add-place")
    dialog._on_accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    picker.reload(select_id=dialog.place_id)
    assert picker.selected().path == "Ségou / Kokry"
    assert [p.path for p in places.list_places(folder, "commune") if "Kokry" in p.path] == [
        "Ségou / Kokry"]


def test_wizard_demo_commune(qtbot, qapp_styled, folder, wait_tasks):
    wizard = wiz.SetupWizard(folder)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.welcome_page.demo.setChecked(True)
    _next(wizard)
    assert wizard.currentId() == wiz.PASSPHRASE
    wizard.passphrase_page.first.setText(PASSPHRASE)
    wizard.passphrase_page.second.setText(PASSPHRASE)
    _next(wizard)
    assert "démonstration" in wizard.summary_page.text.text()
    _next(wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == wiz.DONE, timeout=60000)
    wait_tasks()
    profile = committee.profile(folder)
    assert profile is not None and profile.is_demo
    assert len(roster.list_members(folder)) > 5
    assert wizard.done_page.fingerprint.text() == profile.fingerprint
    assert wizard.done_page.fingerprint.textInteractionFlags() & (
        Qt.TextInteractionFlag.TextSelectableByMouse)


def test_wizard_region_level_offers_regions(qtbot, qapp_styled, folder):
    wizard = wiz.SetupWizard(folder)
    qtbot.addWidget(wizard)
    wizard.show()
    _next(wizard)
    region = next(b for b in wizard.level_page.group.buttons() if b.property("level") == "region")
    region.setChecked(True)
    _next(wizard)
    picker = wizard.place_page.picker
    names = [picker.list.item(row).text() for row in range(picker.list.count())]
    assert "Ségou" in names and "Bamako / Commune IV" not in names and len(names) == 19
    assert not picker.add_button.isVisible()
    qtbot.keyClicks(picker.search, "segou")
    _next(wizard)
    assert wizard.name_page.name.text() == "CCS de Ségou"
    assert wizard.name_page.chair.currentText() == "Gouverneur"
