"""Build the CCS Desk bundle (PyInstaller) and its Windows installer (NSIS).

Why a script rather than two commands in CI: the Linux smoke test, the Windows workflow and a
developer all build the same way, and the installer template is filled from the same
metadata (``pyproject.toml`` and the package version) as the bundle's version information.
On Linux the installer only packs the Linux bundle: that proves the NSIS script compiles.

Usage::

    python installer/build.py                    # bundle, then installer if makensis exists
    python installer/build.py --no-installer     # bundle only
    python installer/build.py --no-bundle        # installer from an existing bundle
    python installer/build.py --require-makensis # fail when makensis is missing (CI)

Results: ``build/dist/ccsdesk/`` (the bundle) and ``build/dist/ccsdesk-VERSION-installation.exe``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "installer" / "ccsdesk.spec"
TEMPLATE = ROOT / "installer" / "ccsdesk.nsi.in"
ICON = ROOT / "resources" / "icons" / "ccsdesk.ico"
BUNDLE_NAME = "ccsdesk"  # COLLECT name in the spec
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""
GUI_EXE = "CCS Desk" + EXE_SUFFIX
CLI_EXE = "ccsdesk" + EXE_SUFFIX
NSIS_DEFAULT_PATHS = (
    Path(os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)")) / "NSIS" / "makensis.exe",
    Path(os.environ.get("PROGRAMFILES", r"C:\Program Files")) / "NSIS" / "makensis.exe",
)


class BuildError(Exception):
    """A build step failed; the message says which and why."""


@dataclass(frozen=True)
class Metadata:
    """What the installer shows about the program, all from ``pyproject.toml``."""

    name: str
    version: str
    description: str
    publisher: str

    @property
    def version4(self) -> str:
        """``1.2.3`` as ``1.2.3.0``: Windows version resources need four numbers."""
        numbers = [int(n) for n in re.findall(r"\d+", self.version)[:4]]
        return ".".join(str(n) for n in [*numbers, 0, 0, 0, 0][:4])


def read_metadata(root: Path = ROOT) -> Metadata:
    project = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]
    version = project.get("version")
    if version is None:  # dynamic: hatch reads it from the package
        source = (root / "src" / "ccsdesk" / "__init__.py").read_text("utf-8")
        found = re.search(r'^__version__ = "([^"]+)"', source, re.M)
        if not found:
            raise BuildError("no __version__ in src/ccsdesk/__init__.py")
        version = found.group(1)
    authors = project.get("authors") or [{"name": project["name"]}]
    return Metadata(
        name=project["name"], version=version, description=project.get("description", ""),
        publisher=authors[0].get("name", project["name"]),
    )


def build_bundle(dist: Path, work: Path) -> Path:
    """Compile the catalogs, run PyInstaller on the spec; returns the bundle folder."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "i18n.py"), "compile"], cwd=ROOT,
                   check=True)
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
               "--distpath", str(dist), "--workpath", str(work), str(SPEC)]
    print("+", " ".join(command), flush=True)
    started = time.monotonic()
    completed = subprocess.run(command, cwd=ROOT)
    if completed.returncode != 0:
        raise BuildError(f"PyInstaller failed (exit {completed.returncode})")
    bundle = dist / BUNDLE_NAME
    for name in (GUI_EXE, CLI_EXE):
        if not (bundle / name).is_file():
            raise BuildError(f"the bundle has no {name}")
    print(f"bundle: {bundle} ({folder_size(bundle) / 1e6:.0f} MB, "
          f"{time.monotonic() - started:.0f} s)", flush=True)
    return bundle


def folder_size(folder: Path) -> int:
    """Bytes on disk; the symbolic links PyInstaller makes for shared libraries count once."""
    return sum(path.stat().st_size for path in folder.rglob("*")
               if path.is_file() and not path.is_symlink())


