"""The Échanges page: the parent and the children, send, receive, enrol, received sessions.

A thin layer over ``core/services/exchange.py``: every action asks what it needs (the
passphrase, a destination, a file), runs the service on the thread pool — scrypt, age and
signatures take up to a second — and says in plain words what happened in the result panel
under the list of committees: what was sent or imported, « already imported, nothing
changed », a missing archive number, or the refusal. Archives also arrive by drag-and-drop
on the main window and from the command line (a double-click on an archive in Explorer);
:func:`archive_paths` and :meth:`ExchangesPage.receive_file` serve both.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core import formats
from ccsdesk.core.errors import CcsError
from ccsdesk.core.exchange import ARCHIVE_SUFFIX, transport
from ccsdesk.core.files import write_atomically
from ccsdesk.core.i18n import _
from ccsdesk.core.services import exchange
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.enrol_dialog import fingerprint_label, level_label
from ccsdesk.gui.launch_file import is_archive_path
from ccsdesk.gui.reference_tabs import hint
from ccsdesk.gui.send_dialog import EMAIL, MAIL, SendDialog
from ccsdesk.gui.tasks import run_task

ARCHIVE_FILTER = f"*{ARCHIVE_SUFFIX}"
OK, WARNING, REFUSED = "ok", "warning", "refused"

Notify = Callable[[str, Callable[[], None] | None], None]


def archive_paths(paths: Iterable[Path]) -> list[Path]:
    """The exchange archives among dropped or given files (by name; the content is checked
    on import)."""
    return [path for path in paths if is_archive_path(path) and path.is_file()]


def _moment(value: tuple[int, datetime] | None) -> str:
    if value is None:
        return _("nothing yet")
    return _("no. {sequence}, {when}").format(sequence=value[0],
                                             when=f"{value[1]:%d/%m/%Y %H:%M}")


def receive_text(result: exchange.ReceiveResult) -> tuple[str, str]:
    """(state, text) of an import, as people read it."""
    from ccsdesk.cli.exchange_commands import receive_lines

    if result.already:
        return OK, _("Archive no. {sequence} from « {name} » was already imported; nothing "
                     "changed.").format(sequence=result.sequence, name=result.sender_name)
    lines = [_("Archive no. {sequence} from « {name} » verified and imported.").format(
        sequence=result.sequence, name=result.sender_name), *receive_lines(result)]
    return (WARNING if result.missing else OK), "\n".join(lines)


class ExchangesPage(QWidget):
    """Signal ``imported()`` after an archive changed the record (other pages reload).

    Attributes for tests and the window: ``committees`` (table), ``received`` (table),
    ``result`` (the result panel), ``infos`` (the listed ``CommitteeInfo``), ``drives``
    (the function listing removable drives) and ``open_url`` (opens a file in the system's
    program)."""

    imported = Signal()

    def __init__(self, folder: DataFolder, notify: Notify | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.notify: Notify = notify or (lambda _message, _undo: None)
        self.drives: Callable[[], list[transport.Drive]] = transport.removable_drives
        self.open_url: Callable[[QUrl], Any] = QDesktopServices.openUrl
        self.infos: list[exchange.CommitteeInfo] = []
        self.sessions: list[dict[str, Any]] = []
        own = exchange.own_identity(folder)
        self.own_name = own.name

        title = QLabel(_("Exchanges"))
        title.setObjectName("pageTitle")
        intro = hint(_("Signed, encrypted archives carry the sessions up to the parent "
                       "committee and its decisions back down. Drop an archive on this window "
                       "to import it."))

        ours = QGroupBox(_("This committee"))
        self.own_fingerprint = fingerprint_label(own.fingerprint)
        self.own_fingerprint.setToolTip(_("The fingerprint to read out by phone when another "
                                          "committee enrols this one"))
        self.export_button = QPushButton(_("Export our identity file…"))
        self.enrol_button = QPushButton(_("Enrol a committee…"))
        self.advanced_button = QPushButton(_("Advanced…"))
        self.export_button.clicked.connect(lambda: self.export_identity())
        self.enrol_button.clicked.connect(self.open_enrol)
        self.advanced_button.clicked.connect(self.open_advanced)
        ours_layout = QHBoxLayout(ours)
        name_column = QVBoxLayout()
        name_column.addWidget(QLabel(f"<b>{_html(own.name)}</b>"))
        name_column.addWidget(QLabel(_("Our fingerprint:")))
        ours_layout.addLayout(name_column)
        ours_layout.addWidget(self.own_fingerprint, 1)
        for button in (self.export_button, self.enrol_button, self.advanced_button):
            ours_layout.addWidget(button)

        self.committees = QTableWidget(0, 8)
        self.committees.setHorizontalHeaderLabels([
            _("Relation"), _("Committee"), _("Level"), _("Place"), _("Fingerprint"),
            _("Last sent"), _("Last received"), _("Sent, not acknowledged")])
        _table_style(self.committees)
        self.committees.itemSelectionChanged.connect(self._update_buttons)
        self.committees.doubleClicked.connect(lambda _index: self.send_selected())
        self.empty = QLabel(_("No committee is enrolled yet. Swap identity files with the "
                              "parent committee (and with each child), check the fingerprints "
                              "by phone, then « Enrol a committee… »."))
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.send_button = QPushButton(_("Send…"))
        self.send_button.setObjectName("primary")
        self.receive_button = QPushButton(_("Receive an archive…"))
        self.verify_button = QPushButton(_("Verify a file…"))
        self.verify_button.setToolTip(_("Who signed a PDF or an archive, and is it intact? "
                                        "(Ctrl+Shift+V)"))
        self.send_button.clicked.connect(self.send_selected)
        self.receive_button.clicked.connect(self.choose_and_receive)
        self.verify_button.clicked.connect(lambda: self.open_verify())
        actions = QHBoxLayout()
        for button in (self.send_button, self.receive_button, self.verify_button):
            actions.addWidget(button)
        actions.addStretch(1)
        self.result = QLabel()
        self.result.setObjectName("exchangeResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.hide()

        committees_box = QGroupBox(_("Enrolled committees"))
        committees_layout = QVBoxLayout(committees_box)
        committees_layout.addWidget(self.committees, 1)
        committees_layout.addWidget(self.empty)
        committees_layout.addLayout(actions)
        committees_layout.addWidget(self.result)

        self.received = QTableWidget(0, 4)
        self.received.setHorizontalHeaderLabels([_("From"), _("Session"), _("Date"),
                                                 _("Signed packet")])
        _table_style(self.received, stretch=1)
        self.received.itemSelectionChanged.connect(self._update_buttons)
        self.check_packet_button = QPushButton(_("Verify the signature"))
        self.open_packet_button = QPushButton(_("Open the PDF"))
        self.check_packet_button.clicked.connect(self.verify_selected_packet)
        self.open_packet_button.clicked.connect(self.open_selected_packet)
        packet_actions = QHBoxLayout()
        packet_actions.addWidget(self.check_packet_button)
        packet_actions.addWidget(self.open_packet_button)
        packet_actions.addStretch(1)
        self.received_box = QGroupBox(_("Sessions received from other committees"))
        received_layout = QVBoxLayout(self.received_box)
        received_layout.addWidget(self.received, 1)
        received_layout.addLayout(packet_actions)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(committees_box)
        splitter.addWidget(self.received_box)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(ours)
        layout.addWidget(splitter, 1)
        self.reload()

    # --- the lists ----------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """Read the lists again on each visit: a session signed meanwhile is due now."""
        if getattr(self, "_shown_once", False):
            self.reload()
        self._shown_once = True
        super().showEvent(event)

    def reload(self) -> None:
        """Read the committees and the received sessions again."""
        self.infos = exchange.list_committees(self.folder)
        self.committees.setRowCount(len(self.infos))
        for row, info in enumerate(self.infos):
            cells = [_("Parent") if info.relation == "parent" else _("Child"), info.name,
                     level_label(info.level), info.place or "—", info.fingerprint,
                     _moment(info.last_sent), _moment(info.last_received),
                     "; ".join(info.unacknowledged) or "—"]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.committees.setItem(row, column, item)
        self.committees.setVisible(bool(self.infos))
        self.empty.setVisible(not self.infos)
        if self.infos and not self.committees.selectedItems():
            self.committees.selectRow(0)
        self.sessions = exchange.received_sessions(self.folder)
        self.received.setRowCount(len(self.sessions))
        for row, found in enumerate(self.sessions):
            day = datetime.fromisoformat(found["date"])
            cells = [found["origin"], found["label"], f"{day:%d/%m/%Y}",
                     _("yes") if found["has_packet"] else _("no")]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.received.setItem(row, column, item)
        self.received_box.setVisible(bool(self.sessions)
                                     or any(i.relation == "child" for i in self.infos))
        self._update_buttons()

    def selected_committee(self) -> exchange.CommitteeInfo | None:
        rows = {index.row() for index in self.committees.selectedIndexes()}
        return self.infos[min(rows)] if rows else None

    def selected_session(self) -> dict[str, Any] | None:
        rows = {index.row() for index in self.received.selectedIndexes()}
        return self.sessions[min(rows)] if rows else None

    def select_committee(self, name: str) -> None:
        for row, info in enumerate(self.infos):
            if info.name == name:
                self.committees.selectRow(row)
                return
        raise KeyError(name)

    def _update_buttons(self) -> None:
        self.send_button.setEnabled(self.selected_committee() is not None)
        found = self.selected_session()
        has_packet = bool(found and found["has_packet"])
        self.check_packet_button.setEnabled(has_packet)
        self.open_packet_button.setEnabled(has_packet)

    def show_result(self, state: str, text: str) -> None:
        """The result panel: green (done), amber (done, with a warning) or red (refused)."""
        self.result.setText(text)
        self.result.setProperty("state", state)
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)
        self.result.show()

    def _refused(self, error: BaseException) -> None:
        if isinstance(error, CcsError):
            self.show_result(REFUSED, "\n".join([error.message, *error.details]))
        else:
            from ccsdesk.gui.errors import show_error

            show_error(self, error)

    def ask_passphrase(self, title: str, prompt: str) -> str | None:
        text, accepted = QInputDialog.getText(self, title, prompt,
                                              QLineEdit.EchoMode.Password)
        return text if accepted and text else None

    # --- identity and enrolment ---------------------------------------------------------

    def export_identity(self, path: Path | None = None, passphrase: str | None = None) -> None:
        """Write our identity file (signed with our key, hence the passphrase)."""
        if path is None:
            chosen, _filter = QFileDialog.getSaveFileName(
                self, _("Export our identity file"),
                str(Path.home() / f"identite-{_slug(self.own_name)}.json"),
                _("Identity files ({patterns});;All files (*)").format(patterns="*.json"))
            if not chosen:
                return
            path = Path(chosen)
        if passphrase is None:
            passphrase = self.ask_passphrase(
                _("Export our identity file"),
                _("The committee's passphrase, to sign the identity file:"))
            if passphrase is None:
                return
        target, secret = path, passphrase

        def work() -> Path:
            data = exchange.export_identity(self.folder, secret)
            transport.write_verified(target, data)
            return target

        def done(written: Path) -> None:
            fingerprint = self.own_fingerprint.text()
            self.show_result(OK, _("Identity file written: {file}\nFingerprint to read out by "
                                   "phone: {fingerprint}").format(file=written,
                                                                  fingerprint=fingerprint))
            self.notify(_("Identity file written: {file}").format(file=written), None)

        run_task(self, _("Writing the identity file…"), work, done, self._refused)

    def open_enrol(self) -> object:
        from ccsdesk.gui.enrol_dialog import EnrolDialog

        dialog = EnrolDialog(self.folder, self)
        dialog.accepted.connect(lambda: self._enrolled(dialog))
        dialog.open()
        return dialog

    def _enrolled(self, dialog: Any) -> None:
        info = dialog.enrolled
        if info is None:
            return
        relation = _("parent") if info.relation == "parent" else _("child")
        lines = [_("Enrolled as {relation}: {name} ({place}).").format(
            relation=relation, name=info.name, place=info.place or "—")]
        if info.relation == "child":
            lines.append(_("A certificate was issued to it; it travels in the next archive "
                           "sent to it."))
        self.reload()
        self.select_committee(info.name)
        self.show_result(OK, "\n".join(lines))

    def open_advanced(self) -> object:
        from ccsdesk.gui.age_key_dialog import AgeKeyDialog

        dialog = AgeKeyDialog(self.folder, self)

        def done() -> None:
            self.show_result(OK, _("Age key written to {file}, protected by its own "
                                   "passphrase.").format(file=dialog.written))

        dialog.accepted.connect(done)
        dialog.open()
        return dialog

    # --- send ---------------------------------------------------------------------------

    def send_selected(self) -> object | None:
        """Ask the destination and the passphrase, then send to the selected committee."""
        info = self.selected_committee()
        if info is None:
            return None
        from ccsdesk.core.services import mail

        settings = mail.load(self.folder)
        dialog = SendDialog(info.name, self.drives, self, mail_ready=settings.configured,
                            mail_to=settings.addresses.get(info.uid, ""))
        dialog.accepted.connect(lambda: self.send(info, *dialog.destination(),
                                                  dialog.passphrase.text()))
        dialog.open()
        return dialog

    def send(self, info: exchange.CommitteeInfo, kind: str, directory: Path,
             passphrase: str) -> None:
        """Build the archive due to ``info`` off the GUI thread and write it to ``directory``
        (a stick or a folder), or an e-mail draft carrying it; recorded as sent only once
        written and read back."""
        to = "parent" if info.relation == "parent" else str(info.id)
        if kind == MAIL:
            self.send_by_mail(info, to, passphrase)
            return
        sequence = (info.last_sent[0] if info.last_sent else 0) + 1
        name = transport.archive_name(self.own_name, info.name, sequence)
        target = directory / (Path(name).stem + ".eml" if kind == EMAIL else name)

        from ccsdesk.core.services import mail

        address, sender = mail.draft_addresses(self.folder, to)

        def write_draft(data: bytes) -> None:
            draft = transport.email_draft(data, name, sender_name=self.own_name,
                                          receiver_name=info.name, sequence=sequence,
                                          to=address, from_=sender)
            transport.write_verified(target, draft)

        def work() -> exchange.SendResult:
            if kind == EMAIL:
                return exchange.send(self.folder, to, passphrase, write_draft)
            return exchange.send(self.folder, to, passphrase, out=target)  # while it is built

        def done(result: exchange.SendResult) -> None:
            self.reload()
            self.select_committee(info.name)
            if kind == EMAIL:
                lines = [_("Archive no. {sequence} for « {name} » put in an e-mail draft "
                           "({size} KB).").format(sequence=result.sequence,
                                                  name=result.peer_name,
                                                  size=formats.kilobytes(result.size)),
                         _("E-mail draft written: {file}").format(file=target)]
            else:
                lines = [_("Archive no. {sequence} for « {name} » written to {file} ({size} "
                           "KB, checked by reading it back).").format(
                               sequence=result.sequence, name=result.peer_name, file=target,
                               size=formats.kilobytes(result.size))]
            self._show_sent(result, lines)
            if kind == EMAIL:
                self._offer_draft(target)

        run_task(self, _("Building, signing and encrypting the archive…"),
                 work, done,
                 self._refused)

    def _show_sent(self, result: exchange.SendResult, lines: list[str]) -> None:
        """The result panel and the status bar once an archive left, however it left."""
        lines = [*lines, _("Contents:")]
        for item_kind, label in result.items:
            kind_label = _(exchange.KIND_LABELS.get(item_kind, item_kind))
            lines.append(f"  • {kind_label} : {label}")
        self.show_result(OK, "\n".join(lines))
        self.notify(_("Archive no. {sequence} sent to « {name} ».").format(
            sequence=result.sequence, name=result.peer_name), None)

    def send_by_mail(self, info: exchange.CommitteeInfo, to: str, passphrase: str) -> None:
        """Build the archive and mail it through the configured server, off the GUI thread;
        recorded as sent only once the server took it (``core/services/mail.py``)."""
        from ccsdesk.core.services import mail

        def done(sent: mail.MailSent) -> None:
            self.reload()
            self.select_committee(info.name)
            result = sent.result
            lines = [_("Archive no. {sequence} for « {name} » sent by e-mail to {address} "
                       "({size} KB).").format(sequence=result.sequence, name=result.peer_name,
                                              address=sent.address,
                                              size=formats.kilobytes(result.size))]
            self._show_sent(result, lines)

        run_task(self, _("Building the archive and sending it by e-mail…"),
                 lambda: mail.send(self.folder, to, passphrase), done, self._refused)

    def _offer_draft(self, draft: Path) -> None:
        answer = QMessageBox.question(
            self, _("E-mail draft"),
            _("The draft is ready, with the archive attached. Open it now in your mail "
              "program (Outlook, Thunderbird…) to add the address and send it?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes)
        if answer == QMessageBox.StandardButton.Yes:
            self.open_url(QUrl.fromLocalFile(str(draft)))

    # --- receive ------------------------------------------------------------------------

    def choose_and_receive(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, _("Receive an archive"), str(Path.home()),
            _("Exchange archives ({patterns});;All files (*)").format(patterns=ARCHIVE_FILTER))
        if chosen:
            self.receive_file(Path(chosen))

    def receive_file(self, path: Path, passphrase: str | None = None) -> None:
        """Verify and import the archive at ``path`` (asks the passphrase if not given)."""
        if passphrase is None:
            passphrase = self.ask_passphrase(
                _("Receive an archive"),
                _("Import « {file} »\nThe committee's passphrase, to open the archive:").format(
                    file=path.name))
            if passphrase is None:
                return
        secret = passphrase

        def work() -> exchange.ReceiveResult:
            from ccsdesk.cli.exchange_commands import check_archive_file
            from ccsdesk.core.exchange import keys

            check_archive_file(path)
            secrets = keys.unlock(self.folder.keys_dir, secret)
            return exchange.receive(self.folder, path, secrets)  # read by blocks

        def done(result: exchange.ReceiveResult) -> None:
            state, text = receive_text(result)
            self.reload()
            self.show_result(state, text)
            self.notify(text.splitlines()[0], None)
            if not result.already:
                self.imported.emit()

        run_task(self, _("Checking and importing the archive…"), work, done, self._refused)

    # --- verification and received packets ----------------------------------------------

    def open_verify(self, data: bytes | None = None, name: str = "") -> object:
        from ccsdesk.gui.verify_dialog import VerifyDialog

        dialog = VerifyDialog(self.folder, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        if data is not None:
            dialog.check_bytes(data, name)
        return dialog

    def _packet(self) -> tuple[bytes, str] | None:
        found = self.selected_session()
        if found is None:
            return None
        data = exchange.received_packet(self.folder, found["uid"])
        if data is None:
            return None
        return data, f"{_slug(found['origin'])}_{_slug(found['label'])}.pdf"

    def verify_selected_packet(self) -> object | None:
        packet = self._packet()
        return None if packet is None else self.open_verify(*packet)

    def open_selected_packet(self) -> Path | None:
        packet = self._packet()
        if packet is None:
            return None
        data, name = packet
        path = Path(tempfile.mkdtemp(prefix="ccsdesk-")) / name
        write_atomically(path, data)
        self.open_url(QUrl.fromLocalFile(str(path)))
        return path


def _table_style(table: QTableWidget, stretch: int | None = None) -> None:
    """Row selection, read-only; ``stretch`` is the column that takes the spare width (the
    last one when None)."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def _slug(text: str) -> str:
    kept = "".join(ch if ch.isalnum() else "-" for ch in text)
    return "-".join(part for part in kept.split("-") if part)[:40] or "document"


