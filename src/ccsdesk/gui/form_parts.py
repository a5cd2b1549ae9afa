"""Pieces every editing dialog has: the refusal shown inside the dialog, Save and Cancel,
and the column they are laid out in.

A refusal from the core is shown in the dialog itself (nothing typed is lost), in the same
red style everywhere; the buttons are the standard ones so Qt translates them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget


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


def lay_out_form(dialog: QDialog, form: QFormLayout, problem: QLabel,
                 on_save: Callable[[], None], *, width: int,
                 before: Iterable[QWidget] = (), after: Iterable[QWidget] = ()
                 ) -> QDialogButtonBox:
    """One column: ``before``, the form, ``after``, the refusal, then Save and Cancel."""
    buttons = save_cancel(dialog, on_save)
    layout = QVBoxLayout(dialog)
    for widget in before:
        layout.addWidget(widget)
    layout.addLayout(form)
    for widget in after:
        layout.addWidget(widget)
    layout.addWidget(problem)
    layout.addWidget(buttons)
    dialog.setMinimumWidth(width)
    return buttons
