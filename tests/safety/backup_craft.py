"""Building altered backups for the refusal and fuzzing tests.

A real backup ends with a whole-file checksum, so almost any change is caught there first.
To reach the deeper checks (manifest, names, sizes, database), ``rebuild`` writes a new zip
from chosen entries and seals it with a correct checksum, as a careful forger would.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

from ccsdesk.core.services import backup


def entries_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def manifest_of(path: Path) -> dict:
    return json.loads(entries_of(path)[backup.MANIFEST])


def rebuild(source: Path, destination: Path, *,
            change: Callable[[dict[str, bytes]], None] | None = None,
            fix_manifest: bool = True, symlinks: tuple[str, ...] = ()) -> Path:
    """A sealed backup whose entries are those of ``source`` after ``change``.

    With ``fix_manifest`` the manifest's hashes and sizes are recomputed for every entry
    (other than the manifest), so only the structural checks can catch the alteration.
    """
    contents = entries_of(source)
    if change is not None:
        change(contents)
    if fix_manifest and backup.MANIFEST in contents:
        manifest = json.loads(contents[backup.MANIFEST])
        manifest["entries"] = [
            {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in contents.items() if name != backup.MANIFEST
        ]
        contents[backup.MANIFEST] = json.dumps(manifest).encode("utf-8")
    with zipfile.ZipFile(destination, "w") as archive:
        for name, data in contents.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            mode = stat.S_IFLNK if name in symlinks else stat.S_IFREG
            info.external_attr = (mode | 0o644) << 16
            archive.writestr(info, data)
        archive.comment = backup.placeholder_comment()
    backup.seal_trailer(destination)
    return destination


def change_database(contents: dict[str, bytes], statement: str, work: Path) -> None:
    """Run ``statement`` on the database entry (through a real SQLite file)."""
    database = work / "altered.sqlite"
    database.write_bytes(contents["ccsdesk.sqlite"])
    connection = sqlite3.connect(database)
    try:
        connection.executescript(statement)
        connection.commit()
    finally:
        connection.close()
    contents["ccsdesk.sqlite"] = database.read_bytes()
    os.unlink(database)


def snapshot_tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its SHA-256: to prove nothing was touched."""
    found = {}
    if not root.exists():
        return found
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and not path.is_symlink():
            found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[relative] = "dir" if path.is_dir() else "other"
    return found


def table_rows(database: Path) -> dict[str, list[tuple]]:
    """Every row of every table (found in ``sqlite_master``), sorted, for comparison."""
    connection = sqlite3.connect(database.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
        return {
            table: sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
            for table in tables
        }
    finally:
        connection.close()
