"""Where an archive goes: a USB stick, another folder, an e-mail draft, or straight by e-mail
(when a mail server is set up in Paramètres) — and the passphrase.

The destination is chosen *before* the archive is built: the exchange service records an
archive as sent only once it is written, so a full or pulled stick leaves no trace and the
same number is used next time. Choosing afterwards would mean an archive counted as sent
while it sits nowhere, and a « missing archive » warning at the other end.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.exchange import transport
from ccsdesk.core.i18n import _
from ccsdesk.gui.reference_tabs import hint

USB, FOLDER, EMAIL, MAIL = "usb", "folder", "email", "mail"


class SendDialog(QDialog):
    """``SendDialog(peer_name, drives=transport.removable_drives)``; after ``exec()``:
    ``destination()`` → (kind, folder) and ``passphrase.text()``.

    ``drives`` is the function listing removable drives (tests give a temporary folder
    standing for a stick). ``mail_to`` is the committee's e-mail address and ``mail_ready``
    whether a mail server is set up: « Send by e-mail » is offered only then, and disabled
    with the reason when the address is missing."""

    def __init__(self, peer_name: str,
                 drives: Callable[[], list[transport.Drive]] = transport.removable_drives,
                 parent: QWidget | None = None, *, mail_ready: bool = False,
                 mail_to: str = "") -> None:
        super().__init__(parent)
        self._drives = drives
        self.setWindowTitle(_("Send an archive"))
        self.setMinimumWidth(560)
        heading = QLabel(_("Send to « {name} »").format(name=peer_name))
        heading.setObjectName("pageTitle")
        intro = hint(_("One archive holds everything due to this committee and not yet "
                       "acknowledged by it. It is signed with this committee's key and "
                       "encrypted: only « {name} » can open it.").format(name=peer_name))
        self.usb = QRadioButton(_("On a USB stick"))
        self.folder = QRadioButton(_("In another folder"))
        self.email = QRadioButton(_("As an e-mail draft (.eml) to send with your mail "
                                    "program"))
        self.mail = QRadioButton(_("By e-mail, sent now to {address}").format(
            address=mail_to) if mail_to else _("By e-mail, sent now"))
        self.mail.setVisible(mail_ready)
        self.mail.setEnabled(mail_ready and bool(mail_to))
        self.no_address = QLabel(_("No e-mail address is known for this committee: enter it "
                                   "in Paramètres › Courrier électronique."))
        self.no_address.setObjectName("warning")
        self.no_address.setWordWrap(True)
        self.no_address.setVisible(mail_ready and not mail_to)
        self.group = QButtonGroup(self)
        for button in (self.usb, self.folder, self.email, self.mail):
            self.group.addButton(button)
            button.toggled.connect(self._update)
        self.drive = QComboBox()
        self.refresh = QPushButton(_("Look again"))
        self.refresh.setToolTip(_("Plug in the stick, then look again"))
        self.refresh.clicked.connect(self.reload_drives)
        self.no_drive = QLabel(_("No USB stick found. Plug one in and click « Look "
                                 "again », or choose another folder."))
        self.no_drive.setObjectName("warning")
        self.no_drive.setWordWrap(True)
        drive_row = QHBoxLayout()
        drive_row.addWidget(self.drive, 1)
        drive_row.addWidget(self.refresh)
        self.path = QLineEdit(str(Path.home()))
        self.browse = QPushButton(_("Browse…"))
        self.browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(self.browse)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.textChanged.connect(self._update)
        form = QFormLayout()
        form.addRow(_("Folder:"), path_row)
        form.addRow(_("Committee's passphrase:"), self.passphrase)
        self.buttons = QDialogButtonBox()
        self.send_button = self.buttons.addButton(_("Send"),
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.send_button.setObjectName("primary")
        # Wide enough for both of its labels, so switching to e-mail does not clip it.
        self.send_button.setText(_("Create the e-mail draft"))
        self.send_button.setMinimumWidth(self.send_button.sizeHint().width())
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addWidget(self.usb)
        layout.addLayout(drive_row)
        layout.addWidget(self.no_drive)
        layout.addWidget(self.folder)
        layout.addWidget(self.email)
        layout.addWidget(self.mail)
        layout.addWidget(self.no_address)
        layout.addLayout(form)
        layout.addWidget(hint(_("The passphrase unlocks the key that signs the archive.")))
        layout.addWidget(self.buttons)
        self.reload_drives()
        (self.usb if self.drive.count() else self.folder).setChecked(True)
        if self.mail.isEnabled():
            self.mail.setChecked(True)  # set up on purpose: the likely choice
        self.passphrase.setFocus()

    def reload_drives(self) -> None:
        self.drive.clear()
        for drive in self._drives():
            self.drive.addItem(f"{drive.label} ({drive.path})", str(drive.path))
        self.no_drive.setVisible(self.drive.count() == 0)
        self.usb.setEnabled(self.drive.count() > 0)
        if self.usb.isChecked() and self.drive.count() == 0:
            self.folder.setChecked(True)
        self._update()

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, _("Choose the folder"),
                                                  self.path.text())
        if chosen:
            self.path.setText(chosen)

    def kind(self) -> str:
        if self.usb.isChecked():
            return USB
        if self.mail.isChecked():
            return MAIL
        return EMAIL if self.email.isChecked() else FOLDER

    def destination(self) -> tuple[str, Path]:
        """(kind, folder): the stick's root for USB, the chosen folder otherwise."""
        kind = self.kind()
        if kind == USB:
            return kind, Path(self.drive.currentData())
        return kind, Path(self.path.text().strip())

    def _update(self) -> None:
        kind = self.kind()
        self.drive.setEnabled(kind == USB)
        self.path.setEnabled(kind not in (USB, MAIL))
        self.browse.setEnabled(kind not in (USB, MAIL))
        ready = bool(self.passphrase.text()) and (
            self.drive.count() > 0 if kind == USB else
            True if kind == MAIL else bool(self.path.text().strip()))
        self.send_button.setEnabled(ready)
        self.send_button.setText(_("Create the e-mail draft") if kind == EMAIL else _("Send"))
        self.send_button.setDefault(True)
