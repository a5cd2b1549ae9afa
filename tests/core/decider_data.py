"""A commune whose recommendation was accepted by its District, through real archives.

The commune holds a signed session with one recommendation; the session goes up, the
District accepts the recommendation and the decision comes back down in the District's next
archive. Both folders are real (keys, age archives, signatures): the tests that show who
decided each step read what the exchange itself wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ccsdesk.core.services import recommendations
from tests.core.exchange_helpers import (
    Office,
    child_of,
    close,
    commune_and_district,
    signed_session,
)

DECISION_NOTE = "Retenue par le CCS du District"


@dataclass
class DecidedAbove:
    commune: Office
    district: Office
    meeting_id: int  # at the commune
    rec_id: int  # at the commune
    district_rec_id: int

    def close(self) -> None:
        close(self.commune, self.district)


def decided_above(root: Path) -> DecidedAbove:
    """Commune IV's recommendation, proposed there, accepted at the District, known to both."""
    commune, district = commune_and_district(root)
    child = child_of(district)
    commune.receive(district.send(child)[0])
    meeting_id, rec_id = signed_session(commune.folder)
    district.receive(commune.send("parent")[0])
    district_rec = recommendations.list_recommendations(district.folder)[0].id
    recommendations.set_status(district.folder, district_rec, "accepted", DECISION_NOTE,
                               author="Secrétaire du CCS")
    assert commune.receive(district.send(child)[0]).decisions == 1
    return DecidedAbove(commune, district, meeting_id, rec_id, district_rec)
