"""Received contents kept in ``echanges/``: written while decrypting, named only once kept.

The unnamed file (``O_TMPFILE``) must hold exactly the checked content once named, must leave
nothing visible when the import is refused, and the usual write must still work where such
files do not exist.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from ccsdesk.core.errors import InputError
from ccsdesk.core.exchange import archive, keys, store
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import small_filesystem

BIG = 3 * 1024 * 1024 + 7


@pytest.fixture(scope="module")
def signer():  # type: ignore[no-untyped-def]
    return keys.generate("CCS de test", "Mali")


def _sealed(signer, payload: bytes) -> bytearray:  # type: ignore[no-untyped-def]
    secrets, public = signer
    manifest = {"sender": {"uid": "a", "name": "A"}, "receiver": {"uid": "b", "name": "B"},
                "sequence": 1, "created": "2026-03-10T10:00:00+00:00"}
    entries = [archive.Entry("entries/packets/s.pdf", "packet", payload, "s")]
    sealed, _manifest = archive.seal(manifest, entries, secrets.signing_key_der,
                                     [public.certificate_pem], [public.age_recipient])
    return sealed


def _files(folder: DataFolder) -> list[Path]:
    return sorted(p for p in (folder.path / store.DIRECTORY).rglob("*") if p.is_file())


@pytest.mark.skipif(sys.platform != "linux", reason="unnamed files are a Linux feature")
def test_content_written_while_decrypting_is_kept_exactly(signer, folder: DataFolder) -> None:  # type: ignore[no-untyped-def]
    secrets, _public = signer
    payload = os.urandom(BIG)
    keep = store.incoming(folder)
    assert keep is not None
    contents = archive.open_sealed(_sealed(signer, payload), secrets.age_identity, keep=keep)
    assert keep.written == len(contents.inner) and keep.error is None
    assert _files(folder) == []  # nothing has a name before put
    store.put(folder, contents)
    [kept] = _files(folder)
    assert kept.read_bytes() == bytes(contents.inner)
    again = store.get(folder, contents.manifest_sha256)
    assert again.entries["entries/packets/s.pdf"].data == payload
    store.put(folder, contents)  # the same content twice: harmless
    assert _files(folder) == [kept]


@pytest.mark.skipif(sys.platform != "linux", reason="unnamed files are a Linux feature")
def test_a_refused_archive_leaves_no_file(signer, folder: DataFolder) -> None:  # type: ignore[no-untyped-def]
    secrets, _public = signer
    sealed = _sealed(signer, os.urandom(BIG))
    sealed[len(sealed) // 2] ^= 0x01
    descriptors = len(os.listdir("/proc/self/fd"))
    with pytest.raises(InputError, match="endommagée"):
        archive.open_sealed(sealed, secrets.age_identity, keep=store.incoming(folder))
    assert _files(folder) == []
    assert len(os.listdir("/proc/self/fd")) == descriptors  # the unnamed file was closed


def test_without_unnamed_files_the_usual_write_keeps_it(signer, folder: DataFolder) -> None:  # type: ignore[no-untyped-def]
    secrets, _public = signer
    payload = os.urandom(BIG)
    contents = archive.open_sealed(_sealed(signer, payload), secrets.age_identity)
    assert contents.incoming is None
    store.put(folder, contents)
    [kept] = _files(folder)
    assert kept.read_bytes() == bytes(contents.inner)
    assert not any(p.name.endswith(".partial") for p in _files(folder))


@pytest.fixture
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 4 MB tmpfs standing in for a nearly full disk (needs root)."""
    yield from small_filesystem(tmp_path / "disque", "4m")


@pytest.mark.skipif(sys.platform != "linux", reason="unnamed files are a Linux feature")
def test_a_full_disk_while_decrypting_keeps_nothing(signer, small_disk: Path) -> None:  # type: ignore[no-untyped-def]
    from ccsdesk.core.errors import StorageError

    secrets, _public = signer
    folder = DataFolder.open(small_disk / "donnees")
    try:
        payload = os.urandom(5 * 1024 * 1024)  # more than the disk holds
        keep = store.incoming(folder)
        assert keep is not None
        contents = archive.open_sealed(_sealed(signer, payload), secrets.age_identity,
                                       keep=keep)
        assert keep.error is not None and keep.written == -1  # the disk filled up
        # Nothing may then rely on the unnamed file: the content was decrypted again.
        assert contents.holes is None
        assert contents.entries["entries/packets/s.pdf"].data == payload
        with pytest.raises(StorageError, match="n’a pas pu être conservée"):
            store.put(folder, contents)
        assert _files(folder) == []
    finally:
        folder.close()
