"""The command line's signing helper process: real signatures, refusals, fallback, cleanup."""

from __future__ import annotations

import os
import signal
import sys
from datetime import date
from pathlib import Path

import pytest

from ccsdesk.core.documents import roster as roster_pdf
from ccsdesk.core.errors import InputError, WrongPassphraseError
from ccsdesk.core.exchange import signing
from ccsdesk.core.exchange.signing_worker import SigningWorker, start_method
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import PASSPHRASE
from tests.core import pdftools
from tests.core.test_roster_pdf import populate


@pytest.fixture
def roster_bytes(commune: DataFolder) -> bytes:
    populate(commune, 5)
    return roster_pdf.render(commune, today=date(2026, 12, 7))


def _check_signed(commune: DataFolder, data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "signe.pdf"
    path.write_bytes(data)
    assert "Signature is Valid." in pdftools.run("pdfsig", path).stdout
    result = signing.verify_pdf(commune, path)
    assert result.intact and result.known_signer, result.problems
    assert "Signé électroniquement par" in pdftools.page_texts(path)[0]


@pytest.mark.parametrize("method", [
    pytest.param("fork", marks=pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")),
    "spawn"])
def test_the_helper_process_signs(commune: DataFolder, roster_bytes: bytes, tmp_path: Path,
                                  method: str) -> None:
    # spawn is what Windows uses: a fresh interpreter that imports only what it needs.
    with SigningWorker(method) as worker:
        assert worker.method == method
        assert worker.pid is not None and worker.pid != os.getpid()
        data = signing.sign_pdf(commune, roster_bytes, PASSPHRASE, via=worker.sign)
        # A second signature through the same helper (another field, no stamp).
        twice = signing.sign_pdf(commune, data, PASSPHRASE, field_name="Visa", box=None,
                                 via=worker.sign)
        assert worker.signed_here == 0
    assert not worker._process.is_alive()
    _check_signed(commune, data, tmp_path)
    assert signing.verify_pdf(commune, twice).signatures == 2


def test_refusals_come_back_as_they_would_here(commune: DataFolder, roster_bytes: bytes) -> None:
    with SigningWorker() as worker:
        with pytest.raises(InputError) as far:
            signing.sign_pdf(commune, roster_bytes, PASSPHRASE, on_page=8, via=worker.sign)
        with pytest.raises(InputError) as near:
            signing.sign_pdf(commune, roster_bytes, PASSPHRASE, on_page=8)
        assert far.value.message == near.value.message
        assert "il n’y a pas de page 9" in far.value.message
        with pytest.raises(InputError, match="n’est pas un PDF lisible"):
            signing.sign_pdf(commune, b"%PDF-1.4\nnot really a pdf", PASSPHRASE,
                             via=worker.sign)
        # The helper unlocks the key: a wrong passphrase comes back from it, worded alike.
        with pytest.raises(WrongPassphraseError) as wrong:
            signing.sign_pdf(commune, roster_bytes, "pas la bonne phrase", via=worker.sign)
        assert wrong.value.message == "Phrase secrète incorrecte : les clés n’ont pas été ouvertes."
        # Refused ahead, worded in the language of the moment it was asked.
        from ccsdesk.core import i18n

        i18n.set_language("en")
        try:
            worker.unlock_ahead(commune.keys_dir, "toujours pas la bonne")
            with pytest.raises(WrongPassphraseError) as ahead:
                signing.sign_pdf(commune, roster_bytes, "toujours pas la bonne",
                                 via=worker.sign)
        finally:
            i18n.set_language("fr")
        assert ahead.value.message == "Wrong passphrase: the keys were not opened."
        assert worker.signed_here == 0


def test_the_key_unlocked_ahead_signs(commune: DataFolder, roster_bytes: bytes,
                                      tmp_path: Path) -> None:
    with SigningWorker() as worker:
        worker.unlock_ahead(commune.keys_dir, PASSPHRASE)
        data = signing.sign_pdf(commune, roster_bytes, PASSPHRASE, via=worker.sign)
        assert worker.signed_here == 0
    _check_signed(commune, data, tmp_path)


def test_the_request_never_shows_its_secrets(commune: DataFolder, roster_bytes: bytes) -> None:
    request = signing.prepare(commune, roster_bytes, passphrase=PASSPHRASE)
    assert request.passphrase == PASSPHRASE and request.signing_key_der is None
    assert PASSPHRASE not in repr(request)


def test_a_dead_helper_means_signing_here(commune: DataFolder, roster_bytes: bytes,
                                          tmp_path: Path) -> None:
    worker = SigningWorker()
    worker.unlock_ahead(commune.keys_dir, PASSPHRASE)
    worker._process.kill()
    worker._process.join()
    data = signing.sign_pdf(commune, roster_bytes, PASSPHRASE, via=worker.sign)
    assert worker.signed_here == 1
    worker.close()
    _check_signed(commune, data, tmp_path)


def test_cancel_stops_a_helper_still_importing() -> None:
    worker = SigningWorker()
    worker.cancel()
    assert not worker._process.is_alive()
    # Never signed (the command failed first): stopped, not waited for.
    unused = SigningWorker()
    unused.unlock_ahead(Path("/nulle/part"), "phrase")
    unused.close()
    assert unused._process.exitcode == -signal.SIGTERM


@pytest.mark.skipif(sys.platform == "win32", reason="os.kill(SIGINT) terminates on Windows")
def test_ctrl_c_is_left_to_the_main_process(commune: DataFolder, roster_bytes: bytes,
                                            tmp_path: Path) -> None:
    with SigningWorker() as worker:
        first = signing.sign_pdf(commune, roster_bytes, PASSPHRASE, via=worker.sign)
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGINT)  # what Ctrl-C sends to the whole console
        data = signing.sign_pdf(commune, roster_bytes, PASSPHRASE, via=worker.sign)
        assert worker.signed_here == 0 and first
    assert worker._process.exitcode == 0
    _check_signed(commune, data, tmp_path)


def test_fork_only_where_it_is_safe() -> None:
    import threading

    event = threading.Event()
    thread = threading.Thread(target=event.wait)
    thread.start()
    try:
        assert start_method() == "spawn"  # another thread runs: never fork
    finally:
        event.set()
        thread.join()
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        assert start_method() == "fork"


def test_the_environment_can_turn_the_helper_off_or_choose_spawn(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCSDESK_SIGNING_HELPER", "off")
    assert SigningWorker.start() is None
    monkeypatch.setenv("CCSDESK_SIGNING_HELPER", "spawn")
    assert start_method() == "spawn"
