"""Passphrase change and the president's key copy, on real sealed keys in a real folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ccsdesk.core.errors import InputError, StateError, WrongPassphraseError
from ccsdesk.core.exchange import keys
from ccsdesk.core.services import backup, journal, keys_admin
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import JournalEntry
from tests.conftest import PASSPHRASE

NEW = "nouvelle-phrase-du-bureau"


def _entries(folder: DataFolder, action: str) -> list[str]:
    """The details text of each journal entry with this action."""
    with folder.database.reading() as session:
        return [e.details for e in session.query(JournalEntry).all() if e.action == action]


def test_change_then_only_the_new_passphrase_opens(commune: DataFolder) -> None:
    before = keys.unlock(commune.keys_dir, PASSPHRASE)
    old_bytes = (commune.keys_dir / keys.KEYSTORE_FILE).read_bytes()
    keys_admin.change_passphrase(commune, PASSPHRASE, NEW)
    assert keys.unlock(commune.keys_dir, NEW) == before
    with pytest.raises(WrongPassphraseError):
        keys.unlock(commune.keys_dir, PASSPHRASE)
    assert (commune.keys_dir / keys.KEYSTORE_FILE).read_bytes() != old_bytes
    assert sorted(p.name for p in commune.keys_dir.iterdir()) == sorted(
        [keys.KEYSTORE_FILE, keys.CERTIFICATE_FILE, keys.RECIPIENT_FILE])
    [entry] = _entries(commune, "keys.passphrase_change")
    assert PASSPHRASE not in entry and NEW not in entry
    assert journal.verify(commune.database).intact


@pytest.mark.parametrize(("old", "new", "error", "words"), [
    ("mauvaise-phrase", NEW, WrongPassphraseError, "incorrecte"),
    (PASSPHRASE, "court", InputError, "8 caractères"),
    (PASSPHRASE, PASSPHRASE, InputError, "la même"),
])
def test_refusals_leave_the_keys_alone(commune: DataFolder, old: str, new: str,
                                       error: type[Exception], words: str) -> None:
    old_bytes = (commune.keys_dir / keys.KEYSTORE_FILE).read_bytes()
    with pytest.raises(error) as refused:
        keys_admin.change_passphrase(commune, old, new)
    assert words in str(refused.value)
    assert (commune.keys_dir / keys.KEYSTORE_FILE).read_bytes() == old_bytes
    assert not _entries(commune, "keys.passphrase_change")
    assert not list(commune.keys_dir.glob("*.tmp"))


def test_not_set_up(folder: DataFolder) -> None:
    with pytest.raises(StateError):
        keys_admin.change_passphrase(folder, PASSPHRASE, NEW)


def test_a_failed_journal_puts_the_old_keys_back(commune: DataFolder,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit that fails after the rename must not leave keys the journal never saw."""
    old_bytes = (commune.keys_dir / keys.KEYSTORE_FILE).read_bytes()

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disque plein")

    monkeypatch.setattr(keys_admin, "sync_directory", refuse)
    with pytest.raises(RuntimeError):
        keys_admin.change_passphrase(commune, PASSPHRASE, NEW)
    assert (commune.keys_dir / keys.KEYSTORE_FILE).read_bytes() == old_bytes
    keys.unlock(commune.keys_dir, PASSPHRASE)
    assert not _entries(commune, "keys.passphrase_change")


def test_backup_before_the_change_still_opens_with_the_old_one(commune: DataFolder,
                                                                tmp_path: Path) -> None:
    made = backup.create(commune)
    keys_admin.change_passphrase(commune, PASSPHRASE, NEW)
    restored = backup.restore(made, tmp_path / "restauree", replace=False)
    keys.unlock(restored.target / "keys", PASSPHRASE)


def test_key_backup_is_a_sealed_byte_copy(commune: DataFolder, tmp_path: Path) -> None:
    stick = tmp_path / "CLE_USB"
    stick.mkdir()
    result = keys_admin.export_key_backup(commune, PASSPHRASE, stick)
    assert result.path.parent == stick and result.path.name.startswith("ccsdesk-cles-ccs-de-la")
    for name in keys_admin.KEY_FILES:
        original = (commune.keys_dir / name).read_bytes()
        assert (result.path / name).read_bytes() == original
        assert result.files[name] == hashlib.sha256(original).hexdigest()
    readme = (result.path / keys_admin.README_FILE).read_text(encoding="utf-8")
    assert "phrase secrète" in readme and PASSPHRASE not in readme
    copied = result.path / keys.KEYSTORE_FILE
    assert b"AGE-SECRET-KEY" not in copied.read_bytes()
    # Copying the files back into a keys folder gives working keys.
    keys.unlock(result.path, PASSPHRASE)
    assert _entries(commune, "keys.backup")
    again = keys_admin.export_key_backup(commune, PASSPHRASE, stick)
    assert again.path != result.path


def test_key_backup_refusals(commune: DataFolder, tmp_path: Path) -> None:
    stick = tmp_path / "cle"
    stick.mkdir()
    with pytest.raises(WrongPassphraseError):
        keys_admin.export_key_backup(commune, "mauvaise-phrase", stick)
    with pytest.raises(InputError, match="n’existe pas"):
        keys_admin.export_key_backup(commune, PASSPHRASE, tmp_path / "retiree")
    assert not (tmp_path / "retiree").exists()
    assert not list(stick.iterdir())


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_key_backup_on_a_full_stick_leaves_nothing(commune: DataFolder, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    stick = tmp_path / "pleine"
    stick.mkdir()
    real_open = Path.open

    def full_open(self: Path, mode: str = "r", *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self.name.endswith(".partial") and "w" in mode:
            return real_open(Path("/dev/full"), mode, *args, **kwargs)
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", full_open)
    with pytest.raises(Exception) as refused:
        keys_admin.export_key_backup(commune, PASSPHRASE, stick)
    assert "pas assez de place" in str(refused.value).lower()
    assert list(stick.iterdir()) == []


def test_a_failed_rename_is_a_clear_refusal(commune: DataFolder,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    from ccsdesk.core.errors import StorageError

    old_bytes = (commune.keys_dir / keys.KEYSTORE_FILE).read_bytes()

    def broken_disk(*_args: object) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "replace", broken_disk)
    with pytest.raises(StorageError, match="l’ancienne phrase secrète les ouvre toujours"):
        keys_admin.change_passphrase(commune, PASSPHRASE, NEW)
    monkeypatch.undo()
    assert (commune.keys_dir / keys.KEYSTORE_FILE).read_bytes() == old_bytes
    assert not list(commune.keys_dir.glob("*.tmp"))
    assert not _entries(commune, "keys.passphrase_change")
