"""A file written while it is produced and read back from the device as it goes."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccsdesk.core.errors import StorageError
from ccsdesk.core.exchange import age_format, archive, keys, verified_copy
from tests.conftest import open_files_under, small_filesystem


def _stream(copy: verified_copy.VerifiedCopy, data: bytes, pieces: list[int]) -> None:
    """Give ``data`` through the copy's own blocks, filled ``pieces`` bytes at a time."""
    start = 0
    for size in pieces:
        block = copy.take()
        block[:size] = data[start:start + size]
        copy.give(block, size)
        start += size
    assert start == len(data)


def test_blocks_given_in_any_sizes_make_the_same_file(tmp_path: Path) -> None:
    # Three blocks for eleven pieces: each goes back to the producer once checked.
    pieces = [1, 4095, 4097, verified_copy.BLOCK, 123_457, verified_copy.BLOCK - 1, 7,
              verified_copy.BLOCK, 65_552, 2, 300_000]
    data = os.urandom(sum(pieces))
    target = tmp_path / "envoi.ccsa"
    descriptors = open_files_under(tmp_path)
    with verified_copy.VerifiedCopy(target, blocks=3) as copy:
        _stream(copy, data, pieces)
        copy.finish()
        assert not target.exists()  # checked, not named yet
        # Closed before the rename (Windows renames no open file), and only once.
        assert open_files_under(tmp_path) == descriptors == []
        copy.commit()
    assert target.read_bytes() == data
    assert sorted(tmp_path.iterdir()) == [target]
    assert open_files_under(tmp_path) == []


def test_the_device_is_read_back_directly_where_the_file_system_allows(tmp_path: Path) -> None:
    """On Linux the read-back bypasses the system's cache (O_DIRECT) on a disk's file system;
    tmpfs refuses it and the cache is dropped instead (tests run on both)."""
    target = tmp_path / "x.bin"
    target.write_bytes(b"x" * 10)
    reader = verified_copy._Reader(target)
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            kinds = {line.split()[1]: line.split()[2] for line in mounts}
        kind = kinds[next(str(p) for p in (target, *target.parents) if str(p) in kinds)]
        if kind == "tmpfs":
            assert not reader.direct
        elif kind in ("ext4", "xfs", "btrfs"):
            assert reader.direct
        else:
            pytest.skip(f"the temporary folder is on {kind}")
    finally:
        reader.close()


def test_discarding_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "envoi.ccsa"
    with verified_copy.VerifiedCopy(target) as copy:
        copy.write(os.urandom(3 * verified_copy.BLOCK + 5))
        copy.finish()
    assert list(tmp_path.iterdir()) == []
    with verified_copy.VerifiedCopy(target) as copy:
        copy.write(os.urandom(1000))
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def stick(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs standing in for a nearly full USB stick (needs root)."""
    yield from small_filesystem(tmp_path / "stick", "1m")


def test_a_full_stick_stops_the_producer_and_leaves_nothing(stick: Path) -> None:
    (stick / "autre.txt").write_bytes(b"x" * 1000)
    data = os.urandom(3 * verified_copy.BLOCK)
    # The stick fills while the archive is still being sealed: the producer is stopped,
    # and the message gives the whole archive's size, not what was written before.
    with pytest.raises(StorageError, match=r"pas assez de place.*\(3\s072 Ko"), \
            verified_copy.VerifiedCopy(stick / "envoi.ccsa", blocks=2,
                                       expected=len(data)) as copy:
        _stream(copy, data, [verified_copy.BLOCK] * 3)
        copy.commit()
    assert sorted(p.name for p in stick.iterdir()) == ["autre.txt"]


@pytest.fixture
def disk_stick(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB ext4 file system on a loop device: a nearly full stick on which direct writes
    and reads really happen (needs root, mkfs.ext4 and a loop device; skipped elsewhere)."""
    image, mount_point = tmp_path / "cle.img", tmp_path / "cle"
    mount_point.mkdir()
    if os.geteuid() != 0 or not shutil.which("mkfs.ext4"):
        pytest.skip("a loop-mounted file system needs root and mkfs.ext4")
    with image.open("wb") as handle:
        handle.truncate(8 * 1024 * 1024)
    made = subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], capture_output=True)
    mounted = made.returncode == 0 and subprocess.run(
        ["mount", "-o", "loop", str(image), str(mount_point)], capture_output=True).returncode == 0
    if not mounted:
        pytest.skip("no loop device to mount a file system on")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def test_direct_io_on_a_disk_file_system_and_a_full_one(disk_stick: Path) -> None:
    """Whole blocks go straight to the device and the copy reads back identical; when the
    device fills mid-way, the producer stops, the message says so and nothing is left."""
    data = os.urandom(3 * verified_copy.BLOCK + 5)
    with verified_copy.VerifiedCopy(disk_stick / "a.ccsa", expected=len(data)) as copy:
        assert copy.direct
        _stream(copy, data, [verified_copy.BLOCK] * 3 + [5])
        copy.commit()
    assert copy.direct_bytes == 3 * verified_copy.BLOCK
    assert (disk_stick / "a.ccsa").read_bytes() == data
    too_big = os.urandom(12 * verified_copy.BLOCK)
    with pytest.raises(StorageError, match="pas assez de place"), \
            verified_copy.VerifiedCopy(disk_stick / "b.ccsa", expected=len(too_big)) as copy:
        _stream(copy, too_big, [verified_copy.BLOCK] * 12)
        copy.commit()
    assert sorted(p.name for p in disk_stick.iterdir()) == ["a.ccsa", "lost+found"]


