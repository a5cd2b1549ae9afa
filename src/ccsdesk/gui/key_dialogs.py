"""The two dialogs about the committee's keys: a new passphrase, and the president's copy.

Both call :mod:`ccsdesk.core.services.keys_admin`; a refusal (wrong passphrase, too short,
stick removed) is shown inside the dialog, which stays open so the person can correct it.
Passphrase fields never echo and their text is cleared when the dialog closes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.errors import CcsError, WrongPassphraseError
from ccsdesk.core.exchange import keystore
from ccsdesk.core.i18n import _
from ccsdesk.core.services import keys_admin
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.form_parts import problem_label


def _secret_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMinimumWidth(280)
    return field


class _Busy:
    """The wait cursor while scrypt runs (a few tenths of a second)."""

    def __enter__(self) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *_exc: object) -> None:
        QApplication.restoreOverrideCursor()


class ChangePassphraseDialog(QDialog):
    """Old passphrase, new one twice. Attributes: ``old``, ``new``, ``again``, ``error``."""

    def __init__(self, folder: DataFolder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.setWindowTitle(_("Change the passphrase"))
        self.old, self.new, self.again = _secret_field(), _secret_field(), _secret_field()
        intro = QLabel(_("The passphrase protects the committee's keys (signatures and "
                         "exchanges). Choose one of at least {count} characters that the "
                         "secretariat can remember; nobody can recover it if it is "
                         "forgotten.").format(count=keystore.MIN_PASSPHRASE))
        intro.setWordWrap(True)
        note = QLabel(_("Backups made before the change still open with the old "
                        "passphrase."))
        note.setObjectName("hint")
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("Current passphrase:"), self.old)
        form.addRow(_("New passphrase:"), self.new)
        form.addRow(_("New passphrase again:"), self.again)
        self.error = problem_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Change"))
        buttons.accepted.connect(self.change)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def _refuse(self, message: str, field: QLineEdit) -> None:
        self.error.setText(message)
        self.error.show()
        field.setFocus()
        field.selectAll()

    def change(self) -> None:
        if self.new.text() != self.again.text():
            self._refuse(_("The two new passphrases differ: type the same one twice."),
                         self.again)
            return
        try:
            keystore.check_passphrase_strength(self.new.text())
            with _Busy():
                keys_admin.change_passphrase(self.folder, self.old.text(), self.new.text())
        except WrongPassphraseError as error:
            self._refuse(error.message, self.old)
            return
        except CcsError as error:
            self._refuse(error.message, self.new)
            return
        self.accept()

    def done(self, result: int) -> None:
        for field in (self.old, self.new, self.again):
            field.clear()
        super().done(result)


class KeyBackupDialog(QDialog):
    """Where to copy the keys (a USB stick) and the passphrase that proves they open.

    Attributes: ``passphrase``, ``place`` (folder field), ``drives`` (combo, hidden when
    no stick is plugged in), ``error``, ``result_backup`` after success.
    """

    def __init__(self, folder: DataFolder, parent: QWidget | None = None,
                 drives: Callable[[], list[object]] | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.result_backup: keys_admin.KeyBackup | None = None
        self.setWindowTitle(_("Copy the keys for the president"))
        intro = QLabel(_("This copies the committee's keys, still encrypted with the "
                         "passphrase, to a USB stick the president keeps in a safe place. If "
                         "this computer's keys are lost, they can be put back from it."))
        intro.setWordWrap(True)
        self.place = QLineEdit()
        self.place.setPlaceholderText(_("a folder on the USB stick"))
        choose = QPushButton(_("Choose…"))
        choose.clicked.connect(self._choose)
        place_row = QHBoxLayout()
        place_row.addWidget(self.place, 1)
        place_row.addWidget(choose)
        self.drives = QComboBox()
        # Long mount paths must not push the form's labels out of the dialog.
        self.drives.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.drives.setMinimumContentsLength(24)
        for drive in (drives or _removable_drives)():
            self.drives.addItem(f"{drive.label} ({drive.path})", str(drive.path))  # type: ignore[attr-defined]
        self.drives.activated.connect(
            lambda index: self.place.setText(self.drives.itemData(index)))
        self.passphrase = _secret_field()
        form = QFormLayout()
        if self.drives.count():
            form.addRow(_("USB sticks plugged in:"), self.drives)
            self.place.setText(self.drives.itemData(0))
        else:
            self.drives.hide()
        form.addRow(_("Copy to:"), place_row)
        form.addRow(_("Passphrase:"), self.passphrase)
        self.error = problem_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Copy the keys"))
        buttons.accepted.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(620)

    def _choose(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, _("Copy the keys to"), self.place.text())
        if chosen:
            self.place.setText(chosen)

    def copy(self) -> None:
        if not self.place.text().strip():
            self.error.setText(_("Choose the folder to copy the keys to (the USB stick)."))
            self.error.show()
            return
        try:
            with _Busy():
                self.result_backup = keys_admin.export_key_backup(
                    self.folder, self.passphrase.text(), Path(self.place.text().strip()))
        except CcsError as error:
            self.error.setText(error.message)
            self.error.show()
            return
        self.accept()

    def done(self, result: int) -> None:
        self.passphrase.clear()
        super().done(result)


def _removable_drives() -> list[object]:
    try:
        from ccsdesk.core.exchange.transport import removable_drives
    except ImportError:  # the exchange module is optional in this window
        return []
    try:
        return list(removable_drives())
    except OSError:
        return []
