"""Backups of a whole data folder, their verification, restore, and the automatic rotation.

A backup is one zip file (format in ``docs/formats/backup.md``): a consistent copy of the
database taken with SQLite's online backup API (so the window may keep running), the keys
folder exactly as it is on disk (still sealed by the passphrase: nothing is ever decrypted
here), the other files of the folder (scans, documents), and ``manifest.json`` listing the
SHA-256 and size of every entry. The zip comment ends the file with the SHA-256 of every byte
before it, so a single changed or missing byte anywhere is caught before anything is read.

Restore verifies the whole file into a staging folder beside the target first; only when
every check passed does it move the current data aside and rename the staging folder into
place, so a damaged or foreign file never touches the data.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import sqlite3
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from ccsdesk import __version__
from ccsdesk.core.errors import CcsError, InputError, StateError, StorageError
from ccsdesk.core.files import sync_directory
from ccsdesk.core.i18n import _
from ccsdesk.core.services import journal
from ccsdesk.core.storage import migrate
from ccsdesk.core.storage.folder import DB_FILE, DataFolder

FORMAT = "ccsdesk-backup/1"
MANIFEST = "manifest.json"
EXTENSION = ".ccsbak"
SECOND_PLACE_SETTING = "backup.second_place"
# The zip comment: this prefix, then the hex SHA-256 of every byte of the file before the hex.
TRAILER_PREFIX = b"ccsdesk-backup/1 sha256="
TRAILER_LENGTH = len(TRAILER_PREFIX) + 64

# Limits checked on the declared sizes before anything is read, and named in the messages.
MAX_ENTRIES = 100_000
MAX_ENTRY_BYTES = 2 * 1024**3
MAX_TOTAL_BYTES = 8 * 1024**3
MAX_MANIFEST_BYTES = 4 * 1024**2
CHUNK = 1024 * 1024
FREE_SPACE_MARGIN = 20 * 1024**2

# Rotation of automatic backups: the newest of each of the last KEEP_DAILY days that have
# one, plus the newest of each of the last KEEP_WEEKLY ISO weeks that have one.
KEEP_DAILY = 7
KEEP_WEEKLY = 4
MANUAL_PREFIX = "ccsdesk-"
AUTO_PREFIX = "ccsdesk-auto-"
_NAME = re.compile(r"^ccsdesk-(auto-)?(\d{8}-\d{6})(?:-(\d+))?\.ccsbak$")

# Files of the data folder that are never copied: the live database and its WAL companions
# (the database travels as its online-backup copy), the backups themselves, half-written files.
_SKIPPED_TOP = {DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm", f"{DB_FILE}-journal",
                "sauvegardes"}
_SKIPPED_SUFFIXES = (".partial", ".tmp", ".lock")
_SKIPPED_PREFIXES = (".write-test-", ".en-cours-", "~$")


@dataclass(frozen=True)
class BackupInfo:
    """What a verified backup holds, read from its manifest."""

    path: Path
    program_version: str
    schema_revision: str | None
    committee_uid: str | None
    committee_name: str | None
    created_at: str
    entries: int
    total_size: int


@dataclass(frozen=True)
class RestoreResult:
    """Where the data was restored and where the data it replaced was kept."""

    target: Path
    previous_copy: Path | None
    info: BackupInfo


@dataclass
class AutomaticResult:
    """The outcome of an automatic or a « Back up now » backup and of its copy to the second
    place: the copy never raises, its failure is a message to show instead."""

    path: Path | None = None
    copied_to: Path | None = None
    removed: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The second place the copy went to or was meant for (None: none chosen), and why the
    # copy failed, for scripts: "full", "unreachable" or "error" (the message is in warnings).
    second_place: Path | None = None
    copy_failure: str | None = None


# --------------------------------------------------------------------------- creating


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d-%H%M%S")


def _free_name(directory: Path, prefix: str, moment: datetime) -> Path:
    """``PREFIX-AAAAMMJJ-HHMMSS.ccsbak``, with ``-2``, ``-3``… if that second is taken."""
    base = f"{prefix}{_stamp(moment)}"
    candidate = directory / f"{base}{EXTENSION}"
    number = 2
    while candidate.exists():
        candidate = directory / f"{base}-{number}{EXTENSION}"
        number += 1
    return candidate


def _database_file(folder: DataFolder) -> Path:
    """The SQLite file behind the folder; backups of a server database are not ours to make."""
    if not folder.database.is_sqlite:
        raise StorageError(
            _("Backups can only be made of the data folder's own database file; this folder "
              "uses a database server, which must be backed up by its own tools.")
        )
    name = folder.database.engine.url.database
    return Path(name) if name else folder.db_path


def _read_only_uri(path: Path) -> str:
    """A read-only SQLite URI; ``as_uri`` escapes spaces, ``#``, ``?`` and accents."""
    return Path(path).resolve().as_uri() + "?mode=ro"


