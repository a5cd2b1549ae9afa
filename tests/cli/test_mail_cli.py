"""``mail show|set|test`` and ``send --to X --mail`` against a real SMTP server on 127.0.0.1.

The commune mails its archive; the District runs ``receive`` on the attachment exactly as
the server got it. The password comes from ``CCSDESK_SMTP_PASSWORD`` and is never printed.
"""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest

from ccsdesk.cli.mail_commands import SMTP_PASSWORD_ENV
from ccsdesk.core.storage.folder import DataFolder
from tests.cli.conftest import init_folders
from tests.conftest import run_cli as run
from tests.conftest import run_cli_json as ok
from tests.core.exchange_helpers import signed_session
from tests.core.smtp_server import MailServer

SMTP_PASSWORD = "Smtp-Sikasso-2290-jamais-affiche"


def _enrolled_pair(tmp_path: Path) -> tuple[Path, Path]:
    commune, district = init_folders(tmp_path, "commune", "district")
    prints = {}
    for name, folder in (("commune", commune), ("district", district)):
        prints[name] = ok(folder, "identity", "export",
                          str(tmp_path / f"{name}.json"))["fingerprint"]
    ok(district, "identity", "enrol", str(tmp_path / "commune.json"), "--as", "child",
       "--fingerprint", prints["commune"])
    ok(commune, "identity", "enrol", str(tmp_path / "district.json"), "--as", "parent",
       "--fingerprint", prints["district"])
    opened = DataFolder.open(commune)
    try:
        signed_session(opened)
    finally:
        opened.close()
    return commune, district


def test_mail_settings_test_and_send(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commune, district = _enrolled_pair(tmp_path)
    shown = ok(commune, "mail", "show")
    assert shown["configured"] is False and shown["password_stored"] is False
    assert [c["relation"] for c in shown["committees"]] == ["parent"]
    not_set = run(commune, "send", "--to", "parent", "--mail")
    assert not_set.code == 1 and "pas configuré" in not_set.err
    nowhere = run(commune, "send", "--to", "parent")
    assert nowhere.code == 1 and "--out" in nowhere.err

    # Without a terminal and without the variable: refused, saying which variable.
    refused = run(commune, "mail", "set", "--user", "ccs.commune4", "--password")
    assert refused.code == 1 and SMTP_PASSWORD_ENV in refused.err
    bad = run(commune, "mail", "set", "--address", "parent")
    assert bad.code == 1 and "DESTINATAIRE=ADRESSE" in bad.err
    usage = run(commune, "mail", "set", "--security", "tls")
    assert usage.code == 2

    printed = []
    with MailServer(user="ccs.commune4", password=SMTP_PASSWORD) as server:
        monkeypatch.setenv(SMTP_PASSWORD_ENV, SMTP_PASSWORD)
        saved = run(commune, "--json", "mail", "set", "--server", "127.0.0.1", "--port",
                    str(server.port), "--security", "none", "--user", "ccs.commune4",
                    "--from", "ccs.commune4@exemple.ml", "--password",
                    "--address", "parent=ccs.district@exemple.ml")
        assert saved.code == 0, saved.err
        monkeypatch.delenv(SMTP_PASSWORD_ENV)
        assert saved.json["password_stored"] is True and saved.json["configured"] is True
        assert saved.json["committees"][0]["address"] == "ccs.district@exemple.ml"
        text = run(commune, "mail", "show")
        assert "enregistré, chiffré" in text.out and "ccs.district@exemple.ml" in text.out
        tested = ok(commune, "mail", "test")
        assert tested["ok"] is True and tested["login"] is True
        copy = tmp_path / "copie.ccsa"
        sent = run(commune, "--json", "send", "--to", "parent", "--mail", "--out", str(copy))
        assert sent.code == 0, sent.err
        printed += [saved.out, saved.err, text.out, sent.out, sent.err]
    assert sent.json["mail"]["to"] == "ccs.district@exemple.ml"
    assert sent.json["sequence"] == 1 and sent.json["file"] == str(copy)
    message = email.message_from_bytes(server.messages[-1].data, policy=policy.default)
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == sent.json["mail"]["attachment"]
    archive = tmp_path / attachment.get_filename()
    archive.write_bytes(attachment.get_content())
    assert archive.read_bytes() == copy.read_bytes()
    received = ok(district, "receive", str(archive))
    assert received["sequence"] == 1 and received["sessions"] == 1
    assert all(SMTP_PASSWORD not in part for part in printed)

    # The server is gone: a clear refusal, nothing recorded, the next send is still no. 2.
    down = run(commune, "send", "--to", "parent", "--mail")
    assert down.code == 1 and "127.0.0.1" in down.err and SMTP_PASSWORD not in down.err
    listed = ok(commune, "committees", "list")["committees"][0]
    assert listed["last_sent"]["sequence"] == 1
    forgotten = ok(commune, "mail", "set", "--forget-password")
    assert forgotten["password_stored"] is False
    # The .eml draft carries the known addresses, ready to send from Outlook or Thunderbird.
    ok(commune, "send", "--to", "parent", "--out", str(tmp_path / "usb.ccsa"),
       "--email-draft", str(tmp_path / "envoi.eml"))
    draft = email.message_from_bytes((tmp_path / "envoi.eml").read_bytes(),
                                     policy=policy.default)
    assert draft["To"] == "ccs.district@exemple.ml"
    assert draft["From"] == "ccs.commune4@exemple.ml" and draft["X-Unsent"] == "1"
