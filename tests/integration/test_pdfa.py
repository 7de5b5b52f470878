"""Every document Qorgau issues is PDF/A-2b: letters (issued and draft), the statistics report,
the contract review report, the subject-access report, the recovery sheet and the country
briefing sheet."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from app.errors import QorgauError
from app.letters import render_letter
from app.pdf.archival import ArchivalCanvas, artifact
from app.reports.pdf import render_stats_report
from app.security.recovery_key import new_recovery_key
from app.services.briefing import render_briefing_pdf
from app.services.contracts import ContractReviewService
from app.services.recovery_sheet import SheetFacts, render_recovery_sheet
from app.services.subject_access import export_subject_access
from app.services.workspace import Workspace
from tests.pdfa import pdfa_problems
from tests.unit.test_contract_service import DESIGN_EXAMPLE, make_case
from tests.unit.test_letters_render import make_context
from tests.unit.test_stats_reports import MISSION, figures

WORKER_NAMES = ("Құрманғалиқызы", "KURMANGALIKYZY", "Әсел", "ASSEL")


def all_documents(ws: Workspace, folder: Path) -> dict[str, bytes]:
    """One of each document, the way the application makes it."""
    case = make_case(ws)
    reviews = ContractReviewService(ws)
    review = reviews.save({**DESIGN_EXAMPLE, "employer_name": "Example Ltd"}, case_id=case.id)
    subject = folder / "subject.pdf"
    export_subject_access(ws, subject, iin=None, person_id=case.person.id, lang="kk")
    created = datetime(2026, 11, 2, tzinfo=UTC)
    facts = SheetFacts("SEL", "Embassy in Seoul", "db-1", created, "admin")
    return {
        "letter": render_letter(make_context()),
        "draft letter": render_letter(make_context(lang="ru", outgoing_number=None)),
        "statistics report": render_stats_report(figures(), "kk", MISSION),
        "contract review": reviews.report_pdf(review.id, "ru", today=date(2026, 11, 24)),
        "subject access": subject.read_bytes(),
        "recovery sheet": render_recovery_sheet(new_recovery_key(), facts, "kk"),
        # It was a plain reportlab file: no XMP, no output intent, Helvetica not embedded.
        "briefing sheet": render_briefing_pdf(ws, "KR", "kk", date(2026, 11, 24)),
    }


@pytest.fixture
def documents(ws: Workspace, tmp_path: Path) -> dict[str, bytes]:
    return all_documents(ws, tmp_path)


def test_every_document_passes_the_pdfa_checks(documents: dict[str, bytes]) -> None:
    assert {name: pdfa_problems(pdf) for name, pdf in documents.items()} == {
        name: [] for name in documents
    }


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils is not installed")
def test_pdffonts_finds_every_font_embedded(documents: dict[str, bytes], tmp_path: Path) -> None:
    for name, pdf in documents.items():
        path = tmp_path / "document.pdf"
        path.write_bytes(pdf)
        listing = subprocess.run(
            ["pdffonts", str(path)], capture_output=True, text=True, check=True, timeout=60
        ).stdout
        rows = listing.splitlines()[2:]
        assert rows, name
        for row in rows:
            # name, type (one or two words), encoding, then emb sub uni object ID
            assert re.search(r"\byes\s+yes\s+yes\s+\d+\s+\d+$", row), f"{name}: {row}"
        assert "Helvetica" not in listing, name


def test_the_draft_mark_is_an_artifact_outside_the_extracted_text(
    documents: dict[str, bytes], tmp_path: Path
) -> None:
    draft = documents["draft letter"]
    content = PdfReader(io.BytesIO(draft)).pages[0].get_contents().get_data()
    assert b"/Artifact <</Type /Pagination /Subtype /Watermark>> BDC" in content
    body = "в Вашей компании"
    if shutil.which("pdftotext"):
        path = tmp_path / "draft.pdf"
        path.write_bytes(draft)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True, timeout=60
        ).stdout
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        # Before, the mark's letters came out as lines of their own ("КТ", "ОЕ") in the text.
        assert not [line for line in lines if len(line) <= 3 and line.isupper()], lines
        assert "ПРОЕКТ" not in text and body in text


def test_titles_name_the_number_and_kind_never_the_worker(documents: dict[str, bytes]) -> None:
    letter = PdfReader(io.BytesIO(documents["letter"])).metadata
    assert letter is not None
    assert letter.title == "№\u00a0236 — Жұмыс берушіге хат"
    assert letter.subject == "Жұмыс берушіге хат"
    for name, pdf in documents.items():
        reader = PdfReader(io.BytesIO(pdf))
        xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
        described = " ".join(str(v) for v in (reader.metadata or {}).values()) + xmp
        assert not [w for w in WORKER_NAMES if w in described], name
        assert reader.metadata is not None and reader.metadata.creator == "Qorgau", name


def test_a_document_using_an_unembedded_font_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "helvetica.pdf"
    canvas = ArchivalCanvas(str(out))
    canvas.setFont("Helvetica", 12)
    canvas.drawString(72, 720, "text")
    with pytest.raises(QorgauError, match="unembedded font.*Helvetica"):
        canvas.save()
    assert not out.exists()


def test_artifact_marks_balance(tmp_path: Path) -> None:
    canvas = Canvas(str(tmp_path / "x.pdf"))
    with artifact(canvas):
        canvas.rect(0, 0, 10, 10)
    code = "\n".join(canvas._code)
    assert code.count("BDC") == code.count("EMC") == 2
