"""Turning failures into dialogs: the core's refusals, and crashes.

A refusal (:class:`CcsError`) carries a French message already; one function shows it so
every screen words and lays it out the same way. Anything else that escapes is a bug: the
excepthook shows a crash dialog with the details to copy instead of letting the window vanish.
"""

from __future__ import annotations

import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ccsdesk.core.errors import CcsError
from ccsdesk.core.i18n import _


def show_error(parent: QWidget | None, error: BaseException) -> None:
    """Show a core refusal (or any other exception) as a dialog over ``parent``."""
    if not isinstance(error, CcsError):
        show_crash(type(error), error, error.__traceback__, parent)
        return
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(_("CCS Desk"))
    box.setText(error.message)
    if error.details:
        box.setInformativeText("\n".join(error.details[:15]))
        if len(error.details) > 15:
            box.setDetailedText("\n".join(error.details))
    box.exec()


def show_crash(kind: type[BaseException], value: BaseException,
               trace: TracebackType | None, parent: QWidget | None = None) -> None:
    """The dialog for an unexpected error: what happened, that data is safe, the details."""
    details = "".join(traceback.format_exception(kind, value, trace))
    sys.stderr.write(details)
    if QApplication.instance() is None:
        return
    box = QMessageBox(parent or QApplication.activeWindow())
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(_("CCS Desk — unexpected error"))
    box.setText(_("CCS Desk met an unexpected error and could not finish this action."))
    box.setInformativeText(
        _("What was saved before stays saved. You can go on working; if the problem comes "
          "back, copy the details below and send them to whoever supports CCS Desk.")
    )
    box.setDetailedText(details)
    box.exec()


def _excepthook(kind: type[BaseException], value: BaseException,
                trace: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        QApplication.quit()
        return
    if isinstance(value, CcsError):
        show_error(QApplication.activeWindow(), value)
        return
    show_crash(kind, value, trace)


def install_excepthook() -> None:
    """Route uncaught exceptions (in slots too) to the dialogs above."""
    sys.excepthook = _excepthook
