"""The HTCDS 2.0 mapping and the disclosure control, case by case."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from openpyxl import load_workbook

from app.errors import UsageError
from app.reports.disclosure import k_anonymise
from app.reports.htcds import (
    COLUMNS,
    QUASI_IDENTIFIER_STEPS,
    SCHEMA_FILE,
    ExportScope,
    PastExport,
    build_export,
    check_history,
    check_year_ended,
    disclosure_csv,
    htcds_csv,
    htcds_json,
    htcds_json_schema,
    htcds_xlsx,
    industry,
    methods_of_control,
    past_exports,
    published_count,
    record,
    trafficking_status,
)
from app.reports.htcds_standard import fields
from app.services.stats import AnonymisedCase, StatsFilter
from tests.htcds_check import SENSITIVE, smallest_group, standard, value_problems

BASE = AnonymisedCase(
    year=2026,
    sex="female",
    citizenship="KZ",
    host_country="KR",
    status="in_progress",
    categories=("unpaid_wages",),
    ilo_indicators=(),
    channel="walk_in",
    employer_sector="",
    has_agency=False,
    consent=True,
    referred_out_year=None,
)
# Deceived about the job and kept by a debt: both elements of forced labour.
DECEIVED_IN_DEBT = replace(
    BASE, categories=("contract_substitution",), ilo_indicators=("debt_bondage", "deception")
)


def test_the_product_reads_the_standard_as_the_tests_do() -> None:
    independent = standard()
    assert list(fields()) == list(independent)
    for name, spec in fields().items():
        assert set(spec.values) == independent[name]["values"], name
        assert spec.iso_countries == independent[name]["iso"], name


def test_columns_are_current_fields_in_the_standards_order() -> None:
    spec = standard()
    assert all(name in spec and spec[name]["status"] == "DRAFT" for name in COLUMNS)
    orders = [spec[name]["order"] for name in COLUMNS]
    assert orders == sorted(orders)
    quasi = {c for step in QUASI_IDENTIFIER_STEPS for c in step}
    # Every column is either protected by k or one the tests treat as the sensitive payload.
    assert set(COLUMNS) - quasi - SENSITIVE == {"hte_Type"}  # constant: "Exploitation"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, None),  # unpaid wages, no indicator: a labour complaint
        ({"categories": ("trafficking_forced_labour",)}, "PossibleVictimOfTrafficking"),
        ({"ilo_indicators": ("debt_bondage", "deception")}, "PossibleVictimOfTrafficking"),
        (
            {"ilo_indicators": ("excessive_overtime", "withholding_of_wages")},
            "PossibleVictimOfTrafficking",
        ),
        # One element only: coercion without involuntary work, or the reverse.
        ({"ilo_indicators": ("retention_of_identity_documents", "withholding_of_wages")}, None),
        ({"ilo_indicators": ("deception", "excessive_overtime")}, None),
        ({"categories": ("illness_injury", "death_repatriation", "unjustified_dismissal")}, None),
        (
            {"categories": ("trafficking_forced_labour",), "status": "rejected"},
            None,
        ),
        ({"ilo_indicators": ("debt_bondage", "deception"), "status": "rejected"}, None),
    ],
)
def test_trafficking_status(change: dict[str, object], expected: str | None) -> None:
    assert trafficking_status(replace(BASE, **change)) == expected  # type: ignore[arg-type]


def test_methods_of_control_come_from_indicators_without_overstating() -> None:
    # The categories alone name no method of control.
    assert methods_of_control(replace(BASE, categories=("recruitment_fees", "unpaid_wages"))) == ()
    # Wages withheld is not "takes earnings"; which threat it was is not recorded.
    withheld = replace(BASE, ilo_indicators=("withholding_of_wages", "intimidation_threats"))
    assert methods_of_control(withheld) == ("Other",)
    assert methods_of_control(DECEIVED_IN_DEBT) == ("DebtBondage", "FalsePromises")
    documents = replace(
        BASE, ilo_indicators=("retention_of_identity_documents", "excessive_overtime")
    )
    assert methods_of_control(documents) == ("ExcessiveWorkingHours", "WithholdsDocuments")
    violence = replace(BASE, ilo_indicators=("physical_sexual_violence",))
    assert methods_of_control(violence) == ("Other",)
    assert methods_of_control(replace(violence, categories=("violence",))) == ("PhysicalAbuse",)
    assert methods_of_control(replace(violence, categories=("sexual_abuse", "violence"))) == (
        "PhysicalAbuse",
        "SexualAbuse",
    )
    # Conditions of work are not a method of control.
    conditions = replace(BASE, ilo_indicators=("abusive_working_living_conditions",))
    assert methods_of_control(conditions) == ()


def test_industry_takes_an_isic_section_and_guesses_nothing() -> None:
    assert industry("F") == "F_Construction"
    assert industry("a") == "A_AgricultureForestryAndFishing"
    assert industry("T_ActivitiesOfHouseholdsAsEmployers") == "T_ActivitiesOfHouseholdsAsEmployers"
    assert industry("construction") == industry("") == industry("Z") == ""


def test_record_fills_what_the_case_says() -> None:
    case = replace(
        DECEIVED_IN_DEBT,
        sex=None,
        status="resolved",
        channel="referral",
        employer_sector="C",
        has_agency=True,
        consent=False,
        referred_out_year=2027,
    )
    row = record(case)
    assert list(row) == list(COLUMNS)
    assert row == {
        "prs_Gender": "NonSpecifiedUnknown",
        "prs_Citizenship": "KZ",
        "vic_TraffickingStatus": "PossibleVictimOfTrafficking",
        "vic_TraffickingStatusDecisionMakingOrg": "NonPoliceGovernmentalOrganization",
        "vic_MethodsOfControl": "DebtBondage;FalsePromises",
        "vic_TypeOfExploitation": "ForcedLabour",
        "vic_ForcedLabourIndustry": "C_Manufacturing",
        "per_RoleInProcess": "RecruiterOrIntermediary",
        "cas_Status": "FollowUp",
        "cas_IncomingReferralDate": "2026",
        "cas_ReasonForOutgoingReferral": "AdditionalServicesRequired",
        "cas_OutgoingReferralDate": "2027",
        "hte_Country": "KR",
        "hte_Date": "2026",
        "hte_Type": "Exploitation",
        "con_Consent": "false",
    }
    assert value_problems([row]) == []
    for status, expected in (("new", "Active"), ("referred", "Active"), ("closed", "Closed")):
        assert record(replace(DECEIVED_IN_DEBT, status=status))["cas_Status"] == expected
    odd = record(replace(DECEIVED_IN_DEBT, citizenship="XX", host_country="ZZ"))
    assert odd["prs_Citizenship"] == odd["hte_Country"] == ""  # not ISO: not recorded
    with pytest.raises(ValueError):
        record(BASE)  # no trafficking status: never a row


def test_k_anonymity_withholds_then_suppresses() -> None:
    steps = (("detail",), ("country",))
    big = [{"country": "KR", "detail": "x"}] * 12
    few = [{"country": "KR", "detail": "y"}] * 3
    released, summary = k_anonymise(big + few, steps, k=5)
    # Withholding the detail, then the country, leaves 3 rows alike: too few, suppressed.
    assert released == big and summary.rows_suppressed == 3 and summary.generalised == ()
    others = [{"country": "TR", "detail": "y"}] * 2
    released, summary = k_anonymise(big + few + others, steps, k=5)
    # Now 5 rows are alike once both are withheld, and they share their detail, which comes
    # back: only the country stays withheld.
    assert Counter((r["country"], r["detail"]) for r in released) == {("KR", "x"): 12, ("", "y"): 5}
    assert summary.rows_suppressed == 0 and summary.smallest_group == 5
    assert summary.generalised == (("country", 5),)


def test_k_anonymity_holds_on_every_released_group() -> None:
    rows = [{"a": str(i % 7), "b": str(i % 3), "c": "same"} for i in range(60)]
    released, summary = k_anonymise(rows, (("a",), ("b",), ("c",)), k=11)
    groups = Counter((r["a"], r["b"], r["c"]) for r in released)
    assert min(groups.values()) >= 11 and summary.smallest_group == min(groups.values())
    assert all(r["c"] == "same" for r in released)  # a constant column is never withheld
    assert summary.rows_released + summary.rows_suppressed == 60
    with pytest.raises(ValueError):
        k_anonymise(rows, (("a",),), k=1)


def test_the_export_leaves_out_what_is_not_trafficking_and_holds_k() -> None:
    cases = (
        [replace(DECEIVED_IN_DEBT, host_country="KR")] * 14
        + [replace(DECEIVED_IN_DEBT, host_country="TR", sex="male")] * 4
        + [replace(DECEIVED_IN_DEBT, status="rejected")] * 6
        + [BASE] * 30
    )
    export = build_export(cases, k=11)
    assert (export.cases, export.rejected, export.not_assessed) == (54, 6, 30)
    assert export.disclosure.rows_in == 18
    assert smallest_group(export.rows, COLUMNS) >= 11
    assert value_problems(export.rows) == []
    lines = list(csv.DictReader(io.StringIO(htcds_csv(export).decode("utf-8"))))
    assert lines == export.rows
    summary = {
        (r["item"], r["field"]): r["value"]
        for r in csv.DictReader(io.StringIO(disclosure_csv(export).decode("utf-8")))
    }
    assert summary[("left_out_rejected", "")] == "<11"  # a small cell, never exact
    assert summary[("cases_in_period", "")] == "55"  # 54, rounded to five
    assert summary[("rows_released", "")] == str(len(export.rows))
    book = load_workbook(io.BytesIO(htcds_xlsx(export)))
    assert book.sheetnames == ["HTCDS", "Disclosure"]
    sheet_rows = list(book["HTCDS"].iter_rows(values_only=True))
    assert sheet_rows[0] == COLUMNS and len(sheet_rows) == len(export.rows) + 1
    assert book.properties.creator == "Qorgau"


def test_a_country_export_does_not_say_one_worker_there_was_a_victim() -> None:
    # One possible victim in Türkiye among six cases: its row is suppressed, and the summary
    # the partner gets must not say "1 assessed, 1 suppressed, 1 rejected" in its place.
    cases = (
        [replace(DECEIVED_IN_DEBT, host_country="TR")]
        + [replace(DECEIVED_IN_DEBT, host_country="TR", status="rejected")]
        + [replace(BASE, host_country="TR")] * 4
    )
    export = build_export(cases, k=11)
    assert export.rows == [] and export.disclosure.rows_suppressed == 1
    summary = {
        (r["item"], r["field"]): r["value"]
        for r in csv.DictReader(io.StringIO(disclosure_csv(export).decode("utf-8")))
    }
    for item in (
        "cases_in_period",
        "left_out_rejected",
        "left_out_not_assessed",
        "assessed_possible_victims",
        "rows_suppressed",
    ):
        assert summary[(item, "")] == "<11", item
    assert summary[("rows_released", "")] == "0"
    document = json.loads(htcds_json(export, StatsFilter(), "TR-IST", date(2026, 12, 7)))
    values = {(d["item"], d["field"]): d["value"] for d in document["disclosure"]}
    assert values[("assessed_possible_victims", "")] == "<11"


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, 0), (1, "<11"), (10, "<11"), (11, 15), (13, 15), (17, 15), (18, 20), (230, 230)],
)
def test_counts_the_rows_do_not_show_are_published_coarsely(count: int, shown: object) -> None:
    assert published_count(count, 11) == shown


def test_two_exports_of_a_filling_year_subtract_to_the_case_added_between() -> None:
    # The attack: 2026 in March (14 cases) and in June (one more, in debt bondage in Türkiye).
    march = [replace(DECEIVED_IN_DEBT, sex="female")] * 14
    june = [*march, replace(DECEIVED_IN_DEBT, host_country="TR", sex="male")]
    a, b = build_export(march), build_export(june)
    assert a.data != b.data  # what tells the two apart before either is written
    year = StatsFilter(date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(UsageError, match="2026 has not ended"):
        check_year_ended(year, date(2026, 6, 15))
    check_year_ended(year, date(2027, 1, 2))
    # Once ended, the year exported in January is what partners keep: a case entered late
    # (June's) makes another export of it a different one, refused.
    scope = ExportScope.of(year, 11)
    past = [PastExport(date(2027, 1, 2), scope, a.data)]
    check_history(scope, build_export(list(reversed(march))).data, past)  # same cases again
    with pytest.raises(UsageError, match="have changed since they were exported on"):
        check_history(scope, b.data, past)
    # Recorded before exports kept a digest: nothing tells whether the cases changed since.
    with pytest.raises(UsageError, match="whether those cases have changed since cannot be told"):
        check_history(scope, a.data, [PastExport(date(2027, 1, 2), scope, "")])


@pytest.mark.parametrize(
    ("other", "allowed"),
    [
        (ExportScope(2025, 2025, "KR", None, 11), True),  # the same export again
        (ExportScope(2025, 2025, "TR", None, 11), True),  # another country: no case in both
        (ExportScope(2024, 2024, None, None, 11), True),  # another year
        (ExportScope(2025, 2025, "KR", "SEL", 11), False),  # a mission's slice of it
        (ExportScope(2025, 2025, None, None, 11), False),  # all countries: KR's rows inside
        (ExportScope(2024, 2025, "KR", None, 11), False),  # 2024 and 2025 minus 2025
        (ExportScope(2025, 2025, "KR", None, 15), False),  # another k of the same cases
    ],
)
def test_an_export_sharing_cases_with_a_recorded_one_must_be_the_same(
    other: ExportScope, allowed: bool
) -> None:
    recorded = past_exports(
        [
            (
                datetime(2026, 1, 10, 9, 0),
                {
                    "date_from": "2025-01-01",
                    "date_to": "2025-12-31",
                    "host_country": "KR",
                    "mission": None,
                    "k": 11,
                    "data": "same",
                },
            ),
            (datetime(2026, 1, 11), {"files": ["refused before a scope was recorded"]}),
        ]
    )
    assert recorded == [
        PastExport(date(2026, 1, 10), ExportScope(2025, 2025, "KR", None, 11), "same")
    ]
    if allowed:
        check_history(other, "same", recorded)
    else:
        with pytest.raises(UsageError, match="shares cases with the one made on"):
            check_history(other, "same", recorded)


SCHEMA = Path(__file__).resolve().parents[2] / SCHEMA_FILE


def test_the_json_export_validates_against_its_published_schema() -> None:
    """The fault: the JSON a partner receives had no schema to check it against; its fields,
    picklists and disclosure summary were described in prose only."""
    published = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert published == htcds_json_schema(), (
        "regenerate: python -c 'import json; from app.reports.htcds import htcds_json_schema; "
        f"print(json.dumps(htcds_json_schema(), ensure_ascii=False, indent=2))' > {SCHEMA_FILE}"
    )
    Draft202012Validator.check_schema(published)
    validator = Draft202012Validator(published, format_checker=FormatChecker())
    cases = [replace(DECEIVED_IN_DEBT, consent=n % 2 == 0) for n in range(24)]
    export = build_export(cases, k=11)
    scope = StatsFilter(date(2026, 1, 1), date(2026, 12, 31))
    document = json.loads(htcds_json(export, scope, "SEL", date(2027, 1, 5)))
    assert document["records"] and list(validator.iter_errors(document)) == []
    # What the schema refuses: a value outside the standard's picklist, an unknown method in
    # a multiselect, a name (a column the export never has), a date that is no date.
    record_ = document["records"][0]
    for bad in (
        {**record_, "prs_Gender": "female"},
        {**record_, "vic_MethodsOfControl": "DebtBondage;Beatings"},
        {**record_, "prs_FirstName": "Гүлнар"},
        {**record_, "hte_Date": "last year"},
    ):
        assert not validator.is_valid({**document, "records": [bad]}), bad
    assert not validator.is_valid({**document, "made_on": "2027-13-45"})
