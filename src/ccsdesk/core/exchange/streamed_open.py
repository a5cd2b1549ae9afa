"""One pass over a received archive: read by blocks, decrypt, hash and keep, side by side.

Receiving a 50 MB archive used to read the whole file into memory (26 ms), decrypt it into a
second 50 MB buffer, hash the large entries from that buffer in a second thread and write
them to disk from it in a third. On the reference machine (a 2-core VM) fresh memory is
what costs most: first-touching 50 MB takes 20 ms, and up to 100 ms more when the host has
to back the pages again, which made receiving swing between 95 and 260 ms. Hashing 50 MB
that just left the CPU's cache takes 27 ms, against 44 ms from main memory.

So the file is read a block (16 age chunks, 1 MiB) at a time into one reused buffer, each
block decrypted into one of a few reused blocks, which a second thread hashes (``hashlib``
and ``decrypt_into`` release the GIL) while this one writes it to the content's unnamed
file (``store.Incoming``). Only what the import reads is kept in memory: the zip's
structure and its small entries. The data of a large stored entry (a packet, a forwarded
archive) goes to the file only; its place in the plaintext buffer — an anonymous mapping,
whose untouched pages cost nothing — stays a *hole*, filled from the kept file if anything
ever reads it (:class:`Holes`). Without a file to keep the content in, everything is
decrypted into the buffer as before.

Nothing here decides whether an archive is accepted: the age layer checks every chunk's
tag, and ``archive.unpack`` reads the zip again with all its checks, taking a hash from here
only for the very same bytes (same start, same length). Figures in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import queue
import struct
import threading
import weakref
import zipfile
from pathlib import Path
from typing import Any

from ccsdesk.core.errors import InputError, NotFoundError, StorageError
from ccsdesk.core.exchange import age_format
from ccsdesk.core.exchange.archive import BufferReader
from ccsdesk.core.i18n import _

MIN_SIZE = 1024 * 1024  # smaller contents: one thread, all in memory, no unnamed file
BLOCK = 16  # age chunks read, decrypted and handed on together (1 MiB of plaintext)
RING = 4  # blocks between the decrypting thread and the hashing one
_LOCAL_HEADER = 30
_MAX_FIELD = 0xFFFF  # a local header's extra field is at most this long
_END_RECORD = b"PK\x05\x06"
_END_RECORD_SIZE = 22
_MAX_COMMENT = 0xFFFF


class BufferSource:
    """An age file already in memory."""

    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        self._view = memoryview(data).cast("B")
        self.size = len(self._view)

    def read(self, offset: int, size: int, _scratch: memoryview) -> memoryview:
        return self._view[offset:offset + size]

    def close(self) -> None:
        self._view.release()


class FileSource:
    """An age file read block by block into a reused buffer.

    Never memory-mapped: a USB stick pulled out during the read would kill the process
    (SIGBUS) instead of giving a message. Reads go through an unbuffered file (``readinto``
    releases the GIL), which Windows has too, unlike ``os.preadv``.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._file = open(path, "rb", buffering=0)  # noqa: SIM115 - closed in close()
            self.size = os.fstat(self._file.fileno()).st_size
        except FileNotFoundError:
            raise NotFoundError(_("The file {file} does not exist.").format(
                file=path)) from None
        except OSError as error:
            raise self._unreadable(error) from None

    def _unreadable(self, error: OSError) -> InputError:
        return InputError(_("The file {file} cannot be read: {reason}.").format(
            file=self.path, reason=error.strerror or error))

    def read(self, offset: int, size: int, scratch: memoryview) -> memoryview:
        """``size`` bytes from ``offset``, in ``scratch``; refuses a file cut meanwhile."""
        target = scratch[:size]
        done = 0
        try:
            self._file.seek(offset)
            while done < size:
                got = self._file.readinto(target[done:])
                if not got:
                    raise InputError(_("The file {file} changed while it was being read "
                                       "(it got shorter); nothing was imported.").format(
                                           file=self.path))
                done += got
        except OSError as error:
            raise self._unreadable(error) from None
        return target

    def close(self) -> None:
        self._file.close()


