"""Sending archives by e-mail: the SMTP settings, the committees' addresses, the send itself.

The settings live in the data folder (setting ``mail``: server, port, security, user name,
sender address, and one address per enrolled committee, keyed by its uid so a renamed
committee keeps its address; ``docs/formats/mail.md``). They travel with backups and a
restore brings them back.

The SMTP password is never stored in clear. It is encrypted with *age* to this committee's
own recipient (setting ``mail.password_sealed``, ``age:`` + base64), so setting it needs no
passphrase — only the public recipient — while reading it needs the age identity, which
only the passphrase opens (``keys/cles.ccskeys``). ``send`` already asks the passphrase to
sign, so nothing more is asked. A passphrase change keeps the same keys, so the sealed
password stays readable; see ``docs/decisions.md``. The journal records which settings
changed, never a password.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ccsdesk.core.errors import CcsError, InputError, StateError
from ccsdesk.core.exchange.transport import SECURITY_MODES
from ccsdesk.core.i18n import _
from ccsdesk.core.services import journal
from ccsdesk.core.services.member_fields import clean_email
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import Committee, ExchangeArchive, Setting

SETTINGS_KEY = "mail"
FORMAT = "ccsdesk-mail/1"  # docs/formats/mail.md
PASSWORD_KEY = "mail.password_sealed"
SEALED_PREFIX = "age:"
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")


@dataclass(frozen=True)
class MailSettings:
    """What is stored (the password only as ``has_password``)."""

    server: str = ""
    port: int = DEFAULT_PORTS["starttls"]
    security: str = "starttls"
    user: str = ""
    sender: str = ""
    addresses: Mapping[str, str] = field(default_factory=dict)
    has_password: bool = False

    @property
    def configured(self) -> bool:
        """Enough to send: a server and a sender address."""
        return bool(self.server and self.sender)


@dataclass(frozen=True)
class PeerAddress:
    """An enrolled committee and the address its archives are mailed to ("" if none)."""

    id: int
    uid: str
    relation: str
    name: str
    address: str


@dataclass(frozen=True)
class MailSent:
    """What ``send`` did: the exchange service's result, to which address, which file."""

    result: Any
    address: str
    file_name: str
    out: Path | None


def _read(session: Any) -> MailSettings:
    row = session.get(Setting, SETTINGS_KEY)
    stored: dict[str, Any] = json.loads(row.value) if row is not None else {}
    sealed = session.get(Setting, PASSWORD_KEY)
    return MailSettings(
        server=str(stored.get("server", "")), port=int(stored.get("port", 587)),
        security=str(stored.get("security", "starttls")), user=str(stored.get("user", "")),
        sender=str(stored.get("sender", "")),
        addresses=dict(stored.get("addresses", {})),
        has_password=sealed is not None and bool(json.loads(sealed.value)))


def load(folder: DataFolder) -> MailSettings:
    with folder.database.reading() as session:
        return _read(session)


def peers(folder: DataFolder) -> list[PeerAddress]:
    """The parent then the children, each with its stored address."""
    with folder.database.reading() as session:
        settings = _read(session)
        rows = session.scalars(select(Committee).where(
            Committee.relation.in_(("parent", "child"))).order_by(
                Committee.relation.desc(), Committee.name))
        return [PeerAddress(row.id, row.uid, row.relation, row.name,
                            settings.addresses.get(row.uid, "")) for row in rows]


def _clean_server(value: str) -> str:
    text = value.strip()
    if text and not _HOST.match(text):
        raise InputError(_("« {value} » is not a mail server name (for example "
                           "smtp.orange.ml).").format(value=value))
    return text


def _clean_port(value: int | str) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        port = 0
    if not 1 <= port <= 65535:
        raise InputError(_("The port must be a number from 1 to 65535 (587 for STARTTLS, "
                           "465 for SSL); « {value} » is not.").format(value=value))
    return port


def _clean_address(value: str) -> str:
    try:
        return clean_email(value)
    except InputError:
        raise InputError(_("« {value} » is not an e-mail address.").format(value=value)
                         ) from None


def _seal(session: Any, password: str) -> str:
    import pyrage
    from pyrage import x25519

    own = session.scalar(select(Committee).where(Committee.relation == "self"))
    if own is None or not own.age_recipient:
        raise StateError(_("This data folder has no committee yet: set it up first "
                           "(ccsdesk init)."))
    sealed = pyrage.encrypt(password.encode("utf-8"),
                            [x25519.Recipient.from_str(own.age_recipient)])
    return SEALED_PREFIX + base64.b64encode(sealed).decode("ascii")


