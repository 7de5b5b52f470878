"""Contract reviews: stored with the case, audited, role-checked; the PDF report per language."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.agreements import article_text, load_library
from app.contracts import parse_terms
from app.contracts.report import report_language, review_in
from app.db.models import AuditEntry, CaseEvent, ContractReview, User
from app.domain.events import compose
from app.errors import NotFound, PermissionDenied, ValidationError
from app.i18n import current_language, set_language
from app.services.agreements import sync_library
from app.services.cases import CaseService
from app.services.contracts import ContractReviewService, applicable_provisions
from app.services.records import CaseDetail, CaseInput, OrganisationInput
from app.services.workspace import Workspace
from tests.builders import ASSEL, with_provision_of_the_signed_tajik_agreement
from tests.conftest import OpenWs, count
from tests.unit.test_contract_rules import DESIGN_EXAMPLE

FAIR_TERMS: dict[str, object] = {
    "host_country": "KR",
    "position": "welder",
    "passport_held_by": "worker",
    "recruitment_fee_paid_by_worker": 0,
    "rest_days_per_week": 1,
    "signed_copy_held": True,
}


def make_case(ws: Workspace) -> CaseDetail:
    return CaseService(ws).create_case(
        CaseInput(
            host_country="TR",
            categories=("unpaid_wages", "documents_withheld"),
            received_at=date.today(),
            person=ASSEL,
            employer=OrganisationInput(name="Example İnşaat Ltd", country="TR"),
        )
    )


def audit_actions(ws: Workspace) -> list[tuple[str, str]]:
    with ws.read() as session:
        rows = session.execute(select(AuditEntry.action, AuditEntry.entity_id)).all()
    return [(action, entity_id) for action, entity_id in rows]


def test_review_of_a_case_is_stored_audited_and_flags_the_case(open_ws: OpenWs) -> None:
    ws = open_ws("aigul")
    case = make_case(ws)
    service = ContractReviewService(ws)
    info = service.save(DESIGN_EXAMPLE, case_id=case.id)

    assert info.risk == "critical"
    assert {"passport_retention", "recruitment_fee"} <= set(info.risk_reasons)
    assert info.case_number == case.number and info.person_id == case.person.id
    assert info.person_name == "Құрманғалиқызы Әсел"
    assert info.host_country == "TR" and info.terms.host_country == "TR"
    assert info.reviewed_by == "aigul"
    assert info.ilo_indicators == (
        "deception",
        "retention_of_identity_documents",
        "debt_bondage",
        "excessive_overtime",
    )
    with ws.read() as session:
        row = session.get(ContractReview, info.id)
        assert row is not None
        assert row.risk == "critical" and row.case_id == case.id
        assert row.terms["wage_amount"] == "12000" and row.terms["hours_per_week"] == "72"
        assert [f["rule"] for f in row.findings][:2] == ["passport_retention", "recruitment_fee"]
        assert row.findings[0]["level"] == "violation"
        events = session.execute(
            select(CaseEvent.kind, CaseEvent.data, CaseEvent.text).where(
                CaseEvent.case_id == case.id
            )
        ).all()
    # Stored as data; the sentence is composed for the reader.
    data = {
        "event": "contract_reviewed",
        "params": {
            "risk": "critical",
            "indicators": [
                "deception",
                "retention_of_identity_documents",
                "debt_bondage",
                "excessive_overtime",
            ],
        },
    }
    # The review's id rides beside the event so the timeline links to the review.
    assert ("system", {**data, "review_id": row.id}, "") in [tuple(e) for e in events]
    assert compose(data, "", "en") == (
        "Contract reviewed: risk critical. ILO forced-labour indicators flagged: Deception, "
        "Retention of identity documents, Debt bondage, Excessive overtime."
    )
    assert ("contract.review", info.id) in audit_actions(ws)
    # The revealed indicators are now on the case, and reading the review back gives the same.
    assert set(CaseService(ws).get_case(case.id).ilo_indicators) == set(info.ilo_indicators)
    again = service.get(info.id)
    assert again.findings == info.findings and again.risk_reasons == info.risk_reasons
    assert [r.id for r in service.list_reviews(case_id=case.id)] == [info.id]


def test_standalone_review_needs_a_host_country_and_takes_a_person(open_ws: OpenWs) -> None:
    ws = open_ws("serik")
    service = ContractReviewService(ws)
    terms_only = {k: v for k, v in FAIR_TERMS.items() if k != "host_country"}
    with pytest.raises(ValidationError, match="host country is required") as error:
        service.save(terms_only)
    assert error.value.field == "host_country"
    assert count(ws, ContractReview) == 0

    person = make_case(ws).person  # a worker already on file asks about a new contract
    info = service.save(terms_only, host_country="kr", person_id=person.id)
    assert info.case_id is None and info.host_country == "KR"
    assert info.person_name == "Құрманғалиқызы Әсел"
    assert info.risk == "low" and info.risk_reasons == ()
    assert all(f.level == "ok" for f in info.findings)
    assert ("contract.review", info.id) in audit_actions(ws)
    with pytest.raises(ValidationError, match="differs from the contract review's host country"):
        service.save(FAIR_TERMS, host_country="TR")


def test_hq_cannot_create_a_review(open_ws: OpenWs) -> None:
    ws = open_ws("astana")
    with pytest.raises(PermissionDenied, match=r"Your role \(HQ analyst\)"):
        ContractReviewService(ws).save(FAIR_TERMS)
    assert count(ws, ContractReview) == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"wage_amount": -5}, "wage_amount cannot be negative"),
        ({"wage_currency": "XYZ"}, "not a known ISO 4217 currency code"),
        ({"hours_per_week": 200}, "a week has only 168 hours"),
        ({"salary": 100}, "Unknown contract term “salary”"),
        ({"host_country": "KR"}, "host_country KR differs from the case's host country TR"),
    ],
)
def test_bad_terms_store_nothing(ws: Workspace, change: dict[str, object], message: str) -> None:
    case = make_case(ws)
    audits = len(audit_actions(ws))
    with pytest.raises(ValidationError, match=message):
        ContractReviewService(ws).save({**DESIGN_EXAMPLE, **change}, case_id=case.id)
    assert count(ws, ContractReview) == 0
    assert len(audit_actions(ws)) == audits
    assert CaseService(ws).get_case(case.id).ilo_indicators == ()


def test_unknown_case_or_review_is_not_found(ws: Workspace) -> None:
    service = ContractReviewService(ws)
    with pytest.raises(NotFound, match="No case numbered SEL-1999-0001"):
        service.case_id_for_number("SEL-1999-0001")
    with pytest.raises(NotFound, match="No such case"):
        service.save(FAIR_TERMS, case_id="nope")
    with pytest.raises(NotFound, match="No such contract review"):
        service.get("nope")


def test_preview_stores_nothing_and_cites_applicable_provisions(ws: Workspace) -> None:
    service = ContractReviewService(ws)
    terms, result = service.preview(DESIGN_EXAMPLE, "TR")
    assert terms.host_country == "TR" and result.risk == "critical"
    assert count(ws, ContractReview) == 0
    provisions = applicable_provisions("TR", "en")
    assert provisions, "the agreements library names provisions for Türkiye"
    fee = next(f for f in result.findings if f.rule == "recruitment_fee")
    cited = [ref.text for ref in fee.references]
    # The rule's own ILO references are the library's provisions, cited once each.
    assert len(cited) == len(set(cited))
    by_key = {p.key: p for p in provisions}
    assert by_key["lib:ilo-c181/Art. 7(1)"].citation in cited
    assert by_key["lib:ilo-p029/Art. 2(d)"].citation in cited
    # Standards Türkiye has not (known to have) ratified are not added on top, and
    # C189 is for domestic workers only.
    assert not any("No. 189" in text for text in cited)


def test_subject_for_case_prefills_country_worker_and_employer(ws: Workspace) -> None:
    case = make_case(ws)
    subject = ContractReviewService(ws).subject_for_case(case.id)
    assert (subject.host_country, subject.case_number, subject.person_id) == (
        "TR",
        case.number,
        case.person.id,
    )
    assert subject.person_name == "Құрманғалиқызы Әсел"
    assert subject.employer_name == "Example İnşaat Ltd"


def test_a_saved_review_is_shown_again_for_its_case_worker_and_employer(ws: Workspace) -> None:
    case = make_case(ws)
    service = ContractReviewService(ws)
    info = service.save({**DESIGN_EXAMPLE, "employer_name": "Example İnşaat Ltd"}, case_id=case.id)
    assert info.subject == service.subject_for_case(case.id)


def test_report_language_switches_and_restores() -> None:
    set_language("ru")
    with report_language("kk"):
        assert current_language() == "kk"
    assert current_language() == "ru"
    with pytest.raises(ValidationError) as refused, report_language("de"):
        pass
    assert "de" in str(refused.value) and refused.value.field == "lang"
    assert current_language() == "ru"
    result = review_in(parse_terms(FAIR_TERMS), (), "en")
    assert result.risk == "low" and current_language() == "ru"


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "kk",
            [
                "Еңбек шартын тексеру нәтижелері бойынша қорытынды",
                "АСА ЖОҒАРЫ",
                "Бұзушылық",
                "Қарыз құлдығы",
                "Жұмыс беруші",
                "Құрманғалиқызы Әсел",
                "Түркия",
            ],
        ),
        (
            "ru",
            [
                "Заключение по результатам проверки трудового договора",
                "КРИТИЧЕСКИЙ",
                "Нарушение",
                "Долговая кабала",
                "Работодатель",
                "Турецкая Республика",
            ],
        ),
        (
            "en",
            [
                "Review of an employment contract",
                "CRITICAL",
                "Violation",
                "Debt bondage",
                "Employer",
                "Türkiye",
            ],
        ),
    ],
)
def test_report_pdf_in_each_language(open_ws: OpenWs, lang: str, expected: list[str]) -> None:
    ws = open_ws("aigul")
    case = make_case(ws)
    service = ContractReviewService(ws)
    info = service.save({**DESIGN_EXAMPLE, "employer_name": "Example İnşaat Ltd"}, case_id=case.id)
    set_language("en")
    pdf = service.report_pdf(info.id, lang, today=date(2026, 11, 24))
    assert current_language() == "en"
    assert pdf.startswith(b"%PDF")
    text = " ".join(pdf_text(pdf).split())
    for phrase in expected:
        assert phrase in text, phrase
    assert case.number in text and "construction worker" in text
    # The forced-labour protocol is cited once, under the library's title in the report's
    # language, with the address where it can be checked.
    p029 = load_library().instrument("ilo-p029")
    assert text.count(f"{p029.title_in(lang)}, {article_text('Art. 2(d)', lang)}") == 1
    assert "normlex.ilo.org" in text
    assert pdf.left_out == ()  # its fonts print every character, the currency signs included
    assert ("contract.report", info.id) in audit_actions(ws)


GROUNDS = {
    "kk": "Негіздері: паспорт және жеке басты куәландыратын құжаттар, жұмысқа орналастыру ақысы",
    "ru": "Основания: паспорт и документы, удостоверяющие личность, плата за трудоустройство",
    "en": "Grounds: passport and identity documents, recruitment fees",
}
SIGNED = {
    "kk": "Тексерген: Әйгүл Сейтқали",
    "ru": "Проверку провёл: Әйгүл Сейтқали",
    "en": "Reviewed by: Aigul Seitkali",
}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_report_lists_grounds_mid_sentence_and_signs_in_the_reports_script(
    open_ws: OpenWs, lang: str
) -> None:
    """The fault: "Grounds: Passport and identity documents, Recruitment fees, …" kept each
    label's capital mid-sentence, and the English report was signed «Reviewed by: Әйгүл
    Сейтқали» in Cyrillic though the officer's Latin name was on file (letters use it)."""
    ws = open_ws("aigul")
    with ws.write() as session:
        user = session.execute(select(User).where(User.username == "aigul")).scalar_one()
        user.full_name, user.full_name_latin = "Әйгүл Сейтқали", "Aigul Seitkali"
    service = ContractReviewService(ws)
    info = service.save(DESIGN_EXAMPLE, case_id=make_case(ws).id)
    text = " ".join(pdf_text(service.report_pdf(info.id, lang)).split())
    assert GROUNDS[lang] in text
    assert SIGNED[lang] in text


