"""Pieces every editing dialog has: the refusal shown inside the dialog, Save and Cancel.

A refusal from the core is shown in the dialog itself (nothing typed is lost), in the same
red style everywhere; the buttons are the standard ones so Qt translates them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel


def problem_label() -> QLabel:
    """A hidden, word-wrapped label in the ``error`` style, for the dialog's refusal."""
    label = QLabel()
    label.setObjectName("error")
    label.setWordWrap(True)
    label.hide()
    return label


def save_cancel(dialog: QDialog, on_save: Callable[[], None]) -> QDialogButtonBox:
    """Save runs ``on_save`` (which accepts the dialog when it succeeds); Cancel rejects."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(on_save)
    buttons.rejected.connect(dialog.reject)
    return buttons
