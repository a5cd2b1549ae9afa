"""« Back up now » follows the automatic backup's rule: the second place gets a copy too."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from ccsdesk.core.services import backup, settings
from ccsdesk.core.storage.folder import DataFolder


def test_manual_backup_is_copied_to_the_stick(commune: DataFolder, tmp_path: Path) -> None:
    stick = tmp_path / "CLE" / "Sauvegardes CCS Desk"
    stick.mkdir(parents=True)
    settings.put(commune, backup.SECOND_PLACE_SETTING, str(stick))
    result = backup.back_up_now(commune, now=datetime(2026, 6, 3, 11, 5))
    assert result.path == commune.backups_dir / "ccsdesk-20260603-110500.ccsbak"
    assert result.copied_to == stick / result.path.name
    assert result.copied_to.read_bytes() == result.path.read_bytes()
    backup.verify(result.copied_to)
    assert result.warnings == []
    # The automatic backup of the same day is copied as well: the two share one rule.
    auto = backup.automatic(commune, now=datetime(2026, 6, 3, 18, 0))
    assert auto.copied_to is not None and auto.copied_to.parent == stick
    assert sorted(p.name for p in stick.iterdir()) == sorted(
        [result.path.name, auto.copied_to.name])


def test_manual_backup_with_the_stick_removed_is_written_and_says_why(
        commune: DataFolder, tmp_path: Path) -> None:
    removed = tmp_path / "CLE-retiree" / "Sauvegardes CCS Desk"
    settings.put(commune, backup.SECOND_PLACE_SETTING, str(removed))
    result = backup.back_up_now(commune)
    assert result.path is not None and result.path.is_file()
    backup.verify(result.path)
    assert result.copied_to is None
    assert len(result.warnings) == 1
    assert str(removed) in result.warnings[0] and "retiré" in result.warnings[0]
    assert not removed.exists()


def test_manual_backup_without_a_second_place_stays_here(commune: DataFolder) -> None:
    result = backup.back_up_now(commune)
    assert result.path is not None and result.path.is_file()
    assert result.copied_to is None and result.warnings == []


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0,
                    reason="a read-only folder does not stop root or Windows")
def test_manual_backup_onto_a_read_only_stick(commune: DataFolder, tmp_path: Path) -> None:
    stick = tmp_path / "CLE-protegee"
    stick.mkdir()
    stick.chmod(0o555)
    try:
        result = backup.back_up_now(commune, extra_destination=stick)
    finally:
        stick.chmod(0o755)
    assert result.path is not None and result.path.is_file()
    assert result.copied_to is None and len(result.warnings) == 1
    assert list(stick.iterdir()) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_manual_backup_onto_a_full_stick(commune: DataFolder, tmp_path: Path) -> None:
    """The copy's temporary file points at /dev/full: every write says « no space left »."""
    stick = tmp_path / "CLE-pleine"
    stick.mkdir()
    (stick / "ccsdesk-20260701-090000.ccsbak.partial").symlink_to("/dev/full")
    result = backup.back_up_now(commune, now=datetime(2026, 7, 1, 9, 0),
                                extra_destination=stick)
    assert result.path is not None and result.path.is_file()
    backup.verify(result.path)
    assert result.copied_to is None
    assert len(result.warnings) == 1 and "plein" in result.warnings[0]
    assert list(stick.iterdir()) == []
