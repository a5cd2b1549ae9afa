"""Smoke test of the frozen program: build the PyInstaller bundle, run it, pack the installer.

Why: a module imported only inside a function, a data file read at run time or an Alembic
script loaded from disk works from a source checkout and breaks only once frozen. This test
builds the real bundle once per session with ``installer/build.py`` (the same spec the
Windows workflow uses) and runs the frozen executables as a secretariat would: a missing
hidden import or data file fails here, not on a secretariat's PC. Commands that later issues
bring (``documents``) are skipped with a reason naming them until they exist.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ccsdesk import __version__
from ccsdesk.core.paths import PORTABLE_DATA, PORTABLE_MARKER
from ccsdesk.core.storage import migrate
from tests.conftest import PASSPHRASE, ROOT

pytestmark = pytest.mark.slow

EXE = ".exe" if sys.platform == "win32" else ""
BUILD_SCRIPT = ROOT / "installer" / "build.py"
SAMPLES = ROOT / "tests" / "data" / "schemas"
BUILD_TIMEOUT = 900


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict:
        return json.loads(self.out)


@dataclass
class Bundle:
    root: Path
    dist: Path

    @property
    def cli(self) -> Path:
        return self.root / f"ccsdesk{EXE}"

    @property
    def gui(self) -> Path:
        return self.root / f"CCS Desk{EXE}"

    @property
    def internal(self) -> Path:
        return self.root / "_internal"


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user's session: no test overrides pointing at a data folder."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("CCSDESK_") and key not in ("PYTHONPATH", "PYTHONHOME")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


def run_frozen(bundle: Bundle, *args: str, env: dict[str, str] | None = None,
               cwd: Path | None = None, timeout: float = 120) -> Run:
    completed = subprocess.run(
        [str(bundle.cli), *args], capture_output=True, text=True, encoding="utf-8",
        stdin=subprocess.DEVNULL, timeout=timeout, env=env or _clean_env(), cwd=cwd,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


def _has_command(bundle: Bundle, *words: str) -> bool:
    """Whether the frozen CLI knows ``words`` (argparse exits 2 on an unknown choice)."""
    return run_frozen(bundle, *words, "--help").code == 0


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bundle]:
    """The bundle, built once for this module in a folder of its own.

    Removed afterwards: it weighs about 280 MB and pytest keeps its last temporary folders.
    """
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.fail("PyInstaller is missing: it is part of the test extra "
                    "(scripts/setup.sh test installs it)")
    base = tmp_path_factory.mktemp("frozen")
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--dist", str(base / "dist"),
         "--work", str(base / "work"), "--no-installer"],
        capture_output=True, text=True, timeout=BUILD_TIMEOUT, cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-5000:]
    built = Bundle(base / "dist" / "ccsdesk", base / "dist")
    print(f"bundle built in {time.monotonic() - started:.0f} s")
    shutil.rmtree(base / "work", ignore_errors=True)
    yield built
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def committee_dir(bundle: Bundle, tmp_path: Path) -> Path:
    """A data folder set up by the frozen CLI."""
    data = tmp_path / "donnees"
    result = run_frozen(bundle, "--data-dir", str(data), "init", "--level", "commune",
                        "--name", "CCS de la Commune IV", "--place", "Commune IV",
                        env=_clean_env(CCSDESK_PASSPHRASE=PASSPHRASE))
    assert result.code == 0, result.err
    return data


def test_frozen_cli_reports_the_package_version(bundle: Bundle) -> None:
    result = run_frozen(bundle, "--version")
    assert result.code == 0, result.err
    assert result.out.strip() == f"ccsdesk {__version__}"


def test_bundle_holds_the_files_read_at_run_time(bundle: Bundle) -> None:
    internal = bundle.internal
    expected = [
        "resources/places/mali_units.csv",
        "resources/locale/fr/LC_MESSAGES/ccsdesk.mo",
        "resources/icons/ccsdesk.png",
        "resources/icons/ccsdesk.ico",
        "ccsdesk/core/storage/migrations/env.py",
        "ccsdesk/core/storage/migrations/script.py.mako",
        "babel/global.dat",
        "babel/locale-data/root.dat",
        "babel/locale-data/fr.dat",
        "babel/locale-data/fr_ML.dat",
        "babel/locale-data/en.dat",
    ]
    missing = [name for name in expected if not (internal / name).is_file()]
    assert not missing, f"missing from the bundle: {missing}"
    fonts = ROOT / "resources" / "fonts"
    for font in fonts.glob("*.ttf") if fonts.is_dir() else ():
        assert (internal / "resources" / "fonts" / font.name).is_file(), font.name
    if (ROOT / "ui").is_dir():
        for form in (ROOT / "ui").rglob("*"):
            if form.is_file():
                assert (internal / "ui" / form.relative_to(ROOT / "ui")).is_file(), form
    migrations = internal / "ccsdesk" / "core" / "storage" / "migrations" / "versions"
    versions = [path.name for path in migrations.glob("*.py")]
    for revision in migrate.REVISIONS:
        assert any(name.startswith(revision) for name in versions), f"migration {revision}"
    # Qt's own French strings (Oui, Non, Annuler) for the dialogs.
    assert list(internal.glob("PySide6/**/qtbase_fr.qm")), "Qt's French translation"
    # Catalog sources, other languages' Qt translations and unused Babel locales stay out.
    assert not list(internal.glob("PySide6/**/qtbase_de.qm"))
    assert not list((internal / "resources").rglob("*.po"))
    assert len(list((internal / "babel" / "locale-data").glob("*.dat"))) < 20


def test_frozen_cli_sets_up_a_committee(bundle: Bundle, committee_dir: Path) -> None:
    assert (committee_dir / "ccsdesk.sqlite").is_file()
    assert (committee_dir / "keys" / "certificat.pem").is_file()
    status = run_frozen(bundle, "--data-dir", str(committee_dir), "--json", "status")
    assert status.code == 0, status.err
    data = status.json
    assert data["format"] == "ccsdesk-cli/1"
    assert data["version"] == __version__
    assert data["committee"]["name"] == "CCS de la Commune IV"
    assert data["portable"] is False


def test_frozen_cli_speaks_french_and_refuses_clearly(bundle: Bundle, committee_dir: Path) -> None:
    """The compiled catalog is found inside the bundle: errors come out in French."""
    result = run_frozen(bundle, "--data-dir", str(committee_dir), "init", "--level", "commune",
                        "--name", "Autre", "--place", "Commune IV",
                        env=_clean_env(CCSDESK_PASSPHRASE=PASSPHRASE))
    assert result.code == 1
    assert "contient déjà un comité" in result.err, result.err


def test_frozen_cli_imports_members(bundle: Bundle, committee_dir: Path, tmp_path: Path) -> None:
    if not _has_command(bundle, "members", "import"):
        pytest.skip("the `members import` command does not exist yet")
    table = tmp_path / "membres.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Nom", "Prénom(s)", "Sexe", "Structure", "Fonction", "Téléphone"])
        writer.writerow(["TRAORÉ", "Awa", "F", "Mairie de la Commune IV", "Présidente",
                         "76 12 34 56"])
        writer.writerow(["KEÏTA", "Moussa", "M", "Gendarmerie", "Membre", ""])
        writer.writerow(["COULIBALY", "Fatoumata", "F", "Association des femmes",
                         "Secrétaire", ""])
    result = run_frozen(bundle, "--data-dir", str(committee_dir), "members", "import",
                        str(table))
    assert result.code == 0, result.err
    status = run_frozen(bundle, "--data-dir", str(committee_dir), "--json", "status")
    assert status.json["counts"]["members"] == 3
    listed = run_frozen(bundle, "--data-dir", str(committee_dir), "--json", "members", "list")
    assert listed.code == 0, listed.err
    assert "KEÏTA" in listed.out or "Keïta" in listed.out


def test_frozen_cli_upgrades_a_database_of_the_first_schema(bundle: Bundle,
                                                          tmp_path: Path) -> None:
    """Alembic runs from the bundle: env.py and the revision scripts are found and import."""
    data = tmp_path / "ancienne"
    data.mkdir()
    shutil.copyfile(SAMPLES / f"{migrate.REVISIONS[0]}.sqlite", data / "ccsdesk.sqlite")
    status = run_frozen(bundle, "--data-dir", str(data), "--json", "status")
    assert status.code == 0, status.err
    assert status.json["counts"]["members"] == 4
    if len(migrate.REVISIONS) > 1:
        backups = list((data / "sauvegardes").glob(f"avant-mise-a-jour-{migrate.REVISIONS[0]}-*"))
        assert len(backups) == 1


@pytest.fixture(scope="module")
def demo_dir(bundle: Bundle, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo commune committee, filled once by the frozen ``demo`` command."""
    if not _has_command(bundle, "demo"):
        pytest.skip("the `demo` command does not exist yet")
    data = tmp_path_factory.mktemp("demo") / "donnees"
    result = run_frozen(bundle, "--data-dir", str(data), "demo",
                        env=_clean_env(CCSDESK_PASSPHRASE=PASSPHRASE), timeout=300)
    assert result.code == 0, result.err
    return data