def _snapshot_database(source_file: Path, copy: Path) -> None:
    """A consistent copy through the online backup API, made self-contained (no WAL)."""
    source = sqlite3.connect(_read_only_uri(source_file), uri=True, timeout=15)
    try:
        destination = sqlite3.connect(copy)
        try:
            source.backup(destination)
            destination.execute("PRAGMA journal_mode=DELETE")
            result = destination.execute("PRAGMA integrity_check").fetchone()
            if not result or result[0] != "ok":
                raise StorageError(
                    _("The database failed its integrity check while being backed up "
                      "({detail}); no backup was written.").format(
                        detail=result[0] if result else "?")
                )
        finally:
            destination.close()
    finally:
        source.close()


def _database_facts(copy: Path) -> tuple[str | None, str | None, str | None]:
    """Schema revision and this committee's uid and name, read from the copy."""
    connection = sqlite3.connect(_read_only_uri(copy), uri=True)
    try:
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table'")}
        revision = None
        if "alembic_version" in tables:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        uid = name = None
        if "committee" in tables:
            row = connection.execute(
                "SELECT uid, name FROM committee WHERE relation='self'").fetchone()
            if row:
                uid, name = row
        return revision, uid, name
    finally:
        connection.close()


def _skipped(relative: PurePosixPath) -> bool:
    if relative.parts[0] in _SKIPPED_TOP:
        return True
    name = relative.name
    return name.endswith(_SKIPPED_SUFFIXES) or name.startswith(_SKIPPED_PREFIXES)


def _folder_files(root: Path) -> Iterator[tuple[str, Path]]:
    """Every regular file to copy, as (name in the backup, path); links are never followed."""
    for directory, subdirectories, files in os.walk(root, followlinks=False):
        here = Path(directory)
        relative_dir = PurePosixPath(here.relative_to(root).as_posix())
        subdirectories[:] = sorted(
            d for d in subdirectories
            if not (here / d).is_symlink() and not _skipped(relative_dir / d)
        )
        for name in sorted(files):
            relative = relative_dir / name
            path = here / name
            if _skipped(relative) or not stat.S_ISREG(path.lstat().st_mode):
                continue
            yield relative.as_posix(), path


def _add_file(archive: zipfile.ZipFile, name: str, source: Path) -> dict[str, Any]:
    digest, size = hashlib.sha256(), 0
    info = zipfile.ZipInfo(name, date_time=_zip_time(source))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    with source.open("rb") as handle, archive.open(info, "w", force_zip64=True) as entry:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            entry.write(chunk)
    return {"name": name, "size": size, "sha256": digest.hexdigest()}


def _zip_time(source: Path) -> tuple[int, int, int, int, int, int]:
    moment = datetime.fromtimestamp(source.stat().st_mtime)
    moment = max(moment, datetime(1980, 1, 1))
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def seal_trailer(path: Path) -> None:
    """Write the whole-file SHA-256 into the zip comment placeholder at the end of ``path``."""
    size = path.stat().st_size
    digest = hashlib.sha256()
    with path.open("r+b") as handle:
        remaining = size - 64
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            digest.update(chunk)
            remaining -= len(chunk)
        handle.seek(size - 64)
        handle.write(digest.hexdigest().encode("ascii"))
        handle.flush()
        os.fsync(handle.fileno())


