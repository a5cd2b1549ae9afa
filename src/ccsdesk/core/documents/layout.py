"""The Malian administrative page: timbre, motto, number, place and date, footer with identity.

Every document the committee prints (roster, convocation, attendance sheet, PV, fiches) is
built through :func:`build_pdf`, so they all carry the same header a District clerk expects
(``domain.md``, "Documents") and the same footer: "page X sur Y", a short reference and a QR
code holding the document's id and content hash (``docs/formats/document-identity.md``), so a
printed copy can be matched with its signed digital record.

ReportLab is imported inside the functions: the command line must stay fast for commands that
print nothing.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ccsdesk.core import formats
from ccsdesk.core.documents import fonts
from ccsdesk.core.errors import StateError
from ccsdesk.core.i18n import _
from ccsdesk.core.services import places
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.core.storage.models import Committee, Place
from ccsdesk.core.text import fold

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

QR_SCHEME = "CCSDESK-DOC"
QR_VERSION = 1
# Two or three letters per kind of document, for the short reference in the footer.
KIND_CODES: dict[str, str] = {
    "roster": "LM",
    "convocation": "CV",
    "delivery": "BD",
    "attendance": "FE",
    "attendance-filled": "LP",
    "minutes": "PV",
    "recommendation": "FR",
    "packet": "DS",
}
STARS = "*" * 9

# Page geometry (points; 1 mm = 2.8346 pt).
_MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 595.2756, 841.8898  # A4
MARGIN_LEFT = MARGIN_RIGHT = 18 * _MM
MARGIN_TOP = 14 * _MM
MARGIN_BOTTOM = 30 * _MM
FRAME_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
QR_SIZE = 19 * _MM


@dataclass(frozen=True)
class Letterhead:
    """What the header of every document says about the committee that issues it."""

    timbre: tuple[str, ...]
    town: str
    registration_suffix: str
    committee_name: str
    chair_title: str
    fingerprint: str
    is_demo: bool


@dataclass(frozen=True)
class DocumentIdentity:
    """A document's id, kind and content hash: what the QR code and the PDF metadata carry."""

    id: str
    kind: str
    content_hash: str

    @property
    def reference(self) -> str:
        """``LM-3F9A-C21B``: short enough to read out or type, tied to the content."""
        digits = self.content_hash[:8].upper()
        return f"{KIND_CODES.get(self.kind, 'DOC')}-{digits[:4]}-{digits[4:]}"

    @property
    def payload(self) -> str:
        """The QR text; upper case only, so the QR uses the compact alphanumeric mode."""
        return ":".join(
            [QR_SCHEME, str(QR_VERSION), self.kind.upper(), self.id.upper(),
             self.content_hash.upper()]
        )


def parse_payload(text: str) -> DocumentIdentity:
    """The identity a QR payload (or the PDF's keywords) carries; raises ``ValueError``."""
    parts = text.strip().split(":")
    if len(parts) != 5 or parts[0] != QR_SCHEME or parts[1] != str(QR_VERSION):
        raise ValueError(f"not a {QR_SCHEME} payload")
    kind, doc_id, digest = parts[2].lower(), parts[3].lower(), parts[4].lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError("bad content hash")
    return DocumentIdentity(id=doc_id, kind=kind, content_hash=digest)


