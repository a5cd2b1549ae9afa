"""``ccsdesk backup`` and ``ccsdesk restore`` as scripts and people use them."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from ccsdesk.core.services import roster
from ccsdesk.core.storage.folder import DB_FILE, DataFolder
from tests.cli.conftest import init_commune
from tests.conftest import run_process
from tests.safety.backup_craft import snapshot_tree, table_rows


def test_backup_json_and_restore_into_a_new_folder(cli, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    init_commune(cli)
    made = cli("--json", "backup")
    assert made.code == 0, made.err
    path = Path(made.json["path"])
    assert made.json["format"] == "ccsdesk-cli/1"
    assert path.is_file() and path.parent == data_dir / "sauvegardes"
    assert made.json["size"] == path.stat().st_size

    checked = cli("--json", "restore", str(path), "--check")
    assert checked.code == 0 and checked.json["valid"] is True
    assert checked.json["backup"]["entries"] == 4

    into = tmp_path / "copie"
    restored = cli("--json", "restore", str(path), "--into", str(into))
    assert restored.code == 0, restored.err
    assert restored.json["target"] == str(into) and restored.json["previous_copy"] is None
    before = table_rows(data_dir / DB_FILE)
    after = table_rows(into / DB_FILE)
    assert after["member"] == before["member"] and after["committee"] == before["committee"]


def test_backup_to_a_chosen_file_in_french(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    init_commune(cli)
    out = tmp_path / "cle" / "sauvegarde.ccsbak"
    made = cli("backup", "--out", str(out))
    assert made.code == 0, made.err
    assert made.out.startswith("Sauvegarde écrite : ") and "Mo)" in made.out
    assert out.is_file()
    again = cli("backup", "--out", str(out))
    assert again.code == 1 and "existe déjà" in again.err


def test_restore_in_place_needs_yes_without_a_terminal(data_dir: Path, tmp_path: Path,
                                                        cli) -> None:  # type: ignore[no-untyped-def]
    init_commune(cli)
    made = cli("--json", "backup", "--out", str(tmp_path / "hier.ccsbak"))
    folder = DataFolder.open(data_dir)
    roster.add_member(folder, roster.MemberData(last_name="Après", sex="F"))
    folder.close()
    before = snapshot_tree(data_dir)

    refused = run_process("--data-dir", str(data_dir), "restore", made.json["path"])
    assert refused.code == 1
    assert "--yes" in refused.err and "--into" in refused.err
    assert snapshot_tree(data_dir) == before

    done = run_process("--data-dir", str(data_dir), "--json", "restore", made.json["path"],
                       "--yes")
    assert done.code == 0, done.err
    aside = Path(done.json["previous_copy"])
    assert aside.name.startswith("donnees-avant-restauration-")
    assert "Après" in {row[2] for row in table_rows(aside / DB_FILE)["member"]}
    assert "Après" not in {row[2] for row in table_rows(data_dir / DB_FILE)["member"]}
    status = cli("--json", "journal", "verify")
    assert status.code == 0 and status.json["intact"] is True


def test_damaged_backup_exits_1_with_one_line_and_changes_nothing(
    cli, data_dir: Path, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    init_commune(cli)
    made = cli("--json", "backup", "--out", str(tmp_path / "b.ccsbak"))
    damaged = tmp_path / "abimee.ccsbak"
    data = bytearray(Path(made.json["path"]).read_bytes())
    data[200] ^= 0xFF
    damaged.write_bytes(bytes(data))
    before = snapshot_tree(data_dir)
    result = cli("restore", str(damaged), "--yes")
    assert result.code == 1
    assert result.err.count("\n") == 1 and "abîmée" in result.err
    assert snapshot_tree(data_dir) == before
    into = cli("restore", str(damaged), "--into", str(tmp_path / "neuf"))
    assert into.code == 1 and not (tmp_path / "neuf").exists()
    missing = cli("restore", str(tmp_path / "absente.ccsbak"), "--check")
    assert missing.code == 1 and "n’existe pas" in missing.err


class _Terminal(io.StringIO):
    """Standard input that says it is a terminal, with the person's answer typed in."""

    def isatty(self) -> bool:
        return True


def test_restore_in_place_asks_on_a_terminal(cli, data_dir: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                             monkeypatch) -> None:  # type: ignore[no-untyped-def]
    init_commune(cli)
    made = cli("--json", "backup", "--out", str(tmp_path / "b.ccsbak"))
    before = snapshot_tree(data_dir)
    monkeypatch.setattr(sys, "stdin", _Terminal("n\n"))
    declined = cli("restore", made.json["path"])
    assert declined.code == 1 and "annulée" in declined.err
    assert "Remplacer les données de" in declined.out
    assert snapshot_tree(data_dir) == before
    monkeypatch.setattr(sys, "stdin", _Terminal("oui\n"))
    accepted = cli("restore", made.json["path"])
    assert accepted.code == 0, accepted.err
    assert "Sauvegarde restaurée dans" in accepted.out and "gardées dans" in accepted.out


