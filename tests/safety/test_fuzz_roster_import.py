"""Mutated rosters: every input is imported whole or refused whole with a clear message.

The real sample rosters (French Excel CSV, the same with three bad rows, an XLSX workbook)
are truncated, bit-flipped, given random edits, replaced by random bytes, stuffed with NUL
bytes, huge cells, formulas and mixed encodings, made oversized or zip-bomb-like, and built
with wrong cell types; hypothesis adds generated CSV rosters. Each input goes through the
two steps a person takes (``read_file`` then ``apply``) against one real data folder:

- a refusal must be a :class:`CcsError` with a one-line message, and the member count and
  the journal must be exactly as before (nothing partly imported);
- an acceptance must add exactly the members the plan announced, with one journal entry;
- anything else is a crash. Memory stays bounded: the size limits are checked before the
  file is unpacked, and a fresh process reading the zip bombs stays under a peak bound.

The counts are printed for the CI log; ``CCSDESK_FUZZ_SCALE`` multiplies them for a long run.
"""

from __future__ import annotations

import io
import os
import random
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ccsdesk.core.errors import CcsError
from ccsdesk.core.services import committee, roster_import, table_files
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import JournalEntry, Member
from tests.conftest import PASSPHRASE

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "roster"
SCALE = max(1, int(os.environ.get("CCSDESK_FUZZ_SCALE", "1")))
TRUNCATIONS = 240 * SCALE
FLIPS = 900 * SCALE
EDITS = 450 * SCALE
RANDOM_FILES = 80 * SCALE
XLSX_MUTANTS = 200 * SCALE
GENERATED = 200 * SCALE
# Peak resident memory allowed to a fresh interpreter reading one hostile workbook.
MAX_PEAK_MB = 100


class Tally:
    """The outcome of every attempt, shared by the tests of this module."""

    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.crashes: list[str] = []


TALLY = Tally()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataFolder]:
    opened = DataFolder.open(tmp_path_factory.mktemp("fuzz-roster") / "donnees")
    committee.initialize(opened, level="commune", name="CCS de la Commune IV",
                         place="Commune IV", passphrase=PASSPHRASE)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-files")


def _state(folder: DataFolder) -> tuple[int, int]:
    with folder.database.reading() as session:
        members = int(session.scalar(select(func.count()).select_from(Member)))
        entries = int(session.scalar(select(func.count()).select_from(JournalEntry)))
    return members, entries


def attempt(folder: DataFolder, path: Path, data: bytes, label: str) -> str:
    """Import ``data`` as ``path``; returns 'imported' or 'refused', records crashes."""
    path.write_bytes(data)
    before = _state(folder)
    plan = None
    try:
        plan = roster_import.read_file(folder, path, create_categories=True)
        result = roster_import.apply(folder, plan)
    except CcsError as error:
        assert error.message.strip(), label
        assert _state(folder) == before, f"partly imported: {label}"
        TALLY.outcomes["refused"] += 1
        return "refused"
    except Exception as error:  # the very thing this test hunts
        TALLY.crashes.append(f"{label}: {type(error).__name__}: {error}"[:300])
        TALLY.outcomes["crash"] += 1
        assert _state(folder) == before, f"partly imported after a crash: {label}"
        return "crash"
    members, entries = _state(folder)
    assert members == before[0] + result.added, label
    assert entries == before[1] + 1 + len(result.categories_created), label
    assert plan is not None and result.added == plan.added
    TALLY.outcomes["imported"] += 1
    return "imported"


def _samples() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(SAMPLES.iterdir())
            if path.suffix in (".csv", ".xlsx")}


def _flip(data: bytes, rng: random.Random, bits: int) -> bytes:
    changed = bytearray(data)
    for _ in range(bits):
        position = rng.randrange(len(changed))
        changed[position] ^= 1 << rng.randrange(8)
    return bytes(changed)


def _edit(data: bytes, rng: random.Random) -> bytes:
    changed = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        position = rng.randrange(len(changed) + 1)
        choice = rng.random()
        if choice < 0.4:
            changed[position:position] = bytes(rng.randrange(256)
                                               for _ in range(rng.randint(1, 40)))
        elif choice < 0.7:
            del changed[position:position + rng.randint(1, 200)]
        else:
            changed[position:position + 1] = rng.choice(
                [b"\x00", b";", b'"', b"\r\n", b"\xff\xfe", b"\xc3", b"=", b"\x1a", b"\t"])
    return bytes(changed)


