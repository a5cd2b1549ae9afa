"""The follow-up page and the status dialog name the committee that decided a step from above.

The commune's recommendation was accepted by its District through real archives
(``tests.core.decider_data``): the history beside the list says « décidé par le CCS du
District de Bamako » on that step and on no other; the status dialog says it beside the
current status. At the District, the same form names the commune on its proposal only.
"""

from __future__ import annotations

from ccsdesk.core.services import recommendations
from ccsdesk.gui.recommendation_dialog import StatusDialog
from ccsdesk.gui.recommendations_page import RecommendationsPage
from tests.conftest import screenshot
from tests.core.decider_data import DECISION_NOTE
from tests.gui.conftest import open_window

BY_DISTRICT = "décidé par le CCS du District de Bamako"
BY_COMMUNE = "décidé par le CCS de la Commune IV"


def _history_lines(page: RecommendationsPage) -> list[str]:
    text = page.details.toPlainText()
    return [line for line in text.split("Historique du suivi")[1].splitlines() if line.strip()]


def test_the_commune_sees_the_district_decided(qtbot, qapp_styled, above) -> None:  # type: ignore[no-untyped-def]
    folder = above.commune.folder
    window = open_window(qtbot, folder)
    window.navigation.setCurrentRow(2)
    page = window.pages["recommendations"]
    assert isinstance(page, RecommendationsPage)
    page.table.selectRow(page.model.row_of(above.rec_id))
    lines = _history_lines(page)
    accepted = next(i for i, line in enumerate(lines) if line.startswith("acceptée"))
    assert BY_DISTRICT in lines[accepted] and DECISION_NOTE in lines[accepted + 1]
    assert sum(BY_DISTRICT in line for line in lines) == 1
    assert not any("décidé par" in line for line in lines[:accepted])
    screenshot(window, "recommendations-decided-above")

    dialog = StatusDialog(folder, recommendations.get(folder, above.rec_id), window)
    qtbot.addWidget(dialog)
    assert dialog.current.text() == f"Statut actuel : acceptée — {BY_DISTRICT}"


def test_the_district_sees_the_commune_proposed(qtbot, qapp_styled, above) -> None:  # type: ignore[no-untyped-def]
    folder = above.district.folder
    page = RecommendationsPage(folder)
    qtbot.addWidget(page)
    page.reload()
    page.table.selectRow(page.model.row_of(above.district_rec_id))
    lines = _history_lines(page)
    assert [BY_COMMUNE in line for line in lines if line.startswith(("proposée", "acceptée"))] \
        == [True, False]
    assert BY_DISTRICT not in page.details.toPlainText()
    # The District decided the current status itself: its dialog names no one.
    dialog = StatusDialog(folder, recommendations.get(folder, above.district_rec_id), page)
    qtbot.addWidget(dialog)
    assert dialog.current.text() == "Statut actuel : acceptée"