def placeholder_comment() -> bytes:
    """The zip comment a backup is written with before :func:`seal_trailer` fills it in."""
    return TRAILER_PREFIX + b"0" * 64


def create(folder: DataFolder, out: Path | None = None, *, now: datetime | None = None,
           automatic: bool = False) -> Path:
    """Write a backup of ``folder`` to ``out`` (default: a dated file in its backups folder).

    The database copy is taken with the online backup API, so another connection may be
    writing meanwhile; the file appears under its final name only once complete and flushed.
    """
    moment = now or datetime.now()
    if out is None:
        folder.backups_dir.mkdir(parents=True, exist_ok=True)
        out = _free_name(folder.backups_dir, AUTO_PREFIX if automatic else MANUAL_PREFIX, moment)
    out = Path(out)
    if out.is_dir():
        out = _free_name(out, MANUAL_PREFIX, moment)
    if out.exists():
        raise InputError(_("The backup file {file} already exists; choose another name.").format(
            file=out))
    database_file = _database_file(folder)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        with tempfile.TemporaryDirectory(prefix=".en-cours-", dir=out.parent) as work:
            copy = Path(work) / DB_FILE
            _snapshot_database(database_file, copy)
            revision, uid, name = _database_facts(copy)
            try:
                entries: list[dict[str, Any]] = []
                with zipfile.ZipFile(partial, "w", allowZip64=True) as archive:
                    entries.append(_add_file(archive, DB_FILE, copy))
                    for entry_name, path in _folder_files(folder.path):
                        entries.append(_add_file(archive, entry_name, path))
                    manifest = {
                        "format": FORMAT,
                        "program_version": __version__,
                        "schema_revision": revision,
                        "committee": {"uid": uid, "name": name} if uid else None,
                        "created_at": moment.astimezone().isoformat(timespec="seconds"),
                        "entries": entries,
                    }
                    manifest_info = zipfile.ZipInfo(MANIFEST, date_time=moment.timetuple()[:6])
                    manifest_info.compress_type = zipfile.ZIP_DEFLATED
                    manifest_info.external_attr = (stat.S_IFREG | 0o644) << 16
                    archive.writestr(manifest_info, json.dumps(manifest, ensure_ascii=False,
                                                          indent=2).encode("utf-8"))
                    archive.comment = placeholder_comment()
                seal_trailer(partial)
                os.replace(partial, out)
                sync_directory(out.parent)
            finally:
                partial.unlink(missing_ok=True)
    except OSError as error:
        raise StorageError(_write_failure(out, error)) from error
    except sqlite3.Error as error:
        raise StorageError(
            _("The database could not be copied ({reason}); no backup was written.").format(
                reason=error)) from error
    with folder.database.unit_of_work() as session:
        journal.record(session, "backup.create", f"backup:{out.name}",
                       {"file": str(out), "size": out.stat().st_size,
                        "entries": len(entries), "automatic": automatic})
    return out


