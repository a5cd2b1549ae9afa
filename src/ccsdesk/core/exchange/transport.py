"""Getting an archive out: a USB stick written safely, or a ready e-mail draft.

A stick may be full or pulled out mid-copy, and the secretary may walk away with it at once,
so a copy is only reported done once the file was written under a temporary name, flushed to
the device, read back identical and renamed (``verified_copy``). Whatever fails, no
half-written file is left under the final name or the temporary one.

The e-mail path writes an ``.eml`` draft (the archive attached, a French cover text) with
``X-Unsent: 1`` so Outlook opens it ready to send; Thunderbird opens it too. Where an office
has an SMTP server, :func:`send_by_smtp` sends the same message directly; the password is
used for the login only and never appears in a message or a log.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

import ccsdesk.core.exchange as exchange_package
from ccsdesk.core.errors import InputError, StorageError
from ccsdesk.core.exchange.verified_copy import VerifiedCopy
from ccsdesk.core.i18n import _

LINUX_MOUNT_ROOTS = ("/media", "/run/media", "/mnt")
DRIVE_REMOVABLE = 2
ARCHIVE_SUFFIX = exchange_package.ARCHIVE_SUFFIX


@dataclass(frozen=True)
class Drive:
    """A removable drive the file can be written to."""

    path: Path
    label: str


def removable_drives() -> list[Drive]:
    """USB sticks and other removable drives currently mounted."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import ctypes
        import string

        kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
        mask = kernel.GetLogicalDrives()
        found = []
        for index, letter in enumerate(string.ascii_uppercase):
            root = f"{letter}:\\"
            if mask >> index & 1 and kernel.GetDriveTypeW(root) == DRIVE_REMOVABLE:
                found.append(Drive(Path(root), root))
        return found
    found = []
    for root in LINUX_MOUNT_ROOTS:
        base = Path(root)
        if not base.is_dir():
            continue
        candidates = []
        for child in sorted(base.iterdir()):
            # /media/USER/LABEL and /run/media/USER/LABEL hold one more level.
            if child.is_dir() and not os.path.ismount(child):
                candidates.extend(sorted(p for p in child.iterdir() if p.is_dir()))
            else:
                candidates.append(child)
        for path in candidates:
            if os.path.ismount(path):
                found.append(Drive(path, path.name))
    return found


def write_verified(path: Path, data: bytes | bytearray | memoryview) -> None:
    """Write ``data`` to ``path`` by the USB rule (temporary name, flushed, read back from
    the device identical, renamed; nothing left behind on failure)."""
    with VerifiedCopy(path, expected=memoryview(data).nbytes) as copy:
        copy.write(data)
        copy.commit()


def archive_name(sender: str, receiver: str, sequence: int) -> str:
    """A file name people recognise: who to whom, which number."""
    def slug(text: str) -> str:
        kept = "".join(ch if ch.isalnum() else "-" for ch in text)
        return "-".join(part for part in kept.split("-") if part)[:40]

    return f"{slug(sender)}_vers_{slug(receiver)}_{sequence:04d}{ARCHIVE_SUFFIX}"


def email_draft(data: bytes, file_name: str, *, sender_name: str, receiver_name: str,
                sequence: int, to: str = "", from_: str = "") -> bytes:
    """An ``.eml`` draft carrying the archive, with a cover text in the interface language."""
    if not file_name or "/" in file_name or "\\" in file_name:
        raise InputError(_("The attachment's file name is not valid."))
    message = EmailMessage()
    message["Subject"] = _("CCS archive no. {sequence} from {sender}").format(
        sequence=sequence, sender=sender_name)
    if to:
        message["To"] = to
    if from_:
        message["From"] = from_
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="ccsdesk.invalid")
    message["X-Unsent"] = "1"
    message.set_content(_(
        "Hello,\n\n"
        "Please find attached archive no. {sequence} of the {sender} for the {receiver}.\n"
        "It is encrypted: only the addressed committee can open it, with CCS Desk "
        "(Échanges › Recevoir, or « ccsdesk receive FILE »).\n"
        "Do not rename or open the attached file before importing it.\n\n"
        "Kind regards,\nThe secretariat of the {sender}\n").format(
            sequence=sequence, sender=sender_name, receiver=receiver_name))
    message.add_attachment(data, maintype="application", subtype="octet-stream",
                           filename=file_name)
    return bytes(message)


SECURITY_MODES = ("starttls", "ssl", "none")


