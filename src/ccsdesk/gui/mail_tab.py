"""The « Courrier électronique » tab of Paramètres: the SMTP server, the login, the sender,
each enrolled committee's address, and « Tester la connexion ».

The password field never shows the stored password (it is sealed, ``core/services/mail``):
left empty it keeps the stored one, typed it replaces it. Testing runs off the GUI thread —
a server that does not answer takes up to 20 s — and uses the password just typed, or the
stored one, which needs the committee's passphrase to open.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.errors import CcsError
from ccsdesk.core.i18n import N_, _
from ccsdesk.core.services import mail
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.errors import show_error
from ccsdesk.gui.reference_tabs import hint
from ccsdesk.gui.tasks import run_task

Notify = Callable[[str, Callable[[], None] | None], None]
SECURITY_LABELS = {"starttls": N_("STARTTLS (port 587, usual)"), "ssl": N_("SSL (port 465)"),
                   "none": N_("None (local network only)")}


class MailTab(QWidget):
    """Attributes for tests: ``server``, ``port``, ``security``, ``user``, ``password``,
    ``forget``, ``sender``, ``addresses`` ({committee id: QLineEdit}), ``save_button``,
    ``test_button``, ``status``; ``ask_passphrase`` (replaceable)."""

    def __init__(self, folder: DataFolder, notify: Notify | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.notify: Notify = notify or (lambda _message, _undo: None)
        self.server = QLineEdit()
        self.server.setPlaceholderText(_("for example smtp.orange.ml"))
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.security = QComboBox()
        for code, label in SECURITY_LABELS.items():
            self.security.addItem(_(label), code)
        self.security.currentIndexChanged.connect(self._security_changed)
        self.user = QLineEdit()
        self.user.setPlaceholderText(_("empty if the server asks no login"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.forget = QPushButton(_("Forget the password"))
        self.forget.clicked.connect(self.forget_password)
        password_row = QHBoxLayout()
        password_row.addWidget(self.password, 1)
        password_row.addWidget(self.forget)
        self.sender = QLineEdit()
        self.sender.setPlaceholderText(_("the secretariat's address"))
        server_form = QFormLayout()
        server_form.addRow(_("Mail server (SMTP):"), self.server)
        server_form.addRow(_("Security:"), self.security)
        server_form.addRow(_("Port:"), self.port)
        server_form.addRow(_("User name:"), self.user)
        server_form.addRow(_("Password:"), password_row)
        server_form.addRow(_("Sender address:"), self.sender)
        server_box = QGroupBox(_("Sending server"))
        server_box.setLayout(server_form)
        self.addresses: dict[int, QLineEdit] = {}
        self.address_form = QFormLayout()
        self.no_committee = hint(_("No committee is enrolled yet (Échanges › « Inscrire un "
                                   "comité »)."))
        address_column = QVBoxLayout()
        address_column.addLayout(self.address_form)
        address_column.addWidget(self.no_committee)
        address_box = QGroupBox(_("Addresses of the committees"))
        address_box.setLayout(address_column)
        self.save_button = QPushButton(_("Save"))
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        self.test_button = QPushButton(_("Test the connection"))
        self.test_button.clicked.connect(self.test_connection)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()
        column = QWidget()
        column.setMaximumWidth(820)
        inner = QVBoxLayout(column)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(hint(_("With a mail server, archives can be sent from the Échanges "
                               "page directly. The password is kept encrypted with the "
                               "committee's keys; it is never shown.")))
        inner.addWidget(server_box)
        inner.addWidget(address_box)
        inner.addLayout(buttons)
        inner.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.addWidget(column)
        layout.addStretch(1)
        self.load()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # A committee may have been enrolled meanwhile; typing in progress is kept otherwise.
        if {peer.id for peer in mail.peers(self.folder)} != set(self.addresses):
            self.load()

    def load(self) -> None:
        stored = mail.load(self.folder)
        self.server.setText(stored.server)
        self.security.blockSignals(True)
        self.security.setCurrentIndex(max(0, self.security.findData(stored.security)))
        self.security.blockSignals(False)
        self.port.setValue(stored.port)
        self.user.setText(stored.user)
        self.password.clear()
        self.password.setPlaceholderText(
            _("stored — leave empty to keep it") if stored.has_password else _("not stored"))
        self.forget.setEnabled(stored.has_password)
        self.sender.setText(stored.sender)
        while self.address_form.rowCount():
            self.address_form.removeRow(0)
        self.addresses = {}
        for peer in mail.peers(self.folder):
            field = QLineEdit(peer.address)
            field.setPlaceholderText(_("no address"))
            relation = _("Parent") if peer.relation == "parent" else _("Child")
            self.address_form.addRow(f"{relation} — {peer.name} :", field)
            self.addresses[peer.id] = field
        self.no_committee.setVisible(not self.addresses)

    def _security_changed(self) -> None:
        # The usual port follows the security, unless someone typed another one.
        if self.port.value() in mail.DEFAULT_PORTS.values():
            self.port.setValue(mail.DEFAULT_PORTS[self.security.currentData()])

    def _peer_keys(self) -> dict[str, str]:
        keys = {}
        for peer in mail.peers(self.folder):
            if peer.id in self.addresses:
                to = "parent" if peer.relation == "parent" else str(peer.id)
                keys[to] = self.addresses[peer.id].text()
        return keys

    def save(self) -> bool:
        try:
            mail.update(self.folder, server=self.server.text(), port=self.port.value(),
                        security=self.security.currentData(), user=self.user.text(),
                        sender=self.sender.text(), password=self.password.text() or None,
                        addresses=self._peer_keys())
        except CcsError as error:
            show_error(self, error)
            return False
        self.load()
        self.notify(_("E-mail settings saved."), None)
        return True

    def forget_password(self) -> None:
        mail.update(self.folder, forget_password=True)
        self.load()
        self.notify(_("The stored mail password was forgotten."), None)

    def ask_passphrase(self) -> str | None:
        text, accepted = QInputDialog.getText(
            self, _("Test the connection"),
            _("The committee's passphrase (it opens the stored mail password):"),
            QLineEdit.EchoMode.Password)
        return text if accepted and text else None

    def test_connection(self) -> None:
        """Save what is on screen, then connect and log in off the GUI thread."""
        typed = self.password.text() or None
        if not self.save():
            return
        stored = mail.load(self.folder)
        passphrase = None
        if stored.user and typed is None and stored.has_password:
            passphrase = self.ask_passphrase()
            if passphrase is None:
                return
        self.test_button.setEnabled(False)

        def done(_result: object) -> None:
            self.test_button.setEnabled(True)
            self._show(True, _("The connection to {server} works; nothing was sent.").format(
                server=stored.server))

        def failed(error: BaseException) -> None:
            self.test_button.setEnabled(True)
            if isinstance(error, CcsError):
                self._show(False, error.message)
            else:
                show_error(self, error)

        run_task(self, _("Connecting to the mail server…"),
                 lambda: mail.test_connection(self.folder, passphrase=passphrase,
                                              password=typed), done, failed)

    def _show(self, good: bool, text: str) -> None:
        self.status.setText(text)
        self.status.setObjectName("" if good else "warning")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.show()
