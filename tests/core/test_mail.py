"""Sending archives by e-mail: settings, the sealed password, and real SMTP sends.

A real SMTP server runs on 127.0.0.1 (``tests/core/smtp_server.py``); the commune mails its
archive to the District, the District imports exactly the attachment. Refusals (wrong
password, server down, no address, unverifiable certificate) record nothing as sent.
"""

from __future__ import annotations

import base64
import datetime
import email
import json
import shutil
import ssl
import subprocess
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ccsdesk.core.errors import InputError, StateError, StorageError, WrongPassphraseError
from ccsdesk.core.exchange import keys
from ccsdesk.core.services import keys_admin, mail
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import ExchangeArchive, JournalEntry, Setting
from tests.conftest import PASSPHRASE
from tests.core.exchange_helpers import Office, signed_session
from tests.core.smtp_server import MailServer

SMTP_PASSWORD = "Smtp-Mopti-4417-jamais-en-clair"


def _setting_rows(folder: DataFolder) -> dict[str, str]:
    with folder.database.reading() as session:
        return {row.key: row.value for row in session.scalars(select(Setting))}


def _journal_text(folder: DataFolder) -> str:
    with folder.database.reading() as session:
        return "\n".join(f"{e.action} {e.details}" for e in session.scalars(
            select(JournalEntry)))


def test_settings_are_checked_and_the_password_is_sealed(commune: DataFolder) -> None:
    assert not mail.load(commune).configured
    saved = mail.update(commune, server="smtp.orange.ml", sender="ccs.commune4@orange.ml",
                        user="ccs.commune4", password=SMTP_PASSWORD)
    assert saved.configured and saved.has_password
    assert (saved.port, saved.security) == (587, "starttls")
    assert mail.update(commune, security="ssl").port == 465  # the usual port follows

    rows = _setting_rows(commune)
    assert json.loads(rows[mail.SETTINGS_KEY])["format"] == "ccsdesk-mail/1"
    sealed = json.loads(rows[mail.PASSWORD_KEY])
    assert sealed.startswith("age:") and SMTP_PASSWORD not in json.dumps(rows)
    assert mail.unseal_password(commune, PASSPHRASE) == SMTP_PASSWORD
    with pytest.raises(WrongPassphraseError):
        mail.unseal_password(commune, "pas-la-bonne-phrase")
    journal = _journal_text(commune)
    assert "mail.settings" in journal and "replaced" in journal
    assert SMTP_PASSWORD not in journal

    before = _setting_rows(commune)
    for bad in ({"port": "587a"}, {"port": 70000}, {"security": "tls"},
                {"sender": "pas une adresse"}, {"server": "smtp orange"},
                {"addresses": {"parent": "x@y.ml"}},  # no parent enrolled
                {"password": "x", "forget_password": True}):
        with pytest.raises((InputError, StateError)) as refused:
            mail.update(commune, **bad)  # type: ignore[arg-type]
        assert refused.value.message
    assert _setting_rows(commune) == before

    # A passphrase change keeps the same keys: the sealed password still opens.
    keys_admin.change_passphrase(commune, PASSPHRASE, "nouvelle-phrase-secrete")
    assert mail.unseal_password(commune, "nouvelle-phrase-secrete") == SMTP_PASSWORD
    forgotten = mail.update(commune, forget_password=True)
    assert not forgotten.has_password
    assert mail.unseal_password(commune, "nouvelle-phrase-secrete") == ""


@pytest.mark.skipif(shutil.which("age") is None, reason="the stock age tool is not installed")
def test_the_stock_age_tool_opens_the_sealed_password(commune: DataFolder,
                                                      tmp_path: Path) -> None:
    """What docs/formats/mail.md says: an age file to the committee's own recipient."""
    mail.update(commune, password=SMTP_PASSWORD)
    sealed = json.loads(_setting_rows(commune)[mail.PASSWORD_KEY])
    (tmp_path / "scelle.age").write_bytes(base64.b64decode(sealed.removeprefix("age:")))
    identity = tmp_path / "cle.txt"
    identity.write_text(keys.unlock(commune.keys_dir, PASSPHRASE).age_identity + "\n")
    opened = subprocess.run(["age", "-d", "-i", str(identity), str(tmp_path / "scelle.age")],
                            capture_output=True, timeout=30, check=True)
    assert opened.stdout.decode("utf-8") == SMTP_PASSWORD


@pytest.fixture
def offices(pair: tuple[Office, Office]) -> tuple[Office, Office]:
    """The enrolled pair, with a signed session at the commune waiting to go up."""
    signed_session(pair[0].folder)
    return pair


def _configure(commune: Office, server: MailServer, **changes: object) -> None:
    values: dict[str, object] = {
        "server": "127.0.0.1", "port": server.port, "security": "none",
        "user": "ccs.commune4", "password": SMTP_PASSWORD,
        "sender": "ccs.commune4@exemple.ml",
        "addresses": {"parent": "ccs.district@exemple.ml"}}
    values.update(changes)
    mail.update(commune.folder, **values)  # type: ignore[arg-type]