def _write_failure(out: Path, error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return _("Not enough free space to write the backup {file}; nothing was written.").format(
            file=out)
    return _("The backup {file} could not be written ({reason}); nothing was written.").format(
        file=out, reason=error.strerror or error)


# --------------------------------------------------------------------------- verifying


def _damaged(path: Path, why: str) -> InputError:
    return InputError(
        _("The backup {file} is damaged or was changed: {why}. Use another copy; "
          "nothing was changed.").format(file=path.name, why=why)
    )


def _foreign(path: Path) -> InputError:
    return InputError(
        _("The file {file} is not a CCS Desk backup, or it is incomplete (cut short during a "
          "copy); nothing was changed.").format(file=path.name)
    )


def _mebibytes(size: int) -> str:
    return f"{size / 1024**2:,.0f}".replace(",", "\u202f")


def _check_trailer(path: Path) -> None:
    """The whole-file checksum in the zip comment: catches truncation and any changed byte."""
    try:
        size = path.stat().st_size
        if size < TRAILER_LENGTH + 22:
            raise _foreign(path)
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            remaining = size - 64
            while remaining > 0:
                chunk = handle.read(min(CHUNK, remaining))
                if not chunk:
                    raise _foreign(path)
                digest.update(chunk)
                remaining -= len(chunk)
            handle.seek(size - TRAILER_LENGTH)
            tail = handle.read(TRAILER_LENGTH)
    except OSError as error:
        raise InputError(_("The backup file {file} cannot be read ({reason}).").format(
            file=path, reason=error.strerror or error)) from error
    if not tail.startswith(TRAILER_PREFIX):
        raise _foreign(path)
    if tail[len(TRAILER_PREFIX):] != digest.hexdigest().encode("ascii"):
        raise _damaged(path, _("its checksum does not match its content"))


def _check_name(path: Path, name: str) -> None:
    """Refuse names that could land outside the target folder or mean something odd."""
    pure = PurePosixPath(name)
    bad = (
        not name or "\\" in name or "\x00" in name or name.startswith("/")
        or pure.is_absolute() or re.match(r"^[A-Za-z]:", name) is not None
        or any(part in ("", ".", "..") for part in name.split("/"))
        or len(name) > 400
    )
    if bad:
        raise _damaged(path, _("it holds a file with a forbidden name « {name} »").format(
            name=name[:80]))


def _check_members(path: Path, archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise _damaged(path, _("it holds {count} files, more than the limit of {limit}").format(
            count=len(infos), limit=MAX_ENTRIES))
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        _check_name(path, info.filename)
        mode = info.external_attr >> 16
        if info.is_dir() or (stat.S_IFMT(mode) and not stat.S_ISREG(mode)):
            raise _damaged(path, _("« {name} » is a link or a folder, not a file").format(
                name=info.filename[:80]))
        if info.filename in members:
            raise _damaged(path, _("« {name} » appears twice").format(name=info.filename[:80]))
        if info.file_size > MAX_ENTRY_BYTES:
            raise _damaged(path, _("« {name} » would take {size} MB, more than the limit of "
                                   "{limit} MB for one file").format(
                name=info.filename[:80], size=_mebibytes(info.file_size),
                limit=_mebibytes(MAX_ENTRY_BYTES)))
        total += info.file_size
        members[info.filename] = info
    if total > MAX_TOTAL_BYTES:
        raise _damaged(path, _("its content would take {size} MB, more than the limit of "
                               "{limit} MB").format(size=_mebibytes(total),
                                                    limit=_mebibytes(MAX_TOTAL_BYTES)))
    return members


def _read_manifest(path: Path, archive: zipfile.ZipFile,
                   members: dict[str, zipfile.ZipInfo]) -> dict[str, Any]:
    info = members.get(MANIFEST)
    if info is None:
        raise _foreign(path)
    if info.file_size > MAX_MANIFEST_BYTES:
        raise _damaged(path, _("its manifest is larger than {limit} MB").format(
            limit=_mebibytes(MAX_MANIFEST_BYTES)))
    try:
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise _damaged(path, _("its manifest cannot be read")) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        if isinstance(found, str) and found.startswith("ccsdesk-backup/"):
            raise InputError(
                _("The backup {file} has the format {format}, which this version of CCS Desk "
                  "does not know. Install a newer version; nothing was changed.").format(
                    file=path.name, format=found[:40]))
        raise _foreign(path)
    entries = manifest.get("entries")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("name"), str)
        and isinstance(e.get("size"), int) and isinstance(e.get("sha256"), str)
        for e in entries
    ):
        raise _damaged(path, _("its manifest is incomplete"))
    listed = [e["name"] for e in entries]
    if len(set(listed)) != len(listed) or MANIFEST in listed:
        raise _damaged(path, _("its manifest lists a file twice"))
    present = set(members) - {MANIFEST}
    if set(listed) != present:
        odd = sorted(set(listed) ^ present)[0]
        raise _damaged(path, _("« {name} » is not both in the manifest and in the file").format(
            name=odd[:80]))
    if DB_FILE not in present:
        raise _damaged(path, _("it holds no database"))
    for entry in entries:
        if members[entry["name"]].file_size != entry["size"]:
            raise _damaged(path, _("the size of « {name} » does not match the manifest").format(
                name=entry["name"][:80]))
    return manifest


