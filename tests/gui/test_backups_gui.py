"""Paramètres › Sauvegardes and the automatic backups of the main window, on real folders."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from ccsdesk.core.errors import WrongPassphraseError
from ccsdesk.core.exchange import keys
from ccsdesk.core.exchange.transport import Drive
from ccsdesk.core.services import backup, committee, roster, settings
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui import backup_watch
from ccsdesk.gui.backups_tab import BackupsTab
from ccsdesk.gui.key_dialogs import ChangePassphraseDialog, KeyBackupDialog
from ccsdesk.gui.main_window import MainWindow
from ccsdesk.gui.restore_dialog import RestoreDialog
from tests.conftest import PASSPHRASE, screenshot
from tests.gui.conftest import answer_next_dialog, open_window, press

NEW = "nouvelle-phrase-du-bureau"


@pytest.fixture
def window(qtbot, qapp_styled, commune):  # type: ignore[no-untyped-def]
    """The window on Paramètres › Sauvegardes."""
    main = open_window(qtbot, commune, exposed=False)
    main.navigation.setCurrentRow(4)
    page = main.pages["settings"]
    page.setCurrentWidget(page.backups_tab)
    return main


def _tab(window: MainWindow) -> BackupsTab:
    return window.pages["settings"].backups_tab  # type: ignore[attr-defined]


def _members(folder: DataFolder) -> list[str]:
    return sorted(m.full_name for m in roster.list_members(folder))


def test_backup_now_from_the_tab(window, commune, wait_tasks):  # type: ignore[no-untyped-def]
    tab = _tab(window)
    assert window.backups.indicator.text() == "Dernière sauvegarde : jamais"
    assert window.backups.indicator.property("level") == "missing"
    assert "Aucune sauvegarde" in tab.last_label.text()
    assert "aucun" in tab.second_place_label.text()
    screenshot(window, "backups-tab-none")
    tab.backup_button.click()
    wait_tasks()
    made = list(commune.backups_dir.glob("ccsdesk-*.ccsbak"))
    assert len(made) == 1
    backup.verify(made[0])
    assert tab.last_label.text().startswith("aujourd’hui ")
    assert tab.last_label.property("level") == "ok"
    assert window.backups.indicator.text().startswith("Dernière sauvegarde : aujourd’hui ")
    assert window.backups.indicator.property("level") == "ok"
    assert "Sauvegarde écrite" in window.statusBar().currentMessage()
    screenshot(window, "backups-tab-done")


def test_old_backup_is_shown_in_orange(qtbot, qapp_styled, commune):  # type: ignore[no-untyped-def]
    backup.create(commune, now=datetime.now() - timedelta(days=3, hours=2))
    main = open_window(qtbot, commune, exposed=False)
    main.show_page(4)
    tab = _tab(main)
    main.pages["settings"].setCurrentWidget(tab)
    assert main.backups.indicator.property("level") == "old"
    assert "orange" not in main.backups.indicator.styleSheet()  # a colour code, not a name
    assert backup_watch.ORANGE in main.backups.indicator.styleSheet()
    assert "3 jours" in main.backups.indicator.toolTip()
    assert "plus de deux jours" in tab.last_label.text()
    screenshot(main, "backups-old-warning")
    main.backups.closing_done = True  # this test is about the warning, not the closing


def test_describe_and_level() -> None:
    now = datetime(2026, 11, 22, 9, 0)
    assert backup_watch.describe(datetime(2026, 11, 21, 17, 5), now) == "hier 17:05"
    assert backup_watch.describe(datetime(2026, 11, 22, 8, 1), now) == "aujourd’hui 08:01"
    assert backup_watch.describe(datetime(2026, 11, 1, 17, 5),
                                 now) == "le 1er novembre 2026 à 17:05"
    assert backup_watch.describe(None, now) == "jamais"
    assert backup_watch.level(datetime(2026, 11, 21, 17, 5), now) == "ok"
    assert backup_watch.level(datetime(2026, 11, 19, 17, 5), now) == "old"
    assert backup_watch.level(datetime(2026, 11, 10, 17, 5), now) == "missing"
    assert backup_watch.level(None, now) == "missing"


def test_restore_into_a_new_folder(window, commune, tmp_path, wait_tasks):  # type: ignore[no-untyped-def]
    roster.add_member(commune, roster.MemberData(last_name="Traoré", first_names="Awa",
                                                 sex="F"))
    made = backup.create(commune, tmp_path / "hier.ccsbak")
    at_backup = _members(commune)
    roster.add_member(commune, roster.MemberData(last_name="Keïta", sex="M"))
    tab = _tab(window)
    tab.ask_backup_file = lambda: made
    target = tmp_path / "restauree"
    seen: dict[str, str] = {}

    def choose(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, RestoreDialog)
        seen.update({label: shown.text() for label, shown in dialog.facts.items()})
        assert dialog.into_new.isChecked() and dialog.target_field.isEnabled()
        screenshot(dialog, "backups-restore-dialog")
        dialog.target_field.setText(str(target))
        answer_next_dialog(lambda box: (seen.update(done=box.text()),
                                        screenshot(box, "backups-restored-message"),
                                        press(QMessageBox.StandardButton.Ok)(box)))
        dialog.ok_button.click()

    answer_next_dialog(choose)
    tab.restore_button.click()
    wait_tasks()
    qtbot_wait_until(lambda: "done" in seen)
    wait_tasks()
    assert seen["Comité :"] == "CCS de la Commune IV"
    assert "fichiers" in seen["Contenu :"]
    assert seen["Registre :"] == f"{len(at_backup)} membre, 0 session, 0 recommandation"
    assert "restaurée dans" in seen["done"] and "pas été touchées" in seen["done"]
    restored = DataFolder.open(target)
    try:
        assert _members(restored) == at_backup
    finally:
        restored.close()
    assert len(_members(commune)) == len(at_backup) + 1  # the current data untouched


def qtbot_wait_until(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    """Process events until ``condition()`` holds (the message boxes run their own loops)."""
    import time

    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        QApplication.processEvents()
        time.sleep(0.01)


def test_damaged_backup_refused_before_anything(window, commune, tmp_path, wait_tasks):  # type: ignore[no-untyped-def]
    made = backup.create(commune, tmp_path / "abimee.ccsbak")
    data = bytearray(made.read_bytes())
    data[len(data) // 2] ^= 0x10
    made.write_bytes(bytes(data))
    tab = _tab(window)
    tab.ask_backup_file = lambda: made
    messages: list[str] = []
    answer_next_dialog(lambda box: (messages.append(box.text()),
                                    screenshot(box, "backups-damaged-refused"),
                                    box.accept()))
    tab.restore_button.click()
    wait_tasks()
    qtbot_wait_until(lambda: bool(messages))
    assert "abîmée" in messages[0] and "rien n’a été modifié" in messages[0]
    assert not list(tmp_path.glob("donnees-restauree-*"))


def test_replace_the_current_data(qtbot, qapp_styled, commune, tmp_path, wait_tasks):  # type: ignore[no-untyped-def]
    roster.add_member(commune, roster.MemberData(last_name="Traoré", sex="F"))
    made = backup.create(commune, tmp_path / "hier.ccsbak")
    at_backup = _members(commune)
    roster.add_member(commune, roster.MemberData(last_name="Keïta", sex="M"))
    tab = BackupsTab(commune)
    qtbot.addWidget(tab)
    info = backup.verify(made)
    texts: list[str] = []

    def confirm(box) -> None:  # type: ignore[no-untyped-def]
        texts.append(box.text())
        screenshot(box, "backups-replace-confirm")
        answer_next_dialog(lambda done: (texts.append(done.text()), done.accept()))
        box.button(QMessageBox.StandardButton.Yes).click()

    answer_next_dialog(confirm)
    with qtbot.waitSignal(tab.data_replaced, timeout=20000):
        assert tab.replace_data(info)
    assert "remplacées par la sauvegarde" in texts[0]
    assert "va maintenant se fermer" in texts[1] and "sont gardées dans" in texts[1]
    reopened = DataFolder.open(commune.path)
    try:
        assert _members(reopened) == at_backup
    finally:
        reopened.close()
    # The data it replaced is kept beside it, with the member added after the backup.
    [aside] = [p for p in tmp_path.iterdir() if p.is_dir() and p.name != "donnees"]
    kept = DataFolder.open(aside)
    try:
        assert len(_members(kept)) == len(at_backup) + 1
    finally:
        kept.close()


def test_replace_can_be_declined(qtbot, qapp_styled, commune, tmp_path):  # type: ignore[no-untyped-def]
    made = backup.create(commune, tmp_path / "hier.ccsbak")
    roster.add_member(commune, roster.MemberData(last_name="Keïta", sex="M"))
    tab = BackupsTab(commune)
    qtbot.addWidget(tab)
    before = _members(commune)
    answer_next_dialog(press(QMessageBox.StandardButton.No))
    assert not tab.replace_data(backup.verify(made))
    assert _members(commune) == before and len(before) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["donnees", "hier.ccsbak"]


def test_passphrase_change_through_the_dialog(window, commune):  # type: ignore[no-untyped-def]
    tab = _tab(window)
    errors: list[str] = []

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, ChangePassphraseDialog)
        dialog.old.setText(PASSPHRASE)
        dialog.new.setText(NEW)
        dialog.again.setText(NEW + "x")
        dialog.change()
        errors.append(dialog.error.text())
        screenshot(dialog, "backups-passphrase-mismatch")
        dialog.old.setText("mauvaise-phrase")
        dialog.again.setText(NEW)
        dialog.change()
        errors.append(dialog.error.text())
        dialog.old.setText(PASSPHRASE)
        dialog.new.setText("court")
        dialog.again.setText("court")
        dialog.change()
        errors.append(dialog.error.text())
        screenshot(dialog, "backups-passphrase-too-short")
        dialog.new.setText(NEW)
        dialog.again.setText(NEW)
        dialog.change()

    answer_next_dialog(fill)
    tab.passphrase_button.click()
    assert "diffèrent" in errors[0]
    assert "incorrecte" in errors[1]
    assert "8 caractères" in errors[2]
    keys.unlock(commune.keys_dir, NEW)
    with pytest.raises(WrongPassphraseError):
        keys.unlock(commune.keys_dir, PASSPHRASE)
    assert "Phrase secrète changée" in window.statusBar().currentMessage()


def test_key_copy_for_the_president(window, commune, tmp_path):  # type: ignore[no-untyped-def]
    stick = tmp_path / "CLE_PRESIDENT"
    stick.mkdir()
    tab = _tab(window)
    tab.list_drives = lambda: [Drive(stick, "CLE_PRESIDENT")]
    tab.refresh_drives()
    assert tab.drives.isEnabled() and "CLE_PRESIDENT" in tab.drives.currentText()
    done: list[str] = []

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, KeyBackupDialog)
        assert dialog.place.text() == str(stick)
        dialog.passphrase.setText("mauvaise-phrase")
        dialog.copy()
        assert "incorrecte" in dialog.error.text()
        screenshot(dialog, "backups-key-copy-wrong")
        dialog.passphrase.setText(PASSPHRASE)
        answer_next_dialog(lambda box: (done.append(box.text()),
                                        screenshot(box, "backups-key-copy-done"),
                                        box.accept()))
        dialog.copy()

    answer_next_dialog(fill)
    tab.key_copy_button.click()
    qtbot_wait_until(lambda: bool(done))
    [copy] = list(stick.iterdir())
    assert (copy / keys.KEYSTORE_FILE).read_bytes() == (
        commune.keys_dir / keys.KEYSTORE_FILE).read_bytes()
    assert "président" in done[0]


def test_second_place_chosen_and_used_on_close(qtbot, qapp_styled, commune, tmp_path):  # type: ignore[no-untyped-def]
    stick = tmp_path / "CLE"
    stick.mkdir()
    main = MainWindow(commune, committee.require_profile(commune))
    qtbot.addWidget(main)
    main.show()
    main.show_page(4)
    tab = _tab(main)
    tab.list_drives = lambda: [Drive(stick, "CLE")]
    tab.refresh_drives()
    tab.use_drive_button.click()
    place = stick / "Sauvegardes CCS Desk"
    assert settings.get(commune, backup.SECOND_PLACE_SETTING) == str(place)
    assert tab.second_place_label.text() == str(place)
    main.pages["settings"].setCurrentWidget(tab)
    screenshot(main, "backups-second-place")
    main.close()
    [made] = list(commune.backups_dir.glob("ccsdesk-auto-*.ccsbak"))
    assert (place / made.name).read_bytes() == made.read_bytes()
    assert main.backups.last_result is not None and main.backups.last_result.copied_to


def test_automatic_backup_on_close(qtbot, qapp_styled, commune):  # type: ignore[no-untyped-def]
    main = MainWindow(commune, committee.require_profile(commune))
    qtbot.addWidget(main)
    main.show()
    assert not list(commune.backups_dir.glob("*.ccsbak"))
    main.close()
    [made] = list(commune.backups_dir.glob("ccsdesk-auto-*.ccsbak"))
    backup.verify(made)
    assert not main.isVisible()


def test_closing_with_the_stick_removed_warns_and_still_closes(qtbot, qapp_styled, commune,  # type: ignore[no-untyped-def]
                                                               tmp_path):
    settings.put(commune, backup.SECOND_PLACE_SETTING, str(tmp_path / "cle-retiree"))
    main = MainWindow(commune, committee.require_profile(commune))
    qtbot.addWidget(main)
    main.show()
    warnings: list[str] = []
    answer_next_dialog(lambda box: (warnings.append(box.informativeText()),
                                    screenshot(box, "backups-close-warning"), box.accept()))
    main.close()
    assert not main.isVisible()
    assert warnings and "clé USB ou disque retiré" in warnings[0]
    assert list(commune.backups_dir.glob("ccsdesk-auto-*.ccsbak"))


def test_daily_check_in_the_background(qtbot, qapp_styled, commune):  # type: ignore[no-untyped-def]
    main = MainWindow(commune, committee.require_profile(commune))
    qtbot.addWidget(main)
    assert main.backups.timer.interval() == 60 * 60 * 1000 and main.backups.timer.isActive()
    with qtbot.waitSignal(main.backups.finished, timeout=20000):
        main.backups.daily_check()
    assert main.backups.indicator.property("level") == "ok"
    made = list(commune.backups_dir.glob("ccsdesk-auto-*.ccsbak"))
    assert len(made) == 1
    main.backups.daily_check()  # today's exists: nothing started
    assert not main.backups.running


def test_closing_backs_up_the_days_work_after_the_daily_backup(qtbot, qapp_styled, commune,  # type: ignore[no-untyped-def]
                                                               tmp_path):
    """A daily backup in the morning, work in the afternoon: closing writes a fresh one."""
    now = datetime.now()
    earlier_today = max(now - timedelta(minutes=5), now.replace(hour=0, minute=0, second=0))
    morning = backup.automatic(commune, now=earlier_today)
    assert morning.path is not None
    assert not backup_watch.changed_since_last_backup(commune)
    roster.add_member(commune, roster.MemberData(last_name="Traoré", first_names="Awa",
                                                 sex="F"))
    assert backup_watch.changed_since_last_backup(commune)
    main = MainWindow(commune, committee.require_profile(commune))
    qtbot.addWidget(main)
    main.show()
    main.close()
    [evening] = list(commune.backups_dir.glob("ccsdesk-auto-*.ccsbak"))  # morning rotated
    assert evening != morning.path and main.backups.last_result.path == evening
    restored = backup.restore(evening, tmp_path / "soir", replace=False).target
    opened = DataFolder.open(restored)
    try:
        assert _members(opened) == _members(commune)
    finally:
        opened.close()
    assert not backup_watch.changed_since_last_backup(commune)
    # Closing again without a change writes nothing new.
    again = MainWindow(commune, committee.require_profile(commune))
    qtbot.addWidget(again)
    again.show()
    again.close()
    assert list(commune.backups_dir.glob("ccsdesk-auto-*.ccsbak")) == [evening]


# -- « Sauvegarder maintenant » and the second place -------------------------------------


def test_back_up_now_copies_to_the_stick(window, commune, tmp_path: Path,  # type: ignore[no-untyped-def]
                                         wait_tasks):
    stick = tmp_path / "CLE" / "Sauvegardes CCS Desk"
    stick.mkdir(parents=True)
    settings.put(commune, backup.SECOND_PLACE_SETTING, str(stick))
    tab = _tab(window)
    tab.refresh()
    tab.backup_button.click()
    wait_tasks()
    [made] = list(commune.backups_dir.glob("ccsdesk-*.ccsbak"))
    copy = stick / made.name
    assert copy.read_bytes() == made.read_bytes()
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Sauvegarde écrite : {made.name}.")
    assert f"Copiée aussi dans {stick}." in message
    screenshot(window, "backups-now-copied")


def test_back_up_now_with_the_stick_removed_says_why(window, commune,  # type: ignore[no-untyped-def]
                                                    tmp_path: Path, wait_tasks):
    removed = tmp_path / "CLE-retiree"
    settings.put(commune, backup.SECOND_PLACE_SETTING, str(removed))
    tab = _tab(window)
    tab.refresh()
    tab.backup_button.click()
    wait_tasks()
    [made] = list(commune.backups_dir.glob("ccsdesk-*.ccsbak"))
    backup.verify(made)
    message = window.statusBar().currentMessage()
    assert "clé USB ou disque retiré" in message and str(removed) in message
    assert "clé USB ou disque retiré" in tab.last_label.text()
    assert "non branché" in tab.second_place_label.text()
    assert not removed.exists()
    screenshot(window, "backups-now-stick-removed")
    window.backups.closing_done = True  # the closing backup would warn of the stick again


def test_back_up_now_without_a_second_place(window, commune, wait_tasks):  # type: ignore[no-untyped-def]
    _tab(window).backup_button.click()
    wait_tasks()
    assert "reste sur cet ordinateur" in window.statusBar().currentMessage()
