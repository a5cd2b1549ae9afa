"""The « Journal » tab of Paramètres: the entries newest first in French, the search, the
check of the chain run in the background, and a tampered entry found and shown."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, text

from ccsdesk.core.services import journal, roster
from ccsdesk.core.storage.models import JournalEntry
from ccsdesk.gui.journal_tab import JournalTab, summarise
from tests.conftest import screenshot
from tests.core.exchange_helpers import signed_session
from tests.gui.conftest import open_window


@pytest.fixture
def window(qtbot, qapp_styled, commune):  # type: ignore[no-untyped-def]
    """The window on Paramètres › Journal, three members added first."""
    for last, first in (("Diarra", "Mariam"), ("Coulibaly", "Adama"), ("Keïta", "Fanta")):
        roster.add_member(commune, roster.MemberData(last_name=last, first_names=first,
                                                     sex="F" if first != "Adama" else "M",
                                                     role="member"))
    main = open_window(qtbot, commune, exposed=False)
    main.navigation.setCurrentRow(4)
    page = main.pages["settings"]
    page.setCurrentWidget(page.journal_tab)
    return main


def _tab(window) -> JournalTab:  # type: ignore[no-untyped-def]
    return window.pages["settings"].journal_tab


def _column(tab: JournalTab, column: int) -> list[str]:
    return [tab.model.index(row, column).data() for row in range(tab.model.rowCount())]


def test_lists_entries_newest_first_in_french_and_filters(window, commune, qtbot) -> None:  # type: ignore[no-untyped-def]
    tab = _tab(window)
    total = journal.verify(commune.database).entries
    assert tab.model.rowCount() == total >= 4
    ids = [int(v) for v in _column(tab, 0)]
    assert ids == sorted(ids, reverse=True)
    actions = _column(tab, 3)
    assert actions[:3] == ["Membre ajouté"] * 3 and actions[-1] == "Comité créé"
    assert " à " in tab.model.index(0, 1).data()  # « 22 novembre 2026 à 14:05 »
    assert "Keïta" in tab.model.index(0, 5).data()
    assert tab.count_label.text() == f"{total} entrées"
    screenshot(window, "settings-journal")
    # Search: the French word of an action, a name in the details, accents ignored.
    tab.search.setText("membre")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 3, timeout=3000)
    tab.search.setText("coulibaly")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=3000)
    assert "Coulibaly" in tab.model.index(0, 5).data()
    assert tab.count_label.text() == "1 entrée"
    tab.search.setText("personne ici")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0, timeout=3000)
    tab.search.clear()
    qtbot.waitUntil(lambda: tab.model.rowCount() == total, timeout=3000)


def test_verify_intact_then_tampered_entry_is_selected(window, commune, wait_tasks) -> None:  # type: ignore[no-untyped-def]
    tab = _tab(window)
    tab.verify_button.click()
    wait_tasks()
    total = journal.verify(commune.database).entries
    assert tab.last_report is not None and tab.last_report.intact
    assert tab.result.text() == f"Le journal est intact ({total} entrées)."
    assert "1b6e2a" in tab.result.styleSheet()
    screenshot(window, "settings-journal-intact")
    # Someone edits the database behind the program's back: entry 3's details change.
    with commune.database.engine.begin() as connection:
        connection.execute(text("UPDATE journal_entry SET details = '{\"x\": 1}' WHERE id = 3"))
    tab.search.setText("coulibaly")  # the name was in entry 3's details
    tab.apply_search()
    tab.verify_button.click()
    wait_tasks()
    assert tab.last_report is not None and tab.last_report.broken_at == 3
    assert "entrée 3" in tab.result.text() and "b3261e" in tab.result.styleSheet()
    assert "modifié" in tab.result.text()
    # Entry 3 no longer matches the search: the search is cleared and the entry selected.
    assert tab.search.text() == ""
    selected = tab.table.selectionModel().selectedRows()
    assert [tab.model.data(index, 256) for index in selected] == [3]
    screenshot(window, "settings-journal-broken")


def test_fifty_thousand_entries_are_read_in_slices(qtbot, qapp_styled, commune,
                                                   wait_tasks) -> None:  # type: ignore[no-untyped-def]
    with commune.database.reading() as session:
        last = session.query(JournalEntry).order_by(JournalEntry.id.desc()).first()
        prev, start_id = last.hash, last.id
    rows = []
    at = datetime(2026, 1, 1, 8, 0)
    for n in range(50_000):
        at += timedelta(minutes=1)
        details = f'{{"n": {n}}}'
        digest = journal._digest(at, "secretaire", "member.update", f"member:{n % 40}",
                                 details, prev)
        rows.append({"at": at, "actor": "secretaire", "action": "member.update",
                     "subject": f"member:{n % 40}", "details": details, "prev_hash": prev,
                     "hash": digest})
        prev = digest
    with commune.database.unit_of_work() as session:
        session.execute(insert(JournalEntry), rows)
    tab = JournalTab(commune)
    qtbot.addWidget(tab)
    tab.resize(1200, 600)
    tab.show()
    assert tab.model.rowCount() == start_id + 50_000
    assert len(tab.model._pages) <= 2  # only what is on screen was read
    assert tab.model.index(0, 5).data() == "n: 49999"
    last_row = tab.model.rowCount() - 1
    assert tab.model.index(last_row, 3).data() == "Comité créé"
    assert len(tab.model._pages) <= 8
    tab.verify_button.click()
    wait_tasks(60000)
    assert tab.last_report is not None and tab.last_report.entries == start_id + 50_000
    assert f"({start_id + 50_000:,} entrées)".replace(",", "\u202f") in tab.result.text()
    tab.search.setText("member:7")
    tab.apply_search()
    assert tab.model.rowCount() == 50_000 // 40


def test_district_sees_the_commune_journal_it_received(qtbot, qapp_styled, pair,
                                                      wait_tasks) -> None:  # type: ignore[no-untyped-def]
    commune, district = pair
    signed_session(commune.folder)
    sent = journal.verify(commune.folder.database).entries
    district.receive(commune.send("parent")[0])
    tab = JournalTab(district.folder)
    qtbot.addWidget(tab)
    tab.resize(1200, 600)
    tab.show()
    assert tab.received.isVisible()
    assert tab.received.text() == (f"Journal de « CCS de la Commune IV » : {sent} entrées "
                                   "reçues, vérifiées à l’arrivée.")
    assert _column(tab, 3)[0] == "Archive reçue"
    tab.verify_button.click()
    wait_tasks()
    assert tab.received.text() == (f"Journal de « CCS de la Commune IV » : {sent} entrées "
                                   "reçues, intact.")
    screenshot(tab, "settings-journal-district")
    # Rewritten behind the program's back, the commune's journal held here shows broken.
    with district.folder.database.engine.begin() as connection:
        connection.execute(text("UPDATE received_journal_entry SET actor = 'x' "
                                "WHERE entry_id = 2"))
    tab.verify_button.click()
    wait_tasks()
    assert tab.received.text() == (f"Journal de « CCS de la Commune IV » : {sent} entrées "
                                   "reçues, rompu à l’entrée 2.")


def test_summarise_details(qapp_styled) -> None:  # type: ignore[no-untyped-def]
    assert summarise('{"name": "Diarra", "roles": ["a", "b"], "active": true}') == \
        'name: Diarra · roles: ["a", "b"] · active: oui'
    assert summarise("not json") == "not json"
    assert summarise('{"t": "' + "x" * 300 + '"}', limit=20).endswith("…")