def _rewrite_xlsx(data: bytes, change: dict[str, bytes | None]) -> bytes:
    """The workbook with some parts replaced (``None`` removes a part)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(
            out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in change:
                if change[info.filename] is not None:
                    target.writestr(info, change[info.filename])
            else:
                target.writestr(info, source.read(info.filename))
    return out.getvalue()


def _workbook(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADINGS = ["Nom", "Prénom(s)", "Sexe", "Catégorie", "Structure", "Fonction", "Téléphone",
            "E-mail", "Début de mandat", "Fin de mandat", "Actif"]


def test_mutated_samples(folder: DataFolder, work: Path) -> None:
    crashes_before = len(TALLY.crashes)
    rng = random.Random(8)
    samples = _samples()
    assert set(samples) >= {"membres_excel_fr.csv", "membres.xlsx"}
    # The originals first: the clean ones import, the one with three bad rows is refused.
    for name, data in samples.items():
        outcome = attempt(folder, work / name, data, f"original {name}")
        assert outcome == ("refused" if "erreurs" in name else "imported"), name
    for name, data in samples.items():
        suffix = Path(name).suffix
        for number in range(TRUNCATIONS // len(samples)):
            cut = rng.randrange(len(data)) if number > 3 else number
            attempt(folder, work / f"cut{suffix}", data[:cut], f"{name} cut at {cut}")
        for number in range(FLIPS // len(samples)):
            bits = rng.choice([1, 1, 2, 4, 8, 32])
            attempt(folder, work / f"flip{suffix}", _flip(data, rng, bits),
                    f"{name} {bits} flips #{number}")
        for number in range(EDITS // len(samples)):
            attempt(folder, work / f"edit{suffix}", _edit(data, rng), f"{name} edit #{number}")
    for number in range(RANDOM_FILES):
        size = rng.choice([1, 7, 100, 4096, 70_000])
        prefix = rng.choice([b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe", b"Nom;Sexe\r\n"])
        data = prefix + bytes(rng.randrange(256) for _ in range(size))
        attempt(folder, work / rng.choice(["hasard.csv", "hasard.xlsx", "hasard"]), data,
                f"random bytes #{number}")
    assert len(TALLY.crashes) == crashes_before, TALLY.crashes[crashes_before:][:5]


def test_xlsx_parts_mutated(folder: DataFolder, work: Path) -> None:
    """Flips inside the unpacked XML of the workbook, re-zipped so the zip itself is sound."""
    crashes_before = len(TALLY.crashes)
    rng = random.Random(81)
    original = (SAMPLES / "membres.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    names = sorted(parts)
    for number in range(XLSX_MUTANTS):
        part = rng.choice(names + ["xl/worksheets/sheet1.xml"] * 4)
        choice = rng.random()
        if choice < 0.15:
            change: dict[str, bytes | None] = {part: None}
        elif choice < 0.6:
            change = {part: _edit(parts[part], rng)}
        else:
            change = {part: _flip(parts[part], rng, rng.choice([1, 3, 10]))}
        attempt(folder, work / "partie.xlsx", _rewrite_xlsx(original, change),
                f"xlsx part {part} #{number}")
    assert len(TALLY.crashes) == crashes_before, TALLY.crashes[crashes_before:][:5]


def _sheet_with(cell_xml: bytes, original: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    return _rewrite_xlsx(original, {
        "xl/worksheets/sheet1.xml": sheet.replace(b"</sheetData>", cell_xml + b"</sheetData>")})


def _streamed_bomb(original: bytes, megabytes: int) -> bytes:
    """The workbook whose sheet gains one inline cell of ``megabytes`` MB of the letter A."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(
            out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with target.open(info.filename, "w", force_zip64=True) as entry:
                entry.write(head + b'<row r="90"><c r="A90" t="inlineStr"><is><t>')
                chunk = b"A" * 1024 * 1024
                for _ in range(megabytes):
                    entry.write(chunk)
                entry.write(b"</t></is></c></row></sheetData>" + tail)
    return out.getvalue()


