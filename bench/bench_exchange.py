"""Exchange: a 50 MB archive beside the stock ``age`` tool, and a District importing 200 archives.

* **50 MB, send side**: what ``send --out`` does to the bytes — zip with a signed manifest
  (SHA-256 of the entry) sealed in one pass into an age file to two recipients, written to a
  temporary file block by block meanwhile, each range read back from the device and
  compared, then fsync and rename (``archive.seal_to`` into ``verified_copy.VerifiedCopy``)
  — against ``age -e -r R1 -r R2 -o OUT IN`` on the same 50 MB (which only encrypts and
  writes, without fsync or read-back). Our figure is also given with a plain write (no
  fsync, no read-back), the age tool's terms; and the age tool's with the same guarantees
  added (its output flushed and read back from the device).
* **50 MB, receive side**: ``exchange.receive`` of the file end to end on a District, as
  ``receive FILE`` and the window do (the file read by blocks, decrypted, the manifest
  signature and the hash verified, the sender checked, the import in one transaction, the
  content kept with fsync for forwarding) against ``age -d -i KEY -o OUT IN``. (Reading the
  whole file into memory first, as before, is timed among the steps below.)
* **The age layer alone** on the same 50 MB in memory: pyrage (``encrypt_io``/``decrypt_io``,
  what archives used before) and ``core/exchange/age_format`` (ours, over OpenSSL).
* **Where the time goes**: each of those steps on its own (seal, durable write, plain write,
  reading the file whole, decrypting and checking in memory with and without the second
  thread, then from the file by blocks, with the content kept).
* Wall and CPU (user + system; our threads included, the age tool as a child process).
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
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import PASSPHRASE  # the folders are set up as the tests set them up
from tests.core.exchange_helpers import Office, enrol_pair, office, signed_session

from _common import Timing, machine, print_table, summarize, write_json
from ccsdesk.core.documents import packet as packet_document
from ccsdesk.core.exchange import (
    age_format,
    archive,
    certificates,
    store,
    transport,
    verified_copy,
)
from ccsdesk.core.services import exchange, exchange_content
from ccsdesk.core.storage.models import Committee, Meeting

MB = 1024 * 1024


def _cpu(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


class Clock:
    """Wall and CPU seconds of repeated runs of one thing (ours, or the age tool's child)."""

    def __init__(self, name: str, child: bool = False) -> None:
        self.name, self.who = name, resource.RUSAGE_CHILDREN if child else resource.RUSAGE_SELF
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __enter__(self) -> Clock:
        self._cpu0, self._wall0 = _cpu(self.who), time.perf_counter()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall.append(time.perf_counter() - self._wall0)
        self.cpu.append(_cpu(self.who) - self._cpu0)

    def timing(self) -> Timing:
        return summarize(self.name, self.wall)

    def cpu_median(self) -> float:
        return sorted(self.cpu)[len(self.cpu) // 2]


def settle() -> None:
    """Flush what earlier steps left to write, so that no step pays for another's writes
    (the age tool's runs included)."""
    os.sync()


def _age(clock: Clock, *args: str) -> None:
    with clock:
        subprocess.run(["age", *args], check=True, capture_output=True)


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
    data, _manifest = archive.seal(manifest, entries, sender.secrets.signing_key_der, chain,
                                   recipients)
    return bytes(data)


def one_big_entry(payload: bytes, sender: Office) -> tuple[dict, list[archive.Entry], list[str]]:
    """The manifest fields, the one 50 MB packet entry and the sender's chain to seal."""
    with sender.folder.database.reading() as session:
        own = session.query(Committee).filter_by(relation="self").one()
        chain = certificates.own_chain(sender.folder.keys_dir, own.signing_certificate)
    entries = [archive.Entry("entries/packets/gros.pdf", "packet", payload, "x")]
    manifest = {"sender": {"uid": "a", "name": "A"}, "receiver": {"uid": "b", "name": "B"},
                "sequence": 1, "created": "2026-03-10T10:00:00+00:00"}
    return manifest, entries, chain


def send_side(payload: bytes, sender: Office, recipients: list[str], out: Path,
              durable: bool = True) -> None:
    """The byte work of ``send`` for a 50 MB entry: seal (zip, sign, age), write and check."""
    manifest, entries, chain = one_big_entry(payload, sender)
    if durable:  # as ``send --out`` does: sealed straight to the file, read back meanwhile
        with verified_copy.VerifiedCopy(out) as copy:
            archive.seal_to(copy, manifest, entries, sender.secrets.signing_key_der, chain,
                            recipients)
            copy.commit()
    else:
        with out.open("wb", buffering=0) as handle:
            archive.seal_to(PlainFile(handle), manifest, entries,
                            sender.secrets.signing_key_der, chain, recipients)


class PlainFile:
    """Blocks written as they come, through the system's cache, without fsync or reading
    back: the age tool's terms (it encrypts and writes, nothing more)."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle
        self._block = memoryview(bytearray(verified_copy.BLOCK))

    def take(self) -> memoryview:
        return self._block

    def give(self, block: memoryview, size: int) -> None:
        self._handle.write(block[:size])


def age_then_usb_rule(clock: Clock, recipients: list[str], plain: Path, out: Path) -> None:
    """The stock tool given the same guarantees as ``send``: ``age -e`` writes the file,
    then it is flushed (fsync) and read back from the device (direct reads, 1 MiB at a
    time) — what the USB rule asks, without even comparing what is read."""
    with clock:
        subprocess.run(["age", "-e", *[arg for r in recipients for arg in ("-r", r)],
                        "-o", str(out), str(plain)], check=True, capture_output=True)
        with out.open("rb+") as handle:
            os.fsync(handle.fileno())
        descriptor = os.open(out, os.O_RDONLY | os.O_DIRECT)
        memory, offset = verified_copy.page_aligned(verified_copy.READ)
        with open(descriptor, "rb", buffering=0) as handle, \
                memoryview(memory)[offset:offset + verified_copy.READ] as view:
            while handle.readinto(view):
                pass


def age_layer(payload: bytes, recipients: list[str], identity: str, runs: int) -> list[Clock]:
    """pyrage against ``age_format`` on 50 MB in memory: the age layer alone."""
    import pyrage
    from pyrage import x25519

    clocks = [Clock("pyrage encrypt_io 50 MB (bytes)"), Clock("pyrage decrypt_io 50 MB"),
              Clock("age_format.encrypt 50 MB (ours, OpenSSL)"),
              Clock("age_format.decrypt 50 MB")]
    keys = [x25519.Recipient.from_str(r) for r in recipients]
    sealed = bytes(age_format.encrypt(payload, recipients))
    for _run in range(runs):
        with clocks[0]:
            pyrage.encrypt_io(io.BytesIO(payload), io.BytesIO(), keys)
        with clocks[1]:
            pyrage.decrypt_io(io.BytesIO(sealed), io.BytesIO(),
                              [x25519.Identity.from_str(identity)])
        with clocks[2]:
            age_format.encrypt(payload, recipients)
        with clocks[3]:
            age_format.decrypt(sealed, identity)
    return clocks


def breakdown(payload: bytes, sender: Office, receiver: Office, recipients: list[str],
              root: Path, runs: int) -> list[Clock]:
    """Where the time goes: each step of sending and receiving 50 MB on its own."""
    manifest, entries, chain = one_big_entry(payload, sender)
    clocks = [Clock("  seal: zip + SHA-256 (thread) + age, one pass"),
              Clock("  write_verified: write, fsync, rename, read back"),
              Clock("  plain write (no fsync)"),
              Clock("  read the file whole into memory"),
              Clock("  in memory: decrypt, then unpack (hash after)"),
              Clock("  in memory: open_sealed (hash while decrypting)"),
              Clock("  from the file by blocks: open_sealed"),
              Clock("  from the file: open_sealed, content kept meanwhile + put")]
    identity = receiver.secrets.age_identity
    target = root / "etapes.ccsa"
    for _run in range(runs):
        settle()
        with clocks[0]:
            data, _m = archive.seal(manifest, entries, sender.secrets.signing_key_der, chain,
                                    recipients)
        settle()
        with clocks[1]:
            transport.write_verified(target, data)
        target.unlink()
        settle()
        with clocks[2]:
            target.write_bytes(data)
        settle()
        with clocks[3]:
            data = target.read_bytes()
        with clocks[4]:
            archive.unpack(archive.decrypt(data, identity))
        with clocks[5]:
            archive.open_sealed(data, identity)
        settle()
        with clocks[6]:
            archive.open_sealed(target, identity)
        settle()
        with clocks[7]:
            contents = archive.open_sealed(target, identity,
                                           keep=store.incoming(receiver.folder))
            store.put(receiver.folder, contents)
        kept = receiver.folder.path / store.DIRECTORY / contents.manifest_sha256[:2] / (
            contents.manifest_sha256 + store.SUFFIX)
        kept.unlink()
        target.unlink()
    return clocks


def _print_clocks(title: str, clocks: list[Clock]) -> list[Timing]:
    timings = [clock.timing() for clock in clocks]
    print_table(title, timings)
    for clock in clocks:
        print(f"  {clock.name:<56} cpu median {clock.cpu_median() * 1000:>5.0f} ms")
    return timings


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
        ours_send = Clock("send 50 MB: seal + write, fsync, rename, read back")
        ours_plain = Clock("send 50 MB: seal + plain write (age's terms)")
        age_send = Clock("age -e 50 MB (stock tool, two recipients)", child=True)
        age_durable = Clock("age -e, then fsync and read back from the device")
        ours_receive = Clock("receive 50 MB: exchange.receive(FILE), read by blocks")
        age_receive = Clock("age -d 50 MB (stock tool)", child=True)
        sealed_by_age = root / "age.age"
        received_file = root / "recu.ccsa"
        print(f"load average before: {os.getloadavg()}")
        for run in range(args.runs):
            settle()
            with ours_send:
                send_side(payload, first, [district_recipient, own_recipient],
                          root / f"envoi-{run}.ccsa")
            settle()
            _age(age_send, "-e", "-r", district_recipient, "-r", own_recipient,
                 "-o", str(sealed_by_age), str(plain))
            settle()
            age_then_usb_rule(age_durable, [district_recipient, own_recipient], plain,
                              root / "age-usb.age")
            settle()
            with ours_plain:
                send_side(payload, first, [district_recipient, own_recipient],
                          root / f"simple-{run}.ccsa", durable=False)
            received_file.write_bytes(big_archive(first, district, payload, sequence=2 + run))
            settle()
            with ours_receive:
                district.receive(received_file)
            settle()
            _age(age_receive, "-d", "-i", str(key_file), "-o", str(root / "age-clair.bin"),
                 str(sealed_by_age))
            (root / f"envoi-{run}.ccsa").unlink()
            (root / f"simple-{run}.ccsa").unlink()
        print(f"load average after: {os.getloadavg()}")
        clocks = [ours_send, ours_plain, age_send, age_durable, ours_receive, age_receive]
        timings = _print_clocks("50 MB archive", clocks)
        all_timings.extend(timings)
        ratio_send = age_send.timing().median / ours_send.timing().median
        ratio_plain = age_send.timing().median / ours_plain.timing().median
        ratio_durable = age_durable.timing().median / ours_send.timing().median
        ratio_receive = age_receive.timing().median / ours_receive.timing().median
        print(f"\nthroughput vs age (wall): send {ratio_send:.2f}x end to end, "
              f"{ratio_plain:.2f}x without fsync/read-back; receive {ratio_receive:.2f}x "
              "(target >= 0.8x)")
        print(f"send against age -e given the same fsync and read-back: {ratio_durable:.2f}x")
        print(f"send {50 / ours_send.timing().median:.0f} MB/s, age -e "
              f"{50 / age_send.timing().median:.0f} MB/s; receive "
              f"{50 / ours_receive.timing().median:.0f} MB/s, age -d "
              f"{50 / age_receive.timing().median:.0f} MB/s")
        layer = _print_clocks("the age layer alone, 50 MB in memory",
                              age_layer(payload, [district_recipient, own_recipient],
                                        district.secrets.age_identity, args.runs))
        all_timings.extend(layer)
        steps = _print_clocks("where the time goes, 50 MB",
                              breakdown(payload, first, district,
                                        [district_recipient, own_recipient], root, args.runs))
        all_timings.extend(steps)
        results["fifty_mb"] = {"send_ratio": ratio_send, "send_ratio_plain": ratio_plain,
                               "send_ratio_same_guarantees": ratio_durable,
                               "receive_ratio": ratio_receive,
                               "cpu_ms": {c.name: c.cpu_median() * 1000
                                          for c in clocks}}

        # --- 200 archives into the District ---------------------------------------------
        meeting = _first_meeting(first)
        packet = packet_document.build_signed(first.folder, meeting.id, PASSPHRASE).data
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
