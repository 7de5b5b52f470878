"""The contract-review engine: terms parsing, host-country reference data, rules and risk."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.contracts.reference import (
    HOST_COUNTRIES,
    REFERENCE_FILE,
    ReferenceFileError,
    load_reference,
    parse_reference,
    reference_for,
)
from app.contracts.rules import (
    INDICATOR_REFERENCES,
    RULES,
    Finding,
    ProvisionRef,
    rate_risk,
    result_to_json,
    review,
)
from app.contracts.terms import (
    FIELD_NAMES,
    PASSPORT_HOLDERS,
    RETURN_TICKET_PAYERS,
    WAGE_PERIODS,
    ContractTerms,
    parse_terms,
    terms_to_dict,
)
from app.domain.codes import IloIndicator
from app.errors import ValidationError
from app.i18n import current_language, set_language
from app.services.contracts import applicable_provisions

DESIGN_EXAMPLE: dict[str, object] = {
    "position": "construction worker",
    "wage_amount": 12000,
    "wage_currency": "TRY",
    "wage_period": "month",
    "hours_per_week": 72,
    "passport_held_by": "employer",
    "recruitment_fee_paid_by_worker": 1500,
    "recruitment_fee_currency": "USD",
    "contract_language_understood": False,
    "signed_copy_held": False,
}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    previous = current_language()
    set_language("en")
    yield
    set_language(previous)


def run_rule(code: str, country: str | None = None, **terms: Any) -> Finding | None:
    rule = next(r for r in RULES if r.code == code)
    return rule.check(ContractTerms(host_country=country, **terms), reference_for(country))


# --- terms --------------------------------------------------------------------------------


def test_design_example_parses_into_exact_values() -> None:
    terms = parse_terms(DESIGN_EXAMPLE, host_country="tr")
    assert terms.host_country == "TR"
    assert terms.wage_amount == Decimal("12000")
    assert terms.hours_per_week == Decimal("72")
    assert terms.recruitment_fee_paid_by_worker == Decimal("1500")
    assert terms.passport_held_by == "employer"
    assert terms.contract_language_understood is False
    assert terms.employer_name is None


def test_parse_normalises_codes_and_text() -> None:
    terms = parse_terms(
        {
            "employer_name": "  Example   İnşaat Ltd ",
            "wage_amount": "1250.50",
            "wage_currency": "eur",
            "wage_period": "Hour",
            "contract_language": "DE",
            "deductions_percent": 12.5,
            "rest_days_per_week": 1.0,
        }
    )
    assert terms.employer_name == "Example İnşaat Ltd"
    assert terms.wage_amount == Decimal("1250.50")
    assert (terms.wage_currency, terms.wage_period) == ("EUR", "hour")
    assert terms.contract_language == "de"
    assert terms.deductions_percent == Decimal("12.5")
    assert terms.rest_days_per_week == 1


def test_terms_round_trip_through_json() -> None:
    terms = parse_terms(DESIGN_EXAMPLE, host_country="TR")
    data = terms_to_dict(terms)
    assert set(data) == set(FIELD_NAMES)
    assert data["wage_amount"] == "12000"
    assert parse_terms(json.loads(json.dumps(data))) == terms


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"wage_amount": -5, "wage_currency": "TRY", "wage_period": "month"},
            "wage_amount",
            "wage_amount cannot be negative (-5).",
        ),
        (
            {"recruitment_fee_paid_by_worker": -1},
            "recruitment_fee_paid_by_worker",
            "recruitment_fee_paid_by_worker cannot be negative (-1).",
        ),
        (
            {"wage_amount": 100, "wage_currency": "XYZ", "wage_period": "month"},
            "wage_currency",
            "wage_currency: “XYZ” is not a known ISO 4217 currency code.",
        ),
        (
            {"recruitment_fee_currency": "ESP"},
            "recruitment_fee_currency",
            "recruitment_fee_currency: “ESP” is not a known ISO 4217 currency code.",
        ),
        (
            {"hours_per_week": 200},
            "hours_per_week",
            "200 hours a week is not possible: a week has only 168 hours.",
        ),
        (
            {"hours_per_week": 130},
            "hours_per_week",
            "130 hours a week leaves no time for sleep; a contract review accepts at most 120. "
            "Record such treatment in the case description.",
        ),
        (
            {"hours_per_week": 0},
            "hours_per_week",
            "hours_per_week must be more than 0; leave it out if the contract does not say.",
        ),
        ({"salary": 100}, "salary", "Unknown contract term “salary”."),
        (
            {"signed_copy_held": "yes"},
            "signed_copy_held",
            "signed_copy_held must be true or false.",
        ),
        ({"wage_amount": True}, "wage_amount", "wage_amount must be a number."),
        ({"wage_amount": "twelve"}, "wage_amount", "wage_amount must be a number."),
        (
            {"rest_days_per_week": 8},
            "rest_days_per_week",
            "rest_days_per_week must be between 0 and 7, not 8.",
        ),
        (
            {"rest_days_per_week": 1.5},
            "rest_days_per_week",
            "rest_days_per_week must be a whole number.",
        ),
        (
            {"deductions_percent": 120},
            "deductions_percent",
            "deductions_percent is a percentage of the wage: at most 100, not 120.",
        ),
        (
            {"passport_held_by": "friend"},
            "passport_held_by",
            "passport_held_by must be one of: worker, employer, agency.",
        ),
        (
            {"wage_period": "fortnight"},
            "wage_period",
            "wage_period must be one of: hour, day, week, month, year.",
        ),
        (
            {"contract_language": "xx"},
            "contract_language",
            "contract_language: “xx” names no language known here; write its name (Korean) or "
            "its two-letter code (ko).",
        ),
        (
            {"host_country": "ZZ"},
            "host_country",
            "host_country: “ZZ” is not a known two-letter country code.",
        ),
        (
            {"term_months": 6, "probation_months": 9},
            "probation_months",
            "probation_months (9) cannot be longer than the contract term (6 months).",
        ),
        (
            {"wage_amount": 100, "wage_period": "month"},
            "wage_currency",
            "wage_currency is required when wage_amount is given.",
        ),
        (
            {"recruitment_fee_paid_by_worker": 300},
            "recruitment_fee_currency",
            "recruitment_fee_currency is required when a recruitment fee is given.",
        ),
        (
            {"wage_amount": 1e15, "wage_currency": "USD", "wage_period": "month"},
            "wage_amount",
            "wage_amount is too large (1,000,000,000,000,000).",
        ),
    ],
)
def test_bad_terms_are_refused_naming_the_field(
    data: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_terms(data)
    assert caught.value.field == field
    assert str(caught.value) == message


def test_host_country_conflict_with_the_case_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_terms({"host_country": "KR"}, host_country="TR")
    assert caught.value.field == "host_country"
    assert str(caught.value) == "host_country KR differs from the case's host country TR."


def test_terms_must_be_an_object() -> None:
    with pytest.raises(ValidationError, match="Contract terms must be a JSON object."):
        parse_terms(["wage_amount"])  # type: ignore[arg-type]


# --- reference data -----------------------------------------------------------------------


def test_reference_covers_every_host_country_with_dated_sources() -> None:
    data = load_reference()
    assert set(data.countries) == set(HOST_COUNTRIES)
    for code in HOST_COUNTRIES:
        ref = data.countries[code].on(date(2026, 6, 1))
        assert ref.hours is not None and ref.paid_leave is not None, code
        for item in (ref.minimum_wage, ref.hours, ref.paid_leave, ref.probation):
            if item is not None:
                assert item.provenance.source, code
                start = item.provenance.as_of  # None: not researched, as its note says
                assert start is None or date(1900, 1, 1) < start <= date(2026, 12, 31), code
                assert start is not None or "not researched" in item.provenance.note, code
        for law in (ref.passport, ref.recruitment_fees, ref.health_insurance):
            if law is not None and not law.provenance.verified:
                assert law.provenance.note or law.law, code


def test_reference_figures_read_exactly() -> None:
    korea = reference_for("kr")
    assert korea is not None and korea.hours is not None and korea.minimum_wage is not None
    assert (korea.hours.normal_weekly, korea.hours.max_weekly) == (Decimal(40), Decimal(52))
    assert (korea.minimum_wage.amount, korea.minimum_wage.period) == (Decimal(10320), "hour")
    qatar = reference_for("QA")
    assert qatar is not None and qatar.passport is not None and qatar.passport.law is not None
    assert qatar.passport.law.startswith("Law No. 21 of 2015")
    assert "Art. 8" in qatar.passport.law
    assert reference_for("AE") is not None and reference_for("AE").minimum_wage is None  # type: ignore[union-attr]
    assert reference_for("FR") is None
    assert reference_for(None) is None


def test_currency_rates_are_dated_approximate_and_convert() -> None:
    rates = load_reference().rates
    assert rates.approximate is True
    assert rates.provenance.verified is False
    assert rates.convert(Decimal(100), "USD", "USD") == Decimal(100)
    assert rates.convert(Decimal(100), "USD", "TRY") == Decimal("4250")
    assert rates.convert(Decimal(100), "BRL", "TRY") is None


def test_malformed_reference_file_is_refused() -> None:
    raw = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    del raw["countries"]["KR"]["hours"][0]["normal_weekly"]
    with pytest.raises(ReferenceFileError, match="normal_weekly"):
        parse_reference(raw)


def test_a_cite_about_another_subject_is_named_by_it_and_an_unknown_one_refused() -> None:
    """Korea's monthly minimum rests on Labor Standards Act Art. 55 too (the paid weekly day
    of rest makes the 209 hours); the host law a letter cites named that article "minimum
    wage", which is not what it provides."""
    from app.services.legal_tables import host_law_from

    data = load_reference()
    provisions = host_law_from(data, "KR", "en", on=date(2026, 6, 1)).provisions
    by_citation = {p.citation: p for p in provisions}
    art55 = next(p for c, p in by_citation.items() if c.endswith("Art. 55"))
    assert art55.subject == "minimum_wage" and art55.subject_label == "Weekly rest"
    wage_act = next(p for c, p in by_citation.items() if "Minimum Wage Act" in c)
    assert wage_act.subject_label == "Minimum wage"
    raw = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    raw["countries"]["KR"]["minimum_wage"][0]["cites"][1]["about"] = "weekly_bonus"
    with pytest.raises(ReferenceFileError, match="weekly_bonus"):
        parse_reference(raw)


