"""Attendance and quorum: the rule as a setting, representation, guests never counted."""

from __future__ import annotations

from datetime import date

import pytest

from ccsdesk.core.errors import InputError, NotFoundError, StateError
from ccsdesk.core.services import attendance, meetings, minutes, roster
from ccsdesk.core.services import settings as settings_service
from ccsdesk.core.storage.folder import DataFolder


def add_members(folder: DataFolder, count: int, role: str = "member") -> list[int]:
    return [roster.add_member(folder, roster.MemberData(
        last_name=f"Keïta{role}{i}", first_names="Moussa", sex="M", role=role))
        for i in range(count)]


@pytest.fixture
def session_of_five(commune: DataFolder) -> tuple[DataFolder, int, list[int]]:
    ids = add_members(commune, 5)
    meeting = meetings.create_meeting(commune, on=date(2026, 3, 10))
    return commune, meeting.id, ids


def test_majority_of_members_in_office_by_default(session_of_five) -> None:  # type: ignore[no-untyped-def]
    folder, meeting, ids = session_of_five
    quorum = attendance.quorum(folder, meeting)
    assert not quorum.recorded and not quorum.reached
    assert (quorum.in_office, quorum.required, quorum.rule) == (5, 3, "majority")
    attendance.set_attendance(folder, meeting, ids[0], "present")
    attendance.set_attendance(folder, meeting, ids[1], "present")
    attendance.set_attendance(folder, meeting, ids[2], "excused")
    assert not attendance.quorum(folder, meeting).reached
    quorum = attendance.set_attendance(folder, meeting, ids[3], "represented",
                                       represented_by=ids[0])
    assert quorum.reached and (quorum.present, quorum.represented) == (2, 1)
    assert meetings.get_meeting(folder, meeting).state == "held"


def test_guests_and_inactive_members_are_not_counted(session_of_five) -> None:  # type: ignore[no-untyped-def]
    folder, meeting, ids = session_of_five
    guests = add_members(folder, 3, role="guest")
    roster.set_active(folder, ids[4], False)
    for guest in guests:
        attendance.set_attendance(folder, meeting, guest, "present")
    quorum = attendance.quorum(folder, meeting)
    assert (quorum.in_office, quorum.required, quorum.counted) == (4, 3, 0)
    assert not quorum.reached
    meetings.add_guest(folder, meeting, "Sangaré Oumar", "Préfecture")
    rows = {row.member_id: row for row in attendance.list_attendance(folder, meeting)}
    assert not rows[guests[0]].votes and rows[guests[0]].status == "present"
    assert ids[4] not in rows
    with pytest.raises(StateError, match="n’est plus un membre actif"):
        attendance.set_attendance(folder, meeting, ids[4], "present")


def test_quorum_rule_is_a_setting(session_of_five) -> None:  # type: ignore[no-untyped-def]
    folder, meeting, ids = session_of_five
    for member_id in ids[:3]:
        attendance.set_attendance(folder, meeting, member_id, "present")
    assert attendance.quorum(folder, meeting).reached
    settings_service.put(folder, attendance.QUORUM_RULE, "two_thirds")
    quorum = attendance.quorum(folder, meeting)
    assert (quorum.required, quorum.reached) == (4, False)
    settings_service.put(folder, attendance.QUORUM_RULE, "half")
    assert attendance.quorum(folder, meeting).required == 3
    assert attendance.required("half", 4) == 2 and attendance.required("majority", 4) == 3


