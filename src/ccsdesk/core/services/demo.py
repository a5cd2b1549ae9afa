"""A realistic sample commune, so a new user can try every screen before entering real data.

The committee is flagged ``is_demo`` so that the documents it produces carry a test watermark
and can never be mistaken for a real committee's papers. The roster imitates a committee as
installed in a Bamako commune: the mayor in the chair, the security forces, the justice,
traditional and religious authorities, civil society, women and youth, few women, two mandates
ending soon and one member who left. It has held one session (agenda, attendance, minutes
adopted and signed, four recommendations at different follow-up steps, one of them overdue)
and planned the next. Everything goes through the ordinary services (journal included), so
the sample exercises the same code paths as real use.

Those services each commit their own step, so the sample is built all-or-nothing: in a
scratch folder inside the data folder (a copy of its database, so settings and journal carry
on), which is put in place only once complete — the keys first, then the whole database in
one SQLite transaction. A failure, or a killed process, before that leaves the data folder as
it was; the scratch folder is removed then, or by the next ``demo``. The sample is meant for
an empty folder nobody else writes to meanwhile: a committee set up elsewhere during the
build is caught just before the swap, other changes made in that second would be replaced.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import time
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from ccsdesk.core.errors import StateError, StorageError
from ccsdesk.core.i18n import _
from ccsdesk.core.services import (
    attendance,
    committee,
    meetings,
    minutes,
    recommendations,
    roster,
)
from ccsdesk.core.storage.folder import DataFolder, configured_url

# Documented in the README and printed by ``ccsdesk demo``: the sample's keys are not secret.
DEMO_PASSPHRASE = "demo-ccsdesk"
DEMO_NAME = "Comité consultatif de sécurité de la Commune IV"
DEMO_PLACE = "Commune IV"
DEMO_CHAIR_TITLE = "Maire de la Commune IV"

# How a mandate relates to today: most run for years, two end within 90 days.
_ONGOING, _ENDS_IN_30_DAYS, _ENDS_IN_75_DAYS = "ongoing", "30", "75"


@dataclass(frozen=True)
class _SampleMember:
    last_name: str
    first_names: str
    sex: str
    category: str
    organisation: str
    role: str = "member"
    phone: str = ""
    email: str = ""
    mandate: str = _ONGOING
    active: bool = True


# Fictitious people; the organisations are the kind a commune of Bamako seats on its CCS.
_MEMBERS: tuple[_SampleMember, ...] = (
    _SampleMember("Diarra", "Adama", "M", "Élus", "Mairie de la Commune IV", "president",
                  "76 21 43 65", "maire@commune4.exemple.ml"),
    _SampleMember("Coulibaly", "Bakary", "M", "Élus", "Mairie de la Commune IV — 1er adjoint",
                  "vice_president", "66 54 12 87"),
    _SampleMember("Keïta", "Mariam", "F", "Administration",
                  "Secrétariat général de la mairie", "secretary", "79 08 33 41",
                  "sg@commune4.exemple.ml"),
    _SampleMember("Maïga", "Oumou", "F", "Élus", "Conseil communal", phone="65 77 20 19"),
    _SampleMember("Touré", "Moussa", "M", "Élus", "Mairie de la Commune IV — 2e adjoint",
                  phone="76 40 58 02"),
    _SampleMember("Sangaré", "Seydou", "M", "Administration",
                  "Service local du développement social", phone="20 22 61 74"),
    _SampleMember("Traoré", "Boubacar", "M", "FDS – Police nationale",
                  "Commissariat de police du 5e arrondissement", phone="76 38 90 11"),
    _SampleMember("Dembélé", "Drissa", "M", "FDS – Police nationale",
                  "Commissariat de police de Lafiabougou", phone="66 12 34 56"),
    _SampleMember("Konaté", "Souleymane", "M", "FDS – Gendarmerie nationale",
                  "Brigade territoriale de gendarmerie", phone="79 45 67 23"),
    _SampleMember("Cissé", "Lassana", "M", "FDS – Gendarmerie nationale",
                  "Brigade territoriale de gendarmerie (muté)", phone="76 99 14 70",
                  active=False),
    _SampleMember("Sidibé", "Mamadou", "M", "FDS – Garde nationale",
                  "Garde nationale, détachement de la Commune IV", phone="65 03 28 47"),
    _SampleMember("Ouattara", "Ibrahim", "M", "FDS – Protection civile",
                  "Compagnie de sapeurs-pompiers de Djicoroni", phone="76 61 05 38"),
    _SampleMember("Diallo", "Kadiatou", "F", "Justice",
                  "Tribunal de grande instance de la Commune IV", phone="66 80 72 15"),
    _SampleMember("Samaké", "Bréhima", "M", "Autorités traditionnelles et religieuses",
                  "Chef de quartier de Lafiabougou", phone="76 27 81 94"),
    _SampleMember("Traoré", "Namory", "M", "Autorités traditionnelles et religieuses",
                  "Chef de quartier de Djicoroni-Para", phone="79 52 16 08"),
    _SampleMember("Cissé", "Mahamadou", "M", "Autorités traditionnelles et religieuses",
                  "Imam, coordination des mosquées de la Commune IV", phone="66 47 39 62"),
    _SampleMember("Dembélé", "Joseph", "M", "Autorités traditionnelles et religieuses",
                  "Paroisse de Hamdallaye", phone="76 15 92 40"),
    _SampleMember("Koné", "Abdoulaye", "M", "Société civile",
                  "Coordination des associations de la Commune IV", phone="65 88 41 27",
                  mandate=_ENDS_IN_30_DAYS),
    _SampleMember("Maïga", "Hamadoun", "M", "Société civile",
                  "Association des parents d’élèves de Sébénikoro", phone="76 73 26 59"),
    _SampleMember("Coulibaly", "Fatoumata", "F", "Femmes", "CAFO — coordination communale",
                  phone="79 31 57 86"),
    _SampleMember("Keïta", "Sidiki", "M", "Jeunes", "Conseil communal de la jeunesse",
                  phone="66 29 70 33", mandate=_ENDS_IN_75_DAYS),
    _SampleMember("Samaké", "Bakary", "M", "Chasseurs",
                  "Association des chasseurs (donsow) de la Commune IV", phone="76 56 08 17"),
    _SampleMember("Sangaré", "Hawa", "F", "Partenaires",
                  "Programme d’appui à la sécurité communautaire (observatrice)", "guest",
                  "20 29 14 66"),
)


# Who did not come to the held session (everyone else active and voting was present).
_EXCUSED = (("Konaté", "Souleymane"), ("Samaké", "Bakary"))
_ABSENT = (("Dembélé", "Joseph"),)
# Represented by the second person of the pair, who was present.
_REPRESENTED = ((("Traoré", "Namory"), ("Samaké", "Bréhima")),)

_HELD_AGENDA: tuple[tuple[str, str], ...] = (
    ("Vols de motos autour du marché de Lafiabougou",
     "Le commissaire du 5e arrondissement a présenté les faits : onze motos volées en six "
     "semaines, surtout entre 19 h et 22 h, près des parkings non gardés du marché. Les "
     "commerçants demandent des patrouilles et un éclairage du parking. Le comité a retenu "
     "des patrouilles mixtes police – brigade de quartier et la sensibilisation des gardiens."),
    ("Éclairage public à Djicoroni-Para et Sébénikoro",
     "Plusieurs rues sont sans éclairage depuis la saison des pluies. Les chefs de quartier "
     "signalent des agressions de femmes revenant du marché le soir. La mairie a dressé la "
     "liste de 37 lampadaires en panne ; le comité recommande leur réparation prioritaire."),
    ("Conflits fonciers et occupation de la berge du fleuve",
     "Le représentant de la justice a rappelé les procédures ; les autorités traditionnelles "
     "proposent une médiation avant toute saisine du tribunal. Le comité demande un "
     "recensement des occupations et une réunion de conciliation."),
)
_HELD_OPENING = (
    "La séance est ouverte à 9 h 40 sous la présidence du Maire, président du comité. "
    "Le quorum étant atteint, le comité peut valablement délibérer."
)
_HELD_DIVERS = "Le prochain comité se réunira avant les fêtes de fin d’année."

# (problem, text, addressee, priority, days after the session, theme, agenda item,
#  follow-up steps after "proposed")
_RECOMMENDATIONS: tuple[tuple[str, str, str, str, int, str, int, tuple[str, ...]], ...] = (
    ("Vols de motos autour du marché de Lafiabougou",
     "Organiser des patrouilles mixtes police – brigade de quartier les soirs de marché.",
     "Commissariat de police du 5e arrondissement", "high", 30, "Criminalité", 1,
     ("transmitted", "accepted", "in_progress", "implemented")),
    ("Rues sans éclairage à Djicoroni-Para et Sébénikoro",
     "Réparer en priorité les 37 lampadaires recensés.",
     "Mairie de la Commune IV — services techniques", "high", 90, "Éclairage public", 2,
     ("transmitted", "accepted", "in_progress")),
    ("Parking du marché sans gardiennage",
     "Former et équiper les gardiens du parking du marché de Lafiabougou.",
     "Association des commerçants du marché", "medium", 20, "Criminalité", 1,
     ("transmitted",)),
    ("Occupations de la berge du fleuve",
     "Recenser les occupations et réunir les parties pour une conciliation.",
     "Chefs de quartier de Djicoroni-Para et de Sébénikoro", "low", 120,
     "Conflits fonciers", 3, ()),
)
_PLANNED_AGENDA = (
    "Dispositif de sécurité pour les fêtes de fin d’année",
    "Suivi des recommandations de la session précédente",
)
_VENUE = "Salle de délibérations de la Mairie de la Commune IV"
# The scratch folder's name: hidden, and skipped by backups (their ``.en-cours-`` rule).
SCRATCH_PREFIX = ".en-cours-demo-"
# A scratch folder older than this is a killed build's leftover, not one being built now.
LEFTOVER_SECONDS = 10 * 60


def installation_date(today: date) -> date:
    """When the sample committee was installed: the first of March, over a year ago."""
    return date(today.year - 1, 3, 1)


def _mandate(kind: str, today: date) -> tuple[date, date]:
    start = installation_date(today)
    if kind == _ENDS_IN_30_DAYS:
        return start, today + timedelta(days=30)
    if kind == _ENDS_IN_75_DAYS:
        return start, today + timedelta(days=75)
    return start, date(start.year + 3, 2, 28)


def populate(folder: DataFolder, passphrase: str, today: date | None = None) -> committee.Profile:
    """Fill an empty data folder with the sample commune, all or nothing; refuse if a
    committee exists.

    ``today`` anchors the mandate dates (two end within 90 days of it), so the composition
    panel always has something to show, whenever the sample is created.
    """
    today = today or date.today()
    if committee.profile(folder) is not None:
        raise StateError(
            _("This data folder already holds a committee; the sample commune was not added.")
        )
    categories = {c.label: c.id for c in roster.list_categories(folder, include_inactive=True)}
    missing = sorted({m.category for m in _MEMBERS} - categories.keys())
    if missing:
        raise StateError(
            _("The member categories of this data folder were renamed ({labels}); "
              "the sample commune needs the original ones.").format(labels=", ".join(missing))
        )
    if configured_url(folder.path) is not None:
        # The database lives elsewhere (a server): no file to build beside it, so the steps
        # run on it directly and are not all-or-nothing.
        return _fill(folder, passphrase, today, categories)
    _remove_leftovers(folder.path)
    scratch = folder.path / f"{SCRATCH_PREFIX}{secrets.token_hex(4)}"
    try:
        scratch.mkdir()
        _sqlite_copy(folder.db_path, scratch / folder.db_path.name)
        built = DataFolder.open(scratch)
        try:
            _fill(built, passphrase, today, categories)
        finally:
            built.close()
        if committee.profile(folder) is not None:  # set up by someone else meanwhile
            raise StateError(_("This data folder already holds a committee; the sample "
                               "commune was not added."))
        _put_in_place(scratch, folder)
    except (OSError, sqlite3.Error, DBAPIError) as error:
        raise StorageError(
            _("The sample commune could not be built ({reason}); the data folder was left "
              "as it was.").format(reason=getattr(error, "orig", None) or error)
        ) from error
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return committee.require_profile(folder)


def _fill(folder: DataFolder, passphrase: str, today: date,
          categories: dict[str, int]) -> committee.Profile:
    """The sample, step by step, through the ordinary services."""
    profile = committee.initialize(
        folder, level="commune", name=DEMO_NAME, place=DEMO_PLACE,
        chair_title=DEMO_CHAIR_TITLE, passphrase=passphrase, demo=True,
    )
    ids: dict[tuple[str, str], int] = {}
    for sample in _MEMBERS:
        start, end = _mandate(sample.mandate, today)
        member_id = ids[sample.last_name, sample.first_names] = roster.add_member(
            folder,
            roster.MemberData(
                last_name=sample.last_name, first_names=sample.first_names, sex=sample.sex,
                category_id=categories[sample.category], organisation=sample.organisation,
                role=sample.role, phone=sample.phone, email=sample.email,
                mandate_start=start, mandate_end=end,
            ),
        )
        if not sample.active:  # a member who left: added, then deactivated, as in real use
            roster.set_active(folder, member_id, False)
    _held_session(folder, passphrase, today, ids)
    _planned_session(folder, today)
    return profile


def _sqlite_copy(source: Path, destination: Path) -> None:
    """Copy a whole SQLite database with the online backup API.

    Into an existing database it is one write transaction: other connections see the old
    content or the new one, and a power cut midway leaves the old one (journal or WAL).
    """
    with closing(sqlite3.connect(source)) as reader, \
            closing(sqlite3.connect(destination)) as writer:
        reader.backup(writer)


def _put_in_place(scratch: Path, folder: DataFolder) -> None:
    """Move the finished sample into the data folder: the keys, then the database.

    The keys go first: should the database copy fail, they are taken back out; should the
    process be killed between the two, key files without a committee are what a failed
    ``init`` leaves too, and the next set-up writes over them.
    """
    moved: list[Path] = []
    try:
        folder.keys_dir.mkdir(exist_ok=True)
        for key_file in sorted((scratch / "keys").iterdir()):
            target = folder.keys_dir / key_file.name
            os.replace(key_file, target)
            moved.append(target)
        _sqlite_copy(scratch / folder.db_path.name, folder.db_path)
    except BaseException:
        for target in moved:
            with suppress(OSError):
                target.unlink()
        raise


def _remove_leftovers(path: Path) -> None:
    """Remove what a killed ``demo`` left: its scratch folder, once it is old enough not to
    be another process's build under way."""
    limit = time.time() - LEFTOVER_SECONDS
    with suppress(OSError):
        for item in path.iterdir():
            if item.name.startswith(SCRATCH_PREFIX) and item.is_dir() \
                    and not item.is_symlink() and item.stat().st_mtime < limit:
                shutil.rmtree(item, ignore_errors=True)