class Holes:
    """The parts of the plaintext buffer left unwritten because their bytes went to the
    kept file only; whatever reads them gets them from that file first.

    Holds its own duplicate of the file's descriptor: the ``store.Incoming`` that wrote it
    closes its own once the file is named.
    """

    def __init__(self, plain: Any, ranges: list[tuple[int, int]], descriptor: int) -> None:
        self._plain = plain
        self._ranges = ranges  # (start, end) byte ranges, sorted, not yet filled
        self._descriptor = os.dup(descriptor)
        self._lock = threading.Lock()
        self._close = weakref.finalize(self, os.close, self._descriptor)

    def _pread(self, start: int, size: int) -> bytes:
        pieces, done = [], 0
        try:
            while done < size:
                piece = os.pread(self._descriptor, size - done, start + done)
                if not piece:
                    raise OSError("short read")
                pieces.append(piece)
                done += len(piece)
        except OSError as error:
            raise StorageError(_("The archive could not be kept in the data folder "
                                 "({reason}); nothing was imported.").format(
                                     reason=error.strerror or error)) from None
        return b"".join(pieces)

    def overlaps(self, start: int, end: int) -> bool:
        return any(lo < end and start < hi for lo, hi in self._ranges)

    def read(self, start: int, end: int) -> bytes:
        """The real bytes ``[start, end)``, without filling the buffer (a packet's bytes are
        read for a forwarded archive, not kept twice)."""
        if not self.overlaps(start, end):
            with memoryview(self._plain) as view:
                return bytes(view[start:end])
        return self._pread(start, end - start)

    def fill(self, start: int = 0, end: int | None = None) -> None:
        """Make the buffer hold the real bytes of every hole overlapping ``[start, end)``."""
        end = len(self._plain) if end is None else end
        with self._lock:
            for lo, hi in [r for r in self._ranges if r[0] < end and start < r[1]]:
                with memoryview(self._plain) as view:
                    view[lo:hi] = self._pread(lo, hi - lo)
                self._ranges.remove((lo, hi))


def _block() -> memoryview:
    """A reused block of plaintext, small enough to stay in the CPU's cache while it is
    decrypted, hashed and written."""
    return memoryview(bytearray(BLOCK * age_format.CHUNK))


def _plain_buffer(size: int) -> Any:
    """Zeroed memory for ``size`` bytes of plaintext. Large ones are an anonymous mapping
    (not a file: nothing can vanish under it), whose pages cost only once written — a
    ``bytearray`` would zero, that is touch, all of them first."""
    return mmap.mmap(-1, size) if size >= MIN_SIZE else bytearray(size)