_PEAK_SCRIPT = """
import resource, sys
from pathlib import Path
from ccsdesk.core.errors import CcsError
from ccsdesk.core.services import table_files
try:
    table_files.read_table(Path(sys.argv[1]))
except CcsError:
    pass
# VmHWM belongs to this process image; ru_maxrss would carry the parent's peak over exec.
try:
    status = Path("/proc/self/status").read_text()
    print(next(int(line.split()[1]) for line in status.splitlines()
               if line.startswith("VmHWM:")))
except OSError:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_mb_reading(path: Path) -> float:
    """Peak resident memory (MB) of a new interpreter that reads ``path`` as a table."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", _PEAK_SCRIPT, str(path)], check=True,
                          capture_output=True, text=True, timeout=120)
    peak_kb = int(done.stdout.split()[-1])
    return peak_kb / 1024 if sys.platform != "darwin" else peak_kb / 1024**2


def test_hostile_files_are_refused_with_their_limit(folder: DataFolder, work: Path) -> None:
    """Oversized, zip bombs, NUL bytes, huge cells: refused, the limit named in the message."""
    csv_sample = (SAMPLES / "membres_excel_fr.csv").read_bytes()
    xlsx_sample = (SAMPLES / "membres.xlsx").read_bytes()
    messages: dict[str, str] = {}
    peaks: dict[str, float] = {}

    def refused(name: str, path_name: str, data: bytes) -> str:
        before = _state(folder)
        (work / path_name).write_bytes(data)
        with pytest.raises(CcsError) as caught:
            plan = roster_import.read_file(folder, work / path_name)
            roster_import.apply(folder, plan)
        assert _state(folder) == before
        TALLY.outcomes["refused"] += 1
        messages[name] = caught.value.message
        return caught.value.message

    limit_mb = table_files.MAX_BYTES // 1024 // 1024
    big = csv_sample + b"1;X;Y;M;;;;;;;;\r\n" * (table_files.MAX_BYTES // 16)
    assert f"{limit_mb} Mo" in refused("oversized", "enorme.csv", big)
    # 200 MB of one letter in a single inline cell: a 200 KB file, written in 1 MB pieces
    # so that building it does not itself take the memory the test measures.
    bomb = _streamed_bomb(xlsx_sample, 200)
    assert len(bomb) < 1_000_000
    unpacked = table_files.MAX_UNPACKED_BYTES // 1024 // 1024
    assert f"{unpacked} Mo" in refused("zip bomb (one cell)", "bombe.xlsx", bomb)
    # The memory bound, measured in a fresh process (this one's peak is the whole suite's).
    peaks["zip bomb (one cell)"] = _peak_mb_reading(work / "bombe.xlsx")
    many_rows = _sheet_with(b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 400_000,
                            xlsx_sample)
    assert "20\u202f000" in refused("zip bomb (rows)", "lignes.xlsx", many_rows)
    peaks["zip bomb (rows)"] = _peak_mb_reading(work / "lignes.xlsx")
    peaks["the clean sample, for comparison"] = _peak_mb_reading(SAMPLES / "membres.xlsx")
    assert max(peaks.values()) < MAX_PEAK_MB, peaks
    too_many = csv_sample + b"99;NOM;Prenom;M;;;;;;;;\r\n" * (table_files.MAX_ROWS + 100)
    assert "20\u202f000" in refused("too many rows", "lignes.csv", too_many)
    refused("NUL bytes", "nul.csv", csv_sample.replace(b";", b"\x00;", 40))
    huge_cell = csv_sample + b'24;"' + b"A" * 600_000 + b'";Awa;F;;;;;;;;\r\n'
    assert "131\u202f072 caractères" in refused("huge CSV cell", "cellule.csv", huge_cell)
    refused("empty", "vide.csv", b"")
    refused("only a heading", "entete.csv", ";".join(HEADINGS).encode("cp1252") + b"\r\n")
    refused("xls", "ancien.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))
    refused("pdf", "liste.csv", b"%PDF-1.4\n" + bytes(500))
    refused("docx", "liste.xlsx", _rewrite_xlsx(xlsx_sample, {"xl/workbook.xml": None}))
    print("\nroster import, refusal messages:")
    for name, message in messages.items():
        print(f"  {name}: {message}")
    print("peak memory of a fresh process reading: " + ", ".join(
        f"{name} {peak:.0f} MB" for name, peak in peaks.items()))


def test_wrong_types_formulas_and_mixed_encodings(folder: DataFolder, work: Path) -> None:
    """Cells of the wrong type, formulas, NUL inside cells and mixed encodings."""
    crashes_before = len(TALLY.crashes)
    rows: list[list[object]] = [HEADINGS]
    odd_values: list[object] = [
        12345, 3.75, True, False, date(1900, 1, 1), datetime(2099, 12, 31, 23, 59),
        "=HYPERLINK(\"http://exemple.invalid\",\"clic\")", "=1+1", "+223 76 00 00 00",
        "@SUM(A1)", "-2", "\u202e\u0645\u0631\u062d\u0628\u0627", "x" * 30_000, " ", "\t",
        float("nan"), -1e308, 10**20,
    ]
    rng = random.Random(5)
    for number in range(60):
        row = [rng.choice(odd_values) for _ in HEADINGS]
        if number % 3 == 0:
            row[0] = f"NOM{number}"
        rows.append(row)
    for outcome_rows in (rows, [HEADINGS, ["=HYPERLINK(\"x\")", "Awa", "F"]],
                         [HEADINGS, ["KONÉ", "Awa", "F", "", "", "", "=1+1"]]):
        attempt(folder, work / "types.xlsx", _workbook(outcome_rows), "wrong types xlsx")
    csv_rows = [";".join(HEADINGS).encode("utf-8")]
    csv_rows.append("DIALLO;Fanta;F;Élus;Mairie;Membre".encode())
    csv_rows.append("SIDIBÉ;Awa;F;Élus;Mairie;Membre".encode("cp1252"))
    csv_rows.append(b'=HYPERLINK("http://exemple.invalid");Oumar;M')
    csv_rows.append("KONATÉ;Issa;M".encode("utf-16-le"))
    attempt(folder, work / "melange.csv", b"\r\n".join(csv_rows) + b"\r\n", "mixed encodings")
    attempt(folder, work / "utf16.csv", "\r\n".join(
        [";".join(HEADINGS), "KONATÉ;Issa;M", "TRAORÉ;Awa;F"]).encode("utf-16"), "utf-16")
    assert len(TALLY.crashes) == crashes_before, TALLY.crashes[crashes_before:][:5]


_CELL = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["M", "F", "Homme", "femme", "Oui", "non", "15/01/2024", "2024-13-45",
                     "31/02/2024", "Président", "Secrétaire", "=1+1", "76 12 34 56",
                     "a@b", "é", "\x00", '"', ";", "\r\n"]),
)