def _held_session(folder: DataFolder, passphrase: str, today: date,
                  ids: dict[tuple[str, str], int]) -> None:
    """Six weeks ago: attendance, minutes adopted and signed, recommendations followed up."""
    held_on = today - timedelta(days=42)
    meeting = meetings.create_meeting(folder, on=held_on, time="09:30", venue=_VENUE)
    for title, _text in _HELD_AGENDA:
        meetings.add_agenda_item(folder, meeting.id, title)
    # Convened by hand a week ahead, as the notice period asks: the PV cites that date.
    meetings.prepare_convocations(folder, meeting.id)
    meetings.record_sent(folder, meeting.id, sent_on=held_on - timedelta(days=7), channel="hand")
    absent = {name: status for status, names in (("excused", _EXCUSED), ("absent", _ABSENT))
              for name in names}
    represented = dict(_REPRESENTED)
    for sample in _MEMBERS:
        key = (sample.last_name, sample.first_names)
        if not sample.active or key in represented:
            continue
        attendance.set_attendance(folder, meeting.id, ids[key], absent.get(key, "present"))
    for member, proxy in represented.items():
        attendance.set_attendance(folder, meeting.id, ids[member], "represented",
                                  represented_by=ids[proxy])
    minutes.save_draft(
        folder, meeting.id, revision=None, opening=_HELD_OPENING, divers=_HELD_DIVERS,
        items={position: text for position, (_title, text) in enumerate(_HELD_AGENDA, 1)},
        closing_time="12:15",
    )
    for problem, text, addressee, priority, days, theme, item, steps in _RECOMMENDATIONS:
        rec_id = recommendations.add(folder, meeting.id, recommendations.RecommendationData(
            problem=problem, text=text, addressee=addressee, priority=priority,
            deadline=held_on + timedelta(days=days), follow_up_by="Secrétariat du CCS",
            theme=theme, agenda_position=item,
        ))
        for step in steps:
            recommendations.set_status(folder, rec_id, step)
    minutes.adopt(folder, meeting.id)
    minutes.sign(folder, meeting.id, passphrase)


def _planned_session(folder: DataFolder, today: date) -> None:
    """In twelve days: the agenda is ready, convocations not yet sent."""
    meeting = meetings.create_meeting(folder, on=today + timedelta(days=12), time="09:30",
                                      venue=_VENUE)
    for title in _PLANNED_AGENDA:
        meetings.add_agenda_item(folder, meeting.id, title)