# --- each rule's ok, concern and violation side ---------------------------------------------


RULE_CASES: list[tuple[str, str | None, dict[str, Any], str, str]] = [
    ("passport_retention", "TR", {"passport_held_by": "worker"}, "ok", "keeps their own"),
    (
        "passport_retention",
        "QA",
        {"passport_held_by": "agency"},
        "violation",
        "held by the recruitment agency",
    ),
    ("recruitment_fee", None, {"recruitment_fee_paid_by_worker": Decimal(0)}, "ok", "no "),
    (
        "recruitment_fee",
        "AE",
        {"recruitment_fee_paid_by_worker": Decimal(1500), "recruitment_fee_currency": "USD"},
        "violation",
        "1,500\u00a0USD",
    ),
    (
        "minimum_wage",
        "KR",
        {
            "wage_amount": Decimal(2500000),
            "wage_currency": "KRW",
            "wage_period": "month",
            "hours_per_week": Decimal(40),
        },
        "ok",
        "at least the legal minimum",
    ),
    (
        "minimum_wage",
        "TR",
        {"wage_amount": Decimal(1000), "wage_currency": "BRL", "wage_period": "month"},
        "concern",
        "Cannot compare the wage in BRL",
    ),
    (
        "minimum_wage",
        "RU",
        {"wage_amount": Decimal(20000), "wage_currency": "RUB", "wage_period": "month"},
        "violation",
        "below the legal minimum of 27,093\u00a0RUB a month in the Russian Federation",
    ),
    ("weekly_hours", "KR", {"hours_per_week": Decimal(40)}, "ok", "within the normal week"),
    ("weekly_hours", "KR", {"hours_per_week": Decimal(48)}, "concern", "normal week of 40"),
    (
        "weekly_hours",
        "KR",
        {"hours_per_week": Decimal(72)},
        "violation",
        "72 hours a week exceed the legal maximum of 52, overtime included, in "
        "the Republic of Korea.",
    ),
    (
        "weekly_hours",
        "RU",
        {"hours_per_week": Decimal(50)},
        "violation",
        "about 480 hours of overtime a year, above the legal limit of 120",
    ),
    ("weekly_hours", None, {"hours_per_week": Decimal(55)}, "concern", "ILO standard of 48"),
    ("overtime_pay", None, {"overtime_paid": True}, "ok", "Overtime is paid."),
    ("overtime_pay", "DE", {"overtime_paid": False}, "concern", "beyond 48 hours"),
    (
        "overtime_pay",
        "TR",
        {"overtime_paid": False, "hours_per_week": Decimal(54)},
        "violation",
        "54 hours a week, 9 above the normal 45",
    ),
    ("rest_days", None, {"rest_days_per_week": 1}, "ok", "1 day of rest"),
    ("rest_days", None, {"rest_days_per_week": 0}, "violation", "no weekly day of rest"),
    ("paid_leave", "RU", {"paid_leave_days_per_year": 28}, "ok", "legal minimum of 28"),
    ("paid_leave", "US", {"paid_leave_days_per_year": 5}, "concern", "three working weeks"),
    (
        "paid_leave",
        "KR",
        {"paid_leave_days_per_year": 7},
        "violation",
        "7 days of paid leave a year are below the legal minimum of 15 (working days) in "
        "the Republic of Korea.",
    ),
    (
        "deductions",
        None,
        {"deductions_described": True, "deductions_percent": Decimal(10)},
        "ok",
        "described and limited",
    ),
    ("deductions", None, {"deductions_described": False}, "concern", "without saying"),
    ("deductions", None, {"deductions_percent": Decimal(30)}, "concern", "30 per cent of the wage"),
    ("deductions", None, {"deductions_percent": Decimal(60)}, "violation", "more than half"),
    ("contract_language", None, {"contract_language": "ru"}, "ok", "Kazakh or Russian"),
    ("contract_language", None, {"contract_language_understood": True}, "ok", "understands"),
    (
        "contract_language",
        None,
        {"contract_language_understood": False},
        "concern",
        "does not understand",
    ),
    ("signed_copy", None, {"signed_copy_held": True}, "ok", "holds a signed copy"),
    ("signed_copy", None, {"signed_copy_held": False}, "concern", "no signed copy"),
    ("return_ticket", None, {"return_ticket_paid_by": "employer"}, "ok", "employer pays"),
    ("return_ticket", None, {"return_ticket_paid_by": "worker"}, "concern", "must pay"),
    ("return_ticket", None, {"return_ticket_paid_by": "none"}, "concern", "no return ticket"),
    ("probation", "RU", {"probation_months": 3}, "ok", "within the usual limits"),
    ("probation", "US", {"probation_months": 9}, "concern", "unusually long"),
    (
        "probation",
        "TR",
        {"probation_months": 3},
        "violation",
        "A probation of 3 months exceeds the legal maximum of 2 in the Republic of Türkiye.",
    ),
    ("termination_clause", None, {"termination_clause_present": True}, "ok", "may be ended"),
    ("termination_clause", None, {"termination_clause_present": False}, "concern", "notice"),
    ("dispute_clause", None, {"dispute_clause_present": True}, "ok", "disputes are settled"),
    ("dispute_clause", None, {"dispute_clause_present": False}, "concern", "which authority"),
    ("insurance", "DE", {"insurance_provided": True}, "ok", "provides insurance"),
    ("insurance", "TR", {"insurance_provided": False}, "concern", "no health or accident"),
    (
        "insurance",
        "DE",
        {"insurance_provided": False},
        "violation",
        "mandatory in the Federal Republic of Germany",
    ),
    ("housing", None, {"housing_provided": True}, "ok", "provides housing"),
    ("housing", None, {"housing_provided": False}, "concern", "no housing"),
]