def test_a_fault_in_a_thread_is_raised_not_lost(tmp_path: Path) -> None:
    with verified_copy.VerifiedCopy(tmp_path / "envoi.ccsa") as copy:
        # Not ours and not bytes: written, then the checker cannot compare it in place.
        copy.give(memoryview(b"x" * 10), 10)
        with pytest.raises(AttributeError):
            copy.finish()
    assert list(tmp_path.iterdir()) == []


def test_a_removed_stick_creates_nothing(tmp_path: Path) -> None:
    gone = tmp_path / "media" / "CLE_USB"
    with pytest.raises(StorageError, match="retirée"):
        verified_copy.VerifiedCopy(gone / "envoi.ccsa")
    assert not gone.exists()


def test_an_archive_sealed_to_a_file_is_the_archive_sealed_in_memory(tmp_path: Path) -> None:
    """``archive.seal_to`` (straight to the stick) writes an archive that opens exactly as one
    sealed in memory, large stored entry and small deflated ones alike, with CRC-32s that
    the standard library's own zlib confirms (zipfile computes them with zlib-ng)."""
    secrets, public = keys.generate("CCS de test", "Mali")
    entries = [archive.Entry("entries/packets/p.pdf", "packet", os.urandom(5_000_000), "p"),
               archive.Entry("entries/sessions/s.json", "session", b'{"a": 1}' * 1000, "s")]
    manifest = {"sender": {"uid": "a", "name": "A"}, "receiver": {"uid": "b", "name": "B"},
                "sequence": 1, "created": "2026-03-10T10:00:00+00:00"}
    target = tmp_path / "envoi.ccsa"
    with verified_copy.VerifiedCopy(target) as copy:
        size, manifest_bytes = archive.seal_to(copy, manifest, entries,
                                               secrets.signing_key_der,
                                               [public.certificate_pem], [public.age_recipient])
        copy.commit()
    assert target.stat().st_size == size
    if copy.direct:
        # Every block but the last went straight to the device (blocks filled to the byte).
        assert copy.direct_bytes == size - size % verified_copy.BLOCK
    inner = age_format.decrypt(target.read_bytes(), secrets.age_identity)
    contents = archive.unpack(inner)
    assert contents.manifest_bytes == manifest_bytes
    assert {path: entry.data for path, entry in contents.entries.items()} == {
        entry.path: entry.data for entry in entries}
    with zipfile.ZipFile(io.BytesIO(inner)) as unzipped:
        for info in unzipped.infolist():
            assert zlib.crc32(unzipped.read(info)) == info.CRC, info.filename