def _extract_entry(path: Path, archive: zipfile.ZipFile, entry: dict[str, Any],
                   staging: Path) -> None:
    """Copy one entry into ``staging`` while checking its size and SHA-256."""
    name = entry["name"]
    destination = staging.joinpath(*name.split("/"))
    if staging.resolve() not in destination.resolve().parents:
        raise _damaged(path, _("it holds a file with a forbidden name « {name} »").format(
            name=name[:80]))
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        handle = destination.open("xb")
    except (FileExistsError, NotADirectoryError, IsADirectoryError) as error:
        raise _damaged(path, _("« {name} » clashes with another file of the backup").format(
            name=name[:80])) from error
    digest, size = hashlib.sha256(), 0
    with archive.open(name) as source, handle:
        while chunk := source.read(CHUNK):
            size += len(chunk)
            if size > entry["size"]:
                raise _damaged(path, _("« {name} » is larger than the manifest says").format(
                    name=name[:80]))
            digest.update(chunk)
            handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())
    if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
        raise _damaged(path, _("« {name} » does not match its checksum").format(name=name[:80]))


def _check_database(path: Path, database: Path, manifest: dict[str, Any]) -> str | None:
    try:
        connection = sqlite3.connect(_read_only_uri(database), uri=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchall()
            if result != [("ok",)]:
                raise _damaged(path, _("its database fails the integrity check"))
            if connection.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise _damaged(path, _("its database has broken links between records"))
        finally:
            connection.close()
        revision, _uid, _name = _database_facts(database)
    except sqlite3.DatabaseError as error:
        raise _damaged(path, _("its database cannot be opened")) from error
    if revision != manifest.get("schema_revision"):
        raise _damaged(path, _("its database does not match the manifest"))
    return revision


def _stage(path: Path, staging: Path) -> BackupInfo:
    """Verify the whole backup, writing its files into the empty folder ``staging``."""
    path = Path(path)
    if not path.is_file():
        raise InputError(_("The backup file {file} does not exist.").format(file=path))
    _check_trailer(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = _check_members(path, archive)
            manifest = _read_manifest(path, archive, members)
            needed = sum(e["size"] for e in manifest["entries"]) + FREE_SPACE_MARGIN
            free = shutil.disk_usage(staging).free
            if free < needed:
                raise InputError(
                    _("Not enough free space: the restore needs {needed} MB and {free} MB are "
                      "free; nothing was changed.").format(needed=_mebibytes(needed),
                                                           free=_mebibytes(free)))
            for entry in manifest["entries"]:
                _extract_entry(path, archive, entry, staging)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError,
            NotImplementedError, RuntimeError, zlib.error, struct.error) as error:
        raise _damaged(path, _("its content cannot be read")) from error
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise InputError(_("Not enough free space to restore; nothing was changed.")) \
                from error
        raise InputError(_("The backup file {file} cannot be read ({reason}).").format(
            file=path, reason=error.strerror or error)) from error
    revision = _check_database(path, staging / DB_FILE, manifest)
    committee = manifest.get("committee") if isinstance(manifest.get("committee"), dict) else {}
    return BackupInfo(
        path=path,
        program_version=str(manifest.get("program_version", "?"))[:40],
        schema_revision=revision,
        committee_uid=committee.get("uid") if committee else None,
        committee_name=committee.get("name") if committee else None,
        created_at=str(manifest.get("created_at", ""))[:40],
        entries=len(manifest["entries"]),
        total_size=sum(e["size"] for e in manifest["entries"]),
    )


def verify(path: Path) -> BackupInfo:
    """Check the whole backup (checksums, names, sizes, database integrity) without using it."""
    with tempfile.TemporaryDirectory(prefix="ccsdesk-verification-") as work:
        return _stage(Path(path), Path(work))


# --------------------------------------------------------------------------- restoring


def _check_schema_known(info: BackupInfo) -> None:
    if info.schema_revision is not None and info.schema_revision not in migrate.REVISIONS:
        raise StorageError(
            _("The backup {file} was made by a newer version of CCS Desk ({version}, schema "
              "{revision}). Install that version or a later one; nothing was changed.").format(
                file=info.path.name, version=info.program_version,
                revision=info.schema_revision)
        )


def _aside_name(target: Path, moment: datetime) -> Path:
    base = target.with_name(f"{target.name}-avant-restauration-{_stamp(moment)}")
    candidate, number = base, 2
    while candidate.exists():
        candidate = base.with_name(f"{base.name}-{number}")
        number += 1
    return candidate


def restore(path: Path, target: Path, *, replace: bool) -> RestoreResult:
    """Restore the backup ``path`` into ``target``.

    Without ``replace``, ``target`` must be a new (or empty) folder. With it, the current
    data in ``target`` is moved aside to ``…-avant-restauration-<date>`` — but only after the
    whole backup was verified, so a refused backup leaves everything as it was. The folder
    must not be open elsewhere while it is replaced.
    """
    path, target = Path(path), Path(target)
    moment = datetime.now()
    if target.exists() and not target.is_dir():
        raise InputError(_("The restore target {folder} is a file, not a folder; nothing was "
                           "changed.").format(folder=target))
    occupied = target.is_dir() and any(target.iterdir())
    if occupied and not replace:
        raise StateError(
            _("The folder {folder} is not empty: restore into a new folder, or replace the "
              "current data explicitly; nothing was changed.").format(folder=target))
    # Staged in the nearest existing folder above the target (same disk, so the final
    # rename is instant); missing parent folders are only made once all checks passed.
    anchor = target.parent
    while not anchor.exists() and anchor != anchor.parent:
        anchor = anchor.parent
    try:
        staging = Path(tempfile.mkdtemp(prefix=".restauration-ccsdesk-", dir=anchor))
    except OSError as error:
        raise StorageError(_("The restore folder {folder} cannot be written to ({reason}).").format(
            folder=anchor, reason=error.strerror or error)) from error
    try:
        info = _stage(path, staging)
        _check_schema_known(info)
        _record_restore(staging, info, target if occupied else None)
        aside = _swap_in(staging, target, moment) if occupied else None
        if not occupied:
            if target.is_dir():
                target.rmdir()
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging, target)
        sync_directory(target.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return RestoreResult(target=target, previous_copy=aside, info=info)


def _record_restore(staging: Path, info: BackupInfo, replaced: Path | None) -> None:
    """Open the staged folder (migrating an older schema) and journal the restore in it."""
    restored = DataFolder.open(staging)
    try:
        if _database_file(restored).resolve() != (staging / DB_FILE).resolve():
            raise StorageError(
                _("The restored folder would use another database than its own file "
                  "(CCSDESK_DATABASE_URL or config.json); nothing was changed."))
        with restored.database.unit_of_work() as session:
            journal.record(session, "backup.restore", f"backup:{info.path.name}",
                           {"file": str(info.path), "created_at": info.created_at,
                            "program_version": info.program_version,
                            "schema_revision": info.schema_revision,
                            "replaced": str(replaced) if replaced else None})
    finally:
        restored.close()


def _swap_in(staging: Path, target: Path, moment: datetime) -> Path:
    """Move the current data aside, the verified data in, and the backups folder along."""
    aside = _aside_name(target, moment)
    try:
        os.replace(target, aside)
    except OSError as error:
        raise StorageError(
            _("The current data in {folder} cannot be moved aside ({reason}). Close CCS Desk "
              "everywhere it uses this folder and try again; nothing was changed.").format(
                folder=target, reason=error.strerror or error)) from error
    try:
        os.replace(staging, target)
    except OSError as error:
        os.replace(aside, target)
        raise StorageError(_("The restored data cannot be put in place ({reason}); nothing "
                             "was changed.").format(reason=error.strerror or error)) from error
    old_backups = aside / "sauvegardes"
    if old_backups.is_dir():
        new_backups = target / "sauvegardes"
        new_backups.mkdir(exist_ok=True)
        for item in old_backups.iterdir():
            if not (new_backups / item.name).exists():
                with suppress(OSError):
                    os.replace(item, new_backups / item.name)
    return aside


# --------------------------------------------------------------------------- automatic


def _backup_time(path: Path) -> datetime | None:
    match = _NAME.match(path.name)
    if not match:
        return None
    try:
        return datetime.strptime(match.group(2), "%Y%m%d-%H%M%S")
    except ValueError:
        return None


def _automatic_backups(directory: Path) -> list[tuple[datetime, Path]]:
    found = []
    with suppress(OSError):
        for path in directory.glob(f"{AUTO_PREFIX}*{EXTENSION}"):
            moment = _backup_time(path)
            if moment is not None and path.is_file():
                found.append((moment, path))
    return sorted(found)


def to_keep(moments: Iterable[datetime]) -> set[datetime]:
    """The rotation rule: newest per day for 7 days with backups, per ISO week for 4 weeks."""
    newest_per_day: dict[date, datetime] = {}
    newest_per_week: dict[tuple[int, int], datetime] = {}
    for moment in moments:
        day = moment.date()
        week = tuple(moment.isocalendar())[:2]
        newest_per_day[day] = max(newest_per_day.get(day, moment), moment)
        newest_per_week[week] = max(newest_per_week.get(week, moment), moment)  # type: ignore[index]
    keep = {newest_per_day[d] for d in sorted(newest_per_day)[-KEEP_DAILY:]}
    keep |= {newest_per_week[w] for w in sorted(newest_per_week)[-KEEP_WEEKLY:]}
    return keep


def rotate(directory: Path) -> list[Path]:
    """Delete the automatic backups in ``directory`` the rule does not keep; returns them."""
    backups = _automatic_backups(directory)
    keep = to_keep(moment for moment, _path in backups)
    removed = []
    for moment, path in backups:
        if moment not in keep:
            with suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def _copy_to_second_place(source: Path, place: Path) -> Path:
    """Copy ``source`` into ``place`` through a flushed temporary file; raises OSError."""
    if not place.is_dir():
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(place))
    destination = place / source.name
    partial = destination.with_name(destination.name + ".partial")
    try:
        with source.open("rb") as reader, partial.open("wb") as writer:
            shutil.copyfileobj(reader, writer, CHUNK)
            writer.flush()
            os.fsync(writer.fileno())
        os.replace(partial, destination)
        sync_directory(place)
    finally:
        with suppress(OSError):
            partial.unlink(missing_ok=True)
    return destination


