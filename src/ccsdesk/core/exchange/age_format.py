"""The age file format (``age-encryption.org/v1``, X25519 recipients) over OpenSSL.

Exchange archives are age files so that a District can open one with the stock ``age``
tool. We used to write and read them with pyrage; on a 50 MB archive pyrage alone took as
long as the whole ``age -e`` run (65–95 ms), which left no room for the signed manifest, the
durable write and the read-back check within 0.8× of the age tool's throughput (issue 6).
The format is small and fully specified (https://age-encryption.org/v1): X25519, HKDF-SHA-256,
HMAC-SHA-256 and ChaCha20-Poly1305 in 64 KiB chunks, all of which ``cryptography`` provides
from OpenSSL, whose ChaCha20-Poly1305 runs 3–4× faster here than pyrage's. See
``docs/decisions.md`` (2026-11-23) for the measurements; ``tests/core/test_age_format.py``
proves that the stock tool reads what we write and that we read what it writes.

Only what archives need is here: X25519 recipients and identities, binary (not armored)
files. Encryption streams: :class:`Encryptor` takes the plaintext piece by piece (the
archive's entries as they are laid out) and seals each 64 KiB chunk straight into its place
in an :class:`Output` — one preallocated buffer (:class:`MemoryOutput`), or blocks handed one
by one to a file being written and checked meanwhile (:class:`BlockOutput`) — without an
intermediate copy of the whole.
Decryption checks everything before giving a single byte back: the header's syntax, the
header MAC, and every chunk's tag, the last chunk's flag included (a truncated or extended
file fails). A reader checks the header with :class:`Payload`, then opens the chunks from
wherever they are, in any order (``streamed_open`` reads a received file block by block).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"age-encryption.org/v1\n"
CHUNK = 64 * 1024
TAG = 16
NONCE = 16
FILE_KEY = 16
MAX_HEADER = 64 * 1024  # real headers with two recipients are ~250 bytes
HEADER_ROOM = 1024  # what to allow for the header when sizing an output buffer
MAX_STANZAS = 1000
X25519_LABEL = b"age-encryption.org/v1/X25519"
_BASE64 = re.compile(rb"^[A-Za-z0-9+/]*$")
# ``encrypt_into``/``decrypt_into`` (no intermediate bytes) came with recent ``cryptography``
# releases; older ones still work through a copy.
IN_PLACE = hasattr(ChaCha20Poly1305, "encrypt_into")
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


class AgeError(Exception):
    """Why an age file could not be opened: ``header``, ``no-key`` or ``damaged``."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


# --- Keys in their text form (Bech32) --------------------------------------------------------


def _bech32_polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for bit in range(5):
            check ^= generator[bit] if (top >> bit) & 1 else 0
    return check


def _bech32_decode(text: str, hrp: str) -> bytes:
    """The bytes of a Bech32 string with human part ``hrp`` (age does not cap the length)."""
    if text.lower() != text and text.upper() != text:
        raise ValueError("mixed case")
    text = text.lower()
    cut = text.rfind("1")
    if text[:cut] != hrp or len(text) - cut - 1 < 6:
        raise ValueError("not this kind of key")
    try:
        values = [_BECH32.index(char) for char in text[cut + 1:]]
    except ValueError:
        raise ValueError("bad character") from None
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    if _bech32_polymod(expanded + values) != 1:
        raise ValueError("bad checksum")
    accumulator, bits, out = 0, 0, bytearray()
    for value in values[:-6]:
        accumulator = accumulator << 5 | value
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append(accumulator >> bits & 0xFF)
    if bits >= 5 or accumulator & ((1 << bits) - 1):
        raise ValueError("bad padding")
    return bytes(out)


def recipient_key(text: str) -> bytes:
    """The 32-byte X25519 public key of an ``age1…`` recipient."""
    key = _bech32_decode(text.strip(), "age")
    if len(key) != 32:
        raise ValueError("not an X25519 recipient")
    return key


