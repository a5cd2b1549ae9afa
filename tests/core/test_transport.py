"""Writing archives to a stick: verified copies, a full stick, a removed one; e-mail drafts."""

from __future__ import annotations

import email
import os
from email import policy
from pathlib import Path

import pytest

from ccsdesk.core.errors import InputError, StorageError
from ccsdesk.core.exchange import transport, verified_copy
from tests.conftest import small_filesystem


def test_verified_write_and_names(tmp_path: Path) -> None:
    data = os.urandom(300_000)
    target = tmp_path / "cle" / "envoi.ccsa"
    target.parent.mkdir()
    transport.write_verified(target, data)
    assert target.read_bytes() == data
    assert list(target.parent.iterdir()) == [target]
    name = transport.archive_name("CCS de la Commune IV", "CCS du District de Bamako", 7)
    assert name == "CCS-de-la-Commune-IV_vers_CCS-du-District-de-Bamako_0007.ccsa"


@pytest.mark.parametrize("steps", [(), (4095, 4096, 70_000, 131_072, 199_999)])
def test_read_back_sees_any_difference(tmp_path: Path, steps: tuple[int, ...]) -> None:
    """The comparison a verified copy makes, on the whole file at once or range by range
    (ranges ending off the 4 KiB boundaries direct reads need)."""
    data = os.urandom(200_000)  # four 64 KiB comparisons, the last one partial
    target = tmp_path / "envoi.ccsa"
    target.write_bytes(data)
    assert verified_copy.reads_back(target, bytearray(data), steps)
    for position in (0, 4095, 4096, 65535, 65536, 150_000, len(data) - 1):
        changed = bytearray(data)
        changed[position] ^= 0x01
        target.write_bytes(changed)
        assert not verified_copy.reads_back(target, data, steps), position
    for other in (data[:-1], data + b"x", data[:65536], b""):
        target.write_bytes(other)
        assert not verified_copy.reads_back(target, data, steps)


def test_removed_stick_creates_nothing(tmp_path: Path) -> None:
    gone = tmp_path / "media" / "CLE_USB"
    with pytest.raises(StorageError, match="retirée"):
        transport.write_verified(gone / "envoi.ccsa", b"data")
    assert not gone.exists()


@pytest.fixture
def tiny_stick(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 64 KB tmpfs standing in for a nearly full USB stick (needs root)."""
    yield from small_filesystem(tmp_path / "stick", "64k")


def test_full_stick_leaves_nothing_behind(tiny_stick: Path) -> None:
    (tiny_stick / "autre.txt").write_bytes(b"x" * 1000)
    with pytest.raises(StorageError, match="pas assez de place"):
        transport.write_verified(tiny_stick / "envoi.ccsa", os.urandom(200_000))
    assert sorted(p.name for p in tiny_stick.iterdir()) == ["autre.txt"]
    # What fits is written and verified.
    transport.write_verified(tiny_stick / "petit.ccsa", b"y" * 10_000)
    assert (tiny_stick / "petit.ccsa").stat().st_size == 10_000


def test_email_draft_opens_as_a_draft_with_the_archive(tmp_path: Path) -> None:
    data = os.urandom(5000)
    raw = transport.email_draft(data, "envoi_0003.ccsa",
                                sender_name="CCS de la Commune IV",
                                receiver_name="CCS du District de Bamako", sequence=3,
                                to="ccs.district@example.ml")
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["X-Unsent"] == "1" and message["To"] == "ccs.district@example.ml"
    assert message["Subject"] == "Archive CCS n° 3 du CCS de la Commune IV"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Bonjour" in body and "CCS du District de Bamako" in body
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == "envoi_0003.ccsa"
    assert attachment.get_content() == data
    with pytest.raises(InputError):
        transport.email_draft(data, "../x", sender_name="a", receiver_name="b", sequence=1)


def test_removable_drives_lists_mount_points() -> None:
    drives = transport.removable_drives()
    assert all(os.path.ismount(d.path) for d in drives)


class _Smtp:
    """A minimal SMTP server on localhost: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT."""

    def __init__(self, password: str) -> None:
        import socket
        import threading

        self.password = password
        self.received: list[bytes] = []
        self.log: list[bytes] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        import base64

        connection, _ = self.sock.accept()
        stream = connection.makefile("rwb")

        def say(line: bytes) -> None:
            stream.write(line + b"\r\n")
            stream.flush()

        say(b"220 test")
        while line := stream.readline():
            self.log.append(line)
            verb = line[:4].upper()
            if verb == b"EHLO":
                say(b"250-test")
                say(b"250 AUTH PLAIN")
            elif verb == b"AUTH":
                _user, _, secret = base64.b64decode(line.split()[2]).partition(b"\0")
                secret = secret.partition(b"\0")[2]
                say(b"235 ok" if secret.decode() == self.password else b"535 no")
            elif verb == b"DATA":
                say(b"354 go")
                body = b""
                while (chunk := stream.readline()) != b".\r\n":
                    body += chunk
                self.received.append(body)
                say(b"250 queued")
            elif verb == b"QUIT":
                say(b"221 bye")
                break
            else:
                say(b"250 ok")
        connection.close()


def test_smtp_sends_the_draft_and_keeps_the_password_out_of_errors() -> None:
    data = os.urandom(2000)
    draft = transport.email_draft(data, "envoi.ccsa", sender_name="CCS de la Commune IV",
                                  receiver_name="CCS du District de Bamako", sequence=1,
                                  to="district@example.ml")
    server = _Smtp("mot-de-passe-smtp")
    transport.send_by_smtp(draft, host="127.0.0.1", port=server.port, username="commune4",
                           password="mot-de-passe-smtp", starttls=False, timeout=10)
    server.thread.join(5)
    sent = email.message_from_bytes(server.received[0], policy=policy.default)
    assert sent["X-Unsent"] is None and sent["To"] == "district@example.ml"
    assert next(sent.iter_attachments()).get_content() == data
    wrong = _Smtp("autre")
    with pytest.raises(InputError, match="refusé") as refused:
        transport.send_by_smtp(draft, host="127.0.0.1", port=wrong.port, username="commune4",
                               password="mot-de-passe-smtp", starttls=False, timeout=10)
    assert "mot-de-passe-smtp" not in str(refused.value)
    with pytest.raises(StorageError, match=r"127\.0\.0\.1") as failed:
        transport.send_by_smtp(draft, host="127.0.0.1", port=1, username="u",
                               password="mot-de-passe-smtp", starttls=False, timeout=5)
    assert "mot-de-passe-smtp" not in str(failed.value)
