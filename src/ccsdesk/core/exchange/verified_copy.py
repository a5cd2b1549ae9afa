"""A file written to a stick while it is produced, read back from the device as it goes.

The USB rule of issue 6: a copy is only reported done once it was written under a temporary
name, flushed to the device, read back identical and renamed; whatever fails (a full stick,
a pulled one, a stick that loses data), nothing is left under the final name or the
temporary one. Done after the fact, that rule cost as much as producing the archive: a 50 MB
archive sealed in memory, then written, flushed and read back, took twice the stock ``age``
tool's time. So :class:`VerifiedCopy` takes the file block by block while it is being
sealed (``archive.seal_to``): a writer thread writes each block, and a checker thread waits
until that range is on the device, reads it back from the device and compares it, then
hands the block back for the next piece. The archive never exists whole in memory, and the
device writes and reads while the next blocks are sealed.

On Linux, where the file system allows it (ext4, XFS, vfat, exFAT), whole blocks are
written with ``O_DIRECT``, from page-aligned memory straight to the device (no copy into
the system's cache, no writeback left to wait for); the rest goes through the cache, its
writeback started at once (``sync_file_range``). Reading back reads the device, not the
cache: ``O_DIRECT`` reads of the range once it is there, or, where the file system refuses
them, the range dropped from the cache (``posix_fadvise``) first. Elsewhere (Windows) the
copy is read back through the system's cache as it is written, which still catches a short
or failed write; the final flush then makes it durable. ``docs/benchmarks.md`` has the
figures.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import os
import queue
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ccsdesk.core import formats
from ccsdesk.core.errors import StorageError
from ccsdesk.core.files import sync_directory
from ccsdesk.core.i18n import _

BLOCK = 1024 * 1024  # what the producer fills and the threads pass along
BLOCKS = 16  # blocks in flight: 16 MB at most between sealing and the checked file
READ = 1024 * 1024  # one read-back request
_ALIGN = 4096  # O_DIRECT offsets, sizes and buffers
EARLY_WRITEBACK = 8 * 1024 * 1024  # bytes written between two nudges to the writeback
_SYNC_RANGE_WAIT = 1 | 2 | 4  # SYNC_FILE_RANGE_WAIT_BEFORE | WRITE | WAIT_AFTER
_SYNC_RANGE_START = 2  # SYNC_FILE_RANGE_WRITE: start the writeback, do not wait
_MISMATCH = "mismatch"


def start_writeback(descriptor: int, offset: int, length: int) -> None:
    """Have the system start writing a range already written to the device, without
    waiting: on Linux ``POSIX_FADV_DONTNEED`` starts the writeback of dirty pages (and drops
    those already clean). The final fsync then waits for the last pieces only: 50 MB
    written and flushed went from 35 to 24 ms on the reference machine."""
    if hasattr(os, "posix_fadvise"):
        with contextlib.suppress(OSError):
            os.posix_fadvise(descriptor, offset, length, os.POSIX_FADV_DONTNEED)


def page_aligned(size: int) -> tuple[bytearray, int]:
    """Memory for ``size`` bytes starting on a page, as direct writes and reads want: the
    bytearray and where in it they start (its bytes never move: it is never resized)."""
    import ctypes

    memory = bytearray(size + _ALIGN)
    address = ctypes.addressof((ctypes.c_char * len(memory)).from_buffer(memory))
    return memory, -address % _ALIGN


def _write_at(descriptor: int, view: memoryview, offset: int) -> None:
    """All of ``view`` at ``offset`` (``pwrite`` where it exists; elsewhere one descriptor
    writes in order, so its own position is that offset)."""
    while view:  # a raw write may take less than it was given
        done = (os.pwrite(descriptor, view, offset) if hasattr(os, "pwrite")
                else os.write(descriptor, view))
        view, offset = view[done:], offset + done


def _range_sync() -> Callable[[int, int, int, int], int] | None:
    """Linux's ``sync_file_range`` (not in the ``os`` module), or None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        function = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):  # pragma: no cover - every glibc and musl has it
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]


def write_failed(path: Path, error: OSError, size: int) -> StorageError:
    """The refusal for a write that failed: a full stick said as such, anything else with
    the system's reason."""
    if error.errno == errno.ENOSPC:
        return StorageError(_("There is not enough room on {place} for the archive ({size} KB "
                              "needed); nothing was left there. Free some space or use "
                              "another stick.").format(place=path.parent,
                                                       size=formats.kilobytes(size)))
    return StorageError(_("The archive could not be written to {place} ({reason}); nothing "
                          "was left there. Check that the stick is still plugged in and "
                          "try again.").format(place=path.parent,
                                               reason=error.strerror or error))