def _second_place(folder: DataFolder, extra: Path | None) -> Path | None:
    if extra is not None:
        return Path(extra)
    from ccsdesk.core.services import settings

    value = settings.get(folder, SECOND_PLACE_SETTING)
    return Path(value) if isinstance(value, str) and value.strip() else None


def clean_leftovers(directory: Path, *, older_than: timedelta = timedelta(hours=6)) -> None:
    """Remove what a backup killed half-way left (its temporary folder and partial file).

    Only old ones: a recent leftover may belong to a backup another process is making now.
    """
    limit = datetime.now().timestamp() - older_than.total_seconds()
    with suppress(OSError):
        for item in directory.iterdir():
            if not (item.name.startswith(".en-cours-") or item.name.endswith(".partial")):
                continue
            with suppress(OSError):
                if item.lstat().st_mtime < limit:
                    if item.is_dir() and not item.is_symlink():
                        shutil.rmtree(item, ignore_errors=True)
                    else:
                        item.unlink()


def automatic(folder: DataFolder, *, now: datetime | None = None,
              extra_destination: Path | None = None) -> AutomaticResult:
    """The daily and on-closing backup: one per day, rotated, copied to the second place.

    Never raises for a missing, full or removed USB stick: the result carries the message.
    """
    moment = now or datetime.now()
    result = AutomaticResult()
    clean_leftovers(folder.backups_dir)
    today = [p for m, p in _automatic_backups(folder.backups_dir) if m.date() == moment.date()]
    try:
        if today:
            newest = today[-1]
        else:
            newest = create(folder, now=moment, automatic=True)
            result.path = newest
        result.removed = rotate(folder.backups_dir)
    except CcsError as error:
        result.warnings.append(error.message)
        return result
    copy_to_second_place(folder, newest, result, extra_destination=extra_destination)
    return result


