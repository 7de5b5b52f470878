"""Printing a letter's PDF: on paper page by page, at its true size where the paper allows.

QtPdf draws a PDF only as pixels, so each page goes to the printer as an image, rendered at
``PRINT_DPI``: at the printer's own resolution (1,200 dpi for Qt's PDF printer) a page was an
image of over 500 MB that held the window 5.6 s and made a 5 MB file with no text in it. Qt's
"Print to file" gets the letter's PDF itself instead: its text, fonts and code stay as
registered (the file checks against the register), unless a range of its pages was chosen.

A page is placed whole inside what the printer can print (its hardware margins), centred,
at its own size or smaller, never cut: the letter's code sits 4 mm above the paper's edge.
"""

from __future__ import annotations

import os
import tempfile
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPainter
from PySide6.QtPrintSupport import QPrinter

from app.errors import QorgauError
from app.i18n import _
from app.os_errors import os_error_reason

if TYPE_CHECKING:
    from PySide6.QtPdf import QPdfDocument

PRINT_DPI = 300  # sharp text and a readable code on paper, 35 MB a page to render
POINTS_PER_INCH = 72


class PrintFailed(QorgauError):
    """The printer (or the file printed to) did not take the letter; nothing was printed."""


class PrintedThing(Enum):
    """What is printed, for the words of a refusal (the statistical report prints here too)."""

    LETTER = "letter"
    REPORT = "report"


def print_pdf(content: bytes, printer: QPrinter, thing: PrintedThing = PrintedThing.LETTER) -> None:
    """Print ``content`` (a PDF) on ``printer`` as the print dialog left it set up."""
    to_file = printer.outputFormat() == QPrinter.OutputFormat.PdfFormat
    if to_file and printer.outputFileName() and printer.pageRanges().isEmpty():
        _write_whole(Path(printer.outputFileName()), content)
        return
    document = _opened(content, thing)
    try:
        pages = [
            index
            for index in range(document.pageCount())
            if printer.pageRanges().isEmpty() or printer.pageRanges().contains(index + 1)
        ]
        if pages:  # the dialog offers the letter's pages only; none chosen, nothing printed
            _paint_pages(document, pages, printer, thing)
    finally:
        document.close()


def _write_whole(path: Path, content: bytes) -> None:
    """The letter's own PDF at ``path``, through a file beside it: a failed write leaves no
    part of a letter there, nor takes away the file that was."""
    try:
        fd, temporary = tempfile.mkstemp(prefix=".qorgau-print-", dir=path.parent)
    except OSError as exc:
        raise _not_written(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise _not_written(path, exc) from exc


def _not_written(path: Path, exc: OSError) -> PrintFailed:
    return PrintFailed(
        _("{path} cannot be written: {error}").format(path=path, error=os_error_reason(exc))
    )


def _opened(content: bytes, thing: PrintedThing) -> QPdfDocument:
    # Imported here: a Qt without QtPdf has no Print (``preview.HAVE_QTPDF``).
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    buffer = QBuffer(document)  # the document reads from it until it is closed
    buffer.setData(QByteArray(content))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready:
        if thing is PrintedThing.REPORT:
            raise PrintFailed(_("The report could not be read for printing."))
        raise PrintFailed(_("The letter could not be read for printing."))
    return document


def _paint_pages(
    document: QPdfDocument, pages: list[int], printer: QPrinter, thing: PrintedThing
) -> None:
    printer.setFullPage(True)  # the page's own margins are the letter's, drawn in its PDF
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintFailed(_not_printed(printer, thing))
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    try:
        for done, index in enumerate(pages):
            if done and not printer.newPage():
                printer.abort()
                raise PrintFailed(_not_printed(printer, thing))
            target = page_target(printer, document.pagePointSize(index))
            painter.drawImage(target, _page_image(document, index, target.size(), printer))
    finally:
        ended = painter.end()
    if not ended:
        raise PrintFailed(_not_printed(printer, thing))


def page_target(printer: QPrinter, points: QSizeF) -> QRectF:
    """Where a page of ``points`` goes on the paper, in the printer's pixels: centred in what
    the printer can print, at its own size or smaller so that all of it is printed."""
    resolution = printer.resolution()
    printable = QPageLayout(printer.pageLayout())
    printable.setMode(QPageLayout.Mode.StandardMode)  # a full page's paint rect ignores margins
    printable.setMargins(printable.minimumMargins())
    area = QRectF(printable.paintRectPixels(resolution))
    size = points * (resolution / POINTS_PER_INCH)
    scale = min(1.0, area.width() / size.width(), area.height() / size.height())
    size *= scale
    left = area.left() + (area.width() - size.width()) / 2
    top = area.top() + (area.height() - size.height()) / 2
    return QRectF(left, top, size.width(), size.height())


def _page_image(document: QPdfDocument, index: int, target: QSizeF, printer: QPrinter) -> QImage:
    """The page at ``PRINT_DPI`` (or the printer's lower resolution) on white: a transparent
    page went to the printer with a mask of the same size, which printers are slow to do."""
    ratio = min(1.0, PRINT_DPI / printer.resolution())
    size = QSize(round(target.width() * ratio), round(target.height() * ratio))
    page = QImage(size, QImage.Format.Format_RGB32)
    page.fill(Qt.GlobalColor.white)
    painter = QPainter(page)
    painter.drawImage(0, 0, document.render(index, size))
    painter.end()
    return page


def _not_printed(printer: QPrinter, thing: PrintedThing) -> str:
    where = printer.outputFileName() or printer.printerName()
    if thing is PrintedThing.REPORT:
        return _(
            "The report was not printed: {printer} did not take it. Check the printer (or the "
            "folder printed to) and print again."
        ).format(printer=where)
    return _(
        "The letter was not printed: {printer} did not take it. Check the printer (or the "
        "folder printed to) and print again."
    ).format(printer=where)
