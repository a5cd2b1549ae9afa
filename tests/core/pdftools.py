"""Helpers that look at real PDFs with poppler and qpdf, as a reader's software would."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=60)


def text(pdf: Path, *, mode: str = "-layout") -> str:
    """What ``pdftotext`` reads out of ``pdf`` (``-layout`` keeps lines together; ``-raw``
    keeps the drawing order, which is how rotated text such as a watermark comes out)."""
    result = run("pdftotext", *([mode] if mode else []), pdf, "-")
    assert result.returncode == 0, result.stderr
    return result.stdout


def page_texts(pdf: Path) -> list[str]:
    """The text of each page (pdftotext separates pages with form feeds)."""
    return text(pdf).split("\f")[:-1]


def fonts(pdf: Path) -> list[list[str]]:
    """``pdffonts`` rows: name, type…, emb, sub, uni, object, generation."""
    result = run("pdffonts", pdf)
    assert result.returncode == 0, result.stderr
    return [line.split() for line in result.stdout.splitlines()[2:] if line.strip()]


def info(pdf: Path) -> dict[str, str]:
    result = run("pdfinfo", pdf)
    assert result.returncode == 0, result.stderr
    pairs = (line.split(":", 1) for line in result.stdout.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def render(pdf: Path, out_dir: Path, *, dpi: int = 60) -> list[Path]:
    """Every page as a PNG (``pdftoppm -png``), in page order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result = run("pdftoppm", "-png", "-r", str(dpi), pdf, out_dir / "page")
    assert result.returncode == 0, result.stderr
    return sorted(out_dir.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))


def qpdf_check(pdf: Path) -> str:
    result = run("qpdf", "--check", pdf)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def checked_pages(data: bytes, path: Path, *,
                  numbering: list[tuple[int, int]] | None = None) -> list[str]:
    """Write ``data``, check it with qpdf, pdffonts and pdftoppm, return its page texts.

    Every document we print must pass the same checks (fonts embedded, each page renders,
    "page N sur M" on each page), so the tests of each document share this one.
    ``numbering`` is the expected ``(page, of)`` of each page; by default the whole file is
    one run, "page 1 sur N" to "page N sur N".
    """
    path.write_bytes(data)
    qpdf_check(path)
    assert all(row[-5] == "yes" for row in fonts(path)), "a font is not embedded"
    pages = page_texts(path)
    images = render(path, path.with_suffix(""))
    assert len(images) == len(pages) >= 1
    assert all(image.stat().st_size > 3000 for image in images)
    expected_numbers = numbering or [(n, len(pages)) for n in range(1, len(pages) + 1)]
    assert len(expected_numbers) == len(pages)
    for page, (number, total) in zip(pages, expected_numbers, strict=True):
        assert re.findall(r"page \d+ sur \d+", page) == [f"page {number} sur {total}"]
    return pages
