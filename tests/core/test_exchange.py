"""Exchange end to end with three real data folders: a commune, the District, the national.

Enrolment both ways, a signed session going up, forwarded unchanged to national where the
commune's own signature is checked, a status decided at the District coming back down,
acknowledgements, sequence numbers, and every refusal leaving the data unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from ccsdesk.core.errors import InputError, StateError
from ccsdesk.core.exchange import archive, certificates, identity, signing, store
from ccsdesk.core.services import exchange, journal, recommendations
from ccsdesk.core.storage.models import ExchangeArchive, ReceivedSession, Recommendation
from tests.conftest import PASSPHRASE
from tests.core.exchange_helpers import (
    Office,
    child_of,
    close,
    office,
    signed_session,
    snapshot,
    three_levels,
)


def _snapshot(office_: Office) -> tuple[int, ...]:
    return snapshot(office_, ExchangeArchive, ReceivedSession, Recommendation)


def test_up_forward_and_down_with_acknowledgements(hierarchy) -> None:  # type: ignore[no-untyped-def]
    commune, district, national = hierarchy
    # The District's first archive down carries the commune's certificate.
    down, sent = district.send(child_of(district))
    assert sent.sequence == 1 and sent.counts == {"certificate": 1}
    got = commune.receive(down)
    assert got.certificate_installed and got.sequence == 1
    chain = certificates.own_chain(commune.folder.keys_dir, "")
    assert len(chain) == 2 and certificates.signed_by(chain[0], chain[1])
    # Same for the District from national.
    district.receive(national.send(child_of(national))[0])

    meeting_id, rec_id = signed_session(commune.folder)
    up, sent = commune.send("parent")
    assert sent.sequence == 1 and sent.counts == {"session": 1, "ack": 1}
    result = district.receive(up)
    assert (result.sessions, result.recommendations, result.missing) == (1, 1, ())
    assert result.acknowledged == 1  # the certificate the District sent
    assert exchange.list_committees(district.folder)[1].unacknowledged == ()
    rows = recommendations.list_recommendations(district.folder)
    assert [(r.origin, r.status) for r in rows] == [("CCS de la Commune IV", "proposed")]
    assert exchange.received_sessions(district.folder)[0]["origin"] == "CCS de la Commune IV"

    # Forwarded unchanged to national, where the commune's own signature is checked.
    forward, sent = district.send("parent")
    assert sent.counts == {"forward": 1, "ack": 1}
    result = national.receive(forward)
    assert result.forwarded == 1 and result.sessions == 1
    assert result.signed_by == ["CCS de la Commune IV"] and result.notes == []
    with national.folder.database.reading() as session:
        kept = session.scalars(select(ExchangeArchive.manifest_sha256).where(
            ExchangeArchive.direction == "in")).one()
    inner = store.get(national.folder, kept)
    nested = archive.unpack(next(e.data for e in inner.entries.values()
                                 if e.kind == "forward"))
    assert nested.sender["name"] == "CCS de la Commune IV"
    with national.folder.database.reading() as session:
        known = exchange._known_keys(session)
    anchor = certificates.anchor(nested.chain, known)
    assert anchor is not None and anchor.name == "CCS du District de Bamako"
    assert anchor.depth == 1
    national_recs = recommendations.list_recommendations(national.folder)
    assert [r.origin for r in national_recs] == ["CCS de la Commune IV"]
    # The commune's signed packet, forwarded byte for byte, verifies at national and names
    # the commune, certified by the District that national knows.
    received = exchange.received_sessions(national.folder)
    assert [(r["origin"], r["has_packet"]) for r in received] == [
        ("CCS de la Commune IV", True)]
    packet = exchange.received_packet(national.folder, received[0]["uid"])
    assert packet == exchange.received_packet(district.folder, received[0]["uid"])
    checked = signing.verify_pdf(national.folder, packet or b"")
    assert checked.intact and checked.known_signer
    assert checked.committee == "CCS de la Commune IV"
    assert checked.certified_by == "CCS du District de Bamako"

    # The District decides; the decision goes down and lands in the commune's history.
    district_rec = recommendations.list_recommendations(district.folder)[0]
    recommendations.set_status(district.folder, district_rec.id, "accepted",
                               "Retenue par le CSS du District", author="Secrétaire CSS")
    down, sent = district.send(child_of(district))
    assert sent.sequence == 2 and sent.counts == {"decision": 1, "ack": 1}
    result = commune.receive(down)
    assert result.decisions == 1 and result.acknowledged == 1
    mine = recommendations.get(commune.folder, rec_id)
    assert mine.status == "accepted"
    assert [s.status for s in mine.history] == ["proposed", "accepted"]
    assert mine.history[-1].note == "Retenue par le CSS du District"
    assert exchange.list_committees(commune.folder)[0].unacknowledged == ()
    # The commune's session was acknowledged: the next send only carries the new state.
    up, sent = commune.send("parent")
    assert sent.sequence == 2 and sent.counts == {"session": 1, "ack": 1}
    listing = exchange.list_committees(commune.folder)[0]
    assert listing.last_sent is not None and listing.last_sent[0] == 2
    assert listing.unacknowledged == ("1re session ordinaire 2026",)
    assert district.receive(up).sessions == 1
    assert recommendations.list_recommendations(district.folder)[0].status == "accepted"

    # A decision at national travels down through the District to the commune.
    national_rec = recommendations.list_recommendations(national.folder)[0]
    recommendations.set_status(national.folder, national_rec.id, "in_progress",
                               "Inscrite au plan national", author="CNSS")
    down, sent = national.send(child_of(national))
    assert sent.counts == {"decision": 1, "ack": 1}
    assert district.receive(down).decisions == 1
    assert recommendations.list_recommendations(district.folder)[0].status == "in_progress"
    down, sent = district.send(child_of(district))
    assert sent.counts["decision"] == 1
    assert commune.receive(down).decisions == 1
    mine = recommendations.get(commune.folder, rec_id)
    assert [(s.status, s.note) for s in mine.history] == [
        ("proposed", ""), ("accepted", "Retenue par le CSS du District"),
        ("in_progress", "Inscrite au plan national")]
    assert journal.verify(district.folder.database).intact
    assert journal.verify(commune.folder.database).intact
    assert meeting_id


def test_same_archive_twice_is_a_no_op_and_replay_gap_are_seen(hierarchy) -> None:  # type: ignore[no-untyped-def]
    commune, district, _national = hierarchy
    signed_session(commune.folder)
    first, _ = commune.send("parent")
    assert district.receive(first).sessions == 1
    before = _snapshot(district)
    again = district.receive(first)
    assert again.already and _snapshot(district) == before
    second, _ = commune.send("parent")
    third, _ = commune.send("parent")
    result = district.receive(third)
    assert result.missing == (2,)
    with pytest.raises(InputError, match=r"plus ancienne|older"):
        district.receive(second)
    assert district.receive(third).already


def test_refusals_change_nothing(hierarchy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    commune, district, national = hierarchy
    signed_session(commune.folder)
    good, _ = commune.send("parent")
    before = _snapshot(district)
    cases = {
        "tronquée": good[: len(good) - 40],
        "pas age": b"PK\x03\x04" + good[4:],
        "vide": b"",
    }
    for data in cases.values():
        with pytest.raises(InputError):
            district.receive(data)
    # Not for us: national cannot open what the commune wrote for the District.
    with pytest.raises(InputError, match=r"adressée|addressed"):
        national.receive(good)
    # Written by us: the commune cannot import its own archive.
    with pytest.raises(InputError, match=r"écrite par ce comité|written by this committee"):
        commune.receive(good)
    # An unknown sender: a fourth committee the District never enrolled, encrypting to it.
    stranger = office(tmp_path, "commune", "CCS de la Commune V", "Commune V")
    district_identity = identity.parse(exchange.export_identity(district.folder, PASSPHRASE))
    exchange.enrol(stranger.folder, district_identity, "parent")
    signed_session(stranger.folder)
    with pytest.raises(InputError, match=r"inscrit|enrolled"):
        district.receive(stranger.send("parent")[0])
    stranger.folder.close()
    assert _snapshot(district) == before


def test_every_single_byte_flip_is_refused(hierarchy) -> None:  # type: ignore[no-untyped-def]
    commune, district, _national = hierarchy
    small, _ = district.send(child_of(district))  # the certificate archive: about a kilobyte
    before = _snapshot(commune)
    refused = 0
    for position in range(len(small)):
        flipped = bytearray(small)
        flipped[position] ^= 0x01
        with pytest.raises(InputError):
            commune.receive(bytes(flipped))
        refused += 1
    assert refused == len(small) > 500
    assert _snapshot(commune) == before
    assert commune.receive(small).certificate_installed


def test_enrolment_refusals(tmp_path: Path) -> None:
    commune, district, national = three_levels(tmp_path, enrolled=False)
    own = exchange.export_identity(commune.folder, PASSPHRASE)
    with pytest.raises(InputError, match=r"lui-même|itself"):
        exchange.enrol(commune.folder, identity.parse(own), "parent")
    national_id = identity.parse(exchange.export_identity(national.folder, PASSPHRASE))
    with pytest.raises(InputError, match=r"niveau|level"):
        exchange.enrol(commune.folder, national_id, "parent")
    with pytest.raises(InputError, match=r"niveau|level"):
        exchange.enrol(national.folder, identity.parse(own), "child", PASSPHRASE)
    district_file = exchange.export_identity(district.folder, PASSPHRASE)
    exchange.enrol(commune.folder, identity.parse(district_file), "parent")
    with pytest.raises(StateError, match=r"déjà|already"):
        exchange.enrol(commune.folder, identity.parse(district_file), "parent")
    other = office(tmp_path, "region", "CCS de la Région de Kayes", "Kayes")
    with pytest.raises(StateError, match="parent"):
        exchange.enrol(commune.folder, identity.parse(
            exchange.export_identity(other.folder, PASSPHRASE)), "parent")
    # A commune of Bamako under the région of Kayes: the places do not nest.
    elsewhere = office(tmp_path, "commune", "CCS de la Commune V", "Commune V")
    with pytest.raises(InputError, match="Kayes"):
        exchange.enrol(elsewhere.folder, identity.parse(
            exchange.export_identity(other.folder, PASSPHRASE)), "parent")
    elsewhere.folder.close()
    # A damaged file: one changed character in the age recipient.
    document = json.loads(district_file)
    recipient = document["age_recipient"]
    document["age_recipient"] = recipient[:-2] + ("q" if recipient[-2] != "q" else "p") \
        + recipient[-1]
    with pytest.raises(InputError, match=r"endommagé|damaged"):
        identity.parse(json.dumps(document).encode())
    with pytest.raises(InputError):
        identity.parse(b"not json")
    close(commune, district, national, other)


def test_certificate_chain_signs_pdfs_that_chain_to_the_parent(hierarchy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    commune, district, _national = hierarchy
    commune.receive(district.send(child_of(district))[0])
    from reportlab.pdfgen import canvas

    path = tmp_path / "doc.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawString(100, 700, "Procès-verbal")
    pdf.save()
    signed = signing.sign_pdf(commune.folder, path, PASSPHRASE)
    at_commune = signing.verify_pdf(commune.folder, signed)
    assert at_commune.intact and at_commune.known_signer
    at_district = signing.verify_pdf(district.folder, signed)
    assert at_district.intact and at_district.known_signer
    assert at_district.committee == "CCS de la Commune IV"


def _forged_archive(signer: Office, sender: dict, receiver: Office, entries: list,
                    sequence: int = 1) -> bytes:
    """A well-formed archive signed by ``signer`` but claiming ``sender``."""
    with receiver.folder.database.reading() as session:
        own = exchange._own(session)
        target = {"uid": own.uid, "name": own.name}
        recipient = own.age_recipient
    with signer.folder.database.reading() as session:
        chain = [exchange._own(session).signing_certificate]
    inner, _manifest = archive.pack(
        {"sender": sender, "receiver": target, "sequence": sequence,
         "created": "2026-03-10T10:00:00+00:00"}, entries, signer.secrets.signing_key_der,
        chain)
    return archive.encrypt(inner, [recipient])


def test_impostors_and_wrong_directions_are_refused(hierarchy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    commune, district, national = hierarchy
    with commune.folder.database.reading() as session:
        own = exchange._own(session)
        commune_id = {"uid": own.uid, "name": own.name}
    with national.folder.database.reading() as session:
        own = exchange._own(session)
        national_id = {"uid": own.uid, "name": own.name}
    stranger = office(tmp_path, "commune", "CCS de la Commune VI", "Commune VI")
    before = _snapshot(district)
    # Someone else's key, claiming to be the enrolled commune.
    decision = archive.Entry("entries/decisions/x.json", "decision", b'{"format": "x"}', "x")
    with pytest.raises(InputError, match="clé inscrite"):
        district.receive(_forged_archive(stranger, commune_id, district, [decision]))
    # The real commune sending a decision up, or the real parent sending a session down.
    with pytest.raises(InputError, match="subordonné ne peut pas"):
        district.receive(_forged_archive(commune, commune_id, district, [decision]))
    session_entry = archive.Entry("entries/sessions/x.json", "session", b"{}", "x")
    with pytest.raises(InputError, match="Seul un comité subordonné"):
        district.receive(_forged_archive(national, national_id, district, [session_entry]))
    # A certificate from a child is refused too.
    certificate = archive.Entry("entries/certificates/1.json", "certificate", b"{}", "1")
    with pytest.raises(InputError, match="Seul le comité parent"):
        district.receive(_forged_archive(commune, commune_id, district, [certificate]))
    # A commune has no committee below it: it forwards nothing.
    forward = archive.Entry("entries/forwarded/x-1.zip", "forward", b"PK", "x:1")
    with pytest.raises(InputError, match="transmet"):
        district.receive(_forged_archive(commune, commune_id, district, [forward]))
    assert _snapshot(district) == before
    stranger.folder.close()


def test_imported_recommendation_form_is_not_editable_above(hierarchy) -> None:  # type: ignore[no-untyped-def]
    commune, district, _national = hierarchy
    commune.receive(district.send(child_of(district))[0])
    signed_session(commune.folder)
    district.receive(commune.send("parent")[0])
    imported = recommendations.list_recommendations(district.folder)[0]
    before = recommendations.get(district.folder, imported.id)
    edit = recommendations.RecommendationData(
        problem="Réécrit", text="Réécrit", addressee="Préfet", priority="low",
        deadline=before.deadline)
    with pytest.raises(StateError, match="CCS de la Commune IV"):
        recommendations.update(district.folder, imported.id, edit)
    after = recommendations.get(district.folder, imported.id)
    assert (after.problem, after.text) == (before.problem, before.text)
    # Following it up stays possible: that is what travels back down.
    recommendations.set_status(district.folder, imported.id, "accepted", "Pris en charge")
    assert recommendations.get(district.folder, imported.id).status == "accepted"