def test_hqs_unsaved_check_says_hq_entered_the_terms_not_that_they_were_stated_to_a_mission(
    open_ws: OpenWs,
) -> None:
    """The fault: the PDF HQ exports of a check it keeps in no case said its terms were "as
    they were stated to the mission", though an analyst typed them in at headquarters. A
    mission's saved review keeps its wording."""
    mission = open_ws("aigul")
    saved = ContractReviewService(mission)
    info = saved.save(DESIGN_EXAMPLE, case_id=make_case(mission).id)
    mission_text = " ".join(pdf_text(saved.report_pdf(info.id, "en")).split())
    assert "as they were stated to the mission" in mission_text, mission_text
    hq = ContractReviewService(open_ws("astana"))
    hq_text = " ".join(pdf_text(hq.unsaved_report_pdf(FAIR_TERMS, "KR", "en")).split())
    assert "as they were entered at headquarters" in hq_text, hq_text
    assert "stated to the mission" not in hq_text, hq_text


WORKER = {
    "kk": "Құрманғалиқызы Әсел",
    "ru": "Құрманғалиқызы Әсел",
    "en": "Assel Kurmangalikyzy",
}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_report_names_the_worker_as_the_letters_do(open_ws: OpenWs, lang: str) -> None:
    """The fault: the English report's "Worker" row read «Құрманғалиқызы Әсел» in Cyrillic
    though her passport's Latin spelling was on file, which an English letter prints."""
    ws = open_ws("aigul")
    service = ContractReviewService(ws)
    info = service.save(DESIGN_EXAMPLE, case_id=make_case(ws).id)
    text = " ".join(pdf_text(service.report_pdf(info.id, lang)).split())
    assert WORKER[lang] in text
    if lang == "en":
        assert "Құрманғалиқызы" not in text