def test_frozen_cli_fills_the_demo_committee(bundle: Bundle, demo_dir: Path,
                                            tmp_path: Path) -> None:
    data = demo_dir
    status = run_frozen(bundle, "--data-dir", str(data), "--json", "status")
    assert status.code == 0, status.err
    assert status.json["counts"]["members"] > 0
    if not _has_command(bundle, "documents"):
        pytest.skip("the `documents` command does not exist yet (documents issue): "
                    "demo data checked, documents not produced")
    meetings = run_frozen(bundle, "--data-dir", str(data), "--json", "meetings", "list")
    assert meetings.code == 0, meetings.err
    found = meetings.json["meetings"]
    assert found, "the demo committee has no session"
    held = [m for m in found if m.get("state") != "planned"] or found
    out = tmp_path / "documents"
    made = run_frozen(bundle, "--data-dir", str(data), "documents", str(held[0]["number"]),
                      "--out", str(out), env=_clean_env(CCSDESK_PASSPHRASE=PASSPHRASE),
                      timeout=300)
    assert made.code == 0, made.err
    pdfs = sorted(out.rglob("*.pdf"))
    assert pdfs, f"no PDF written: {made.out}"
    for pdf in pdfs:
        assert pdf.read_bytes()[:5] == b"%PDF-", pdf.name
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True)
        assert text.returncode == 0 and text.stdout.strip(), f"{pdf.name}: {text.stderr}"
    if held[0].get("state") == "signed":
        # pyHanko and cryptography work frozen: the session packet carries a valid signature.
        checks = [subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True).stdout
                  for pdf in pdfs]
        assert any("Signature is Valid." in check for check in checks), checks