def back_up_now(folder: DataFolder, *, now: datetime | None = None,
                extra_destination: Path | None = None, out: Path | None = None,
                copy: bool = True) -> AutomaticResult:
    """« Back up now » and ``ccsdesk backup``: a manual backup (to ``out`` if given), copied
    to the second place like the automatic ones unless ``copy`` is false.

    The person who clicks expects the USB stick to get it too; a failed copy is a warning in
    the result (the backup in the data folder is written), a failed backup raises.
    """
    result = AutomaticResult(path=create(folder, out, now=now))
    if copy:
        copy_to_second_place(folder, result.path, result, extra_destination=extra_destination)
    return result


def copy_to_second_place(folder: DataFolder, made: Path, result: AutomaticResult, *,
                         extra_destination: Path | None = None) -> None:
    """Copy the backup ``made`` to the second place, if one is chosen and lacks it yet.

    The one rule for the automatic and the manual backup: ``result.copied_to`` is set, or a
    warning added saying why the copy failed (stick removed, disk full); never raises.
    """
    place = _second_place(folder, extra_destination)
    result.second_place = place
    if place is None or (place / made.name).is_file():
        return
    try:
        result.copied_to = _copy_to_second_place(made, place)
        result.removed += rotate(place)
    except OSError as error:
        result.copy_failure = _failure_kind(error)
        result.warnings.append(_second_place_failure(place, error))


