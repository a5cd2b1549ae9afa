"""Start-up (wizard or main window, through the real entry point), Qt in French, error and
crash dialogs, and the background task runner."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QPushButton

from ccsdesk.core.errors import InputError
from ccsdesk.core.resources import resource_path
from ccsdesk.gui import app as gui_app
from ccsdesk.gui import errors, tasks
from ccsdesk.gui.main_window import MainWindow
from ccsdesk.gui.wizard import SetupWizard
from tests.conftest import PASSPHRASE, run_process, screenshot
from tests.gui.conftest import answer_next_dialog


def test_launcher_shows_wizard_then_main_window(qtbot, qapp_styled, folder):
    launcher = gui_app.Launcher(qapp_styled, folder)
    assert isinstance(launcher.window, SetupWizard)
    qtbot.addWidget(launcher.window)
    from ccsdesk.core.services import committee

    committee.initialize(folder, level="commune", name="CCS de la Commune II",
                         place="Commune II", passphrase=PASSPHRASE)
    launcher.window.accept()
    assert isinstance(launcher.window, MainWindow)
    qtbot.addWidget(launcher.window)
    assert launcher.window.isVisible()
    assert launcher.window.windowTitle() == "CCS de la Commune II — CCS Desk"
    assert qapp_styled.quitOnLastWindowClosed()


def test_launcher_opens_main_window_when_set_up(qtbot, qapp_styled, commune):
    launcher = gui_app.Launcher(qapp_styled, commune)
    qtbot.addWidget(launcher.window)
    assert isinstance(launcher.window, MainWindow)


def test_real_entry_point_shows_the_window(data_dir, commune):
    result = run_process("--data-dir", str(data_dir),
                         env={"CCSDESK_GUI_EXIT_WHEN_SHOWN": "1", "QT_QPA_PLATFORM": "offscreen"},
                         timeout=60)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err


def test_qt_standard_buttons_in_french(qtbot, qapp_styled):
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Yes
                           | QDialogButtonBox.StandardButton.No
                           | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    texts = {box.button(b).text().replace("&", "") for b in (
        QDialogButtonBox.StandardButton.Yes, QDialogButtonBox.StandardButton.No,
        QDialogButtonBox.StandardButton.Cancel)}
    assert texts == {"Oui", "Non", "Annuler"}


def test_app_icon_loads(qapp_styled):
    assert not gui_app.app_icon().pixmap(32, 32).isNull()


def test_style_sheet_found():
    sheet = gui_app.style_sheet()
    assert "QLabel#fingerprint" in sheet and "@ICONS@" not in sheet
    assert (resource_path("icons") / "arrow-down.svg").is_file()


def test_refusal_dialog(qtbot, qapp_styled):
    seen: list[tuple[str, str]] = []

    def read(box: QMessageBox) -> None:
        seen.append((box.text(), box.informativeText()))
        screenshot(box, "dialog-refusal")
        box.accept()

    answer_next_dialog(read)
    errors.show_error(None, InputError("Le fichier est vide.", ["ligne 3 : le nom manque"]))
    assert seen == [("Le fichier est vide.", "ligne 3 : le nom manque")]


def test_crash_dialog_instead_of_vanishing(qtbot, qapp_styled, capsys):
    seen: list[str] = []

    def read(box: QMessageBox) -> None:
        seen.extend([box.windowTitle(), box.text(), box.detailedText()])
        screenshot(box, "dialog-crash")
        box.accept()

    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        answer_next_dialog(read)
        errors._excepthook(RuntimeError, error, error.__traceback__)
    assert seen[0] == "CCS Desk — erreur inattendue"
    assert "erreur inattendue" in seen[1]
    assert "RuntimeError: boom" in seen[2]
    assert "RuntimeError: boom" in capsys.readouterr().err


def test_task_result_and_failure_arrive_on_gui_thread(qtbot, qapp_styled, wait_tasks):
    gui_thread = QApplication.instance().thread()
    outcomes: list[tuple[str, object, bool]] = []
    workers: list[bool] = []

    def work() -> int:
        workers.append(QThread.currentThread() is not gui_thread)
        return 42

    def fail() -> int:
        raise InputError("refusé")

    tasks.run_task(None, "…", work,
                   lambda r: outcomes.append(("ok", r, QThread.currentThread() is gui_thread)))
    tasks.run_task(None, "…", fail, lambda r: outcomes.append(("ok", r, False)),
                   lambda e: outcomes.append(("failed", str(e),
                                              QThread.currentThread() is gui_thread)))
    wait_tasks()
    assert sorted(outcomes) == [("failed", "refusé", True), ("ok", 42, True)]
    assert workers == [True]


def test_cancelled_task_result_is_ignored(qtbot, qapp_styled, wait_tasks):
    release = threading.Event()
    outcomes: list[object] = []
    task = tasks.run_task(None, "Lecture…", lambda: release.wait(10) and "done",
                          outcomes.append, cancellable=True)
    finished: list[bool] = []
    task.finished.connect(lambda: finished.append(True))
    task.progress.findChild(QPushButton).click()  # the dialog's « Annuler »
    assert task.cancelled and finished == [True]
    release.set()
    wait_tasks()
    assert outcomes == []


def test_unusable_data_folder_is_explained(qtbot, qapp_styled, tmp_path):
    blocker = tmp_path / "pas-un-dossier"
    blocker.write_text("un fichier, pas un dossier")
    seen: list[str] = []

    def read(box: QMessageBox) -> None:
        seen.append(box.text())
        box.accept()

    answer_next_dialog(read)
    assert gui_app.main(str(blocker / "donnees")) == 1
    assert seen and "dossier de données" in seen[0].lower()


def test_window_in_english(qtbot, qapp_styled, commune):
    from ccsdesk.core import i18n
    from ccsdesk.core.services import committee

    i18n.set_language("en")
    window = MainWindow(commune, committee.require_profile(commune))
    qtbot.addWidget(window)
    labels = [window.navigation.item(row).text() for row in range(window.navigation.count())]
    assert labels == ["Members", "Sessions", "Recommendations", "Exchanges", "Settings"]
    assert window.roster_page.new_button.text() == "New member"
