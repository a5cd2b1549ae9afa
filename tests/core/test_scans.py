"""Scans of the PV signed on paper: checked by content, copied, hashed, journaled."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from ccsdesk.core.errors import InputError, NotFoundError, StateError
from ccsdesk.core.services import journal, meetings, scans
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import PASSPHRASE
from tests.core.session_data import full_session

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4


def test_attach_copies_hashes_and_journals(commune: DataFolder, tmp_path: Path) -> None:
    meeting = full_session(commune, PASSPHRASE)
    source = tmp_path / "PV signé.jpg"
    source.write_bytes(JPEG)
    before = journal.verify(commune.database).entries
    scan = scans.attach(commune, meeting, source)
    assert scan.media_type == "image/jpeg" and scan.size == len(JPEG)
    assert scan.sha256 == hashlib.sha256(JPEG).hexdigest()
    assert scan.path.parent == commune.path / "scans" and scan.path.read_bytes() == JPEG
    assert scan.original_name == "PV signé.jpg"
    report = journal.verify(commune.database)
    assert report.intact and report.entries == before + 1
    assert scans.latest(commune, meeting) == scan
    assert scans.check(scan)
    # A second, later scan (a PDF named .jpg: the content decides) replaces it on the cover.
    other = tmp_path / "rescan.jpg"
    other.write_bytes(b"%PDF-1.4\n%%EOF\n")
    second = scans.attach(commune, meeting, other)
    assert second.media_type == "application/pdf" and second.file_name.endswith(".pdf")
    assert [s.sha256 for s in scans.list_scans(commune, meeting)] == [scan.sha256,
                                                                      second.sha256]
    scan.path.write_bytes(JPEG + b"x")
    assert not scans.check(scan)


def test_bad_scans_are_refused_and_nothing_changes(commune: DataFolder, tmp_path: Path) -> None:
    meeting = full_session(commune, PASSPHRASE)
    planned = meetings.create_meeting(commune, on=date(2027, 3, 1))
    entries = journal.verify(commune.database).entries
    text = tmp_path / "pv.pdf"
    text.write_text("Ceci n’est pas un PDF", encoding="utf-8")
    with pytest.raises(InputError, match="n’est pas un scan PDF, JPEG ou PNG"):
        scans.attach(commune, meeting, text)
    empty = tmp_path / "vide.png"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="est vide"):
        scans.attach(commune, meeting, empty)
    big = tmp_path / "enorme.pdf"
    with big.open("wb") as handle:
        handle.write(b"%PDF-1.4\n")
        handle.truncate(scans.MAX_BYTES + 1)
    with pytest.raises(InputError, match=r"trop volumineux .* la limite est de 25 Mo"):
        scans.attach(commune, meeting, big)
    with pytest.raises(NotFoundError):
        scans.attach(commune, meeting, tmp_path / "absent.pdf")
    good = tmp_path / "pv.png"
    good.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(StateError, match="pas encore eu lieu"):
        scans.attach(commune, planned.id, good)
    assert journal.verify(commune.database).entries == entries
    assert not (commune.path / "scans").exists()
