"""The signed meeting packet (about 45 pages) beside LibreOffice converting the same content.

A session of 60 members with a PV of about ten pages and 30 recommendation forms: building
the packet in the running program (ReportLab layout, then the PAdES signature with pyHanko),
the same from the command line (``ccsdesk documents M --only packet``, a new process that
opens the folder and imports everything, with its signing helper process importing pyHanko
meanwhile; and the same with that helper disabled), and — in the same run, on the same machine —
LibreOffice headless (``soffice --convert-to pdf``) converting an HTML file with the same
text and tables, unsigned. Issue 5's targets: in the app, build + sign at least 3× faster
than LibreOffice's conversion; from the command line under 1 s.

Usage: ``.venv/bin/python bench/bench_packet.py [--runs N] [--json FILE]``; LibreOffice is
skipped (and said so) when ``soffice`` is not installed (``libreoffice-writer-nogui``).
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import (
    ROOT,
    Timing,
    ccsdesk_command,
    child_env,
    machine,
    print_table,
    run_with_cpu,
    summarize,
    write_json,
)

sys.path.insert(0, str(ROOT))  # the realistic session lives with the tests

from tests.core.session_data import PARAGRAPH, full_session

from ccsdesk.core import i18n
from ccsdesk.core.documents import packet
from ccsdesk.core.documents.session_record import SessionRecord, gather
from ccsdesk.core.storage.folder import DataFolder

PASSPHRASE = "banc-d-essai-du-dossier"
MEMBERS, RECOMMENDATIONS, PARAGRAPHS = 60, 30, 18


def page_count(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines()
                    if line.startswith("Pages:")))


def equivalent_html(record: SessionRecord) -> str:
    """The packet's text and tables as one HTML document with the same page breaks."""
    esc = html.escape
    meeting = record.meeting
    rows = "".join(f"<tr><td>{n}</td><td>{esc(p.name)}</td><td>{esc(p.quality)}</td>"
                   f"<td>{esc(p.phone)}</td><td></td></tr>"
                   for n, p in enumerate(record.recipients, 1))
    head = ("<table width='100%'><tr><td align='center'><b>DISTRICT DE BAMAKO<br>*****<br>"
            "COMMUNE IV<br>*****<br>COMITÉ CONSULTATIF DE SÉCURITÉ</b></td><td align='center'>"
            "<b>RÉPUBLIQUE DU MALI</b><br><i>Un Peuple – Un But – Une Foi</i></td></tr>"
            "</table><p>N° ________/CCS-CIV</p><p align='right'>Bamako, le 7 décembre "
            "2026</p>")
    brk = "<p style='page-break-before: always'></p>"
    parts = [head, f"<h1>DOSSIER DE SESSION</h1><p>{esc(meeting.label)}</p><h2>Sommaire</h2>"
             "<table border='1'>" + "".join(f"<tr><td>{n}</td><td>Pièce {n}</td><td>{n}"
                                            "</td></tr>" for n in range(1, 40)) + "</table>"]
    parts += [brk, head, "<h1>CONVOCATION</h1>", f"<p>{esc(PARAGRAPH)}</p>" * 3,
              f"<table border='1'>{rows}</table>"]
    parts += [brk, head, "<h1>BORDEREAU DE REMISE</h1>", f"<table border='1'>{rows}</table>"]
    parts += [brk, head, "<h1>PROCÈS-VERBAL</h1>"]
    for item in record.minutes.items:
        parts.append(f"<h3>Point {item.position} : {esc(item.title)}</h3>")
        parts += [f"<p align='justify'>{esc(line)}</p>" for line in item.text.splitlines()]
    parts += [f"<p>Recommandation n° {r.number} : {esc(r.text)}</p>"
              for r in record.recommendations]
    parts += [brk, "<h2>ANNEXE : LISTE DE PRÉSENCE</h2>", f"<table border='1'>{rows}</table>"]
    for rec in record.recommendations:
        fields = [("N°", str(rec.number)), ("Session", meeting.label), ("Constat", rec.problem),
                  ("Recommandation", rec.text), ("Destinataire", rec.addressee),
                  ("Échéance", rec.deadline.isoformat()), ("Priorité", rec.priority),
                  ("Statut", rec.status)]
        parts += [brk, head, "<h1>FICHE DE RECOMMANDATION</h1><table border='1'>",
                  "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in fields),
                  "</table>"]
    return ("<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
            "<style>body{font-family:'Noto Sans',sans-serif;font-size:10pt}</style></head>"
            f"<body>{''.join(parts)}</body></html>")


