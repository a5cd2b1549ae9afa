"""« Vérifier un fichier »: who signed a PDF or an archive, when, whether it is intact.

A District clerk gets packets on sticks, by e-mail or WhatsApp and wants one answer before
filing one: green (intact, signed by a committee we know) or red (changed, unsigned, or
unknown signer), in words. PDFs are checked with ``signing.verify_pdf``; an exchange archive
is decrypted with this committee's key (hence the passphrase) and checked without importing
(``exchange.verify``). The check runs off the GUI thread: pyHanko's import alone takes half a
second.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
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

from ccsdesk.core import formats
from ccsdesk.core.errors import CcsError, InputError
from ccsdesk.core.exchange import ARCHIVE_SUFFIX, signer_text
from ccsdesk.core.i18n import _, ngettext
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.reference_tabs import hint
from ccsdesk.gui.tasks import run_task

GOOD, BAD, WAITING = "good", "bad", "waiting"
FILE_FILTER = f"*.pdf *{ARCHIVE_SUFFIX}"


@dataclass(frozen=True)
class Verdict:
    """What the dialog shows: green or red, a headline and the lines under it."""

    good: bool
    headline: str
    lines: list[str]


def _is_archive(source: bytes | Path) -> bool:
    """Whether ``source`` (bytes, or a file: only its first bytes are read) is an age file."""
    from ccsdesk.core.exchange import archive

    if isinstance(source, Path):
        with source.open("rb") as handle:
            return handle.read(len(archive.AGE_MAGIC)) == archive.AGE_MAGIC
    return source.startswith(archive.AGE_MAGIC)


def pdf_verdict(folder: DataFolder, data: bytes) -> Verdict:
    """The check of a signed PDF, in words (runs on a worker thread)."""
    from ccsdesk.core.exchange import signing

    result = signing.verify_pdf(folder, data)
    lines: list[str] = []
    if result.signer:
        signer = result.signer
        if result.organisation:
            signer = f"{signer} ({result.organisation})"
        lines.append(_("Signed by: {signer}").format(signer=signer))
        lines.append(_("Signed on: {when}").format(when=formats.moment(result.signed_at)))
        lines.append(signer_text.known_signer(result))
    if result.document is not None:
        lines.append(_("Document: {reference} (id {id})").format(
            reference=result.document.reference, id=result.document.id))
    if not result.signed:
        return Verdict(False, _("This PDF carries no signature."), lines)
    if not result.intact:
        return Verdict(False, _("The document is NOT intact: {problem}").format(
            problem=result.problems[0] if result.problems else ""), lines + result.problems[1:])
    if not result.known_signer:
        return Verdict(False, _("Intact, but signed by a committee this one does not know."),
                       lines)
    return Verdict(True, _("Valid signature: the document is intact."), lines)


def archive_verdict(folder: DataFolder, data: bytes | Path, passphrase: str) -> Verdict:
    """The check of an exchange archive (its bytes, or its file, read by blocks as
    ``receive`` reads it), in words (runs on a worker thread)."""
    from ccsdesk.core.exchange import keys
    from ccsdesk.core.services import exchange

    secrets = keys.unlock(folder.keys_dir, passphrase)
    try:
        result = exchange.verify(folder, data, secrets)
    except InputError as error:
        return Verdict(False, error.message, [])
    lines = [ngettext("Archive no. {sequence} from « {name} », {count} entry.",
                      "Archive no. {sequence} from « {name} », {count} entries.",
                      result.entries).format(sequence=result.sequence,
                                             name=result.sender_name, count=result.entries)]
    if result.relation == "parent":
        lines.append(_("The sender is enrolled here as our parent committee."))
    elif result.relation == "child":
        lines.append(_("The sender is enrolled here as one of our child committees."))
    if result.forwarded:
        lines.append(_("Forwarded archives of: {names}").format(
            names=", ".join(result.signed_by)))
    from ccsdesk.cli.exchange_commands import journal_lines

    lines.extend(journal_lines(result, verifying=True))
    lines.extend(result.notes)
    return Verdict(True, _("Intact archive: signature and every hash check out."), lines)


class VerifyDialog(QDialog):
    """``VerifyDialog(folder)``: ``check_file(path)`` or ``check_bytes(data, name)``; a file
    can also be dropped on it. Attribute ``verdict``: the last :class:`Verdict` shown."""

    def __init__(self, folder: DataFolder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.verdict: Verdict | None = None
        self._pending: tuple[bytes | Path, bool] | None = None  # what, and is it an archive
        self.setWindowTitle(_("Verify a file"))
        self.setMinimumWidth(620)
        self.resize(680, 440)  # room for the verdict's lines without the dialog growing
        self.setAcceptDrops(True)
        intro = hint(_("Choose a signed PDF (a session packet) or an exchange archive, or drop "
                       "it on this window. CCS Desk says who signed it, when, whether it is "
                       "intact and whether the signer is a committee known here."))
        self.choose = QPushButton(_("Choose a file…"))
        self.choose.setObjectName("primary")
        self.choose.clicked.connect(self._choose)
        self.file_label = QLabel()
        self.file_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.choose)
        top.addWidget(self.file_label, 1)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.returnPressed.connect(self.check_pending)
        self.check_button = QPushButton(_("Verify"))
        self.check_button.clicked.connect(self.check_pending)
        self.passphrase_row = QWidget()
        row = QFormLayout(self.passphrase_row)
        row.setContentsMargins(0, 0, 0, 0)
        pass_line = QHBoxLayout()
        pass_line.addWidget(self.passphrase, 1)
        pass_line.addWidget(self.check_button)
        row.addRow(_("Committee's passphrase (archives are encrypted):"), pass_line)
        self.passphrase_row.hide()
        self.result = QLabel(_("No file checked yet."))
        self.result.setObjectName("verdict")
        self.result.setProperty("state", WAITING)
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.setMinimumHeight(120)
        self.result.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.passphrase_row)
        layout.addWidget(self.result, 1)
        layout.addWidget(close)

    def _choose(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, _("Verify a file"), str(Path.home()),
            _("Signed PDFs and archives ({patterns});;All files (*)").format(
                patterns=FILE_FILTER))
        if chosen:
            self.check_file(Path(chosen))

    def check_file(self, path: Path, passphrase: str | None = None) -> None:
        """Check the file: an archive is read by blocks when it is checked, a PDF whole."""
        try:
            source: bytes | Path = path if _is_archive(path) else path.read_bytes()
        except OSError as error:
            self._show(Verdict(False, _("The file {file} cannot be read: {reason}.").format(
                file=path, reason=error.strerror or error), []))
            return
        self.check_bytes(source, path.name, passphrase)

    def check_bytes(self, data: bytes | Path, name: str, passphrase: str | None = None) -> None:
        """Check ``data`` (or an archive's file); an archive waits for the passphrase
        unless it is given."""
        self.file_label.setText(name)
        archive = _is_archive(data)
        self.passphrase_row.setVisible(archive)
        self._pending = (data, archive)
        if archive and passphrase is None and not self.passphrase.text():
            self._set(WAITING, _("This is an exchange archive: it is encrypted. Type the "
                                 "committee's passphrase, then click « Verify »."))
            self.passphrase.setFocus()
            return
        if passphrase is not None:
            self.passphrase.setText(passphrase)
        self.check_pending()

    def check_pending(self) -> None:
        if self._pending is None:
            return
        data, archive = self._pending
        passphrase = self.passphrase.text()
        if archive and not passphrase:
            self.passphrase.setFocus()
            return
        self._set(WAITING, _("Checking…"))

        def work() -> Verdict:
            if archive:
                return archive_verdict(self.folder, data, passphrase)
            return pdf_verdict(self.folder, data)

        def failed(error: BaseException) -> None:
            if isinstance(error, CcsError):
                self._show(Verdict(False, error.message, list(error.details)))
            else:
                from ccsdesk.gui.errors import show_error

                show_error(self, error)

        run_task(self, _("Checking the file…"), work, self._show, failed)

    def _show(self, verdict: Verdict) -> None:
        self.verdict = verdict
        text = "<p><b>{}</b></p>{}".format(
            _escape(("✔ " if verdict.good else "✘ ") + verdict.headline),
            "".join(f"<p>{_escape(line)}</p>" for line in verdict.lines))
        self._set(GOOD if verdict.good else BAD, text)

    def _set(self, state: str, text: str) -> None:
        self.result.setText(text)
        self.result.setProperty("state", state)
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_paths(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_paths(event)
        if paths:
            event.acceptProposedAction()
            self.check_file(paths[0])


def _escape(text: str) -> str:
    import html

    return html.escape(text).replace("\n", "<br>")


def dropped_paths(event: Any) -> list[Path]:
    """The local files a drag carries."""
    data = event.mimeData()
    if data is None or not data.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile()]