# --------------------------------------------------------------- the copy to the second place


def _choose_second_place(data_dir: Path, place: Path) -> None:
    from ccsdesk.core.services import backup, settings

    folder = DataFolder.open(data_dir)
    try:
        settings.put(folder, backup.SECOND_PLACE_SETTING, str(place))
    finally:
        folder.close()


def test_backup_is_copied_to_the_second_place(cli, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    init_commune(cli)
    stick = tmp_path / "CLE" / "Sauvegardes CCS Desk"
    stick.mkdir(parents=True)
    _choose_second_place(data_dir, stick)
    made = cli("--json", "backup")
    assert made.code == 0, made.err
    path = Path(made.json["path"])
    copy = made.json["copy"]
    assert copy["status"] == "copied" and copy["place"] == str(stick)
    assert copy["path"] == str(stick / path.name) and copy["reason"] is None
    assert (stick / path.name).read_bytes() == path.read_bytes()
    checked = cli("--json", "restore", copy["path"], "--check")
    assert checked.code == 0 and checked.json["valid"] is True

    told = cli("backup")
    assert told.code == 0, told.err
    assert f"Copiée aussi dans {stick}." in told.out
    assert len(list(stick.iterdir())) == 2

    skipped = cli("--json", "backup", "--no-copy")
    assert skipped.code == 0 and skipped.json["copy"]["status"] == "skipped"
    assert Path(skipped.json["path"]).is_file() and len(list(stick.iterdir())) == 2
    assert "--no-copy" in cli("backup", "--no-copy").out


def test_backup_written_onto_the_stick_itself_is_not_copied_twice(
        cli, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    init_commune(cli)
    stick = tmp_path / "CLE"
    stick.mkdir()
    _choose_second_place(data_dir, stick)
    made = cli("--json", "backup", "--out", str(stick / "a-la-main.ccsbak"))
    assert made.code == 0, made.err
    assert made.json["copy"]["status"] == "already_there"
    assert [p.name for p in stick.iterdir()] == ["a-la-main.ccsbak"]
    # Another file of that name on the stick is kept, and the text says so.
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    again = cli("backup", "--out", str(elsewhere / "a-la-main.ccsbak"))
    assert again.code == 0, again.err
    assert "porte déjà ce nom" in again.out
    assert (stick / "a-la-main.ccsbak").read_bytes() != (
        elsewhere / "a-la-main.ccsbak").read_bytes()


def test_backup_without_a_second_place_says_so(cli, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    init_commune(cli)
    made = cli("--json", "backup")
    assert made.code == 0, made.err
    assert made.json["copy"] == {"status": "no_second_place", "place": None, "path": None,
                                 "reason": None, "message": None}
    told = cli("backup")
    assert "aucun second emplacement" in told.out and "Paramètres → Sauvegardes" in told.out


def test_backup_with_the_stick_removed_is_written_and_exits_0(
        cli, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    init_commune(cli)
    removed = tmp_path / "CLE-retiree" / "Sauvegardes CCS Desk"
    _choose_second_place(data_dir, removed)
    made = cli("--json", "backup")
    assert made.code == 0, made.err
    assert Path(made.json["path"]).is_file()
    copy = made.json["copy"]
    assert copy["status"] == "failed" and copy["reason"] == "unreachable"
    assert copy["place"] == str(removed) and copy["path"] is None
    assert str(removed) in copy["message"] and "retiré" in copy["message"]
    told = cli("backup")
    assert told.code == 0, told.err
    assert told.out.startswith("Sauvegarde écrite : ")
    assert "ATTENTION" in told.out and "retiré" in told.out
    assert not removed.exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_backup_onto_a_full_stick_is_written_and_exits_0(
        cli, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The copy's temporary file points at /dev/full: every write says « no space left »."""
    init_commune(cli)
    stick = tmp_path / "CLE-pleine"
    stick.mkdir()
    _choose_second_place(data_dir, stick)
    out = tmp_path / "ici" / "sauvegarde.ccsbak"
    (stick / "sauvegarde.ccsbak.partial").symlink_to("/dev/full")
    made = cli("--json", "backup", "--out", str(out))
    assert made.code == 0, made.err
    assert out.is_file() and made.json["path"] == str(out)
    copy = made.json["copy"]
    assert copy["status"] == "failed" and copy["reason"] == "full"
    assert "plein" in copy["message"]
    assert list(stick.iterdir()) == []
    checked = cli("--json", "restore", str(out), "--check")
    assert checked.code == 0 and checked.json["valid"] is True
