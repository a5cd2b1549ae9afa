"""A session sent before the parent's certificate arrived is signed again once it is installed.

The commune's first packet carries its self-issued certificate: the District knows that key
(it enrolled it), the national level does not, and says only the District vouches for the
forwarded archive. When the District's certificate reaches the commune, its sessions are due
again, signed with the certified key; forwarded, they chain to the District at national.
"""

from __future__ import annotations

import pytest

from ccsdesk.core.errors import StateError
from ccsdesk.core.exchange import signing
from ccsdesk.core.services import exchange
from tests.core.exchange_helpers import COMMUNE, DISTRICT, Office, child_of, signed_session


def _packet_at(office_: Office) -> signing.VerifyResult:
    [received] = exchange.received_sessions(office_.folder)
    return signing.verify_pdf(office_.folder,
                              exchange.received_packet(office_.folder, received["uid"]) or b"")


def test_a_session_signed_before_the_certificate_is_signed_again(hierarchy) -> None:  # type: ignore[no-untyped-def]
    commune, district, national = hierarchy
    signed_session(commune.folder)
    # Sent before any archive came down: signed with the self-issued certificate.
    district.receive(commune.send("parent")[0])
    first = national.receive(district.send("parent")[0])
    assert first.sessions == 1 and first.signed_by == [COMMUNE]
    assert first.notes == [f"L’archive transmise de « {COMMUNE} » est signée avec une clé qui "
                           "n’est pas encore certifiée par un comité connu ici ; seul "
                           f"« {DISTRICT} » s’en porte garant."]
    early = _packet_at(national)
    assert early.intact and not early.known_signer
    district.receive(national.send(child_of(national))[0])  # its acknowledgement

    # The District's certificate (and its acknowledgement) come down: the session is due
    # again, signed with the certified key, although the District acknowledged it.
    got = commune.receive(district.send(child_of(district))[0])
    assert got.certificate_installed and got.acknowledged == 1
    again, sent = commune.send("parent")
    assert sent.counts.get("session") == 1
    assert district.receive(again).sessions == 1
    late = national.receive(district.send("parent")[0])
    assert late.signed_by == [COMMUNE] and late.notes == []
    checked = _packet_at(national)
    assert checked.intact and checked.known_signer
    assert checked.committee == COMMUNE and checked.certified_by == DISTRICT
    # Once acknowledged with the new signature, it is not sent a third time.
    commune.receive(district.send(child_of(district))[0])
    with pytest.raises(StateError, match=r"Rien à envoyer"):
        commune.send("parent")
