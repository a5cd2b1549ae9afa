"""No passphrase, private key or age identity ever in a message, a log, a file or a backup.

The main command-line flows run with recognisable passphrases: set-up, status, roster
import and export, a signed session and its documents, identities and an exchange up to the
District, backups, the president's key copy, a passphrase change, and every refusal a wrong
passphrase gives (in-process and in a real child process). Then every byte they printed and
every file under the test's folder (data folders with their SQLite WAL files, documents,
archives, e-mail draft, backups unpacked entry by entry, the key copy) is searched for the
passphrases and for the private material itself. The sealed keystore holds the keys only as
AES-GCM ciphertext, so the search covers it too: nothing secret may appear in clear anywhere.

The SMTP password is part of the flows: stored with ``mail set --password`` (sealed with
age to the committee's own key), used by ``mail test`` and ``send --mail`` against a real
local SMTP server, and by a refused login; it is hunted like the passphrases (and its
base64 forms, as ``AUTH`` sends it) in everything printed, the journal, the database and
the backups. ``transport.send_by_smtp`` is also checked against a server that refuses the
login or hangs up: the refusal names the server, never the password. A test fails if
another password-like setting appears or ``smtplib`` is used elsewhere, so that this file
gets extended then.
"""

from __future__ import annotations

import base64
import io
import traceback
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from ccsdesk.cli.exchange_commands import AGE_KEY_PASSPHRASE_ENV
from ccsdesk.core.errors import WrongPassphraseError
from ccsdesk.core.exchange import keys
from ccsdesk.core.services import committee, keys_admin
from ccsdesk.core.storage.folder import DB_FILE, DataFolder
from ccsdesk.core.storage.models import Setting
from tests.conftest import CliResult, run_process
from tests.core.session_data import full_session

SECRET = "Kayes-Zebre-Violet-8142-ne-jamais-afficher"
WRONG = "Kidal-Mauvaise-5531-ne-jamais-afficher"
NEW = "Gao-Nouvelle-7720-ne-jamais-afficher"
AGE_KEY_PASSPHRASE = "Tombouctou-Age-9034-ne-jamais-afficher"
SMTP_PASSWORD = "Segou-Smtp-3307-ne-jamais-afficher"
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "roster"


def _forms(text: str) -> list[bytes]:
    """How a string may sit in a file: UTF-8, UTF-16 (Windows), and upper case."""
    return [text.encode("utf-8"), text.encode("utf-16-le"), text.upper().encode("utf-8")]


def _private_forms(secrets: keys.keystore.Secrets) -> dict[str, list[bytes]]:
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    key = load_der_private_key(secrets.signing_key_der, None)
    scalar = key.private_numbers().private_value.to_bytes(32, "big")  # type: ignore[union-attr]
    der_b64 = base64.b64encode(secrets.signing_key_der)
    return {
        "age identity": [*_forms(secrets.age_identity), b"AGE-SECRET-KEY-"],
        "signing key (DER)": [secrets.signing_key_der, der_b64[8:72], scalar,
                              scalar.hex().encode("ascii")],
    }


