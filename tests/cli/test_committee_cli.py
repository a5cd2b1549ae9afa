"""``init`` and ``status`` as scripts use them, with the exit codes of ``cli.md``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_process


def test_init_then_status_json(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("--json", "init", "--level", "commune", "--name", "CCS de la Commune IV",
                 "--place", "commune iv", "--chair-title", "Maire")
    assert result.code == 0, result.err
    assert result.json["format"] == "ccsdesk-cli/1"
    created = result.json["id"]
    status = cli("--json", "status")
    assert status.code == 0
    document = status.json
    assert document["format"] == "ccsdesk-cli/1"
    assert document["committee"]["id"] == created
    assert document["committee"]["level"] == "commune"
    assert document["committee"]["place"] == "Bamako / Commune IV"
    assert document["committee"]["fingerprint"]
    assert document["counts"]["members"] == 0


def test_status_in_french_for_people(cli) -> None:  # type: ignore[no-untyped-def]
    cli("init", "--level", "region", "--name", "CCSR de Ségou", "--place", "segou")
    result = cli("status")
    assert result.code == 0
    assert "Niveau : région" in result.out
    assert "Empreinte de la clé" in result.out


def test_status_before_init_is_refused_with_one_line(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("status")
    assert result.code == 1
    assert result.err.strip().count("\n") == 0
    assert "ccsdesk init" in result.err


def test_unknown_place_refused(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("init", "--level", "commune", "--name", "X", "--place", "Nulle-part")
    assert result.code == 1
    assert "« Nulle-part » ne figure pas" in result.err


def test_usage_error_exits_2(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("init", "--level", "village").code == 2


def test_real_process_needs_passphrase_without_terminal(tmp_path: Path) -> None:
    result = run_process("--data-dir", str(tmp_path / "d"), "init", "--level", "commune",
                         "--name", "X", "--place", "Commune I", env={"CCSDESK_PASSPHRASE": ""})
    # an empty passphrase from the environment is a passphrase, and too short
    assert result.code == 1
    assert "au moins 8 caractères" in result.err
    import os

    env = {k: v for k, v in os.environ.items() if k != "CCSDESK_PASSPHRASE"}
    import subprocess
    import sys

    completed = subprocess.run(
        [sys.executable, "-m", "ccsdesk", "--data-dir", str(tmp_path / "e"), "init",
         "--level", "commune", "--name", "X", "--place", "Commune I"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env, timeout=60,
    )
    assert completed.returncode == 1
    assert "CCSDESK_PASSPHRASE" in completed.stderr


def test_version(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("--version")
    assert result.code == 0
    assert result.out.startswith("ccsdesk ")


def test_journal_verify_command(cli) -> None:  # type: ignore[no-untyped-def]
    cli("init", "--level", "commune", "--name", "CCS", "--place", "Commune I")
    result = cli("--json", "journal", "verify")
    assert result.code == 0
    assert result.json["intact"] is True
    assert result.json["entries"] == 1


@pytest.mark.parametrize(
    "command",
    [("identity", "export", "identite.json"), ("send", "--to", "parent", "--out", "a.ccsa"),
     ("minutes", "sign", "1")],
)
def test_commands_needing_keys_before_init_refuse_in_one_line(cli, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                             command: tuple[str, ...]) -> None:
    result = cli(*(str(tmp_path / part) if part.endswith((".json", ".ccsa")) else part
                   for part in command))
    assert result.code == 1
    assert "Traceback" not in result.err
    assert result.err.count("\n") == 1
