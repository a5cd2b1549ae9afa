"""Sessions: numbering, agenda, convocations and the notice period, second convocation."""

from __future__ import annotations

from datetime import date

import pytest

from ccsdesk.core.errors import InputError, NotFoundError, StateError
from ccsdesk.core.services import attendance, committee, journal, meetings, minutes, roster
from ccsdesk.core.services import settings as settings_service
from ccsdesk.core.storage.folder import DataFolder


def add_members(folder: DataFolder, count: int, role: str = "member") -> list[int]:
    return [roster.add_member(folder, roster.MemberData(
        last_name=f"Traoré{i}", first_names="Awa", sex="F" if i % 2 else "M", role=role))
        for i in range(count)]


def test_sessions_are_numbered_per_year_and_kind(commune: DataFolder) -> None:
    first = meetings.create_meeting(commune, on=date(2026, 3, 5), time="9h30", venue="Mairie")
    second = meetings.create_meeting(commune, on=date(2026, 4, 2))
    extra = meetings.create_meeting(commune, on=date(2026, 4, 20), kind="extraordinary")
    next_year = meetings.create_meeting(commune, on=date(2027, 1, 8))
    assert (first.number, second.number, extra.number, next_year.number) == (1, 2, 1, 1)
    assert first.label == "1re session ordinaire 2026"
    assert second.label == "2e session ordinaire 2026"
    assert extra.label == "1re session extraordinaire 2026"
    assert extra.urgent and not first.urgent
    assert first.time == "09:30" and first.state == "planned"
    assert [m.id for m in meetings.list_meetings(commune)] == [
        next_year.id, extra.id, second.id, first.id]


def test_adoption_of_previous_minutes_is_proposed_first(commune: DataFolder) -> None:
    first = meetings.create_meeting(commune, on=date(2026, 3, 5))
    assert first.agenda == ()
    second = meetings.create_meeting(commune, on=date(2026, 4, 2))
    assert [a.title for a in second.agenda] == [
        "Adoption du procès-verbal de la 1re session ordinaire 2026"]


def test_agenda_add_move_remove(commune: DataFolder) -> None:
    meeting = meetings.create_meeting(commune, on=date(2026, 3, 5))
    for title in ("Vols de bétail", "Éclairage public", "Divers conflits fonciers"):
        meetings.add_agenda_item(commune, meeting.id, title, presenter="Commissaire")
    meetings.move_agenda_item(commune, meeting.id, 3, 1)
    agenda = meetings.get_meeting(commune, meeting.id).agenda
    assert [(a.position, a.title) for a in agenda] == [
        (1, "Divers conflits fonciers"), (2, "Vols de bétail"), (3, "Éclairage public")]
    meetings.remove_agenda_item(commune, meeting.id, 2)
    agenda = meetings.get_meeting(commune, meeting.id).agenda
    assert [(a.position, a.title) for a in agenda] == [
        (1, "Divers conflits fonciers"), (2, "Éclairage public")]
    with pytest.raises(InputError, match="vide"):
        meetings.add_agenda_item(commune, meeting.id, "   ")
    with pytest.raises(InputError, match="entre 1 et 2"):
        meetings.move_agenda_item(commune, meeting.id, 1, 5)
    with pytest.raises(NotFoundError):
        meetings.remove_agenda_item(commune, meeting.id, 9)


def test_agenda_item_with_minutes_text_cannot_be_removed(commune: DataFolder) -> None:
    meeting = meetings.create_meeting(commune, on=date(2026, 3, 5))
    meetings.add_agenda_item(commune, meeting.id, "Vols")
    minutes.write_item(commune, meeting.id, 1, "Trois vols signalés.")
    with pytest.raises(StateError, match="ne peut pas être retiré"):
        meetings.remove_agenda_item(commune, meeting.id, 1)
    assert len(meetings.get_meeting(commune, meeting.id).agenda) == 1


def test_bad_session_input_is_refused(commune: DataFolder) -> None:
    with pytest.raises(InputError, match="HH:MM"):
        meetings.create_meeting(commune, on=date(2026, 3, 5), time="25:00")
    with pytest.raises(InputError, match="Type de session inconnu"):
        meetings.create_meeting(commune, on=date(2026, 3, 5), kind="weekly")
    with pytest.raises(NotFoundError, match="Aucune session"):
        meetings.get_meeting(commune, 42)
    assert meetings.list_meetings(commune) == []


def test_convocations_flag_late_delivery_from_the_notice_setting(commune: DataFolder) -> None:
    ids = add_members(commune, 3)
    roster.set_active(commune, ids[2], False)
    meeting = meetings.create_meeting(commune, on=date(2026, 3, 10))
    meetings.add_guest(commune, meeting.id, "Coulibaly Issa", "ONG Paix")
    prepared = meetings.prepare_convocations(commune, meeting.id)
    assert len(prepared) == 3  # two active members and the guest
    assert meetings.prepare_convocations(commune, meeting.id) == prepared  # idempotent
    # Five clear days before 10 March: sent on the 4th at the latest.
    on_time = meetings.record_sent(commune, meeting.id, sent_on=date(2026, 3, 4),
                                   channel="hand", convocation_ids=[prepared[0].id])
    assert not on_time[0].late and on_time[0].channel == "hand"
    late = meetings.record_sent(commune, meeting.id, sent_on=date(2026, 3, 5), channel="email")
    assert [c.late for c in late] == [False, True, True]
    settings_service.put(commune, meetings.NOTICE_ORDINARY_DAYS, 2)
    assert not any(c.late for c in meetings.list_convocations(commune, meeting.id))
    with pytest.raises(InputError, match="Mode de remise"):
        meetings.record_sent(commune, meeting.id, sent_on=date(2026, 3, 4), channel="pigeon")
    with pytest.raises(InputError, match="après la session"):
        meetings.record_sent(commune, meeting.id, sent_on=date(2026, 3, 11), channel="hand")