@settings(max_examples=GENERATED, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(headings=st.lists(st.sampled_from([*HEADINGS, "", "N°", "Nom", "Divers"]),
                         min_size=1, max_size=12),
       rows=st.lists(st.lists(_CELL, max_size=12), max_size=12),
       delimiter=st.sampled_from([";", ",", "\t"]),
       encoding=st.sampled_from(["utf-8", "cp1252", "utf-8-sig", "utf-16"]))
def test_generated_csv_rosters(folder: DataFolder, work: Path, headings: list[str],
                               rows: list[list[str]], delimiter: str, encoding: str) -> None:
    lines = [delimiter.join(headings)] + [delimiter.join(row) for row in rows]
    crashes_before = len(TALLY.crashes)
    data = "\r\n".join(lines).encode(encoding, errors="replace")
    attempt(folder, work / "genere.csv", data, f"generated {encoding} {lines[:3]!r}")
    assert len(TALLY.crashes) == crashes_before, TALLY.crashes[crashes_before:][:5]


def test_zz_report(folder: DataFolder) -> None:
    """The count line for the CI log (the memory bound is measured per hostile file)."""
    total = sum(TALLY.outcomes.values())
    print(f"\n{total} mutated rosters, {TALLY.outcomes['crash']} crashes, 0 partial imports "
          f"({TALLY.outcomes['imported']} imported whole, {TALLY.outcomes['refused']} refused "
          f"whole); {time.process_time():.1f} s CPU")
    assert total >= 2000 * SCALE
    assert TALLY.outcomes["crash"] == 0, TALLY.crashes[:5]
