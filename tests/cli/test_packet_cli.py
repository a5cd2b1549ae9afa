"""The signed packet from the command line, made with a signing helper process (issue 5:
under 1 s), and what it costs in imports.

Not a timing assertion: these fail when an expensive import comes back. From the command
line, pyHanko (and the aiohttp it drags in) is imported by the signing helper process while
the main one builds, so the main process must not import it; and no signature, wherever it
is made, may load fontTools again (the stamp is drawn with ReportLab, ``stamp_appearance``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import PASSPHRASE, run_process
from tests.core import pdftools
from tests.core.session_data import full_session

WATCHED = ("pyhanko", "pyhanko_certvalidator", "aiohttp", "fontTools", "reportlab")

_RUN = """
import json, sys
from ccsdesk.cli.main import main
code = main(sys.argv[2:])
loaded = sorted({{name.split(".")[0] for name in sys.modules}} & set({watched!r}))
with open(sys.argv[1], "w") as report:
    json.dump(loaded, report)
sys.exit(code)
"""


def _packet(data_dir: Path, meeting: int, out: Path, helper: str | None = None) -> list[str]:
    """Modules of ``WATCHED`` the main process loaded while writing the signed packet."""
    report = out.parent / f"{out.name}-modules.json"
    code = _RUN.format(watched=WATCHED)
    env = {**os.environ, "CCSDESK_PASSPHRASE": PASSPHRASE, "CCSDESK_LANG": "fr"}
    env.pop("CCSDESK_SIGNING_HELPER", None)
    if helper is not None:
        env["CCSDESK_SIGNING_HELPER"] = helper
    completed = subprocess.run(
        [sys.executable, "-c", code, str(report), "--data-dir", str(data_dir), "documents",
         str(meeting), "--only", "packet", "--out", str(out)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=180, env=env)
    assert completed.returncode == 0, completed.stderr
    assert "Dossier signé" in completed.stdout
    signed = out / "dossier-session-signe.pdf"
    assert "Signature is Valid." in pdftools.run("pdfsig", signed).stdout
    return list(json.loads(report.read_text()))


def test_the_main_process_leaves_pyhanko_to_the_helper(commune: DataFolder, data_dir: Path,
                                                      tmp_path: Path) -> None:
    meeting = full_session(commune, PASSPHRASE)
    commune.close()
    # Forked on Linux; spawned (a fresh interpreter) as on Windows.
    for helper in (None, "spawn"):
        loaded = _packet(data_dir, meeting, tmp_path / f"avec-aide-{helper}", helper)
        assert loaded == ["reportlab"], helper  # built here; pyHanko, aiohttp, fontTools not


def test_signing_here_still_never_loads_fonttools(commune: DataFolder, data_dir: Path,
                                                   tmp_path: Path) -> None:
    meeting = full_session(commune, PASSPHRASE)
    commune.close()
    loaded = _packet(data_dir, meeting, tmp_path / "sans-aide", helper="off")
    assert "pyhanko" in loaded and "fontTools" not in loaded


def test_a_wrong_passphrase_writes_no_packet(commune: DataFolder, data_dir: Path,
                                             tmp_path: Path) -> None:
    meeting = full_session(commune, PASSPHRASE)
    commune.close()
    out = tmp_path / "refus"
    result = run_process("--data-dir", str(data_dir), "documents", str(meeting), "--only",
                         "packet", "--out", str(out),
                         env={"CCSDESK_PASSPHRASE": "pas la bonne", "CCSDESK_LANG": "fr"})
    assert result.code == 1
    assert result.err == "ccsdesk: Phrase secrète incorrecte : les clés n’ont pas été ouvertes.\n"
    assert not out.exists() or not list(out.iterdir())