def content_hash(kind: str, content: Any) -> str:
    """SHA-256 of the canonical JSON of what the document shows (not of the PDF's bytes)."""
    canonical = json.dumps({"kind": kind, "content": content}, ensure_ascii=False,
                           sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def identify(kind: str, content: Any, doc_id: str | None = None) -> DocumentIdentity:
    """The identity of a document of ``kind`` showing ``content`` (a fresh id unless given)."""
    return DocumentIdentity(id=(doc_id or uuid.uuid4().hex).replace("-", "").lower(),
                            kind=kind, content_hash=content_hash(kind, content))


# --- the letterhead, from the committee's place ------------------------------------------

def _elided(template_vowel: str, template: str, name: str) -> str:
    """``d’Ansongo`` before a vowel, ``de Yélimané`` / ``de Hombori`` otherwise (as usage has)."""
    first = fold(name)[:1]
    return (template_vowel if first and first in "aeiou" else template).format(name=name)


def _unit_line(place: Place) -> str:
    """One line of the timbre: ``RÉGION DE SÉGOU``, ``CERCLE DE MACINA``, ``COMMUNE IV``."""
    name = place.name
    if place.kind == "region":
        line = _elided(_("Region of {name} (before a vowel)"), _("Region of {name}"), name)
    elif place.kind == "district":
        line = _elided(_("District of {name} (before a vowel)"), _("District of {name}"), name)
    elif place.kind == "cercle":
        line = _elided(_("Cercle of {name} (before a vowel)"), _("Cercle of {name}"), name)
    elif place.kind == "commune" and not fold(name).startswith("commune"):
        line = _elided(_("Commune of {name} (before a vowel)"), _("Commune of {name}"), name)
    else:
        line = name
    return line.upper()


def timbre_lines(place: Place | None) -> tuple[str, ...]:
    """The chain of authorities, country excluded, then the committee itself."""
    units = [p for p in places.chain(place) if p.kind != "country"] if place else []
    return (*(_unit_line(p) for p in units), _("SECURITY CONSULTATIVE COMMITTEE"))


def town_of(place: Place | None) -> str:
    """The town of the date line: the place's name, or the District's for its communes."""
    if place is None:
        return "Bamako"
    if place.kind == "country":
        return "Bamako"
    if place.kind == "commune" and place.parent is not None and place.parent.kind == "district":
        return place.parent.name
    return place.name


def registration_suffix(place: Place | None) -> str:
    """``CCS-CIV`` for Commune IV, ``CCS-SEG`` for Ségou: the issuing body after the number."""
    if place is None or place.kind == "country":
        return "CCS"
    if place.code:
        return f"CCS-{place.code.upper()}"
    key = fold(place.name).upper()
    if key.startswith("COMMUNE "):
        code = "C" + key.removeprefix("COMMUNE ").replace(" ", "")
    else:
        code = "".join(c for c in key if c.isalpha())[:3]
    return f"CCS-{code}"


def letterhead(folder: DataFolder) -> Letterhead:
    """This committee's letterhead; refuses a folder that has no committee yet."""
    with folder.database.reading() as session:
        row = session.scalar(select(Committee).where(Committee.relation == "self"))
        if row is None:
            raise StateError(
                _("This data folder has no committee yet: set it up first (ccsdesk init).")
            )
        place = row.place
        return Letterhead(
            timbre=timbre_lines(place), town=town_of(place),
            registration_suffix=registration_suffix(place), committee_name=row.name,
            chair_title=row.chair_title, fingerprint=row.fingerprint, is_demo=row.is_demo,
        )


# --- styles and building blocks ----------------------------------------------------------

@cache
def styles() -> dict[str, Any]:
    """Paragraph styles shared by all documents (Noto Sans, sizes for A4 office print)."""
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    fonts.register()
    base = ParagraphStyle("base", fontName=fonts.REGULAR, fontSize=10, leading=13,
                          alignment=TA_LEFT)
    return {
        "body": ParagraphStyle("body", parent=base, alignment=TA_JUSTIFY, spaceAfter=6),
        "plain": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        "cell_head": ParagraphStyle("cell_head", parent=base, fontName=fonts.BOLD,
                                    fontSize=8.5, leading=10.5, alignment=TA_CENTER),
        "cell_right": ParagraphStyle("cell_right", parent=base, fontSize=8.5, leading=10.5,
                                     alignment=TA_RIGHT),
        "timbre": ParagraphStyle("timbre", parent=base, fontName=fonts.BOLD, fontSize=8.5,
                                 leading=11, alignment=TA_CENTER),
        "stars": ParagraphStyle("stars", parent=base, fontSize=7, leading=8,
                                alignment=TA_CENTER),
        "republic": ParagraphStyle("republic", parent=base, fontName=fonts.BOLD,
                                   fontSize=11, leading=14, alignment=TA_CENTER),
        "motto": ParagraphStyle("motto", parent=base, fontName=fonts.ITALIC, fontSize=9,
                                leading=12, alignment=TA_CENTER),
        "number": ParagraphStyle("number", parent=base, fontSize=9.5, leading=12),
        "dateline": ParagraphStyle("dateline", parent=base, fontSize=10, leading=13,
                                   alignment=TA_RIGHT),
        "title": ParagraphStyle("title", parent=base, fontName=fonts.BOLD, fontSize=14,
                                leading=18, alignment=TA_CENTER, spaceBefore=4,
                                spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10, leading=13,
                                   alignment=TA_CENTER, spaceAfter=6),
        # keepWithNext: a heading never ends a page without what it heads.
        "heading": ParagraphStyle("heading", parent=base, fontName=fonts.BOLD, fontSize=11,
                                  leading=14, spaceBefore=10, spaceAfter=4, keepWithNext=1),
        "objet": ParagraphStyle("objet", parent=base, fontSize=10, leading=13,
                                spaceBefore=2, spaceAfter=8),
        # A numbered line (agenda item) whose wrapped lines align after the number.
        "numbered": ParagraphStyle("numbered", parent=base, leftIndent=9 * _MM,
                                   bulletIndent=1 * _MM, bulletFontName=fonts.REGULAR,
                                   bulletFontSize=10),
        "signature": ParagraphStyle("signature", parent=base, fontName=fonts.BOLD,
                                    fontSize=10, leading=13, alignment=TA_CENTER),
    }


def escape(text: str) -> str:
    """``text`` made safe for a ReportLab paragraph (which reads a little XML)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def header(head: Letterhead, *, day: date, title: str, subtitle: str = "",
           objet: str = "", numbered: bool = True) -> list[Flowable]:
    """The top of a first page: timbre | République du Mali, number | date, title, object."""
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    s = styles()
    left: list[Flowable] = []
    for position, line in enumerate(head.timbre):
        if position:
            left.append(Paragraph(STARS, s["stars"]))
        left.append(Paragraph(escape(line), s["timbre"]))
    right: list[Flowable] = [
        Paragraph(escape(_("REPUBLIC OF MALI")), s["republic"]),
        Paragraph(escape(_("One People – One Goal – One Faith")), s["motto"]),
        Paragraph(STARS, s["stars"]),
    ]
    column = 82 * _MM
    top = Table([[left, "", right]], colWidths=[column, FRAME_WIDTH - 2 * column, column])
    top.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), fonts.REGULAR, 9),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]))
    number = (
        _("No. {blank}/{body}").format(blank="_" * 10, body=head.registration_suffix)
        if numbered else ""
    )
    dateline = _("{town}, {date}").format(
        town=head.town, date=_("on {date}").format(date=formats.long_date(day))
    )
    second = Table([[Paragraph(escape(number), s["number"]),
                     Paragraph(escape(dateline), s["dateline"])]],
                   colWidths=[FRAME_WIDTH / 2, FRAME_WIDTH / 2])
    second.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), fonts.REGULAR, 9),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
    ]))
    flow: list[Flowable] = [top, Spacer(1, 5 * _MM), second, Spacer(1, 7 * _MM),
                            Paragraph(escape(title), s["title"])]
    if subtitle:
        flow.append(Paragraph(escape(subtitle), s["subtitle"]))
    if objet:
        flow.append(Paragraph(
            "<u><b>{label}</b></u> {text}".format(label=escape(_("Subject:")),
                                                  text=escape(objet)), s["objet"]))
    flow.append(Spacer(1, 2 * _MM))
    return flow


CELL_SIZE, CELL_LEADING = 8.5, 10.5
_CELL_PADDING = 3


@lru_cache(maxsize=8192)
def _fitted(text: str, font: str, room: float) -> str | None:
    """``text`` broken into lines no wider than ``room``, or ``None`` if a word is wider.

    Cached: the same categories, organisations and roles recur on every row.
    """
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines = simpleSplit(text, font, CELL_SIZE, room)
    if any(stringWidth(line, font, CELL_SIZE) > room for line in lines):
        return None
    return "\n".join(lines)


def _cell(text: str, font: str, width: float, style: Any) -> Any:
    """``text`` as a plain multi-line cell fitted to the column.

    Plain cells cost a tenth of a paragraph's time, which decides whether a 45-page packet
    builds in a fraction of a second; a paragraph is used only when a single word is wider
    than the column and must be broken inside.
    """
    fitted = _fitted(text, font, width - 2 * _CELL_PADDING)
    if fitted is None:
        from reportlab.platypus import Paragraph

        return Paragraph(escape(text), style)
    return fitted



def fitted_cell(text: str, width: float, *, bold: bool = False) -> Any:
    """``text`` as a cell of a column ``width`` points wide, for tables built by hand.

    Lines are kept (``\n``); the fast plain-text path of :func:`table` is used whenever no
    single word is wider than the column (see :func:`_cell`).
    """
    style = styles()["cell_head" if bold else "cell"]
    font = fonts.BOLD if bold else fonts.REGULAR
    parts = [_cell(line, font, width, style) for line in text.split("\n")]
    if all(isinstance(part, str) for part in parts):
        return "\n".join(parts)
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text).replace("\n", "<br/>"), style)

def table(rows: Sequence[Sequence[Any]], widths: Sequence[float], *,
          numeric_columns: Sequence[int] = (), zebra: bool = True) -> Flowable:
    """A ruled table whose first row is the heading, repeated on every page it spans.

    Cells may be text (wrapped to the column here) or ready flowables.
    """
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    s = styles()
    data: list[list[Any]] = []
    for index, row in enumerate(rows):
        cells: list[Any] = []
        for column, cell in enumerate(row):
            if not isinstance(cell, str):
                cells.append(cell)
                continue
            if index == 0:
                cells.append(_cell(cell, fonts.BOLD, widths[column], s["cell_head"]))
            else:
                style = s["cell_right"] if column in numeric_columns else s["cell"]
                cells.append(_cell(cell, fonts.REGULAR, widths[column], style))
        data.append(cells)
    result = Table(data, colWidths=list(widths), repeatRows=1)
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), fonts.REGULAR, CELL_SIZE, CELL_LEADING),
        ("FONT", (0, 0), (-1, 0), fonts.BOLD, CELL_SIZE, CELL_LEADING),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#555555")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#d9d9d9")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PADDING),
    ]
    commands.extend(("ALIGN", (column, 1), (column, -1), "RIGHT")
                    for column in numeric_columns)
    if zebra and len(data) > 2:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1),
                         [colors.white, colors.HexColor("#f2f2f2")]))
    result.setStyle(TableStyle(commands))
    return result


@cache
def _table_then_class() -> type:
    from reportlab.platypus import Flowable

    class TableThen(Flowable):
        """A table followed by what closes it, never leaving the closing alone on a page.

        It always asks to be split (``wrap`` claims more than the room there is), and the
        split decides: everything, if it fits; otherwise the rows that fit, holding back at
        least ``keep`` rows to go over with the closing, so a signature block never opens a
        page of its own below nothing but the footer.
        """

        def __init__(self, table: Any, after: list[Any], keep: int) -> None:
            super().__init__()
            self.table, self.after, self.keep = table, after, keep

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            return available_width, available_height + 1

        def split(self, available_width: float, available_height: float) -> list[Any]:
            from reportlab.platypus.flowables import _listWrapOn

            _width, height = self.table.wrapOn(self.canv, available_width, available_height)
            closing = _listWrapOn(self.after, available_width, self.canv)[1]
            if height + closing <= available_height:
                return [self.table, *self.after]
            rows = list(self.table._rowHeights)
            heading = sum(rows[:self.table.repeatRows])
            if len(rows) - self.table.repeatRows <= self.keep:
                return []  # too few rows to split: all of it goes to the next page
            cut = min(available_height, sum(rows[:-self.keep]))
            if cut < heading + rows[self.table.repeatRows]:
                return []
            parts = self.table.split(available_width, cut)
            if len(parts) < 2:
                return []
            return [parts[0], type(self)(parts[1], self.after, self.keep)]

        def draw(self) -> None:  # never drawn: ``wrap`` always makes the frame split it
            raise AssertionError("TableThen is split, not drawn")

    return TableThen


def table_then(table: Flowable, after: Sequence[Flowable], *, keep: int = 2) -> Flowable:
    """``table`` then ``after`` (a signature block…), the last ``keep`` rows kept with it."""
    return _table_then_class()(table, list(after), keep)


STAMP_WIDTH, STAMP_HEIGHT = 75 * _MM, 26 * _MM


@cache
def _stamp_spot_class() -> type:
    from reportlab.platypus import Flowable

    class StampSpot(Flowable):
        """Room for the visible signature stamp that remembers where it landed.

        After the build, ``page`` (0-based) and ``box`` (points from the page's bottom
        left) are what ``signing.sign_pdf(..., on_page=spot.page, box=spot.box)`` needs to
        put the stamp exactly there, on whatever page the text pushed it to.
        """

        def __init__(self, width: float, height: float) -> None:
            super().__init__()
            self.width, self.height = width, height
            self.page: int | None = None
            self.box: tuple[float, float, float, float] | None = None

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            return self.width, self.height

        def draw(self) -> None:
            x, y = self.canv.absolutePosition(0, 0)
            self.page = self.canv.getPageNumber() - 1
            self.box = (x, y, x + self.width, y + self.height)

    return StampSpot


def stamp_spot(width: float = STAMP_WIDTH, height: float = STAMP_HEIGHT) -> Any:
    """A :class:`StampSpot` flowable (see :func:`_stamp_spot_class`)."""
    return _stamp_spot_class()(width, height)


def signature_block(title: str, name: str = "", *, spot: Any = None) -> Flowable:
    """Title then name, on the right half of the page, with room for the wet signature.

    With ``spot`` (from :func:`stamp_spot`) that room is where the electronic stamp goes.
    """
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

    s = styles()
    room = spot if spot is not None else Spacer(1, 22 * _MM)
    inner: list[Flowable] = [Paragraph(escape(title), s["signature"]), room]
    if name:
        inner.append(Paragraph(escape(name), s["signature"]))
    block = Table([["", inner]], colWidths=[FRAME_WIDTH / 2, FRAME_WIDTH / 2])
    block.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), fonts.REGULAR, 10),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("ALIGN", (1, 0), (1, 0), "CENTER")]))
    return KeepTogether([Spacer(1, 6 * _MM), block])


def signature_parts(title: str, name: str = "") -> list[Flowable]:
    """:func:`signature_block`'s flowables, for :func:`table_then` (which keeps them whole)."""
    return list(signature_block(title, name)._content)


@cache
def _mark_classes() -> tuple[type, type]:
    from reportlab.platypus import Flowable

    class Bookmark(Flowable):
        """An invisible mark: a bookmark (and outline entry) on the page where it lands."""

        def __init__(self, key: str, title: str, level: int) -> None:
            super().__init__()
            self.key, self.title, self.level = key, title, level
            self.width = self.height = 0

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            return 0, 0

        def draw(self) -> None:
            self.canv._marks.append((self.key, self.title, self.level))

    class PageRef(Flowable):
        """The number of the page a :class:`Bookmark` landed on, right-aligned in its box.

        Drawn when the document is saved, so a contents page can name pages that come after.
        """

        def __init__(self, key: str, width: float, size: float) -> None:
            super().__init__()
            self.key, self.width, self.size = key, width, size
            self.height = size * 1.25

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            return self.width, self.height

        def draw(self) -> None:
            x, y = self.canv.absolutePosition(self.width, self.size * 0.3)
            self.canv._page_refs.append((self.key, x, y, self.size))

    return Bookmark, PageRef


@cache
def _numbering_start_class() -> type:
    from reportlab.platypus import Flowable

    class NumberingStart(Flowable):
        """An invisible mark: "page X sur Y" starts again at 1 on the page where it lands."""

        def __init__(self) -> None:
            super().__init__()
            self.width = self.height = 0

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            return 0, 0

        def draw(self) -> None:
            self.canv._restart = True

    return NumberingStart


def restart_numbering() -> Flowable:
    """Number the pages from here as a document of their own ("page 1 sur 2", …).

    Individual convocations are printed in one file but handed to different people: each
    letter is counted on its own, so nobody receives a "page 7 sur 23". Put it first on the
    page that starts the new count (right after a ``PageBreak``).
    """
    return _numbering_start_class()()


def page_numbers(restarts: Sequence[bool]) -> list[tuple[int, int]]:
    """``(number, total)`` of each page; a page whose entry is true starts a new count."""
    starts = [index for index, restart in enumerate(restarts) if restart or index == 0]
    result: list[tuple[int, int]] = []
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(restarts)
        result += [(index - start + 1, end - start) for index in range(start, end)]
    return result


def bookmark(key: str, title: str = "", level: int = 0) -> Flowable:
    """A bookmark named ``key`` where this flowable lands; with ``title``, an outline entry.

    Outline levels must follow one another (0, then 0 or 1, …), as the PDF outline nests.
    """
    return _mark_classes()[0](key, title, level)


def page_ref(key: str, width: float = 12 * _MM, size: float = CELL_SIZE) -> Flowable:
    """The page number of :func:`bookmark` ``key``, for a table of contents."""
    return _mark_classes()[1](key, width, size)


# --- the page: footer, watermark, and the build ------------------------------------------

def _draw_watermark(canvas: Any) -> None:
    from reportlab.lib import colors

    canvas.saveState()
    canvas.setFillColor(colors.HexColor("#c8c8c8"))
    canvas.setFillAlpha(0.35)
    canvas.setFont(fonts.BOLD, 64)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(52)
    canvas.drawCentredString(0, -22, _("TEST DOCUMENT"))
    canvas.restoreState()


def qr_modules(payload: str) -> list[list[bool]]:
    """The QR code of ``payload`` (error correction M) as rows of dark/light modules."""
    from reportlab.graphics.barcode import qrencoder

    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.make()
    count = code.getModuleCount()
    return [[bool(code.isDark(row, col)) for col in range(count)] for row in range(count)]


def _draw_qr(canvas: Any, modules: list[list[bool]], size: float) -> None:
    """Dark runs of each row as filled rectangles (top row first), ``size`` points wide."""
    from reportlab.lib import colors

    unit = size / len(modules)
    canvas.setFillColor(colors.black)
    path = canvas.beginPath()
    for row, line in enumerate(modules):
        y = size - (row + 1) * unit
        col = 0
        while col < len(line):
            if not line[col]:
                col += 1
                continue
            start = col
            while col < len(line) and line[col]:
                col += 1
            path.rect(start * unit, y, (col - start) * unit, unit)
    canvas.drawPath(path, stroke=0, fill=1)


def footer_left(text: str, room: float, size: float = 8) -> str:
    """``text`` cut with an ellipsis to ``room`` points, so a long committee name never runs
    into "page X sur Y"."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, fonts.REGULAR, size) <= room:
        return text
    while text and stringWidth(text + "…", fonts.REGULAR, size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def _canvas_class(head: Letterhead, identity: DocumentIdentity) -> type:
    """A canvas that holds its pages back until the end, so each footer knows the total.

    The footer (and the test watermark, drawn over the content so that table backgrounds
    cannot hide it) is added to each held page when the document is saved.
    """
    from reportlab.lib import colors
    from reportlab.pdfgen.canvas import Canvas

    reference = _("Ref. {reference}").format(reference=identity.reference)
    modules = qr_modules(identity.payload)

    class FooterCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []
            # Bookmarks and page references of the page being drawn (see ``bookmark``).
            self._marks: list[tuple[str, str, int]] = []
            self._page_refs: list[tuple[str, float, float, float]] = []
            self._restart = False  # set by ``restart_numbering`` on this page

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()
            self._marks, self._page_refs, self._restart = [], [], False

        def save(self) -> None:
            numbers = page_numbers([state["_restart"] for state in self._held])
            # Held pages all share one PDF page object until shown, so bookmarks and page
            # references are resolved here, where every page's final number is known.
            page_of = {key: number for number, state in enumerate(self._held, start=1)
                       for key, _title, _level in state["_marks"]}
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                for key, title, level in state["_marks"]:
                    self.bookmarkPage(key)
                    if title:
                        self.addOutlineEntry(title, key, level)
                for key, x, y, size in state["_page_refs"]:
                    self.setFillColor(colors.black)
                    self.setFont(fonts.REGULAR, size)
                    self.drawRightString(x, y, str(page_of.get(key, "")))
                self._footer(*numbers[number - 1])
                super().showPage()
            if page_of:
                self.showOutline()
            super().save()

        def _footer(self, number: int, total: int) -> None:
            if not getattr(self, "_qr_form", False):
                self.beginForm("ccsdesk-qr")
                _draw_qr(self, modules, QR_SIZE)
                self.endForm()
                self._qr_form = True
            if head.is_demo:
                _draw_watermark(self)
            self.saveState()
            line_y = MARGIN_BOTTOM - 6 * _MM
            self.setStrokeColor(colors.HexColor("#777777"))
            self.setLineWidth(0.5)
            self.line(MARGIN_LEFT, line_y, PAGE_WIDTH - MARGIN_RIGHT - QR_SIZE - 4 * _MM,
                      line_y)
            self.setFillColor(colors.black)
            self.setFont(fonts.REGULAR, 8)
            text_y = line_y - 4.2 * _MM
            right = PAGE_WIDTH - MARGIN_RIGHT - QR_SIZE - 4 * _MM
            page_label = _("page {number} of {total}").format(number=number, total=total)
            room = right - MARGIN_LEFT - self.stringWidth(page_label, fonts.REGULAR, 8) - 4 * _MM
            self.drawString(MARGIN_LEFT, text_y,
                            footer_left(f"{reference} · {head.committee_name}", room))
            self.drawRightString(right, text_y, page_label)
            self.setFont(fonts.REGULAR, 6.5)
            self.setFillColor(colors.HexColor("#555555"))
            self.drawString(MARGIN_LEFT, text_y - 3.6 * _MM,
                            _("Document id: {id}").format(id=identity.id))
            self.translate(PAGE_WIDTH - MARGIN_RIGHT - QR_SIZE, 7 * _MM)
            self.doForm("ccsdesk-qr")
            self.restoreState()

    return FooterCanvas


def build_pdf(head: Letterhead, identity: DocumentIdentity, story: list[Flowable], *,
              title: str, subject: str = "") -> bytes:
    """Lay ``story`` out on A4 pages with the footer (and watermark); returns the PDF bytes."""
    import io

    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    fonts.register()
    buffer = io.BytesIO()

    document = BaseDocTemplate(
        buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT, topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
        title=title, author=head.committee_name, subject=subject or title,
        creator="CCS Desk", keywords=identity.payload, lang="fr-ML",
        initialFontName=fonts.REGULAR,
    )
    frame = Frame(MARGIN_LEFT, MARGIN_BOTTOM, FRAME_WIDTH,
                  PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    document.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    document.build(story, canvasmaker=_canvas_class(head, identity))
    return buffer.getvalue()
