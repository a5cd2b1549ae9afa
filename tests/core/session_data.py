"""A complete, realistic session for the document tests and the packet benchmark.

Members with accented and Bambara names (ɛ ɔ ɲ ŋ), convocations delivered by hand, attendance
with excused, absent and represented members, minutes written item by item, adopted and
signed, and recommendations tied to agenda items with a follow-up step. Everything goes
through the real services, as the secretary's clicks would.
"""

from __future__ import annotations

from datetime import date, timedelta

from ccsdesk.core.services import attendance, meetings, minutes, recommendations, roster
from ccsdesk.core.storage.folder import DataFolder

SESSION_DAY = date(2026, 12, 7)
SENT_ON = date(2026, 11, 30)
BUREAU = [("DIARRA", "Mariam", "F", "president", "Mairie de la Commune IV"),
          ("TRAORÉ", "Aminata", "F", "secretary", "Secrétariat général de la mairie"),
          ("KƐITA", "Sɔgɔ", "M", "vice_president", "Association Ŋàna des jeunes")]
OTHERS = [("COULIBALY", "Ɲɛlɛni", "F"), ("SANGARÉ", "Oumou", "F"), ("TOURÉ", "Ibrahim", "M"),
          ("DEMBÉLÉ", "Drissa", "M"), ("MAÏGA", "Hamadoun", "M"), ("SIDIBÉ", "Fatoumata", "F")]
AGENDA = ["Vols de motos autour du marché de Lafiabougou",
          "Éclairage public à Djicoroni-Para",
          "Conflits fonciers sur la berge du fleuve"]
PARAGRAPH = ("Le commissaire du 5e arrondissement a présenté la situation : plusieurs vols "
             "signalés en six semaines, surtout entre 19 h et 22 h, près des parkings non "
             "gardés. Les commerçants demandent des patrouilles et un éclairage du parking ; "
             "les chefs de quartier proposent des brigades de vigilance encadrées par la "
             "police. Après échanges, le comité a retenu des patrouilles mixtes et la "
             "sensibilisation des gardiens.")


def populate_members(folder: DataFolder, count: int) -> list[int]:
    """``count`` members in office (at least the bureau), bureau first."""
    categories = roster.list_categories(folder)
    ids = []
    for index in range(max(count, len(BUREAU))):
        if index < len(BUREAU):
            last, first, sex, role, organisation = BUREAU[index]
        else:
            last, first, sex = OTHERS[(index - len(BUREAU)) % len(OTHERS)]
            if index >= len(BUREAU) + len(OTHERS):
                last = f"{last} {index:02d}"
            role, organisation = "member", "Conseil de quartier de Sébénikoro"
        ids.append(roster.add_member(folder, roster.MemberData(
            last_name=last, first_names=first, sex=sex, role=role,
            category_id=categories[index % len(categories)].id, organisation=organisation,
            phone=f"+223 76 12 34 {index % 100:02d}")))
    return ids


def held_with_guests(folder: DataFolder, guests: tuple[tuple[str, str, bool], ...], *,
                     members: int = 6) -> tuple[int, list[int]]:
    """A session convened by hand and held: ``members`` members, the fifth absent, and
    ``guests`` as (name, organisation, came); its id and the members' ids. The minutes are
    left to the caller."""
    ids = populate_members(folder, members)
    meeting = meetings.create_meeting(folder, on=SESSION_DAY, time="09:30",
                                      venue="Salle de délibérations de la Mairie")
    for title in AGENDA:
        meetings.add_agenda_item(folder, meeting.id, title)
    for name, organisation, present in guests:
        guest = meetings.add_guest(folder, meeting.id, name, organisation)
        meetings.set_guest_present(folder, meeting.id, guest, present)
    meetings.prepare_convocations(folder, meeting.id)
    meetings.record_sent(folder, meeting.id, sent_on=SENT_ON, channel="hand")
    for index, member in enumerate(ids):
        attendance.set_attendance(folder, meeting.id, member,
                                  "absent" if index == 4 else "present")
    return meeting.id, ids


def full_session(folder: DataFolder, passphrase: str, *, members: int = 9,
                 recommendation_count: int = 3, paragraphs: int = 1,
                 sign: bool = True) -> int:
    """A held session with everything recorded; signed unless ``sign`` is false."""
    ids = populate_members(folder, members)
    meeting = meetings.create_meeting(folder, on=SESSION_DAY, time="09:30",
                                      venue="Salle de délibérations de la Mairie")
    for title in AGENDA:
        meetings.add_agenda_item(folder, meeting.id, title)
    guest = meetings.add_guest(folder, meeting.id, "OUATTARA Salif", "Chef de quartier")
    meetings.prepare_convocations(folder, meeting.id)
    meetings.record_sent(folder, meeting.id, sent_on=SENT_ON, channel="hand")
    statuses = {3: "excused", 4: "absent"}
    for index, member in enumerate(ids):
        if index != 5:
            attendance.set_attendance(folder, meeting.id, member, statuses.get(index, "present"))
    attendance.set_attendance(folder, meeting.id, ids[5], "represented",
                              represented_by=ids[0])
    meetings.set_guest_present(folder, meeting.id, guest, True)
    agenda = meetings.get_meeting(folder, meeting.id).agenda
    text = "\n".join([PARAGRAPH] * paragraphs)
    minutes.save_draft(folder, meeting.id, revision=None,
                       opening="La séance est ouverte à 9 h 40 par la Présidente.",
                       items={item.position: text for item in agenda},
                       divers="Le prochain comité se réunira avant la fin de l’année.",
                       closing_time="12:15")
    for number in range(recommendation_count):
        rec = recommendations.add(folder, meeting.id, recommendations.RecommendationData(
            problem=f"Constat n° {number + 1} : vols répétés près du marché de Lafiabougou.",
            text=f"Organiser des patrouilles mixtes police – brigade de quartier (mesure "
                 f"{number + 1}).",
            addressee="Commissariat du 5e arrondissement", priority="high",
            deadline=SESSION_DAY + timedelta(days=30 + number), follow_up_by="Secrétariat",
            agenda_position=agenda[number % len(agenda)].position))
        recommendations.set_status(folder, rec, "transmitted", note="Remise en main propre")
    minutes.adopt(folder, meeting.id)
    if sign:
        minutes.sign(folder, meeting.id, passphrase)
    return meeting.id