def _sent_count(folder: DataFolder) -> int:
    with folder.database.reading() as session:
        return session.scalar(select(func.count()).select_from(ExchangeArchive).where(
            ExchangeArchive.direction == "out")) or 0


def test_an_archive_mailed_to_the_district_is_imported_there(offices, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    commune, district = offices
    with MailServer(user="ccs.commune4", password=SMTP_PASSWORD) as server:
        _configure(commune, server)
        assert mail.test_connection(commune.folder, passphrase=PASSPHRASE).server == "127.0.0.1"
        copy = tmp_path / "copie.ccsa"
        sent = mail.send(commune.folder, "parent", PASSPHRASE, out=copy, timeout=10)
    # « Tester la connexion », then the send's own check before building, then the send.
    assert server.logins == ["ccs.commune4"] * 3
    assert len(server.messages) == 1
    received = server.messages[0]
    assert received.sender == "ccs.commune4@exemple.ml"
    assert received.recipients == ["ccs.district@exemple.ml"]
    message = email.message_from_bytes(received.data, policy=policy.default)
    assert message["X-Unsent"] is None and message["To"] == "ccs.district@exemple.ml"
    assert "Bonjour" in message.get_body(preferencelist=("plain",)).get_content()
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == sent.file_name
    assert sent.file_name.endswith("_0001.ccsa")
    data = attachment.get_content()
    assert data == copy.read_bytes() and len(data) == sent.result.size
    result = district.receive(data)
    assert result.sequence == 1 and result.sessions == 1
    assert _sent_count(commune.folder) == 1
    assert SMTP_PASSWORD.encode() not in b"".join(server.lines)  # only its base64 travelled


def test_refusals_record_nothing_as_sent(offices, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    commune, _district = offices
    with pytest.raises(StateError, match="n’est pas configuré"):
        mail.send(commune.folder, "parent", PASSPHRASE)
    copy = tmp_path / "copie.ccsa"
    with MailServer(user="ccs.commune4", password="un-autre-mot-de-passe") as server:
        _configure(commune, server)
        with pytest.raises(InputError, match="refusé") as refused:
            mail.send(commune.folder, "parent", PASSPHRASE, out=copy, timeout=10)
        with pytest.raises(InputError, match="refusé"):
            mail.test_connection(commune.folder, passphrase=PASSPHRASE)
    assert server.messages == [] and not copy.exists()
    assert SMTP_PASSWORD not in str(refused.value) + repr(refused.value.details)
    # The login works but the server refuses the message itself (too big): the copy
    # written beside it is removed, since that number will be used again.
    with MailServer(user="ccs.commune4", password=SMTP_PASSWORD,
                    refuse_data=True) as server:
        _configure(commune, server)
        with pytest.raises(StorageError, match=r"554 5\.3\.4 Message too big") as too_big:
            mail.send(commune.folder, "parent", PASSPHRASE, out=copy, timeout=10)
    assert server.messages == [] and not copy.exists()
    assert any("copie.ccsa" in line and "supprimé" in line for line in too_big.value.details)
    # The server is gone now: unreachable, said plainly.
    with pytest.raises(StorageError, match=r"127\.0\.0\.1") as down:
        mail.send(commune.folder, "parent", PASSPHRASE, timeout=5)
    assert "joindre" in down.value.message
    # No address for that committee: refused before anything is built.
    mail.update(commune.folder, addresses={"parent": ""})
    with pytest.raises(StateError, match="adresse") as no_address:
        mail.send(commune.folder, "parent", PASSPHRASE)
    assert "District de Bamako" in no_address.value.message
    assert _sent_count(commune.folder) == 0
    assert "exchange.send" not in _journal_text(commune.folder)

    # After all that, the same archive number goes out once the settings are right.
    with MailServer(user="ccs.commune4", password=SMTP_PASSWORD) as server:
        _configure(commune, server)
        sent = mail.send(commune.folder, "parent", PASSPHRASE, timeout=10)
    assert sent.result.sequence == 1 and len(server.messages) == 1


def _self_signed(tmp_path: Path) -> ssl.SSLContext:
    """A server context with a certificate nobody vouches for."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=30))
                   .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return context


def test_no_password_goes_to_a_server_that_cannot_prove_its_name(offices, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    commune, _district = offices
    with MailServer(user="ccs.commune4", password=SMTP_PASSWORD,
                    tls=_self_signed(tmp_path)) as server:
        _configure(commune, server, security="starttls")
        with pytest.raises(StorageError, match="certificat du serveur") as refused:
            mail.send(commune.folder, "parent", PASSPHRASE, timeout=10)
        # SSL from the first byte against a server that does not speak it.
        _configure(commune, server, security="ssl")
        with pytest.raises(StorageError, match=r"127\.0\.0\.1"):
            mail.test_connection(commune.folder, passphrase=PASSPHRASE)
    assert server.logins == [] and server.messages == []
    assert SMTP_PASSWORD not in refused.value.message
    assert _sent_count(commune.folder) == 0
