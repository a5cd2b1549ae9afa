"""Exchange on the command line with three data folders: commune, District, national.

``identity export/enrol`` with fingerprints, ``committees list``, ``send``/``receive`` up and
down, ``verify`` on an archive, an e-mail draft, and the refusals of ``cli.md``.
"""

from __future__ import annotations

from pathlib import Path

from ccsdesk.core.storage.folder import DataFolder
from tests.cli.conftest import init_folders
from tests.conftest import run_cli as run
from tests.conftest import run_cli_json as ok
from tests.conftest import run_process
from tests.core.exchange_helpers import signed_session


def test_three_committees_by_the_command_line(tmp_path: Path) -> None:
    commune, district, national = init_folders(tmp_path, "commune", "district", "national")
    files = {}
    prints = {}
    for name, folder in (("commune", commune), ("district", district),
                         ("national", national)):
        files[name] = tmp_path / f"identite-{name}.json"
        exported = ok(folder, "identity", "export", str(files[name]))
        prints[name] = exported["fingerprint"]
        assert len(prints[name].replace(" ", "")) == 20

    # Without a terminal and without --fingerprint: exit 1, saying what is missing.
    refused = run(district, "identity", "enrol", str(files["commune"]), "--as", "child")
    assert refused.code == 1
    assert "--fingerprint" in refused.err and prints["commune"] in refused.err
    wrong = run(district, "identity", "enrol", str(files["commune"]), "--as", "child",
                "--fingerprint", "0000 0000 0000 0000 0000")
    assert wrong.code == 1 and "L’empreinte diffère" in wrong.err
    assert ok(district, "committees", "list")["committees"] == []
    child = ok(district, "identity", "enrol", str(files["commune"]), "--as", "child",
               "--fingerprint", prints["commune"].replace(" ", "-"))
    assert child["fingerprint"] == prints["commune"]
    ok(commune, "identity", "enrol", str(files["district"]), "--as", "parent",
       "--fingerprint", prints["district"])
    district_at_national = ok(national, "identity", "enrol", str(files["district"]), "--as",
                              "child", "--fingerprint", prints["district"])
    ok(district, "identity", "enrol", str(files["national"]), "--as", "parent",
       "--fingerprint", prints["national"])
    text = run(district, "identity", "enrol", str(files["national"]), "--as", "parent",
               "--fingerprint", prints["national"])
    assert text.code == 1 and "déjà inscrit" in text.err
    listed = ok(district, "committees", "list")["committees"]
    assert [(c["relation"], c["name"]) for c in listed] == [
        ("parent", "CNSS"), ("child", "CCS de la Commune IV")]

    # Certificates down.
    cert = tmp_path / "district-vers-commune-1.ccsa"
    sent = ok(district, "send", "--to", str(child["id"]), "--out", str(cert))
    assert sent["sequence"] == 1 and sent["counts"] == {"certificate": 1}
    got = ok(commune, "receive", str(cert))
    assert got["certificate_installed"] is True
    up_cert = tmp_path / "national-vers-district-1.ccsa"
    ok(national, "send", "--to", str(district_at_national["id"]), "--out", str(up_cert))
    ok(district, "receive", str(up_cert))

    # A signed session goes up, with an e-mail draft.
    with_session = DataFolder.open(commune)
    meeting_id, _rec = signed_session(with_session)
    with_session.close()
    up = tmp_path / "commune-vers-district-1.ccsa"
    draft = tmp_path / "envoi.eml"
    sent = ok(commune, "send", "--to", "parent", "--out", str(up), "--email-draft",
              str(draft))
    assert sent["counts"] == {"session": 1, "ack": 1}
    assert b"X-Unsent: 1" in draft.read_bytes()
    checked = run(district, "verify", str(up))
    assert checked.code == 0, checked.err
    assert "Archive intacte" in checked.out and "CCS de la Commune IV" in checked.out
    # The journal segment it carries is walked as on import, and said.
    assert "Journal de « CCS de la Commune IV » :" in checked.out
    assert "leur chaîne vérifiée" in checked.out
    as_json = ok(district, "verify", str(up))
    [carried] = as_json["journals"]
    assert carried["committee"] == "CCS de la Commune IV"
    assert carried["entries"] == carried["new"] == as_json["journal_entries"] > 0
    # The commune's signed packet, checked at the District, names its signer in French.
    ok(commune, "documents", str(meeting_id), "--out", str(tmp_path / "docs"), "--only",
       "packet")
    packet = next((tmp_path / "docs").glob("*.pdf"))
    checked = run(district, "verify", str(packet))
    assert checked.code == 0, checked.err
    assert "child" not in checked.out
    assert "Signataire connu : « CCS de la Commune IV », un de nos comités subordonnés" in \
        checked.out
    imported = run(district, "receive", str(up))
    assert imported.code == 0, imported.err
    assert "vérifiée et importée" in imported.out and "1 session" in imported.out
    assert f"{carried['new']} nouvelles entrées du journal de « CCS de la Commune IV » " \
        "(chaîne vérifiée)" in imported.out
    again = run(district, "receive", str(up))
    assert again.code == 0 and "déjà été importée" in again.out
    recs = ok(district, "recommendations", "list")["recommendations"]
    assert [r["origin"]["name"] for r in recs] == ["CCS de la Commune IV"]

    # Forwarded to national.
    forward = tmp_path / "district-vers-national-1.ccsa"
    ok(district, "send", "--to", "parent", "--out", str(forward))
    at_national = ok(national, "receive", str(forward))
    assert at_national["signed_by"] == ["CCS de la Commune IV"]
    assert at_national["sessions"] == 1
    assert {j["committee"]: j["new"] for j in at_national["journals"]} == {
        "CCS de la Commune IV": carried["new"],
        "CCS du District de Bamako": at_national["journal_entries"] - carried["new"]}

    # A decision at the District travels down.
    ok(district, "recommendations", "status", str(recs[0]["id"]), "accepted", "--note",
       "Retenue par le CSS")
    down = tmp_path / "district-vers-commune-2.ccsa"
    ok(district, "send", "--to", str(child["id"]), "--out", str(down))
    # A real child process, without a terminal, the passphrase from the environment.
    done = run_process("--data-dir", str(commune), "--json", "receive", str(down))
    assert done.code == 0, done.err
    assert done.json["decisions"] == 1 and done.json["acknowledged"] == 1
    mine = ok(commune, "recommendations", "list")["recommendations"]
    assert [r["status"] for r in mine] == ["accepted"]
    parent_row = ok(commune, "committees", "list")["committees"][0]
    assert parent_row["last_sent"]["sequence"] == 1
    assert parent_row["last_received"]["sequence"] == 2
    assert parent_row["unacknowledged"] == []
    status = ok(commune, "status")["committee"]["parent"]
    assert status["name"] == "CCS du District de Bamako"
    assert status["fingerprint"] == prints["district"]
    assert "Comité parent : CCS du District de Bamako" in run(commune, "status").out
    people = run(commune, "committees", "list")
    assert "Dernier envoi : n° 1" in people.out

    # An old archive imported again changes nothing; misaddressed or junk files are refused.
    old = run(commune, "receive", str(cert))
    assert old.code == 0 and "déjà été importée" in old.out
    wrong_way = run(national, "receive", str(up))
    assert wrong_way.code == 1 and "pas adressée à ce comité" in wrong_way.err
    junk = tmp_path / "faux.ccsa"
    junk.write_bytes(b"bonjour")
    assert "format age" in run(district, "receive", str(junk)).err
    nothing = run(national, "send", "--to", "parent", "--out", str(tmp_path / "x"))
    assert nothing.code == 1 and "Aucun comité parent" in nothing.err


