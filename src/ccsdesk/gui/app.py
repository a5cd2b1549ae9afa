"""Start the window: Qt in French, the style sheet, the data folder, then the first screen.

Only what the first screen needs is imported here, so the window shows quickly on a slow PC:
the wizard's and the other pages' modules are imported when they are opened.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from ccsdesk import __version__
from ccsdesk.core import i18n
from ccsdesk.core.errors import CcsError
from ccsdesk.core.storage.folder import DataFolder


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with our name, the Qt translation and the style sheet."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("CCS Desk")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("CCS Desk")
    install_qt_translation(app)
    app.setStyleSheet(style_sheet())
    app.setWindowIcon(app_icon())
    if getattr(app, "_ccs_collector", None) is None:
        from ccsdesk.gui.collector import GuiThreadCollector

        app._ccs_collector = GuiThreadCollector(app)  # type: ignore[attr-defined]
    return app


def app_icon() -> QIcon:
    """The program's icon (the same as the installed .exe's) for the title and task bars."""
    from ccsdesk.core.resources import resource_path

    return QIcon(str(resource_path("icons", "ccsdesk.png")))


def install_qt_translation(app: QApplication) -> None:
    """Qt's own strings (Oui/Non/Annuler, context menus) in the interface language."""
    language = i18n.current_language()
    QLocale.setDefault(QLocale(QLocale.Language.French if language == "fr"
                               else QLocale.Language.English))
    if language == "en" or getattr(app, "_ccs_translator", None) is not None:
        return
    translator = QTranslator(app)
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(f"qtbase_{language}", path):
        app.installTranslator(translator)
        app._ccs_translator = translator  # type: ignore[attr-defined]


def style_sheet() -> str:
    """The contents of ``ui/style.qss`` (empty when it is missing: Qt's look still works).

    Qt resolves ``url()`` against the working directory, so the sheet names its icons with
    ``@ICONS@``, replaced here by the icons folder of this installation.
    """
    from ccsdesk.core.resources import resource_path, ui_dir

    path = ui_dir() / "style.qss"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    return text.replace("@ICONS@", resource_path("icons").as_posix())


def open_folder(data_dir: str | None) -> DataFolder:
    """The data folder the command line, the environment or portable mode points at."""
    from ccsdesk.core.paths import resolve_data_dir

    path, portable = resolve_data_dir(data_dir)
    return DataFolder.open(path, portable=portable)


def apply_language_setting(folder: DataFolder) -> None:
    """The interface language stored in the folder, unless ``CCSDESK_LANG`` overrides it."""
    from ccsdesk.core.services import settings

    if not os.environ.get("CCSDESK_LANG"):
        i18n.set_language(settings.get(folder, settings.LANGUAGE, i18n.DEFAULT_LANGUAGE))


class Launcher:
    """Shows the first screen and, after a successful set-up, the main window.

    Attribute ``window``: the window on screen (the wizard, then the main window).
    """

    def __init__(self, app: QApplication, folder: DataFolder) -> None:
        from ccsdesk.core.services import committee

        self.app = app
        self.folder = folder
        profile = committee.profile(folder)
        if profile is None:
            from ccsdesk.gui.wizard import SetupWizard

            wizard = SetupWizard(folder)
            # Between the wizard closing and the main window opening no window is shown.
            app.setQuitOnLastWindowClosed(False)
            wizard.finished.connect(self._on_wizard_finished)
            self.window: QWidget = wizard
        else:
            self.window = self._main_window(profile)

    def _main_window(self, profile: object) -> QWidget:
        from ccsdesk.gui.main_window import MainWindow

        return MainWindow(self.folder, profile)  # type: ignore[arg-type]

    def _on_wizard_finished(self, _result: int) -> None:
        from ccsdesk.core.services import committee

        self.app.setQuitOnLastWindowClosed(True)
        profile = committee.profile(self.folder)
        if profile is None:
            self.app.quit()
            return
        self.window = self._main_window(profile)
        self.show()

    def show(self) -> None:
        """Show the current window (the main window fitted to the screen)."""
        if hasattr(self.window, "show_fitted"):
            self.window.show_fitted()
        else:
            self.window.show()


def open_given_archive(launcher: Launcher, path: Path) -> bool:
    """Start the receive flow for an archive given on the command line (a double-click in
    Explorer); False when there is no main window yet (the set-up wizard is showing)."""
    window = launcher.window
    if not hasattr(window, "receive_archive"):
        return False
    window.receive_archive(path)
    return True


def main(data_dir: str | None = None, open_file: str | Path | None = None) -> int:
    """Run the window until it is closed; returns the exit code.

    ``open_file``: an exchange archive to import once the window is shown; without it, an
    archive among the program's own arguments (``"CCS Desk.exe" "%1"``) is used.
    """
    from ccsdesk.gui.errors import install_excepthook, show_error
    from ccsdesk.gui.launch_file import archive_argument

    archive = Path(open_file) if open_file is not None else archive_argument(sys.argv[1:])

    if os.environ.get("CCSDESK_LANG"):
        i18n.set_language(os.environ["CCSDESK_LANG"])
    try:
        folder = open_folder(data_dir)
    except CcsError as error:
        make_application()
        show_error(None, error)
        return 1
    apply_language_setting(folder)
    app = make_application()
    install_excepthook()
    launcher = Launcher(app, folder)
    launcher.show()
    if archive is not None:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: open_given_archive(launcher, archive))
    if os.environ.get("CCSDESK_GUI_EXIT_WHEN_SHOWN"):
        # The start-up benchmark: quit as soon as the first screen has been shown.
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, app.quit)
    try:
        return app.exec()
    finally:
        folder.close()


if __name__ == "__main__":
    from ccsdesk.gui.launch_file import is_archive_path

    _given = sys.argv[1] if len(sys.argv) > 1 else None
    _is_archive = _given is not None and is_archive_path(Path(_given))
    raise SystemExit(main(None if _is_archive else _given))
