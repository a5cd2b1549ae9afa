"""Three real data folders — a commune, the District of Bamako, the national level — and the
steps the exchange tests share: enrolment both ways and a signed session at the commune.

The worlds most tests start from (:func:`commune_and_district`, :func:`three_levels`) are
built here once; ``tests/conftest.py`` wraps them as the ``pair`` and ``hierarchy`` fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from ccsdesk.core.exchange import identity, keys
from ccsdesk.core.exchange.keystore import Secrets
from ccsdesk.core.services import (
    attendance,
    committee,
    exchange,
    journal,
    meetings,
    minutes,
    recommendations,
    roster,
)
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import PASSPHRASE

COMMUNE = "CCS de la Commune IV"
DISTRICT = "CCS du District de Bamako"
NATIONAL = "CNSS"


@dataclass
class Office:
    """One committee's data folder and its opened keys (unlocked once: scrypt is slow)."""

    folder: DataFolder
    secrets: Secrets

    def receive(self, data: bytes) -> exchange.ReceiveResult:
        return exchange.receive(self.folder, data, self.secrets)

    def send(self, to: str) -> tuple[bytes, exchange.SendResult]:
        box: list[bytes] = []
        result = exchange.send(self.folder, to, PASSPHRASE, box.append)
        return box[0], result


def office(root: Path, level: str, name: str, place: str) -> Office:
    folder = DataFolder.open(root / "".join(c if c.isalnum() else "_" for c in name))
    committee.initialize(folder, level=level, name=name, place=place, chair_title="Président",
                         passphrase=PASSPHRASE)
    return Office(folder, keys.unlock(folder.keys_dir, PASSPHRASE))


def enrol_pair(child: Office, parent: Office) -> None:
    """Swap identity files and enrol both ways, as two secretaries would."""
    child_file = exchange.export_identity(child.folder, PASSPHRASE)
    parent_file = exchange.export_identity(parent.folder, PASSPHRASE)
    exchange.enrol(child.folder, identity.parse(parent_file), "parent")
    exchange.enrol(parent.folder, identity.parse(child_file), "child", PASSPHRASE)


def commune_and_district(root: Path, *, enrolled: bool = True) -> tuple[Office, Office]:
    """Commune IV and the District of Bamako; ``enrolled=False`` for the tests that enrol
    them themselves (through a dialog, a command) or not at all."""
    commune = office(root, "commune", COMMUNE, "Commune IV")
    district = office(root, "district", DISTRICT, "Bamako")
    if enrolled:
        enrol_pair(commune, district)
    return commune, district


def three_levels(root: Path, *, enrolled: bool = True) -> tuple[Office, Office, Office]:
    """Commune IV, the District of Bamako and the national level, each enrolled with the
    next unless ``enrolled=False`` (the enrolment refusals start from strangers)."""
    commune, district = commune_and_district(root, enrolled=False)
    national = office(root, "national", NATIONAL, "Mali")
    if enrolled:
        enrol_pair(commune, district)
        enrol_pair(district, national)
    return commune, district, national


def close(*offices: Office) -> None:
    """Release each office's database (the test's temporary folder is removed later)."""
    for each in offices:
        each.folder.close()


def child_of(parent: Office) -> str:
    """The id, as ``send`` takes it, of the one committee enrolled below ``parent``."""
    return str(next(c.id for c in exchange.list_committees(parent.folder)
                    if c.relation == "child"))


def snapshot(office_: Office, *models: type) -> tuple[int, ...]:
    """How many rows of each model the folder holds, then its journal's length: what a
    refused archive must leave exactly as it was."""
    with office_.folder.database.reading() as session:
        counts = [session.scalar(select(func.count()).select_from(m)) or 0 for m in models]
    return (*counts, journal.verify(office_.folder.database).entries)


def signed_session(folder: DataFolder, on: date = date(2026, 3, 10)) -> tuple[int, int]:
    """A held, signed session with one recommendation: (meeting id, recommendation id)."""
    president = roster.add_member(folder, roster.MemberData(
        last_name="Diarra", first_names="Mariam", sex="F", role="president"))
    meeting = meetings.create_meeting(folder, on=on)
    meetings.add_agenda_item(folder, meeting.id, "Vols de motos au marché")
    attendance.set_attendance(folder, meeting.id, president, "present")
    rec_id = recommendations.add(folder, meeting.id, recommendations.RecommendationData(
        problem="Vols de motos répétés au grand marché", text="Renforcer les patrouilles",
        addressee="Commissariat du 4e arrondissement", priority="high",
        deadline=date(2026, 4, 30), theme="Criminalité"))
    minutes.save_draft(folder, meeting.id, revision=None, opening="Ouverture à 9 h",
                       items={1: "Trois motos volées le 2 mars."}, closing_time="12:30")
    minutes.adopt(folder, meeting.id)
    minutes.sign(folder, meeting.id, PASSPHRASE)
    return meeting.id, rec_id
