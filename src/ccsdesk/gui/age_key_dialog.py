"""« Avancé »: export the age decryption key for the stock ``age`` tool.

Kept behind a button because few offices need it: it lets an auditor or a technician open an
archive without CCS Desk. The key leaves only encrypted with a passphrase of its own, as
``ccsdesk identity export-age-key`` does, and the dialog says how ``age`` then uses it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
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

from ccsdesk.core.errors import CcsError, InputError
from ccsdesk.core.i18n import _
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.form_parts import problem_label
from ccsdesk.gui.reference_tabs import hint
from ccsdesk.gui.tasks import run_task


class AgeKeyDialog(QDialog):
    """``AgeKeyDialog(folder)``: fill the fields, Export writes the file (``written``)."""

    def __init__(self, folder: DataFolder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.written: Path | None = None
        self.setWindowTitle(_("Advanced: key for the age tool"))
        self.setMinimumWidth(600)
        explanation = hint(_(
            "Archives use the open « age » format. To open one without CCS Desk (an audit, a "
            "technician), export this committee's decryption key. The file is protected by a "
            "passphrase of its own; keep it as carefully as the data folder. Then, with the "
            "age tool (delete cle.txt afterwards):"))
        commands = QLabel("age -d cle-age.age > cle.txt\n"
                          "age -d -i cle.txt ARCHIVE > contenu.zip")
        commands.setObjectName("commands")
        commands.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.path = QLineEdit(str(Path.home() / "cle-age.age"))
        browse = QPushButton(_("Browse…"))
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        self.passphrase = QLineEdit()
        self.file_passphrase = QLineEdit()
        self.again = QLineEdit()
        for field in (self.passphrase, self.file_passphrase, self.again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.textChanged.connect(lambda _text: self.problem.hide())
        form = QFormLayout()
        form.addRow(_("File:"), path_row)
        form.addRow(_("Committee's passphrase:"), self.passphrase)
        form.addRow(_("Passphrase for the key file:"), self.file_passphrase)
        form.addRow(_("Passphrase again:"), self.again)
        self.problem = problem_label()
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(_("Export the key"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(commands)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def _browse(self) -> None:
        chosen, _filter = QFileDialog.getSaveFileName(self, _("Export the key"),
                                                      self.path.text())
        if chosen:
            self.path.setText(chosen)

    def _fail(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()
        self.export_button.setEnabled(True)

    def export(self) -> None:
        """Check the fields, then encrypt and write the key off the GUI thread."""
        if self.file_passphrase.text() != self.again.text():
            self._fail(_("The two passphrases differ; nothing changed."))
            return
        path = Path(self.path.text().strip())
        passphrase, file_passphrase = self.passphrase.text(), self.file_passphrase.text()
        self.export_button.setEnabled(False)

        def work() -> Path:
            from ccsdesk.core.exchange import transport
            from ccsdesk.core.services import exchange

            if not path.name:
                raise InputError(_("Choose the file to write."))
            data = exchange.export_age_identity(self.folder, passphrase, file_passphrase)
            transport.write_verified(path, data)
            return path

        def failed(error: BaseException) -> None:
            if isinstance(error, CcsError):
                self._fail(error.message)
            else:
                from ccsdesk.gui.errors import show_error

                self.export_button.setEnabled(True)
                show_error(self, error)

        def done(written: Path) -> None:
            self.written = written
            self.accept()

        run_task(self, _("Exporting the key…"), work, done, failed)
