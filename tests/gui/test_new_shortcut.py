"""Ctrl+N creates what the page on screen shows: a member on Membres, a session on
Sessions (a recommendation on an open session's Recommendations tab), a recommendation on
the follow-up page, and nothing on Échanges and Paramètres."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QWidget

from ccsdesk.core.services import meetings, recommendations, roster
from ccsdesk.gui.main_window import PAGES, MainWindow
from ccsdesk.gui.member_dialog import MemberDialog
from ccsdesk.gui.recommendation_dialog import RecommendationDialog
from ccsdesk.gui.sessions_page import NewSessionDialog
from tests.conftest import screenshot
from tests.gui.conftest import answer_next_dialog

ROW = {code: row for row, (code, _label) in enumerate(PAGES)}


def _ctrl_n(qtbot, window: MainWindow, code: str) -> None:  # type: ignore[no-untyped-def]
    window.navigation.setCurrentRow(ROW[code])
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)


def _opened(kind: type) -> list[QWidget]:
    """Answer the next modal dialog by cancelling it, after noting it."""
    seen: list[QWidget] = []

    def note(dialog: QWidget) -> None:
        seen.append(dialog)
        assert isinstance(dialog, kind), type(dialog)
        dialog.reject()  # type: ignore[attr-defined]

    answer_next_dialog(note)
    return seen


def _save(dialog: QWidget) -> None:
    """Click Save; a refusal closes the dialog and fails the test instead of hanging it."""
    dialog._on_save()  # type: ignore[attr-defined]
    if dialog.isVisible():
        problem = getattr(dialog, "problem", None) or getattr(dialog, "error", None)
        dialog.reject()  # type: ignore[attr-defined]
        raise AssertionError(problem.text() if problem is not None else "not saved")


def _recommendation(seen: list[str], problem: str, text: str,
                    addressee: str) -> Callable[[QWidget], None]:
    """Fill and save the recommendation form that opens, noting its session."""

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, RecommendationDialog)
        seen.append(dialog.meeting.label)
        dialog.problem_text.setPlainText(problem)
        dialog.text.setPlainText(text)
        dialog.addressee.setText(addressee)
        _save(dialog)

    return fill


def test_on_the_roster_a_member(qtbot, window):  # type: ignore[no-untyped-def]
    seen = _opened(MemberDialog)
    _ctrl_n(qtbot, window, "members")
    assert len(seen) == 1
    assert "(Ctrl+N)" in window.roster_page.new_button.toolTip()


def test_on_sessions_a_session(qtbot, window, commune):  # type: ignore[no-untyped-def]
    def plan(dialog: QWidget) -> None:
        assert isinstance(dialog, NewSessionDialog)
        dialog.venue.setText("Salle de la mairie")
        _save(dialog)

    answer_next_dialog(plan)
    _ctrl_n(qtbot, window, "sessions")
    [made] = meetings.list_meetings(commune)
    assert made.venue == "Salle de la mairie"
    page = window.pages["sessions"]
    assert page.view is not None and page.view.meeting_id == made.id  # type: ignore[attr-defined]
    assert "(Ctrl+N)" in page.new_button.toolTip()  # type: ignore[attr-defined]
    assert not roster.list_members(commune)


def test_on_an_open_sessions_recommendations_tab_a_recommendation(  # type: ignore[no-untyped-def]
        qtbot, window, commune):
    held = meetings.create_meeting(commune, on=date.today() - timedelta(days=3), venue="Mairie")
    window.navigation.setCurrentRow(ROW["sessions"])
    page = window.pages["sessions"]
    view = page.open_meeting(held.id, "recommendations")  # type: ignore[attr-defined]
    assert "(Ctrl+N)" in view.recommendations_tab.new_button.toolTip()
    seen: list[str] = []

    answer_next_dialog(_recommendation(seen, "Rue 12 sans éclairage",
                                       "Réparer les lampadaires de la rue 12",
                                       "Mairie — services techniques"))
    _ctrl_n(qtbot, window, "sessions")
    assert seen == [held.label]
    [made] = recommendations.list_recommendations(commune, meeting_id=held.id)
    assert made.text == "Réparer les lampadaires de la rue 12"
    assert view.recommendations_tab.model.rowCount() == 1
    # Another tab of the same session: Ctrl+N plans a session again.
    view.tabs.setCurrentWidget(view.agenda_tab)
    planned = _opened(NewSessionDialog)
    _ctrl_n(qtbot, window, "sessions")
    assert len(planned) == 1
    assert len(recommendations.list_recommendations(commune)) == 1


def test_on_the_follow_up_page_a_recommendation_of_a_chosen_session(  # type: ignore[no-untyped-def]
        qtbot, window, commune):
    first = meetings.create_meeting(commune, on=date.today() - timedelta(days=60), venue="Mairie")
    latest = meetings.create_meeting(commune, on=date.today() - timedelta(days=5),
                                     venue="Mairie")
    meetings.create_meeting(commune, on=date.today() + timedelta(days=20), venue="Mairie")
    window.navigation.setCurrentRow(ROW["recommendations"])
    page = window.pages["recommendations"]
    assert "(Ctrl+N)" in page.new_button.toolTip()  # type: ignore[attr-defined]
    proposed: list[str] = []
    made_for: list[str] = []

    def choose(dialog: QWidget) -> None:
        assert isinstance(dialog, QInputDialog)
        proposed.append(dialog.textValue())
        screenshot(dialog, "follow-up-new-choose-session")
        dialog.setTextValue(next(item for item in dialog.comboBoxItems()
                                 if item.startswith(first.label)))
        answer_next_dialog(fill)
        dialog.accept()

    fill = _recommendation(made_for, "Berge occupée", "Recenser les occupations de la berge",
                           "Chefs de quartier")
    answer_next_dialog(choose)
    _ctrl_n(qtbot, window, "recommendations")
    qtbot.waitUntil(lambda: bool(made_for))
    # The latest session that took place is proposed first, not the planned one.
    assert proposed[0].startswith(latest.label)
    assert made_for == [first.label]
    [made] = recommendations.list_recommendations(commune)
    assert made.meeting_id == first.id and made.addressee == "Chefs de quartier"
    assert page.selected() is not None and page.selected().id == made.id  # type: ignore[attr-defined]
    assert "Recommandation enregistrée" in window.statusBar().currentMessage()


def test_on_the_follow_up_page_without_any_session(qtbot, window, commune):  # type: ignore[no-untyped-def]
    _ctrl_n(qtbot, window, "recommendations")
    qtbot.wait(100)
    assert QApplication.activeModalWidget() is None
    assert "Aucune session" in window.statusBar().currentMessage()
    assert recommendations.list_recommendations(commune) == []


@pytest.mark.parametrize("code", ["exchanges", "settings"])
def test_elsewhere_nothing(qtbot, window, commune, code):  # type: ignore[no-untyped-def]
    _ctrl_n(qtbot, window, code)
    qtbot.wait(100)
    assert QApplication.activeModalWidget() is None
    assert window.stack.currentWidget() is window.pages[code]
    assert not roster.list_members(commune) and not meetings.list_meetings(commune)