def test_english_report_transliterates_a_worker_with_no_latin_spelling(open_ws: OpenWs) -> None:
    """The fault: with no Latin spelling on file the English report printed the Cyrillic name;
    letters spell it as a Kazakh passport would."""
    ws = open_ws("aigul")
    case = CaseService(ws).create_case(
        CaseInput(
            host_country="TR",
            categories=("unpaid_wages",),
            received_at=date.today(),
            person=replace(ASSEL, surname_latin="", given_names_latin=""),
            employer=OrganisationInput(name="Example İnşaat Ltd", country="TR"),
        )
    )
    service = ContractReviewService(ws)
    info = service.save(DESIGN_EXAMPLE, case_id=case.id)
    text = " ".join(pdf_text(service.report_pdf(info.id, "en")).split())
    assert "Worker Asel Kurmangalikyzy" in text


def test_a_report_that_leaves_out_characters_says_which(open_ws: OpenWs) -> None:
    service = ContractReviewService(open_ws("aigul"))
    case = make_case(service.ws)
    info = service.save({**DESIGN_EXAMPLE, "employer_name": "(주)대성건설"}, case_id=case.id)
    pdf = service.report_pdf(info.id, "kk", today=date(2026, 11, 24))
    assert pdf.left_out == tuple(sorted("대성건설주"))
    assert "Hangul" in pdf.warning()