def _html(text: str) -> str:
    import html

    return html.escape(text)


def ensure_page(window: Any) -> ExchangesPage:
    """The window's Échanges page, built on first use (start-up does not pay for it)."""
    page = window.pages["exchanges"]
    if isinstance(page, ExchangesPage):
        return page
    new = ExchangesPage(window.folder, window.show_status)

    def reload_others() -> None:
        for code in ("sessions", "recommendations"):
            other = window.pages.get(code)
            if hasattr(other, "folder") and hasattr(other, "reload"):
                other.reload()

    new.imported.connect(reload_others)
    index = window.stack.indexOf(page)
    window.stack.removeWidget(page)
    page.deleteLater()
    window.stack.insertWidget(index, new)
    window.pages["exchanges"] = new
    return new


def route_drop(window: Any, paths: list[Path]) -> bool:
    """Files dropped on the main window: an archive goes to the Échanges page to import,
    a PDF to the verify dialog. False when nothing usable was dropped."""
    archives = archive_paths(paths)
    if archives:
        from ccsdesk.gui.main_window import PAGES

        window.show_page([code for code, _label in PAGES].index("exchanges"))
        ensure_page(window).receive_file(archives[0])
        return True
    pdfs = [path for path in paths if path.suffix.lower() == ".pdf" and path.is_file()]
    if pdfs:
        dialog = open_verify(window)
        dialog.check_file(pdfs[0])
        return True
    return False


def droppable(paths: list[Path]) -> bool:
    return any(is_archive_path(p) or p.suffix.lower() == ".pdf" for p in paths)


def open_verify(window: Any) -> Any:
    """The « verify a file » dialog over the main window (Ctrl+Shift+V)."""
    from ccsdesk.gui.verify_dialog import VerifyDialog

    dialog = VerifyDialog(window.folder, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
