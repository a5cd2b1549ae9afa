"""Make the small database kept in ``tests/data/schemas/`` for one released schema.

Why: the upgrade test (``tests/core/test_upgrades.py``) opens a copy of a database written by
each released version and checks that the current program migrates it without losing data.
Such a file must be written by the *released* code, not by today's code, or it would silently
carry today's schema under an old name. So the sample is named after the revision actually
found in the database it produced, an existing sample is never overwritten without
``--force``, and ``--git-ref`` runs the code of a tagged or committed release (exported with
``git archive`` into a temporary folder; the working tree is not touched).

Usage::

    .venv/bin/python scripts/make_schema_sample.py                 # the code in this checkout
    .venv/bin/python scripts/make_schema_sample.py --git-ref v0.1.0  # a released version

Run it once when a release adds a migration, and commit the new file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "data" / "schemas"
PASSPHRASE = "phrase-secrete-de-test"

# A few members covering the fields an upgrade must keep: accents, both sexes, a bureau
# role, an inactive member, dates, phone and e-mail.
MEMBERS = (
    {"last_name": "Traoré", "first_names": "Awa", "sex": "F", "role": "president",
     "organisation": "Mairie", "phone": "76 12 34 56", "email": "awa.traore@example.ml",
     "mandate_start": date(2024, 1, 15), "mandate_end": date(2027, 1, 14)},
    {"last_name": "Keïta", "first_names": "Moussa", "sex": "M", "role": "secretary",
     "organisation": "Gendarmerie", "phone": "66 00 11 22"},
    {"last_name": "Coulibaly", "first_names": "Fatoumata", "sex": "F",
     "organisation": "Association des femmes"},
    {"last_name": "Diarra", "first_names": "Seydou", "sex": "M",
     "organisation": "Chefferie traditionnelle", "active": False},
)


def make_sample(out_dir: Path, force: bool) -> Path:
    """Set up a commune committee with a few members and keep its database as one file."""
    from ccsdesk.core.services import committee, roster
    from ccsdesk.core.storage.folder import DataFolder

    with tempfile.TemporaryDirectory(prefix="ccsdesk-sample-") as work:
        folder = DataFolder.open(Path(work) / "donnees")
        try:
            committee.initialize(
                folder, level="commune", name="CCS de la Commune IV", place="Commune IV",
                chair_title="Maire", passphrase=PASSPHRASE,
            )
            for fields in MEMBERS:
                roster.add_member(folder, roster.MemberData(**fields))
        finally:
            folder.close()
        source = Path(work) / "donnees" / "ccsdesk.sqlite"
        staged = Path(work) / "sample.sqlite"
        # The backup API folds the WAL into one self-contained file; closing the last
        # connection checkpoints and removes the -wal file.
        src, dst = sqlite3.connect(source), sqlite3.connect(staged)
        try:
            src.backup(dst)
            # Kept in WAL mode, as the program leaves every data folder.
            dst.execute("PRAGMA journal_mode=WAL")
            revision = dst.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            dst.execute("VACUUM")
        finally:
            src.close()
            dst.close()
        target = out_dir / f"{revision}.sqlite"
        if target.exists() and not force:
            raise SystemExit(f"{target} exists already; samples of released schemas are "
                             "never regenerated (use --force only if you know why)")
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(staged, target)
        return target


def run_released(git_ref: str, out_dir: Path, force: bool) -> int:
    """Run this script again with the source and resources of ``git_ref``."""
    with tempfile.TemporaryDirectory(prefix="ccsdesk-release-") as work:
        archive = Path(work) / "release.tar"
        subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "-o", str(archive),
                        git_ref, "src", "resources"], check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(work, filter="data")
        env = {**os.environ, "PYTHONPATH": str(Path(work) / "src"),
               "CCSDESK_RESOURCES": str(Path(work) / "resources")}
        compiled = Path(work) / "resources" / "locale" / "fr" / "LC_MESSAGES"
        if not compiled.is_dir():
            # Catalogs are compiled files; an archive without them still runs in English.
            env["CCSDESK_LANG"] = "en"
        command = [sys.executable, str(Path(__file__).resolve()), "--out", str(out_dir)]
        if force:
            command.append("--force")
        return subprocess.run(command, env=env, cwd=work).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--git-ref", help="make the sample with the code of this commit or tag")
    parser.add_argument("--out", type=Path, default=SAMPLES, help="folder for the sample")
    parser.add_argument("--force", action="store_true", help="overwrite an existing sample")
    args = parser.parse_args()
    if args.git_ref:
        return run_released(args.git_ref, args.out.resolve(), args.force)
    target = make_sample(args.out, args.force)
    print(f"wrote {target} ({target.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
