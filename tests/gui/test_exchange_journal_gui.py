"""The Échanges page and the verify dialog say which committee's journal came, and how much.

Real data folders and a real archive: the District's verify dialog walks the commune's
journal segment (and says so) before the page imports it and counts the new entries.
"""

from __future__ import annotations

from ccsdesk.gui.exchanges_page import ExchangesPage
from ccsdesk.gui.verify_dialog import archive_verdict
from tests.conftest import PASSPHRASE
from tests.core.exchange_helpers import signed_session


def test_verify_then_receive_name_the_journal(qtbot, qapp_styled, wait_tasks, pair, tmp_path):
    commune, district = pair
    signed_session(commune.folder)
    sent = tmp_path / "envoi.ccsa"
    sent.write_bytes(commune.send("parent")[0])

    verdict = archive_verdict(district.folder, sent.read_bytes(), PASSPHRASE)
    assert verdict.good
    [line] = [x for x in verdict.lines if x.startswith("Journal de « CCS de la Commune IV »")]
    assert "leur chaîne vérifiée" in line

    page = ExchangesPage(district.folder)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.receive_file(sent, PASSPHRASE)
    wait_tasks()
    text = page.result.text()
    assert "vérifiée et importée" in text, text
    assert "nouvelles entrées du journal de « CCS de la Commune IV » (chaîne vérifiée)" in text
