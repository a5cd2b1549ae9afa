"""Exchange: a 50 MB archive beside the stock ``age`` tool, and a District importing 200 archives.

* **50 MB, send side**: what ``send`` does to the bytes — zip with a signed manifest
  (SHA-256 of the entry), age encryption to two recipients, written through a temporary file,
  fsync, rename and read-back check (``transport.write_verified``) — against
  ``age -e -r R1 -r R2 -o OUT IN`` on the same 50 MB (which only encrypts and writes).
* **50 MB, receive side**: ``exchange.receive`` end to end on a District (decrypt, verify the
  manifest signature and the hash, check the sender, import in one transaction storing the
  content for forwarding) against ``age -d -i KEY -o OUT IN``.
* **200 archives**: five communes of the District each send forty successive archives (one
  signed session with its packet PDF and three recommendations each); the District imports
  all 200 through ``exchange.receive``; then ``send --to parent`` forwards them up.

The archives are written with the real archive code and each commune's real keys; the
session documents are copies of a real signed session's document with fresh uids, so that
200 PDFs need not be laid out first. Throughput ratios above 1 mean faster than ``age``.

    .venv/bin/python bench/bench_exchange.py [--runs 5] [--archives 200] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import PASSPHRASE  # the folders are set up as the tests set them up
from tests.core.exchange_helpers import Office, enrol_pair, office, signed_session

from _common import machine, print_table, summarize, write_json
from ccsdesk.core.exchange import archive, certificates, transport
from ccsdesk.core.services import exchange, exchange_content
from ccsdesk.core.storage.models import Committee, Meeting

MB = 1024 * 1024


def _age(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run(["age", *args], check=True, capture_output=True)
    return time.perf_counter() - start


def big_archive(sender: Office, receiver: Office, payload: bytes, sequence: int) -> bytes:
    """A real archive from ``sender`` to ``receiver`` holding one session and a big packet."""
    with sender.folder.database.reading() as session:
        own = session.query(Committee).filter_by(relation="self").one()
        peer = session.query(Committee).filter_by(relation="parent").one()
        meeting = session.query(Meeting).first()
        document = exchange_content.session_document(session, own, meeting)
        manifest = {"sender": {"uid": own.uid, "name": own.name, "level": own.level,
                               "fingerprint": own.fingerprint},
                    "receiver": {"uid": peer.uid, "name": peer.name, "level": peer.level},
                    "sequence": sequence, "created": "2026-03-10T10:00:00+00:00"}
        chain = certificates.own_chain(sender.folder.keys_dir, own.signing_certificate)
        recipients = [peer.age_recipient, own.age_recipient]
    document["uid"] = str(uuid.uuid4())
    for rec in document["recommendations"]:
        rec["uid"] = str(uuid.uuid4())
    entries = [archive.Entry(f"entries/sessions/{document['uid']}.json", "session",
                             exchange_content.dumps(document), document["uid"]),
               archive.Entry(f"entries/packets/{document['uid']}.pdf", "packet", payload,
                             document["uid"])]
    inner, _manifest = archive.pack(manifest, entries, sender.secrets.signing_key_der, chain)
    return archive.encrypt(inner, recipients)


def send_side(payload: bytes, sender: Office, recipients: list[str], out: Path) -> None:
    """The byte work of ``send`` for a 50 MB entry: pack, sign, encrypt, write and check."""
    with sender.folder.database.reading() as session:
        own = session.query(Committee).filter_by(relation="self").one()
        chain = certificates.own_chain(sender.folder.keys_dir, own.signing_certificate)
    entries = [archive.Entry("entries/packets/gros.pdf", "packet", payload, "x")]
    manifest = {"sender": {"uid": "a", "name": "A"}, "receiver": {"uid": "b", "name": "B"},
                "sequence": 1, "created": "2026-03-10T10:00:00+00:00"}
    inner, _m = archive.pack(manifest, entries, sender.secrets.signing_key_der, chain)
    transport.write_verified(out, archive.encrypt(inner, recipients))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--archives", type=int, default=200)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    if shutil.which("age") is None:
        raise SystemExit("the stock age tool is needed (Debian package age)")
    os.environ["CCSDESK_PASSPHRASE"] = PASSPHRASE
    results: dict[str, object] = {}
    all_timings = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        district = office(root, "district", "CCS du District de Bamako", "Bamako")
        national = office(root, "national", "CNSS", "Mali")
        enrol_pair(district, national)
        communes = []
        for number in ("I", "II", "III", "IV", "V"):
            commune = office(root, "commune", f"CCS de la Commune {number}",
                             f"Commune {number}")
            enrol_pair(commune, district)
            child_id = next(c.id for c in exchange.list_committees(district.folder)
                            if c.name == commune_name(number))
            commune.receive(district.send(str(child_id))[0])  # the certificate
            signed_session(commune.folder)
            communes.append(commune)

        # --- 50 MB beside age -----------------------------------------------------------
        payload = os.urandom(50 * MB)
        plain = root / "clair.bin"
        plain.write_bytes(payload)
        first = communes[0]
        with district.folder.database.reading() as session:
            district_recipient = session.query(Committee).filter_by(
                relation="self").one().age_recipient
        with first.folder.database.reading() as session:
            own_recipient = session.query(Committee).filter_by(
                relation="self").one().age_recipient
        key_file = root / "cle.txt"
        key_file.write_text(district.secrets.age_identity + "\n")
        ours_send, age_send, ours_receive, age_receive = [], [], [], []
        sealed_by_age = root / "age.age"
        for run in range(args.runs):
            start = time.perf_counter()
            send_side(payload, first, [district_recipient, own_recipient],
                      root / f"envoi-{run}.ccsarchive")
            ours_send.append(time.perf_counter() - start)
            age_send.append(_age("-e", "-r", district_recipient, "-r", own_recipient,
                                 "-o", str(sealed_by_age), str(plain)))
            data = big_archive(first, district, payload, sequence=2 + run)
            start = time.perf_counter()
            district.receive(data)
            ours_receive.append(time.perf_counter() - start)
            age_receive.append(_age("-d", "-i", str(key_file), "-o",
                                    str(root / "age-clair.bin"), str(sealed_by_age)))
            (root / f"envoi-{run}.ccsarchive").unlink()
        timings = [
            summarize("send 50 MB: pack + sign + age + write/verify", ours_send),
            summarize("age -e 50 MB (stock tool, two recipients)", age_send),
            summarize("receive 50 MB: exchange.receive end to end", ours_receive),
            summarize("age -d 50 MB (stock tool)", age_receive),
        ]
        print_table("50 MB archive", timings)
        all_timings.extend(timings)
        ratio_send = timings[1].median / timings[0].median
        ratio_receive = timings[3].median / timings[2].median
        print(f"\nthroughput vs age: send {ratio_send:.2f}x, receive {ratio_receive:.2f}x "
              "(target >= 0.8x)")
        print(f"send {50 / timings[0].median:.0f} MB/s, age -e {50 / timings[1].median:.0f} "
              f"MB/s; receive {50 / timings[2].median:.0f} MB/s, age -d "
              f"{50 / timings[3].median:.0f} MB/s")
        results["fifty_mb"] = {"send_ratio": ratio_send, "receive_ratio": ratio_receive}

        # --- 200 archives into the District ---------------------------------------------
        packet = exchange._packet_for(first.folder, _first_meeting(first), PASSPHRASE)
        per_commune = args.archives // len(communes)
        archives = []
        start = time.perf_counter()
        for commune in communes:
            start_at = 2 + args.runs  # after the 50 MB ones (commune I)
            for sequence in range(start_at, start_at + per_commune):
                archives.append(big_archive(commune, district, packet, sequence))
        built = time.perf_counter() - start
        sizes = sum(len(a) for a in archives)
        start = time.perf_counter()
        each = []
        for data in archives:
            t0 = time.perf_counter()
            district.receive(data)
            each.append(time.perf_counter() - t0)
        total = time.perf_counter() - start
        start = time.perf_counter()
        forward, sent = district.send("parent")
        forward_time = time.perf_counter() - start
        start = time.perf_counter()
        got = national.receive(forward)
        national_time = time.perf_counter() - start
        timings = [summarize(f"District: receive one archive (of {len(archives)})", each)]
        all_timings.extend(timings)
        print_table(f"{len(archives)} archives ({sizes / MB:.1f} MB, packet "
                    f"{len(packet) // 1024} KB each)", timings)
        print(f"\nbuilding them: {built:.1f} s; District importing all: {total:.1f} s "
              f"({len(archives) / total:.1f} archives/s)")
        print(f"District forwarding them up: {forward_time:.1f} s "
              f"({len(forward) / MB:.1f} MB, {sent.counts}); national importing: "
              f"{national_time:.1f} s ({got.sessions} sessions)")
        results["two_hundred"] = {"archives": len(archives), "bytes": sizes,
                                  "receive_total_s": total, "forward_s": forward_time,
                                  "forward_bytes": len(forward),
                                  "national_receive_s": national_time}
        for each_office in (district, national, *communes):
            each_office.folder.close()
    write_json(args.json, all_timings, results=results)
    print(json.dumps(machine()))


def commune_name(number: str) -> str:
    return f"CCS de la Commune {number}"


def _first_meeting(commune: Office) -> Meeting:
    with commune.folder.database.reading() as session:
        meeting = session.query(Meeting).first()
        session.expunge(meeting)
        return meeting


if __name__ == "__main__":
    main()