def _find_peer(session: Any, to: str) -> Committee:
    from ccsdesk.core.services.exchange import find_peer

    return find_peer(session, to)


def update(folder: DataFolder, *, server: str | None = None, port: int | str | None = None,
           security: str | None = None, user: str | None = None, sender: str | None = None,
           password: str | None = None, forget_password: bool = False,
           addresses: Mapping[str, str] | None = None) -> MailSettings:
    """Change the given settings (``None`` leaves one as it is) in one transaction.

    ``addresses`` maps ``parent`` or a child's id to an address ("" removes it). A value
    that does not fit refuses the whole change. The journal names what changed.
    """
    if security is not None and security not in SECURITY_MODES:
        raise InputError(_("Unknown connection security « {value} »: choose starttls, ssl "
                           "or none.").format(value=security))
    if password is not None and forget_password:
        raise InputError(_("Give a new password or forget the stored one, not both."))
    with folder.database.unit_of_work() as session:
        current = _read(session)
        values = {"server": current.server, "port": current.port,
                  "security": current.security, "user": current.user,
                  "sender": current.sender, "addresses": dict(current.addresses)}
        changed: list[str] = []
        new = {
            "server": None if server is None else _clean_server(server),
            "security": security,
            "port": None if port is None else _clean_port(port),
            "user": None if user is None else user.strip(),
            "sender": None if sender is None else _clean_address(sender),
        }
        if security is not None and port is None and current.security != security \
                and current.port == DEFAULT_PORTS[current.security]:
            new["port"] = DEFAULT_PORTS[security]  # the usual port follows the security
        for key, value in new.items():
            if value is not None and value != values[key]:
                values[key] = value
                changed.append(key)
        peer_changes: dict[str, str] = {}
        for to, address in (addresses or {}).items():
            peer = _find_peer(session, to)
            clean = _clean_address(address)
            if values["addresses"].get(peer.uid, "") != clean:
                if clean:
                    values["addresses"][peer.uid] = clean
                else:
                    values["addresses"].pop(peer.uid, None)
                peer_changes[peer.uid] = clean
        row = session.get(Setting, SETTINGS_KEY)
        text = json.dumps({"format": FORMAT, **values}, ensure_ascii=False)
        if row is None:
            session.add(Setting(key=SETTINGS_KEY, value=text))
        else:
            row.value = text
        sealed = session.get(Setting, PASSWORD_KEY)
        if password is not None or forget_password:
            value = json.dumps(_seal(session, password) if password else "")
            if sealed is None:
                session.add(Setting(key=PASSWORD_KEY, value=value))
            else:
                sealed.value = value
            changed.append("password")  # that it changed, never what it is
        if changed or peer_changes:
            details: dict[str, Any] = {name: values[name] for name in changed
                                       if name != "password"}
            if "password" in changed:
                details["password"] = "forgotten" if not password else "replaced"
            if peer_changes:
                details["addresses"] = peer_changes
            journal.record(session, "mail.settings", "mail", details)
        session.flush()
        return _read(session)


def unseal_password(folder: DataFolder, passphrase: str) -> str:
    """The stored SMTP password, opened with the committee's keys ("" if none is stored)."""
    with folder.database.reading() as session:
        row = session.get(Setting, PASSWORD_KEY)
        sealed = json.loads(row.value) if row is not None else ""
    if not sealed:
        return ""
    from ccsdesk.core.exchange import keys

    secrets = keys.unlock(folder.keys_dir, passphrase)
    return _open_sealed(sealed, secrets.age_identity)


def _open_sealed(sealed: str, age_identity: str) -> str:
    import pyrage
    from pyrage import x25519

    try:
        if not sealed.startswith(SEALED_PREFIX):
            raise ValueError(sealed[:8])
        data = base64.b64decode(sealed[len(SEALED_PREFIX):], validate=True)
        return pyrage.decrypt(data, [x25519.Identity.from_str(age_identity)]).decode("utf-8")
    except (ValueError, UnicodeDecodeError, pyrage.DecryptError):
        raise StateError(_("The stored mail password cannot be opened with this "
                           "committee's keys; enter it again in the e-mail settings."))\
            from None


def _require_configured(settings: MailSettings) -> None:
    if not settings.configured:
        raise StateError(_("Sending by e-mail is not set up: give the mail server and the "
                           "sender address (Paramètres › Courrier électronique, or « ccsdesk "
                           "mail set --server … --from … »)."))


