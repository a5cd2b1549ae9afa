"""Received archive contents, kept as files beside the database (``echanges/``).

An imported archive's signed content must be kept unchanged to be forwarded up, and its
packets must be readable later; a packet may weigh tens of megabytes. Written into SQLite
(WAL, ``synchronous=FULL``) a 50 MB archive cost three seconds; as a file, written once
through a temporary name and fsync, it costs a tenth of that. Files are named by the SHA-256
of their manifest (which lists the hash of every entry), so writing the same content twice is
harmless and a file left by a transaction that then failed is simply reused or ignored.
Backups take the whole data folder, these files included.

Where the system allows it (Linux, ``O_TMPFILE``), a large content (1 MB or more) is written
while the archive is still being decrypted, into a file that has no name yet
(:class:`Incoming`): receiving a 50 MB archive then no longer waits for a 50 MB write at the
end. The file gets its name only in :func:`put`, once every check passed; if the import is
refused, or the program stops, it vanishes without ever having been visible.
"""

from __future__ import annotations

import errno
import os
import sys
import threading
import weakref
from pathlib import Path

from ccsdesk.core.errors import StorageError
from ccsdesk.core.exchange import archive
from ccsdesk.core.exchange.verified_copy import EARLY_WRITEBACK, start_writeback
from ccsdesk.core.files import sync_directory
from ccsdesk.core.i18n import _
from ccsdesk.core.storage.folder import DataFolder

DIRECTORY = "echanges"
SUFFIX = ".zip"


def _path(folder: DataFolder, manifest_sha256: str) -> Path:
    if len(manifest_sha256) != 64 or not all(c in "0123456789abcdef" for c in manifest_sha256):
        raise StorageError(_("An exchange file name is not valid."))
    return folder.path / DIRECTORY / manifest_sha256[:2] / (manifest_sha256 + SUFFIX)


class Incoming:
    """A received content written to disk as it is decrypted, under no name until kept.

    Written block by block by the decrypting thread (``os.write`` releases the GIL while the
    hashing thread works), then flushed to the disk by a thread of its own, so that the
    fsync overlaps the checks and the import instead of coming before them; :func:`put`
    waits for it before naming the file. The file is also readable: the parts of a large
    entry kept only here are read back from it (``streamed_open.Holes``).
    """

    def __init__(self, descriptor: int) -> None:
        self.descriptor = descriptor
        self._close = weakref.finalize(self, os.close, descriptor)
        self._done = self._nudged = 0
        self._written = -1
        self._syncing: threading.Thread | None = None
        self.error: OSError | None = None

    def write(self, data: memoryview) -> None:
        """Append ``data``; a failure (a full disk) is kept for :func:`put`, which then
        writes the usual way and reports it."""
        if self.error is not None:
            return
        try:
            done = 0
            while done < len(data):
                done += os.write(self.descriptor, data[done:])
            self._done += done
            if self._done - self._nudged >= EARLY_WRITEBACK:
                start_writeback(self.descriptor, self._nudged,
                                          self._done - self._nudged)
                self._nudged = self._done
        except OSError as error:
            self.error = error

    def finish(self) -> None:
        """Everything is written: flush it to the disk in the background."""
        if self.error is None and self._syncing is None:
            self._syncing = threading.Thread(target=self._sync, name="archive-fsync",
                                             daemon=True)
            self._syncing.start()

    def _sync(self) -> None:
        try:
            os.fsync(self.descriptor)
            self._written = self._done
            # Flushed: drop its pages from the cache (read again only to forward it up,
            # weeks later). Keeping 50 MB cached per archive made the next receive pay
            # for fresh cache pages: 70 ms would become 200 ms after a few archives.
            start_writeback(self.descriptor, 0, self._done)
        except OSError as error:
            self.error = error

    @property
    def written(self) -> int:
        """Bytes written and flushed to the disk (waits for the flush); -1 if not done."""
        if self._syncing is not None:
            self._syncing.join()
        return self._written

    def keep_as(self, path: Path) -> None:
        """Give the file its name: ``linkat`` of ``/proc/self/fd/N``, following the link
        (a directory descriptor is passed because plain ``os.link`` calls ``link``, which
        would try to link the ``/proc`` entry itself and fail)."""
        descriptors = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.link(str(self.descriptor), path, src_dir_fd=descriptors, follow_symlinks=True)
        finally:
            os.close(descriptors)

    def discard(self) -> None:
        if self._syncing is not None:
            self._syncing.join()  # never close a descriptor another thread still uses
        self._close()


def incoming(folder: DataFolder) -> Incoming | None:
    """An unnamed file in ``echanges/`` to receive into, where the system has them."""
    if sys.platform != "linux" or not hasattr(os, "O_TMPFILE"):
        return None
    directory = folder.path / DIRECTORY
    try:
        directory.mkdir(exist_ok=True)
        return Incoming(os.open(directory, os.O_TMPFILE | os.O_RDWR, 0o600))
    except OSError:  # a file system without unnamed files: put() writes the usual way
        return None


def _keep_incoming(contents: archive.Contents, path: Path) -> bool:
    """Name the file written during decryption, if it holds exactly the content."""
    kept = contents.incoming
    if not isinstance(kept, Incoming):
        return False
    if kept.written != contents.size or kept.error:
        kept.discard()  # a full disk, say: the usual write below reports it
        return False
    try:
        kept.keep_as(path)
    except FileExistsError:
        pass  # the same content, kept meanwhile (files are named by their manifest's hash)
    except OSError as error:
        if error.errno not in (errno.ENOENT, errno.EXDEV, errno.EPERM, errno.EACCES):
            raise
        return False  # no /proc, or a file system that refuses: write the usual way
    finally:
        kept.discard()
    sync_directory(path.parent)
    return True


def put(folder: DataFolder, contents: archive.Contents) -> None:
    """Keep ``contents.inner`` (already checked) unless the same content is there."""
    path = _path(folder, contents.manifest_sha256)
    if path.exists() and path.stat().st_size == contents.size:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if _keep_incoming(contents, path):
            return
    except OSError as error:
        raise StorageError(_("The archive could not be kept in the data folder ({reason}); "
                             "nothing was imported.").format(
                                 reason=error.strerror or error)) from None
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as handle:
            handle.write(contents.inner)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
        sync_directory(path.parent)
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