@contextlib.contextmanager
def _smtp_session(host: str, port: int, username: str, password: str, security: str,
                  timeout: float) -> Iterator[Any]:
    """A logged-in SMTP connection; every failure becomes a refusal naming the server only.

    Certificates are checked (``ssl.create_default_context``): a mail password sent to a
    server that cannot prove its name could be read by whoever answers. ``smtplib``'s own
    exceptions may quote the server's reply, which never holds the password, but their
    text is still not passed on: the reason given is the kind of failure.
    """
    import smtplib
    import socket
    import ssl

    if security not in SECURITY_MODES:
        raise InputError(_("Unknown connection security « {value} »: choose starttls, ssl "
                           "or none.").format(value=security))
    context = ssl.create_default_context()
    try:
        if security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                                    context=context)
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        with server:
            if security == "starttls":
                server.starttls(context=context)
            if username:
                server.login(username, password)
            yield server
    except smtplib.SMTPAuthenticationError:
        raise InputError(_("The mail server {host} refused the user name or the password; "
                           "nothing was sent.").format(host=host)) from None
    except smtplib.SMTPNotSupportedError:
        raise StorageError(_("The mail server {host} does not offer what the settings ask "
                             "(secure connection or login); check the security and the "
                             "port; nothing was sent.").format(host=host)) from None
    except smtplib.SMTPRecipientsRefused as error:
        raise InputError(_("The mail server {host} refused the address {address}; check "
                           "it in the e-mail settings; nothing was sent.").format(
                               host=host, address=", ".join(error.recipients))) from None
    except smtplib.SMTPSenderRefused as error:
        raise InputError(_("The mail server {host} refused the sender address {address}; "
                           "nothing was sent.").format(host=host, address=error.sender)
                         ) from None
    except ssl.SSLCertVerificationError:
        raise StorageError(_("The secure connection with {host} failed: the server's "
                             "certificate could not be verified, so the password was not "
                             "sent. Check the server's name with your provider; nothing was "
                             "sent.").format(host=host)) from None
    except ssl.SSLError as error:
        raise StorageError(_("The secure connection with {host} failed ({reason}); check "
                             "the security (STARTTLS, SSL) and the port; nothing was "
                             "sent.").format(host=host, reason=error.reason or "SSL")
                           ) from None
    except (socket.gaierror, ConnectionRefusedError, TimeoutError) as error:
        reason = _("the name is unknown") if isinstance(error, socket.gaierror) else (
            _("no answer") if isinstance(error, TimeoutError) else _("connection refused"))
        raise StorageError(_("The mail server {host} (port {port}) cannot be reached: "
                             "{reason}. Check its name, its port and the connection; "
                             "nothing was sent.").format(host=host, port=port,
                                                         reason=reason)) from None
    except smtplib.SMTPResponseException as error:
        # The server's own words say why (« message too big »…); they hold no password.
        text = error.smtp_error.decode("utf-8", "replace") if isinstance(
            error.smtp_error, bytes) else str(error.smtp_error)
        reason = f"{error.smtp_code} {' '.join(text.split())}"[:160]
        raise StorageError(_("The e-mail could not be sent through {host} ({reason}); "
                             "nothing was sent.").format(host=host, reason=reason)) from None
    except (smtplib.SMTPException, OSError) as error:
        reason = type(error).__name__ if isinstance(error, smtplib.SMTPException) else (
            error.strerror or type(error).__name__)
        raise StorageError(_("The e-mail could not be sent through {host} ({reason}); "
                             "nothing was sent.").format(host=host, reason=reason)) from None


def send_by_smtp(message_bytes: bytes, *, host: str, port: int = 587, username: str = "",
                 password: str = "", starttls: bool = True, security: str | None = None,
                 timeout: float = 60) -> None:
    """Send a draft from :func:`email_draft` (which must have a ``To``) through SMTP.

    ``security`` is one of :data:`SECURITY_MODES` (``starttls`` by default; ``starttls=False``
    is the older spelling of ``none``). Errors are reported with the server's name and the
    kind of failure, never with the password; the ``X-Unsent`` draft marker is removed from
    what is sent.
    """
    import socket
    from email import message_from_bytes
    from email import policy as email_policy

    message = message_from_bytes(message_bytes, policy=email_policy.SMTP)
    if not message.get("To"):
        raise InputError(_("The e-mail has no addressee: give the receiving committee's "
                           "address."))
    del message["X-Unsent"]
    if not message.get("From"):
        message["From"] = username or f"ccsdesk@{socket.gethostname() or 'localhost'}"
    mode = security or ("starttls" if starttls else "none")
    with _smtp_session(host, port, username, password, mode, timeout) as server:
        server.send_message(message)


def check_smtp(*, host: str, port: int, username: str = "", password: str = "",
               security: str = "starttls", timeout: float = 20) -> None:
    """Connect, secure, log in and say goodbye: what « Tester la connexion » checks.

    Sends nothing; raises the same refusals as :func:`send_by_smtp`.
    """
    with _smtp_session(host, port, username, password, security, timeout) as server:
        server.noop()
