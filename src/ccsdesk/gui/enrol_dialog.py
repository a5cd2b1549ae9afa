"""Enrolling another committee: its identity file, its fingerprint read out by phone, Enrol.

The identity file proves it is whole, not who sent it (a file swapped on a WhatsApp group
would pass): only the fingerprint compared by voice does. So both fingerprints are shown in
large type — theirs to compare, ours to read to them — and Enrol stays disabled until the
secretary ticks that the fingerprint was checked on the phone with the other committee.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.errors import CcsError, InputError
from ccsdesk.core.exchange import identity
from ccsdesk.core.i18n import _
from ccsdesk.core.services import committee, exchange
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.form_parts import problem_label
from ccsdesk.gui.reference_tabs import hint
from ccsdesk.gui.tasks import run_task

IDENTITY_FILTER = "*.json *.ccsid"


def fingerprint_label(text: str = "") -> QLabel:
    """A fingerprint in large type, selectable, for reading out over the phone."""
    label = QLabel(text)
    label.setObjectName("bigFingerprint")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


def level_label(level: str) -> str:
    return _(committee.LEVELS[level]).capitalize() if level in committee.LEVELS else level


class EnrolDialog(QDialog):
    """``EnrolDialog(folder)``: ``load_file(path)`` shows a file; Enrol enrols it.

    Attributes after success: ``enrolled`` (the service's ``CommitteeInfo``)."""

    def __init__(self, folder: DataFolder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.found: identity.Identity | None = None
        self.enrolled: exchange.CommitteeInfo | None = None
        own = exchange.own_identity(folder)
        self.own_level = own.level
        self.setWindowTitle(_("Enrol a committee"))
        self.setMinimumWidth(640)

        ours = QGroupBox(_("Our fingerprint — read it to the other committee"))
        self.own_fingerprint = fingerprint_label(own.fingerprint)
        ours_layout = QVBoxLayout(ours)
        ours_layout.addWidget(self.own_fingerprint)

        self.path = QLineEdit()
        self.path.setPlaceholderText(_("The identity file the other committee sent you"))
        self.path.returnPressed.connect(lambda: self.load_file(Path(self.path.text())))
        self.choose = QPushButton(_("Choose the file…"))
        self.choose.clicked.connect(self._choose)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.choose)
        self.problem = problem_label()

        theirs = QGroupBox(_("The other committee"))
        self.name = QLabel("—")
        self.level = QLabel("—")
        self.place = QLabel("—")
        for label in (self.name, self.level, self.place):
            label.setWordWrap(True)
        self.their_fingerprint = fingerprint_label("—")
        details = QFormLayout()
        details.addRow(_("Name:"), self.name)
        details.addRow(_("Level:"), self.level)
        details.addRow(_("Place:"), self.place)
        theirs_layout = QVBoxLayout(theirs)
        theirs_layout.addLayout(details)
        theirs_layout.addWidget(QLabel(_("Its fingerprint — the other committee reads it to "
                                         "you on the phone; compare every digit:")))
        theirs_layout.addWidget(self.their_fingerprint)

        self.as_parent = QRadioButton(_("It is our parent committee (the level above)"))
        self.as_child = QRadioButton(_("It is one of our child committees (the level below)"))
        self.as_parent.toggled.connect(self._update)
        self.as_child.toggled.connect(self._update)
        self.checked = QCheckBox(_("I checked the fingerprint on the phone with the other "
                                   "committee"))
        self.checked.toggled.connect(self._update)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.textChanged.connect(self._update)
        self.passphrase_row = QWidget()
        row = QFormLayout(self.passphrase_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addRow(_("Committee's passphrase (to issue its certificate):"), self.passphrase)

        self.buttons = QDialogButtonBox()
        self.enrol_button = self.buttons.addButton(_("Enrol"),
                                                   QDialogButtonBox.ButtonRole.AcceptRole)
        self.enrol_button.setObjectName("primary")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.enrol)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(ours)
        layout.addWidget(QLabel(_("Identity file of the other committee:")))
        layout.addLayout(file_row)
        layout.addWidget(self.problem)
        layout.addWidget(theirs)
        layout.addWidget(self.as_parent)
        layout.addWidget(self.as_child)
        layout.addWidget(self.checked)
        layout.addWidget(self.passphrase_row)
        layout.addWidget(hint(_("Enrolling a child issues it a certificate signed with this "
                                "committee's key; it travels in the next archive sent to it.")))
        layout.addWidget(self.buttons)
        self._update()

    def _choose(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, _("Identity file of the other committee"), str(Path.home()),
            _("Identity files ({patterns});;All files (*)").format(patterns=IDENTITY_FILTER))
        if chosen:
            self.load_file(Path(chosen))

    def load_file(self, path: Path) -> bool:
        """Read and check ``path``; show the committee it describes, or why it cannot."""
        self.path.setText(str(path))
        self.found = None
        self.checked.setChecked(False)
        try:
            try:
                data = path.read_bytes()
            except OSError as error:
                raise InputError(_("The file {file} cannot be read: {reason}.").format(
                    file=path, reason=error.strerror or error)) from None
            found = identity.parse(data)
        except CcsError as error:
            self.problem.setText(error.message)
            self.problem.show()
            for label in (self.name, self.level, self.place, self.their_fingerprint):
                label.setText("—")
            self._update()
            return False
        self.problem.hide()
        self.found = found
        self.name.setText(found.name)
        self.level.setText(level_label(found.level))
        self.place.setText(found.place or "—")
        self.their_fingerprint.setText(found.fingerprint)
        # Suggest the relation the levels allow; the secretary still sees and can change it.
        if self.own_level in exchange.PARENT_LEVELS.get(found.level, ()):
            self.as_child.setChecked(True)
        elif found.level in exchange.PARENT_LEVELS.get(self.own_level, ()):
            self.as_parent.setChecked(True)
        self.checked.setText(_("I checked the fingerprint on the phone with « {name} »").format(
            name=found.name))
        self._update()
        return True

    def relation(self) -> str | None:
        if self.as_parent.isChecked():
            return "parent"
        return "child" if self.as_child.isChecked() else None

    def _update(self) -> None:
        loaded = self.found is not None
        self.checked.setEnabled(loaded)
        self.as_parent.setEnabled(loaded)
        self.as_child.setEnabled(loaded)
        child = self.relation() == "child"
        self.passphrase_row.setVisible(child)
        self.enrol_button.setEnabled(
            loaded and self.checked.isChecked() and self.relation() is not None
            and (not child or bool(self.passphrase.text())))

    def enrol(self) -> None:
        """Enrol the file shown (the key is unlocked off the GUI thread for a child)."""
        if not self.enrol_button.isEnabled() or self.found is None:
            return
        found, relation = self.found, self.relation()
        passphrase = self.passphrase.text() if relation == "child" else None
        self.enrol_button.setEnabled(False)

        def failed(error: BaseException) -> None:
            self._update()
            if isinstance(error, CcsError):
                self.problem.setText(error.message)
                self.problem.show()
            else:
                from ccsdesk.gui.errors import show_error

                show_error(self, error)

        def done(info: exchange.CommitteeInfo) -> None:
            self.enrolled = info
            self.accept()

        run_task(self, _("Enrolling the committee…"),
                 lambda: exchange.enrol(self.folder, found, str(relation), passphrase),
                 done, failed)