def test_represented_by_someone_absent_is_refused(session_of_five) -> None:  # type: ignore[no-untyped-def]
    folder, meeting, ids = session_of_five
    attendance.set_attendance(folder, meeting, ids[1], "absent")
    with pytest.raises(InputError, match="n’est pas noté présent"):
        attendance.set_attendance(folder, meeting, ids[0], "represented", represented_by=ids[1])
    with pytest.raises(InputError, match="n’est pas noté présent"):
        attendance.set_attendance(folder, meeting, ids[0], "represented", represented_by=ids[2])
    with pytest.raises(InputError, match="Indiquez qui représente"):
        attendance.set_attendance(folder, meeting, ids[0], "represented")
    with pytest.raises(InputError, match="lui-même"):
        attendance.set_attendance(folder, meeting, ids[0], "represented", represented_by=ids[0])
    with pytest.raises(InputError, match="Seul un membre représenté"):
        attendance.set_attendance(folder, meeting, ids[0], "present", represented_by=ids[2])
    with pytest.raises(InputError, match="Présence inconnue"):
        attendance.set_attendance(folder, meeting, ids[0], "late")
    with pytest.raises(NotFoundError):
        attendance.set_attendance(folder, meeting, 999, "present")
    rows = {row.member_id: row.status for row in attendance.list_attendance(folder, meeting)}
    assert rows[ids[0]] is None and rows[ids[1]] == "absent"


def test_representative_cannot_leave_while_representing(session_of_five) -> None:  # type: ignore[no-untyped-def]
    folder, meeting, ids = session_of_five
    attendance.set_attendance(folder, meeting, ids[1], "present")
    attendance.set_attendance(folder, meeting, ids[0], "represented", represented_by=ids[1])
    with pytest.raises(StateError, match="représente"):
        attendance.set_attendance(folder, meeting, ids[1], "absent")
    rows = {row.member_id: row for row in attendance.list_attendance(folder, meeting)}
    assert rows[ids[1]].status == "present"
    assert rows[ids[0]].represented_by == ids[1] and rows[ids[0]].represented_by_name


def test_attendance_is_frozen_once_minutes_are_adopted(session_of_five) -> None:  # type: ignore[no-untyped-def]
    folder, meeting, ids = session_of_five
    meetings.add_agenda_item(folder, meeting, "Vols")
    attendance.set_attendance(folder, meeting, ids[0], "present")
    minutes.write_item(folder, meeting, 1, "Rien à signaler.")
    minutes.adopt(folder, meeting)
    with pytest.raises(StateError, match="adopté"):
        attendance.set_attendance(folder, meeting, ids[1], "present")
    with pytest.raises(StateError, match="adopté"):
        meetings.add_agenda_item(folder, meeting, "Nouveau point")
    assert attendance.quorum(folder, meeting).present == 1


def test_member_who_attended_is_never_deleted(session_of_five) -> None:  # type: ignore[no-untyped-def]
    folder, meeting, ids = session_of_five
    attendance.set_attendance(folder, meeting, ids[0], "present")
    attendance.set_attendance(folder, meeting, ids[1], "represented", represented_by=ids[0])
    for member_id in ids[:2]:
        with pytest.raises(StateError, match="désactivez"):
            roster.delete_member(folder, member_id)
    meetings.prepare_convocations(folder, meeting)
    with pytest.raises(StateError, match="désactivez"):
        roster.delete_member(folder, ids[2])
    assert len(roster.list_members(folder)) == 5
    typo = roster.add_member(folder, roster.MemberData(last_name="Doublon", sex="M"))
    roster.delete_member(folder, typo)
    assert typo not in {m.id for m in roster.list_members(folder)}
    assert len(roster.list_members(folder)) == 5


def test_adopted_minutes_keep_the_quorum_they_state(session_of_five) -> None:  # type: ignore[no-untyped-def]
    folder, meeting, ids = session_of_five
    meetings.add_agenda_item(folder, meeting, "Vols")
    for member_id in ids[:3]:
        attendance.set_attendance(folder, meeting, member_id, "present")
    minutes.write_item(folder, meeting, 1, "Texte")
    minutes.adopt(folder, meeting)
    frozen = attendance.quorum(folder, meeting)
    for member_id in ids[:3]:
        roster.set_active(folder, member_id, False)
    roster.add_member(folder, roster.MemberData(last_name="Nouveau", sex="F"))
    assert attendance.quorum(folder, meeting) == frozen
    assert attendance.quorums(folder)[meeting] == frozen
    assert (frozen.counted, frozen.in_office, frozen.reached) == (3, 5, True)
    later = meetings.create_meeting(folder, on=date(2026, 4, 10))
    assert attendance.quorum(folder, later.id).in_office == 3
