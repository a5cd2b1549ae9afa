"""The archive format on its own: signed manifest, hostile zips, and the stock ``age`` tool."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pyrage
import pytest

from ccsdesk.core.errors import InputError
from ccsdesk.core.exchange import archive, identity, keys, streamed_open
from ccsdesk.core.services import exchange
from tests.conftest import PASSPHRASE
from tests.core.exchange_helpers import signed_session


@pytest.fixture(scope="module")
def signer():  # type: ignore[no-untyped-def]
    secrets, public = keys.generate("CCS de test", "Mali")
    return secrets, public


def _manifest(**changes: object) -> dict:
    fields = {"sender": {"uid": "a", "name": "A"}, "receiver": {"uid": "b", "name": "B"},
              "sequence": 1, "created": "2026-03-10T10:00:00+00:00"}
    fields.update(changes)
    return fields


def test_pack_unpack_round_trip(signer) -> None:  # type: ignore[no-untyped-def]
    secrets, public = signer
    entries = [archive.Entry("entries/sessions/s.json", "session", b'{"x": 1}', "s"),
               archive.Entry("entries/packets/s.pdf", "packet", b"%PDF-1.7 ...", "s")]
    inner, manifest = archive.pack(_manifest(), entries, secrets.signing_key_der,
                                   [public.certificate_pem])
    contents = archive.unpack(inner)
    assert contents.manifest_bytes == manifest
    assert contents.manifest["format"] == "ccsdesk-archive/1"
    assert [(e["path"], e["size"]) for e in contents.manifest["entries"]] == [
        ("entries/sessions/s.json", 8), ("entries/packets/s.pdf", 12)]
    assert contents.entries["entries/packets/s.pdf"].data == b"%PDF-1.7 ..."
    sealed = archive.encrypt(inner, [public.age_recipient])
    assert sealed.startswith(b"age-encryption.org/v1\n")
    assert archive.decrypt(sealed, secrets.age_identity) == inner


def test_sealing_in_one_pass_equals_pack_then_encrypt(signer) -> None:  # type: ignore[no-untyped-def]
    secrets, public = signer
    entries = [archive.Entry("entries/sessions/s.json", "session", b'{"x": 1}', "s"),
               archive.Entry("entries/packets/s.pdf", "packet", os.urandom(200_000), "s")]
    sealed, manifest = archive.seal(_manifest(), entries, secrets.signing_key_der,
                                    [public.certificate_pem], [public.age_recipient])
    inner = archive.decrypt(sealed, secrets.age_identity)
    assert zipfile.ZipFile(io.BytesIO(inner)).testzip() is None  # CRCs right for any unzip
    contents = archive.unpack(inner)
    assert contents.manifest_bytes == manifest
    assert {path: entry.data for path, entry in contents.entries.items()} == {
        entry.path: entry.data for entry in entries}


def _big_archive(signer, big: bytes) -> tuple[bytearray, bytes]:  # type: ignore[no-untyped-def]
    secrets, public = signer
    entries = [archive.Entry("entries/sessions/s.json", "session", b'{"x": 1}', "s"),
               archive.Entry("entries/packets/s.pdf", "packet", big, "s")]
    return archive.seal(_manifest(), entries, secrets.signing_key_der,
                        [public.certificate_pem], [public.age_recipient])


def test_large_entries_are_hashed_while_decrypting(signer) -> None:  # type: ignore[no-untyped-def]
    secrets, _public = signer
    big = os.urandom(3 * 1024 * 1024 + 5)
    sealed, manifest = _big_archive(signer, big)
    opening = streamed_open.StreamedOpen(streamed_open.BufferSource(sealed),
                                         secrets.age_identity)
    opening.run()
    assert list(opening.digests.values()) == [archive.sha256(big)]
    [(start, size)] = opening.digests
    assert bytes(opening.plain[start:start + size]) == big
    contents = archive.open_sealed(sealed, secrets.age_identity)
    assert contents.manifest_bytes == manifest
    assert contents.entries["entries/packets/s.pdf"].data == big


def test_large_entries_hashed_early_are_still_refused_when_changed(signer) -> None:  # type: ignore[no-untyped-def]
    secrets, public = signer
    big = os.urandom(3 * 1024 * 1024)
    sealed, _manifest_bytes = _big_archive(signer, big)
    # The content changed by someone holding a key, re-sealed as a valid age file: the
    # manifest's signed hash refuses it.
    inner = archive.decrypt(sealed, secrets.age_identity)
    inner[inner.index(big[:64]) + 2_000_000] ^= 0x01
    with pytest.raises(InputError, match="ne correspond pas à son empreinte"):
        archive.open_sealed(archive.encrypt(inner, [public.age_recipient]),
                            secrets.age_identity)
    # A byte changed in transit, in the middle of the large entry: decryption refuses it and
    # the hashing thread stops.
    for position in (len(sealed) // 2, len(sealed) - 100):
        flipped = bytearray(sealed)
        flipped[position] ^= 0x01
        with pytest.raises(InputError, match="endommagée"):
            archive.open_sealed(flipped, secrets.age_identity)


@pytest.mark.parametrize("name", ["../evil", "entries/../../x", "/etc/passwd",
                                  "entries/a\\b", "C:/x", "entries/./a", "entries/"])
def test_forbidden_names_are_refused(name: str, signer) -> None:  # type: ignore[no-untyped-def]
    secrets, public = signer
    with pytest.raises(InputError, match="nom interdit"):
        archive.pack(_manifest(), [archive.Entry(name, "session", b"x")],
                     secrets.signing_key_der, [public.certificate_pem])


def _forged(signer, files: dict[str, bytes], listed: list[dict], *,  # type: ignore[no-untyped-def]
            compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip with a validly signed manifest listing ``listed`` and holding ``files``."""
    secrets, public = signer
    manifest = json.dumps({"format": archive.FORMAT, **_manifest(),
                           "entries": listed}).encode()
    signature = {"format": archive.SIGNATURE_FORMAT, "algorithm": "ecdsa-p256-sha256",
                 "signature": __import__("base64").b64encode(
                     identity.sign_bytes(secrets.signing_key_der, manifest)).decode(),
                 "chain": [public.certificate_pem]}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compress) as out:
        out.writestr(archive.MANIFEST, manifest)
        out.writestr(archive.SIGNATURE, json.dumps(signature))
        for name, data in files.items():
            out.writestr(name, data)
    return buffer.getvalue()


