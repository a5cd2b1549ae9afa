"""``ccsdesk passphrase change`` and ``ccsdesk keys backup`` as scripts call them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccsdesk.core.exchange import keys
from tests.conftest import PASSPHRASE, run_process

NEW = "nouvelle-phrase-du-bureau"


def test_change_from_the_environment(set_up, data_dir: Path,  # type: ignore[no-untyped-def]
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCSDESK_NEW_PASSPHRASE", NEW)
    result = set_up("--json", "passphrase", "change")
    assert result.code == 0, result.err
    assert result.json["changed"] is True
    assert PASSPHRASE not in result.out + result.err and NEW not in result.out + result.err
    keys.unlock(data_dir / "keys", NEW)
    # The old passphrase is now wrong: a clear refusal, exit 1.
    monkeypatch.setenv("CCSDESK_NEW_PASSPHRASE", "encore-une-autre-phrase")
    again = set_up("passphrase", "change")
    assert again.code == 1
    assert "incorrecte" in again.err
    monkeypatch.setenv("CCSDESK_PASSPHRASE", NEW)
    monkeypatch.setenv("CCSDESK_NEW_PASSPHRASE", "court")
    short = set_up("passphrase", "change")
    assert short.code == 1 and "8 caractères" in short.err
    keys.unlock(data_dir / "keys", NEW)


def test_no_new_passphrase_without_a_terminal(set_up, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_process("--data-dir", str(data_dir), "passphrase", "change")
    assert result.code == 1
    assert "CCSDESK_NEW_PASSPHRASE" in result.err
    keys.unlock(data_dir / "keys", PASSPHRASE)


def test_passphrase_is_never_an_argument(set_up) -> None:  # type: ignore[no-untyped-def]
    result = set_up("passphrase", "change", NEW)
    assert result.code == 2


def test_keys_backup(set_up, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stick = tmp_path / "cle"
    stick.mkdir()
    result = set_up("--json", "keys", "backup", "--out", str(stick))
    assert result.code == 0, result.err
    copy = Path(result.json["path"])
    assert copy.parent == stick
    assert (copy / keys.KEYSTORE_FILE).read_bytes() == (
        data_dir / "keys" / keys.KEYSTORE_FILE).read_bytes()
    assert set(result.json["files"]) >= {keys.KEYSTORE_FILE, keys.CERTIFICATE_FILE}
    text = set_up("keys", "backup", "--out", str(stick))
    assert text.code == 0 and "chiffrées" in text.out
    missing = set_up("keys", "backup", "--out", str(tmp_path / "absente"))
    assert missing.code == 1 and "n’existe pas" in missing.err