def _fingerprint(bundle: Bundle, data: Path) -> str:
    status = run_frozen(bundle, "--data-dir", str(data), "--json", "status")
    assert status.code == 0, status.err
    return status.json["committee"]["fingerprint"]


def test_frozen_exchange_goes_up_from_commune_to_district(bundle: Bundle, demo_dir: Path,
                                                          tmp_path: Path) -> None:
    """Signed, age-encrypted archive out of one frozen program and into another."""
    if not (_has_command(bundle, "send") and _has_command(bundle, "identity", "enrol")):
        pytest.skip("the exchange commands (`identity`, `send`, `receive`) do not exist yet")
    env = _clean_env(CCSDESK_PASSPHRASE=PASSPHRASE)
    parent = tmp_path / "district"
    made = run_frozen(bundle, "--data-dir", str(parent), "init", "--level", "district",
                      "--name", "CCS du District de Bamako", "--place", "Bamako", env=env)
    assert made.code == 0, made.err
    for data, name in ((demo_dir, "commune.id"), (parent, "district.id")):
        exported = run_frozen(bundle, "--data-dir", str(data), "identity", "export",
                              str(tmp_path / name), env=env)
        assert exported.code == 0, exported.err
    for data, other, relation, name in ((demo_dir, parent, "parent", "district.id"),
                                        (parent, demo_dir, "child", "commune.id")):
        enrolled = run_frozen(bundle, "--data-dir", str(data), "identity", "enrol",
                              "--as", relation, "--fingerprint", _fingerprint(bundle, other),
                              str(tmp_path / name), env=env)
        assert enrolled.code == 0, enrolled.err
    archive = tmp_path / "vers-le-district.ccsa"
    sent = run_frozen(bundle, "--data-dir", str(demo_dir), "send", "--to", "parent",
                      "--out", str(archive), env=env)
    assert sent.code == 0, sent.err
    received = run_frozen(bundle, "--data-dir", str(parent), "--json", "receive", str(archive),
                          env=env)
    assert received.code == 0, received.err
    assert received.json["sessions"] >= 1
    again = run_frozen(bundle, "--data-dir", str(parent), "--json", "receive", str(archive),
                       env=env)
    assert again.code == 0, again.err
    assert again.json["already_imported"] is True