def test_hostile_zips_are_refused(signer) -> None:  # type: ignore[no-untyped-def]
    entry = {"path": "entries/a.json", "kind": "session", "size": 2,
             "sha256": archive.sha256(b"{}")}
    assert archive.unpack(_forged(signer, {"entries/a.json": b"{}"}, [entry])).entries
    # A file the manifest does not list (here with a traversal name).
    with pytest.raises(InputError, match="ne cite pas"):
        archive.unpack(_forged(signer, {"entries/a.json": b"{}", "../../evil": b"x"},
                               [entry]))
    # A listed path with traversal.
    bad = dict(entry, path="entries/../a.json")
    with pytest.raises(InputError, match="nom interdit"):
        archive.unpack(_forged(signer, {"entries/../a.json": b"{}"}, [bad]))
    # Content that does not match its hash, or its size.
    with pytest.raises(InputError, match="empreinte"):
        archive.unpack(_forged(signer, {"entries/a.json": b"[]"}, [entry]))
    with pytest.raises(InputError, match="taille"):
        archive.unpack(_forged(signer, {"entries/a.json": b"{ }"}, [entry]))
    with pytest.raises(InputError, match="manque"):
        archive.unpack(_forged(signer, {}, [entry]))
    # A zip bomb: 50 MB of zeros deflate to about 50 KB.
    zeros = bytes(50 * 1024 * 1024)
    bomb = dict(entry, size=len(zeros), sha256=archive.sha256(zeros))
    with pytest.raises(InputError, match="taux"):
        archive.unpack(_forged(signer, {"entries/a.json": zeros}, [bomb]))
    # Not a zip at all, and a manifest whose signature was made by another key.
    with pytest.raises(InputError, match="zip"):
        archive.unpack(b"not a zip")
    other_secrets, _other = keys.generate("Autre", "Mali")
    forged = _forged((other_secrets, signer[1]), {"entries/a.json": b"{}"}, [entry])
    with pytest.raises(InputError, match="signature"):
        archive.unpack(forged)


def test_sizes_are_bounded_before_decrypting(signer) -> None:  # type: ignore[no-untyped-def]
    secrets, _public = signer
    with pytest.raises(InputError, match="format age"):
        archive.decrypt(b"PK\x03\x04" + bytes(100), secrets.age_identity)
    assert archive.MAX_ARCHIVE == 512 * 1024 * 1024


@pytest.mark.skipif(shutil.which("age") is None, reason="the stock age tool is not installed")
def test_stock_age_tool_decrypts_an_archive(pair, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    commune, district = pair
    signed_session(commune.folder)
    data, _sent = commune.send("parent")
    sealed = tmp_path / "archive.ccsa"
    sealed.write_bytes(data)
    # The District exports its age key protected by a passphrase (a standard age file)...
    key_file = exchange.export_age_identity(district.folder, PASSPHRASE, "cle-pour-age-2026")
    assert key_file.startswith(b"age-encryption.org/v1\n") and b"AGE-SECRET" not in key_file
    opened_key = _age_passphrase_decrypt(tmp_path, key_file, "cle-pour-age-2026")
    assert b"AGE-SECRET-KEY-1" in opened_key
    identity_path = tmp_path / "cle.txt"
    identity_path.write_bytes(opened_key)
    # ... and the stock tool opens the archive with it.
    completed = subprocess.run(["age", "-d", "-i", str(identity_path), str(sealed)],
                               capture_output=True, timeout=60, check=True)
    contents = archive.unpack(completed.stdout)
    assert contents.sender["name"] == "CCS de la Commune IV"
    assert {e.kind for e in contents.entries.values()} >= {"session", "packet"}
    commune.folder.close()
    district.folder.close()


def _age_passphrase_decrypt(tmp_path: Path, data: bytes, passphrase: str) -> bytes:
    """``age -d`` on a passphrase file, typing the passphrase on a pseudo-terminal.

    age reads passphrases only from the terminal, so the test gives it one; where pseudo-
    terminals are missing it falls back to pyrage (the same age format).
    """
    source = tmp_path / "cle.age"
    source.write_bytes(data)
    try:
        import pty
    except ImportError:  # pragma: no cover - Windows
        return pyrage.passphrase.decrypt(data, passphrase)
    output = tmp_path / "cle-ouverte.txt"
    pid, fd = pty.fork()
    if pid == 0:  # the child: age with the pty as its terminal
        os.execvp("age", ["age", "-d", "-o", str(output), str(source)])
    buffer = b""
    while b"passphrase" not in buffer.lower():
        chunk = os.read(fd, 1024)
        if not chunk:
            break
        buffer += chunk
    os.write(fd, passphrase.encode() + b"\n")
    try:
        while os.read(fd, 1024):
            pass
    except OSError:
        pass
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, buffer
    return output.read_bytes()
