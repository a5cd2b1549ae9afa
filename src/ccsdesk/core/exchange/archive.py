"""The exchange archive (``ccsdesk-archive/1``): a signed zip inside an *age* envelope.

Outside, the standard age format (binary, X25519), encrypted to the receiver and to the
sender itself, so that only those two can read it and a District can open it with the stock
``age`` tool. Inside, a zip holding ``manifest.json`` (who sends to whom, the sequence number
of the pair, and the SHA-256 and size of each entry), ``manifest.sig`` (the sender's ECDSA
signature of the manifest's exact bytes, with its certificate chain) and the entries.

Reading trusts nothing: sizes are bounded before anything is unpacked, entry names must be
plain relative paths listed in the manifest, declared and actual sizes must agree, and every
hash is checked. Documented in ``docs/formats/archive.md``.

Speed matters on large archives (issue 6 compares 50 MB with the stock ``age`` tool), so
:func:`seal` writes the zip straight into the encryption in one pass, hashing the entries in
a second thread, and :func:`open_sealed` reads a received file by blocks, hashing large
entries while the rest is decrypted (``streamed_open``); stored entries are checked where
they lie in the decrypted buffer, by their SHA-256 rather than zip's redundant CRC-32.
``docs/benchmarks.md`` has the figures.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ccsdesk.core.errors import InputError
from ccsdesk.core.exchange import age_format, identity
from ccsdesk.core.i18n import _

FORMAT = "ccsdesk-archive/1"
SIGNATURE_FORMAT = "ccsdesk-archive-signature/1"
AGE_MAGIC = b"age-encryption.org/v1\n"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MAX_ARCHIVE = 512 * 1024 * 1024  # the age file
MAX_UNPACKED = 1024 * 1024 * 1024  # all entries together, once unpacked
MAX_ENTRIES = 20000
MAX_MANIFEST = 16 * 1024 * 1024
MAX_RATIO = 200  # deflated JSON rarely passes 20:1; a bomb is thousands to one
_PATH = re.compile(r"^entries/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,4}$")
_STORED_KINDS = ("packet", "forward")  # PDFs and nested zips do not compress


def _faster_zip_checksums() -> None:
    """Have ``zipfile`` take its CRC-32 from zlib-ng rather than zlib.

    ``zipfile`` computes every entry's CRC-32 with its module-level ``crc32`` (zlib's). On
    a 50 MB packet that pass took 22 ms of the 45 ms the whole sealing may take beside the
    SHA-256 thread; zlib-ng's identical function (carry-less multiplication) takes 2 ms.
    Same values, so any zip reader is unaffected; without zlib-ng, zlib's is kept.
    """
    try:
        from zlib_ng import zlib_ng
    except ImportError:  # pragma: no cover - zlib-ng is a dependency; zlib still works
        return
    zipfile.crc32 = zlib_ng.crc32  # type: ignore[attr-defined]


_faster_zip_checksums()


@dataclass(frozen=True)
class Entry:
    """One file in the archive: where, what kind, and its bytes."""

    path: str
    kind: str
    data: bytes
    ref: str = ""


class _KeptEntry(Entry):
    """An entry read from an archive: its bytes stay in the archive's buffer until asked for.

    A 50 MB packet is checked (its SHA-256) in place; copying it out on every import would
    cost as much as the check, and an import never reads a packet's bytes. When the buffer
    has a hole there (``streamed_open.Holes``: the bytes went to the kept file only), they
    are read from that file.
    """

    def __init__(self, path: str, kind: str, view: memoryview, ref: str = "",
                 holes: Any = None, start: int = 0) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "ref", ref)
        object.__setattr__(self, "_view", view)
        object.__setattr__(self, "_holes", holes)
        object.__setattr__(self, "_start", start)

    @property  # type: ignore[override]
    def data(self) -> bytes:
        if self._holes is not None:  # type: ignore[attr-defined]
            return self._holes.read(self._start,  # type: ignore[attr-defined]
                                    self._start + len(self._view))  # type: ignore[attr-defined]
        return bytes(self._view)  # type: ignore[attr-defined]


class BufferReader(io.RawIOBase):
    """A read-only file over a buffer, for zipfile (``io.BytesIO`` would copy a bytearray).
    ``holes`` (``streamed_open.Holes``) are filled before any read that touches them."""

    def __init__(self, view: memoryview, holes: Any = None) -> None:
        super().__init__()
        self._view = view
        self._position = 0
        self._holes = holes

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: len(self._view)}
        self._position = max(0, base[whence] + offset)
        return self._position

    def readinto(self, buffer: Any) -> int:
        size = max(0, min(len(buffer), len(self._view) - self._position))
        if self._holes is not None:
            self._holes.fill(self._position, self._position + size)
        buffer[:size] = self._view[self._position:self._position + size]
        self._position += size
        return size


@dataclass
class Contents:
    """An archive opened and checked: the manifest, its raw bytes, the chain, the entries.

    ``buffer`` is the inner zip; after a streamed receive it may have holes (large entries
    kept in the content's file only, ``streamed_open.Holes``): :attr:`inner` fills them,
    :attr:`size` does not need to.
    """

    manifest: dict[str, Any]
    manifest_bytes: bytes
    chain: list[str]
    entries: dict[str, Entry]
    buffer: Any = b""
    problems: list[str] = field(default_factory=list)
    incoming: Any = None  # store.Incoming: the content already written while decrypting
    holes: Any = None
    archive_size: int = 0  # the age file's size

    @property
    def inner(self) -> Any:
        """The inner zip's bytes, whole (a hole is read from the kept file first)."""
        if self.holes is not None:
            self.holes.fill()
            self.holes = None
        return self.buffer

    @property
    def size(self) -> int:
        return len(self.buffer)

    @property
    def manifest_sha256(self) -> str:
        return hashlib.sha256(self.manifest_bytes).hexdigest()

    @property
    def sender(self) -> dict[str, Any]:
        return self.manifest["sender"]

    @property
    def receiver(self) -> dict[str, Any]:
        return self.manifest["receiver"]

    @property
    def sequence(self) -> int:
        return int(self.manifest["sequence"])


def _mb(size: int) -> int:
    return size // (1024 * 1024)


def check_path(path: str) -> str:
    """Refuse anything but ``entries/`` followed by plain names (no ``..``, no drive)."""
    if not _PATH.match(path) or any(part in (".", "..") for part in path.split("/")):
        raise InputError(_("The archive holds a file with a forbidden name: « {name} ».").format(
            name=path[:120]))
    return path


def _check_names(entries: list[Entry]) -> None:
    seen: set[str] = set()
    for entry in entries:
        check_path(entry.path)
        if entry.path in seen:
            raise InputError(_("Two entries of the archive have the same name: {name}.").format(
                name=entry.path))
        seen.add(entry.path)


_PIECE = 1024 * 1024


def _write_stored(archive: zipfile.ZipFile, entry: Entry) -> None:
    """An entry stored as it is, given to zip a megabyte at a time: zip takes the CRC-32 of
    each piece just before it is encrypted, instead of a first pass over all of it (the
    first block then reaches the stick 5 ms sooner on 50 MB). Same entry as ``writestr``."""
    info = zipfile.ZipInfo(entry.path, date_time=time.localtime(time.time())[:6])
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o600 << 16
    info.file_size = len(entry.data)
    with memoryview(entry.data) as view, archive.open(info, "w") as member:
        for start in range(0, len(view), _PIECE):
            member.write(view[start:start + _PIECE])


def _lay_out(out: Any, manifest_fields: dict[str, Any], entries: list[Entry],
             signing_key_der: bytes, chain: list[str]) -> bytes:
    """Write the zip to ``out`` (entries, then the signed manifest); the manifest's bytes.

    The entries go first and the manifest last, so that the SHA-256 of the entries runs in a
    second thread while zip takes its CRC-32 and ``out`` encrypts (hashlib releases the GIL):
    on 50 MB that hides the hashing entirely.
    """
    from concurrent.futures import ThreadPoolExecutor

    _check_names(entries)
    with ThreadPoolExecutor(max_workers=1) as pool, zipfile.ZipFile(out, "w") as archive:
        digests = pool.map(lambda entry: hashlib.sha256(entry.data).hexdigest(), entries)
        for entry in entries:
            if entry.kind in _STORED_KINDS:
                _write_stored(archive, entry)
            else:
                archive.writestr(entry.path, entry.data, compress_type=zipfile.ZIP_DEFLATED)
        listed = [{"path": entry.path, "kind": entry.kind, "ref": entry.ref,
                   "size": len(entry.data), "sha256": digest}
                  for entry, digest in zip(entries, digests, strict=True)]
        manifest = {"format": FORMAT, **manifest_fields, "entries": listed}
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        signature = {
            "format": SIGNATURE_FORMAT,
            "algorithm": "ecdsa-p256-sha256",
            "signature": base64.b64encode(
                identity.sign_bytes(signing_key_der, manifest_bytes)).decode("ascii"),
            "chain": chain,
        }
        archive.writestr(MANIFEST, manifest_bytes, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(SIGNATURE, json.dumps(signature, indent=1).encode("ascii"),
                         compress_type=zipfile.ZIP_DEFLATED)
    return manifest_bytes


def pack(manifest_fields: dict[str, Any], entries: list[Entry], signing_key_der: bytes,
         chain: list[str]) -> tuple[bytes, bytes]:
    """The inner zip's bytes and the manifest's bytes, signed with ``signing_key_der``."""
    buffer = io.BytesIO()
    manifest_bytes = _lay_out(buffer, manifest_fields, entries, signing_key_der, chain)
    return buffer.getvalue(), manifest_bytes


class _Sealing:
    """Where zip writes when sealing: straight into the age encryptor, counting bytes.

    Not seekable, so zip puts each entry's CRC and sizes after its data (a data
    descriptor, read by every unzip) instead of seeking back.
    """

    def __init__(self, encryptor: age_format.Encryptor) -> None:
        self._encryptor = encryptor
        self._position = 0

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self._encryptor.write(data)
        size = memoryview(data).nbytes
        self._position += size
        return size

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        """Nothing is buffered here."""


def _bound(entries: list[Entry], chain: list[str]) -> int:
    """A bound on the inner zip's size, to size an output buffer once."""
    return (sum(len(entry.data) + 2 * len(entry.path) + 400 for entry in entries)
            + 2 * sum(len(pem) for pem in chain) + 64 * 1024)


def sealed_bound(entries: list[Entry], chain: list[str]) -> int:
    """A bound on the age file's size (what a stick must have room for)."""
    return age_format.sealed_size(_bound(entries, chain)) + age_format.HEADER_ROOM


def _seal_into(output: age_format.Output, manifest_fields: dict[str, Any],
               entries: list[Entry], signing_key_der: bytes, chain: list[str],
               recipients: list[str]) -> bytes:
    encryptor = age_format.Encryptor(recipients, output)
    manifest_bytes = _lay_out(_Sealing(encryptor), manifest_fields, entries, signing_key_der,
                              chain)
    encryptor.finish()
    return manifest_bytes


def seal(manifest_fields: dict[str, Any], entries: list[Entry], signing_key_der: bytes,
         chain: list[str], recipients: list[str]) -> tuple[bytearray, bytes]:
    """The age file of the signed archive and the manifest's bytes, in one pass.

    The same content as :func:`pack` then :func:`encrypt`, without the inner zip ever
    existing whole: each piece zip writes is encrypted into the one output buffer.
    """
    output = age_format.MemoryOutput(sealed_bound(entries, chain))
    manifest_bytes = _seal_into(output, manifest_fields, entries, signing_key_der, chain,
                                recipients)
    return output.close(), manifest_bytes


def seal_to(sink: age_format.BlockSink, manifest_fields: dict[str, Any],
            entries: list[Entry], signing_key_der: bytes, chain: list[str],
            recipients: list[str]) -> tuple[int, bytes]:
    """:func:`seal`, the age file handed block by block to ``sink`` as it is written (a
    ``transport.VerifiedCopy``: on its way to the stick meanwhile, never whole in memory);
    its size and the manifest's bytes."""
    output = age_format.BlockOutput(sink)
    manifest_bytes = _seal_into(output, manifest_fields, entries, signing_key_der, chain,
                                recipients)
    return output.close(), manifest_bytes


def encrypt(inner: bytes | bytearray, recipients: list[str]) -> bytearray:
    """The age envelope (binary) for ``inner``, readable by each of ``recipients``."""
    return age_format.encrypt(inner, recipients)


def _not_archive() -> InputError:
    return InputError(_("This file is not a CCS Desk archive (it is not in the age format)."))


def _check_envelope(data: bytes | bytearray | memoryview) -> None:
    """Size and magic line, on any buffer (bytes, bytearray, a memoryview of a mapped file)."""
    with memoryview(data) as view:
        if view.nbytes > MAX_ARCHIVE:
            raise InputError(_("This archive is too large: more than {size} MB.").format(
                size=_mb(MAX_ARCHIVE)))
        if bytes(view[:len(AGE_MAGIC)]) != AGE_MAGIC:
            raise _not_archive()


def _refusal(error: age_format.AgeError) -> InputError:
    if error.kind == "no-key":
        return InputError(_("This archive is not addressed to this committee: its key "
                            "cannot open it."))
    if error.kind == "header":
        return _not_archive()
    return InputError(_("This archive is damaged or was changed after it was written "
                        "(the encryption check failed); nothing was imported."))


def decrypt(data: bytes | bytearray, age_identity: str) -> bytearray:
    """The inner zip; refuses what is not age, not for this key, truncated or changed."""
    _check_envelope(data)
    try:
        return age_format.decrypt(data, age_identity)
    except age_format.AgeError as error:
        raise _refusal(error) from None


def open_sealed(data: bytes | bytearray | memoryview | Path, age_identity: str,
                keep: Any = None) -> Contents:
    """:func:`decrypt` then :func:`unpack` in one pass, from memory or straight from a file.

    The same checks and refusals as the two steps one after the other, plus those of reading
    a file (missing, unreadable, cut while being read); only faster (``streamed_open``): a
    file is read by blocks, the large entries are hashed in a second thread while the rest is
    decrypted, and ``keep`` (a ``store.Incoming``) receives the content meanwhile, under no
    name until ``store.put`` keeps it. The size and the age magic are checked first.
    """
    from ccsdesk.core.exchange import streamed_open

    source: streamed_open.BufferSource | streamed_open.FileSource | None = None
    try:
        if isinstance(data, Path):
            source = streamed_open.FileSource(data)
        else:
            source = streamed_open.BufferSource(data)
        _check_source(source)
        opening = streamed_open.StreamedOpen(source, age_identity, keep)
        keep = opening.keep
        opening.run()
        contents = unpack(opening.plain, known=opening.digests, holes=opening.holes)
    except age_format.AgeError as error:
        if keep is not None:
            keep.discard()
        raise _refusal(error) from None
    except BaseException:
        if keep is not None:
            keep.discard()
        raise
    finally:
        if source is not None:
            source.close()
    contents.incoming = keep
    contents.archive_size = source.size
    return contents


def _check_source(source: Any) -> None:
    """:func:`_check_envelope` before anything big is read: the size, then the magic line."""
    if source.size > MAX_ARCHIVE:
        raise InputError(_("This archive is too large: more than {size} MB.").format(
            size=_mb(MAX_ARCHIVE)))
    size = min(source.size, len(AGE_MAGIC))
    if bytes(source.read(0, size, memoryview(bytearray(size)))) != AGE_MAGIC:
        raise _not_archive()


def _damaged(reason: str) -> InputError:
    return InputError(_("This archive is damaged or was changed: {reason}; nothing was "
                        "imported.").format(reason=reason))


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The member's bytes, never more than ``limit`` (a zip may lie about sizes)."""
    if info.file_size > limit:
        raise _damaged(_("an entry is larger than announced"))
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        raise _damaged(_("an entry is compressed beyond any plausible ratio"))
    with archive.open(info) as handle:
        data = handle.read(limit + 1)
    if len(data) != info.file_size:
        raise _damaged(_("an entry's size differs from the one announced"))
    return data


_LOCAL_HEADER = 30  # fixed part of a zip local file header


def _stored_view(view: memoryview, info: zipfile.ZipInfo,
                 holes: Any = None) -> tuple[int, memoryview]:
    """A stored member's bytes, in place: its SHA-256 is checked next, so zip's CRC-32
    (computed on another 50 MB pass by ``zipfile``) would add nothing. The local header is
    read for real even where ``holes`` are (only the data may stay a hole)."""
    start = info.header_offset
    if holes is not None:
        holes.fill(start, start + _LOCAL_HEADER)
    header = bytes(view[start:start + _LOCAL_HEADER])
    if (len(header) != _LOCAL_HEADER or header[:4] != b"PK\x03\x04"
            or info.flag_bits & 0x1 or info.compress_size != info.file_size):
        raise _damaged(_("the entry {name} cannot be read").format(name=info.filename))
    name_length = int.from_bytes(header[26:28], "little")
    extra_length = int.from_bytes(header[28:30], "little")
    begin = start + _LOCAL_HEADER + name_length + extra_length
    if holes is not None:
        holes.fill(start + _LOCAL_HEADER, start + _LOCAL_HEADER + name_length)
    if (bytes(view[start + _LOCAL_HEADER:start + _LOCAL_HEADER + name_length])
            != info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
            or begin + info.file_size > len(view)):
        raise _damaged(_("the entry {name} cannot be read").format(name=info.filename))
    return begin, view[begin:begin + info.file_size]


def unpack(inner: Any, known: dict[tuple[int, int], str] | None = None,
           holes: Any = None) -> Contents:
    """Check and read the inner zip: names, sizes, manifest, hashes (not yet the signature).

    ``known`` holds SHA-256 already computed over these very bytes (by ``open_sealed``),
    keyed by where the data starts and its length; any other entry is hashed here.
    ``holes`` (``streamed_open.Holes``): parts of ``inner`` not written yet, read from the
    kept file whenever something other than a known hash needs them.
    """
    view = memoryview(inner).toreadonly()
    try:
        archive = zipfile.ZipFile(BufferReader(view, holes))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _damaged(_("the content is not a readable zip")) from None
    if len(infos) > MAX_ENTRIES + 2:
        raise _damaged(_("more than {count} entries").format(count=MAX_ENTRIES))
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise _damaged(_("two entries have the same name"))
    if sum(info.file_size for info in infos) > MAX_UNPACKED:
        raise InputError(_("This archive would take more than {size} MB once unpacked; it is "
                           "refused.").format(size=_mb(MAX_UNPACKED)))
    by_name = {info.filename: info for info in infos}
    if MANIFEST not in by_name or SIGNATURE not in by_name:
        raise _damaged(_("the manifest or its signature is missing"))
    try:
        manifest_bytes = _read_member(archive, by_name[MANIFEST], MAX_MANIFEST)
        signature_bytes = _read_member(archive, by_name[SIGNATURE], MAX_MANIFEST)
        manifest = json.loads(manifest_bytes.decode("utf-8"))
        signature = json.loads(signature_bytes.decode("ascii"))
        if manifest.get("format") != FORMAT:
            raise InputError(_("This archive has an unknown format ({format}): a newer "
                               "version of CCS Desk may be needed.").format(
                                   format=str(manifest.get("format"))[:40]))
        listed = manifest["entries"]
        sender, receiver = manifest["sender"], manifest["receiver"]
        int(manifest["sequence"])
        str(sender["uid"]), str(receiver["uid"])
        chain = [str(pem) for pem in signature["chain"]]
        if signature.get("format") != SIGNATURE_FORMAT or not chain:
            raise ValueError("signature")
    except (zipfile.BadZipFile, UnicodeDecodeError, ValueError, KeyError, TypeError,
            OSError, EOFError):
        raise _damaged(_("the manifest cannot be read")) from None
    if not identity.signature_valid_safe(chain[0], manifest_bytes,
                                         str(signature.get("signature", ""))):
        raise _damaged(_("the sender's signature does not match the manifest"))
    entries: dict[str, Entry] = {}
    expected = {MANIFEST, SIGNATURE}
    for item in listed:
        try:
            path, kind, size, digest = (str(item["path"]), str(item["kind"]),
                                        int(item["size"]), str(item["sha256"]))
        except (KeyError, TypeError, ValueError):
            raise _damaged(_("the manifest cannot be read")) from None
        check_path(path)
        info = by_name.get(path)
        if info is None:
            raise _damaged(_("the entry {name} is missing").format(name=path))
        if info.file_size != size:
            raise _damaged(_("the entry {name} has the wrong size").format(name=path))
        entry: Entry
        try:
            actual = None
            if info.compress_type == zipfile.ZIP_STORED:
                begin, piece = _stored_view(view, info, holes)
                actual = (known or {}).get((begin, size))
                kept_holes = None
                if holes is not None and holes.overlaps(begin, begin + size):
                    kept_holes = holes
                    if actual is None:
                        holes.fill(begin, begin + size)
                entry = _KeptEntry(path, kind, piece, str(item.get("ref", "")), kept_holes,
                                   begin)
            else:
                data = _read_member(archive, info, size)
                piece = memoryview(data)
                entry = Entry(path=path, kind=kind, data=data, ref=str(item.get("ref", "")))
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
            raise _damaged(_("the entry {name} cannot be read").format(name=path)) from None
        if (actual or hashlib.sha256(piece).hexdigest()) != digest:
            raise _damaged(_("the entry {name} does not match its hash").format(name=path))
        entries[path] = entry
        expected.add(path)
    if set(names) - expected:
        raise _damaged(_("it holds files the manifest does not list"))
    return Contents(manifest=manifest, manifest_bytes=manifest_bytes, chain=chain,
                    entries=entries, buffer=inner, holes=holes)


def sha256(data: bytes | bytearray | memoryview) -> str:
    """The hex SHA-256 of ``data``, as the manifest writes it."""
    return hashlib.sha256(data).hexdigest()
