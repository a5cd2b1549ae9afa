"""``journal list`` and ``journal received`` on a real data folder."""

from __future__ import annotations

from pathlib import Path

from ccsdesk.core.services import roster
from ccsdesk.core.storage.folder import DataFolder
from tests.core.exchange_helpers import close, signed_session


def test_journal_list_newest_first_with_limit_and_search(cli, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("init", "--level", "commune", "--name", "CCS", "--place", "Commune I").code == 0
    folder = DataFolder.open(data_dir)
    for name in ("Diarra", "Coulibaly"):
        roster.add_member(folder, roster.MemberData(last_name=name, first_names="Awa",
                                                    sex="F", role="member"))
    folder.close()
    result = cli("--json", "journal", "list", "--limit", "2")
    assert result.code == 0, result.err
    assert result.json["total"] == 3
    assert [e["action"] for e in result.json["entries"]] == ["member.add", "member.add"]
    assert result.json["entries"][0]["label"] == "Membre ajouté"
    assert result.json["entries"][0]["details"]["last_name"] == "Coulibaly"
    text = cli("journal", "list", "--search", "diarra")
    assert text.code == 0 and "Membre ajouté" in text.out
    assert text.out.splitlines()[-1] == "1 entrée affichée sur 1."
    bad = cli("journal", "list", "--limit", "0")
    assert bad.code == 1 and "--limit" in bad.err


def test_journal_received_names_the_commune(cli, pair) -> None:  # type: ignore[no-untyped-def]
    commune, district = pair
    signed_session(commune.folder)
    district.receive(commune.send("parent")[0])
    path = district.folder.path
    close(commune, district)  # the command opens the folder itself
    result = cli("--json", "--data-dir", str(path), "journal", "received")
    assert result.code == 0, result.err
    [journal_] = result.json["journals"]
    assert journal_["name"] == "CCS de la Commune IV" and journal_["intact"] is True
    text = cli("--data-dir", str(path), "journal", "received")
    assert text.out.startswith("Journal de « CCS de la Commune IV » : ")