def _blobs(root: Path) -> list[tuple[str, bytes]]:
    """Every file under ``root``; zip files (backups, workbooks) also entry by entry."""
    found: list[tuple[str, bytes]] = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        found.append((str(path), data))
        if data.startswith(b"PK"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for name in archive.namelist():
                    found.append((f"{path}!{name}", archive.read(name)))
    return found


class Flows:
    """The command line run in-process with the passphrase in the environment."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.printed: list[str] = []

    def run(self, data_dir: Path, *args: str, passphrase: str = SECRET,
            code: int = 0) -> CliResult:
        from contextlib import redirect_stderr, redirect_stdout

        from ccsdesk.cli.main import main as cli_main

        self.monkeypatch.setenv("CCSDESK_PASSPHRASE", passphrase)
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            try:
                result_code = cli_main(["--data-dir", str(data_dir), *args])
            except SystemExit as exit_:
                result_code = int(exit_.code or 0)
        result = CliResult(result_code, out.getvalue(), err.getvalue())
        self.printed += [result.out, result.err]
        assert result.code == code, (args, result.err)
        return result


def test_secrets_never_leave_the_keystore(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    flows = Flows(monkeypatch)
    commune, district = tmp_path / "commune", tmp_path / "district"
    outputs = tmp_path / "sorties"
    outputs.mkdir()
    flows.run(commune, "init", "--level", "commune", "--name", "CCS de la Commune IV",
              "--place", "Commune IV")
    flows.run(district, "init", "--level", "district", "--name", "CCS du District de Bamako",
              "--place", "Bamako")
    flows.run(commune, "status")
    flows.run(commune, "--json", "status")
    flows.run(commune, "members", "import", str(SAMPLES / "membres_excel_fr.csv"))
    flows.run(commune, "members", "export", str(outputs / "membres.xlsx"))
    folder = DataFolder.open(commune)
    try:
        meeting = full_session(folder, SECRET)
    finally:
        folder.close()
    flows.run(commune, "documents", str(meeting), "--out", str(outputs / "documents"))
    flows.run(commune, "journal", "verify")

    # Identities and an archive up to the District, with an e-mail draft.
    prints = {}
    for name, data_dir in (("commune", commune), ("district", district)):
        exported = flows.run(data_dir, "--json", "identity", "export",
                             str(outputs / f"identite-{name}.json"))
        prints[name] = exported.json["fingerprint"]
    flows.run(district, "identity", "enrol", str(outputs / "identite-commune.json"),
              "--as", "child", "--fingerprint", prints["commune"])
    flows.run(commune, "identity", "enrol", str(outputs / "identite-district.json"),
              "--as", "parent", "--fingerprint", prints["district"])
    archive = outputs / "commune-vers-district.ccsa"
    flows.run(commune, "send", "--to", "parent", "--out", str(archive), "--email-draft",
              str(outputs / "envoi.eml"))
    flows.run(district, "receive", str(archive))
    flows.run(district, "verify", str(archive))
    # The archive again by e-mail, through a real SMTP server, with a stored mail password.
    from tests.core.smtp_server import MailServer

    with MailServer(user="ccs.commune4", password=SMTP_PASSWORD) as server:
        monkeypatch.setenv("CCSDESK_SMTP_PASSWORD", SMTP_PASSWORD)
        flows.run(commune, "mail", "set", "--server", "127.0.0.1", "--port", str(server.port),
                  "--security", "none", "--user", "ccs.commune4", "--from",
                  "ccs.commune4@exemple.ml", "--password", "--address",
                  "parent=ccs.district@exemple.ml")
        monkeypatch.delenv("CCSDESK_SMTP_PASSWORD")
        flows.run(commune, "--json", "mail", "show")
        flows.run(commune, "mail", "test")
        flows.run(commune, "--json", "send", "--to", "parent", "--mail")
        refused = flows.run(commune, "send", "--to", "parent", "--mail", passphrase=WRONG,
                            code=1)
        assert "incorrecte" in refused.err
    assert server.logins == ["ccs.commune4"] * 3 and len(server.messages) == 1
    with MailServer(user="ccs.commune4", password="autre-chose") as refusing:
        flows.run(commune, "mail", "set", "--port", str(refusing.port))
        flows.run(commune, "mail", "test", code=1)
        flows.run(commune, "send", "--to", "parent", "--mail", code=1)
    # What the server received (headers, body, attachment) holds no password either.
    (outputs / "courriel-recu.eml").write_bytes(server.messages[0].data)

    # The age key for the stock age tool, under its own passphrase.
    monkeypatch.setenv(AGE_KEY_PASSPHRASE_ENV, AGE_KEY_PASSPHRASE)
    flows.run(commune, "identity", "export-age-key", str(outputs / "cle-age.age"))

    # Backups, the president's key copy.
    flows.run(commune, "backup")
    flows.run(commune, "backup", "--out", str(outputs / "sauvegarde.ccsbak"))
    flows.run(commune, "restore", str(outputs / "sauvegarde.ccsbak"), "--into",
              str(tmp_path / "restauree"))
    stick = tmp_path / "cle-usb"
    stick.mkdir()
    flows.run(commune, "keys", "backup", "--out", str(stick))

    # Every refusal a wrong passphrase gives.
    refusals = [
        ("documents", str(meeting), "--out", str(outputs / "refus")),
        ("send", "--to", "parent", "--out", str(outputs / "refus.ccsa")),
        ("keys", "backup", "--out", str(stick)),
        ("passphrase", "change"),
    ]
    monkeypatch.setenv("CCSDESK_NEW_PASSPHRASE", NEW)
    for args in refusals:
        refused = flows.run(commune, *args, passphrase=WRONG, code=1)
        assert "incorrecte" in refused.err, (args, refused.err)
    refused = flows.run(district, "receive", str(archive), passphrase=WRONG, code=1)
    real = run_process("--data-dir", str(commune), "documents", str(meeting), "--out",
                       str(outputs / "refus2"), env={"CCSDESK_PASSPHRASE": WRONG})
    assert real.code == 1 and "Traceback" not in real.err
    flows.printed += [real.out, real.err]
    with pytest.raises(WrongPassphraseError) as caught:
        keys.unlock(commune / "keys", WRONG)
    flows.printed.append("".join(traceback.format_exception(caught.value)))
    flows.printed.append(repr(caught.value))

    # A passphrase change, then everything again with the new one.
    flows.run(commune, "passphrase", "change")
    flows.run(commune, "backup", passphrase=NEW)
    flows.run(commune, "keys", "backup", "--out", str(stick), passphrase=NEW)
    secrets = keys.unlock(commune / "keys", NEW)
    district_secrets = keys.unlock(district / "keys", SECRET)

    needles: dict[str, list[bytes]] = {
        "passphrase": _forms(SECRET), "wrong passphrase": _forms(WRONG),
        "new passphrase": _forms(NEW), "age-key passphrase": _forms(AGE_KEY_PASSPHRASE),
        "SMTP password": [*_forms(SMTP_PASSWORD),
                          base64.b64encode(SMTP_PASSWORD.encode()),
                          base64.b64encode(f"\0ccs.commune4\0{SMTP_PASSWORD}".encode())],
    }
    for owner, material in (("commune", secrets), ("district", district_secrets)):
        for what, forms in _private_forms(material).items():
            needles[f"{owner} {what}"] = forms
    printed = "\n".join(flows.printed).encode("utf-8")
    assert len(printed) > 2000  # the flows did print their reports
    blobs = [("printed", printed), *_blobs(tmp_path)]
    names = {name for name, _data in blobs}
    assert any(name.endswith(".ccsbak!keys/cles.ccskeys") for name in names)
    assert any(name.endswith("dossier-session-signe.pdf") for name in names)
    assert any(name.endswith(DB_FILE) for name in names)
    assert (outputs / "cle-age.age").is_file()
    leaks = [f"{what} in {name}" for name, data in blobs
             for what, forms in needles.items() if any(form in data for form in forms)]
    assert leaks == []
    # The search itself finds what it looks for (a zipped UTF-16 identity, a DER key).
    control = tmp_path.parent / f"{tmp_path.name}-temoin"
    control.mkdir()
    with zipfile.ZipFile(control / "temoin.zip", "w", zipfile.ZIP_DEFLATED) as planted:
        planted.writestr("a.txt", secrets.age_identity.encode("utf-16-le"))
    (control / "b.bin").write_bytes(b"x" + secrets.signing_key_der + b"y")
    found = {what for name, data in _blobs(control) for what, forms in needles.items()
             if any(form in data for form in forms)}
    assert found == {"commune age identity", "commune signing key (DER)"}
    print(f"\nsecrets: {len(blobs)} files and outputs searched for {len(needles)} secrets "
          f"({sum(len(f) for f in needles.values())} forms), 0 found")


def test_wrong_passphrase_messages_name_no_secret(commune: DataFolder, tmp_path: Path) -> None:
    """The messages and the exception chain of every wrong-passphrase refusal."""
    calls = [
        lambda: committee.check_passphrase(commune, WRONG),
        lambda: keys_admin.change_passphrase(commune, WRONG, NEW),
        lambda: keys_admin.export_key_backup(commune, WRONG, tmp_path),
    ]
    for call in calls:
        with pytest.raises(WrongPassphraseError) as caught:
            call()
        text = "".join(traceback.format_exception(caught.value)) + repr(caught.value)
        assert WRONG not in text and NEW not in text and "AGE-SECRET" not in text


class _RefusingMailServer:
    """A real SMTP server on localhost that refuses every login (535), or hangs up."""

    def __init__(self, *, hang_up: bool = False) -> None:
        import socket
        import threading

        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.hang_up = hang_up
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        connection, _address = self.listener.accept()
        with connection, connection.makefile("rwb") as stream:
            stream.write(b"220 mairie.invalid ESMTP\r\n")
            stream.flush()
            for line in stream:
                verb = line.split(b" ", 1)[0].strip().upper()
                if verb == b"EHLO":
                    stream.write(b"250-mairie.invalid\r\n250 AUTH PLAIN LOGIN\r\n")
                elif verb == b"AUTH":
                    if self.hang_up:
                        return
                    stream.write(b"535 5.7.8 Authentication credentials invalid\r\n")
                elif verb == b"QUIT":
                    stream.write(b"221 bye\r\n")
                    stream.flush()
                    return
                else:
                    stream.write(b"250 OK\r\n")
                stream.flush()

    def close(self) -> None:
        self.thread.join(timeout=10)
        self.listener.close()


@pytest.mark.parametrize("hang_up", [False, True])
def test_smtp_password_never_in_a_message(tmp_path: Path, hang_up: bool) -> None:
    """``transport.send_by_smtp``: a refused login or a server hanging up names no secret."""
    from ccsdesk.core.errors import CcsError
    from ccsdesk.core.exchange import transport

    password = "Smtp-Secret-Segou-6611-ne-jamais-afficher"
    draft = transport.email_draft(b"archive", "commune-vers-district.ccsa",
                                  sender_name="CCS de la Commune IV",
                                  receiver_name="CCS du District de Bamako", sequence=1,
                                  to="district@exemple.invalid")
    server = _RefusingMailServer(hang_up=hang_up)
    try:
        with pytest.raises(CcsError) as caught:
            transport.send_by_smtp(draft, host="127.0.0.1", port=server.port,
                                   username="secretariat", password=password,
                                   starttls=False, timeout=10)
    finally:
        server.close()
    text = "".join(traceback.format_exception(caught.value)) + repr(caught.value)
    assert "127.0.0.1" in caught.value.message
    for form in (password, base64.b64encode(f"\0secretariat\0{password}".encode()).decode(),
                 base64.b64encode(password.encode()).decode()):
        assert form not in text
    assert list(tmp_path.iterdir()) == []


def test_no_mail_password_or_other_secret_setting(commune: DataFolder) -> None:
    """The sealed SMTP password is the one secret setting; another one must be tested here."""
    import json

    from ccsdesk.core.services import mail

    mail.update(commune, server="smtp.exemple.ml", sender="ccs@exemple.ml", user="ccs",
                password=SMTP_PASSWORD)
    with commune.database.reading() as session:
        stored = {row.key: row.value for row in session.scalars(select(Setting))}
    suspicious = [key for key in stored
                  if any(word in key.lower() for word in ("smtp", "password", "mot_de_passe",
                                                          "token", "secret"))]
    assert suspicious == [mail.PASSWORD_KEY]
    sealed = json.loads(stored[mail.PASSWORD_KEY])
    assert sealed.startswith("age:") and SMTP_PASSWORD not in json.dumps(stored)
    assert base64.b64decode(sealed[4:]).startswith(b"age-encryption.org/v1")
    # smtplib is used by transport.send_by_smtp only (tested above); any other use of it, or
    # a password stored in a setting, must come with its own test here.
    source = Path(__file__).resolve().parents[2] / "src" / "ccsdesk"
    smtp_code = sorted(path.relative_to(source).as_posix() for path in source.rglob("*.py")
                       if "smtplib" in path.read_text(encoding="utf-8"))
    assert smtp_code in ([], ["core/exchange/transport.py"])
