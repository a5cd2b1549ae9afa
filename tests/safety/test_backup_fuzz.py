"""Mutated backups: every damaged one refused, nothing partly restored, nothing written outside.

A real backup of a set-up commune is cut, bit-flipped, resealed after a flip (so the deeper
checks must catch it, not only the whole-file checksum), given oversized and oddly named
entries. Each mutation is restored into a fresh sandbox; a refusal must be a clear
:class:`CcsError` and leave the sandbox empty. The counts are printed for the CI log.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccsdesk.core.errors import CcsError
from ccsdesk.core.services import backup, committee, roster
from ccsdesk.core.storage.folder import DataFolder
from tests.conftest import PASSPHRASE
from tests.safety.backup_craft import entries_of, rebuild, snapshot_tree

# ``CCSDESK_FUZZ_SCALE`` multiplies the counts for a long run (CI uses 1).
SCALE = max(1, int(os.environ.get("CCSDESK_FUZZ_SCALE", "1")))
TRUNCATIONS = 300 * SCALE
FLIPS = 1000 * SCALE
RESEALED_FLIPS = 400 * SCALE


@pytest.fixture(scope="module")
def real_backup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("fuzz")
    folder = DataFolder.open(root / "donnees")
    try:
        committee.initialize(folder, level="commune", name="CCS de la Commune IV",
                             place="Commune IV", passphrase=PASSPHRASE)
        for number in range(12):
            roster.add_member(folder, roster.MemberData(last_name=f"Membre {number}", sex="F"))
        (folder.path / "documents").mkdir()
        (folder.path / "documents" / "pv-1.pdf").write_bytes(b"%PDF-1.7\n" + bytes(3000))
        yield backup.create(folder, root / "reelle.ccsbak")
    finally:
        folder.close()


class Sandbox:
    """A fresh folder per attempt; the restore target is a child that must not appear."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.count = 0

    def attempt(self, path: Path) -> tuple[str, Path | None]:
        """('refused', None) or ('accepted', target); asserts nothing leaked on refusal."""
        self.count += 1
        box = self.root / f"bac-{self.count}"
        box.mkdir()
        target = box / "cible"
        try:
            backup.restore(path, target, replace=False)
        except CcsError as error:
            assert error.message.strip() and "\n" not in error.message
            assert list(box.iterdir()) == [], f"left behind: {list(box.iterdir())}"
            box.rmdir()
            return "refused", None
        return "accepted", target


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    return Sandbox(tmp_path)


def _report(capsys: pytest.CaptureFixture[str], line: str) -> None:
    with capsys.disabled():
        print(f"\nfuzz: {line}")