def test_report_refuses_an_unknown_language(ws: Workspace) -> None:
    info = ContractReviewService(ws).save(FAIR_TERMS)
    with pytest.raises(ValidationError, match="Unknown language de"):
        ContractReviewService(ws).report_pdf(info.id, "de")


def test_a_review_never_cites_an_agreement_signed_but_not_in_force(open_ws: OpenWs) -> None:
    """The fault: a review on a Tajik case cited the 2006 agreement with Tajikistan, signed but
    not in force, beside the rules it bears on, as binding Tajikistan."""
    sync_library(open_ws("admin"), with_provision_of_the_signed_tajik_agreement())
    ws = open_ws("aigul")
    case = CaseService(ws).create_case(
        CaseInput(
            host_country="TJ",
            categories=("unpaid_wages", "documents_withheld"),
            received_at=date.today(),
            person=ASSEL,
            employer=OrganisationInput(name="Pamir Stroy LLC", country="TJ"),
        )
    )
    service = ContractReviewService(ws)
    info = service.save({**DESIGN_EXAMPLE, "host_country": "TJ"}, case_id=case.id)
    cited = [ref.text for finding in info.result.findings for ref in finding.references]
    assert cited and not any("Tajikistan on labour" in text for text in cited)
    for lang, title in (
        ("ru", "Правительством Республики Таджикистан"),
        ("kk", "Тәжікстан Республикасының Үкіметі"),
    ):
        text = " ".join(pdf_text(service.report_pdf(info.id, lang)).split())
        assert title not in text, lang