def identity_key(text: str) -> X25519PrivateKey:
    """The X25519 private key of an ``AGE-SECRET-KEY-1…`` identity."""
    key = _bech32_decode(text.strip(), "age-secret-key-")
    if len(key) != 32:
        raise ValueError("not an X25519 identity")
    return X25519PrivateKey.from_private_bytes(key)


# --- Shared pieces ---------------------------------------------------------------------------


def _hkdf(secret: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret)


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _unb64(text: bytes) -> bytes:
    """Canonical unpadded base64 only (age refuses padding and stray bits)."""
    if not _BASE64.match(text) or len(text) % 4 == 1:
        raise AgeError("header")
    data = base64.b64decode(text + b"=" * (-len(text) % 4))
    if _b64(data) != text:
        raise AgeError("header")
    return data


def _chunk_nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def sealed_size(plain_size: int) -> int:
    """The payload's size once sealed (without header), for ``plain_size`` bytes."""
    chunks = max(1, -(-plain_size // CHUNK))
    return NONCE + plain_size + TAG * chunks


# --- Writing ---------------------------------------------------------------------------------


def header(file_key: bytes, recipients: list[str]) -> bytes:
    """The header wrapping ``file_key`` to each recipient, with its MAC."""
    if not recipients:
        raise ValueError("no recipient")
    lines = [MAGIC.rstrip(b"\n")]
    for text in recipients:
        public = recipient_key(text)
        ephemeral = X25519PrivateKey.generate()
        share = ephemeral.public_key().public_bytes_raw()
        secret = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
        wrap = _hkdf(secret, share + public, X25519_LABEL)
        body = ChaCha20Poly1305(wrap).encrypt(bytes(12), file_key, None)
        lines += [b"-> X25519 " + _b64(share), _b64(body)]  # 43 characters: one line
    head = b"\n".join(lines) + b"\n---"
    mac = hmac.new(_hkdf(file_key, b"", b"header"), head, hashlib.sha256).digest()
    return head + b" " + _b64(mac) + b"\n"


class Output(Protocol):
    """Where an :class:`Encryptor` puts the age file: room for the next piece, then kept."""

    def room(self, size: int) -> memoryview:
        """A writable view of exactly ``size`` bytes, right after what was kept so far."""

    def keep(self, size: int) -> None:
        """The ``size`` bytes last given by :meth:`room` are written."""


class MemoryOutput:
    """The age file in one buffer, allocated once for the expected size (a bound is fine):
    growing or copying 50 MB costs as much as encrypting it."""

    def __init__(self, capacity: int) -> None:
        self.buffer = bytearray(capacity)
        self._position = 0

    def room(self, size: int) -> memoryview:
        if self._position + size > len(self.buffer):
            self.buffer.extend(bytearray(max(size, len(self.buffer) // 2)))
        return memoryview(self.buffer)[self._position:self._position + size]

    def keep(self, size: int) -> None:
        self._position += size

    def close(self) -> bytearray:
        """The file (the buffer itself, trimmed: no copy)."""
        del self.buffer[self._position:]
        return self.buffer


class BlockSink(Protocol):
    """Takes an age file block by block as it is written (e.g. a file being written to a
    stick and read back meanwhile, ``verified_copy.VerifiedCopy``)."""

    def take(self) -> memoryview:
        """An empty block to fill, always of the same size."""

    def give(self, block: memoryview, size: int) -> None:
        """The first ``size`` bytes of ``block`` follow what was given before."""


class BlockOutput:
    """An :class:`Output` over a :class:`BlockSink`: fills one block at a time, so a large
    archive never exists whole in memory.

    Every block but the last is filled to the byte: a sealed chunk that does not fit is
    sealed aside and split across two blocks (one 64 KiB copy per block), so that blocks
    start and end on the boundaries a direct write to the device needs.
    """

    def __init__(self, sink: BlockSink) -> None:
        self._sink = sink
        self._block: memoryview | None = None
        self._fill = 0
        self._aside = bytearray(CHUNK + TAG)
        self._split = False
        self.size = 0

    def room(self, size: int) -> memoryview:
        if self._block is None:
            self._block, self._fill = self._sink.take(), 0
        self._split = self._fill + size > len(self._block)
        if self._split:
            if size > len(self._aside):
                raise ValueError("piece larger than a sealed chunk")
            return memoryview(self._aside)[:size]
        return self._block[self._fill:self._fill + size]

    def keep(self, size: int) -> None:
        self.size += size
        if not self._split:
            self._fill += size
            return
        assert self._block is not None
        head = len(self._block) - self._fill
        self._block[self._fill:] = self._aside[:head]
        self._fill = len(self._block)
        self._pass_on()
        self._block, self._fill = self._sink.take(), size - head
        self._block[:self._fill] = self._aside[head:size]

    def _pass_on(self) -> None:
        if self._block is not None and self._fill:
            self._sink.give(self._block, self._fill)
        self._block = None

    def close(self) -> int:
        """Hand over the last block; the file's size."""
        self._pass_on()
        return self.size


class Encryptor:
    """An age file written piece by piece: each 64 KiB chunk is sealed straight into its
    place in ``output``, without an intermediate copy of the whole."""

    def __init__(self, recipients: list[str], output: Output) -> None:
        file_key = os.urandom(FILE_KEY)
        nonce = os.urandom(NONCE)
        head = header(file_key, recipients)
        self._aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
        self.output = output
        with self.output.room(len(head) + NONCE) as start:
            start[:] = head + nonce
        self.output.keep(len(head) + NONCE)
        self._pending = bytearray(CHUNK)
        self._fill = 0
        self._counter = 0
        self._done = False

    def _seal(self, chunk: memoryview | bytearray, last: bool) -> None:
        size = len(chunk) + TAG
        with self.output.room(size) as target:
            nonce = _chunk_nonce(self._counter, last)
            if IN_PLACE:
                self._aead.encrypt_into(nonce, chunk, None, target)
            else:
                target[:] = self._aead.encrypt(nonce, bytes(chunk), None)
        self.output.keep(size)
        self._counter += 1

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Add ``data`` to the plaintext; full chunks are sealed at once, in place."""
        if self._done:
            raise ValueError("already finished")
        with memoryview(data) as whole:
            view = whole.cast("B") if whole.format != "B" or whole.ndim != 1 else whole
            size, offset = len(view), 0
            while offset < size:
                if self._fill == CHUNK:  # more follows: the pending chunk is not the last
                    self._seal(self._pending, last=False)
                    self._fill = 0
                if self._fill == 0 and size - offset > CHUNK:
                    self._seal(view[offset:offset + CHUNK], last=False)
                    offset += CHUNK
                    continue
                take = min(CHUNK - self._fill, size - offset)
                self._pending[self._fill:self._fill + take] = view[offset:offset + take]
                self._fill += take
                offset += take

    def finish(self) -> None:
        """Seal the last chunk (flagged last); what was written is then complete."""
        if not self._done:
            with memoryview(self._pending) as pending:
                self._seal(pending[:self._fill], last=True)
            self._done = True


def encrypt(plaintext: bytes | bytearray | memoryview, recipients: list[str]) -> bytearray:
    """``plaintext`` as a binary age file readable by each of ``recipients``."""
    output = MemoryOutput(sealed_size(len(memoryview(plaintext).cast("B"))) + HEADER_ROOM)
    encryptor = Encryptor(recipients, output)
    encryptor.write(plaintext)
    encryptor.finish()
    return output.close()


# --- Reading ---------------------------------------------------------------------------------


def _parse_header(data: memoryview) -> tuple[list[tuple[list[bytes], bytes]], bytes, int]:
    """The stanzas, the MAC and where the payload starts; :class:`AgeError` ``header``."""
    if bytes(data[:len(MAGIC)]) != MAGIC:
        raise AgeError("header")
    limit = bytes(data[:MAX_HEADER])
    position = len(MAGIC)
    stanzas: list[tuple[list[bytes], bytes]] = []

    def line() -> bytes:
        nonlocal position
        end = limit.find(b"\n", position)
        if end < 0:  # cut short (damaged), or no header ends within the limit (not age)
            raise AgeError("damaged" if len(data) < MAX_HEADER else "header")
        text, position = limit[position:end], end + 1
        return text

    while True:
        start = position
        text = line()
        if text.startswith(b"--- "):
            mac = _unb64(text[4:])
            if len(mac) != 32 or not stanzas:
                raise AgeError("header")
            return stanzas, limit[:start + 3] + mac, position
        if not text.startswith(b"-> ") or len(stanzas) >= MAX_STANZAS:
            raise AgeError("header")
        arguments = text[3:].split(b" ")
        if any(not arg or any(c < 33 or c > 126 for c in arg) for arg in arguments):
            raise AgeError("header")
        body = bytearray()
        while True:
            text = line()
            if len(text) > 64:
                raise AgeError("header")
            body += _unb64(text)
            if len(text) < 64:
                break
        stanzas.append((arguments, bytes(body)))


def _unwrap(stanzas: list[tuple[list[bytes], bytes]], private: X25519PrivateKey) -> bytes:
    """The file key, from the first X25519 stanza our key opens."""
    public = private.public_key().public_bytes_raw()
    for arguments, body in stanzas:
        if arguments[0] != b"X25519":
            continue  # other recipient types are not ours to open; the MAC still covers them
        if len(arguments) != 2:
            raise AgeError("header")
        share = _unb64(arguments[1])
        if len(share) != 32 or len(body) != FILE_KEY + TAG:
            raise AgeError("header")
        try:
            secret = private.exchange(X25519PublicKey.from_public_bytes(share))
        except ValueError:  # a low-order point: an all-zero shared secret
            raise AgeError("header") from None
        try:
            return ChaCha20Poly1305(_hkdf(secret, share + public, X25519_LABEL)).decrypt(
                bytes(12), body, None)
        except InvalidTag:
            continue
    raise AgeError("no-key")


class Payload:
    """The payload of an age file whose header and MAC were checked: its key, where each
    chunk lies in the file and in the plaintext.

    Built from the file's first bytes and its total size only, so that a reader can take the
    chunks from wherever they are — a buffer, or a file read block by block — and open them
    in any order (each chunk's nonce is its number and whether it is the last).
    """

    def __init__(self, head: bytes | bytearray | memoryview, total: int,
                 identity: str) -> None:
        """``head``: the file's first ``min(total, MAX_HEADER)`` bytes (or more). The
        payload nonce, which may lie past ``head``, is then given to :meth:`begin`."""
        private = identity_key(identity)
        with memoryview(head) as whole:
            view = whole.cast("B")
            stanzas, signed_mac, start = _parse_header(view if len(view) >= total
                                                       else view[:MAX_HEADER])
        file_key = _unwrap(stanzas, private)
        head_bytes, mac = signed_mac[:-32], signed_mac[-32:]
        expected = hmac.new(_hkdf(file_key, b"", b"header"), head_bytes,
                            hashlib.sha256).digest()
        if not hmac.compare_digest(expected, mac):
            raise AgeError("damaged")
        self._file_key = file_key
        self.nonce_at = start  # where the payload nonce lies in the file
        self.start = start + NONCE  # where the first chunk begins
        body = total - self.start
        if body < TAG:
            raise AgeError("damaged")
        self.chunks = -(-body // (CHUNK + TAG))
        last_size = body - (self.chunks - 1) * (CHUNK + TAG)
        if last_size < TAG or (last_size == TAG and self.chunks > 1):
            raise AgeError("damaged")  # a cut file, or an empty last chunk age never writes
        self.total = total
        self.plain_size = body - TAG * self.chunks
        self._aead: ChaCha20Poly1305 | None = None

    def begin(self, nonce: bytes | memoryview) -> None:
        """The payload key, from the ``NONCE`` bytes found at :attr:`nonce_at`."""
        self._aead = ChaCha20Poly1305(_hkdf(self._file_key, bytes(nonce), b"payload"))

    def chunk_of(self, offset: int) -> int:
        """The chunk holding plaintext byte ``offset``."""
        return min(offset // CHUNK, self.chunks - 1)

    def cipher_span(self, first: int, end: int) -> tuple[int, int]:
        """Where chunks ``first`` to ``end - 1`` lie in the file: (offset, size)."""
        begin = self.start + first * (CHUNK + TAG)
        return begin, min(self.total, self.start + end * (CHUNK + TAG)) - begin

    def plain_span(self, first: int, end: int) -> tuple[int, int]:
        """Where chunks ``first`` to ``end - 1`` lie in the plaintext: (offset, size)."""
        begin = first * CHUNK
        return begin, min(self.plain_size, end * CHUNK) - begin

    def open_into(self, index: int, piece: memoryview, target: memoryview) -> None:
        """Decrypt chunk ``index`` (its sealed bytes ``piece``) into ``target``, exactly its
        plaintext size; :class:`AgeError` if it was changed."""
        nonce = _chunk_nonce(index, index == self.chunks - 1)
        aead = self._aead
        if aead is None:
            raise ValueError("begin() first")
        try:
            if IN_PLACE:
                aead.decrypt_into(nonce, piece, None, target)
            else:
                target[:] = aead.decrypt(nonce, bytes(piece), None)
        except InvalidTag:
            raise AgeError("damaged") from None


class Decryption:
    """An age file in memory whose header and MAC were checked, its chunks opened in any
    order (see :class:`Payload`). The plaintext is only trustworthy once :meth:`open_all`
    (or :meth:`open_chunk` for every chunk) returned.
    """

    def __init__(self, data: bytes | bytearray | memoryview, identity: str) -> None:
        view = memoryview(data).cast("B")
        self.payload = Payload(view, len(view), identity)
        self.payload.begin(view[self.payload.nonce_at:self.payload.start])
        self._body = view[self.payload.start:]
        self.chunks = self.payload.chunks
        self.plain = bytearray(self.payload.plain_size)
        self._out = memoryview(self.plain)
        self._opened: set[int] = set()

    def chunk_of(self, offset: int) -> int:
        """The chunk holding plaintext byte ``offset``."""
        return self.payload.chunk_of(offset)

    def open_chunk(self, index: int) -> None:
        """Decrypt chunk ``index`` into :attr:`plain`; :class:`AgeError` if it was changed."""
        begin = index * (CHUNK + TAG)
        piece = self._body[begin:begin + CHUNK + TAG]
        self.payload.open_into(index, piece,
                               self._out[index * CHUNK:index * CHUNK + len(piece) - TAG])
        self._opened.add(index)

    def opened(self, index: int) -> bool:
        return index in self._opened

    def open_all(self) -> None:
        """Decrypt every chunk not opened yet, in order."""
        for index in range(self.chunks):
            if index not in self._opened:
                self.open_chunk(index)

    def close(self) -> bytearray:
        """The plaintext, once every chunk was opened (views released)."""
        if len(self._opened) < self.chunks:
            raise AgeError("damaged")
        self._out.release()
        self._body.release()
        return self.plain


def decrypt(data: bytes | bytearray | memoryview, identity: str) -> bytearray:
    """The plaintext of an age file, every tag checked; raises :class:`AgeError`."""
    opened = Decryption(data, identity)
    opened.open_all()
    return opened.close()
