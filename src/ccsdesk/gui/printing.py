"""Printing and previewing our PDFs from the window, and opening them in the system viewer.

PySide6-Essentials has no QtPdf, so pages are rendered with pdfium (``pypdfium2``) into
images drawn on a ``QPrinter``: what the preview shows is exactly what the printer gets, and
it works the same with a USB printer on Windows 7 as with "print to PDF". Pages are rendered
at the printer's resolution, capped so a 45-page packet does not need gigabytes of memory.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QRect, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from ccsdesk.core.errors import InputError
from ccsdesk.core.files import write_atomically
from ccsdesk.core.i18n import _

MAX_DPI = 300


def _document(data: bytes):  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise InputError(_("This PDF cannot be read for printing: {reason}.").format(
            reason=error)) from None


def page_count(data: bytes) -> int:
    document = _document(data)
    try:
        return len(document)
    finally:
        document.close()


def page_image(document, index: int, dpi: float) -> QImage:  # type: ignore[no-untyped-def]
    """Page ``index`` of an open pdfium document as a QImage at ``dpi`` (white background)."""
    page = document[index]
    try:
        bitmap = page.render(scale=dpi / 72, rev_byteorder=True, may_draw_forms=True)
        try:
            image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                           QImage.Format.Format_RGB888 if bitmap.n_channels == 3
                           else QImage.Format.Format_RGBA8888)
            return image.copy()  # the bitmap's memory is freed below
        finally:
            bitmap.close()
    finally:
        page.close()


def print_pdf(data: bytes, printer: QPrinter) -> int:
    """Draw the PDF's pages (the range the user chose, if any) on ``printer``; returns how
    many pages were sent."""
    document = _document(data)
    painter = QPainter()
    try:
        total = len(document)
        first, last = 1, total
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage():
            first, last = printer.fromPage(), min(printer.toPage() or total, total)
        dpi = min(printer.resolution(), MAX_DPI)
        if not painter.begin(printer):
            raise InputError(_("The printer cannot be used (is it switched on and "
                               "connected?)."))
        sent = 0
        for index in range(first - 1, last):
            if sent:
                printer.newPage()
            image = page_image(document, index, dpi)
            target = painter.viewport()
            size = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = target.x() + (target.width() - size.width()) // 2
            y = target.y() + (target.height() - size.height()) // 2
            painter.setViewport(x, y, size.width(), size.height())
            painter.setWindow(image.rect())
            painter.drawImage(0, 0, image)
            painter.setViewport(target)
            painter.setWindow(QRect(0, 0, target.width(), target.height()))
            sent += 1
        return sent
    finally:
        if painter.isActive():
            painter.end()
        document.close()


def new_printer(title: str) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setFullPage(True)  # our PDFs carry their own margins
    return printer


def preview(parent: QWidget | None, data: bytes, title: str) -> QPrintPreviewDialog:
    """A print preview of ``data`` (not yet shown: call ``exec()``); prints from its button."""
    page_count(data)  # refuse an unreadable PDF before opening the window
    printer = new_printer(title)
    dialog = QPrintPreviewDialog(printer, parent)
    # The dialog does not own the printer: without this reference Python frees it under Qt.
    dialog.printer_ref = printer  # type: ignore[attr-defined]
    dialog.setWindowTitle(_("Print preview — {title}").format(title=title))
    dialog.paintRequested.connect(lambda printer: print_pdf(data, printer))
    return dialog


def print_with_dialog(parent: QWidget | None, data: bytes, title: str) -> int:
    """The system print dialog, then print; returns the pages sent (0: cancelled)."""
    printer = new_printer(title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(_("Print — {title}").format(title=title))
    dialog.setMinMax(1, page_count(data))
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return 0
    return print_pdf(data, printer)


def open_in_viewer(data: bytes, file_name: str) -> Path:
    """Write ``data`` to a temporary file and open it in the system's PDF viewer."""
    path = Path(tempfile.mkdtemp(prefix="ccsdesk-")) / file_name
    write_atomically(path, data)
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
    return path
