"""Who decided each follow-up step, where the history is shown outside the window.

A step decided by another committee (the District's acceptance, come down in its archive)
names it: in ``recommendations show`` (text), on the recommendation form PDF; a step this
committee decided does not. ``--json`` gives every step's decider, ours included.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from ccsdesk.core.documents import recommendation_form
from ccsdesk.core.services import committee, recommendations
from ccsdesk.core.services.recommendations import StatusStep
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import run_cli
from tests.core import pdftools
from tests.core.decider_data import DECISION_NOTE, DecidedAbove
from tests.core.exchange_helpers import COMMUNE, DISTRICT

BY_DISTRICT = "décidé par le CCS du District de Bamako"
BY_COMMUNE = "décidé par le CCS de la Commune IV"


def run(folder: DataFolder, *args: str) -> str:
    result = run_cli(folder.path, *args)
    assert result.code == 0, result.err
    return result.out


def test_the_step_names_its_decider_only_when_another_committee() -> None:
    at = datetime(2026, 12, 3, 10, 0)
    ours = StatusStep("proposed", at, "Secrétaire", "", COMMUNE, "uid-commune")
    theirs = StatusStep("accepted", at, "Secrétaire", "", DISTRICT, "uid-district")
    old = StatusStep("transmitted", at, "Secrétaire", "")  # before deciders were kept
    assert recommendations.decided_elsewhere(ours, "uid-commune") == ""
    assert recommendations.decided_elsewhere(theirs, "uid-commune") == DISTRICT
    assert recommendations.decided_elsewhere(old, "uid-commune") == ""
    assert recommendations.decided_by(DISTRICT) == BY_DISTRICT
    assert recommendations.decided_by("Comité de Kati") == "décidé par : Comité de Kati"


def test_show_names_the_district_at_the_commune(above: DecidedAbove) -> None:
    text = run(above.commune.folder, "recommendations", "show", str(above.rec_id))
    proposed, accepted = [line for line in text.splitlines()
                          if "proposée" in line or "acceptée" in line][-2:]
    assert BY_DISTRICT in accepted and DECISION_NOTE in accepted
    assert accepted.index(BY_DISTRICT) < accepted.index(DECISION_NOTE)
    assert "décidé par" not in proposed
    assert COMMUNE not in proposed


def test_show_names_the_commune_at_the_district(above: DecidedAbove) -> None:
    text = run(above.district.folder, "recommendations", "show", str(above.district_rec_id))
    history = text.split("Historique :")[1].splitlines()[1:]
    assert [BY_COMMUNE in line for line in history] == [True, False]
    assert all(BY_DISTRICT not in line for line in history)
    assert sum("décidé par" in line for line in history) == 1


def test_show_json_gives_every_decider(above: DecidedAbove) -> None:
    shown = json.loads(run(above.commune.folder, "--json", "recommendations", "show",
                           str(above.rec_id)))["recommendation"]
    own = committee.require_profile(above.commune.folder)
    district = committee.require_profile(above.district.folder)
    assert [(s["status"], s["committee"]) for s in shown["history"]] == [
        ("proposed", {"id": own.uid, "name": COMMUNE}),
        ("accepted", {"id": district.uid, "name": DISTRICT})]


def test_the_form_pdf_names_the_district(above: DecidedAbove, tmp_path: Path) -> None:
    pdf = tmp_path / "fiches.pdf"
    pdf.write_bytes(recommendation_form.render(above.commune.folder, above.meeting_id,
                                               today=date(2026, 12, 7)))
    words = " ".join(pdftools.text(pdf, mode="-raw").split())
    assert "acceptée — décidé par le CCS du District de Bamako" in words
    assert "Secrétaire du CCS" in words and DECISION_NOTE in words
    assert BY_COMMUNE not in words  # the commune's own step is not signed off by name
    assert words.count("décidé par") == 1
