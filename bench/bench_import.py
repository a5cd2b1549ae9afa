"""A 5 000-row roster imported from CSV and from XLSX: read (plan) and apply, then again.

The file is what a secretariat's French Excel produces: headings in French, semicolons,
Windows-1252, dates as dd/mm/yyyy (CSV), or an .xlsx sheet with real date cells. Each run
uses a new data folder with a set-up committee and measures, through
``ccsdesk.core.services.roster_import``:

* read 5 000 new rows and plan them, then apply (5 000 members added, one transaction);
* read the same file again (5 000 rows matched, nothing to do);
* read a second version where 500 phone numbers changed, then apply (500 updates);

and, as a child process, ``ccsdesk members import FILE`` end to end on a new folder.

    .venv/bin/python bench/bench_import.py [--rows 5000] [--runs 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    ccsdesk_command,
    child_env,
    machine,
    print_table,
    run_checked,
    summarize,
    write_json,
)
from ccsdesk.core.services import committee, roster_import
from ccsdesk.core.storage.folder import DataFolder

PASSPHRASE = "phrase-du-banc-d-essai"
HEADINGS = ("N°", "Nom", "Prénom(s)", "Sexe", "Catégorie", "Structure / organisation",
            "Fonction", "Téléphone", "E-mail", "Début de mandat", "Fin de mandat")
LAST_NAMES = ("Traoré", "Coulibaly", "Diarra", "Keïta", "Maïga", "Touré", "Sangaré",
              "Dembélé", "Konaté", "Cissé", "Sidibé", "Diallo", "Ouattara", "Samaké", "Koné",
              "Doumbia", "Camara", "Sissoko", "Bagayoko", "Fofana", "Kanté", "Dicko",
              "Guindo", "Dolo", "Tangara", "Bouaré", "Haïdara", "Togola", "Mariko", "Berthé")
FIRST_NAMES_F = ("Aminata", "Fatoumata", "Mariam", "Oumou", "Hawa", "Kadiatou", "Assétou",
                 "Rokia", "Aïssata", "Djénéba", "Salimata", "Awa", "Kadidia", "Nana",
                 "Bintou", "Korotoumou", "Safiatou", "Maïmouna")
FIRST_NAMES_M = ("Moussa", "Bakary", "Seydou", "Boubacar", "Drissa", "Souleymane", "Adama",
                 "Mamadou", "Ibrahim", "Lassana", "Abdoulaye", "Modibo", "Sékou", "Yacouba",
                 "Oumar", "Amadou", "Bréhima", "Siaka", "Mahamadou", "Issa", "Cheick",
                 "Youssouf")
CATEGORIES = (
    ("Élus", "Mairie / conseil communal"),
    ("Administration", "Service local du développement social"),
    ("FDS – Police nationale", "Commissariat de police"),
    ("FDS – Gendarmerie nationale", "Brigade territoriale de gendarmerie"),
    ("FDS – Garde nationale", "Garde nationale"),
    ("FDS – Protection civile", "Compagnie de sapeurs-pompiers"),
    ("Justice", "Tribunal de grande instance"),
    ("Autorités traditionnelles et religieuses", "Chefferie de quartier"),
    ("Société civile", "Coordination des associations"),
    ("Femmes", "CAFO"),
    ("Jeunes", "Conseil communal de la jeunesse"),
    ("Chasseurs", "Association des chasseurs"),
)


def roster_rows(count: int, seed: int = 3) -> list[list[object]]:
    """``count`` distinct, valid members, about one in six a woman; deterministic."""
    rng = random.Random(seed)
    names: set[tuple[str, str]] = set()
    rows: list[list[object]] = []
    phones = rng.sample(range(10_000_000), count)
    while len(rows) < count:
        sex = "F" if rng.random() < 0.17 else "M"
        pool = FIRST_NAMES_F if sex == "F" else FIRST_NAMES_M
        last = rng.choice(LAST_NAMES)
        first = " ".join(rng.sample(pool, rng.choice((1, 2, 2, 3))))
        if (last, first) in names:
            continue
        names.add((last, first))
        category, organisation = rng.choice(CATEGORIES)
        start = date(2023, 1, 1) + timedelta(days=rng.randrange(900))
        end = start + timedelta(days=3 * 365)
        prefix = rng.choice((65, 66, 76, 79, 70, 90))
        digits = f"{prefix}{phones[len(rows)]:06d}"
        phone = " ".join(digits[i:i + 2] for i in range(0, 8, 2))
        email = f"membre{len(rows) + 1}@exemple.ml" if rng.random() < 0.3 else ""
        rows.append([len(rows) + 1, last.upper(), first, sex, category, organisation,
                     "Membre", phone, email, start, end])
    return rows


def with_new_phones(rows: list[list[object]], changed: int) -> list[list[object]]:
    """A copy where ``changed`` members (every tenth) have a new phone number."""
    result = [list(row) for row in rows]
    for row in result[::max(1, len(rows) // changed)][:changed]:
        row[7] = "20 " + str(row[7])[3:]
    return result


def write_csv(rows: list[list[object]], path: Path) -> None:
    """As French Excel saves "CSV (séparateur : point-virgule)": cp1252, CRLF, dd/mm/yyyy."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADINGS)
    for row in rows:
        writer.writerow([v.strftime("%d/%m/%Y") if isinstance(v, date) else v for v in row])
    path.write_bytes(buffer.getvalue().encode("cp1252"))


