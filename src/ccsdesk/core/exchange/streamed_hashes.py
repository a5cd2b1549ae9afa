"""SHA-256 of an archive's large entries, computed while the archive is still being decrypted.

Receiving a 50 MB archive used to decrypt it (one pass), then hash each entry (a second pass
of the same length). Decryption holds the GIL, but ``hashlib`` releases it on large buffers,
so on two cores the second pass can follow the first a few megabytes behind. The catch is
knowing where the entries are before the end is decrypted: a zip lists them in its central
directory, at the end. Age chunks are independent, so the tail is opened first, the
directory read from it, and the rest opened in order while a thread hashes each stored
entry as soon as its bytes are there.

The hashes found here are only a head start: :func:`archive.unpack` reads the zip again with
all its checks, takes a hash from here only for the very same bytes (same start, same
length) and computes any other itself. Nothing here decides whether an archive is accepted.
"""

from __future__ import annotations

import hashlib
import struct
import threading
import zipfile
from collections.abc import Callable

from ccsdesk.core.exchange import age_format
from ccsdesk.core.exchange.archive import BufferReader

WaitFor = Callable[[int], "int | None"]
"""Blocks until at least N plaintext bytes are decrypted; how many are, or None if stopped."""
Follower = Callable[[memoryview, WaitFor], None]
"""Work done on the plaintext as it is decrypted (hashing, writing it to disk)."""

MIN_SIZE = 1024 * 1024  # smaller entries are hashed by unpack: a thread would not pay
NOTIFY_EVERY = 16  # chunks (1 MiB) between two wake-ups of the hashing thread
_LOCAL_HEADER = 30
_END_RECORD = b"PK\x05\x06"
_END_RECORD_SIZE = 22
_MAX_COMMENT = 0xFFFF


class EarlyHashes:
    """Decrypts an opened age file while hashing its large stored zip entries beside it."""

    def __init__(self, opened: age_format.Decryption) -> None:
        self._opened = opened
        self._size = len(opened.plain)
        self._condition = threading.Condition()
        self._ready = 0  # plaintext bytes [0, _ready) are decrypted
        self._stopped = False
        self._finished = False
        self.digests: dict[tuple[int, int], str] = {}  # (data start, size) -> hex SHA-256
        self._members = self._plan()

    def _open_range(self, start: int, end: int) -> None:
        for index in range(self._opened.chunk_of(start), self._opened.chunk_of(end - 1) + 1):
            if not self._opened.opened(index):
                self._opened.open_chunk(index)

    def _plan(self) -> list[tuple[int, int]]:
        """(local header offset, size) of the stored members worth hashing early."""
        if self._size < MIN_SIZE:
            return []
        tail_start = max(0, self._size - _END_RECORD_SIZE - _MAX_COMMENT)
        self._open_range(tail_start, self._size)
        tail = bytes(self._opened.plain[tail_start:])
        at = tail.rfind(_END_RECORD)
        if at < 0 or len(tail) - at < _END_RECORD_SIZE:
            return []
        directory_size, directory_offset = struct.unpack("<LL", tail[at + 12:at + 20])
        if directory_offset + directory_size > tail_start + at:
            return []
        self._open_range(directory_offset, self._size)
        try:
            with memoryview(self._opened.plain) as view:
                infos = zipfile.ZipFile(BufferReader(view)).infolist()
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
            return []
        return sorted((info.header_offset, info.file_size) for info in infos
                      if info.compress_type == zipfile.ZIP_STORED
                      and info.file_size >= MIN_SIZE and info.compress_size == info.file_size
                      and info.header_offset + _LOCAL_HEADER <= self._size)

    def decrypt_all(self, followers: tuple[Follower, ...] = ()) -> None:
        """Open every chunk in order, the hashing thread and each of ``followers`` (each in
        its own thread) following; all of them done on return."""
        tasks: list[Follower] = list(followers)
        if self._members:
            tasks.append(self._hash_members)
        threads = [threading.Thread(target=self._follow, args=(task,), name="archive-follower",
                                    daemon=True) for task in tasks]
        for thread in threads:
            thread.start()
        chunks = self._opened.chunks
        try:
            for index in range(chunks):
                if not self._opened.opened(index):
                    self._opened.open_chunk(index)
                if threads and (index % NOTIFY_EVERY == NOTIFY_EVERY - 1 or index == chunks - 1):
                    with self._condition:
                        self._ready = min(self._size, (index + 1) * age_format.CHUNK)
                        self._condition.notify_all()
        finally:
            with self._condition:
                if self._ready < self._size:
                    self._stopped = True  # decryption failed: the followers stop
                self._finished = True
                self._condition.notify_all()
            for thread in threads:
                thread.join()

    def _follow(self, task: Follower) -> None:
        with memoryview(self._opened.plain) as view:
            task(view, self._wait_for)

    def _wait_for(self, needed: int) -> int | None:
        """How many bytes are decrypted once at least ``needed`` are (or all there are);
        None if decryption failed."""
        with self._condition:
            self._condition.wait_for(lambda: self._stopped or self._finished
                                     or self._ready >= needed)
            return None if self._stopped else self._ready

    def _hash_members(self, view: memoryview, wait_for: WaitFor) -> None:
        try:
            for offset, size in self._members:
                if wait_for(offset + _LOCAL_HEADER) is None:
                    return
                header = bytes(view[offset:offset + _LOCAL_HEADER])
                if header[:4] != b"PK\x03\x04":
                    continue
                name_length, extra_length = struct.unpack("<HH", header[26:30])
                start = offset + _LOCAL_HEADER + name_length + extra_length
                end = start + size
                if end > self._size:
                    continue
                digest, done = hashlib.sha256(), start
                while done < end:
                    ready = wait_for(done + 1)
                    if ready is None or ready <= done:
                        return
                    digest.update(view[done:min(end, ready)])  # the GIL is released here
                    done = min(end, ready)
                self.digests[(start, size)] = digest.hexdigest()
        except Exception:  # a head start only: unpack hashes whatever is missing here
            return
