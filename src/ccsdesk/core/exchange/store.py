"""Received archive contents, kept as files beside the database (``echanges/``).

An imported archive's signed content must be kept unchanged to be forwarded up, and its
packets must be readable later; a packet may weigh tens of megabytes. Written into SQLite
(WAL, ``synchronous=FULL``) a 50 MB archive cost three seconds; as a file, written once
through a temporary name and fsync, it costs a tenth of that. Files are named by the SHA-256
of their manifest (which lists the hash of every entry), so writing the same content twice is
harmless and a file left by a transaction that then failed is simply reused or ignored.
Backups take the whole data folder, these files included.
"""

from __future__ import annotations

import os
from pathlib import Path

from ccsdesk.core.errors import StorageError
from ccsdesk.core.exchange import archive
from ccsdesk.core.i18n import _
from ccsdesk.core.storage.folder import DataFolder

DIRECTORY = "echanges"
SUFFIX = ".zip"


def _path(folder: DataFolder, manifest_sha256: str) -> Path:
    if len(manifest_sha256) != 64 or not all(c in "0123456789abcdef" for c in manifest_sha256):
        raise StorageError(_("An exchange file name is not valid."))
    return folder.path / DIRECTORY / manifest_sha256[:2] / (manifest_sha256 + SUFFIX)


def put(folder: DataFolder, contents: archive.Contents) -> None:
    """Keep ``contents.inner`` (already checked) unless the same content is there."""
    path = _path(folder, contents.manifest_sha256)
    if path.exists() and path.stat().st_size == len(contents.inner):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as handle:
            handle.write(contents.inner)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except OSError as error:
        raise StorageError(_("The archive could not be kept in the data folder ({reason}); "
                             "nothing was imported.").format(
                                 reason=error.strerror or error)) from None
    finally:
        partial.unlink(missing_ok=True)


def get(folder: DataFolder, manifest_sha256: str) -> archive.Contents:
    """A kept content, checked again (every hash and the signature) before use."""
    path = _path(folder, manifest_sha256)
    try:
        data = path.read_bytes()
    except OSError:
        raise StorageError(_("A received archive is missing from the data folder ({file}); "
                             "restore a backup.").format(file=path.name)) from None
    contents = archive.unpack(data)
    if contents.manifest_sha256 != manifest_sha256:
        raise StorageError(_("A received archive in the data folder was changed ({file}); "
                             "restore a backup.").format(file=path.name))
    return contents


def raw(folder: DataFolder, manifest_sha256: str) -> bytes:
    """The kept bytes, for forwarding unchanged (checked by :func:`get` on the way)."""
    return get(folder, manifest_sha256).inner


def find_entry(contents: archive.Contents, kind: str, sha256: str,
               depth: int = 0) -> bytes | None:
    """An entry by kind and hash, looking into forwarded archives too."""
    for item in contents.manifest["entries"]:
        if item.get("kind") == kind and item.get("sha256") == sha256:
            return contents.entries[str(item["path"])].data
    if depth >= 4:
        return None
    for entry in contents.entries.values():
        if entry.kind == "forward":
            found = find_entry(archive.unpack(entry.data), kind, sha256, depth + 1)
            if found is not None:
                return found
    return None