def test_urgent_session_needs_one_clear_day(commune: DataFolder) -> None:
    add_members(commune, 1)
    meeting = meetings.create_meeting(commune, on=date(2026, 3, 10), kind="extraordinary")
    meetings.prepare_convocations(commune, meeting.id)
    assert not meetings.record_sent(commune, meeting.id, sent_on=date(2026, 3, 8),
                                    channel="hand")[0].late
    meetings.prepare_convocations(commune, meeting.id)
    sent = meetings.record_sent(commune, meeting.id, sent_on=date(2026, 3, 9), channel="hand",
                                convocation_ids=[1])
    assert sent[0].late


def test_second_convocation_when_quorum_fails(commune: DataFolder) -> None:
    ids = add_members(commune, 5)
    first = meetings.create_meeting(commune, on=date(2026, 3, 10), venue="Mairie")
    meetings.add_agenda_item(commune, first.id, "Sécurité du marché")
    with pytest.raises(StateError, match="Enregistrez d’abord les présences"):
        meetings.second_convocation(commune, first.id, on=date(2026, 3, 17))
    attendance.set_attendance(commune, first.id, ids[0], "present")
    attendance.set_attendance(commune, first.id, ids[1], "absent")
    with pytest.raises(InputError, match="postérieure"):
        meetings.second_convocation(commune, first.id, on=date(2026, 3, 10))
    second = meetings.second_convocation(commune, first.id, on=date(2026, 3, 17))
    assert second.number == first.number and second.second_convocation_of == first.id
    assert second.label == "1re session ordinaire 2026 (deuxième convocation)"
    assert [a.title for a in second.agenda] == ["Sécurité du marché"]
    assert second.venue == "Mairie"
    attendance.set_attendance(commune, second.id, ids[0], "present")
    quorum = attendance.quorum(commune, second.id)
    assert quorum.reached and quorum.counted == 1 and quorum.second_convocation
    with pytest.raises(StateError, match="déjà une deuxième convocation"):
        meetings.second_convocation(commune, first.id, on=date(2026, 3, 18))
    with pytest.raises(StateError, match="déjà une deuxième convocation"):
        meetings.second_convocation(commune, second.id, on=date(2026, 3, 18))
    # A new ordinary session still takes the next number.
    assert meetings.create_meeting(commune, on=date(2026, 4, 1)).number == 2


def test_second_convocation_refused_when_quorum_reached(commune: DataFolder) -> None:
    ids = add_members(commune, 3)
    meeting = meetings.create_meeting(commune, on=date(2026, 3, 10))
    for member_id in ids[:2]:
        attendance.set_attendance(commune, meeting.id, member_id, "present")
    with pytest.raises(StateError, match="quorum a été atteint"):
        meetings.second_convocation(commune, meeting.id, on=date(2026, 3, 17))
    assert len(meetings.list_meetings(commune)) == 1


def test_every_change_is_journaled_and_counted(commune: DataFolder) -> None:
    before = journal.verify(commune.database).entries
    meeting = meetings.create_meeting(commune, on=date(2026, 3, 10))
    meetings.add_agenda_item(commune, meeting.id, "Vols")
    meetings.add_agenda_item(commune, meeting.id, "Conflits")
    meetings.move_agenda_item(commune, meeting.id, 2, 1)
    report = journal.verify(commune.database)
    assert report.intact and report.entries == before + 4
    assert committee.counts(commune).meetings == 1



def test_planned_session_can_move_and_guests_are_recorded(commune: DataFolder) -> None:
    meeting = meetings.create_meeting(commune, on=date(2026, 3, 10), venue="Mairie")
    moved = meetings.update_meeting(commune, meeting.id, on=date(2026, 3, 12), time="15:00",
                                    venue="Salle polyvalente")
    assert (moved.date, moved.time, moved.venue, moved.number) == (
        date(2026, 3, 12), "15:00", "Salle polyvalente", 1)
    with pytest.raises(InputError, match="changer d’année"):
        meetings.update_meeting(commune, meeting.id, on=date(2027, 1, 5), time="", venue="")
    guest = meetings.add_guest(commune, meeting.id, "  Sangaré   Oumar ", "Préfecture")
    meetings.set_guest_present(commune, meeting.id, guest, True)
    assert meetings.list_guests(commune, meeting.id) == [
        meetings.GuestInfo(guest, "Sangaré Oumar", "Préfecture", True)]
    with pytest.raises(InputError, match="vide"):
        meetings.add_guest(commune, meeting.id, " ")
    with pytest.raises(NotFoundError):
        meetings.set_guest_present(commune, meeting.id, 999, True)
    meetings.add_agenda_item(commune, meeting.id, "Vols")
    meetings.edit_agenda_item(commune, meeting.id, 1, title="Vols de bétail",
                              presenter="Chef de poste", working_group="Commission sécurité")
    item = meetings.get_meeting(commune, meeting.id).agenda[0]
    assert (item.title, item.presenter, item.working_group) == (
        "Vols de bétail", "Chef de poste", "Commission sécurité")
