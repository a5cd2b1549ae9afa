"""The shipped Noto Sans faces, registered with ReportLab once, on first use.

ReportLab's built-in Helvetica has no ɛ ɔ ɲ ŋ, so Bambara names would print as boxes; Noto
Sans (SIL Open Font License, ``resources/fonts/OFL.txt``) covers French and Bambara and is
embedded (subset) in every document. pyHanko's signature stamp uses a Latin cut of the same
font (``stamp_font.py``), because its own default font draws "–" wrongly.
"""

from __future__ import annotations

from pathlib import Path

from ccsdesk.core.resources import resource_path

REGULAR = "NotoSans"
BOLD = "NotoSans-Bold"
ITALIC = "NotoSans-Italic"
_FILES = {
    REGULAR: "NotoSans-Regular.ttf",
    BOLD: "NotoSans-Bold.ttf",
    ITALIC: "NotoSans-Italic.ttf",
}
_registered: list[bool] = []


def font_file(face: str = REGULAR) -> Path:
    """The TTF file of ``face`` among the shipped fonts."""
    return resource_path("fonts", _FILES[face])


def register() -> None:
    """Make the Noto Sans family known to ReportLab (idempotent, cheap after the first call)."""
    if _registered:
        return
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for face, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(face, str(resource_path("fonts", filename))))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD)
    _registered.append(True)
