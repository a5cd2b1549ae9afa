"""Paramètres › Courrier électronique and « Send by e-mail » in the send dialog, against a real
SMTP server on 127.0.0.1: settings saved, the password never shown, the connection tested
off the GUI thread, an archive mailed and imported at the District, refusals in French.
"""

from __future__ import annotations

import email
from email import policy

from ccsdesk.core.services import exchange, mail
from ccsdesk.gui.exchanges_page import ExchangesPage
from ccsdesk.gui.mail_tab import MailTab
from ccsdesk.gui.send_dialog import SendDialog
from tests.conftest import PASSPHRASE, screenshot
from tests.core.exchange_helpers import signed_session
from tests.core.smtp_server import MailServer
from tests.gui.conftest import answer_next_dialog

SMTP_PASSWORD = "Smtp-Kita-3318-jamais-visible"


def test_mail_tab_saves_and_tests_the_connection(qtbot, qapp_styled, wait_tasks, pair) -> None:  # type: ignore[no-untyped-def]
    commune, _district = pair
    tab = MailTab(commune.folder)
    qtbot.addWidget(tab)
    tab.resize(900, 640)
    tab.show()
    assert list(tab.addresses) == [c.id for c in exchange.list_committees(commune.folder)]
    with MailServer(user="ccs.commune4", password=SMTP_PASSWORD) as server:
        tab.server.setText("127.0.0.1")
        tab.security.setCurrentIndex(tab.security.findData("ssl"))
        assert tab.port.value() == 465  # the usual port follows the security
        tab.security.setCurrentIndex(tab.security.findData("none"))
        tab.port.setValue(server.port)
        tab.user.setText("ccs.commune4")
        tab.password.setText(SMTP_PASSWORD)
        tab.sender.setText("ccs.commune4@exemple.ml")
        next(iter(tab.addresses.values())).setText("ccs.district@exemple.ml")
        tab.test_button.click()  # saves, then tests with the password just typed
        wait_tasks()
        assert "fonctionne" in tab.status.text(), tab.status.text()
        stored = mail.load(commune.folder)
        assert stored.configured and stored.has_password and stored.port == server.port
        assert tab.password.text() == "" and "enregistré" in tab.password.placeholderText()
        screenshot(tab, "settings-mail")

        # The stored password: the passphrase is asked to open it.
        asked: list[bool] = []
        tab.ask_passphrase = lambda: asked.append(True) or PASSPHRASE  # type: ignore[method-assign]
        tab.test_button.click()
        wait_tasks()
        assert asked == [True] and "fonctionne" in tab.status.text()
        assert server.logins == ["ccs.commune4", "ccs.commune4"]

        # A wrong password typed: refused in plain words, shown under the buttons.
        tab.password.setText("pas-le-bon")
        tab.test_button.click()
        wait_tasks()
        assert "refusé" in tab.status.text() and tab.status.isVisible()
    tab.password.setText(SMTP_PASSWORD)
    tab.save_button.click()

    # A bad sender address: refused, nothing changes.
    messages: list[str] = []
    answer_next_dialog(lambda box: (messages.append(box.text()), box.accept()))
    tab.sender.setText("pas une adresse")
    tab.save_button.click()
    assert messages and "pas une adresse électronique" in messages[0]
    assert mail.load(commune.folder).sender == "ccs.commune4@exemple.ml"
    assert tab.password.text() == "" and tab.forget.isEnabled()
    tab.forget.click()
    assert not mail.load(commune.folder).has_password and not tab.forget.isEnabled()


def test_send_dialog_mails_the_archive(qtbot, qapp_styled, wait_tasks, pair) -> None:  # type: ignore[no-untyped-def]
    commune, district = pair
    signed_session(commune.folder)
    page = ExchangesPage(commune.folder)
    qtbot.addWidget(page)
    page.resize(1176, 720)
    page.show()
    qtbot.waitExposed(page)

    # Not set up: the choice is not offered.
    dialog = page.send_selected()
    assert isinstance(dialog, SendDialog) and not dialog.mail.isVisibleTo(dialog)
    dialog.reject()

    with MailServer(user="ccs.commune4", password=SMTP_PASSWORD) as server:
        mail.update(commune.folder, server="127.0.0.1", port=server.port, security="none",
                    user="ccs.commune4", password=SMTP_PASSWORD,
                    sender="ccs.commune4@exemple.ml")
        # Set up, but no address for the District: offered, disabled, and why.
        dialog = page.send_selected()
        qtbot.waitExposed(dialog)
        assert dialog.mail.isVisible() and not dialog.mail.isEnabled()
        assert dialog.no_address.isVisible() and "Paramètres" in dialog.no_address.text()
        dialog.reject()

        mail.update(commune.folder, addresses={"parent": "ccs.district@exemple.ml"})
        dialog = page.send_selected()
        qtbot.waitExposed(dialog)
        assert dialog.mail.isChecked() and "ccs.district@exemple.ml" in dialog.mail.text()
        assert not dialog.path.isEnabled()
        dialog.passphrase.setText(PASSPHRASE)
        screenshot(dialog, "exchanges-send-mail")
        dialog.send_button.click()
        wait_tasks()
    assert page.result.property("state") == "ok", page.result.text()
    assert "envoyée par courriel à ccs.district@exemple.ml" in page.result.text()
    message = email.message_from_bytes(server.messages[0].data, policy=policy.default)
    result = district.receive(next(message.iter_attachments()).get_content())
    assert result.sequence == 1 and result.sessions == 1

    # The server is gone: refused in the result panel, nothing recorded (the session is
    # not acknowledged yet, so it is due again).
    dialog = page.send_selected()
    qtbot.waitExposed(dialog)
    dialog.passphrase.setText(PASSPHRASE)
    dialog.send_button.click()
    wait_tasks(40000)
    assert page.result.property("state") == "refused"
    assert "joindre" in page.result.text() and SMTP_PASSWORD not in page.result.text()
    screenshot(page, "exchanges-send-mail-refused")
    assert exchange.list_committees(commune.folder)[0].last_sent[0] == 1
