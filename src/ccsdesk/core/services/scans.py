"""Scans of the wet-signed paper PV, attached to their session.

The PV that counts in law is the paper one signed in ink; its scan is kept beside the
digital record and its SHA-256 printed on the signed packet's cover, so the District can
check that the scan it received is the one the committee filed. The file is checked by its
content (not its name), copied into the data folder's ``scans/`` and its hash written in the
hash-chained journal in the same step: the journal entry *is* the record of the scan, so
this needs no table of its own (and no schema change while the exchange work adds tables).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from ccsdesk.core.errors import InputError, NotFoundError, StateError, StorageError
from ccsdesk.core.files import write_atomically
from ccsdesk.core.i18n import _
from ccsdesk.core.services import journal, meetings
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import JournalEntry

ACTION = "scan.attach"
SCANS_DIR = "scans"
MAX_BYTES = 25 * 1024 * 1024
# First bytes of the kinds of file a scanner or a phone produces.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


@dataclass(frozen=True)
class ScanInfo:
    """One attached scan: where it is kept and the hash recorded when it was attached."""

    meeting_id: int
    file_name: str
    original_name: str
    media_type: str
    size: int
    sha256: str
    attached_at: datetime
    path: Path


def _kind(data: bytes) -> tuple[str, str] | None:
    for magic, media_type, extension in SIGNATURES:
        # A PDF may carry a few bytes of junk before its header; readers accept up to 1 KiB.
        if data.startswith(magic) or (magic == b"%PDF-" and magic in data[:1024]):
            return media_type, extension
    return None


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise NotFoundError(_("The file {file} does not exist.").format(file=path)) from None
    except OSError as error:
        raise InputError(_("The file {file} cannot be read: {reason}.").format(
            file=path, reason=error.strerror or error)) from None
    if size > MAX_BYTES:
        raise InputError(_(
            "The scan {file} is too large ({size} MB): the limit is {limit} MB. Scan in "
            "grey levels at 200 dpi, or as a PDF, and try again. Nothing changed.").format(
                file=path.name, size=f"{size / 1048576:.1f}".replace(".", ","),
                limit=MAX_BYTES // 1048576))
    if size == 0:
        raise InputError(_("The file {file} is empty. Nothing changed.").format(file=path.name))
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(_("The file {file} cannot be read: {reason}.").format(
            file=path, reason=error.strerror or error)) from None


def attach(folder: DataFolder, meeting_id: int, source: Path) -> ScanInfo:
    """Copy the scan ``source`` into the data folder and record its SHA-256 for the session."""
    source = Path(source)
    data = _read(source)
    kind = _kind(data)
    if kind is None:
        raise InputError(_(
            "The file {file} is not a PDF, JPEG or PNG scan (its content says otherwise, "
            "whatever its name). Nothing changed.").format(file=source.name))
    media_type, extension = kind
    digest = hashlib.sha256(data).hexdigest()
    with folder.database.reading() as session:
        meeting = meetings.get_row(session, meeting_id)
        uid, state, label = meeting.uid, meeting.state, meetings.label_of(meeting)
    if state == "planned":
        raise StateError(_("The {label} has not been held yet: there is no signed PV to "
                           "scan. Nothing changed.").format(label=label))
    name = f"pv-{uid[:8]}-{digest[:12]}.{extension}"
    target = folder.path / SCANS_DIR / name
    existed = target.exists()
    try:
        if not existed:
            write_atomically(target, data)
    except OSError as error:
        raise StorageError(_("The scan cannot be copied into the data folder: {reason}.")
                           .format(reason=error.strerror or error)) from None
    try:
        with folder.database.unit_of_work() as session:
            meeting = meetings.get_row(session, meeting_id)
            entry = journal.record(session, ACTION, f"meeting:{meeting.uid}", {
                "file": name, "original": source.name, "media_type": media_type,
                "size": len(data), "sha256": digest,
            })
            at = entry.at
    except BaseException:
        if not existed:
            target.unlink(missing_ok=True)
        raise
    return ScanInfo(meeting_id, name, source.name, media_type, len(data), digest, at, target)


def list_scans(folder: DataFolder, meeting_id: int) -> list[ScanInfo]:
    """The session's scans, oldest first (a later scan replaces an earlier one on the cover)."""
    with folder.database.reading() as session:
        meeting = meetings.get_row(session, meeting_id)
        rows = session.execute(
            select(JournalEntry.at, JournalEntry.details)
            .where(JournalEntry.action == ACTION, JournalEntry.subject == f"meeting:{meeting.uid}")
            .order_by(JournalEntry.id)).all()
    result = []
    for at, details in rows:
        data = json.loads(details)
        result.append(ScanInfo(meeting_id, data["file"], data.get("original", ""),
                               data["media_type"], int(data["size"]), data["sha256"], at,
                               folder.path / SCANS_DIR / data["file"]))
    return result


def latest(folder: DataFolder, meeting_id: int) -> ScanInfo | None:
    """The scan the packet's cover names: the last one attached, if any."""
    found = list_scans(folder, meeting_id)
    return found[-1] if found else None


def check(scan: ScanInfo) -> bool:
    """Whether the kept file still has the hash recorded when it was attached."""
    try:
        return hashlib.sha256(scan.path.read_bytes()).hexdigest() == scan.sha256
    except OSError:
        return False
