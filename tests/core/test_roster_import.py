"""Importing the roster from CSV and XLSX files as secretariats keep them.

Every case runs against a real data folder (SQLite on disk). Files are the samples under
``tests/data/roster/`` or are written by the test itself, byte for byte, the way French
Excel, LibreOffice or a careless rename would leave them.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ccsdesk.core.errors import InputError, StateError
from ccsdesk.core.services import journal, roster, roster_import
from ccsdesk.core.services.roster import MemberData
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import Category, JournalEntry, Member

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "roster"
HEADINGS = ("Nom;Prénom(s);Sexe;Catégorie;Structure;Fonction;Téléphone;E-mail;"
            "Début de mandat;Fin de mandat;Actif")


def write_csv(path: Path, lines: list[str], encoding: str = "cp1252") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def member_count(folder: DataFolder) -> int:
    with folder.database.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Member)))


def journal_actions(folder: DataFolder) -> list[str]:
    with folder.database.reading() as session:
        return list(session.scalars(select(JournalEntry.action).order_by(JournalEntry.id)))


def refusal(folder: DataFolder, path: Path, **options: bool) -> str:
    """The message of the whole-file refusal; checks that nothing was written."""
    before = (member_count(folder), len(journal_actions(folder)))
    with pytest.raises(InputError) as caught:
        roster_import.read_file(folder, path, **options)
    assert (member_count(folder), len(journal_actions(folder))) == before
    return caught.value.message


def reasons(plan: roster_import.ImportPlan) -> dict[int, str]:
    return {row.line: row.reason for row in plan.rejected}


# -- Done means: the French Excel file imports whole; three bad rows refuse it whole -------


def test_french_excel_csv_imports_whole(commune: DataFolder) -> None:
    path = SAMPLES / "membres_excel_fr.csv"
    plan = roster_import.read_file(commune, path)
    assert plan.ok, plan.rejected
    assert (plan.file_format, plan.encoding, plan.delimiter) == ("csv", "windows-1252", ";")
    assert plan.header_line == 3  # a title row and an empty row above the headings
    assert plan.added == 23 and plan.updated == 0 and plan.unchanged == 0
    mapped = {c.heading: c.field for c in plan.columns}
    assert mapped["Prénom(s)"] == "first_names" and mapped["Structure"] == "organisation"
    assert mapped["N°"] is None  # shown in the mapping, ignored

    result = roster_import.apply(commune, plan)
    assert (result.added, result.updated, result.unchanged) == (23, 0, 0)
    members = roster.list_members(commune)
    assert len(members) == 23
    by_name = {m.full_name: m for m in members}
    maiga = by_name["MAÏGA Oumar"]
    assert maiga.last_name == "Maïga"  # capitals kept as a name, lists show them in capitals
    assert maiga.role == "secretary" and maiga.phone == "+223 79 01 02 03"
    assert maiga.mandate_start == date(2024, 1, 15) and maiga.mandate_end == date(2027, 1, 14)
    keita = by_name["KEÏTA Bakary"]
    assert keita.category == "FDS – Gendarmerie nationale"  # "Gendarmerie" in the file
    assert by_name["TRAORÉ Kadiatou"].category == "Élus"
    entries = journal_actions(commune)
    assert entries[-1] == "members.import"
    with commune.database.reading() as session:
        details = json.loads(session.scalars(select(JournalEntry.details).order_by(
            JournalEntry.id.desc()).limit(1)).one())
    assert details["file"] == "membres_excel_fr.csv"
    assert details["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert details["added"] == 23
    assert journal.verify(commune.database).intact


def test_same_file_with_three_bad_rows_is_refused_whole(commune: DataFolder) -> None:
    plan = roster_import.read_file(commune, SAMPLES / "membres_excel_fr_3_erreurs.csv")
    assert not plan.ok
    bad = reasons(plan)
    assert sorted(bad) == [8, 13, 21]
    assert "sexe inconnu « X »" in bad[8]
    assert "date impossible « 31/02/2026 »" in bad[13]
    assert bad[21] == "le nom manque"
    before = journal_actions(commune)
    with pytest.raises(InputError) as caught:
        roster_import.apply(commune, plan)
    assert caught.value.message == ("Fichier refusé : 3 lignes en erreur ; rien n’a été "
                                    "importé.")
    assert caught.value.details[0].startswith("ligne 8 : sexe inconnu")
    assert member_count(commune) == 0
    assert journal_actions(commune) == before


def test_workbook_with_merged_title_and_date_cells(commune: DataFolder) -> None:
    plan = roster_import.read_file(commune, SAMPLES / "membres.xlsx")
    assert plan.ok, plan.rejected
    assert plan.file_format == "xlsx" and plan.encoding is None and plan.delimiter is None
    assert plan.header_line == 3 and plan.added == 23
    roster_import.apply(commune, plan)
    traore = next(m for m in roster.list_members(commune) if m.full_name == "TRAORÉ Moussa")
    assert traore.mandate_end == date(2027, 1, 14)  # a real date cell
    assert traore.phone == "76123456"  # typed as a number in Excel, kept as text


# -- Importing again updates, never duplicates ---------------------------------------------


def test_reimport_updates_without_duplicating(commune: DataFolder, tmp_path: Path) -> None:
    lines = [HEADINGS,
             "TRAORÉ;Aminata;F;Femmes;CAFO;Présidente;76 12 34 56;;15/01/2024;14/01/2027;oui",
             "Coulibaly;Bakary;M;Élus;Mairie;Membre;66 45 78 90;;15/01/2024;14/01/2027;oui"]
    path = write_csv(tmp_path / "liste.csv", lines)
    roster_import.apply(commune, roster_import.read_file(commune, path))
    again = roster_import.read_file(commune, path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)

    lines[2] = "COULIBALY;Bakary;M;Élus;Mairie;Membre;66 45 78 91;;15/01/2024;14/01/2028;oui"
    write_csv(path, lines)
    changed = roster_import.read_file(commune, path)
    assert [(r.line, r.action) for r in changed.rows] == [(2, "unchanged"), (3, "update")]
    result = roster_import.apply(commune, changed)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 1)
    members = roster.list_members(commune)
    assert len(members) == 2
    bakary = next(m for m in members if m.first_names == "Bakary")
    assert bakary.phone == "66 45 78 91" and bakary.mandate_end == date(2028, 1, 14)


def test_columns_the_file_lacks_keep_existing_values(commune: DataFolder,
                                                     tmp_path: Path) -> None:
    member_id = roster.add_member(commune, MemberData(
        last_name="Diarra", first_names="Adama", sex="M", phone="76 00 11 22",
        email="adiarra@mairie.ml", role="president"))
    path = write_csv(tmp_path / "courte.csv", ["Nom et prénoms;Structure",
                                               "DIARRA Adama;Mairie de la Commune IV"])
    plan = roster_import.read_file(commune, path)
    assert [c.field for c in plan.columns] == ["full_name", "organisation"]
    assert [(r.action, r.member_id) for r in plan.rows] == [("update", member_id)]
    roster_import.apply(commune, plan)
    diarra = roster.get_member(commune, member_id)
    assert diarra.organisation == "Mairie de la Commune IV"
    assert (diarra.phone, diarra.email, diarra.role) == ("76 00 11 22", "adiarra@mairie.ml",
                                                         "president")


def test_homonyms_are_told_apart_by_phone(commune: DataFolder, tmp_path: Path) -> None:
    first = roster.add_member(commune, MemberData(last_name="Traoré", first_names="Moussa",
                                                  sex="M", phone="76 11 11 11"))
    second = roster.add_member(commune, MemberData(last_name="Traoré", first_names="Moussa",
                                                   sex="M", phone="66 22 22 22"))
    path = write_csv(tmp_path / "homonymes.csv", [
        "Nom;Prénoms;Sexe;Téléphone;Structure",
        "TRAORE;Moussa;M;+223 66 22 22 22;Gendarmerie",
        "Traoré;Moussa;M;76111111;Police",
    ])
    plan = roster_import.read_file(commune, path)
    assert plan.ok, plan.rejected
    assert [(r.member_id, r.action) for r in plan.rows] == [(second, "update"),
                                                          (first, "update")]
    write_csv(path, ["Nom;Prénoms;Sexe", "Traoré;Moussa;M"])
    plan = roster_import.read_file(commune, path)
    assert "plusieurs membres déjà enregistrés s’appellent TRAORÉ Moussa" in reasons(plan)[2]


# -- Formats, encodings, delimiters, headings -------------------------------------------------


def test_utf8_bom_commas_iso_dates_and_full_names(commune: DataFolder, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes("\ufeffNom complet,Genre,Collège,Qualité,Tél.,Courriel,Date de début,"
                     "Date de fin,Statut\n"
                     "TRAORÉ Aminata,Femme,élue,Secrétaire,76 12 34 56,a@b.ml,2024-01-15,"
                     "2027-01-14,Actif\n"
                     "\"Oumar Maïga\",masculin,Société civile,,\"66 45 78 90\",,,,non\n"
                     .encode("utf-8"))
    plan = roster_import.read_file(commune, path)
    assert plan.ok, plan.rejected
    assert (plan.encoding, plan.delimiter) == ("utf-8-sig", ",")
    assert [c.field for c in plan.columns] == [
        "full_name", "sex", "category", "role", "phone", "email", "mandate_start",
        "mandate_end", "active"]
    first, second = (row.data for row in plan.rows)
    assert (first.last_name, first.first_names, first.sex) == ("Traoré", "Aminata", "F")
    assert first.role == "secretary" and first.mandate_start == date(2024, 1, 15)
    assert (second.last_name, second.first_names, second.active) == ("Maïga", "Oumar", False)
    categories = {c.id: c.label for c in roster.list_categories(commune)}
    assert categories[first.category_id] == "Élus"


def test_utf8_without_bom_and_tabs(commune: DataFolder, tmp_path: Path) -> None:
    path = tmp_path / "liste.txt"
    path.write_bytes("Nom\tPrénom\tSexe\nKeïta\tSalif\tH\nSidibé\tFatoumata\tF\n"
                     .encode())
    plan = roster_import.read_file(commune, path)
    assert (plan.encoding, plan.delimiter, plan.added) == ("utf-8", "\t", 2)
    assert [r.data.sex for r in plan.rows] == ["M", "F"]


def test_categories_matched_leniently(commune: DataFolder, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cat.csv", [
        "Nom;Prénom;Sexe;Catégorie",
        "A;Un;M;gendarmerie", "B;Deux;F;ELUES", "C;Trois;M;Autorités religieuses",
        "D;Quatre;M;police nationale", "E;Cinq;F;Jeunesse", "F;Six;M;FDS",
        "G;Sept;M;Chefs de quartier", "H;Huit;M;"])
    plan = roster_import.read_file(commune, path)
    labels = {c.id: c.label for c in roster.list_categories(commune)}
    found = {r.line: labels.get(r.data.category_id) for r in plan.rows}
    assert found == {2: "FDS – Gendarmerie nationale", 3: "Élus",
                     4: "Autorités traditionnelles et religieuses",
                     5: "FDS – Police nationale", 6: "Jeunes", 9: None}
    bad = reasons(plan)
    assert bad[7].startswith("catégorie ambiguë « FDS »") and "FDS – Armée" in bad[7]
    assert bad[8].startswith("catégorie inconnue « Chefs de quartier »")


def test_unknown_categories_created_only_when_asked(commune: DataFolder,
                                                   tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cat.csv", ["Nom;Prénom;Sexe;Catégorie",
                                            "Dembélé;Adama;M;Chefs de quartier",
                                            "Konaté;Awa;F;chefs de quartier"])
    assert not roster_import.read_file(commune, path).ok
    plan = roster_import.read_file(commune, path, create_categories=True)
    assert plan.ok and plan.new_categories == ["Chefs de quartier"]
    result = roster_import.apply(commune, plan)
    assert result.categories_created == ["Chefs de quartier"]
    members = roster.list_members(commune)
    assert {m.category for m in members} == {"Chefs de quartier"}
    assert journal_actions(commune)[-2:] == ["category.add", "members.import"]


def test_two_headings_for_the_same_field_refused(commune: DataFolder, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "double.csv", ["Nom;Prénoms;Tél.;Contact", "A;B;76000000;"])
    message = refusal(commune, path)
    assert "Les colonnes C (« Tél. ») et D (« Contact ») donnent toutes deux" in message


def test_missing_headings_refused(commune: DataFolder, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "sans_entetes.csv", ["Traoré;Aminata;F", "Maïga;Oumar;M"])
    message = refusal(commune, path)
    assert "Aucune ligne d’en-têtes nommant les membres" in message
    assert "15 premières lignes" in message


def test_heading_merged_over_first_names_in_csv_refused(commune: DataFolder,
                                                        tmp_path: Path) -> None:
    # "Nom et prénoms" merged over two columns: the CSV leaves the second heading empty.
    path = write_csv(tmp_path / "fusion.csv", ["Nom et prénoms;;Sexe",
                                               "TRAORÉ;Aminata;F"])
    message = refusal(commune, path)
    assert "La colonne B n’a pas d’en-tête mais contient des données (« Aminata »)" in message


def test_heading_merged_in_workbook_refused(commune: DataFolder, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["LISTE DES MEMBRES"])
    sheet.append(["Nom et prénoms", None, "Sexe"])
    sheet.merge_cells("A2:B2")
    sheet.append(["TRAORÉ", "Aminata", "F"])
    path = tmp_path / "fusion.xlsx"
    workbook.save(path)
    message = refusal(commune, path)
    assert "L’en-tête « Nom et prénoms » est fusionné sur les cellules A2:B2" in message
    assert "« Aminata »" in message


# -- Bad rows: each named with its line and reason ---------------------------------------------


def test_bad_rows_named_by_line(commune: DataFolder, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "erreurs.csv", [
        "LISTE DES MEMBRES DU CCS DE LA COMMUNE IV;;;;;;;;;;",
        HEADINGS.replace("Fonction", "Fonction au bureau"),
        ";Aminata;F;;;;;;;;",  # 3 missing name
        "Traoré;Aminata;Z;;;;;;;;",  # 4 unknown sex
        "Maïga;Oumar;M;;;;;;31/02/2026;;",  # 5 impossible date
        "Coulibaly;Bakary;M;;;;;;15/01/2027;14/01/2024;",  # 6 ends before it starts
        "Keïta;Salif;M;;;;12;;;;",  # 7 invalid phone
        "Sidibé;Fatou;F;;;;;fatou@;;;",  # 8 invalid e-mail
        "Sangaré;Awa;F;;;Trésorière;;;;;",  # 9 unknown role
        ";;;;;;;;;;",  # empty: skipped silently
        "Diallo;Ousmane;M;;;;76 00 00 01;;;;",  # 11 fine
        "DIALLO;Ousmane;M;;;;76000001;;;;",  # 12 same person as line 11
        "Diallo;Ousmane;M;;;;;;;;",  # 13 same name, no phone
        "Doumbia;Issa;;;;;;;;;",  # 14 sex missing
        "Ballo;Salif;M;;;;;;;;peut-être",  # 15 unknown status
    ])
    plan = roster_import.read_file(commune, path)
    bad = reasons(plan)
    assert sorted(bad) == [3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 15]
    assert bad[3] == "le nom manque"
    assert bad[4] == "sexe inconnu « Z » (écrire F ou M)"
    assert bad[5].startswith("date impossible « 31/02/2026 »")
    assert bad[6] == "le mandat finit avant de commencer"
    assert bad[7].startswith("numéro de téléphone invalide « 12 »")
    assert bad[8].startswith("adresse e-mail invalide « fatou@ »")
    assert "« Trésorière »" in bad[9]
    assert bad[12] == "même personne qu’à la ligne 11"
    assert bad[13].startswith("même nom qu’à la ligne 11")
    assert bad[14] == "le sexe manque (F ou M)"
    assert bad[15] == "statut inconnu « peut-être » (écrire oui ou non)"
    assert [r.line for r in plan.rows] == [11]
    with pytest.raises(InputError):
        roster_import.apply(commune, plan)
    assert member_count(commune) == 0


def test_several_faults_of_one_row_are_all_named(commune: DataFolder, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [HEADINGS, "Touré;Ali;Q;;;;1;x@;;;"])
    reason = reasons(roster_import.read_file(commune, path))[2]
    assert "sexe inconnu « Q »" in reason and "téléphone invalide" in reason
    assert "adresse e-mail invalide" in reason and " ; " in reason


def test_notes_under_the_table_are_not_members(commune: DataFolder, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "notes.csv", [
        "Nom;Prénoms;Sexe", "Traoré;Aminata;F", "Ballo;;", "Maïga;Oumar;M", ";;",
        "Arrêté la présente liste à 3 membres;;", ";;Le Maire"])
    plan = roster_import.read_file(commune, path)
    # the lone name inside the table is a bad row; the notes below it are not rows
    assert reasons(plan) == {3: "le sexe manque (F ou M)"}
    assert [r.line for r in plan.rows] == [2, 4]


# -- Whole-file refusals -----------------------------------------------------------------------


def test_empty_file_refused(commune: DataFolder, tmp_path: Path) -> None:
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")
    assert refusal(commune, path) == "Le fichier « vide.csv » est vide."
    path.write_bytes(b"\xef\xbb\xbf\r\n;;;\r\n")
    assert refusal(commune, path) == "Le fichier « vide.csv » est vide."


def test_headings_without_members_refused(commune: DataFolder, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "entetes.csv", [HEADINGS])
    assert "a des en-têtes mais aucun membre" in refusal(commune, path)


def test_png_and_pdf_renamed_csv_refused(commune: DataFolder, tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "liste.csv"
    drawing = canvas.Canvas(str(pdf))
    drawing.drawString(72, 720, "Liste des membres")
    drawing.save()
    message = refusal(commune, pdf)
    assert message.startswith("Le fichier « liste.csv » n’est pas un tableur (un document PDF)")

    png = tmp_path / "photo.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert "(une image PNG)" in refusal(commune, png)


def test_binary_and_other_formats_refused(commune: DataFolder, tmp_path: Path) -> None:
    import zipfile

    junk = tmp_path / "donnees.csv"
    junk.write_bytes(bytes(range(256)) * 8)
    assert "n’est ni un classeur Excel ni un texte CSV lisible" in refusal(commune, junk)
    xls = tmp_path / "ancien.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    assert "ancien classeur Excel 97-2003 (.xls)" in refusal(commune, xls)
    ods = tmp_path / "liste.ods"
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    assert "classeur OpenDocument (.ods)" in refusal(commune, ods)
    broken = tmp_path / "casse.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert "archive endommagée" in refusal(commune, broken)


def test_file_locked_by_excel_refused(commune: DataFolder, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(tmp_path / "membres.csv", [HEADINGS, "Traoré;Aminata;F;;;;;;;;"])
    real_open = Path.open

    def windows_open(self: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        # What Windows does while Excel holds the file: the OS is faked, not our code.
        if self == path:
            raise PermissionError(13, "The process cannot access the file")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", windows_open)
    assert refusal(commune, path) == ("Le fichier « membres.csv » est ouvert dans un autre "
                                      "programme (Excel ?) : fermez-le puis réessayez.")


def test_excel_lock_file_named(commune: DataFolder, tmp_path: Path) -> None:
    path = tmp_path / "~$membres.xlsx"
    path.write_bytes(b"\x06Moussa" + b"\x00" * 150)
    assert "choisissez « membres.xlsx »" in refusal(commune, path)


def test_size_and_row_limits_named(commune: DataFolder, tmp_path: Path) -> None:
    huge = tmp_path / "enorme.csv"
    with huge.open("wb") as handle:
        handle.truncate(11 * 1024 * 1024)
    assert "trop volumineux (plus de 10 Mo)" in refusal(commune, huge)
    many = write_csv(tmp_path / "long.csv", ["Nom;Sexe"] + [f"N{i};F" for i in range(20_001)])
    assert "a plus de 20\u202f000 lignes" in refusal(commune, many)


def test_missing_file_refused(commune: DataFolder, tmp_path: Path) -> None:
    assert "n’existe pas" in refusal(commune, tmp_path / "absent.csv")


# -- Writing: one transaction, re-checked ------------------------------------------------------


def test_roster_changed_after_reading_refuses_apply(commune: DataFolder,
                                                    tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", ["Nom;Prénom;Sexe", "Traoré;Aminata;F",
                                          "Maïga;Oumar;M"])
    plan = roster_import.read_file(commune, path)
    roster.add_member(commune, MemberData(last_name="Maïga", first_names="Oumar", sex="M"))
    with pytest.raises(StateError) as caught:
        roster_import.apply(commune, plan)
    assert "a changé depuis la lecture du fichier « l.csv »" in caught.value.message
    assert member_count(commune) == 1  # the first row was not kept either


def test_export_guard_against_formulas_removed(commune: DataFolder, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", ["Nom;Prénom;Sexe;Structure",
                                          "Traoré;Aminata;F;'=Mairie"])
    plan = roster_import.read_file(commune, path)
    assert plan.rows[0].data.organisation == "=Mairie"


def test_five_thousand_rows_in_one_go(commune: DataFolder, tmp_path: Path) -> None:
    """Behaviour at size; the time it takes is measured by ``bench/bench_import.py``."""
    categories = ["Élus", "Police", "Gendarmerie", "Société civile", "Femmes", "Jeunes"]
    lines = [HEADINGS] + [
        f"TRAORÉ{i};Aminata {i};{'FM'[i % 2]};{categories[i % 6]};Mairie;Membre;"
        f"76 {i:06d};a{i}@mairie.ml;15/01/2024;14/01/2027;oui" for i in range(5000)]
    path = write_csv(tmp_path / "grand.csv", lines)
    plan = roster_import.read_file(commune, path)
    result = roster_import.apply(commune, plan)
    assert plan.ok and result.added == 5000
    with commune.database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Category)) == 14
    again = roster_import.read_file(commune, path)
    assert again.unchanged == 5000 and member_count(commune) == 5000


# -- Lists as they are really kept -------------------------------------------------------------


def test_fonction_column_of_job_titles_read_as_organisation(commune: DataFolder,
                                                            tmp_path: Path) -> None:
    path = write_csv(tmp_path / "fonctions.csv", [
        "Nom;Prénom;Sexe;Fonction", "Diarra;Adama;M;Maire de la Commune IV",
        "Konaté;Souleymane;M;Commandant de brigade", "Traoré;Awa;F;Présidente",
        "Ballo;Salif;M;Chef de quartier"])
    plan = roster_import.read_file(commune, path)
    assert plan.ok and [c.field for c in plan.columns][-1] == "organisation"
    assert plan.rows[0].data.organisation == "Maire de la Commune IV"
    assert plan.rows[2].data.role == "member"  # the column is not read as roles at all
    # with a heading that can only mean the bureau role, a job title is a bad row
    write_csv(path, ["Nom;Prénom;Sexe;Fonction au bureau", "Diarra;Adama;M;Maire",
                     "Traoré;Awa;F;Présidente du CCS", "Ballo;Salif;M;Membre titulaire",
                     "Sidibé;Fanta;F;Secrétaire permanente"])
    plan = roster_import.read_file(commune, path)
    assert list(reasons(plan)) == [2] and "« Maire »" in reasons(plan)[2]
    assert [r.data.role for r in plan.rows] == ["president", "member", "secretary"]


def test_excel_sep_line_title_cell_and_civilite(commune: DataFolder, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "sep.csv", [
        "sep=;", "Membres;;", ";;", "Nom et prénoms;Civilité;Téléphone",
        "TRAORÉ Aminata;Mme;76 12 34 56", "COULIBALY Bakary;M.;66 45 78 90"])
    plan = roster_import.read_file(commune, path)
    assert plan.ok, plan.rejected
    assert plan.delimiter == ";" and plan.header_line == 4  # "Membres" alone is a title
    assert [(r.line, r.data.sex) for r in plan.rows] == [(5, "F"), (6, "M")]


def test_dates_typed_as_day_numbers_in_a_workbook(commune: DataFolder, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Nom", "Prénoms", "Sexe", "Début de mandat", "Fin de mandat"])
    sheet.append(["Sangaré", "Mamadou", "M", 45306, "14/01/2027"])  # a "Standard" cell
    path = tmp_path / "nombres.xlsx"
    workbook.save(path)
    plan = roster_import.read_file(commune, path)
    assert plan.ok, plan.rejected
    assert plan.rows[0].data.mandate_start == date(2024, 1, 15)
    assert plan.rows[0].data.mandate_end == date(2027, 1, 14)


def test_workbook_with_a_wrong_size_record_read_whole(commune: DataFolder,
                                                      tmp_path: Path) -> None:
    """Web exporters often write ``<dimension ref="A1"/>``; every row must still be read."""
    import re
    import zipfile

    source = zipfile.ZipFile(SAMPLES / "membres.xlsx")
    path = tmp_path / "export_web.xlsx"
    with zipfile.ZipFile(path, "w") as forged:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                content = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>',
                                 content)
            forged.writestr(item, content)
    plan = roster_import.read_file(commune, path)
    assert plan.ok and plan.added == 23


def test_applying_the_same_plan_twice_adds_nobody_twice(commune: DataFolder,
                                                        tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", ["Nom;Prénom;Sexe", "Traoré;Aminata;F"])
    plan = roster_import.read_file(commune, path)
    roster_import.apply(commune, plan)
    with pytest.raises(StateError):
        roster_import.apply(commune, plan)  # a double click, or a plan kept too long
    assert member_count(commune) == 1
