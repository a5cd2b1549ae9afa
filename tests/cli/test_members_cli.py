"""``members import|export`` as scripts and secretaries use them, with cli.md's exit codes.

All rows or none: a refused file prints one line naming the problem, then one line per bad
row, exits 1 and writes nothing; ``--json`` still prints the report on stdout.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import run_process

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "roster"
FRENCH_CSV = SAMPLES / "membres_excel_fr.csv"
BAD_CSV = SAMPLES / "membres_excel_fr_3_erreurs.csv"
WORKBOOK = SAMPLES / "membres.xlsx"


def member_total(cli) -> int:  # type: ignore[no-untyped-def]
    result = cli("--json", "members", "list")
    assert result.code == 0, result.err
    return len(result.json["members"])


def test_import_french_excel_file(set_up) -> None:  # type: ignore[no-untyped-def]
    result = set_up("members", "import", str(FRENCH_CSV))
    assert result.code == 0, result.err
    assert "Ajoutés : 23" in result.out
    assert "+ MAÏGA Oumar (ligne 6)" in result.out or "+ MAÏGA Oumar" in result.out.upper()
    assert "Ignorés (inchangés) : 0" in result.out
    assert "Nom → nom" in result.out  # the column mapping is shown
    assert member_total(set_up) == 23


def test_three_bad_rows_refuse_the_file_whole(set_up) -> None:  # type: ignore[no-untyped-def]
    result = set_up("members", "import", str(BAD_CSV))
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0] == "ccsdesk: Fichier refusé : 3 lignes en erreur ; rien n’a été importé."
    assert [line.strip().split(" : ")[0] for line in lines[1:]] == \
        ["ligne 8", "ligne 13", "ligne 21"]
    assert "sexe inconnu « X »" in lines[1]
    assert "31/02/2026" in lines[2]
    assert result.out == ""
    assert member_total(set_up) == 0


def test_json_report_when_refused(set_up) -> None:  # type: ignore[no-untyped-def]
    result = set_up("--json", "members", "import", str(BAD_CSV))
    assert result.code == 1
    report = result.json
    assert report["format"] == "ccsdesk-cli/1"
    assert [row["line"] for row in report["rejected"]] == [8, 13, 21]
    assert all(row["reason"] for row in report["rejected"])
    assert (report["added"], report["updated"], report["skipped"]) == (0, 0, 0)
    assert report["imported"] is False
    assert {"heading": "Nom", "field": "last_name"}.items() <= report["columns"][1].items()
    assert result.err.startswith("ccsdesk: Fichier refusé : 3 lignes en erreur")
    assert member_total(set_up) == 0


def test_json_report_when_imported_then_again(set_up) -> None:  # type: ignore[no-untyped-def]
    first = set_up("--json", "members", "import", str(WORKBOOK))
    assert first.code == 0, first.err
    assert (first.json["added"], first.json["updated"], first.json["skipped"]) == (23, 0, 0)
    assert first.json["rejected"] == []
    assert first.json["imported"] is True
    fields = [column["field"] for column in first.json["columns"]]
    assert fields[:4] == [None, "last_name", "first_names", "sex"]
    again = set_up("--json", "members", "import", str(WORKBOOK))
    assert (again.json["added"], again.json["updated"], again.json["skipped"]) == (0, 0, 23)
    text = set_up("members", "import", str(WORKBOOK))
    assert "Ignorés (inchangés) : 23" in text.out
    assert member_total(set_up) == 23


def test_dry_run_writes_nothing(set_up) -> None:  # type: ignore[no-untyped-def]
    journal_before = set_up("--json", "journal", "verify").json["entries"]
    result = set_up("members", "import", "--dry-run", str(FRENCH_CSV))
    assert result.code == 0, result.err
    assert "À ajouter : 23" in result.out
    assert "Simulation : rien n’a été écrit." in result.out
    assert member_total(set_up) == 0
    assert set_up("--json", "journal", "verify").json["entries"] == journal_before
    refused = set_up("members", "import", "--dry-run", str(BAD_CSV))
    assert refused.code == 1


def test_create_categories_option(set_up, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "chefs.csv"
    path.write_bytes("Nom;Prénom;Sexe;Catégorie\r\nKoné;Siaka;M;Chefs de quartier\r\n"
                     .encode("cp1252"))
    refused = set_up("members", "import", str(path))
    assert refused.code == 1
    assert "Chefs de quartier" in refused.err
    created = set_up("--json", "members", "import", "--create-categories", str(path))
    assert created.code == 0, created.err
    assert created.json["categories_created"] == ["Chefs de quartier"]
    members = set_up("--json", "members", "list").json["members"]
    assert [m["category"] for m in members] == ["Chefs de quartier"]


def test_whole_file_problems_are_one_line(set_up, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    picture = tmp_path / "membres.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    result = set_up("members", "import", str(picture))
    assert result.code == 1
    assert result.err.strip().count("\n") == 0
    assert "membres.csv" in result.err
    as_json = set_up("--json", "members", "import", str(picture))
    assert as_json.code == 1
    assert "membres.csv" in as_json.json["error"]
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    assert set_up("members", "import", str(empty)).code == 1
    assert member_total(set_up) == 0


def test_export_then_import_changes_nothing(set_up, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert set_up("members", "import", str(FRENCH_CSV)).code == 0
    for name in ("liste.xlsx", "liste.csv"):
        target = tmp_path / name
        exported = set_up("--json", "members", "export", str(target))
        assert exported.code == 0, exported.err
        assert exported.json["count"] == 23
        assert target.is_file()
        again = set_up("--json", "members", "import", str(target))
        assert again.code == 0, again.err
        assert (again.json["added"], again.json["updated"], again.json["skipped"]) == \
            (0, 0, 23)
    people = set_up("members", "export", str(tmp_path / "liste2.csv"))
    assert people.out.strip().startswith("23 membres exportés dans")


def test_export_to_an_unknown_format_is_refused(set_up, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = set_up("members", "export", str(tmp_path / "liste.ods"))
    assert result.code == 1
    assert "liste.ods" in result.err
    assert not (tmp_path / "liste.ods").exists()


def test_usage_errors_exit_2(set_up) -> None:  # type: ignore[no-untyped-def]
    assert set_up("members", "import").code == 2
    assert set_up("members", "export").code == 2


def test_real_process_without_a_terminal(tmp_path: Path) -> None:
    data = str(tmp_path / "donnees")
    assert run_process("--data-dir", data, "init", "--level", "commune", "--name", "CCS",
                       "--place", "Commune I").code == 0
    result = run_process("--data-dir", data, "members", "import", str(FRENCH_CSV))
    assert result.code == 0, result.err
    assert "Ajoutés : 23" in result.out
    refused = run_process("--data-dir", data, "members", "import", str(BAD_CSV))
    assert refused.code == 1
    assert refused.err.splitlines()[0].startswith("ccsdesk: Fichier refusé : 3 lignes")


def test_the_command_module_loads_no_storage_or_spreadsheet_library() -> None:
    """The parser is built for every call: services load only when a command runs."""
    code = ("import sys; import ccsdesk.cli.members_commands; "
            "print(sorted(m for m in ('sqlalchemy', 'openpyxl') if m in sys.modules))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"