def _failure_kind(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return "full"
    if error.errno in (errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO):
        return "unreachable"
    return "error"


def _second_place_failure(place: Path, error: OSError) -> str:
    kind = _failure_kind(error)
    if kind == "full":
        return _("The copy to {place} failed: the disk or USB stick is full. Free some space "
                 "there; the backup in the data folder is safe.").format(place=place)
    if kind == "unreachable":
        return _("The second backup place {place} cannot be reached (USB stick or disk "
                 "removed?). The backup in the data folder is safe.").format(place=place)
    return _("The copy to {place} failed ({reason}); the backup in the data folder is "
             "safe.").format(place=place, reason=error.strerror or error)


def last_good_backup(folder: DataFolder) -> datetime | None:
    """When the newest complete backup in the backups folder was made (name's date)."""
    newest: datetime | None = None
    with suppress(OSError):
        for path in folder.backups_dir.glob(f"{MANUAL_PREFIX}*{EXTENSION}"):
            moment = _backup_time(path)
            if moment is None or (newest is not None and moment <= newest):
                continue
            if _has_trailer(path):
                newest = moment
    return newest


def _has_trailer(path: Path) -> bool:
    """A cheap completeness check: the file ends with the sealed trailer."""
    try:
        with path.open("rb") as handle:
            handle.seek(-TRAILER_LENGTH, os.SEEK_END)
            tail = handle.read(TRAILER_LENGTH)
    except OSError:
        return False
    return tail.startswith(TRAILER_PREFIX) and tail[-64:] != b"0" * 64


def is_old(last: datetime | None, *, now: datetime | None = None, days: int = 2) -> bool:
    """Whether the window should warn: no backup at all, or none for ``days`` days."""
    if last is None:
        return True
    return ((now or datetime.now()) - last).days >= days
