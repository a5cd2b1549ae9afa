"""GUI test helpers: stray Qt warnings fail the test, background tasks are awaited, modal
dialogs opened by the code under test are answered from a timer, and the main window opens
on a data folder as on the office laptop (one way, whatever the test does with it next).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ccsdesk.core.services import committee
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui import app as gui_app
from ccsdesk.gui import tasks
from ccsdesk.gui.collector import GuiThreadCollector
from ccsdesk.gui.main_window import MainWindow


@pytest.fixture(scope="package", autouse=True)
def _collect_on_gui_thread(qapp: QApplication) -> object:
    """As in the program (``gui/app.py``): cyclic garbage is collected on the GUI thread."""
    collector = GuiThreadCollector(qapp)
    yield collector
    collector.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/gui/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            # The offscreen platform says this about every top-level window; not our doing.
            item.add_marker(pytest.mark.qt_log_ignore("does not support propagateSizeHints"))
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def qapp_styled(qapp):  # type: ignore[no-untyped-def]
    """The test QApplication with our translation and style sheet, as the program runs."""
    gui_app.install_qt_translation(qapp)
    qapp.setStyleSheet(gui_app.style_sheet())
    return qapp


@pytest.fixture
def wait_tasks(qtbot):  # type: ignore[no-untyped-def]
    """Wait until every background task has reported to the GUI thread."""

    def wait(timeout: int = 20000) -> None:
        qtbot.waitUntil(lambda: tasks.running_count() == 0, timeout=timeout)

    return wait


def open_window(qtbot, folder: DataFolder, *, exposed: bool = True) -> MainWindow:  # type: ignore[no-untyped-def]
    """The main window on ``folder`` at 1366×768 (the common office laptop), shown.

    ``exposed=False`` skips waiting for the window system: the tests that look at a page
    straight away, before any event is processed (automatic backups start from events).
    """
    window = MainWindow(folder, committee.require_profile(folder))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    if exposed:
        qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(qtbot, qapp_styled, commune: DataFolder) -> MainWindow:  # type: ignore[no-untyped-def]
    """The set-up commune's main window, shown and exposed."""
    return open_window(qtbot, commune)


def answer_next_dialog(action: Callable[[QWidget], None], tries: int = 200) -> None:
    """Run ``action(dialog)`` on the next modal dialog that opens (from a timer)."""

    def poll(left: int = tries) -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            try:
                action(dialog)
            except BaseException:
                # Close every modal dialog so the test fails instead of hanging.
                while QApplication.activeModalWidget() is not None:
                    QApplication.activeModalWidget().close()
                raise
        elif left:
            QTimer.singleShot(25, lambda: poll(left - 1))

    QTimer.singleShot(25, poll)


def answer_dialog_of(kind: type, action: Callable[[QWidget], None], tries: int = 800) -> None:
    """Run ``action(dialog)`` on the next modal ``kind`` that opens, skipping the progress
    dialog a slow build or a background task shows meanwhile (the dialog runs its own event
    loop, so a ``waitUntil`` outside it would never see it)."""

    def poll(left: int = tries) -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind):
            action(dialog)
        elif left:
            QTimer.singleShot(25, lambda: poll(left - 1))

    QTimer.singleShot(25, poll)


def press(button: QMessageBox.StandardButton) -> Callable[[QWidget], None]:
    """An action for :func:`answer_next_dialog` clicking a message box's button."""

    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, QMessageBox), type(dialog)
        dialog.button(button).click()

    return act
