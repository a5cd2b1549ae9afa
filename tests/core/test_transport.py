"""Writing archives to a stick: verified copies, a full stick, a removed one; e-mail drafts."""

from __future__ import annotations

import email
import os
import shutil
import subprocess
from email import policy
from pathlib import Path

import pytest

from ccsdesk.core.errors import InputError, StorageError
from ccsdesk.core.exchange import transport


def test_verified_write_and_names(tmp_path: Path) -> None:
    data = os.urandom(300_000)
    target = tmp_path / "cle" / "envoi.ccsarchive"
    target.parent.mkdir()
    transport.write_verified(target, data)
    assert target.read_bytes() == data
    assert list(target.parent.iterdir()) == [target]
    name = transport.archive_name("CCS de la Commune IV", "CCS du District de Bamako", 7)
    assert name == "CCS-de-la-Commune-IV_vers_CCS-du-District-de-Bamako_0007.ccsarchive"


def test_removed_stick_creates_nothing(tmp_path: Path) -> None:
    gone = tmp_path / "media" / "CLE_USB"
    with pytest.raises(StorageError, match="retirée"):
        transport.write_verified(gone / "envoi.ccsarchive", b"data")
    assert not gone.exists()


@pytest.fixture
def tiny_stick(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 64 KB tmpfs standing in for a nearly full USB stick (needs root)."""
    mount_point = tmp_path / "stick"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small filesystem needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs",
                           str(mount_point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("tmpfs cannot be mounted here")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=True)


def test_full_stick_leaves_nothing_behind(tiny_stick: Path) -> None:
    (tiny_stick / "autre.txt").write_bytes(b"x" * 1000)
    with pytest.raises(StorageError, match="pas assez de place"):
        transport.write_verified(tiny_stick / "envoi.ccsarchive", os.urandom(200_000))
    assert sorted(p.name for p in tiny_stick.iterdir()) == ["autre.txt"]
    # What fits is written and verified.
    transport.write_verified(tiny_stick / "petit.ccsarchive", b"y" * 10_000)
    assert (tiny_stick / "petit.ccsarchive").stat().st_size == 10_000


def test_email_draft_opens_as_a_draft_with_the_archive(tmp_path: Path) -> None:
    data = os.urandom(5000)
    raw = transport.email_draft(data, "envoi_0003.ccsarchive",
                                sender_name="CCS de la Commune IV",
                                receiver_name="CCS du District de Bamako", sequence=3,
                                to="ccs.district@example.ml")
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["X-Unsent"] == "1" and message["To"] == "ccs.district@example.ml"
    assert message["Subject"] == "Archive CCS n° 3 du CCS de la Commune IV"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Bonjour" in body and "CCS du District de Bamako" in body
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == "envoi_0003.ccsarchive"
    assert attachment.get_content() == data
    with pytest.raises(InputError):
        transport.email_draft(data, "../x", sender_name="a", receiver_name="b", sequence=1)


def test_removable_drives_lists_mount_points() -> None:
    drives = transport.removable_drives()
    assert all(os.path.ismount(d.path) for d in drives)