def write_xlsx(rows: list[list[object]], path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Membres")
    sheet.append(["Liste des membres du CCS"])
    sheet.append(list(HEADINGS))
    for row in rows:
        sheet.append(row)
    book.save(path)


# CPU seconds of each step, beside the wall-clock seconds ``timed`` returns.
_cpu: dict[str, list[float]] = {}


def timed(action: Callable[[], Any], step: str = "") -> tuple[float, Any]:
    start, cpu = time.perf_counter(), time.process_time()
    result = action()
    if step:
        _cpu.setdefault(step, []).append(time.process_time() - cpu)
    return time.perf_counter() - start, result


def new_folder(base: Path, name: str) -> DataFolder:
    folder = DataFolder.open(base / name)
    committee.initialize(folder, level="commune", name="CCS de banc d’essai",
                         place="Commune IV", passphrase=PASSPHRASE)
    return folder


def one_run(base: Path, run: int, file: Path, changed_file: Path,
            rows: int, changes: int) -> dict[str, float]:
    folder = new_folder(base, f"{file.suffix[1:]}-{run}")
    try:
        seconds: dict[str, float] = {}
        kind = file.suffix[1:].upper()
        seconds["read new"], plan = timed(lambda: roster_import.read_file(folder, file),
                                          f"{kind} read new")
        if plan.rejected or plan.added != rows:
            raise SystemExit(f"unexpected plan for {file}: {plan.added} to add, "
                             f"{len(plan.rejected)} rejected, first: {plan.rejected[:3]}")
        seconds["apply new"], _ = timed(lambda: roster_import.apply(folder, plan),
                                        f"{kind} apply new")
        seconds["read again"], again = timed(lambda: roster_import.read_file(folder, file),
                                             f"{kind} read again")
        if again.unchanged != rows:
            raise SystemExit(f"re-reading {file} did not match every member")
        seconds["read changed"], changed = timed(
            lambda: roster_import.read_file(folder, changed_file), f"{kind} read changed")
        if changed.updated != changes:
            raise SystemExit(f"{changed_file}: {changed.updated} updates, not {changes}")
        seconds["apply changed"], _ = timed(lambda: roster_import.apply(folder, changed),
                                            f"{kind} apply changed")
        return seconds
    finally:
        folder.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    changes = args.rows // 10
    timings = []
    with tempfile.TemporaryDirectory(prefix="ccsdesk-bench-") as tmp:
        base = Path(tmp)
        rows = roster_rows(args.rows)
        changed_rows = with_new_phones(rows, changes)
        files = []
        for suffix, write in ((".csv", write_csv), (".xlsx", write_xlsx)):
            file, changed = base / f"membres{suffix}", base / f"membres-modifies{suffix}"
            write(rows, file)
            write(changed_rows, changed)
            files.append((file, changed))
        for file, changed_file in files:
            kind = file.suffix[1:].upper()
            runs = [one_run(base, run, file, changed_file, args.rows, changes)
                    for run in range(args.runs)]
            for step in runs[0]:
                timings.append(summarize(f"{kind} {args.rows} rows: {step}",
                                         [r[step] for r in runs]))
            cli_runs = []
            try:
                for run in range(args.runs):
                    data = str(base / f"cli-{kind}-{run}")
                    env = child_env(CCSDESK_PASSPHRASE=PASSPHRASE)
                    run_checked([*ccsdesk_command(), "--data-dir", data, "init", "--level",
                                 "commune", "--name", "CCS", "--place", "Commune IV"], env)
                    cli_runs.append(run_checked([*ccsdesk_command(), "--data-dir", data,
                                                 "members", "import", str(file)], env))
            except SystemExit as failure:  # report the service figures all the same
                print(f"ccsdesk members import could not be measured: {failure}",
                      file=sys.stderr)
            else:
                timings.append(summarize(f"{kind}: ccsdesk members import (process)",
                                         cli_runs))
    info = machine()
    print(f"{info['cpu']}, {info['cores']} cores, Python {info['python']}, {info['date']}, "
          f"load average {info['load_average']}")
    print_table(f"Roster import ({args.rows} rows; {changes} changed in the second file): "
                "wall-clock time", timings)
    cpu = [summarize(f"{step} (CPU)", values) for step, values in _cpu.items()]
    print_table("Service steps: CPU time of this process", cpu)
    write_json(args.json, timings, cpu=[t.__dict__ for t in cpu])
    return 0




if __name__ == "__main__":
    raise SystemExit(main())
