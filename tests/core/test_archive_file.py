"""Receiving an archive straight from its file (``streamed_open``): read by blocks, large
entries kept on disk only, and every refusal of reading a file — missing, unreadable, not
age, too large, cut or changed while it is read — with nothing left behind.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from sqlalchemy import select

from ccsdesk.core.errors import InputError, NotFoundError
from ccsdesk.core.exchange import age_format, archive, identity, keys, store, streamed_open
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import Committee, ExchangeArchive
from tests.conftest import PASSPHRASE, open_files_under
from tests.core.exchange_helpers import signed_session

BIG = 3 * 1024 * 1024 + 11
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="unnamed files are Linux's")


@pytest.fixture(scope="module")
def signer():  # type: ignore[no-untyped-def]
    return keys.generate("CCS de test", "Mali")


def _sealed(signer, *payloads: bytes) -> bytearray:  # type: ignore[no-untyped-def]
    secrets, public = signer
    manifest = {"sender": {"uid": "a", "name": "A"}, "receiver": {"uid": "b", "name": "B"},
                "sequence": 1, "created": "2026-03-10T10:00:00+00:00"}
    entries = [archive.Entry("entries/sessions/s.json", "session", b'{"x": 1}', "s")]
    entries += [archive.Entry(f"entries/packets/p{n}.pdf", "packet", data, f"p{n}")
                for n, data in enumerate(payloads)]
    sealed, _manifest = archive.seal(manifest, entries, secrets.signing_key_der,
                                     [public.certificate_pem], [public.age_recipient])
    return sealed


def _kept_files(folder: DataFolder) -> list[Path]:
    return sorted(p for p in (folder.path / store.DIRECTORY).rglob("*") if p.is_file())


def test_a_file_opens_as_its_bytes_do(signer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    secrets, _public = signer
    payloads = (os.urandom(BIG), os.urandom(2 * 1024 * 1024), b"%PDF small")
    sealed = _sealed(signer, *payloads)
    path = tmp_path / "archive.ccsa"
    path.write_bytes(sealed)
    from_file = archive.open_sealed(path, secrets.age_identity)
    from_bytes = archive.open_sealed(sealed, secrets.age_identity)
    assert from_file.manifest_bytes == from_bytes.manifest_bytes
    assert from_file.archive_size == len(sealed) == from_bytes.archive_size
    assert bytes(from_file.inner) == bytes(from_bytes.inner) == bytes(
        archive.decrypt(sealed, secrets.age_identity))
    for n, data in enumerate(payloads):
        assert from_file.entries[f"entries/packets/p{n}.pdf"].data == data


@linux_only
def test_large_entries_kept_on_disk_only_read_back_exactly(signer, folder: DataFolder,  # type: ignore[no-untyped-def]
                                                           tmp_path: Path) -> None:
    secrets, _public = signer
    payloads = (os.urandom(BIG), os.urandom(BIG + 70_000))
    sealed = _sealed(signer, *payloads)
    path = tmp_path / "archive.ccsa"
    path.write_bytes(sealed)
    contents = archive.open_sealed(path, secrets.age_identity, keep=store.incoming(folder))
    # The large entries' data never went to memory: the buffer has holes there, and their
    # bytes (read by a forwarded archive's import, say) come from the unnamed file.
    assert contents.holes is not None
    assert [contents.entries[f"entries/packets/p{n}.pdf"].data
            for n in range(2)] == list(payloads)
    assert contents.holes is not None  # reading an entry does not fill the buffer
    store.put(folder, contents)
    [kept] = _kept_files(folder)
    plain = bytes(archive.decrypt(sealed, secrets.age_identity))
    assert kept.read_bytes() == plain
    assert bytes(contents.inner) == plain and contents.holes is None  # filled on demand
    again = store.get(folder, contents.manifest_sha256)
    assert again.entries["entries/packets/p1.pdf"].data == payloads[1]


def test_receive_from_the_file_imports_as_the_bytes_do(pair, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    commune, district = pair
    signed_session(commune.folder)
    data, _sent = commune.send("parent")
    path = tmp_path / "envoi.ccsa"
    path.write_bytes(data)
    result = district.receive(path)
    assert (result.sessions, result.sequence, result.already) == (1, 1, False)
    assert district.receive(path).already
    with district.folder.database.reading() as session:
        row = session.scalar(select(ExchangeArchive).where(ExchangeArchive.direction == "in"))
        assert row is not None and row.size == len(data)


@linux_only
@pytest.mark.parametrize("where", ["middle", "tail", "header"])
def test_a_changed_file_is_refused_and_leaves_nothing(signer, folder: DataFolder,  # type: ignore[no-untyped-def]
                                                      tmp_path: Path, where: str) -> None:
    secrets, _public = signer
    sealed = _sealed(signer, os.urandom(BIG))
    position = {"middle": len(sealed) // 2, "tail": len(sealed) - 40, "header": 60}[where]
    sealed[position] ^= 0x01
    path = tmp_path / "archive.ccsa"
    path.write_bytes(sealed)
    with pytest.raises(InputError) as from_bytes:
        archive.open_sealed(sealed, secrets.age_identity)
    before = open_files_under(tmp_path, folder.path)
    with pytest.raises(InputError) as from_file:  # the very refusal the bytes get
        archive.open_sealed(path, secrets.age_identity, keep=store.incoming(folder))
    assert str(from_file.value) == str(from_bytes.value)
    expected = ("endommagée",) if where != "header" else ("adressée", "format age")
    assert any(word in str(from_file.value) for word in expected)  # which, depends on the key
    assert _kept_files(folder) == []
    # The archive and the unnamed file were both closed.
    assert open_files_under(tmp_path, folder.path) == before


def test_reading_refusals_name_the_problem(signer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    secrets, _public = signer
    identity = secrets.age_identity
    with pytest.raises(NotFoundError, match="n’existe pas"):
        archive.open_sealed(tmp_path / "absent.ccsa", identity)
    with pytest.raises(InputError, match="ne peut pas être lu"):
        archive.open_sealed(tmp_path, identity)  # a folder, say a stick's root
    empty = tmp_path / "vide.ccsa"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="format age"):
        archive.open_sealed(empty, identity)
    zipped = tmp_path / "archive.zip"
    zipped.write_bytes(b"PK\x03\x04" + bytes(5000))
    with pytest.raises(InputError, match="format age"):
        archive.open_sealed(zipped, identity)
    huge = tmp_path / "enorme.ccsa"  # sparse: the size is refused before any reading
    with huge.open("wb") as handle:
        handle.write(age_format.MAGIC)
        handle.truncate(archive.MAX_ARCHIVE + 1)
    with pytest.raises(InputError, match="trop volumineuse"):
        archive.open_sealed(huge, identity)
    cut = tmp_path / "coupee.ccsa"
    cut.write_bytes(_sealed(signer, os.urandom(BIG))[:-1000])
    with pytest.raises(InputError, match="endommagée"):
        archive.open_sealed(cut, identity)


@contextlib.contextmanager
def _opening(signer, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An archive file whose header and tail were read, the pass not run yet: (the opening,
    the file, its bytes)."""
    secrets, _public = signer
    sealed = _sealed(signer, os.urandom(BIG))
    path = tmp_path / "archive.ccsa"
    path.write_bytes(sealed)
    source = streamed_open.FileSource(path)
    try:
        yield streamed_open.StreamedOpen(source, secrets.age_identity), path, sealed
    finally:
        source.close()