def _mismatch(path: Path) -> StorageError:
    return StorageError(_("The copy on {place} does not read back identical; it was "
                          "removed. Try another stick.").format(place=path.parent))


class _Reader:
    """The file read back sequentially from the device, in pieces that end where asked.

    With ``O_DIRECT`` every request starts and ends on a 4 KiB boundary (the last one may
    return less, at the end of the file), so a range is only read once up to the last
    boundary it reaches; the rest waits for the next range or the end.
    """

    def __init__(self, path: Path) -> None:
        self.direct = False
        descriptor = None
        if hasattr(os, "O_DIRECT"):
            with contextlib.suppress(OSError):  # tmpfs and a few others refuse it
                descriptor = os.open(path, os.O_RDONLY | os.O_DIRECT)
                self.direct = True
        if descriptor is None:
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        self._file = open(descriptor, "rb", buffering=0)  # noqa: SIM115 - closed by close()
        self.position = 0
        self._longer = False
        memory, offset = page_aligned(READ) if self.direct else (bytearray(READ), 0)
        self._view = memoryview(memory)[offset:offset + READ]

    def read_until(self, end: int, last: bool) -> memoryview | None:
        """The next piece of the file, at most up to ``end`` (all of it when ``last``):
        empty when the file ends before, None when the rest must wait for a later range."""
        if self.direct:
            stop = end if last else end - end % _ALIGN
            want = min(READ, -(-(stop - self.position) // _ALIGN) * _ALIGN)
        else:
            want = min(READ, end - self.position)
            start_writeback(self._file.fileno(), self.position, want)  # drops clean pages
        if want <= 0:
            return None
        got = self._file.readinto(self._view[:want]) or 0
        self._longer = self._longer or got > end - self.position  # a direct read's last page
        piece = self._view[:min(got, end - self.position)]
        self.position += len(piece)
        return piece

    def at_end(self) -> bool:
        """Whether the file holds nothing past what was read (a longer file is damaged)."""
        return not self._longer and not self._file.readinto(self._view[:_ALIGN])

    def close(self) -> None:
        self._file.close()


def _comparable(data: bytes | bytearray | memoryview) -> bytes | bytearray:
    """``data`` as an object that compares in place (``startswith``): itself if it can."""
    return data if isinstance(data, bytes | bytearray) else bytes(data)


@dataclass(frozen=True)
class _Piece:
    """``size`` bytes of ``memory`` from ``start``, next in the file; ``block`` is the window
    taken from the copy's own blocks (given back once checked), or None."""

    memory: bytes | bytearray
    start: int
    size: int
    block: memoryview | None


class ReadBack:
    """What was given, compared with what the file reads back, oldest first; each piece
    fully compared is released (its block back to the producer)."""

    def __init__(self, reader: _Reader, release: Callable[[_Piece], None]) -> None:
        self._reader = reader
        self._release = release
        self._pending: collections.deque[_Piece] = collections.deque()
        self._compared = 0  # bytes of the oldest pending piece already compared
        self.given = 0

    def add(self, piece: _Piece) -> None:
        """``piece`` comes next in the file."""
        self._pending.append(piece)
        self.given += piece.size

    def compare(self, last: bool) -> bool:
        """Read the file as far as what was given (to its end when ``last``, and then the
        file must end there too) and compare; False at the first difference."""
        reader, pending = self._reader, self._pending
        while reader.position < self.given:
            read = reader.read_until(self.given, last)
            if read is None:
                return True  # the rest of this range is read with the next one
            if not read:
                return False  # the file is shorter than what was written
            done = 0
            while done < len(read):
                piece = pending[0]
                size = min(piece.size - self._compared, len(read) - done)
                # memcmp in place: no copy (a memoryview comparison goes byte by byte)
                if not piece.memory.startswith(read[done:done + size],
                                               piece.start + self._compared):
                    return False
                done += size
                self._compared += size
                if self._compared == piece.size:
                    pending.popleft()
                    self._compared = 0
                    self._release(piece)
        return not last or reader.at_end()

    def release_all(self) -> None:
        while self._pending:
            self._release(self._pending.popleft())


def reads_back(path: Path, data: bytes | bytearray | memoryview,
               steps: tuple[int, ...] = ()) -> bool:
    """Whether the file at ``path`` reads back as ``data`` from the device, compared as
    :class:`VerifiedCopy` compares it (given in pieces ending at ``steps``)."""
    whole = _comparable(data)
    reader = _Reader(path)
    try:
        check = ReadBack(reader, lambda _block: None)
        start = 0
        for end in (*steps, len(whole)):
            check.add(_Piece(whole, start, end - start, None))
            start = end
            if not check.compare(last=end == len(whole)):
                return False
        return True
    finally:
        reader.close()


class VerifiedCopy:
    """``path`` written from blocks given in order, each read back and compared once it is
    on the device; see the module's docstring.

    Use: ``take`` an empty block, fill it, ``give`` it (or ``write`` any bytes); then
    ``finish`` (all on the device and checked), then ``commit`` (the final name). ``discard``
    (or leaving the ``with`` block without committing) removes the temporary file. Every
    failure is a :class:`StorageError` saying what happened, from whichever call comes next.

    Where the file system takes direct writes (Linux, ``O_DIRECT``), whole blocks go
    straight from memory to the device: no copy into the system's cache, nothing left for
    its writeback to do. The last, partial block (and any bytes given by :meth:`write`)
    goes through the cache.
    """

    def __init__(self, path: Path, blocks: int = BLOCKS, expected: int = 0) -> None:
        self.path = path
        self.size = 0
        self._expected = expected  # the size a full stick is told it lacks room for
        self.direct_bytes = 0  # written straight to the device, bypassing the cache
        self._partial = path.with_name(path.name + ".partial")
        if not path.parent.is_dir():
            # Never create it: a pulled stick's mount point would become a folder on the PC.
            raise StorageError(_("The folder {place} does not exist (was the stick "
                                 "removed?); nothing was written.").format(place=path.parent))
        self._sync_range = _range_sync()
        self._failure: Exception | str | None = None
        self._committed = False
        self._finished = False
        self._blocks = blocks
        self._made = 0  # blocks are made as needed: small files need none
        self._windows: dict[int, tuple[bytearray, int]] = {}  # id(window) -> its memory
        self._free: queue.SimpleQueue[memoryview | None] = queue.SimpleQueue()
        self._to_write: queue.SimpleQueue[_Piece | None] = queue.SimpleQueue()
        self._to_check: queue.SimpleQueue[_Piece | None] = queue.SimpleQueue()
        self._reader: _Reader | None = None
        self._direct = -1
        try:
            self._descriptor = os.open(self._partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC
                                       | getattr(os, "O_BINARY", 0), 0o644)
            try:
                self._reader = _Reader(self._partial)
                if hasattr(os, "O_DIRECT") and hasattr(os, "pwrite"):
                    with contextlib.suppress(OSError):  # tmpfs and a few others refuse it
                        self._direct = os.open(self._partial, os.O_WRONLY | os.O_DIRECT)
                self.direct = self._direct >= 0  # whole blocks bypass the system's cache
            except OSError:
                self._close()
                raise
        except OSError as error:
            self._remove_partial()
            raise write_failed(path, error, 0) from None
        self._writer = threading.Thread(target=self._write_all, name="verified-copy-write",
                                        daemon=True)
        self._checker = threading.Thread(target=self._check_all, name="verified-copy-check",
                                         daemon=True)
        self._writer.start()
        self._checker.start()

    # --- the producer's side ---------------------------------------------------------------

    def take(self) -> memoryview:
        """An empty block of :data:`BLOCK` bytes (waits while all of them are on their way
        to the device)."""
        try:
            block = self._free.get_nowait()
        except queue.Empty:
            block = self._new_block() if self._made < self._blocks else self._free.get()
        if block is None:
            self._free.put(None)  # for the next caller too
            raise self._refusal()
        return block

    def _new_block(self) -> memoryview:
        """A block whose memory starts on a page, as direct writes want."""
        memory, offset = page_aligned(BLOCK) if self._direct >= 0 else (bytearray(BLOCK), 0)
        window = memoryview(memory)[offset:offset + BLOCK]
        self._windows[id(window)] = (memory, offset)
        self._made += 1
        return window

    def give(self, block: memoryview | bytes | bytearray, size: int, start: int = 0) -> None:
        """``size`` bytes of ``block`` from ``start`` come next in the file: a block taken
        here, or bytes left untouched until :meth:`finish`."""
        if self._failure is not None:
            raise self._refusal()
        own = self._windows.get(id(block))
        if own is not None:
            piece = _Piece(own[0], own[1] + start, size, block)
        else:
            piece = _Piece(block, start, size, None)  # type: ignore[arg-type]
        self.size += size
        self._to_write.put(piece)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """All of ``data`` next in the file (bytes and bytearrays are not copied; they must
        stay unchanged)."""
        whole = _comparable(data)
        for start in range(0, len(whole), BLOCK):
            self.give(whole, min(BLOCK, len(whole) - start), start)

    def finish(self) -> None:
        """Wait until everything is written, flushed and read back identical."""
        if not self._finished:
            self._finished = True
            self._to_write.put(None)
            self._writer.join()
            self._checker.join()
            self._close()  # Windows renames no file that is still open
        if self._failure is not None:
            raise self._refusal()

    def commit(self) -> None:
        """Give the checked file its final name, durably."""
        self.finish()
        try:
            os.replace(self._partial, self.path)
            sync_directory(self.path.parent)
        except OSError as error:
            self._remove_partial()
            raise write_failed(self.path, error, max(self.size, self._expected)) from None
        self._committed = True

    def discard(self) -> None:
        """Stop and leave nothing behind (a committed file stays)."""
        if not self._finished:
            self._finished = True
            self._failure = self._failure or "discarded"
            self._to_write.put(None)
            self._writer.join()
            self._checker.join()
        self._close()
        if not self._committed:
            self._remove_partial()

    def __enter__(self) -> VerifiedCopy:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.discard()

    # --- the threads ------------------------------------------------------------------------

    def _fail(self, failure: Exception | str) -> None:
        if self._failure is None:
            self._failure = failure
        self._free.put(None)  # a producer waiting for a block stops

    def _write_all(self) -> None:
        """Write each piece given (whole aligned blocks directly to the device where
        possible, the rest through the cache with its writeback started at once), pass it on
        to the checker; at the end flush everything (data and size) to the device."""
        written = nudged = 0
        try:
            while (piece := self._to_write.get()) is not None and self._failure is None:
                direct = (self._direct >= 0 and piece.block is not None
                          and written % _ALIGN == 0 and piece.size % _ALIGN == 0)
                with memoryview(piece.memory) as whole:
                    _write_at(self._direct if direct else self._descriptor,
                              whole[piece.start:piece.start + piece.size], written)
                written += piece.size
                if direct:
                    self.direct_bytes += piece.size  # already on the device
                elif self._sync_range is not None:
                    self._sync_range(self._descriptor, written - piece.size, piece.size,
                                     _SYNC_RANGE_START)
                elif written - nudged >= EARLY_WRITEBACK:
                    start_writeback(self._descriptor, nudged, written - nudged)
                    nudged = written
                self._to_check.put(piece)
            if self._failure is None:
                os.fsync(self._descriptor)
        except Exception as error:  # said by finish(), never lost in a thread
            self._fail(error)
        finally:
            self._to_check.put(None)

    def _check_all(self) -> None:
        """Read back each range once it is on the device and compare it with its blocks."""
        assert self._reader is not None
        check = ReadBack(self._reader, self._release)
        try:
            while (piece := self._to_check.get()) is not None:
                if self._failure is not None:
                    continue  # drain: the writer still says when it stopped
                check.add(piece)
                if self._sync_range is not None:
                    self._sync_range(self._descriptor, self._reader.position,
                                     check.given - self._reader.position, _SYNC_RANGE_WAIT)
                if not check.compare(last=False):
                    self._fail(_MISMATCH)
            if self._failure is None and not check.compare(last=True):
                self._fail(_MISMATCH)
        except Exception as error:  # said by finish(), never lost in a thread
            self._fail(error)
        finally:
            check.release_all()

    def _release(self, piece: _Piece) -> None:
        if piece.block is not None:
            self._free.put(piece.block)

    # --- cleaning up ------------------------------------------------------------------------

    def _refusal(self) -> Exception:
        if isinstance(self._failure, OSError):
            return write_failed(self.path, self._failure, max(self.size, self._expected))
        if isinstance(self._failure, Exception):
            return self._failure  # a fault of ours: raised as it is, not as a stick's
        if self._failure == _MISMATCH:
            return _mismatch(self.path)
        return StorageError(_("The copy to {place} was stopped; nothing was left "
                              "there.").format(place=self.path.parent))

    def _close(self) -> None:
        """Close the descriptors, once (a number closed twice may be another file's)."""
        for name in ("_descriptor", "_direct"):
            if getattr(self, name) >= 0:
                with contextlib.suppress(OSError):
                    os.close(getattr(self, name))
                setattr(self, name, -1)
        if self._reader is not None:
            with contextlib.suppress(OSError):
                self._reader.close()
            self._reader = None

    def _remove_partial(self) -> None:
        with contextlib.suppress(OSError):
            self._partial.unlink(missing_ok=True)