def test_portable_mode_keeps_the_data_beside_the_frozen_program(bundle: Bundle,
                                                               tmp_path: Path) -> None:
    marker = bundle.root / PORTABLE_MARKER
    portable_data = bundle.root / PORTABLE_DATA
    home = tmp_path / "profil"
    env = _clean_env(CCSDESK_PASSPHRASE=PASSPHRASE, HOME=str(home),
                     XDG_DATA_HOME=str(home / "share"), LOCALAPPDATA=str(home / "local"))
    marker.write_text("CCS Desk portable\n", encoding="utf-8")
    try:
        # Run from elsewhere: the marker is looked for beside the program, not in the cwd.
        result = run_frozen(bundle, "init", "--level", "commune", "--name", "CCS portable",
                            "--place", "Commune IV", env=env, cwd=tmp_path)
        assert result.code == 0, result.err
        assert (portable_data / "ccsdesk.sqlite").is_file()
        assert (portable_data / "keys" / "cles.ccskeys").is_file()
        status = run_frozen(bundle, "--json", "status", env=env, cwd=tmp_path)
        assert status.code == 0, status.err
        assert status.json["portable"] is True
        assert Path(status.json["data_dir"]).resolve() == portable_data.resolve()
        assert status.json["committee"]["name"] == "CCS portable"
        assert not home.exists(), "portable mode wrote into the user's profile"
    finally:
        marker.unlink(missing_ok=True)
        shutil.rmtree(portable_data, ignore_errors=True)
    # Without the marker the same program uses the profile's folder (empty) again.
    status = run_frozen(bundle, "--json", "status", env=env, cwd=tmp_path)
    assert status.code == 1
    assert "pas encore de comité" in status.err, status.err
    assert (home / "share" / "ccsdesk").is_dir()
    assert not portable_data.exists()


def _gui_process(bundle: Bundle, data: Path, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(bundle.gui)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, encoding="utf-8",
        env=_clean_env(CCSDESK_DATA_DIR=str(data), **extra),
    )


@pytest.fixture
def gui_available() -> None:
    if importlib.util.find_spec("ccsdesk.gui.app") is None:
        pytest.skip("the window (ccsdesk.gui.app) does not exist yet")


@pytest.mark.parametrize("first_screen", ["wizard", "main window"])
def test_frozen_gui_shows_its_first_screen_offscreen(
    bundle: Bundle, gui_available: None, committee_dir: Path, tmp_path: Path, first_screen: str,
) -> None:
    """The window opens (set-up wizard on an empty folder, main window after set-up)."""
    data = committee_dir if first_screen == "main window" else tmp_path / "vide"
    shown = _gui_process(bundle, data, CCSDESK_GUI_EXIT_WHEN_SHOWN="1")
    _out, err = shown.communicate(timeout=120)
    assert shown.returncode == 0, err
    assert "Traceback" not in err, err

    running = _gui_process(bundle, data)
    try:
        time.sleep(4)
        assert running.poll() is None, running.communicate()[1]
    finally:
        running.terminate()
        _, err = running.communicate(timeout=30)
    assert "Traceback" not in err, err
    assert "ModuleNotFoundError" not in err, err


@pytest.fixture
def installer(bundle: Bundle) -> Iterator[Path]:
    if shutil.which("makensis") is None:
        pytest.fail("makensis is missing: `apt install nsis` (scripts/setup.sh test does it)")
    completed = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--dist", str(bundle.dist), "--no-bundle",
         "--no-compress", "--require-makensis"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    found = list(bundle.dist.glob("ccsdesk-*-installation.exe"))
    assert len(found) == 1, found
    yield found[0]
    found[0].unlink()


def test_installer_compiles_with_french_pages_and_per_user_settings(installer: Path,
                                                                   bundle: Bundle) -> None:
    assert installer.name == f"ccsdesk-{__version__}-installation.exe"
    assert installer.read_bytes()[:2] == b"MZ"  # a Windows program
    # Uncompressed (--no-compress), the script's strings are readable in UTF-16: the French
    # text survived the template and the compiler, the paths and file type are the right ones.
    content = installer.read_bytes()
    for text in ("Désinstaller CCS Desk", "Archive d’échange CCS Desk", "Suivant",
                 "Lancer CCS Desk maintenant", r"Programs\CCS Desk",
                 r"Software\Classes\.ccsa", '"%1"'):
        assert text.encode("utf-16-le") in content, text
    script = (bundle.dist / "ccsdesk.nsi").read_text(encoding="utf-8-sig")
    assert "RequestExecutionLevel user" in script
    commands = [line for line in script.splitlines() if not line.lstrip().startswith(";")]
    assert not [line for line in commands if "HKLM" in line], "machine-wide registry writes"
    assert not re.search(r"@[A-Z0-9_]+@", script), "a template token was left unfilled"
    assert f'!define APP_VERSION "{__version__}"' in script