def libreoffice(source: Path, out: Path, profile: Path) -> float:
    start = time.perf_counter()
    completed = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
         "--infilter=HTML (StarWriter)", "--convert-to", "pdf:writer_pdf_Export",
         "--outdir", str(out), str(source)], capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise SystemExit(f"soffice failed: {completed.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    i18n.set_language("fr")
    timings: list[Timing] = []
    notes: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = root / "donnees"
        folder = DataFolder.open(data)
        from ccsdesk.core.services import committee

        committee.initialize(folder, level="commune", name="CCS de la Commune IV",
                             place="Commune IV", chair_title="Maire", passphrase=PASSPHRASE)
        meeting = full_session(folder, PASSPHRASE, members=MEMBERS,
                               recommendation_count=RECOMMENDATIONS, paragraphs=PARAGRAPHS)

        # First build and first signature in this process: the imports are paid here.
        start = time.perf_counter()
        built = packet.build(folder, meeting)
        first_build = time.perf_counter() - start
        start = time.perf_counter()
        signed = packet.sign(folder, built, PASSPHRASE)
        first_sign = time.perf_counter() - start
        sample = root / "dossier.pdf"
        sample.write_bytes(signed.data)
        pages = page_count(sample)
        notes.update(pages=pages, first_build=first_build, first_sign=first_sign)

        reads, builds, signs, totals = [], [], [], []
        for _run in range(args.runs):
            t0 = time.perf_counter()
            gather(folder, meeting)
            t1 = time.perf_counter()
            built = packet.build(folder, meeting)
            t2 = time.perf_counter()
            packet.sign(folder, built, PASSPHRASE)
            t3 = time.perf_counter()
            reads.append(t1 - t0)
            builds.append(t2 - t1)
            signs.append(t3 - t2)
            totals.append(t3 - t0)
        timings += [summarize("in-process: read the session (60 members, 30 forms)", reads),
                    summarize(f"in-process: build the packet ({pages} pages, with the read)",
                              builds),
                    summarize("in-process: sign it (unlock key + PAdES + stamp)", signs),
                    summarize("in-process: build + sign, total", totals)]
        folder.close()

        env = child_env(CCSDESK_PASSPHRASE=PASSPHRASE, CCSDESK_LANG="fr")
        # Measured as installed (a wheel or the bundle ships compiled bytecode): our own
        # modules get their .pyc in a private cache, filled by the warm-up run below.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        command = ccsdesk_command()
        packet_args = ["--data-dir", str(data), "documents", str(meeting), "--only", "packet"]
        # The same command with the signing helper process off (signing in the main process,
        # as before the helper existed): interleaved run by run, so load hits both alike.
        serial_env = {**env, "CCSDESK_SIGNING_HELPER": "off"}
        run_with_cpu([*command, *packet_args, "--out", str(root / "warm")], env)
        run_with_cpu([*command, *packet_args, "--out", str(root / "warm")], serial_env)
        load_before = os.getloadavg()
        walls, cpus, serial_walls, serial_cpus = [], [], [], []
        for run in range(args.runs):
            wall, cpu = run_with_cpu([*command, *packet_args, "--out", str(root / f"cli-{run}")],
                                     env)
            walls.append(wall)
            cpus.append(cpu)
            wall, cpu = run_with_cpu([*command, *packet_args, "--out", str(root / f"ser-{run}")],
                                     serial_env)
            serial_walls.append(wall)
            serial_cpus.append(cpu)
        notes["load average during the command-line runs"] = (
            f"{load_before[0]:.2f} → {os.getloadavg()[0]:.2f}")
        timings.append(summarize("command line: documents M --only packet (wall)", walls))
        timings.append(summarize("command line: documents M --only packet (CPU)", cpus))
        timings.append(summarize("  same, signing helper disabled (wall)", serial_walls))
        timings.append(summarize("  same, signing helper disabled (CPU)", serial_cpus))
        walls = [run_with_cpu([*command, "--data-dir", str(data), "documents", str(meeting),
                               "--out", str(root / f"all-{run}")], env)[0]
                 for run in range(max(3, args.runs // 3))]
        timings.append(summarize("command line: documents M, all 7 files (wall)", walls))

        if shutil.which("soffice"):
            reread = DataFolder.open(data)
            source = root / "dossier.html"
            source.write_text(equivalent_html(gather(reread, meeting)), encoding="utf-8")
            reread.close()
            profile = root / "lo-profile"
            cold = libreoffice(source, root / "lo", profile)  # creates the profile
            runs = [libreoffice(source, root / "lo", profile) for _ in range(args.runs)]
            lo_pages = page_count(root / "lo" / "dossier.pdf")
            timings.append(summarize(f"LibreOffice headless, HTML → PDF ({lo_pages} pages, "
                                     "unsigned)", runs))
            notes.update(libreoffice_first_run=cold, libreoffice_pages=lo_pages)
            ratio = summarize("", runs).median / summarize("", totals).median
            notes["speed-up, in-process build+sign vs LibreOffice"] = ratio
        else:
            print("soffice not found: LibreOffice skipped (apt-get install "
                  "libreoffice-writer-nogui)")
    print_table(f"Signed meeting packet: {MEMBERS} members, {RECOMMENDATIONS} forms, "
                f"{pages} pages (wall clock unless said)", timings)
    for key, value in notes.items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    info = machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
          f"load {info['load_average']}")
    write_json(args.json, timings, **{k.replace(" ", "_"): v for k, v in notes.items()})


if __name__ == "__main__":
    os.environ.setdefault("CCSDESK_LANG", "fr")
    main()