def nsis_string(text: str) -> str:
    """``text`` safe inside an NSIS double-quoted string."""
    return text.replace("$", "$$").replace('"', "$\\\"")


def fill_template(metadata: Metadata, bundle: Path, outfile: Path, template: Path = TEMPLATE,
                  ) -> str:
    """The NSIS script with every ``@TOKEN@`` replaced; an unknown token is an error."""
    values = {
        "VERSION": metadata.version,
        "VERSION4": metadata.version4,
        "DESCRIPTION": nsis_string(metadata.description),
        "PUBLISHER": nsis_string(metadata.publisher),
        "OUTFILE": str(outfile),
        "ICON": str(ICON),
        "BUNDLE_FILES": str(bundle) + os.sep + "*",
        "SIZE_KB": str(folder_size(bundle) // 1024),
    }
    text = template.read_text("utf-8")

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise BuildError(f"{template.name}: unknown token @{key}@")
        return values[key]

    return re.sub(r"@([A-Z0-9_]+)@", replace, text)


def find_makensis() -> str | None:
    found = shutil.which("makensis")
    if found:
        return found
    for candidate in NSIS_DEFAULT_PATHS:
        if candidate.is_file():
            return str(candidate)
    return None


def build_installer(metadata: Metadata, bundle: Path, out_dir: Path, makensis: str, *,
                    compress: bool = True) -> Path:
    """Write the filled script beside the bundle and compile it, warnings counting as errors.

    ``compress=False`` packs the files as they are: solid LZMA of the bundle takes minutes on
    a small machine, and the smoke test only needs to prove the script compiles.
    """
    if not (bundle / CLI_EXE).is_file():
        raise BuildError(f"no bundle in {bundle}: build it first")
    outfile = out_dir / f"{metadata.name}-{metadata.version}-installation.exe"
    script = out_dir / "ccsdesk.nsi"
    out_dir.mkdir(parents=True, exist_ok=True)
    # A byte-order mark makes makensis read the French text as UTF-8 on every platform.
    script.write_text(fill_template(metadata, bundle, outfile), encoding="utf-8-sig")
    outfile.unlink(missing_ok=True)
    command = [makensis, "-V2", "-WX", "-INPUTCHARSET", "UTF8"]
    if not compress:
        command.append("-DNO_COMPRESS")
    command.append(str(script))
    print("+", " ".join(command), flush=True)
    started = time.monotonic()
    completed = subprocess.run(command, cwd=out_dir)
    if completed.returncode != 0 or not outfile.is_file():
        raise BuildError(f"makensis failed (exit {completed.returncode})")
    print(f"installer: {outfile} ({outfile.stat().st_size / 1e6:.0f} MB, "
          f"{time.monotonic() - started:.0f} s)", flush=True)
    return outfile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "build" / "dist",
                        help="where the bundle and installer go (default build/dist)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller's work folder (default build/pyinstaller)")
    parser.add_argument("--no-bundle", action="store_true", help="reuse the existing bundle")
    parser.add_argument("--no-installer", action="store_true", help="skip the installer")
    parser.add_argument("--no-compress", action="store_true",
                        help="a quick, uncompressed installer (tests only)")
    parser.add_argument("--require-makensis", action="store_true",
                        help="fail instead of skipping the installer when makensis is missing")
    args = parser.parse_args(argv)
    dist, work = args.dist.resolve(), args.work.resolve()
    try:
        metadata = read_metadata()
        bundle = dist / BUNDLE_NAME if args.no_bundle else build_bundle(dist, work)
        if args.no_installer:
            return 0
        makensis = find_makensis()
        if makensis is None:
            if args.require_makensis:
                raise BuildError("makensis not found (Debian: apt install nsis; "
                                 "Windows: choco install nsis)")
            print("makensis not found: installer skipped", flush=True)
            return 0
        build_installer(metadata, bundle, dist, makensis, compress=not args.no_compress)
    except BuildError as error:
        print(f"build.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