def _login_password(folder: DataFolder, settings: MailSettings, passphrase: str | None,
                    password: str | None) -> str:
    if password is not None or not settings.user:
        return password or ""
    if not settings.has_password:
        raise StateError(_("No mail password is stored for the user {user}: enter it in the "
                           "e-mail settings (or « ccsdesk mail set --password »).").format(
                               user=settings.user))
    if passphrase is None:
        raise InputError(_("The committee's passphrase is needed to open the stored mail "
                           "password."))
    return unseal_password(folder, passphrase)


def test_connection(folder: DataFolder, *, passphrase: str | None = None,
                    password: str | None = None, timeout: float = 20) -> MailSettings:
    """Connect, secure and log in with the stored settings; nothing is sent.

    ``password`` (one just typed, not saved yet) is used instead of the stored one.
    """
    from ccsdesk.core.exchange import transport

    settings = load(folder)
    _require_configured(settings)
    secret = _login_password(folder, settings, passphrase, password)
    transport.check_smtp(host=settings.server, port=settings.port, username=settings.user,
                         password=secret, security=settings.security, timeout=timeout)
    return settings


def address_for(folder: DataFolder, to: str) -> tuple[str, str]:
    """(committee name, address) for ``parent`` or a child's id; refuses a missing address."""
    with folder.database.reading() as session:
        peer = _find_peer(session, to)
        address = _read(session).addresses.get(peer.uid, "")
        if not address:
            raise StateError(_("No e-mail address is known for « {name} »: enter it in "
                               "Paramètres › Courrier électronique, or « ccsdesk mail set "
                               "--address {to}=ADDRESS ».").format(name=peer.name, to=to))
        return peer.name, address


def draft_addresses(folder: DataFolder, to: str) -> tuple[str, str]:
    """(addressee, sender) to pre-fill an ``.eml`` draft with; "" for what is not known."""
    with folder.database.reading() as session:
        peer = _find_peer(session, to)
        settings = _read(session)
        return settings.addresses.get(peer.uid, ""), settings.sender


def send(folder: DataFolder, to: str, passphrase: str, *, out: Path | None = None,
         timeout: float = 60) -> MailSent:
    """Build the archive due to ``to`` and mail it (and, with ``out``, write it there too).

    Everything is checked before the archive is built (settings, address, password, and a
    login to the server). The mail is sent inside the exchange service's transaction, so a
    failure then (the server refusing the message, the line dropping) records nothing as
    sent; the file written to ``out`` for that archive is removed too, since its number
    will be used again. The transaction holds the database's write lock while the message
    goes out: other writes wait (15 s at most, then refuse) — see ``docs/decisions.md``.
    """
    from ccsdesk.core.exchange import transport
    from ccsdesk.core.services import exchange

    settings = load(folder)
    _require_configured(settings)
    peer_name, address = address_for(folder, to)
    secret = _login_password(folder, settings, passphrase, None)
    # Log in once before building: a wrong password or an unreachable server is said at
    # once, without signing and encrypting for nothing or holding the database meanwhile.
    transport.check_smtp(host=settings.server, port=settings.port, username=settings.user,
                         password=secret, security=settings.security,
                         timeout=min(timeout, 20))
    own = exchange.own_identity(folder)
    with folder.database.reading() as session:
        peer = _find_peer(session, to)
        sequence = (session.scalar(select(func.max(ExchangeArchive.sequence)).where(
            ExchangeArchive.direction == "out", ExchangeArchive.peer_id == peer.id)) or 0) + 1
    file_name = transport.archive_name(own.name, peer_name, sequence)
    written: list[Path] = []

    def write(data: bytes) -> None:
        if out is not None:
            transport.write_verified(out, data)
            written.append(out)
        draft = transport.email_draft(data, file_name, sender_name=own.name,
                                      receiver_name=peer_name, sequence=sequence,
                                      to=address, from_=settings.sender)
        transport.send_by_smtp(draft, host=settings.server, port=settings.port,
                               username=settings.user, password=secret,
                               security=settings.security, timeout=timeout)

    try:
        result = exchange.send(folder, to, passphrase, write)
    except CcsError as error:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
            error.details.append(_("The file {file} was removed too: this archive was not "
                                   "recorded as sent.").format(file=path))
        raise
    return MailSent(result=result, address=address, file_name=file_name, out=out)

