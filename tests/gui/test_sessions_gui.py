"""A whole session in the window alone: create it, agenda, convocations, attendance with the
live quorum, minutes with autosave, two recommendations, adopt, sign, correct — and the
search that finds an accented word typed without accents.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QInputDialog,
    QMessageBox,
)

from ccsdesk.core.services import attendance, meetings, minutes, recommendations, roster
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.agenda_tab import AgendaItemDialog
from ccsdesk.gui.main_window import MainWindow
from ccsdesk.gui.minutes_editor import PassphraseDialog
from ccsdesk.gui.recommendation_dialog import RecommendationDialog
from ccsdesk.gui.search_dialog import SearchDialog
from ccsdesk.gui.session_view import SessionView
from ccsdesk.gui.sessions_page import NewSessionDialog, SessionsPage
from tests.conftest import PASSPHRASE
from tests.conftest import screenshot as save_screenshot
from tests.gui.conftest import answer_next_dialog


def shot_then_yes(name: str):  # type: ignore[no-untyped-def]
    """Answer a confirmation with Yes after saving its screenshot."""
    def act(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, QMessageBox)
        screenshot(dialog, name)
        dialog.button(QMessageBox.StandardButton.Yes).click()
    return act

MEMBERS = (("Diarra", "Mariam", "F", "president"), ("Coulibaly", "Seydou", "M", "member"),
           ("Traoré", "Aminata", "F", "secretary"), ("Keïta", "Moussa", "M", "member"),
           ("Sangaré", "Awa", "F", "member"))


def add_members(folder: DataFolder, window: MainWindow | None = None) -> dict[str, int]:
    ids = {last: roster.add_member(folder, roster.MemberData(
        last_name=last, first_names=first, sex=sex, role=role))
        for last, first, sex, role in MEMBERS}
    if window is not None:
        window.roster_page.reload()  # the status bar's counts
    return ids


def screenshot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    """Let pending layouts settle (labels whose text just changed), then save."""
    QApplication.processEvents()
    save_screenshot(widget, name)


def sessions_page(window: MainWindow) -> SessionsPage:
    window.navigation.setCurrentRow(1)
    page = window.pages["sessions"]
    assert isinstance(page, SessionsPage)
    return page


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def fill_agenda_dialog(title: str, presenter: str = "", group: str = "", shot: str = ""):  # type: ignore[no-untyped-def]
    def act(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, AgendaItemDialog)
        dialog.title.setText(title)
        dialog.presenter.setText(presenter)
        dialog.working_group.setText(group)
        if shot:
            screenshot(dialog, shot)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    return act


def test_whole_session_in_the_window(qtbot, window, commune, wait_tasks):
    ids = add_members(commune, window)
    earlier = meetings.create_meeting(commune, on=date.today() - timedelta(days=60),
                                      time="09:00", venue="Mairie")
    page = sessions_page(window)
    assert [r.id for r in page.model.rows] == [earlier.id]

    # -- a new session: a wrong time is refused inside the dialog, then it is created -----
    held_on = date.today() - timedelta(days=2)

    def new_session(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, NewSessionDialog)
        dialog.date.setDate(qdate(held_on))
        dialog.time.setText("25h")
        dialog.venue.setText("Salle de réunion de la mairie")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        assert dialog.isVisible() and "HH:MM" in dialog.problem.text()
        screenshot(dialog, "session-new-dialog-error")
        dialog.time.setText("9h30")
        screenshot(dialog, "session-new-dialog")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    answer_next_dialog(new_session)
    page.new_session()
    view = page.view
    assert isinstance(view, SessionView)
    meeting_id = view.meeting_id
    info = meetings.get_meeting(commune, meeting_id)
    assert (info.time, info.date, info.state) == ("09:30", held_on, "planned")
    assert view.title.text() == info.label
    # The adoption of the previous minutes is proposed first.
    assert view.agenda_tab.table.item(0, 1).text().startswith("Adoption du procès-verbal")

    # -- agenda: add, move with the keyboard, remove after a confirmation ------------------
    for title, presenter, shot in (("Éclairage public du marché", "Chef de quartier", ""),
                                   ("Vols de motos à la gare routière", "Commissaire",
                                    "agenda-item-dialog"),
                                   ("Point à retirer", "", "")):
        answer_next_dialog(fill_agenda_dialog(title, presenter, "Commission sécurité", shot))
        view.agenda_tab.add_item()
    titles = [i.title for i in meetings.get_meeting(commune, meeting_id).agenda]
    assert titles[1:] == ["Éclairage public du marché", "Vols de motos à la gare routière",
                          "Point à retirer"]
    view.agenda_tab.table.selectRow(2)
    window.activateWindow()
    view.agenda_tab.table.setFocus()
    qtbot.keyClick(view.agenda_tab.table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    titles = [i.title for i in meetings.get_meeting(commune, meeting_id).agenda]
    assert titles[1:3] == ["Vols de motos à la gare routière", "Éclairage public du marché"]
    assert view.agenda_tab.selected_position() == 2
    view.agenda_tab.table.selectRow(3)
    answer_next_dialog(shot_then_yes("agenda-remove-confirm"))
    view.agenda_tab.remove_selected()
    assert len(meetings.get_meeting(commune, meeting_id).agenda) == 3
    # Enter edits the selected item.
    view.agenda_tab.table.selectRow(2)
    window.activateWindow()
    view.agenda_tab.table.setFocus()

    def edit(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, AgendaItemDialog)
        assert dialog.title.text() == "Éclairage public du marché"
        dialog.presenter.setText("Chef du quartier Bagadadji")
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()

    answer_next_dialog(edit)
    qtbot.keyClick(view.agenda_tab.table, Qt.Key.Key_Return)
    assert meetings.get_meeting(commune, meeting_id).agenda[2].presenter == \
        "Chef du quartier Bagadadji"
    screenshot(window, "session-agenda")

    # -- convocations: prepared, sent the day before (late: 5 clear days are needed) -------
    view.show_tab("convocations")
    view.convocations_tab.prepare()
    # One per member but the president, who convenes and signs.
    assert view.convocations_tab.table.rowCount() == len(MEMBERS) - 1
    view.convocations_tab.sent_on.setDate(qdate(held_on - timedelta(days=1)))
    view.convocations_tab.record_sent()
    assert all(c.late for c in meetings.list_convocations(commune, meeting_id))
    assert view.convocations_tab.table.item(0, 3).text() == "en retard"
    assert "en retard" in view.convocations_tab.summary.text()
    screenshot(window, "session-convocations")

    # -- attendance: the banner follows every change ----------------------------------------
    view.show_tab("attendance")
    tab = view.attendance_tab
    assert tab.banner.state == "unknown"
    screenshot(window, "attendance-empty")

    def mark(name: str, status: str) -> None:
        """As a person does it: double-click the cell, pick in the list that opens."""
        index = tab.model.index(tab.row_of(ids[name]), 2)
        tab.table.setCurrentIndex(index)
        assert tab.table.edit(index, tab.table.EditTrigger.DoubleClicked, None)
        [editor] = [c for c in tab.table.findChildren(QComboBox) if c.isVisible()]
        editor.setCurrentIndex(editor.findData(status))
        editor.activated.emit(editor.currentIndex())
        assert not [c for c in tab.table.findChildren(QComboBox) if c.isVisible()]

    mark("Diarra", "present")
    assert tab.banner.state == "missing"
    assert "Quorum non atteint : 1 présent ou représenté, 3 requis" in tab.banner.text()
    mark("Coulibaly", "absent")
    screenshot(window, "attendance-no-quorum")
    mark("Traoré", "present")
    assert tab.banner.state == "missing"

    def choose_representative(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, QInputDialog)
        assert "KEÏTA Moussa" in dialog.labelText()
        dialog.setTextValue("TRAORÉ Aminata")
        screenshot(dialog, "attendance-representative")
        dialog.accept()

    answer_next_dialog(choose_representative)
    mark("Keïta", "represented")
    assert tab.banner.state == "reached"
    assert view.header_quorum.state == "reached"
    quorum = attendance.quorum(commune, meeting_id)
    assert (quorum.present, quorum.represented, quorum.required) == (2, 1, 3)
    # The keyboard: select Sangaré's row and press E (excusé).
    row = tab.row_of(ids["Sangaré"])
    tab.table.setCurrentIndex(tab.model.index(row, 0))
    window.activateWindow()
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_E)
    statuses = {a.member_id: a.status for a in attendance.list_attendance(commune, meeting_id)}
    assert statuses[ids["Sangaré"]] == "excused"
    assert tab.proxy_of(ids["Keïta"]) == "TRAORÉ Aminata"
    assert tab.status_of(ids["Keïta"]) == "représenté"
    screenshot(window, "attendance-quorum")
    assert meetings.get_meeting(commune, meeting_id).state == "held"

    # -- minutes: typing is saved after the pause, in the database on disk ------------------
    view.show_tab("minutes")
    editor = view.minutes_tab
    assert editor.info.state == "draft" and editor.is_editable()
    # (QTest types ASCII only; accented text is set directly further down.)
    qtbot.keyClicks(editor.opening, "La seance est ouverte a 9 h 40 par la presidente.")
    assert editor.indicator.text() == "Pas encore enregistré…"
    qtbot.waitUntil(lambda: editor.indicator.text().startswith("Enregistré à"), timeout=5000)
    reopened = DataFolder.open(commune.path)
    assert minutes.get_minutes(reopened, meeting_id).opening.startswith("La seance est ouverte")
    reopened.database.dispose()
    editor.item_boxes[2].setPlainText("Trois motos volées ; la sécurité du parking est "
                                      "insuffisante.")
    editor.item_boxes[3].setPlainText("Les lampadaires de la rue 12 sont éteints.")
    editor.divers.setPlainText("Néant.")
    editor.closing_time.setText("11h15")
    editor.closing_time.textEdited.emit("11h15")
    # Leaving the tab saves at once, without waiting for the pause.
    view.show_tab("recommendations")
    saved = minutes.get_minutes(commune, meeting_id)
    assert saved.item(2).text.startswith("Trois motos volées")
    assert (saved.divers, saved.closing_time) == ("Néant.", "11:15")
    view.show_tab("minutes")
    screenshot(window, "minutes-draft")

    # -- two recommendations; a deadline before the session is refused in the dialog --------
    view.show_tab("recommendations")

    def recommendation(problem: str, text: str, addressee: str, theme: str, deadline: date,
                       position: int, wrong_first: bool = False):  # type: ignore[no-untyped-def]
        def act(dialog) -> None:  # type: ignore[no-untyped-def]
            assert isinstance(dialog, RecommendationDialog)
            dialog.problem_text.setPlainText(problem)
            dialog.text.setPlainText(text)
            dialog.addressee.setText(addressee)
            dialog.follow_up_by.setText("Secrétariat du CCS")
            dialog.theme.setCurrentIndex(dialog.theme.findData(theme))
            dialog.agenda.setCurrentIndex(dialog.agenda.findData(position))
            save = dialog.findChild(QDialogButtonBox).button(
                QDialogButtonBox.StandardButton.Save)
            if wrong_first:
                dialog.deadline.setDate(qdate(held_on - timedelta(days=3)))
                save.click()
                assert dialog.isVisible()
                assert "est antérieure à la session" in dialog.error.text()
                screenshot(dialog, "recommendation-dialog-error")
            dialog.deadline.setDate(qdate(deadline))
            screenshot(dialog, "recommendation-dialog")
            save.click()
        return act

    themes = [t.label for t in recommendations.list_themes(commune)]
    answer_next_dialog(recommendation(
        "Vols de motos répétés au parking de la gare routière.",
        "Installer un poste de garde et un éclairage au parking.", "Mairie de la Commune IV",
        themes[0], held_on + timedelta(days=30), 2, wrong_first=True))
    view.recommendations_tab.new_recommendation()
    answer_next_dialog(recommendation(
        "Rue 12 sans éclairage la nuit.", "Remplacer les lampes des lampadaires de la rue 12.",
        "Services techniques", themes[-1], held_on + timedelta(days=60), 3))
    view.recommendations_tab.new_recommendation()
    found = recommendations.list_recommendations(commune, meeting_id=meeting_id)
    assert sorted(r.addressee for r in found) == ["Mairie de la Commune IV",
                                                  "Services techniques"]
    assert view.recommendations_tab.model.rowCount() == 2
    screenshot(window, "session-recommendations")

    # -- adopt (after a confirmation): text and attendance are frozen -----------------------
    view.show_tab("minutes")
    answer_next_dialog(shot_then_yes("minutes-adopt-confirm"))
    editor.adopt_button.click()
    assert minutes.get_minutes(commune, meeting_id).state == "adopted"
    assert editor.opening.isReadOnly() and not editor.adopt_button.isEnabled()
    assert not view.agenda_tab.add_button.isEnabled()
    assert not tab.model.flags(tab.model.index(0, 2)) & Qt.ItemFlag.ItemIsEditable
    screenshot(window, "minutes-adopted")
    # The adopted PV lists the forms: no new or changed form until a correction.
    view.show_tab("recommendations")
    assert not view.recommendations_tab.new_button.isEnabled()
    assert "corrigez d’abord le procès-verbal" in view.recommendations_tab.summary.text()
    screenshot(window, "session-recommendations-closed")
    view.show_tab("minutes")

    # -- sign with the passphrase, off the GUI thread ----------------------------------------
    def sign(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, PassphraseDialog)
        dialog.passphrase.setText(PASSPHRASE)
        screenshot(dialog, "minutes-sign-dialog")
        dialog.accept()

    answer_next_dialog(sign)
    editor.sign_button.click()
    wait_tasks()
    qtbot.waitUntil(lambda: editor.info.state == "signed", timeout=10000)
    signed = minutes.get_minutes(commune, meeting_id)
    assert signed.state == "signed" and signed.signer == "DIARRA Mariam"
    assert all(box.isReadOnly() for box in (editor.opening, *editor.item_boxes.values()))
    assert "signé par DIARRA Mariam" in editor.state.text()
    assert view.info.state == "signed"
    screenshot(window, "minutes-signed")
    # Typing into the read-only text changes nothing, on screen or on disk.
    qtbot.keyClicks(editor.opening, "XYZ")
    assert "XYZ" not in editor.opening.toPlainText()
    assert minutes.get_minutes(commune, meeting_id).opening == signed.opening

    # -- a correction makes version 2; version 1 stays readable -----------------------------
    def reason(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, QInputDialog)
        dialog.setTextValue("Erreur sur l’heure d’ouverture")
        screenshot(dialog, "minutes-correct-dialog")
        dialog.accept()

    answer_next_dialog(reason)
    editor.correct_button.click()
    assert editor.info.number == 2 and editor.is_editable()
    assert "Erreur sur l’heure d’ouverture" in editor.reason.text()
    assert editor.versions.count() == 2
    # The correction reopens the text only: agenda and attendance stay as adopted.
    assert not view.agenda_tab.add_button.isEnabled()
    assert not tab.model.flags(tab.model.index(0, 2)) & Qt.ItemFlag.ItemIsEditable
    editor.opening.setPlainText("La séance est ouverte à 9 h 45 par la présidente.")
    assert editor.save_now()
    assert minutes.get_minutes(commune, meeting_id, 1).opening.startswith(
        "La seance est ouverte a 9 h 40")
    screenshot(window, "minutes-version-2")
    index = editor.versions.findData(1)
    editor.versions.setCurrentIndex(index)
    editor.versions.activated.emit(index)
    assert editor.info.number == 1 and editor.opening.isReadOnly()
    assert editor.opening.toPlainText().startswith("La seance est ouverte a 9 h 40")
    assert editor.indicator.text() == "Version antérieure, en lecture seule"
    screenshot(window, "minutes-version-1")
    # Every tab of the session fits a 1366×768 office screen.
    assert window.minimumSizeHint().width() <= 1366 and window.minimumSizeHint().height() <= 768

    # -- back to the list: the state and quorum show there -----------------------------------
    window.activateWindow()
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert page.view is None
    row = page.model.row_of(meeting_id)
    assert page.model.data(page.model.index(row, 5)) == "atteint (3/3)"
    screenshot(window, "sessions-list")


def test_empty_list_and_second_convocation(qtbot, window, commune):
    ids = add_members(commune, window)
    page = sessions_page(window)
    assert page.table_or_empty.currentWidget() is page.empty
    screenshot(window, "sessions-empty")
    first = meetings.create_meeting(commune, on=date.today() - timedelta(days=1), time="09:00")
    page.reload()
    view = page.open_meeting(first.id, "attendance")
    for name in ("Diarra", "Coulibaly"):
        view.attendance_tab.choose(ids[name], "present" if name == "Diarra" else "absent")
    assert view.attendance_tab.banner.state == "missing"
    view.show_tab("convocations")
    assert view.convocations_tab.second_button.isVisibleTo(view)

    def second(dialog) -> None:  # type: ignore[no-untyped-def]
        dialog.date.setDate(qdate(date.today() + timedelta(days=6)))
        screenshot(dialog, "second-convocation-dialog")
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()

    answer_next_dialog(second)
    view.convocations_tab.second_button.click()
    new = page.view
    assert isinstance(new, SessionView) and new.meeting_id != first.id
    assert new.info.second_convocation_of == first.id
    assert "deuxième convocation" in new.title.text()
    assert new.attendance_tab.banner.state == "reached"  # deliberates regardless
    screenshot(window, "second-convocation-session")


def test_represented_by_nobody_present_is_explained(qtbot, window, commune):
    ids = add_members(commune, window)
    meeting = meetings.create_meeting(commune, on=date.today())
    view = sessions_page(window).open_meeting(meeting.id, "attendance")

    def explained(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, QMessageBox)
        assert "Aucun membre n’est encore marqué présent" in dialog.text()
        dialog.accept()

    answer_next_dialog(explained)
    view.attendance_tab.choose(ids["Keïta"], "represented")
    # Nothing was recorded and the cell still says « not recorded ».
    assert attendance.list_attendance(commune, meeting.id)[0].status is None
    assert view.attendance_tab.status_of(ids["Keïta"]) == "— non saisi —"


# The offscreen platform cannot raise a window; on a desktop the search window comes forward.
@pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")
def test_search_finds_accented_words_typed_without_accents(qtbot, window, commune):
    add_members(commune, window)
    meeting = meetings.create_meeting(commune, on=date.today() - timedelta(days=3))
    meetings.add_agenda_item(commune, meeting.id, "Insécurité au marché")
    minutes.save_draft(commune, meeting.id, revision=0,
                       items={1: "Les commerçants réclament un éclairage."})
    rec = recommendations.add(commune, meeting.id, recommendations.RecommendationData(
        problem="Pickpockets au marché", text="Patrouilles régulières de la brigade",
        addressee="Commissariat", priority="high", deadline=date.today() + timedelta(days=30)))
    sessions_page(window)
    dialog = window.open_search()
    assert isinstance(dialog, SearchDialog)
    qtbot.keyClicks(dialog.box, "eclairage commercants")
    qtbot.waitUntil(lambda: len(dialog.hits) == 1, timeout=3000)
    assert dialog.hits[0].kind == "minutes"
    screenshot(dialog, "search-minutes")
    dialog.search_for("regulieres")
    assert [(h.kind, h.ref) for h in dialog.hits] == [("recommendation", rec)]
    dialog.results.itemActivated.emit(dialog.results.item(0))
    assert window.stack.currentWidget() is window.pages["recommendations"]
    assert window.pages["recommendations"].selected().id == rec
    dialog.search_for("insecurite")
    kinds = sorted(h.kind for h in dialog.hits)
    assert "meeting" in kinds and "minutes" in kinds
    texts = [dialog.results.item(i).text() for i in range(dialog.results.count())]
    assert any(t.startswith(f"Session — {meeting.label} — ") and "-" not in t.split("—")[2]
               for t in texts)  # the date in French, not ISO
    screenshot(dialog, "search-results")
    item = next(dialog.results.item(i) for i in range(dialog.results.count())
                if dialog.results.item(i).data(Qt.ItemDataRole.UserRole)[0] == "minutes")
    dialog.results.itemDoubleClicked.emit(item)
    page = window.pages["sessions"]
    assert page.view is not None and page.view.meeting_id == meeting.id
    assert page.view.tabs.currentWidget() is page.view.minutes_tab
    dialog.search_for("zzzz")
    assert dialog.summary.text() == "Aucun résultat."
    dialog.close()
    # The Sessions page's own box opens the same search.
    page.close_view()
    page.search.setText("marche")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert window.search_dialog.isVisible() and window.search_dialog.box.text() == "marche"
    QApplication.processEvents()


def test_guests_are_listed_convened_and_not_counted(qtbot, window, commune):
    ids = add_members(commune, window)
    meeting = meetings.create_meeting(commune, on=date.today() + timedelta(days=10))
    view = sessions_page(window).open_meeting(meeting.id, "attendance")
    tab = view.attendance_tab

    def invite(dialog) -> None:  # type: ignore[no-untyped-def]
        dialog.name.setText("Capitaine Sidibé")
        dialog.organisation.setText("Gendarmerie")
        screenshot(dialog, "attendance-guest-dialog")
        dialog.accept()

    answer_next_dialog(invite)
    tab.add_guest_button.click()
    assert tab.guest_list.count() == 1
    assert tab.guest_list.item(0).text() == "Capitaine Sidibé — Gendarmerie"
    tab.guest_list.item(0).setCheckState(Qt.CheckState.Checked)
    assert meetings.list_guests(commune, meeting.id)[0].present
    tab.choose(ids["Diarra"], "present")
    quorum = attendance.quorum(commune, meeting.id)
    assert (quorum.counted, quorum.in_office) == (1, len(MEMBERS))  # the guest is not counted
    screenshot(window, "attendance-guests")
    # Everyone not recorded yet, present in one click.
    tab.all_present_button.click()
    assert {a.status for a in attendance.list_attendance(commune, meeting.id)} == {"present"}
    assert tab.banner.state == "reached" and not tab.all_present_button.isEnabled()
    view.show_tab("convocations")
    view.convocations_tab.prepare()
    recipients = [view.convocations_tab.table.item(r, 0).text()
                  for r in range(view.convocations_tab.table.rowCount())]
    assert "Capitaine Sidibé (invité)" in recipients and len(recipients) == len(MEMBERS)
    assert "DIARRA Mariam" not in recipients  # the president convenes
    # The guest's convocation goes by e-mail (selected row), the others by hand; all on time.
    conv = view.convocations_tab
    guest_row = recipients.index("Capitaine Sidibé (invité)")
    conv.table.selectRow(guest_row)
    conv.channel.setCurrentIndex(conv.channel.findData("email"))
    conv.record_sent()
    assert conv.table.item(guest_row, 2).text() == "courriel"
    assert conv.table.item(0 if guest_row else 1, 1).text() == "non envoyée"
    conv.table.clearSelection()
    conv.channel.setCurrentIndex(conv.channel.findData("hand"))
    conv.record_sent()
    channels = {c.recipient: c.channel for c in meetings.list_convocations(commune, meeting.id)}
    assert channels.pop("Capitaine Sidibé") == "email"
    assert set(channels.values()) == {"hand"}
    assert not any(c.late for c in meetings.list_convocations(commune, meeting.id))
    assert conv.table.item(0, 3).text() == ""
    screenshot(window, "session-convocations-on-time")


def test_leaving_the_session_or_closing_the_window_saves_the_minutes(qtbot, window, commune,
                                                                     monkeypatch):
    ids = add_members(commune, window)
    meeting = meetings.create_meeting(commune, on=date.today())
    meetings.add_agenda_item(commune, meeting.id, "Sécurité routière")
    attendance.set_attendance(commune, meeting.id, ids["Diarra"], "present")
    page = sessions_page(window)
    view = page.open_meeting(meeting.id, "minutes")
    view.minutes_tab.item_boxes[1].setPlainText("Deux accidents au carrefour.")
    assert view.minutes_tab.timer.isActive()  # the pause has not elapsed yet
    window.activateWindow()
    qtbot.keyClick(view, Qt.Key.Key_Escape)  # back to the list at once
    assert page.view is None
    assert minutes.get_minutes(commune, meeting.id).item(1).text == "Deux accidents au carrefour."
    view = page.open_meeting(meeting.id, "minutes")
    assert view.minutes_tab.item_boxes[1].toPlainText() == "Deux accidents au carrefour."
    view.minutes_tab.divers.setPlainText("Néant.")
    # Closing saves before the window's own close handling (the backup made on closing).
    stored_at_close: list[str] = []
    original = MainWindow.closeEvent

    def close_event(self, event) -> None:  # type: ignore[no-untyped-def]
        stored_at_close.append(minutes.get_minutes(commune, meeting.id).divers)
        original(self, event)

    monkeypatch.setattr(MainWindow, "closeEvent", close_event)
    window.close()
    assert stored_at_close == ["Néant."]
    assert minutes.get_minutes(commune, meeting.id).divers == "Néant."


@pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise")
def test_ctrl_shift_f_opens_the_search(qtbot, window, commune):
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = window.search_dialog
    assert isinstance(dialog, SearchDialog) and dialog.isVisible()
    dialog.close()


def test_move_a_planned_session_and_open_its_documents(qtbot, window, commune):
    add_members(commune, window)
    meeting = meetings.create_meeting(commune, on=date(date.today().year, 12, 1), time="09:00",
                                      venue="Mairie")
    view = sessions_page(window).open_meeting(meeting.id)

    def move(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, NewSessionDialog) and not dialog.kind.isEnabled()
        assert dialog.venue.text() == "Mairie"
        dialog.date.setDate(qdate(date(date.today().year + 1, 1, 5)))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        assert dialog.isVisible() and "changer d’année" in dialog.problem.text()
        dialog.date.setDate(qdate(date(date.today().year, 12, 3)))
        dialog.time.setText("15h")
        dialog.venue.setText("Centre culturel")
        screenshot(dialog, "session-change-dialog")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    answer_next_dialog(move)
    view.edit_button.click()
    info = meetings.get_meeting(commune, meeting.id)
    assert (info.date, info.time, info.venue, info.number) == (
        date(date.today().year, 12, 3), "15:00", "Centre culturel", meeting.number)
    assert "3 décembre" in view.subtitle.text() and "Centre culturel" in view.subtitle.text()
    seen: list[str] = []

    def documents(dialog) -> None:  # type: ignore[no-untyped-def]
        seen.append(dialog.windowTitle())
        screenshot(dialog, "session-documents-dialog")
        dialog.reject()

    answer_next_dialog(documents)
    view.documents_button.click()
    assert seen == [f"Documents — {info.label}"]