def test_a_file_cut_while_it_is_read_is_refused(signer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with _opening(signer, tmp_path) as (opening, path, sealed):
        os.truncate(path, len(sealed) // 2)  # the stick's file shortened meanwhile
        with pytest.raises(InputError, match="a changé pendant sa lecture"):
            opening.run()


def test_a_file_changed_while_it_is_read_is_refused(signer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with _opening(signer, tmp_path) as (opening, path, sealed):
        with path.open("r+b") as handle:  # rewritten in place once the tail was checked
            handle.seek(len(sealed) // 3)
            handle.write(bytes([sealed[len(sealed) // 3] ^ 0x80]))
        with pytest.raises(age_format.AgeError) as refused:
            opening.run()
        assert refused.value.kind == "damaged"


@linux_only
def test_a_file_removed_once_opened_is_still_read_whole(signer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    secrets, _public = signer
    payload = os.urandom(BIG)
    path = tmp_path / "archive.ccsa"
    path.write_bytes(_sealed(signer, payload))
    source = streamed_open.FileSource(path)
    try:
        opening = streamed_open.StreamedOpen(source, secrets.age_identity)
        path.unlink()  # the open descriptor keeps reading the same file, never a new one
        opening.run()
    finally:
        source.close()
    contents = archive.unpack(opening.plain, known=opening.digests)
    assert contents.entries["entries/packets/p0.pdf"].data == payload


def _overlapping(signer) -> bytes:  # type: ignore[no-untyped-def]
    """A signed inner zip whose small entry lies inside the large one's data: no sender of
    ours writes that, but a signer may; it must read the same with or without holes."""
    secrets, public = signer
    small, small_name = b'{"x": 1}', "entries/sessions/s.json"
    inside = zipfile.ZipInfo(small_name, date_time=(2026, 3, 10, 10, 0, 0))
    inside.file_size = inside.compress_size = len(small)
    inside.CRC = zlib.crc32(small)
    prefix = os.urandom(2 * 1024 * 1024)  # far past where the large entry's hole begins
    big = prefix + inside.FileHeader() + small + os.urandom(1024 * 1024)
    big_name = "entries/packets/p.pdf"
    listed = [{"path": big_name, "kind": "packet", "ref": "p", "size": len(big),
               "sha256": archive.sha256(big)},
              {"path": small_name, "kind": "session", "ref": "s", "size": len(small),
               "sha256": archive.sha256(small)}]
    manifest = json.dumps({"format": archive.FORMAT, "sender": {"uid": "a", "name": "A"},
                           "receiver": {"uid": "b", "name": "B"}, "sequence": 1,
                           "entries": listed}).encode()
    signature = {"format": archive.SIGNATURE_FORMAT, "algorithm": "ecdsa-p256-sha256",
                 "signature": base64.b64encode(
                     identity.sign_bytes(secrets.signing_key_der, manifest)).decode(),
                 "chain": [public.certificate_pem]}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr(big_name, big, compress_type=zipfile.ZIP_STORED)
        info = out.getinfo(big_name)
        inside.header_offset = info.header_offset + 30 + len(big_name) + len(prefix)
        out.filelist.append(inside)
        out.NameToInfo[small_name] = inside
        out.writestr(archive.MANIFEST, manifest)
        out.writestr(archive.SIGNATURE, json.dumps(signature))
    return buffer.getvalue()


@linux_only
def test_an_entry_inside_another_reads_the_same_with_holes(signer, folder: DataFolder,  # type: ignore[no-untyped-def]
                                                           tmp_path: Path) -> None:
    secrets, public = signer
    inner = _overlapping(signer)
    sealed = archive.encrypt(inner, [public.age_recipient])
    path = tmp_path / "archive.ccsa"
    path.write_bytes(sealed)
    in_memory = archive.open_sealed(sealed, secrets.age_identity)
    streamed = archive.open_sealed(path, secrets.age_identity, keep=store.incoming(folder))
    assert streamed.holes is not None  # the small entry was read from the kept file
    assert {p: e.data for p, e in streamed.entries.items()} == {
        p: e.data for p, e in in_memory.entries.items()}
    assert streamed.entries["entries/sessions/s.json"].data == b'{"x": 1}'
    assert bytes(streamed.inner) == inner


def test_receive_checks_the_file_before_the_passphrase(commune: DataFolder, cli,  # type: ignore[no-untyped-def]
                                                       tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CCSDESK_PASSPHRASE", PASSPHRASE + "-faux")
    missing = cli("receive", str(tmp_path / "absente.ccsa"))
    assert missing.code == 1 and "n’existe pas" in missing.err
    folder_given = cli("receive", str(tmp_path))
    assert folder_given.code == 1 and "ne peut pas être lu" in folder_given.err
    monkeypatch.setenv("CCSDESK_PASSPHRASE", PASSPHRASE)
    junk = tmp_path / "courrier.ccsa"
    junk.write_bytes(b"Bonjour, voici l'archive." * 10)
    refused = cli("receive", str(junk))
    assert refused.code == 1 and "format age" in refused.err


@linux_only
def test_a_large_archive_refused_by_the_import_leaves_nothing(pair, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import gc

    commune, district = pair
    with commune.folder.database.reading() as session:
        own = session.query(Committee).filter_by(relation="self").one()
        parent = session.query(Committee).filter_by(relation="parent").one()
        sender = {"uid": own.uid, "name": own.name, "level": own.level}
        recipient, chain = parent.age_recipient, [own.signing_certificate]
    # Sealed for the District's key, but the signed manifest names someone else.
    manifest = {"sender": sender, "receiver": {"uid": "ailleurs", "name": "CCS de Kati"},
                "sequence": 1, "created": "2026-03-10T10:00:00+00:00"}
    entries = [archive.Entry("entries/packets/p.pdf", "packet", os.urandom(BIG), "p")]
    sealed, _manifest = archive.seal(manifest, entries, commune.secrets.signing_key_der,
                                     chain, [recipient])
    path = tmp_path / "archive.ccsa"
    path.write_bytes(sealed)
    gc.collect()
    before = open_files_under(tmp_path, district.folder.path)
    with pytest.raises(InputError, match="CCS de Kati"):
        district.receive(path)
    gc.collect()
    assert _kept_files(district.folder) == []
    # The unnamed file and its copy for holes were closed.
    assert open_files_under(tmp_path, district.folder.path) == before
