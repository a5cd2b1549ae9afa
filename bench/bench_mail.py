"""Sending an archive by e-mail beside writing it to a file, in-process.

A demo commune (``ccsdesk demo``) enrolled under a District; its archive (the signed session
and its data, about 120 KB) is sent again and again — nothing is acknowledged, so each send
carries the same content under the next number:

* ``send --out``: ``exchange.send`` writing the file with the USB-safe ``write_verified``;
* ``send --mail``: ``mail.send`` — the sealed password opened (one more scrypt), a login
  before building, then the same archive mailed through a real SMTP server on 127.0.0.1
  (``tests/core/smtp_server.py``), so the network costs nothing and what is measured is
  the program's own work.

Wall and CPU (user + system) seconds of each run, and the load average at the time.

    .venv/bin/python bench/bench_mail.py [--runs 10]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.core.smtp_server import MailServer  # noqa: E402

from ccsdesk.cli.main import main as cli_main  # noqa: E402
from ccsdesk.core.exchange import identity, transport  # noqa: E402
from ccsdesk.core.services import exchange, mail  # noqa: E402
from ccsdesk.core.storage.folder import DataFolder  # noqa: E402

PASSPHRASE = "demo-ccsdesk"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _run(root: Path, folder: str, *args: str) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        if cli_main(["--data-dir", str(root / folder), *args]) != 0:
            raise SystemExit(f"ccsdesk {' '.join(args)} failed")


def _pair(root: Path) -> None:
    _run(root, "commune", "demo")
    _run(root, "district", "init", "--level", "district", "--name",
         "CCS du District de Bamako", "--place", "Bamako")
    for name in ("commune", "district"):
        _run(root, name, "identity", "export", str(root / f"{name}.json"))
    prints = {name: identity.parse((root / f"{name}.json").read_bytes()).fingerprint
              for name in ("commune", "district")}
    _run(root, "district", "identity", "enrol", str(root / "commune.json"), "--as", "child",
         "--fingerprint", prints["commune"])
    _run(root, "commune", "identity", "enrol", str(root / "district.json"), "--as", "parent",
         "--fingerprint", prints["district"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    os.environ["CCSDESK_PASSPHRASE"] = PASSPHRASE
    root = Path(tempfile.mkdtemp(prefix="ccsdesk-bench-mail-"))
    _pair(root)
    folder = DataFolder.open(root / "commune")
    size = 0
    with MailServer(user="ccs.commune4", password="mot-de-passe-smtp") as server:
        mail.update(folder, server="127.0.0.1", port=server.port, security="none",
                    user="ccs.commune4", password="mot-de-passe-smtp",
                    sender="ccs.commune4@exemple.ml",
                    addresses={"parent": "ccs.district@exemple.ml"})

        def to_file(run: int) -> None:
            nonlocal size
            size = exchange.send(folder, "parent", PASSPHRASE, lambda data: (
                transport.write_verified(root / f"archive-{run}.ccsa", data))).size

        def by_mail(_run: int) -> None:
            mail.send(folder, "parent", PASSPHRASE)

        for label, work in (("send --out (file, read back)", to_file),
                            ("send --mail (local SMTP server)", by_mail)):
            walls, cpus = [], []
            for run in range(args.runs):
                wall, cpu = time.perf_counter(), _cpu()
                work(run)
                walls.append(time.perf_counter() - wall)
                cpus.append(_cpu() - cpu)
            walls.sort()
            cpus.sort()
            print(f"{label:<34} wall median {walls[len(walls) // 2] * 1000:4.0f} ms "
                  f"(min {walls[0] * 1000:.0f}, max {walls[-1] * 1000:.0f}), CPU median "
                  f"{cpus[len(cpus) // 2] * 1000:4.0f} ms; load {os.getloadavg()[0]:.2f}")
    folder.close()
    print(f"archive {size // 1024} KB; {len(server.messages)} messages received")
    return 0


if __name__ == "__main__":
    sys.exit(main())
