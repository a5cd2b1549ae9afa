"""The signature's visible stamp, drawn with ReportLab as a one-page PDF the size of the box.

pyHanko can lay out the stamp text itself, but in a font that has our letters and draws "–"
right only through its OpenType engine, whose import pulls in fontTools' subsetter (and
HarfBuzz) and which subsets the font again at every signature: about 0.1 s that the
command-line packet (issue 5: under 1 s) cannot spare. ReportLab, already loaded by every
document we sign, embeds the same font (the Latin cut of Noto Sans in
``documents/stamp_font.py``) with its own fast subsetter. ``pades.py`` then hands the page to
pyHanko as the stamp's static appearance: the same opaque white card with a thin border,
the text in 9-point lines centred vertically (pyHanko used to shrink the five lines to
about 7 points to fit its margins; here a line shrinks only when it is too wide).
"""

from __future__ import annotations

import io

from ccsdesk.core.documents import stamp_font

FONT_SIZE = 9.0
LEADING = 12.0
MARGIN = 7.0
BORDER = 1.0
# Never shrink a long line (a committee's full name) below this: past it, it is cut.
SMALLEST_SIZE = 6.0
_registered: list[bool] = []


def _register_font() -> None:
    """Make the stamp font known to ReportLab once per process (a 0.14 MB file to parse)."""
    if _registered:
        return
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(stamp_font.POSTSCRIPT, str(stamp_font.stamp_font_path())))
    _registered.append(True)


def draw(lines: list[str], width: float, height: float) -> bytes:
    """A PDF of one ``width`` × ``height`` page (points) showing ``lines`` as the stamp.

    The font shrinks (down to ``SMALLEST_SIZE``) when the longest line would not fit between
    the margins, so that a long committee name stays whole instead of running off the card.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen import canvas

    _register_font()
    font = stamp_font.POSTSCRIPT
    widest = max((pdfmetrics.stringWidth(line, font, FONT_SIZE) for line in lines), default=0)
    room = width - 2 * MARGIN
    size = FONT_SIZE if widest <= room else max(SMALLEST_SIZE, FONT_SIZE * room / widest)
    leading = LEADING * size / FONT_SIZE

    buffer = io.BytesIO()
    # The initial font too, or ReportLab names Helvetica in the page (unembedded).
    page = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1, invariant=1,
                         initialFontName=font, initialFontSize=size, initialLeading=leading)
    page.setFillColorRGB(1, 1, 1)
    page.setStrokeColorRGB(0, 0, 0)
    page.setLineWidth(BORDER)
    page.rect(0, 0, width, height, stroke=1, fill=1)
    page.setFillColorRGB(0, 0, 0)
    # Centre the block of lines: each line takes one leading, its baseline sits where the
    # font's ascent (about 1.07 em for Noto Sans) and the half of the extra leading put it.
    ascent = pdfmetrics.getAscent(font, size)
    descent = -pdfmetrics.getDescent(font, size)
    block = (len(lines) - 1) * leading + ascent + descent
    baseline = (height + block) / 2 - ascent
    text = page.beginText(MARGIN, baseline)
    text.setFont(font, size, leading)
    for line in lines:
        text.textLine(line)
    page.drawText(text)
    page.showPage()
    page.save()
    return buffer.getvalue()