@pytest.mark.parametrize(
    ("code", "country", "terms", "level", "text"),
    RULE_CASES,
    ids=[f"{c[0]}-{c[3]}-{i}" for i, c in enumerate(RULE_CASES)],
)
def test_rule_levels(
    code: str, country: str | None, terms: dict[str, Any], level: str, text: str
) -> None:
    finding = run_rule(code, country, **terms)
    assert finding is not None
    assert (finding.rule, finding.level) == (code, level)
    assert text in finding.reason
    assert finding.references, "every finding cites something"


def test_every_rule_has_its_three_sides_covered_or_a_reason_not_to() -> None:
    covered = {(c[0], c[3]) for c in RULE_CASES}
    for rule in RULES:
        assert (rule.code, "ok") in covered
        assert (rule.code, "concern") in covered or (rule.code, "violation") in covered


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rules_are_silent_when_the_terms_say_nothing(rule: Any) -> None:
    assert rule.check(ContractTerms(), None) is None
    assert rule.check(ContractTerms(host_country="KR"), reference_for("KR")) is None


def test_minimum_wage_counts_long_hours() -> None:
    # 2,200,000 KRW a month is above the monthly minimum for 40 hours, not for 60.
    finding = run_rule(
        "minimum_wage",
        "KR",
        wage_amount=Decimal(2200000),
        wage_currency="KRW",
        wage_period="month",
        hours_per_week=Decimal(60),
    )
    assert finding is not None and finding.level == "violation"
    # 60 hours and the paid weekly day of rest (8 hours) make 294⅔ paid hours a month.
    assert "comes to about 7,466\u00a0KRW an hour" in finding.reason


def test_korean_monthly_wage_pays_the_weekly_day_of_rest() -> None:
    """The fault: 2,000,000 KRW a month for 40 hours a week read as 11,538 KRW an hour, "in
    order", although Korea's monthly minimum for 2026 is 2,156,880 KRW: a monthly wage also
    pays the weekly day of rest (Labor Standards Act Art. 55), 209 hours a month."""
    terms = {"wage_currency": "KRW", "wage_period": "month", "hours_per_week": Decimal(40)}
    below = run_rule("minimum_wage", "KR", wage_amount=Decimal(2000000), **terms)
    assert below is not None and below.level == "violation"
    assert "about 9,615\u00a0KRW an hour" in below.reason
    assert "paid weekly day of rest in a weekly or monthly wage: 8 more hours" in below.reason
    assert any("Art. 55" in r.text for r in below.references)
    at_minimum = run_rule("minimum_wage", "KR", wage_amount=Decimal(2156880), **terms)
    assert at_minimum is not None and at_minimum.level == "ok"
    # An hourly wage is compared as it is: the day of rest is paid apart.
    hourly = run_rule(
        "minimum_wage",
        "KR",
        wage_amount=Decimal(10320),
        wage_currency="KRW",
        wage_period="hour",
        hours_per_week=Decimal(40),
    )
    assert hourly is not None and hourly.level == "ok"
    assert "day of rest" not in hourly.reason


