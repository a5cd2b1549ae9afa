"""Sessions: opening one session's screen, the autosave, and the follow-up list at scale.

Two data folders, each with a set-up committee, measured in-process through the services
the window and the command line use:

* **opening a session** with 60 members (attendance recorded for all), 8 agenda items with
  minutes text and 30 recommendations: ``meetings.get_meeting`` + ``attendance.list_attendance``
  + ``attendance.quorum`` + ``meetings.list_guests`` + ``minutes.get_minutes`` +
  ``recommendations.list_recommendations(meeting_id=…)`` — what the session screen loads;
* one **autosave** (``minutes.save_draft`` with one changed paragraph: one transaction with
  ``synchronous=FULL``, journal entry and search index update);
* the **follow-up list** over 10 000 recommendations spread over 200 sessions, with a
  status history each: unfiltered (overdue first), by status, by theme, by addressee;
* a **search** over those 10 000 forms (FTS5).

The 10 000 forms are written in one transaction straight into the tables (with their search
entries) to keep the set-up short; the 60-member session goes through the services.

    .venv/bin/python bench/bench_sessions.py [--runs 20] [--recommendations 10000] [--json F]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Timing, machine, print_table, summarize, write_json
from ccsdesk.core.services import (
    attendance,
    committee,
    meetings,
    minutes,
    recommendations,
    roster,
    search,
)
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import (
    Meeting,
    Recommendation,
    RecommendationStatus,
    Theme,
)
from ccsdesk.core.text import fold

PASSPHRASE = "phrase-du-banc-d-essai"
LAST_NAMES = ("Traoré", "Coulibaly", "Diarra", "Keïta", "Maïga", "Touré", "Sangaré",
              "Dembélé", "Konaté", "Cissé", "Sidibé", "Diallo", "Ouattara", "Samaké", "Koné")
ADDRESSEES = ("Mairie", "Commissariat du 4e arrondissement", "Préfecture", "Gendarmerie",
              "Protection civile", "CRSS", "Chefs de quartier", "Service de l’urbanisme")
PARAGRAPH = ("Le représentant du commissariat a présenté la situation sécuritaire du mois : "
             "vols de motos au grand marché, cambriolages nocturnes à Lafiabougou, "
             "accidents de la circulation sur la route de Guinée. ") * 6


def new_folder(root: Path, name: str) -> DataFolder:
    folder = DataFolder.open(root / name)
    committee.initialize(folder, level="commune", name="CCS de la Commune IV",
                         place="Commune IV", passphrase=PASSPHRASE, chair_title="Maire")
    return folder


def session_of_sixty(folder: DataFolder) -> int:
    """A held session with 60 members, 8 items with text and 30 recommendations."""
    rng = random.Random(4)
    ids = []
    for i in range(60):
        role = "president" if i == 0 else ("guest" if i >= 56 else "member")
        ids.append(roster.add_member(folder, roster.MemberData(
            last_name=rng.choice(LAST_NAMES), first_names=f"Prénom{i}",
            sex="F" if i % 3 == 0 else "M", role=role, phone=f"+223 7{i:07d}")))
    meetings.create_meeting(folder, on=date(2026, 11, 5))
    meeting = meetings.create_meeting(folder, on=date(2026, 12, 7), time="09:30",
                                      venue="Salle de la mairie").id
    for n in range(2, 9):
        meetings.add_agenda_item(folder, meeting, f"Point {n} : situation du quartier {n}",
                                 presenter="Commissaire")
    statuses = ("present",) * 6 + ("absent", "excused")
    for member_id in ids:
        attendance.set_attendance(folder, meeting, member_id, rng.choice(statuses))
    minutes.save_draft(folder, meeting, revision=None, opening="L’an deux mille vingt-six…",
                       items={n: PARAGRAPH for n in range(1, 9)}, closing_time="12:30")
    themes = [t.label for t in recommendations.list_themes(folder)]
    for n in range(30):
        recommendations.add(folder, meeting, recommendations.RecommendationData(
            problem=f"Constat {n} : {PARAGRAPH[:200]}", text=f"Recommandation {n}",
            addressee=rng.choice(ADDRESSEES), priority=rng.choice(("high", "medium", "low")),
            deadline=date(2027, 1, 1) + timedelta(days=n), theme=rng.choice(themes),
            agenda_position=1 + n % 8))
    return meeting


def open_session(folder: DataFolder, meeting: int) -> None:
    meetings.get_meeting(folder, meeting)
    attendance.list_attendance(folder, meeting)
    attendance.quorum(folder, meeting)
    meetings.list_guests(folder, meeting)
    minutes.get_minutes(folder, meeting)
    recommendations.list_recommendations(folder, meeting_id=meeting)


def fill_recommendations(folder: DataFolder, count: int) -> None:
    """``count`` forms over 200 sessions, each with two status steps, in one transaction."""
    rng = random.Random(10)
    own = committee.require_profile(folder)
    now = datetime.now()
    with folder.database.unit_of_work() as session:
        theme_ids = [t.id for t in session.query(Theme)]
        meeting_rows = []
        for n in range(200):
            on = date(2022, 1, 10) + timedelta(days=9 * n)
            meeting_rows.append(Meeting(year=on.year, kind="ordinary", number=n + 1, date=on,
                                        time="09:00", venue="Mairie", urgent=False,
                                        state="signed", created_at=now, updated_at=now))
        session.add_all(meeting_rows)
        session.flush()
        statuses = tuple(recommendations.STATUSES)
        for n in range(count):
            meeting = meeting_rows[n % len(meeting_rows)]
            addressee = rng.choice(ADDRESSEES)
            status = rng.choice(statuses)
            row = Recommendation(
                meeting_id=meeting.id, number=n // len(meeting_rows) + 1,
                problem=f"Constat {n} : vols et cambriolages signalés au quartier {n % 97}",
                text=f"Renforcer les patrouilles (fiche {n})", addressee=addressee,
                addressee_key=fold(addressee), follow_up_by="Secrétariat",
                priority=rng.choice(("high", "medium", "low")),
                deadline=meeting.date + timedelta(days=rng.randint(10, 400)),
                theme_id=rng.choice(theme_ids), origin_uid=own.uid, origin_name=own.name,
                status=status, status_at=now, created_at=now, updated_at=now)
            session.add(row)
            session.flush()
            session.add_all([
                RecommendationStatus(recommendation_id=row.id, status="proposed", at=now,
                                     author="banc", note=""),
                RecommendationStatus(recommendation_id=row.id, status=status, at=now,
                                     author="banc", note="suivi"),
            ])
            search.index(session, search.RECOMMENDATION, row.id, f"Recommandation {n}",
                         f"{row.problem}\n{row.text}\n{addressee}")


CPU_TIMES: dict[str, list[float]] = {}


def timed(call: Callable[[], object], name: str = "") -> float:
    """Wall-clock seconds of one call; its CPU time is kept under ``name`` as well.

    On a shared machine the wall clock includes waiting for a core; CPU time does not, so
    the two together say whether a slow figure is the code or the neighbours.
    """
    start, cpu = time.perf_counter(), time.process_time()
    call()
    CPU_TIMES.setdefault(name, []).append(time.process_time() - cpu)
    return time.perf_counter() - start


def measured(name: str, call: Callable[[], object], runs: int) -> Timing:
    return summarize(name, [timed(call, name) for _ in range(runs)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--recommendations", type=int, default=10000)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    timings = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = new_folder(root, "sixty")
        start = time.perf_counter()
        meeting = session_of_sixty(folder)
        setup_sixty = time.perf_counter() - start
        open_session(folder, meeting)  # warm the ORM mappers once
        timings.append(measured("open a session (60 members, 30 recommendations)",
                                lambda: open_session(folder, meeting), args.runs))
        saves = []
        autosave = "autosave one changed paragraph (minutes.save_draft)"
        for n in range(args.runs):
            text = PARAGRAPH + f" Ajout {n}."
            saves.append(timed(lambda text=text: minutes.save_draft(
                folder, meeting, revision=None, items={3: text}), autosave))
        timings.append(summarize(autosave, saves))
        folder.close()

        big = new_folder(root, "big")
        start = time.perf_counter()
        fill_recommendations(big, args.recommendations)
        setup_big = time.perf_counter() - start
        count = args.recommendations
        recommendations.list_recommendations(big)
        for name, call in (
            (f"follow-up list, {count} recommendations, overdue first",
             lambda: recommendations.list_recommendations(big)),
            ("  … filtered by status (in_progress)",
             lambda: recommendations.list_recommendations(big, status="in_progress")),
            ("  … filtered by theme (Criminalité)",
             lambda: recommendations.list_recommendations(big, theme="Criminalité")),
            ("  … filtered by addressee (commissariat)",
             lambda: recommendations.list_recommendations(big, addressee="commissariat")),
            (f"search « cambriolages quartier 42 » over {count} forms",
             lambda: search.search(big, "cambriolages quartier 42")),
        ):
            timings.append(measured(name, call, args.runs))
        big.close()
    print_table("Sessions (in-process, warm; target: under 100 ms each) — wall clock", timings)
    cpu = [summarize(name, seconds) for name, seconds in CPU_TIMES.items()]
    print_table("Same calls — CPU time of this process", cpu)
    print(f"\nset-up: 60-member session {setup_sixty:.1f} s; "
          f"{count} recommendations {setup_big:.1f} s")
    info = machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
          f"load {info['load_average']}")
    write_json(args.json, timings, recommendations=count,
               cpu=[{"name": t.name, "median": t.median, "minimum": t.minimum,
                     "maximum": t.maximum} for t in cpu])


if __name__ == "__main__":
    main()
