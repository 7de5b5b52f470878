"""Text holding reportlab's paragraph markup, printed in the PDFs that are not letters: the
subject-access export, the contract review and the recovery sheet. A worker's name, an
employer, a note or a mission's name with ``<b>``, ``<font size=200>``, ``<img src=…>``,
``<a href=…>``, ``&amp;``, ``<para>`` or a lone ``<`` is printed as typed: never drawn as
markup, never reading a file from the disk, never failing the document. (Letters:
``tests/unit/test_letter_register.py``'s employer; the briefing sheet:
``tests/integration/test_briefing_cli.py``.)"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime

from pypdf import PdfReader

from app.services.contracts import ContractReviewService
from app.services.records import OrganisationInput
from app.services.recovery_sheet import SheetFacts, render_recovery_sheet
from app.services.subject_access import collect, to_pdf
from app.services.workspace import Workspace
from tests.builders import ASSEL, wage_case
from tests.unit.test_contract_rules import DESIGN_EXAMPLE

# Each piece would change the page if read as markup: bold, a 200-point font, a picture read
# from the disk, a link, an entity, a paragraph inside the paragraph, a tag never closed.
PIECES = (
    "<b>B</b>",
    '<font size="200">F</font>',
    '<img src="/etc/passwd"/>',
    '<a href="http://x">A</a>',
    "&amp;",
    "<para>P</para>",
    "< open",
)
MARKUP = " ".join(PIECES)


def printed(pdf: bytes) -> str:
    """The PDF's text as a reader copies it, its line breaks as spaces."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def assert_printed_as_typed(text: str, count: int) -> None:
    for piece in PIECES:
        assert text.count(piece) >= count, piece


def test_the_subject_access_export_prints_markup_as_typed(ws: Workspace) -> None:
    person = replace(ASSEL, surname=f"Құрманғалиқызы {PIECES[0]}", consent_note=MARKUP)
    employer = OrganisationInput(name=f"Daesung {MARKUP}", country="KR", city=PIECES[1])
    case = wage_case(ws, person, date(2026, 11, 2), employer=employer, description=MARKUP)
    export = collect(ws, iin=None, person_id=case.person.id, with_files=False)

    text = printed(to_pdf(ws, export, "en"))

    assert "Құрманғалиқызы <b>B</b>" in text
    assert_printed_as_typed(text, 3)  # the consent note, the employer, the description


def test_the_contract_review_prints_markup_as_typed(ws: Workspace) -> None:
    case = wage_case(ws, ASSEL, date(2026, 11, 2))
    service = ContractReviewService(ws)
    terms = {**DESIGN_EXAMPLE, "position": MARKUP, "employer_name": f"Employer {MARKUP}"}
    review = service.save(terms, case_id=case.id)

    text = printed(service.report_pdf(review.id, "en", today=date(2026, 11, 24)))

    assert_printed_as_typed(text, 2)  # the position, the employer


def test_the_recovery_sheet_prints_a_mission_and_an_administrator_as_typed() -> None:
    made = datetime(2026, 12, 6, 19, 7, tzinfo=UTC)
    facts = SheetFacts("SEL", f"Embassy {MARKUP}", "938b4778", made, f"admin {PIECES[0]}")

    text = printed(
        render_recovery_sheet("91VZV-QDJGV-NRFYC-2YZ9D-85NJG-X9VTW-2PB9E-ZQGMJ", facts, "en")
    )

    assert_printed_as_typed(text, 1)
    assert "admin <b>B</b>" in text
