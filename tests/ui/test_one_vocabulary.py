"""One vocabulary: a case taken through intake, letter, review, report and subject access reads
the same on screen and on paper in each language, in the glossary's terms.

For each language the test collects the words a person reads: the timeline and the letter
register as the screen shows them, the text of every PDF (pdftotext) and the headers of the
CSV and XLSX exports. Every code (status, category, letter kind, risk), the host state and
the wage must read the same everywhere; no variant the glossary rules out may appear; and the
Kazakh screens and documents show no English.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.contracts.reference import default_reference
from app.db.models import User
from app.domain import labels
from app.i18n import format_amount, set_language
from app.letters.states import official_name
from app.reports.export import csv_bytes, xlsx_bytes
from app.reports.pdf import render_stats_report
from app.reports.tables import indicator_tables
from app.services.cases import CaseService
from app.services.contracts import ContractReviewService
from app.services.letters import LetterFields, LetterService
from app.services.records import CaseInput, OrganisationInput, PersonInput
from app.services.stats import Count, Indicators, StatsFilter, StatsService
from app.services.subject_access import collect, to_pdf
from app.services.workspace import Workspace
from tests.conftest import OpenWs
from tests.unit.test_glossary import _rules
from tests.unit.test_letters_render import ASSEL_DOCUMENTED
from ui.cases.timeline import event_html
from ui.i18n_bridge import LanguageBridge
from ui.letters.model import LetterTableModel

TODAY = date.today()
IIN = ASSEL_DOCUMENTED["iin"]
PERSON = PersonInput(
    **ASSEL_DOCUMENTED,
    consent_date=TODAY,
    consent_scope=("case_handling", "share_hq"),
)
EMPLOYER = "Daesung Metal Co"
TERMS: dict[str, object] = {
    "position": "дәнекерлеуші",
    "wage_amount": 2500000,
    "wage_currency": "KRW",
    "wage_period": "month",
    "hours_per_week": 60,
    "passport_held_by": "employer",
    "signed_copy_held": False,
}
# What a Kazakh page may print in Latin letters: data typed in Latin (names, the employer,
# numbers and codes), currency codes, the app's name and addresses where a source is checked,
# and the occupations' classification by its code (ISCO-08), as the returnees' register takes it.
LATIN_DATA = re.compile(
    r"KURMANGALIKYZY|ASSEL|Daesung Metal Co|Qorgau|SEL-\d{4}[-/]\d{4}|N12345678|ISCO-08|"
    r"\b[A-Z]{3}\b|[\w.-]+\.(?:org|int|kz|kr|go\.kr)\S*|\bQR\b|\bseoul@example\.kz\b|"
    r"\b(?:admin|aigul|serik)\b|e-mail|\bSeoul\b|\bAnsan\b"
)
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def _published_titles() -> list[str]:
    """The titles the host countries' statutes are published under, longest first."""
    statutes = default_reference().statutes.values()
    return sorted({s.original for s in statutes if s.original}, key=len, reverse=True)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext"):
        source = tmp_path / "document.pdf"
        source.write_bytes(pdf)
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(source), "-"], check=True, capture_output=True
        ).stdout.decode("utf-8")
    else:  # pypdf reads the same text where poppler is missing
        out = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    # Hyphenated line ends are joined; every run of space is one space.
    return " ".join(out.replace("\u00ad\n", "").replace("-\n", "-").split())


@pytest.fixture
def walked_case(open_ws: OpenWs) -> Iterator[dict[str, Workspace | str]]:
    """One case through intake, an issued letter and a contract review."""
    admin = open_ws("admin")
    with admin.write() as session:
        for username, name in (("aigul", "Айгүл Сәрсенбаева"), ("serik", "Серік Жақсыбеков")):
            user = session.execute(select(User).where(User.username == username)).scalar_one()
            user.full_name = name
    aigul, serik = open_ws("aigul"), open_ws("serik")
    case = CaseService(aigul).create_case(
        CaseInput(
            host_country="KR",
            categories=("unpaid_wages",),
            received_at=TODAY,
            person=PERSON,
            employer=OrganisationInput(name=EMPLOYER, country="KR", city="Ansan"),
            description="Үш ай бойы жалақы төленбеген.",
        )
    )
    letters = LetterService(aigul)
    draft = letters.draft(case.id, "employer_letter", "kk", LetterFields())
    LetterService(serik).approve(draft.id)
    letter = letters.issue(draft.id)
    review = ContractReviewService(aigul).save({**TERMS, "host_country": "KR"}, case_id=case.id)
    yield {
        "admin": admin,
        "aigul": aigul,
        "case_id": case.id,
        "letter_id": letter.id,
        "review_id": review.id,
    }