def test_truncated_and_flipped_backups_are_all_refused(
    real_backup: Path, sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = real_backup.read_bytes()
    rng = random.Random(8)
    mutant = tmp_path / "mutant.ccsbak"
    outcomes: Counter[str] = Counter()
    cuts = sorted({0, 1, 21, 22, len(data) - 1, len(data) - 64, len(data) - 88,
                   *(rng.randrange(len(data)) for _ in range(TRUNCATIONS))})
    for cut in cuts:
        mutant.write_bytes(data[:cut])
        outcomes[sandbox.attempt(mutant)[0]] += 1
    # Every byte of the end (central directory, end record, trailer), then random ones.
    positions = set(range(max(0, len(data) - 400), len(data))) | set(range(64))
    positions |= {rng.randrange(len(data)) for _ in range(FLIPS)}
    for position in sorted(positions):
        changed = bytearray(data)
        changed[position] ^= 1 << rng.randrange(8)
        mutant.write_bytes(bytes(changed))
        outcomes[sandbox.attempt(mutant)[0]] += 1
    total = len(cuts) + len(positions)
    _report(capsys, f"{total} truncated or bit-flipped backups, {outcomes['accepted']} accepted, "
                    "0 crashes")
    assert outcomes == Counter(refused=total)


def test_resealed_flips_never_restore_altered_content(
    real_backup: Path, sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With the whole-file checksum recomputed, the entry checks must still catch damage.

    A flip in a field that carries no content (a timestamp in a zip header) may be accepted;
    then what was restored must be byte for byte the original content.
    """
    data = real_backup.read_bytes()
    original = {name: hashlib.sha256(blob).hexdigest()
                for name, blob in entries_of(real_backup).items() if name != "manifest.json"}
    rng = random.Random(9)
    mutant = tmp_path / "rescellee.ccsbak"
    outcomes: Counter[str] = Counter()
    for _ in range(RESEALED_FLIPS):
        changed = bytearray(data)
        changed[rng.randrange(len(data) - backup.TRAILER_LENGTH)] ^= 1 << rng.randrange(8)
        mutant.write_bytes(bytes(changed))
        backup.seal_trailer(mutant)
        result, target = sandbox.attempt(mutant)
        outcomes[result] += 1
        if target is not None:
            restored = {
                path.relative_to(target).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
                for path in target.rglob("*")
                if path.is_file() and path.parent.name != "sauvegardes"
            }
            restored.pop("ccsdesk.sqlite")  # carries the new "backup.restore" journal entry
            expected = {k: v for k, v in original.items() if k != "ccsdesk.sqlite"}
            assert restored == expected
            shutil.rmtree(target.parent)
    _report(capsys, f"{RESEALED_FLIPS} resealed bit flips, {outcomes['refused']} refused, "
                    f"{outcomes['accepted']} accepted with intact content, 0 altered, 0 crashes")
    assert outcomes["refused"] > RESEALED_FLIPS * 0.8  # most bytes of a backup are content


def test_oversized_entry_is_refused_with_its_limit(
    real_backup: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zip-bomb-like entry (16 MB of zeros in a few KB) over the per-file limit."""
    def bomb(contents: dict[str, bytes]) -> None:
        contents["documents/bombe.pdf"] = bytes(16 * 1024**2)

    bombed = rebuild(real_backup, tmp_path / "bombe.ccsbak", change=bomb)
    assert bombed.stat().st_size < 1024**2
    monkeypatch.setattr(backup, "MAX_ENTRY_BYTES", 8 * 1024**2)
    with pytest.raises(CcsError, match="limite de 8 Mo"):
        backup.verify(bombed)
    assert sandbox.attempt(bombed) == ("refused", None)
    monkeypatch.setattr(backup, "MAX_ENTRY_BYTES", 64 * 1024**2)
    monkeypatch.setattr(backup, "MAX_TOTAL_BYTES", 12 * 1024**2)
    with pytest.raises(CcsError, match="limite de 12 Mo"):
        backup.verify(bombed)


def test_too_many_entries_are_refused(real_backup: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def crowd(contents: dict[str, bytes]) -> None:
        for number in range(50):
            contents[f"scans/{number}.jpg"] = b"x"

    crowded = rebuild(real_backup, tmp_path / "foule.ccsbak", change=crowd)
    monkeypatch.setattr(backup, "MAX_ENTRIES", 40)
    with pytest.raises(CcsError, match="limite de 40"):
        backup.verify(crowded)


NAME_PARTS = st.sampled_from(["..", ".", "", "a", "keys", "évil", "C:", "\\", "..\\x", "/",
                              "\x00", "~", "con", "x" * 120])


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(NAME_PARTS, min_size=1, max_size=5), absolute=st.booleans())
def test_odd_entry_names_never_write_outside_the_target(
    real_backup: Path, tmp_path_factory: pytest.TempPathFactory, parts: list[str],
    absolute: bool
) -> None:
    name = ("/" if absolute else "") + "/".join(parts)
    work = tmp_path_factory.mktemp("noms")
    outside_before = snapshot_tree(work)

    def add(contents: dict[str, bytes]) -> None:
        contents[name] = b"charge"

    try:
        crafted = rebuild(real_backup, work / "noms.ccsbak", change=add)
    except (ValueError, OSError):
        return  # the zip library itself cannot write such a name
    box = work / "bac"
    box.mkdir()
    try:
        backup.restore(crafted, box / "cible", replace=False)
    except CcsError:
        assert list(box.iterdir()) == []
    else:
        # Accepted only when the name is an ordinary relative path inside the target.
        landed = (box / "cible").joinpath(*name.split("/"))
        assert landed.resolve().is_relative_to((box / "cible").resolve())
        assert landed.read_bytes() == b"charge"
    after = snapshot_tree(work)
    assert {k for k in after if not k.startswith("bac")} == set(outside_before) | {"noms.ccsbak"}


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255),
                                st.sampled_from(["set", "insert", "delete"])),
                      min_size=1, max_size=4))
def test_random_edits_of_the_bytes_are_refused(
    real_backup: Path, tmp_path_factory: pytest.TempPathFactory,
    edits: list[tuple[int, int, str]]
) -> None:
    data = bytearray(real_backup.read_bytes())
    for position, value, kind in edits:
        position %= len(data)
        if kind == "set":
            data[position] = value
        elif kind == "insert":
            data.insert(position, value)
        else:
            del data[position]
    if bytes(data) == real_backup.read_bytes():
        return
    work = tmp_path_factory.mktemp("octets")
    mutant = work / "m.ccsbak"
    mutant.write_bytes(bytes(data))
    assert Sandbox(work).attempt(mutant) == ("refused", None)
    assert zipfile.is_zipfile(real_backup)
