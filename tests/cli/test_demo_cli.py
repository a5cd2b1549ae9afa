"""``ccsdesk demo`` as the README's run script and people use it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccsdesk.core.errors import WrongPassphraseError
from tests.conftest import PASSPHRASE, run_process


def test_demo_creates_the_sample_commune(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("demo")
    assert result.code == 0, result.err
    assert "Commune IV" in result.out
    assert "document" in result.out.lower()
    status = cli("--json", "status")
    assert status.json["committee"]["demo"] is True
    assert status.json["counts"]["members"] == 23


def test_demo_twice_is_refused_and_changes_nothing(cli) -> None:  # type: ignore[no-untyped-def]
    first = cli("--json", "demo")
    assert first.code == 0
    second = cli("demo")
    assert second.code == 1
    assert second.out == ""
    assert second.err.strip().count("\n") == 0
    assert "contient déjà un comité" in second.err
    status = cli("--json", "status")
    assert status.json["committee"]["id"] == first.json["id"]
    assert status.json["counts"]["members"] == 23


def test_demo_refused_on_a_real_committee(cli) -> None:  # type: ignore[no-untyped-def]
    cli("init", "--level", "commune", "--name", "CCS de Kati", "--place", "Commune I")
    result = cli("demo")
    assert result.code == 1
    status = cli("--json", "status")
    assert status.json["committee"]["demo"] is False
    assert status.json["counts"]["members"] == 0


def test_if_empty_twice_is_fine(cli) -> None:  # type: ignore[no-untyped-def]
    first = cli("--json", "demo", "--if-empty")
    assert first.code == 0
    assert first.json["created"] is True
    second = cli("demo", "--if-empty")
    assert second.code == 0
    assert "laissé tel quel" in second.out
    third = cli("--json", "demo", "--if-empty")
    assert third.json["created"] is False
    assert third.json["id"] == first.json["id"]
    assert cli("--json", "status").json["counts"]["members"] == 23


def test_json_gives_id_and_counts(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("--json", "demo")
    document = result.json
    assert document["format"] == "ccsdesk-cli/1"
    assert document["id"] == document["committee"]["id"]
    assert document["committee"]["demo"] is True
    assert document["counts"] == {"members": 23, "active_members": 22, "meetings": 2,
                                  "recommendations": 4}
    # the passphrase came from CCSDESK_PASSPHRASE: it is not echoed
    assert document["passphrase"] is None


def test_real_process_uses_the_documented_passphrase(tmp_path: Path) -> None:
    import os

    data = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if k != "CCSDESK_PASSPHRASE"}
    result = run_process_without_passphrase(env, "--data-dir", str(data), "demo")
    assert result.code == 0, result.err
    assert "demo-ccsdesk" in result.out
    from ccsdesk.core.services import committee
    from ccsdesk.core.storage.folder import DataFolder

    folder = DataFolder.open(data)
    try:
        committee.check_passphrase(folder, "demo-ccsdesk")
        with pytest.raises(WrongPassphraseError):
            committee.check_passphrase(folder, PASSPHRASE)
    finally:
        folder.close()


def run_process_without_passphrase(env: dict[str, str], *args: str):  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    from tests.conftest import CliResult

    completed = subprocess.run([sys.executable, "-m", "ccsdesk", *args], capture_output=True,
                               text=True, stdin=subprocess.DEVNULL, timeout=120, env=env)
    return CliResult(completed.returncode, completed.stdout, completed.stderr)


def test_real_process_demo_if_empty_exit_codes(tmp_path: Path) -> None:
    data = str(tmp_path / "d")
    assert run_process("--data-dir", data, "demo", "--if-empty").code == 0
    assert run_process("--data-dir", data, "demo", "--if-empty").code == 0
    assert run_process("--data-dir", data, "demo").code == 1
