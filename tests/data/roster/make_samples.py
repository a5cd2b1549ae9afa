"""Writes the sample rosters the import tests read (run it again after changing it).

    python tests/data/roster/make_samples.py

The files imitate what a commune secretariat exports: French Excel's CSV (semicolons,
Windows-1252, dd/mm/yyyy, CRLF, a title row above the headings, categories written loosely:
"ELUS", "élu", "Gendarmerie", "Autorités religieuses") and a workbook with a merged title,
real date cells and phone numbers typed as numbers.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent

HEADINGS = ["N°", "Nom", "Prénom(s)", "Sexe", "Catégorie", "Structure", "Fonction",
            "Téléphone", "E-mail", "Début de mandat", "Fin de mandat", "Actif"]

# Twenty-three members, as in an installed communal committee (two women among them would be
# typical; this sample has a few more so the composition figures have something to show).
MEMBERS = [
    ("TRAORÉ", "Moussa", "M", "Élus", "Mairie de la Commune IV", "Président",
     "76 12 34 56", "m.traore@mairie-c4.ml", "15/01/2024", "14/01/2027"),
    ("COULIBALY", "Aminata", "F", "ELUS", "Conseil communal", "Vice-présidente",
     "66 45 78 90", "", "15/01/2024", "14/01/2027"),
    ("MAÏGA", "Oumar", "M", "Administration", "Sous-préfecture", "Secrétaire",
     "+223 79 01 02 03", "omaiga@yahoo.fr", "15/01/2024", "14/01/2027"),
    ("DIARRA", "Seydou", "M", "Police nationale", "Commissariat du 4e arrondissement", "Membre",
     "75 11 22 33", "", "15/01/2024", "14/01/2027"),
    ("KEÏTA", "Bakary", "M", "Gendarmerie", "Brigade territoriale", "Membre",
     "76 98 76 54", "", "15/01/2024", "14/01/2027"),
    ("TOURÉ", "Ibrahim", "M", "Garde nationale", "Groupement de la Garde", "Membre",
     "77 23 45 67", "", "15/01/2024", "14/01/2027"),
    ("SANGARÉ", "Mamadou", "M", "Protection civile", "Compagnie de protection civile", "Membre",
     "78 34 56 78", "", "15/01/2024", "14/01/2027"),
    ("CISSÉ", "Hamidou", "M", "Justice", "Tribunal de grande instance", "Membre",
     "79 45 67 89", "", "15/01/2024", "14/01/2027"),
    ("DEMBÉLÉ", "Adama", "M", "Autorité traditionnelle", "Chefferie de Lafiabougou",
     "Membre", "65 56 78 90", "", "15/01/2024", "14/01/2027"),
    ("KONATÉ", "Cheick Oumar", "M", "Autorités religieuses", "Imam de la grande mosquée",
     "Membre", "66 67 89 01", "", "15/01/2024", "14/01/2027"),
    ("SIDIBÉ", "Fatoumata", "F", "Femmes", "CAFO Commune IV", "Membre",
     "76 78 90 12", "fsidibe@gmail.com", "15/01/2024", "14/01/2027"),
    ("DOUMBIA", "Souleymane", "M", "Jeunes", "Conseil communal de la jeunesse", "Membre",
     "70 89 01 23", "", "15/01/2024", "14/01/2027"),
    ("SAMAKÉ", "Drissa", "M", "Société civile", "Association des commerçants", "Membre",
     "90 12 34 56", "", "15/01/2024", "14/01/2027"),
    ("BAGAYOKO", "Mariam", "F", "Société civile", "ONG Femmes et Paix", "Membre",
     "91 23 45 67", "", "15/01/2024", "14/01/2027"),
    ("DIAKITÉ", "Lassine", "M", "Chasseurs", "Confrérie des chasseurs (donsos)", "Membre",
     "92 34 56 78", "", "15/01/2024", "14/01/2027"),
    ("N'DIAYE", "Awa", "F", "Partenaires", "MINUSMA (observatrice)", "Invitée",
     "93 45 67 89", "awa.ndiaye@example.org", "15/01/2024", ""),
    ("KANTÉ", "Boubacar", "M", "élu", "Conseil communal", "Membre",
     "94 56 78 90", "", "15/01/2024", "14/01/2027"),
    ("TRAORÉ", "Kadiatou", "F", "Élus", "Conseil communal", "Membre",
     "95 67 89 01", "", "15/01/2024", "14/01/2027"),
    ("GUINDO", "Amadou", "M", "Administration", "Service de l'urbanisme", "Membre",
     "96 78 90 12", "", "15/01/2024", "14/01/2027"),
    ("DICKO", "Hamadoun", "M", "FDS – Armée", "Camp militaire", "Membre",
     "97 89 01 23", "", "15/01/2024", "14/01/2027"),
    ("COULIBALY", "Yacouba", "M", "Chefs de quartier", "Quartier de Djicoroni", "Membre",
     "98 90 12 34", "", "15/01/2024", "14/01/2027"),
    ("BALLO", "Salif", "M", "jeunes", "Association des jeunes de Sébénikoro", "Membre",
     "99 01 23 45", "", "15/01/2024", "14/01/2027"),
    ("DIALLO", "Ousmane", "M", "Administration", "Centre de santé communautaire", "Membre",
     "", "", "01/03/2025", "14/01/2027"),
]
# "Chefs de quartier" is not one of the committee's categories: the sample says it as
# "Autorités traditionnelles" instead, since the plain roster must import whole.
MEMBERS = [m if m[3] != "Chefs de quartier" else (*m[:3], "Autorités traditionnelles", *m[4:])
           for m in MEMBERS]

TITLE = "LISTE DES MEMBRES DU COMITÉ CONSULTATIF DE SÉCURITÉ DE LA COMMUNE IV"


def _csv_lines(members: list[tuple[str, ...]]) -> list[str]:
    """Title row, an empty row, the headings on line 3, one member per line from line 4,
    and the empty rows Excel keeps at the end of a sheet."""
    width = len(HEADINGS)
    lines = [TITLE + ";" * (width - 1), ";" * (width - 1), ";".join(HEADINGS)]
    for number, member in enumerate(members, 1):
        lines.append(";".join([str(number), *member, "Oui"]))
    lines += [";" * (width - 1)] * 2
    return lines


def write_csv(path: Path, lines: list[str]) -> None:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


def bad_members() -> list[tuple[str, ...]]:
    """The same roster with exactly three bad rows (CSV lines 8, 13 and 21)."""
    members = list(MEMBERS)
    members[4] = (*members[4][:2], "X", *members[4][3:])  # unknown sex, line 8
    members[9] = (*members[9][:8], "31/02/2026", members[9][9])  # impossible date, line 13
    members[17] = ("", *members[17][1:])  # missing name, line 21
    return members


def write_xlsx(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Membres CCS"
    sheet["A1"] = TITLE
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADINGS))
    sheet["A2"] = "Mise à jour du 3 mars 2025"
    sheet.append(HEADINGS)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for number, member in enumerate(MEMBERS, 1):
        *head, phone, email, start, end = member
        phone_cell: object = phone
        if phone and phone.replace(" ", "").isdigit():
            phone_cell = int(phone.replace(" ", ""))  # typed as a number, as often happens
        start_cell = date(*reversed([int(p) for p in start.split("/")])) if start else None
        end_cell = date(*reversed([int(p) for p in end.split("/")])) if end else None
        sheet.append([number, *head, phone_cell, email or None, start_cell, end_cell, "oui"])
        for column in (11, 12):
            sheet.cell(row=sheet.max_row, column=column).number_format = "DD/MM/YYYY"
    workbook.save(path)


def main() -> None:
    write_csv(HERE / "membres_excel_fr.csv", _csv_lines(MEMBERS))
    write_csv(HERE / "membres_excel_fr_3_erreurs.csv", _csv_lines(bad_members()))
    write_xlsx(HERE / "membres.xlsx")


if __name__ == "__main__":
    main()