def collect_words(walked: dict[str, Workspace | str], lang: str, tmp_path: Path) -> dict[str, str]:
    """Everything a reader in ``lang`` sees of the case, by where it is seen."""
    aigul, admin = walked["aigul"], walked["admin"]
    assert isinstance(aigul, Workspace) and isinstance(admin, Workspace)
    case_id, letter_id, review_id = (str(walked[k]) for k in ("case_id", "letter_id", "review_id"))
    words: dict[str, str] = {}
    detail = CaseService(aigul).get_case(case_id)
    words["screen: timeline"] = " ".join(
        unescape(re.sub(r"<[^>]+>", " ", event_html(event))) for event in detail.events
    )
    model = LetterTableModel()
    model.set_letters(LetterService(aigul).list_letters())
    words["screen: register"] = (
        " ".join(
            str(model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole) or "")
            for row in range(model.rowCount())
            for column in range(model.columnCount())
        )
        + " "
        + " ".join(str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(8))
    )
    words["pdf: letter"] = pdf_text(LetterService(aigul).pdf(letter_id), tmp_path)
    review_pdf = ContractReviewService(aigul).report_pdf(review_id, lang, today=TODAY)
    words["pdf: review"] = pdf_text(review_pdf, tmp_path)
    stats = StatsService(admin)
    indicators = stats.indicators(StatsFilter(date_from=date(TODAY.year, 1, 1), date_to=TODAY))
    # The report's charts draw no count under 11 (one case's bars): its words are those of a
    # mission with twenty such cases.
    stats_pdf = render_stats_report(
        twenty_times(indicators), lang, stats.mission_info(), hide_names=True
    )
    words["pdf: statistics"] = pdf_text(stats_pdf, tmp_path)
    tables = indicator_tables(indicators, lang)
    words["csv: headers"] = " ".join(
        csv_bytes(table).decode("utf-8-sig").splitlines()[0] for table in tables
    )
    book = load_workbook(io.BytesIO(xlsx_bytes(tables)))
    words["xlsx: headers"] = " ".join(
        str(cell.value or "") for sheet in book.worksheets for cell in sheet[2]
    )
    export = collect(admin, iin=IIN, with_files=False)
    words["pdf: subject access"] = pdf_text(to_pdf(admin, export, lang), tmp_path)
    return words


def twenty_times(ind: Indicators) -> Indicators:
    def bars(counts: tuple[Count, ...]) -> tuple[Count, ...]:
        return tuple(Count(c.key, c.count * 20) for c in counts)

    return replace(
        ind,
        open_by_status=bars(ind.open_by_status),
        categories=bars(ind.categories),
        ilo_indicators=bars(ind.ilo_indicators),
        host_countries=bars(ind.host_countries),
        letters_by_kind=bars(ind.letters_by_kind),
        reviews_by_risk=bars(ind.reviews_by_risk),
    )


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_one_case_reads_the_same_on_screen_and_paper(
    walked_case: dict[str, Workspace | str],
    bridge: LanguageBridge,
    lang: str,
    tmp_path: Path,
) -> None:
    bridge.set_language(lang)
    try:
        words = collect_words(walked_case, lang, tmp_path)
    finally:
        set_language("en")
    folded = {where: text.casefold() for where, text in words.items()}

    def seen_in(term: str, *places: str) -> None:
        for place in places:
            assert term.casefold() in folded[place], f"{place} lacks «{term}» ({lang})"

    # The same code, the same words on screen and on paper.
    # Issuing the letter moved the case from "new" to "in progress".
    seen_in(labels.case_status("in_progress", lang), "pdf: subject access", "pdf: statistics")
    seen_in(labels.category("unpaid_wages", lang), "pdf: subject access", "pdf: statistics")
    seen_in(labels.letter_kind("employer_letter", lang), "screen: register", "pdf: statistics")
    seen_in(labels.letter_kind("employer_letter", lang), "screen: timeline")
    seen_in(labels.risk_level("critical", lang), "pdf: review", "pdf: statistics")
    seen_in(labels.review_rule("passport_retention", lang), "pdf: review")
    seen_in(labels.sex("female", lang), "pdf: subject access")
    seen_in(official_name("KR", lang), "pdf: review", "pdf: statistics", "pdf: subject access")
    seen_in(format_amount(2500000, "KRW", lang).replace("\u00a0", " "), "pdf: review")
    # The glossary's terms: no variant it rules out, anywhere.
    for rule_language, term, variants in _rules():
        if rule_language != lang:
            continue
        for variant in variants:
            for place, text in folded.items():
                assert variant.casefold() not in text, f"{place}: «{variant}», not «{term}»"
    # Stored codes never reach a reader.
    for place, text in words.items():
        for code in ("unpaid_wages", "employer_letter", "awaiting_response", "case.create"):
            assert code not in text, f"{place} prints the code {code}"
    if lang == "kk":
        # The review's list of references cites foreign laws and sources under the titles
        # they are published with; everything before it is the review's own words.
        cited_from = words["pdf: review"].find("Нормативтік сілтемелер")
        assert cited_from > 0
        words["pdf: review"] = words["pdf: review"][:cited_from]
        # A letter to the employer cites the host's statutes the same way: the Kazakh title,
        # then the one the law is published under («… заң (Minimum Wage Act)»).
        letter = " ".join(words["pdf: letter"].split())  # a title may break across lines
        for original in _published_titles():
            letter = letter.replace(original, " ")
        words["pdf: letter"] = letter
        for place, text in words.items():
            leftover = ENGLISH_WORD.findall(LATIN_DATA.sub(" ", text))
            assert leftover == [], f"{place} shows English in Kazakh: {leftover}"
