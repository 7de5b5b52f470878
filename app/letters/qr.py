"""The check code printed on a letter, and the digest it carries.

A PDF cannot contain its own SHA-256, so the QR code carries a digest of the letter's
*content* instead, and the register stores both:

1. the register assigns the outgoing number and builds the ``LetterContext``;
2. ``content_digest(context)`` = SHA-256 (hex) of a canonical JSON of the context with
   ``letter_hash_for_qr`` left out (sorted keys, no spaces, UTF-8, dates ISO 8601, amounts
   as normalised decimal strings, wrapped in ``{"format": DIGEST_FORMAT, ...}``);
3. ``render_letter(with_qr_digest(context))`` draws ``QORGAU|<number>|<digest>`` as a QR
   code in the bottom corner of the first page;
4. the register stores the PDF, the PDF's own SHA-256 and the content digest.

A printed copy is checked by scanning the code and comparing the digest with the register;
a PDF file is checked by its SHA-256. The digest does not depend on reportlab's output, so a
later version of the renderer (or fonts) does not invalidate printed letters.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.pdfgen.canvas import Canvas

from app.letters.context import LetterContext

DIGEST_FORMAT = "qorgau-letter-digest/1"
QR_PREFIX = "QORGAU"
DRAFT_NUMBER = "DRAFT"


def _keep_all(value: Any, spec: dataclasses.Field[Any]) -> bool:
    return False


def canonical(value: Any, omit: Callable[[Any, dataclasses.Field[Any]], bool] = _keep_all) -> Any:
    """``value`` as JSON-ready data; ``omit(dataclass, field)`` leaves a field out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            spec.name: canonical(getattr(value, spec.name), omit)
            for spec in dataclasses.fields(value)
            if not omit(value, spec)
        }
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): canonical(item, omit) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(item, omit) for item in value]
    return value


def content_digest(context: LetterContext) -> str:
    """SHA-256 (hex) of the letter's content, independent of the PDF bytes."""
    fields = {
        spec.name: getattr(context, spec.name)
        for spec in dataclasses.fields(context)
        if spec.name != "letter_hash_for_qr"
    }
    document = {"format": DIGEST_FORMAT, "context": canonical(fields)}
    encoded = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def with_qr_digest(context: LetterContext) -> LetterContext:
    """The same context with ``letter_hash_for_qr`` set to its content digest."""
    return dataclasses.replace(context, letter_hash_for_qr=content_digest(context))


def qr_payload(number: str | None, digest: str) -> str:
    return f"{QR_PREFIX}|{number or DRAFT_NUMBER}|{digest}"


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR modules (error correction M, no quiet zone) as rows of booleans."""
    # A fixed mask is as valid as the "best" one and skips scoring all eight (most of the
    # encoding time); the code sits on a white margin, so the mask's contrast gain is moot.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=0)
    code.add_data(payload)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """Draw ``payload`` as a square QR code of ``size`` points with its lower-left at (x, y).

    Runs of dark modules become one rectangle each, in one path: reportlab's own QR widget
    draws a shape per module and was most of a letter's render time.
    """
    matrix = qr_matrix(payload)
    module = size / len(matrix)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            run_start = column
            while column < len(row) and row[column]:
                column += 1
            path.rect(x + run_start * module, top, (column - run_start) * module, module)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