def test_minimum_wage_with_overtime_paid_on_top_is_set_against_the_normal_week() -> None:
    """The fault: a Turkish wage above the minimum for 45 hours, with 60 hours worked and
    overtime paid, was spread over all 60 hours and reported below the legal minimum."""
    terms = {
        "wage_amount": Decimal(34000),
        "wage_currency": "TRY",
        "wage_period": "month",
        "hours_per_week": Decimal(60),
        "signed_on": date(2026, 3, 1),
    }
    paid = run_rule("minimum_wage", "TR", overtime_paid=True, **terms)
    assert paid is not None and paid.level == "ok"
    assert paid.reason.endswith(
        "Overtime is paid on top, so the wage is set against the normal week of 45 hours."
    )
    # Unpaid (or not stated), the wage pays every hour worked: below the minimum.
    for overtime in (False, None):
        unpaid = run_rule("minimum_wage", "TR", overtime_paid=overtime, **terms)
        assert unpaid is not None and unpaid.level == "violation"
        assert "Overtime is paid on top" not in unpaid.reason


def test_turkish_net_minimum_wage_is_a_question_not_a_violation() -> None:
    """The fault: a Turkish contract paying the net minimum (28,075.50 TRY in 2026, the figure
    every payslip shows) was reported below the legal minimum, which the table holds gross
    (33,030 TRY), without saying that the minimum is gross."""
    terms = {"wage_currency": "TRY", "wage_period": "month", "hours_per_week": Decimal(45)}
    net = run_rule("minimum_wage", "TR", wage_amount=Decimal("28075.50"), **terms)
    assert net is not None and net.level == "concern"
    assert net.reason == (
        "The wage of 28,075.50\u00a0TRY a month for 45 hours a week is below the legal minimum "
        "of 33,030\u00a0TRY a month in the Republic of Türkiye, which is a gross amount, but "
        "not below its net amount of 28,075.50\u00a0TRY a month: check whether the contract "
        "states the wage before or after tax."
    )
    below = run_rule("minimum_wage", "TR", wage_amount=Decimal(25000), **terms)
    assert below is not None and below.level == "violation"
    assert below.reason.endswith(
        "The minimum is gross; its net amount is 28,075.50\u00a0TRY a month."
    )
    assert (
        review(
            parse_terms({**terms, "wage_amount": "28075.50", "signed_on": "2026-02-15"}, "TR")
        ).risk
        == "medium"
    )


def test_minimum_wage_converts_currency_approximately() -> None:
    far_below = run_rule(
        "minimum_wage", "TR", wage_amount=Decimal(300), wage_currency="USD", wage_period="month"
    )
    assert far_below is not None and far_below.level == "violation"
    assert "Converted at approximate exchange rates of December 1, 2025." in far_below.reason
    assert any("approximate exchange rates" in r.text for r in far_below.references)
    # 760 USD ≈ 32,300 TRY, within the 10% margin of 33,030 TRY: a concern, not a verdict.
    near = run_rule(
        "minimum_wage", "TR", wage_amount=Decimal(760), wage_currency="USD", wage_period="month"
    )
    assert near is not None and near.level == "concern"
    assert "Check at the current rate." in near.reason


def test_minimum_wage_adds_qatar_allowances_not_provided_in_kind() -> None:
    terms = {"wage_amount": Decimal(1200), "wage_currency": "QAR", "wage_period": "month"}
    with_board = run_rule("minimum_wage", "QA", housing_provided=True, meals_provided=True, **terms)
    assert with_board is not None and with_board.level == "ok"
    without = run_rule("minimum_wage", "QA", housing_provided=False, meals_provided=False, **terms)
    assert without is not None and without.level == "violation"
    assert "1,800\u00a0QAR a month" in without.reason


def test_a_wage_no_minimum_can_judge_is_said_not_passed_over() -> None:
    """The fault: a wage with no minimum on file for the contract's country and date (Korea's
    table starts in 2025; France is not in it; Kyrgyzstan's minimum is unconfirmed) gave no
    finding at all, so the review read "low risk" or "nothing to assess"."""
    korea_2024 = {
        "host_country": "KR",
        "signed_on": "2024-06-01",
        "wage_amount": 5000,
        "wage_currency": "KRW",
        "wage_period": "hour",
    }
    result = review(parse_terms(korea_2024))
    (finding,) = result.findings
    assert (finding.rule, finding.level) == ("minimum_wage", "concern")
    assert finding.reason == (
        "The wage cannot be checked: no minimum wage is on file for the host country "
        "(the Republic of Korea) on June 1, 2024."
    )
    assert result.risk == "medium" and result.risk_reasons == ("minimum_wage",)

    france = review(
        parse_terms({"wage_amount": 1, "wage_currency": "EUR", "wage_period": "hour"}, "FR")
    )
    assert [f.level for f in france.findings] == ["concern"]
    assert "(France)" in france.findings[0].reason and france.risk == "medium"

    # The table's note says why, where it has one.
    kyrgyzstan = run_rule(
        "minimum_wage", "KG", wage_amount=Decimal(100), wage_currency="KGS", wage_period="month"
    )
    assert kyrgyzstan is not None and kyrgyzstan.level == "concern"
    assert kyrgyzstan.reason.endswith(
        "Note in the table: Statutory minimum wage not confirmed; not used for comparison."
    )
    nowhere = run_rule(
        "minimum_wage", None, wage_amount=Decimal(1), wage_currency="USD", wage_period="hour"
    )
    assert nowhere is not None and "no host country is given" in nowhere.reason
    # A country that sets no minimum for the private sector (the UAE) is no unknown: said,
    # and no concern (a UAE contract rated medium for it).
    uae = review(
        parse_terms({"wage_amount": 1500, "wage_currency": "AED", "wage_period": "month"}, "AE")
    )
    (wage,) = [f for f in uae.findings if f.rule == "minimum_wage"]
    assert wage.level == "ok" and "sets no statutory minimum wage" in wage.reason
    assert "minimum_wage" not in uae.risk_reasons
    # The state's name opens the sentence: capitalised in English too (it read "the United...").
    assert wage.reason.startswith("The United Arab Emirates sets no statutory minimum wage")
    for language in ("kk", "ru"):
        set_language(language)
        reason = run_rule(
            "minimum_wage", "AE", wage_amount=Decimal(1), wage_currency="AED", wage_period="month"
        )
        assert reason is not None and reason.reason[:1].isupper()


