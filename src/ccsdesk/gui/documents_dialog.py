"""The documents of one session: preview, print, open, save, and build the signed packet.

What the secretary needs around a session is paper: convocations to hand out, the sheet to
sign at the door, the PV to file, the fiches, and the signed packet for the District. This
dialog lists what the session has at its stage and does the four things one does with a
document. Every PDF is built on the thread pool (``gui/tasks.py``) so the window never
freezes, and the packet is signed there too, after the passphrase is asked here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.documents.file_names import file_names
from ccsdesk.core.errors import StorageError
from ccsdesk.core.files import write_atomically
from ccsdesk.core.i18n import _, ngettext
from ccsdesk.core.services import attendance, meetings, minutes
from ccsdesk.core.services import recommendations as recs
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui import printing
from ccsdesk.gui.errors import show_error
from ccsdesk.gui.tasks import run_task


def _titles() -> dict[str, str]:
    return {
        "convocation": _("Convocation (letter with the list of those convened)"),
        "convocations": _("Individual convocations (one per recipient)"),
        "delivery": _("Delivery sheet for the convocations"),
        "attendance": _("Attendance sheet (to sign at the session)"),
        "attendance-filled": _("Attendance list filled in (recorded attendance)"),
        "minutes": _("Minutes"),
        "recommendations": _("Recommendation forms"),
        "packet": _("Signed session packet"),
    }


def render(folder: DataFolder, meeting_id: int, kind: str) -> bytes:
    """The PDF of document ``kind`` (runs on a worker thread)."""
    from ccsdesk.core.documents import (
        attendance_sheet,
        convocation,
        filled_attendance_sheet,
        minutes_pdf,
        recommendation_form,
    )

    if kind == "convocation":
        return convocation.render(folder, meeting_id)
    if kind == "convocations":
        return convocation.render(folder, meeting_id, per_recipient=True)
    if kind == "delivery":
        return convocation.render_delivery(folder, meeting_id)
    if kind == "attendance":
        return attendance_sheet.render(folder, meeting_id)
    if kind == "attendance-filled":
        return filled_attendance_sheet.render(folder, meeting_id)
    if kind == "minutes":
        return minutes_pdf.render(folder, meeting_id)
    if kind == "recommendations":
        return recommendation_form.render(folder, meeting_id)
    raise ValueError(kind)


class DocumentsDialog(QDialog):
    """``DocumentsDialog(folder, meeting_id, parent=None)``; ``exec()`` or ``show()`` it."""

    def __init__(self, folder: DataFolder, meeting_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder, self.meeting_id = folder, meeting_id
        self.meeting = meetings.get_meeting(folder, meeting_id)
        self.minutes_state = minutes.get_minutes(folder, meeting_id).state
        self.cache: dict[str, bytes] = {}
        self.packet_reference = ""
        self.setWindowTitle(_("Documents — {session}").format(session=self.meeting.label))
        self.setMinimumWidth(560)

        heading = QLabel(_("Documents of the {session} ({date})").format(
            session=self.meeting.label, date=self.meeting.date.strftime("%d/%m/%Y")))
        heading.setObjectName("heading")
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.list.itemDoubleClicked.connect(lambda _item: self.preview_current())
        self.preview_button = QPushButton(_("Preview"))
        self.print_button = QPushButton(_("Print…"))
        self.open_button = QPushButton(_("Open the PDF"))
        self.save_button = QPushButton(_("Save as…"))
        self.preview_button.clicked.connect(self.preview_current)
        self.print_button.clicked.connect(lambda: self.print_current())
        self.open_button.clicked.connect(self.open_current)
        self.save_button.clicked.connect(lambda: self.save_current())
        actions = QHBoxLayout()
        for button in (self.preview_button, self.print_button, self.open_button,
                       self.save_button):
            actions.addWidget(button)
        self.packet_button = QPushButton(_("Build and sign the packet"))
        self.packet_button.clicked.connect(self.ask_and_build_packet)
        self.packet_note = QLabel()
        self.packet_note.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.list, 1)
        layout.addLayout(actions)
        layout.addSpacing(8)
        layout.addWidget(self.packet_button)
        layout.addWidget(self.packet_note)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self._fill()

    # --- the list ---------------------------------------------------------------------

    def kinds(self) -> list[str]:
        """The documents this session has at its stage, in the order they are used."""
        found = ["convocation", "convocations", "delivery", "attendance"]
        if attendance.quorum(self.folder, self.meeting_id).recorded:
            found.append("attendance-filled")
        if self.meeting.state != "planned":
            found.append("minutes")
        if recs.list_recommendations(self.folder, meeting_id=self.meeting_id):
            found.append("recommendations")
        if "packet" in self.cache:
            found.append("packet")
        return found

    def _fill(self) -> None:
        titles = _titles()
        current = self.current_kind()
        self.list.clear()
        for kind in self.kinds():
            item = QListWidgetItem(titles[kind])
            item.setData(Qt.ItemDataRole.UserRole, kind)
            self.list.addItem(item)
            if kind == current:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        signed = self.minutes_state == "signed"
        self.packet_button.setEnabled(signed)
        self.packet_note.setText(
            _("The packet binds the convocation, the sheets, the signed minutes and the "
              "forms in one PDF signed with the committee's key.") if signed else
            _("The packet can be built once the minutes are adopted and signed."))

    def current_kind(self) -> str | None:
        item = self.list.currentItem() if hasattr(self, "list") else None
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def select(self, kind: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == kind:
                self.list.setCurrentRow(row)
                return
        raise KeyError(kind)

    # --- getting a document's bytes ---------------------------------------------------

    def with_document(self, then: Callable[[str, bytes], None]) -> None:
        """Call ``then(kind, data)`` with the selected document, built off the GUI thread."""
        kind = self.current_kind()
        if kind is None:
            return
        if kind in self.cache:
            then(kind, self.cache[kind])
            return

        def done(data: bytes) -> None:
            self.cache[kind] = data
            then(kind, data)

        run_task(self, _("Preparing the document…"),
                 lambda: render(self.folder, self.meeting_id, kind), done)

    def title_of(self, kind: str) -> str:
        return f"{_titles()[kind]} — {self.meeting.label}"

    # --- the four actions -------------------------------------------------------------

    def preview_current(self) -> None:
        self.with_document(lambda kind, data: printing.preview(
            self, data, self.title_of(kind)).exec())

    def print_current(self, printer: QPrinter | None = None) -> None:
        """Print the selected document; with ``printer``, to it without asking."""
        def go(kind: str, data: bytes) -> None:
            if printer is None:
                sent = printing.print_with_dialog(self, data, self.title_of(kind))
            else:
                sent = printing.print_pdf(data, printer)
            if sent:
                self.status.setText(ngettext("{count} page sent to the printer.",
                                             "{count} pages sent to the printer.",
                                             sent).format(count=sent))

        self.with_document(go)

    def open_current(self) -> None:
        def go(kind: str, data: bytes) -> None:
            path = printing.open_in_viewer(data, file_names()[kind])
            self.status.setText(_("Opened in the PDF viewer: {file}").format(file=path))

        self.with_document(go)

    def save_current(self, path: Path | None = None) -> None:
        """Save the selected document; with ``path``, there without asking."""
        def go(kind: str, data: bytes) -> None:
            target = path
            if target is None:
                chosen, _filter = QFileDialog.getSaveFileName(
                    self, _("Save the PDF"), str(Path.home() / file_names()[kind]),
                    _("PDF documents (*.pdf)"))
                if not chosen:
                    return
                target = Path(chosen)
            try:
                write_atomically(target, data)
            except OSError as error:
                show_error(self, StorageError(_(
                    "The file {file} cannot be written: {reason}.").format(
                        file=target, reason=error.strerror or error)))
                return
            self.status.setText(_("Saved: {file}").format(file=target))

        self.with_document(go)

    # --- the packet -------------------------------------------------------------------

    def ask_and_build_packet(self) -> None:
        passphrase, accepted = QInputDialog.getText(
            self, _("Sign the packet"),
            _("The committee's passphrase, to sign the packet with its key:"),
            QLineEdit.EchoMode.Password)
        if accepted and passphrase:
            self.build_packet(passphrase)

    def build_packet(self, passphrase: str) -> None:
        """Build and sign the packet on the thread pool; it then joins the list."""
        from ccsdesk.core.documents import packet

        def done(built: packet.BuiltPacket) -> None:
            self.cache["packet"] = built.data
            self.packet_reference = built.identity.reference
            self._fill()
            self.select("packet")
            self.status.setText(_("Packet built and signed: reference {reference}.").format(
                reference=built.identity.reference))

        run_task(self, _("Building and signing the packet…"),
                 lambda: packet.build_signed(self.folder, self.meeting_id, passphrase), done)