def _on_a_terminal(args: list[str], answer: bytes) -> tuple[int, bytes]:
    """Run ``ccsdesk ARGS`` with a pseudo-terminal as stdin/stdout and type ``answer``."""
    import os
    import pty
    import sys

    pid, fd = pty.fork()
    if pid == 0:  # the child: the real entry point, on the terminal
        os.execv(sys.executable, [sys.executable, "-m", "ccsdesk", *args])
    seen = b""
    while b"[o/N]" not in seen:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.write(fd, answer + b"\n")
    try:
        while chunk := os.read(fd, 1024):
            seen += chunk
    except OSError:
        pass
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen


def test_enrol_on_a_terminal_asks_to_confirm_the_fingerprint(tmp_path: Path) -> None:
    import pytest

    pytest.importorskip("pty")
    commune, district = init_folders(tmp_path, "commune", "district")
    card = tmp_path / "district.json"
    fingerprint = ok(district, "identity", "export", str(card))["fingerprint"]
    args = ["--data-dir", str(commune), "identity", "enrol", str(card), "--as", "parent"]
    code, seen = _on_a_terminal(args, b"n")
    assert code == 1 and fingerprint.encode() in seen and "annulée".encode() in seen
    assert ok(commune, "committees", "list")["committees"] == []
    code, seen = _on_a_terminal(args, b"o")
    assert code == 0, seen
    assert [c["name"] for c in ok(commune, "committees", "list")["committees"]] == [
        "CCS du District de Bamako"]
