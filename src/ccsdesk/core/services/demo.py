"""A realistic sample commune, so a new user can try every screen before entering real data.

The committee is flagged ``is_demo`` so that the documents it produces carry a test watermark
and can never be mistaken for a real committee's papers. The roster imitates a committee as
installed in a Bamako commune: the mayor in the chair, the security forces, the justice,
traditional and religious authorities, civil society, women and youth, few women, two mandates
ending soon and one member who left. Everything goes through the ordinary services (journal
included), so the sample exercises the same code paths as real use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ccsdesk.core.errors import StateError
from ccsdesk.core.i18n import _
from ccsdesk.core.services import committee, roster
from ccsdesk.core.storage.folder import DataFolder

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
    """Fill an empty data folder with the sample commune; refuse if a committee exists.

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
    profile = committee.initialize(
        folder, level="commune", name=DEMO_NAME, place=DEMO_PLACE,
        chair_title=DEMO_CHAIR_TITLE, passphrase=passphrase, demo=True,
    )
    for sample in _MEMBERS:
        start, end = _mandate(sample.mandate, today)
        member_id = roster.add_member(
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
    return profile
