"""``ccsdesk backup`` and ``ccsdesk restore`` as scripts and people use them."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from ccsdesk.core.services import roster
from ccsdesk.core.storage.folder import DB_FILE, DataFolder
from tests.conftest import run_process
from tests.safety.backup_craft import snapshot_tree, table_rows


def _set_up(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("init", "--level", "commune", "--name", "CCS de la Commune IV",
                 "--place", "Commune IV")
    assert result.code == 0, result.err


def test_backup_json_and_restore_into_a_new_folder(cli, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _set_up(cli)
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
    _set_up(cli)
    out = tmp_path / "cle" / "sauvegarde.ccsbak"
    made = cli("backup", "--out", str(out))
    assert made.code == 0, made.err
    assert made.out.startswith("Sauvegarde écrite : ") and "Mo)" in made.out
    assert out.is_file()
    again = cli("backup", "--out", str(out))
    assert again.code == 1 and "existe déjà" in again.err


def test_restore_in_place_needs_yes_without_a_terminal(data_dir: Path, tmp_path: Path,
                                                        cli) -> None:  # type: ignore[no-untyped-def]
    _set_up(cli)
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
    _set_up(cli)
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
    _set_up(cli)
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
