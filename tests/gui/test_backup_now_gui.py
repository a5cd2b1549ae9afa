"""Paramètres › Sauvegardes › « Sauvegarder maintenant » copies to the USB stick, and says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccsdesk.core.services import backup, committee, settings
from ccsdesk.gui.backups_tab import BackupsTab
from ccsdesk.gui.main_window import MainWindow
from tests.conftest import screenshot


@pytest.fixture
def window(qtbot, qapp_styled, commune):  # type: ignore[no-untyped-def]
    main = MainWindow(commune, committee.require_profile(commune))
    qtbot.addWidget(main)
    main.resize(1366, 768)
    main.show()
    main.navigation.setCurrentRow(4)
    page = main.pages["settings"]
    page.setCurrentWidget(page.backups_tab)
    return main


def _tab(window: MainWindow) -> BackupsTab:
    return window.pages["settings"].backups_tab  # type: ignore[attr-defined]


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