def test_unverified_host_law_is_marked_in_references() -> None:
    # The UAE's Art. 13(2) was read in a news site's summary only: marked.
    uae = run_rule("passport_retention", "AE", passport_held_by="employer")
    assert uae is not None
    assert any(
        "Art. 13(2)" in r and "[not verified: confirm before citing]" in r
        for r in uae.reference_labels
    )
    # Korea's Art. 50, checked on the government's own legal-information site, is not marked.
    verified = run_rule("weekly_hours", "KR", hours_per_week=Decimal(60))
    assert verified is not None
    assert any("Art. 50" in r and "not verified" not in r for r in verified.reference_labels)


def test_passport_finding_cites_no_host_law_that_does_not_forbid_keeping() -> None:
    """The fault: every passport held by an employer cited the host's passport law, whatever
    the table said of it: Russia's Criminal Code Art. 325(2) (theft of documents, research B)
    and Korea's Immigration Act Art. 33-3 (no text found: "do not cite it until checked")."""
    russia = run_rule("passport_retention", "RU", passport_held_by="employer")
    korea = run_rule("passport_retention", "KR", passport_held_by="agency")
    assert russia is not None and korea is not None
    assert russia.level == korea.level == "violation"
    assert not any("325" in r for r in russia.reference_labels)
    assert not any("33-3" in r for r in korea.reference_labels)
    assert any("C029" in r for r in russia.reference_labels)
    # A law that forbids keeping a passport is still cited (the USA's § 1592).
    usa = run_rule("passport_retention", "US", passport_held_by="employer")
    assert usa is not None and any("§ 1592" in r for r in usa.reference_labels)


def test_qatar_passport_finding_asks_for_written_permission() -> None:
    """The fault: the finding said no employer may keep a worker's identity documents, then
    cited Qatar's Law No. 21 of 2015, Art. 8, which lets the employer keep the passport with
    the worker's written permission (research B)."""
    employer = run_rule("passport_retention", "QA", passport_held_by="employer")
    assert employer is not None and employer.level == "violation"
    assert "No employer may keep" not in employer.reason
    assert "only with the worker's written permission" in employer.reason
    assert "State of Qatar" in employer.reason
    assert any("Art. 8" in r for r in employer.reference_labels)
    # The permission is the employer's only: an agency is told the general rule, without Art. 8.
    agency = run_rule("passport_retention", "QA", passport_held_by="agency")
    assert agency is not None and "No agency may keep" in agency.reason
    assert not any("Art. 8" in r for r in agency.reference_labels)


def test_every_passport_law_says_when_it_is_cited_for_retention() -> None:
    raw = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    for code, country in raw["countries"].items():
        for entry in country.get("passport") or ():
            if entry["law"]:
                assert entry["cite_for_retention"] in (
                    "held",
                    "held_without_written_consent",
                    "taken",
                    "never",
                ), code
    raw["countries"]["RU"]["passport"][0]["cite_for_retention"] = "sometimes"
    with pytest.raises(ReferenceFileError, match="cite_for_retention"):
        parse_reference(raw)


def test_domestic_work_cites_c189() -> None:
    finding = run_rule(
        "recruitment_fee",
        None,
        position="Domestic worker",
        recruitment_fee_paid_by_worker=Decimal(200),
        recruitment_fee_currency="USD",
    )
    assert finding is not None
    texts = [r.text for r in finding.references]
    assert "ILO C189 Domestic Workers Convention, 2011, Art. 15(1)(e)" in texts
    assert "ILO C181 Private Employment Agencies Convention, 1997, Art. 7(1)" in texts


def test_host_law_that_leaves_out_domestic_work_is_not_applied_to_a_housemaid() -> None:
    """The fault: a housemaid's contract in the UAE was judged by the Labour Law (Federal
    Decree-Law No. 33 of 2021), whose Art. 3 leaves domestic workers out: "21 days are below
    the legal minimum of 30", "66 hours exceed the legal maximum of 60", with Art. 13(2) cited
    on her passport. In Korea the Labor Standards Act (Art. 11) and the Minimum Wage Act
    (Art. 3(1)) leave them out too."""
    terms = {
        "position": "housemaid",
        "hours_per_week": 66,
        "paid_leave_days_per_year": 21,
        "passport_held_by": "agency",
        "insurance_provided": False,
        "signed_on": "2026-05-10",
    }
    result = review(parse_terms(terms, host_country="AE"))
    scope, *rest = result.findings
    assert (scope.rule, scope.level) == ("host_law_scope", "concern")
    assert scope.reason.startswith(
        "The position is domestic work, which the laws of the United Arab Emirates cited here "
        "leave out of their scope"
    )
    (cite,) = scope.references
    assert cite.text == (
        "Federal Decree-Law No. 33 of 2021 on the Regulation of Labour Relations, Art. 3"
    )
    assert cite.source.startswith("https://") and not cite.verified
    by_rule = {f.rule: f for f in rest}
    assert by_rule["weekly_hours"].reason == "66 hours a week exceed the ILO standard of 48 hours."
    assert "ILO standard of three working weeks" in by_rule["paid_leave"].reason
    cited = [r.text for f in rest for r in f.references]
    assert not any("Decree-Law No. 33" in text for text in cited)
    # The health-insurance decision is no part of the Labour Law: it still applies.
    assert by_rule["insurance"].level == "violation"
    assert any("health insurance" in r.text for r in by_rule["insurance"].references)

    # The same terms for a driver: the Labour Law applies, and nothing is said of its scope.
    driver = review(parse_terms({**terms, "position": "driver"}, host_country="AE"))
    assert "host_law_scope" not in [f.rule for f in driver.findings]
    leave = next(f for f in driver.findings if f.rule == "paid_leave")
    assert "legal minimum of 30 (days)" in leave.reason

    korea = review(
        parse_terms(
            {
                "position": "nanny",
                "wage_amount": 1500000,
                "wage_currency": "KRW",
                "wage_period": "month",
                "signed_on": "2026-03-02",
            },
            host_country="KR",
        )
    )
    scope, wage = korea.findings
    assert [r.text for r in scope.references] == [
        "Minimum Wage Act, Art. 3(1)",
        "Labor Standards Act, Art. 11",
    ]
    assert (wage.rule, wage.level) == ("minimum_wage", "concern")
    assert wage.reason == (
        "The wage is not compared with the minimum wage of the Republic of Korea: the law that "
        "sets it does not cover domestic work."
    )


# --- review and risk ----------------------------------------------------------------------


