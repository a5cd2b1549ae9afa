"""A whole session by the command line, and its refusals (exit 1, French line, no change)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccsdesk.core.services import roster
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import run_process


@pytest.fixture
def members(commune: DataFolder) -> list[int]:
    people = [("Diarra", "Mariam", "F", "president"), ("Coulibaly", "Seydou", "M", "member"),
              ("Traoré", "Awa", "F", "secretary"), ("Keïta", "Moussa", "M", "member"),
              ("Sidibé", "Fanta", "F", "guest")]
    return [roster.add_member(commune, roster.MemberData(
        last_name=last, first_names=first, sex=sex, role=role))
        for last, first, sex, role in people]


def test_a_whole_session(cli, members: list[int], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    created = cli("--json", "meetings", "create", "--date", "2026-12-07", "--time", "09:30",
                  "--venue", "Mairie de la Commune IV")
    assert created.code == 0, created.err
    meeting = created.json["id"]
    assert created.json["number"] == 1
    for title in ("Vols de motos au marché", "Éclairage public"):
        added = cli("--json", "agenda", "add", str(meeting), title)
        assert added.code == 0, added.err
    assert added.json["position"] == 2

    president, second, secretary, fourth, guest = members
    assert cli("attendance", "set", str(meeting), str(president), "present").code == 0
    assert cli("attendance", "set", str(meeting), str(secretary), "present").code == 0
    shown = cli("--json", "attendance", "set", str(meeting), str(second), "represented",
                "--by", str(president))
    assert shown.code == 0, shown.err
    assert shown.json["quorum"]["reached"] is True
    assert cli("attendance", "set", str(meeting), str(fourth), "excused").code == 0
    assert cli("attendance", "set", str(meeting), str(guest), "present").code == 0

    listing = cli("--json", "meetings", "list").json["meetings"]
    assert len(listing) == 1
    item = listing[0]
    assert (item["id"], item["number"], item["date"], item["kind"], item["state"]) == (
        meeting, 1, "2026-12-07", "ordinary", "held")
    assert item["quorum"] == {"recorded": True, "reached": True, "present": 2,
                              "represented": 1, "counted": 3, "required": 3,
                              "in_office": 4, "rule": "majority",
                              "second_convocation": False}
    text = cli("meetings", "list").out
    assert "1re session ordinaire 2026" in text and "quorum atteint : 3 sur 4" in text

    body = tmp_path / "point1.txt"
    body.write_text("\ufeffTrois motos volées en novembre.\n", encoding="utf-8")
    written = cli("minutes", "write", str(meeting), "1", "--file", str(body))
    assert written.code == 0, written.err
    for problem, deadline in (("Vols de motos", "2027-01-31"), ("Rues sombres", "2027-03-31")):
        rec = cli("--json", "recommendations", "add", str(meeting), "--problem", problem,
                  "--text", "Agir vite", "--addressee", "Mairie", "--priority", "high",
                  "--deadline", deadline, "--theme", "eclairage public")
        assert rec.code == 0, rec.err
        assert isinstance(rec.json["id"], int)
    recs = cli("--json", "recommendations", "list").json["recommendations"]
    assert [(r["status"], r["deadline"]) for r in recs] == [
        ("proposed", "2027-01-31"), ("proposed", "2027-03-31")]
    assert recs[0]["origin"]["name"] == "CCS de la Commune IV"
    step = cli("--json", "recommendations", "status", str(recs[0]["id"]), "transmitted",
               "--note", "Lettre n° 3")
    assert step.code == 0 and step.json["recommendation"]["status"] == "transmitted"
    assert len(step.json["recommendation"]["history"]) == 2

    assert cli("minutes", "adopt", str(meeting)).code == 0
    signed = cli("--json", "minutes", "sign", str(meeting))
    assert signed.code == 0, signed.err
    assert signed.json["minutes"]["state"] == "signed"
    assert signed.json["minutes"]["signer"] == "DIARRA Mariam"
    assert cli("--json", "meetings", "list").json["meetings"][0]["state"] == "signed"

    # Frozen: the command line cannot change the signed text.
    other = tmp_path / "autre.txt"
    other.write_text("Texte falsifié", encoding="utf-8")
    refused = cli("minutes", "write", str(meeting), "1", "--file", str(other))
    assert refused.code == 1 and "signé" in refused.err
    assert cli("minutes", "set", str(meeting), "--closing-time", "18:00").code == 1
    shown = cli("--json", "minutes", "show", str(meeting)).json["minutes"]
    assert shown["items"][0]["text"] == "Trois motos volées en novembre.\n"

    corrected = cli("--json", "minutes", "correct", str(meeting), "--reason", "Mois erroné")
    assert corrected.code == 0 and corrected.json["minutes"]["version"] == 2
    other.write_text("Trois motos volées en octobre.", encoding="utf-8")
    assert cli("minutes", "write", str(meeting), "1", "--file", str(other)).code == 0
    first = cli("--json", "minutes", "show", str(meeting), "--version", "1").json["minutes"]
    assert first["state"] == "signed" and "novembre" in first["items"][0]["text"]
    current = cli("minutes", "show", str(meeting)).out
    assert "version 2 sur 2" in current and "octobre" in current and "Mois erroné" in current

    found = cli("--json", "search", "OCTOBRE")
    assert [(r["kind"], r["id"]) for r in found.json["results"]] == [("minutes", meeting)]


def test_refusals_exit_1_and_change_nothing(cli, members: list[int], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    meeting = cli("--json", "meetings", "create", "--date", "2026-12-07").json["id"]
    president, second, *_rest = members
    assert cli("agenda", "add", str(meeting), "Vols").code == 0

    bad = cli("attendance", "set", str(meeting), str(second), "represented",
              "--by", str(president))
    assert bad.code == 1 and "n’est pas noté présent" in bad.err
    bad = cli("recommendations", "add", str(meeting), "--problem", "p", "--text", "t",
              "--addressee", "a", "--priority", "low", "--deadline", "2026-12-01")
    assert bad.code == 1 and "antérieure à la session" in bad.err
    bad = cli("meetings", "create", "--date", "07/12/2026")
    assert bad.code == 1 and "AAAA-MM-JJ" in bad.err
    bad = cli("minutes", "write", str(meeting), "1", "--file", "/nulle/part.txt")
    assert bad.code == 1 and "n’existe pas" in bad.err
    assert cli("meetings", "create", "--date", "2026-12-07", "--kind", "weekly").code == 2

    assert cli("minutes", "write", str(meeting), "1", "--file", __file__).code == 0
    bad = cli("minutes", "sign", str(meeting))
    assert bad.code == 1 and "présences" in bad.err
    assert cli("attendance", "set", str(meeting), str(president), "present").code == 0
    assert cli("minutes", "adopt", str(meeting)).code == 0
    monkeypatch.setenv("CCSDESK_PASSPHRASE", "mauvaise-phrase-secrete")
    bad = cli("minutes", "sign", str(meeting))
    assert bad.code == 1 and "Phrase secrète incorrecte" in bad.err
    state = cli("--json", "minutes", "show", str(meeting)).json["minutes"]
    assert state["state"] == "adopted" and state["signed_at"] is None
    assert cli("--json", "recommendations", "list").json["recommendations"] == []
    bad = cli("meetings", "show", "77")
    assert bad.code == 1 and "Aucune session ne porte le numéro 77" in bad.err


def test_signing_without_a_terminal_needs_the_passphrase(members: list[int], data_dir: Path,
                                                        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("CCSDESK_PASSPHRASE")
    created = run_process("--data-dir", str(data_dir), "meetings", "create", "--date",
                          "2026-12-07")
    assert created.code == 0, created.err
    refused = run_process("--data-dir", str(data_dir), "minutes", "sign", "1")
    assert refused.code == 1 and "CCSDESK_PASSPHRASE" in refused.err


def test_convocations_second_convocation_and_listings(cli, members: list[int]) -> None:  # type: ignore[no-untyped-def]
    meeting = cli("--json", "meetings", "create", "--date", "2026-12-07", "--venue",
                  "Mairie").json["id"]
    for title in ("Vols", "Éclairage", "Conflits fonciers"):
        assert cli("agenda", "add", str(meeting), title, "--presenter", "Commissaire").code == 0
    moved = cli("--json", "agenda", "move", str(meeting), "3", "1")
    assert [a["title"] for a in moved.json["agenda"]] == ["Conflits fonciers", "Vols",
                                                          "Éclairage"]
    removed = cli("--json", "agenda", "remove", str(meeting), "3")
    assert [a["position"] for a in removed.json["agenda"]] == [1, 2]
    assert "2. Vols (Commissaire)" in cli("agenda", "list", str(meeting)).out

    convocations = cli("--json", "meetings", "convocations", str(meeting), "--sent-on",
                       "2026-12-05", "--channel", "email")
    assert convocations.code == 0, convocations.err
    items = convocations.json["convocations"]
    # Five members in office, the president convenes: four convocations.
    assert len(items) == 4 and all(c["late"] and c["channel"] == "email" for c in items)
    assert members[0] not in {c["member"] for c in items}
    assert "remises après le délai" in cli("meetings", "convocations", str(meeting)).out

    president = members[0]
    assert cli("attendance", "set", str(meeting), str(president), "present").code == 0
    listed = cli("--json", "attendance", "list", str(meeting)).json
    assert listed["quorum"]["reached"] is False and len(listed["attendance"]) == 5
    assert "quorum NON atteint : 1 sur 4 (il en faut 3)" in cli(
        "attendance", "list", str(meeting)).out
    second = cli("--json", "meetings", "second-convocation", str(meeting), "--date",
                 "2026-12-14")
    assert second.code == 0, second.err
    again = second.json["meeting"]
    assert again["number"] == 1 and again["second_convocation_of"] == meeting
    assert [a["title"] for a in again["agenda"]] == ["Conflits fonciers", "Vols"]
    assert cli("attendance", "set", str(again["id"]), str(president), "present").code == 0
    shown = cli("--json", "meetings", "show", str(again["id"])).json["meeting"]
    assert shown["quorum"]["reached"] is True and shown["quorum"]["second_convocation"]
    assert "deuxième convocation" in cli("meetings", "show", str(again["id"])).out

    rec = cli("--json", "recommendations", "add", str(again["id"]), "--problem", "Vols",
              "--text", "Patrouilles", "--addressee", "Commissariat", "--priority", "medium",
              "--deadline", "2027-02-01", "--item", "2", "--follow-up-by", "Secrétariat")
    assert rec.code == 0, rec.err
    assert rec.json["recommendation"]["item"] == 2
    assert cli("--json", "recommendations", "list", "--addressee", "mairie").json[
        "recommendations"] == []
    assert len(cli("--json", "recommendations", "list", "--meeting", str(again["id"]),
                   "--status", "proposed").json["recommendations"]) == 1
    detail = cli("recommendations", "show", str(rec.json["id"])).out
    assert "Constat : Vols" in detail and "proposée" in detail
    assert cli("recommendations", "status", str(rec.json["id"]), "proposed").code == 1
