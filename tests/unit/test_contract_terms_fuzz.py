"""The terms a contract review takes from outside (``contract review --json``, the form),
fuzzed: any value at any place of a good set of terms, keys unknown or dropped, text fields of
200 pages: the review is done, or refused with a ValidationError naming the field; nothing
else comes out and nothing is stored.

The plain tests below the fuzzing are the cases it found."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.db.models import ContractReview
from app.errors import ValidationError
from app.services.contracts import ContractReviewService
from app.services.workspace import Workspace
from tests.conftest import count
from tests.fuzz_json import FUZZ as SHARED_FUZZ
from tests.fuzz_json import damaged_documents

FUZZ = settings(SHARED_FUZZ, max_examples=120)
GOOD_TERMS: dict[str, Any] = {
    "employer_name": "Example İnşaat Ltd",
    "host_country": "KR",
    "position": "construction worker",
    "workplace": "Seoul & Busan <site 3>",
    "wage_amount": 12000,
    "wage_currency": "KRW",
    "wage_period": "month",
    "hours_per_week": 72,
    "overtime_paid": False,
    "rest_days_per_week": 1,
    "paid_leave_days_per_year": 0,
    "term_months": 12,
    "probation_months": 3,
    "passport_held_by": "employer",
    "recruitment_fee_paid_by_worker": 1500,
    "recruitment_fee_currency": "USD",
    "deductions_percent": "12.5",
    "contract_language": "ko",
    "contract_language_understood": False,
    "signed_copy_held": False,
    "signed_on": "2026-01-15",
}
# A page of a contract as a worker gets it: some 2,500 characters.
PAGE = ("Работник обязуется выполнять работу & соблюдать <правила>. \u200f" * 45)[:2500]
LONG_TEXTS = st.sampled_from([PAGE * 200, "x" * 500_000, " " * 500_000, "\u0301" * 10_000])


@st.composite
def fuzzed_terms(draw: st.DrawFn) -> Any:
    terms = draw(damaged_documents(GOOD_TERMS))
    if isinstance(terms, dict) and draw(st.booleans()):
        field = draw(st.sampled_from([*sorted(GOOD_TERMS), "a key of 200 pages"]))
        long_text = draw(LONG_TEXTS)
        if field == "a key of 200 pages":
            terms = {**terms, long_text: "x"}
        else:
            terms = {**terms, field: long_text}
    return terms


@FUZZ
@given(terms=fuzzed_terms())
def test_fuzzed_terms_are_reviewed_or_refused_naming_the_field(ws: Workspace, terms: Any) -> None:
    service = ContractReviewService(ws)
    try:
        _terms, result = service.preview(terms, "KR")
    except ValidationError as exc:
        assert str(exc)
        assert len(str(exc)) < 1000
    else:
        assert result.risk in ("low", "medium", "high", "critical")


# -- what the fuzzing found -------------------------------------------------------------------


@pytest.mark.parametrize("amount", [1e308, "1e30", -1e300, "1e999999"])
def test_a_wage_too_large_to_write_out_is_refused_in_words(ws: Workspace, amount: object) -> None:
    """babel rounds in a 28-digit decimal context: writing 1e30 into the refusal raised
    decimal.InvalidOperation, and the review ended in "internal error"."""
    terms = {**GOOD_TERMS, "wage_amount": amount}
    with pytest.raises(ValidationError, match=r"wage_amount (is too large|cannot be negative)"):
        ContractReviewService(ws).preview(terms, "KR")
    assert count(ws, ContractReview) == 0


@pytest.mark.parametrize(
    "terms",
    [
        {**GOOD_TERMS, "wage_currency": PAGE * 200},
        {**GOOD_TERMS, "contract_language": PAGE * 200},
        {**GOOD_TERMS, PAGE * 200: True},
        {**GOOD_TERMS, "term_months": 10**4000},
    ],
    ids=["currency", "language", "key", "number-of-4000-digits"],
)
def test_200_pages_pasted_into_one_term_are_refused_in_a_short_message(
    ws: Workspace, terms: dict[str, Any]
) -> None:
    """The refusal quoted the whole text: half a megabyte on one line of the terminal, or in
    the dialog of the contract page."""
    with pytest.raises(ValidationError) as refused:
        ContractReviewService(ws).preview(terms, "KR")
    assert len(str(refused.value)) < 300
    assert "…" in str(refused.value)


@pytest.mark.parametrize(
    ("changed", "field", "message"),
    [
        ({"wage_amount": "2500000.50"}, "wage_amount", "KRW has no minor unit"),
        ({"recruitment_fee_paid_by_worker": "1500.125"}, "recruitment_fee_paid_by_worker", "USD"),
    ],
)
def test_an_amount_finer_than_its_currency_is_refused(
    ws: Workspace, changed: dict[str, str], field: str, message: str
) -> None:
    """A wage of 2 500 000,50 KRW was taken and the review printed it rounded."""
    with pytest.raises(ValidationError, match=message) as refused:
        ContractReviewService(ws).preview({**GOOD_TERMS, **changed}, "KR")
    assert refused.value.field == field
    assert count(ws, ContractReview) == 0