def test_design_example_is_critical_with_passport_and_fee_reasons() -> None:
    result = review(parse_terms(DESIGN_EXAMPLE, host_country="TR"))
    assert result.risk in ("high", "critical")
    assert result.risk == "critical"
    assert {"passport_retention", "recruitment_fee"} <= set(result.risk_reasons)
    assert result.ilo_indicators == (
        "deception",
        "retention_of_identity_documents",
        "debt_bondage",
        "excessive_overtime",
    )
    levels = {f.rule: f.level for f in result.findings}
    assert levels == {
        "passport_retention": "violation",
        "recruitment_fee": "violation",
        "minimum_wage": "violation",
        "weekly_hours": "violation",
        "contract_language": "concern",
        "signed_copy": "concern",
    }


def test_passport_and_fee_alone_are_critical_even_without_a_country() -> None:
    terms = ContractTerms(
        passport_held_by="employer",
        recruitment_fee_paid_by_worker=Decimal(1500),
        recruitment_fee_currency="USD",
    )
    result = review(terms)
    assert result.risk == "critical"
    assert result.risk_reasons == ("passport_retention", "recruitment_fee")


def test_result_json_has_the_design_shape() -> None:
    data = result_to_json(review(parse_terms(DESIGN_EXAMPLE, host_country="TR")))
    assert set(data) == {"findings", "risk", "risk_reasons", "ilo_indicators"}
    first = data["findings"][0]  # type: ignore[index]
    assert first["rule"] == "passport_retention"
    assert set(first) >= {"rule", "level", "reason", "references"}
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


def f(rule: str, level: str, *indicators: str) -> Finding:
    return Finding(rule, level, "reason", ("ref",), indicators)


@pytest.mark.parametrize(
    ("findings", "risk", "reasons"),
    [
        ([], "low", ()),
        ([f("housing", "ok"), f("dispute_clause", "concern")], "low", ()),
        (
            [f("housing", "concern"), f("signed_copy", "concern"), f("dispute_clause", "concern")],
            "medium",
            ("housing", "signed_copy", "dispute_clause"),
        ),
        ([f("paid_leave", "violation"), f("housing", "concern")], "medium", ("paid_leave",)),
        (
            [f("weekly_hours", "violation", "excessive_overtime"), f("paid_leave", "violation")],
            "high",
            ("weekly_hours",),
        ),
        (
            [f("passport_retention", "violation", "retention_of_identity_documents")],
            "high",
            ("passport_retention",),
        ),
        (
            [
                f("passport_retention", "violation", "retention_of_identity_documents"),
                f("contract_language", "concern", "deception"),
            ],
            "critical",
            ("passport_retention", "contract_language"),
        ),
    ],
)
def test_risk_rating(findings: list[Finding], risk: str, reasons: tuple[str, ...]) -> None:
    assert rate_risk(findings) == (risk, reasons)


def test_all_ok_terms_are_low_risk() -> None:
    terms = parse_terms(
        {
            "wage_amount": 3000000,
            "wage_currency": "KRW",
            "wage_period": "month",
            "hours_per_week": 40,
            "overtime_paid": True,
            "rest_days_per_week": 2,
            "paid_leave_days_per_year": 15,
            "passport_held_by": "worker",
            "recruitment_fee_paid_by_worker": 0,
            "contract_language_understood": True,
            "signed_copy_held": True,
            "return_ticket_paid_by": "employer",
            "insurance_provided": True,
            "termination_clause_present": True,
        },
        host_country="KR",
    )
    result = review(terms)
    assert {f.level for f in result.findings} == {"ok"}
    assert (result.risk, result.risk_reasons, result.ilo_indicators) == ("low", (), ())


def test_applicable_provisions_are_cited_by_matching_rules_only() -> None:
    eaeu = ProvisionRef("EAEU Treaty, Art. 98", ("unpaid_wages", "wage_discrimination"))
    qatar = ProvisionRef("KZ–QA Agreement of 14.02.2024", ("documents_withheld",))
    terms = ContractTerms(
        host_country="RU",
        wage_amount=Decimal(20000),
        wage_currency="RUB",
        wage_period="month",
        passport_held_by="employer",
        signed_copy_held=False,
    )
    by_rule = {x.rule: x.reference_labels for x in review(terms, (eaeu, qatar)).findings}
    assert by_rule["minimum_wage"][-1] == "EAEU Treaty, Art. 98"
    assert by_rule["passport_retention"][-1] == "KZ–QA Agreement of 14.02.2024"
    assert "EAEU Treaty, Art. 98" not in by_rule["signed_copy"]
    assert "EAEU Treaty, Art. 98" not in by_rule["passport_retention"]


def test_reasons_follow_the_language_at_review_time() -> None:
    terms = ContractTerms(host_country="KR", hours_per_week=Decimal(72))
    set_language("ru")
    russian = review(terms).findings[0].reason
    set_language("en")
    english = review(terms).findings[0].reason
    assert "Республика Корея" in russian
    assert "the Republic of Korea" in english  # the official name


def test_ilo_standards_write_their_articles_as_the_language_does() -> None:
    """The fault: an ILO standard outside the library carried its article inside one message,
    so the Russian review cited «ст. 6(2)» and «ст. 2(2)(b)» and the Kazakh one «6-бап,
    2-тармақ», beside library citations written «п. 2 ст. 6» and «6-баптың 2-тармағы»."""
    terms = parse_terms({"overtime_paid": True, "probation_months": 3}, host_country="TR")
    expected = {
        "en": ("Art. 6(2)", "Art. 2(2)(b)"),
        "ru": ("п. 2 ст. 6", "подп. «b» п. 2 ст. 2"),
        "kk": ("6-баптың 2-тармағы", "2-баптың 2-тармағының b) тармақшасы"),
    }
    for language, (overtime, probation) in expected.items():
        set_language(language)
        findings = {f.rule: f for f in review(terms).findings}
        cited = [r.text for r in findings["overtime_pay"].references]
        assert any(text.endswith(", " + overtime) for text in cited), cited
        cited = [r.text for r in findings["probation"].references]
        assert any(text.endswith(", " + probation) for text in cited), cited
    set_language("en")
    (c001,) = review(terms).findings[0].references
    assert c001.text == "ILO C001 Hours of Work (Industry) Convention, 1919, Art. 6(2)"


