"""Looking after the sealed keys: a new passphrase, and a copy of the keys for the president.

Both work on the keystore file as it is on disk. Changing the passphrase opens it in memory
with the old one and seals the same keys under the new one; the old file is replaced only
once the new one has been written, flushed, read back and opened with the new passphrase,
so a power cut at any moment leaves one file that some passphrase opens. The key backup
copies the sealed file and the public files byte for byte: nothing is decrypted on the way
(the passphrase is asked only to be sure the copy is one the president can use).
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ccsdesk.core.errors import InputError, StateError, StorageError
from ccsdesk.core.exchange import keys, keystore
from ccsdesk.core.files import sync_directory
from ccsdesk.core.i18n import _
from ccsdesk.core.services import journal
from ccsdesk.core.storage.folder import DataFolder

# The new keystore is written under this name beside the old one; backups skip ``.tmp``.
NEW_KEYSTORE_SUFFIX = ".nouveau.tmp"
KEY_BACKUP_PREFIX = "ccsdesk-cles-"
README_FILE = "LISEZMOI.txt"
# The files a key backup holds, in this order: sealed keys, certificate, age recipient.
KEY_FILES = (keys.KEYSTORE_FILE, keys.CERTIFICATE_FILE, keys.RECIPIENT_FILE)


@dataclass(frozen=True)
class KeyBackup:
    """Where the key copy was written and the SHA-256 of each file, read back from there."""

    path: Path
    files: dict[str, str]


def _keystore_path(folder: DataFolder) -> Path:
    path = folder.keys_dir / keys.KEYSTORE_FILE
    if not path.is_file():
        raise StateError(_("This data folder has no keys yet: set up the committee first."))
    return path


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise StorageError(_("The key file {file} cannot be read ({reason}).").format(
            file=path, reason=error.strerror or error)) from error


def _write_flushed(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def change_passphrase(folder: DataFolder, old: str, new: str) -> None:
    """Seal the committee's keys under ``new``; ``old`` must open them.

    Raises :class:`WrongPassphraseError` for a wrong ``old`` and :class:`InputError` for a
    ``new`` that is too short or the same; the keys stay as they were in every refusal.
    """
    path = _keystore_path(folder)
    current = _read(path)
    secrets = keystore.unseal(current, old)
    keystore.check_passphrase_strength(new)
    if new == old:
        raise InputError(_("The new passphrase is the same as the old one; nothing changed."))
    sealed = keystore.seal(secrets, new)
    staged = path.with_name(path.name + NEW_KEYSTORE_SUFFIX)
    try:
        _write_flushed(staged, sealed)
        # Open what is really on disk with the new passphrase before trusting it.
        if keystore.unseal(staged.read_bytes(), new) != secrets:
            raise StorageError(_("The keys sealed with the new passphrase do not read back "
                                 "identical; the passphrase was not changed."))
        with folder.database.unit_of_work() as session:
            journal.record(session, "keys.passphrase_change", "keys",
                           {"file": keys.KEYSTORE_FILE})
            session.flush()
            os.replace(staged, path)
            sync_directory(path.parent)
    except BaseException as error:
        # The journal did not commit: put the old file back if it was already replaced.
        if path.read_bytes() != current:
            _write_flushed(staged, current)
            os.replace(staged, path)
        if isinstance(error, OSError):
            raise StorageError(_("The keys could not be sealed with the new passphrase "
                                 "({reason}); the old passphrase still opens them.").format(
                reason=error.strerror or error)) from error
        raise
    finally:
        with suppress(OSError):
            staged.unlink(missing_ok=True)


def _slug(text: str) -> str:
    folded = re.sub(r"[^A-Za-z0-9]+", "-", text.encode("ascii", "ignore").decode()).strip("-")
    return folded.lower()[:40] or "comite"


def _copy_failed(place: Path, error: OSError) -> StorageError:
    if error.errno == errno.ENOSPC:
        return StorageError(_("There is not enough room on {place} for the key copy; nothing "
                              "was left there. Free some space or use another stick.").format(
            place=place))
    return StorageError(_("The keys could not be copied to {place} ({reason}); nothing was "
                          "left there. Check that the stick is still plugged in.").format(
        place=place, reason=error.strerror or error))


def _readme(profile_name: str, fingerprint: str, moment: datetime) -> str:
    return "\n".join([
        _("CCS Desk — copy of the keys of {name}").format(name=profile_name),
        _("Made on {date}.").format(date=moment.strftime("%d/%m/%Y %H:%M")),
        _("Key fingerprint: {fingerprint}").format(fingerprint=fingerprint),
        "",
        _("The file {file} holds the committee's private keys, encrypted with the secretariat's "
          "passphrase: without that passphrase nobody can use them. Keep this stick in a safe "
          "place, away from the office computer.").format(file=keys.KEYSTORE_FILE),
        _("If the keys of the office computer are lost or damaged, close CCS Desk and copy the "
          "three files {files} into the « keys » folder of the data folder.").format(
            files=", ".join(KEY_FILES)),
        _("A passphrase changed after this copy does not apply to it: the copy opens with the "
          "passphrase of the day it was made."),
        "",
    ])


def export_key_backup(folder: DataFolder, passphrase: str, destination_dir: Path) -> KeyBackup:
    """Copy the sealed keys and the public files into a new folder under ``destination_dir``.

    Each file is written under a temporary name, flushed, renamed, then read back and its
    SHA-256 compared with the original's; any failure removes what was written there.
    """
    from ccsdesk.core.services import committee

    source_path = _keystore_path(folder)
    sealed = _read(source_path)
    keystore.unseal(sealed, passphrase)  # only a copy that opens is worth carrying away
    profile = committee.require_profile(folder)
    destination_dir = Path(destination_dir)
    if not destination_dir.is_dir():
        # Never create it: a pulled stick's mount point would become a folder on the PC.
        raise InputError(_("The folder {place} does not exist (was the stick removed?); "
                           "nothing was written.").format(place=destination_dir))
    moment = datetime.now()
    base = f"{KEY_BACKUP_PREFIX}{_slug(profile.name)}-{moment:%Y%m%d-%H%M%S}"
    target = destination_dir / base
    number = 2
    while target.exists():
        target = destination_dir / f"{base}-{number}"
        number += 1
    contents = {keys.KEYSTORE_FILE: sealed}
    for name in KEY_FILES[1:]:
        contents[name] = _read(folder.keys_dir / name)
    contents[README_FILE] = _readme(profile.name, profile.fingerprint, moment).encode("utf-8")
    hashes: dict[str, str] = {}
    try:
        target.mkdir()
        for name, data in contents.items():
            expected = hashlib.sha256(data).hexdigest()
            partial = target / (name + ".partial")
            _write_flushed(partial, data)
            os.replace(partial, target / name)
            if hashlib.sha256((target / name).read_bytes()).hexdigest() != expected:
                raise StorageError(_("The key copy on {place} does not read back identical; "
                                     "it was removed. Try another stick.").format(
                    place=destination_dir))
            hashes[name] = expected
        sync_directory(target)
        sync_directory(destination_dir)
    except (OSError, StorageError) as error:
        _remove_tree(target)
        if isinstance(error, StorageError):
            raise
        raise _copy_failed(destination_dir, error) from error
    with folder.database.unit_of_work() as session:
        journal.record(session, "keys.backup", "keys",
                       {"destination": str(target), "fingerprint": profile.fingerprint})
    return KeyBackup(target, hashes)


def _remove_tree(target: Path) -> None:
    with suppress(OSError):
        if target.is_dir():
            for item in target.iterdir():
                with suppress(OSError):
                    item.unlink()
            target.rmdir()
