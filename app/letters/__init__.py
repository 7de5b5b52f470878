"""Official letters: context dataclasses, hand-written templates and the PDF renderer."""

from app.letters.context import (
    LETTER_KINDS,
    Addressee,
    Citation,
    EmployerInfo,
    Executor,
    LetterContext,
    MissionInfo,
    PersonInfo,
    Signatory,
)
from app.letters.qr import content_digest, qr_payload, with_qr_digest
from app.letters.renderer import (
    DocumentBuilder,
    PrintedPdf,
    kind_label,
    render_document,
    render_letter,
)

__all__ = [
    "LETTER_KINDS",
    "Addressee",
    "Citation",
    "DocumentBuilder",
    "EmployerInfo",
    "Executor",
    "LetterContext",
    "MissionInfo",
    "PersonInfo",
    "PrintedPdf",
    "Signatory",
    "content_digest",
    "kind_label",
    "qr_payload",
    "render_document",
    "render_letter",
    "with_qr_digest",
]