def test_indicator_codes_are_the_ilo_eleven_in_order() -> None:
    assert tuple(IloIndicator) == (
        "abuse_of_vulnerability",
        "deception",
        "restriction_of_movement",
        "isolation",
        "physical_sexual_violence",
        "intimidation_threats",
        "retention_of_identity_documents",
        "withholding_of_wages",
        "debt_bondage",
        "abusive_working_living_conditions",
        "excessive_overtime",
    )
    assert tuple(INDICATOR_REFERENCES) == tuple(IloIndicator)


def test_rule_codes_are_unique_and_ordered() -> None:
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes)) == 16
    assert codes[:4] == ["passport_retention", "recruitment_fee", "minimum_wage", "weekly_hours"]


def test_contract_modules_import_neither_qt_nor_database() -> None:
    code = (
        "import sys, app.contracts; "
        "print(any(m.split('.')[0] in ('PySide6', 'sqlalchemy') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- property: review never raises on valid terms -------------------------------------------

_amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
_maybe = st.none() | st.booleans()

valid_terms = st.builds(
    ContractTerms,
    employer_name=st.none() | st.text(max_size=40),
    host_country=st.none() | st.sampled_from((*HOST_COUNTRIES, "FR", "SA")),
    position=st.none() | st.sampled_from(("domestic worker", "welder", "няня")),
    wage_amount=st.none() | _amounts,
    wage_currency=st.sampled_from(("USD", "TRY", "KRW", "RUB", "QAR", "BRL", "EUR")),
    wage_period=st.sampled_from(WAGE_PERIODS),
    hours_per_week=st.none() | st.decimals(min_value="0.5", max_value=120, places=1),
    overtime_paid=_maybe,
    rest_days_per_week=st.none() | st.integers(0, 7),
    paid_leave_days_per_year=st.none() | st.integers(0, 366),
    term_months=st.none() | st.integers(1, 240),
    probation_months=st.none() | st.integers(0, 24),
    housing_provided=_maybe,
    meals_provided=_maybe,
    insurance_provided=_maybe,
    return_ticket_paid_by=st.none() | st.sampled_from(RETURN_TICKET_PAYERS),
    passport_held_by=st.none() | st.sampled_from(PASSPORT_HOLDERS),
    recruitment_fee_paid_by_worker=st.none() | _amounts,
    recruitment_fee_currency=st.none() | st.sampled_from(("USD", "KZT")),
    deductions_described=_maybe,
    deductions_percent=st.none() | st.decimals(min_value=0, max_value=100, places=1),
    contract_language=st.none() | st.sampled_from(("kk", "ru", "en", "ko", "tr")),
    contract_language_understood=_maybe,
    termination_clause_present=_maybe,
    dispute_clause_present=_maybe,
    signed_copy_held=_maybe,
)


@settings(max_examples=150, deadline=None)
@given(valid_terms)
def test_review_never_raises_on_valid_terms(terms: ContractTerms) -> None:
    result = review(terms)
    assert result.risk in ("low", "medium", "high", "critical")
    assert set(result.risk_reasons) <= {x.rule for x in result.findings}
    assert set(result.ilo_indicators) <= set(IloIndicator)
    assert all(x.level in ("ok", "concern", "violation") for x in result.findings)
    json.dumps(result_to_json(result), ensure_ascii=False)


@settings(max_examples=60, deadline=None)
@given(valid_terms)
def test_terms_to_dict_round_trips(terms: ContractTerms) -> None:
    data = terms_to_dict(terms)
    if terms.wage_amount is None:
        # parse_terms insists on a currency and period only together with an amount
        data["wage_currency"] = data["wage_period"] = None
        terms = replace(terms, wage_currency=None, wage_period=None)
    if terms.probation_months and terms.term_months and terms.probation_months > terms.term_months:
        return
    if terms.recruitment_fee_paid_by_worker and not terms.recruitment_fee_currency:
        return
    assert parse_terms(data) == replace(
        terms, employer_name=" ".join((terms.employer_name or "").split()) or None
    )


def test_every_leave_unit_of_the_reference_table_is_translatable() -> None:
    import json

    from app.config import RESOURCES_DIR
    from app.contracts.rules import LEAVE_UNITS

    table = json.loads((RESOURCES_DIR / "contracts" / "host_countries.json").read_text("utf-8"))
    units = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("unit"), str) and "min_days" in node:
                units.add(node["unit"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(table)
    assert units and units <= set(LEAVE_UNITS)


# --- standing and dates of the instruments a review cites ------------------------------------


def test_ilo_conventions_outside_the_library_say_their_ratification_is_not_known() -> None:
    """The fault: C001, C014, C131, C132 and C158 were cited bare, so an officer could tell an
    employer that a convention binds a host that never ratified it."""
    terms = parse_terms(
        {
            "position": "factory worker",
            "hours_per_week": 52,
            "rest_days_per_week": 1,
            "paid_leave_days_per_year": 10,
            "termination_clause_present": False,
            "wage_amount": 100,
            "wage_currency": "KRW",
            "wage_period": "hour",
        },
        host_country="KR",
    )
    result = review(terms, applicable_provisions("KR", "en"))
    conventions = [r for f in result.findings for r in f.references if r.text.startswith("ILO C")]
    cited = {r.text.split()[1] for r in conventions}
    assert {"C001", "C014", "C132", "C158"} <= cited
    for reference in conventions:
        assert reference.standing == (
            "international standard: not known to be ratified by the host country"
        ), reference.text
    # Guidelines and indicators are no conventions: nothing to ratify.
    others = [r for f in result.findings for r in f.references if r.key.startswith("std:ind")]
    assert all(r.standing == "" for r in others)


def test_a_convention_the_host_ratified_says_it_binds_the_host() -> None:
    c029 = next(p for p in applicable_provisions("KR", "en") if p.instrument == "ilo-c029")
    assert c029.binding and c029.standing == "binding on the host country"


def test_a_ratification_without_a_date_says_since_when_is_not_recorded() -> None:
    """The fault: Qatar's ratification of C029 has no date in the library, yet the review
    cited it as "binding on the host country" with nothing saying since when, so an officer
    could present it as binding on a contract older than Qatar's ratification."""
    c029 = next(p for p in applicable_provisions("QA", "en") if p.instrument == "ilo-c029")
    assert c029.binding and c029.binds_from is None
    assert c029.standing == "binding on the host; since when not recorded"
    terms = parse_terms({"passport_held_by": "employer", "signed_on": "2026-01-10"}, "QA")
    (finding,) = review(terms, applicable_provisions("QA", "en"), today=date(2026, 12, 7)).findings
    assert finding.reference_labels[0].endswith("(binding on the host; since when not recorded)")


def test_korea_is_bound_by_c029_twelve_months_after_ratifying_it() -> None:
    """The fault: Korea's ratification of C029 (deposited 20 April 2021) was cited as binding
    for contracts signed before it took effect for Korea (20 April 2022)."""
    (c029,) = {
        p.binds_from for p in applicable_provisions("KR", "en") if p.instrument == "ilo-c029"
    }
    assert c029 == date(2022, 4, 20)

    def c029_label(signed_on: str, **more: object) -> str:
        terms = parse_terms({"passport_held_by": "employer", "signed_on": signed_on, **more}, "KR")
        finding = review(terms, applicable_provisions("KR", "en"), today=date(2026, 12, 7))
        return next(label for label in finding.findings[0].reference_labels if "No. 29" in label)

    assert c029_label("2021-06-01").endswith("(applies from 20 April 2022)")
    assert c029_label("2023-01-01").endswith("(binding on the host country)")
    # A one-year contract that ended before Korea was bound: a standard only for it.
    assert "binds the host country only from 20 April 2022" in c029_label(
        "2021-01-01", term_months=12
    )


def test_russia_is_bound_by_p029_from_the_date_a_source_gives() -> None:
    """The fault: Russia's ratification of the 2014 Protocol (P029) had no date, so the review
    cited it as binding for contracts that ended before it entered into force for Russia
    (17 January 2020, per the source the library stores)."""
    (p029,) = {
        p.binds_from for p in applicable_provisions("RU", "en") if p.instrument == "ilo-p029"
    }
    assert p029 == date(2020, 1, 17)
    # No source gives Kyrgyzstan's date (docs/legal-sources.md): none is made up.
    (kg,) = {p.binds_from for p in applicable_provisions("KG", "en") if p.instrument == "ilo-p029"}
    assert kg is None

    def p029_label(signed_on: str, **more: object) -> str:
        fee = {"recruitment_fee_paid_by_worker": 500, "recruitment_fee_currency": "USD"}
        terms = parse_terms({**fee, "signed_on": signed_on, **more}, "RU")
        finding = review(terms, applicable_provisions("RU", "en"), today=date(2026, 12, 7))
        return next(label for label in finding.findings[0].reference_labels if "2014" in label)

    assert "Art. 2(d) (applies from 17 January 2020)" in p029_label("2019-06-01")
    assert "Art. 2(d) (binding on the host country)" in p029_label("2021-01-01")
    assert "binds the host country only from 17 January 2020" in p029_label(
        "2019-01-01", term_months=6
    )


QATAR = ProvisionRef(
    "Agreement between the Governments of Kazakhstan and Qatar, Art. 5",
    ("documents_withheld",),
    instrument="kz-qa-employment-2024",
    article="Art. 5",
    binds_from=date(2025, 12, 18),
)


def _qatar_labels(today: date, **terms: object) -> list[str]:
    parsed = parse_terms({"passport_held_by": "employer", **terms}, host_country="QA")
    (finding,) = review(parsed, (QATAR,), today=today).findings
    return [label for label in finding.reference_labels if "Qatar" in label]


def test_an_agreement_in_force_after_the_contract_applies_from_its_date() -> None:
    """The fault: the Qatar agreement (in force 18 December 2025) was cited as binding for
    contracts signed in 2024."""
    today = date(2026, 12, 7)
    assert _qatar_labels(today, signed_on="2024-03-01") == [
        f"{QATAR.citation} (applies from 18 December 2025)"
    ]
    assert _qatar_labels(today, signed_on="2026-01-10") == [QATAR.citation]
    # The employment ended before the agreement entered into force: not cited at all.
    assert _qatar_labels(today, signed_on="2024-03-01", term_months=12) == []
    # Not yet in force on the day of the review: binds nobody, so not cited.
    assert _qatar_labels(date(2025, 6, 1), signed_on="2025-03-01") == []


def test_the_date_an_agreement_applies_from_is_declined_in_kazakh() -> None:
    set_language("kk")
    try:
        (label,) = _qatar_labels(date(2026, 12, 7), signed_on="2024-03-01")
    finally:
        set_language("en")
    assert "2025 жылғы 18 желтоқсаннан" in label


def test_a_domestic_worker_outside_the_host_law_is_not_rated_low_risk() -> None:
    """The fault: the UAE's Labour Law leaves domestic workers out, so a housemaid's 66-hour
    week was only a concern against the ILO standard and, with the scope concern, "low" risk;
    a driver with the same week is "high". Excessive overtime is a forced-labour indicator
    whatever the law (DOMAIN.md), and a worker the law leaves out is the more vulnerable."""
    base = {"position": "housemaid", "signed_on": "2026-05-10"}
    hours = review(parse_terms({**base, "hours_per_week": 66}, host_country="AE"))
    assert [f.rule for f in hours.findings] == ["host_law_scope", "weekly_hours"]
    assert (hours.risk, hours.risk_reasons) == ("high", ("weekly_hours",))
    leave = review(parse_terms({**base, "paid_leave_days_per_year": 10}, host_country="AE"))
    assert (leave.risk, leave.risk_reasons) == ("medium", ("host_law_scope", "paid_leave"))
    # The scope note alone judges no term: nothing to rate.
    assert review(parse_terms(base, host_country="AE")).risk == "low"


def test_the_eaeu_treaty_binds_kyrgyzstan_from_its_accession_not_the_union_s_start() -> None:
    """The fault: the review dated the EAEU Treaty from 1 January 2015 for every member, so a
    Kyrgyz contract of March 2015 was reviewed as bound by it before Kyrgyzstan acceded."""
    days = {
        p.binds_from
        for p in applicable_provisions("KG", "en")
        if p.instrument == "eaeu-treaty-2014"
    }
    assert days == {date(2015, 8, 6)}
    russia = {
        p.binds_from
        for p in applicable_provisions("RU", "en")
        if p.instrument == "eaeu-treaty-2014"
    }
    assert russia == {date(2015, 1, 1)}


@pytest.mark.parametrize("typed", ["ko", "KO", "корейский", "корей тілі", "Korean", "korean"])
def test_a_contract_language_is_read_by_its_name(typed: str) -> None:
    """The command line and the form take a language's name in Kazakh, Russian or English."""
    assert parse_terms({"contract_language": typed}).contract_language == "ko"
