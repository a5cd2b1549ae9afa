"""Our age implementation against the stock ``age`` tool and pyrage, in both directions.

Archives are read by Districts with the stock tool, and archives written before by pyrage
(or by the tool itself) must open here: interoperability is the format's whole point. Sizes
straddle the 64 KiB chunk boundaries, where the last-chunk rules live.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pyrage
import pytest
from pyrage import x25519

from ccsdesk.core.exchange import age_format

SIZES = [0, 1, 100, 65535, 65536, 65537, 131072, 200_000]
needs_age = pytest.mark.skipif(shutil.which("age") is None,
                               reason="the stock age tool is not installed")


@pytest.fixture(scope="module")
def keys() -> tuple[list[str], list[str]]:
    identities = [x25519.Identity.generate() for _ in range(2)]
    return [str(i) for i in identities], [str(i.to_public()) for i in identities]


@needs_age
@pytest.mark.parametrize("size", SIZES)
def test_the_age_tool_reads_ours_and_we_read_the_age_tool(size: int, keys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    identities, recipients = keys
    plain = os.urandom(size)
    ours = tmp_path / "ours.age"
    ours.write_bytes(age_format.encrypt(plain, recipients))
    key = tmp_path / "key.txt"
    for identity in identities:  # each of the two recipients opens it
        key.write_text(identity + "\n")
        opened = subprocess.run(["age", "-d", "-i", str(key), str(ours)], capture_output=True,
                                check=True, timeout=60)
        assert opened.stdout == plain
    source = tmp_path / "plain.bin"
    source.write_bytes(plain)
    theirs = tmp_path / "theirs.age"
    subprocess.run(["age", "-e", "-r", recipients[0], "-r", recipients[1], "-o", str(theirs),
                    str(source)], check=True, timeout=60)
    assert age_format.decrypt(theirs.read_bytes(), identities[1]) == plain


@pytest.mark.parametrize("size", SIZES)
def test_pyrage_reads_ours_and_we_read_pyrage(size: int, keys) -> None:  # type: ignore[no-untyped-def]
    identities, recipients = keys
    plain = os.urandom(size)
    ours = bytes(age_format.encrypt(plain, recipients))
    assert pyrage.decrypt(ours, [x25519.Identity.from_str(identities[0])]) == plain
    theirs = pyrage.encrypt(plain, [x25519.Recipient.from_str(recipients[1])])
    assert age_format.decrypt(theirs, identities[1]) == plain


def test_streaming_in_pieces_gives_one_valid_file(keys) -> None:  # type: ignore[no-untyped-def]
    identities, recipients = keys
    plain = os.urandom(300_000)
    output = age_format.MemoryOutput(10)  # too small: the buffer grows
    encryptor = age_format.Encryptor(recipients, output)
    for start, end in [(0, 1), (1, 65536), (65536, 65537), (65537, 200_000), (200_000, 300_000)]:
        encryptor.write(memoryview(plain)[start:end])
    encryptor.finish()
    sealed = output.close()
    assert pyrage.decrypt(bytes(sealed), [x25519.Identity.from_str(identities[0])]) == plain
    assert age_format.decrypt(sealed, identities[0]) == plain


class _Blocks:
    """A sink keeping what it is given: the blocks an age file is cut into."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.given: list[bytes] = []

    def take(self) -> memoryview:
        return memoryview(bytearray(self.size))

    def give(self, block: memoryview, size: int) -> None:
        self.given.append(bytes(block[:size]))


@pytest.mark.parametrize("block", [70_000, 65_552, 200_003])
def test_blocks_are_filled_to_the_byte_and_make_the_same_file(keys, block: int) -> None:  # type: ignore[no-untyped-def]
    """A sealed chunk that does not fit in a block is split across two, so every block but
    the last is full (what direct writes to the device need)."""
    identities, recipients = keys
    plain = os.urandom(500_000)
    sink = _Blocks(block)
    output = age_format.BlockOutput(sink)
    encryptor = age_format.Encryptor(recipients, output)
    for start in range(0, len(plain), 100_000):
        encryptor.write(memoryview(plain)[start:start + 100_000])
    encryptor.finish()
    assert output.close() == sum(map(len, sink.given))
    assert all(len(piece) == block for piece in sink.given[:-1])
    assert 0 < len(sink.given[-1]) <= block
    assert age_format.decrypt(b"".join(sink.given), identities[0]) == plain


def test_a_stranger_key_a_cut_or_an_extended_file_is_refused(keys) -> None:  # type: ignore[no-untyped-def]
    identities, recipients = keys
    plain = os.urandom(2 * 65536)  # exactly two full chunks: the last one is full
    sealed = bytes(age_format.encrypt(plain, recipients[:1]))
    with pytest.raises(age_format.AgeError) as refused:
        age_format.decrypt(sealed, identities[1])
    assert refused.value.kind == "no-key"
    chunk = 65536 + 16
    for damaged in (sealed[:-1], sealed[:-chunk], sealed[:-chunk - 1], sealed + b"\0",
                    sealed + bytes(16), sealed[:-16]):
        with pytest.raises(age_format.AgeError) as refused:
            age_format.decrypt(damaged, identities[0])
        assert refused.value.kind == "damaged"
    with pytest.raises(age_format.AgeError) as refused:  # cut within the header
        age_format.decrypt(sealed[:sealed.index(b"\n---")], identities[0])
    assert refused.value.kind == "damaged"
    with pytest.raises(age_format.AgeError) as refused:  # not an age header at all
        age_format.decrypt(b"age-encryption.org/v1\nhello\n--- AAAA\n", identities[0])
    assert refused.value.kind == "header"


def test_every_byte_of_the_header_and_chunk_edges_is_checked(keys) -> None:  # type: ignore[no-untyped-def]
    identities, recipients = keys
    sealed = bytes(age_format.encrypt(os.urandom(70_000), recipients))
    header_end = sealed.index(b"\n---") + 48
    positions = [*range(header_end + 16), *range(len(sealed) - 40, len(sealed)),
                 *range(header_end + 16 + 65536, header_end + 16 + 65536 + 40)]
    for position in positions:
        flipped = bytearray(sealed)
        flipped[position] ^= 0x04
        with pytest.raises(age_format.AgeError):
            age_format.decrypt(flipped, identities[0])


@pytest.mark.parametrize("text", ["age1", "age1qqqqqq", "AGE1" + "q" * 58, "age2abc",
                                  "age1" + "qpzry9x8gf2tvdw0s3jn54khce6mua7l" * 2])
def test_malformed_recipients_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        age_format.recipient_key(text)


def test_keys_round_trip_with_pyrage() -> None:
    identity = x25519.Identity.generate()
    private = age_format.identity_key(str(identity))
    assert private.public_key().public_bytes_raw() == age_format.recipient_key(
        str(identity.to_public()))


def test_older_cryptography_without_in_place_calls_gives_the_same(keys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    identities, recipients = keys
    plain = os.urandom(150_000)
    monkeypatch.setattr(age_format, "IN_PLACE", False)
    sealed = bytes(age_format.encrypt(plain, recipients))
    assert pyrage.decrypt(sealed, [x25519.Identity.from_str(identities[0])]) == plain
    assert age_format.decrypt(sealed, identities[1]) == plain
    damaged = bytearray(sealed)
    damaged[-5] ^= 0x01
    with pytest.raises(age_format.AgeError):
        age_format.decrypt(damaged, identities[0])
