"""Writing files so that a power cut or a pulled USB stick never leaves half a file."""

from __future__ import annotations

import os
import sys
from contextlib import suppress
from pathlib import Path


def sync_directory(directory: Path) -> None:
    """Make the names just created or renamed in ``directory`` survive a power cut.

    A file's own fsync does not cover its entry in the folder; on POSIX the folder must be
    flushed too. Best effort: Windows has no directory handles (NTFS journals renames), and
    some file systems refuse the call, in which case the rename is as durable as they allow.
    """
    if sys.platform == "win32":  # pragma: no cover - no directory handles on Windows
        return
    with suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a flushed temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
        sync_directory(path.parent)
    finally:
        partial.unlink(missing_ok=True)