class StreamedOpen:
    """Opens an age file holding an archive's zip in one pass; see the module docstring.

    After :meth:`run`: :attr:`plain` (the zip, with :attr:`holes` if any), :attr:`digests`
    (SHA-256 of the large stored entries, keyed by (data start, size)).
    """

    def __init__(self, source: BufferSource | FileSource, identity: str,
                 keep: Any = None) -> None:
        self._source = source
        scratch = memoryview(bytearray(min(source.size, age_format.MAX_HEADER)))
        head = source.read(0, len(scratch), scratch)
        self.payload = age_format.Payload(head, source.size, identity)
        self.payload.begin(source.read(self.payload.nonce_at, age_format.NONCE, scratch))
        self.size = self.payload.plain_size
        if keep is not None and self.size < MIN_SIZE:
            keep.discard()  # small: writing it at the end costs less than threads
            keep = None
        self.keep = self._keep = keep
        self.plain = _plain_buffer(self.size)
        self._view = memoryview(self.plain)
        self._scratch = memoryview(bytearray(BLOCK * (age_format.CHUNK + age_format.TAG)))
        self._opened: set[int] = set()
        self._spare: memoryview | None = None
        self.digests: dict[tuple[int, int], str] = {}
        self.holes: Holes | None = None
        self._members = self._plan()
        self._hole_chunks = self._holes_for(self._members) if keep is not None else []

    # --- before the pass: where the large entries are ---------------------------------------

    def _open_chunks(self, first: int, end: int) -> None:
        """Decrypt chunks ``first`` to ``end - 1`` straight into the plaintext buffer."""
        for block in range(first, end, BLOCK):
            stop = min(end, block + BLOCK)
            cipher = self._source.read(*self.payload.cipher_span(block, stop), self._scratch)
            for index in range(block, stop):
                self._open_one(index, cipher, block, self._view)
                self._opened.add(index)

    def _open_one(self, index: int, cipher: memoryview, block: int, out: memoryview,
                  out_start: int | None = None) -> None:
        """Chunk ``index`` from ``cipher`` (holding chunks from ``block`` on) into ``out``
        (whose byte 0 is plaintext byte ``out_start``; the whole buffer if None)."""
        sealed = age_format.CHUNK + age_format.TAG
        piece = cipher[(index - block) * sealed:(index - block + 1) * sealed]
        begin = index * age_format.CHUNK - (out_start or 0)
        self.payload.open_into(index, piece, out[begin:begin + len(piece) - age_format.TAG])

    def _plan(self) -> list[tuple[int, int, int]]:
        """(local header offset, size, name length) of the stored members worth hashing
        beside the decryption, read from the zip's directory (whose chunks are opened
        first). A head start only: anything odd here leaves the work to ``unpack``."""
        if self.size < MIN_SIZE:
            return []
        tail_start = max(0, self.size - _END_RECORD_SIZE - _MAX_COMMENT)
        self._open_chunks(self.payload.chunk_of(tail_start), self.payload.chunks)
        tail = bytes(self._view[tail_start:])
        at = tail.rfind(_END_RECORD)
        if at < 0 or len(tail) - at < _END_RECORD_SIZE:
            return []
        directory_size, directory_offset = struct.unpack("<LL", tail[at + 12:at + 20])
        if directory_offset + directory_size > tail_start + at:
            return []
        first = self.payload.chunk_of(directory_offset)
        self._open_chunks(first, min(self.payload.chunk_of(tail_start), self.payload.chunks))
        try:
            infos = zipfile.ZipFile(BufferReader(self._view.toreadonly())).infolist()
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
            return []
        return sorted((info.header_offset, info.file_size, len(info.orig_filename.encode(
            "utf-8" if info.flag_bits & 0x800 else "cp437")))
            for info in infos
            if info.compress_type == zipfile.ZIP_STORED and info.file_size >= MIN_SIZE
            and info.compress_size == info.file_size
            and info.header_offset + _LOCAL_HEADER <= self.size)

    def _holes_for(self, members: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
        """The chunks (first, end) surely inside a large entry's data whatever its local
        header says — past the longest extra field it could have — and not opened yet."""
        chunk, found = age_format.CHUNK, []
        for offset, size, name in members:
            low = offset + _LOCAL_HEADER + name + _MAX_FIELD
            high = offset + _LOCAL_HEADER + name + size
            first, end = -(-low // chunk), high // chunk
            end = min([end, *[i for i in self._opened if i >= first]])
            if end > first:
                found.append((first, end))
        return found

    # --- the pass ---------------------------------------------------------------------------

    def run(self) -> None:
        """Decrypt every chunk in order, hashing and keeping beside; all done on return.
        Raises :class:`age_format.AgeError` or the source's refusals."""
        keep = self._keep
        hashing = _Hashing(self._view, self._members) if self._members else None
        in_hole = bytearray(self.payload.chunks)
        for first, end in self._hole_chunks:
            in_hole[first:end] = b"\x01" * (end - first)
        chunk = age_format.CHUNK
        try:
            for block in range(0, self.payload.chunks, BLOCK):
                stop = min(self.payload.chunks, block + BLOCK)
                start, size = self.payload.plain_span(block, stop)
                if keep is not None:
                    if hashing:
                        slot = hashing.free.get()
                    else:  # nothing to hash: one block is enough
                        self._spare = self._spare or _block()
                        slot = self._spare
                    out = slot[:size]
                else:
                    slot, out = None, self._view[start:start + size]
                todo = [i for i in range(block, stop) if i not in self._opened]
                if todo:
                    cipher = self._source.read(*self.payload.cipher_span(block, stop),
                                               self._scratch)
                    for index in todo:
                        self._open_one(index, cipher, block, out, start)
                if keep is not None:
                    for index in range(block, stop):  # what the import reads stays in memory
                        lo, hi = index * chunk, min(self.size, (index + 1) * chunk)
                        if index in self._opened:
                            out[lo - start:hi - start] = self._view[lo:hi]
                        elif not in_hole[index]:
                            self._view[lo:hi] = out[lo - start:hi - start]
                if hashing:
                    hashing.blocks.put((start, out, slot if keep is not None else None))
                if keep is not None:
                    keep.write(out)
        finally:
            if hashing:
                hashing.blocks.put(None)
                hashing.thread.join()
                self.digests = hashing.digests
        if keep is None:
            return
        keep.finish()
        if self._hole_chunks:
            if keep.error is not None:  # the content is not on disk: decrypt it here again
                for first, end in self._hole_chunks:
                    self._open_chunks(first, end)
            else:
                self.holes = Holes(self.plain, [(f * chunk, min(self.size, e * chunk))
                                                for f, e in self._hole_chunks], keep.descriptor)


class _Hashing:
    """The thread hashing large stored entries from each decrypted block, in order."""

    def __init__(self, plain: memoryview, members: list[tuple[int, int, int]]) -> None:
        self._plain = plain
        self._members = members
        self.digests: dict[tuple[int, int], str] = {}
        self.blocks: queue.Queue[tuple[int, memoryview, Any] | None] = queue.Queue()
        self.free: queue.Queue[memoryview] = queue.Queue()
        for _slot in range(RING):
            self.free.put(_block())
        self.thread = threading.Thread(target=self._run, name="archive-hashing", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        member, start, digest, working = 0, -1, None, True
        while (item := self.blocks.get()) is not None:
            offset, block, slot = item
            try:
                end_of_block = offset + len(block)
                while working and member < len(self._members):
                    header_at, size, _name = self._members[member]
                    if digest is None:
                        if header_at + _LOCAL_HEADER > end_of_block:
                            break
                        header = bytes(self._plain[header_at:header_at + _LOCAL_HEADER])
                        lengths = struct.unpack("<HH", header[26:30])
                        start = header_at + _LOCAL_HEADER + sum(lengths)
                        if header[:4] != b"PK\x03\x04" or start < offset or \
                                start + size > len(self._plain):
                            member += 1
                            continue
                        digest, done = hashlib.sha256(), start
                    if done >= end_of_block:
                        break
                    upto = min(start + size, end_of_block)
                    digest.update(block[done - offset:upto - offset])  # releases the GIL
                    done = upto
                    if done < start + size:
                        break
                    self.digests[(start, size)] = digest.hexdigest()
                    member, digest = member + 1, None
            except Exception:  # a head start only: unpack hashes whatever is missing here
                working = False
            finally:
                if slot is not None:
                    self.free.put(slot)
