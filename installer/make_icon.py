"""Draw the application icon: ``resources/icons/ccsdesk.png`` and ``ccsdesk.ico``.

Why a script: the emblem is drawn from a few shapes, so it can be redrawn at any size and
the Windows icon (several sizes in one ``.ico``, needed by the executables, the installer and
the registered file type) never drifts from the PNG the window uses. Drawn at 4x and scaled
down for smooth edges. Pillow comes with ReportLab, so no extra dependency is needed.

Usage: ``.venv/bin/python installer/make_icon.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 96, 128, 256)

NAVY = (22, 45, 80, 255)
WHITE = (255, 255, 255, 255)
# The three colours of Mali's flag, in its order.
GREEN = (20, 181, 58, 255)
GOLD = (252, 209, 22, 255)
RED = (206, 17, 38, 255)


def draw(size: int = 1024) -> Image.Image:
    """The emblem: a shield in Mali's colours on a rounded navy tile, a table of three seats."""
    scale = 4
    s = size * scale
    image = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, s - 1, s - 1), radius=s // 5, fill=NAVY)

    # Shield outline: a flat top and a pointed base, with a white border.
    left, right, top, bottom = s * 0.22, s * 0.78, s * 0.16, s * 0.86
    shoulder = top + (bottom - top) * 0.55
    outline = [(left, top), (right, top), (right, shoulder), ((left + right) / 2, bottom),
               (left, shoulder)]
    pen.polygon(outline, fill=WHITE)
    border = s * 0.035
    inner = [(left + border, top + border), (right - border, top + border),
             (right - border, shoulder - border * 0.2), ((left + right) / 2, bottom - border * 1.6),
             (left + border, shoulder - border * 0.2)]
    bands = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    band_pen = ImageDraw.Draw(bands)
    width = (right - left - 2 * border) / 3
    for index, colour in enumerate((GREEN, GOLD, RED)):
        x0 = left + border + index * width
        band_pen.rectangle((x0, 0, x0 + width + 1, s), fill=colour)
    mask = Image.new("L", (s, s), 0)
    ImageDraw.Draw(mask).polygon(inner, fill=255)
    image.paste(bands, (0, 0), mask)

    # Three white seats around a round table: the committee in session.
    cx, cy = (left + right) / 2, top + (bottom - top) * 0.42
    table = s * 0.085
    pen.ellipse((cx - table, cy - table, cx + table, cy + table), fill=WHITE, outline=NAVY,
                width=int(s * 0.012))
    seat = s * 0.045
    for dx, dy in ((-1.9, -0.9), (1.9, -0.9), (0, 2.1)):
        x, y = cx + dx * table, cy + dy * table
        pen.ellipse((x - seat, y - seat, x + seat, y + seat), fill=WHITE, outline=NAVY,
                    width=int(s * 0.01))
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> int:
    ICONS.mkdir(parents=True, exist_ok=True)
    big = draw(1024)
    big.resize((256, 256), Image.Resampling.LANCZOS).save(ICONS / "ccsdesk.png", optimize=True)
    big.save(ICONS / "ccsdesk.ico", sizes=[(n, n) for n in ICO_SIZES])
    for name in ("ccsdesk.png", "ccsdesk.ico"):
        print(f"wrote {ICONS / name} ({(ICONS / name).stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
