"""Case-level data for partners in IOM's Human Trafficking Case Data Standard (HTCDS) 2.0.

Only cases whose trafficking status is assessed are exported: a possible victim of trafficking
by the rule of ``trafficking_status`` (docs/htcds-mapping.md explains every mapping against the
standard's definitions). Column names, their order and every value come from the standard's
field list (``app.reports.htcds_standard``); a value the standard does not have is a bug and
stops the export.

Disclosure control is not optional: no name, identifier, pseudonym, contact, address or
organisation; dates are years; every quasi-identifier group has at least ``k`` rows (values are
withheld, then rows suppressed, ``app.reports.disclosure``); rows are shuffled. Two exports
therefore share nothing that links a row of one to a row of the other.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.domain.codes import CaseStatus, Category, Channel
from app.domain.codes import IloIndicator as I
from app.domain.iso import country_codes
from app.errors import UsageError
from app.i18n import _, format_date
from app.reports.disclosure import (
    PUBLISHED_K,
    DisclosureSummary,
    Row,
    k_anonymise,
    published_count,
)
from app.reports.htcds_standard import (
    ATTRIBUTION,
    CHECKBOX_VALUES,
    DATE_PATTERN,
    MULTI_SEPARATOR,
    VERSION,
    field,
    in_standard_order,
)
from app.services.stats import AnonymisedCase, StatsFilter

FORMAT = "qorgau-htcds-export"
FORMAT_VERSION = 2
# CTDC, IOM's Counter Trafficking Data Collaborative, publishes case data with k = 11; the
# statistics' small counts are the same (``app.reports.published``).
DEFAULT_K = PUBLISHED_K

GENDER = "prs_Gender"
CITIZENSHIP = "prs_Citizenship"
STATUS = "vic_TraffickingStatus"
DECIDED_BY = "vic_TraffickingStatusDecisionMakingOrg"
METHODS = "vic_MethodsOfControl"
EXPLOITATION = "vic_TypeOfExploitation"
INDUSTRY = "vic_ForcedLabourIndustry"
ROLE = "per_RoleInProcess"
CASE_STATUS = "cas_Status"
REFERRED_IN = "cas_IncomingReferralDate"
REFERRED_OUT_REASON = "cas_ReasonForOutgoingReferral"
REFERRED_OUT = "cas_OutgoingReferralDate"
EVENT_COUNTRY = "hte_Country"
EVENT_DATE = "hte_Date"
EVENT_TYPE = "hte_Type"
CONSENT = "con_Consent"

COLUMNS = in_standard_order(
    (
        GENDER,
        CITIZENSHIP,
        STATUS,
        DECIDED_BY,
        METHODS,
        EXPLOITATION,
        INDUSTRY,
        ROLE,
        CASE_STATUS,
        REFERRED_IN,
        REFERRED_OUT_REASON,
        REFERRED_OUT,
        EVENT_COUNTRY,
        EVENT_DATE,
        EVENT_TYPE,
        CONSENT,
    )
)
# What someone who knows the person may know, in the order given up when a group is too small:
# the details first, the country of exploitation (the figure partners need most) last.
QUASI_IDENTIFIER_STEPS: tuple[tuple[str, ...], ...] = (
    (REFERRED_OUT, REFERRED_OUT_REASON),
    (REFERRED_IN,),
    (ROLE,),
    (INDUSTRY,),
    (CITIZENSHIP,),
    (EVENT_DATE,),
    (GENDER,),
    (EVENT_COUNTRY,),
)

POSSIBLE_VICTIM = "PossibleVictimOfTrafficking"
# The mission (an embassy or consulate) is a governmental organisation and not the police.
MISSION = "NonPoliceGovernmentalOrganization"
GENDERS = {"female": "Feminine", "male": "Masculine"}
NOT_SPECIFIED = "NonSpecifiedUnknown"
CASE_STATUSES = {
    CaseStatus.NEW: "Active",
    CaseStatus.IN_PROGRESS: "Active",
    CaseStatus.AWAITING_RESPONSE: "Active",
    CaseStatus.REFERRED: "Active",  # still open at the mission: the partner helps alongside
    CaseStatus.RESOLVED: "FollowUp",  # outcome reached, closure awaits confirmation
    CaseStatus.CLOSED: "Closed",
}
INCOMING_CHANNELS = frozenset({Channel.REFERRAL, Channel.HQ_TRANSFER})

# The two elements of forced labour as the ILO measures it ("Hard to see, harder to count", 2012;
# 20th ICLS guidelines, 2018): work that is involuntary, and imposed under coercion (threats and
# violence, restricted movement, debt bondage, wages or documents withheld, abuse of
# vulnerability). Each of the 11 indicators shows one of them.
INVOLUNTARY = frozenset({I.DECEPTION, I.EXCESSIVE_OVERTIME, I.ABUSIVE_WORKING_LIVING_CONDITIONS})
COERCION = frozenset(I) - INVOLUNTARY
# Indicators that name an HTCDS method of control exactly.
METHOD_OF = {
    I.DECEPTION: "FalsePromises",
    I.RETENTION_OF_IDENTITY_DOCUMENTS: "WithholdsDocuments",
    I.DEBT_BONDAGE: "DebtBondage",
    I.EXCESSIVE_OVERTIME: "ExcessiveWorkingHours",
}
# Methods of control the standard has no value for (restriction of movement, isolation), or
# whose kind the case does not record (which threat; wages withheld is not "takes earnings").
OTHER_METHODS = frozenset(
    {I.RESTRICTION_OF_MOVEMENT, I.ISOLATION, I.INTIMIDATION_THREATS, I.WITHHOLDING_OF_WAGES}
)


def check_scope(scope: StatsFilter) -> None:
    """Refuses a scope whose export, set beside another, would single cases out.

    Each export is k-anonymous on its own, but two exports whose scopes differ by a few cases
    (periods a month apart, the full set and one category or one officer's cases) can be
    subtracted group by group: what is left are those few cases, with their methods of
    control. Years are what the rows say, so the period is whole calendar years; a category or
    an officer selects on what the rows do not show, so neither may narrow the export.
    """
    first, last = scope.date_from, scope.date_to
    whole_years = (
        first is not None
        and last is not None
        and (first.month, first.day) == (1, 1)
        and (last.month, last.day) == (12, 31)
    )
    if not whole_years:
        raise UsageError(
            _(
                "The HTCDS export covers whole calendar years: give --from as 1 January and "
                "--to as 31 December. Two exports of periods a few days apart, compared, "
                "would single out the cases of those days."
            )
        )
    if scope.category or scope.officer:
        raise UsageError(
            _(
                "The HTCDS export cannot be limited to a complaint category or an officer: "
                "compared with an export of all cases, it would single out the cases it "
                "leaves out."
            )
        )


def check_year_ended(scope: StatsFilter, today: date) -> None:
    """Refuses a year that has not ended: its cases are still being added, and two exports of
    it (March and June), subtracted group by group, leave the cases added between."""
    assert scope.date_to is not None
    if scope.date_to.year >= today.year:
        raise UsageError(
            _(
                "{year} has not ended: cases are still being added to it, and two exports of "
                "it made months apart, compared, would single out the cases added between. "
                "Export it from 1 January {next}; until then, export whole years that have "
                "ended."
            ).format(year=scope.date_to.year, next=scope.date_to.year + 1)
        )


@dataclass(frozen=True)
class ExportScope:
    """What an HTCDS export covers, as far as it can overlap another: its years, its host
    country and mission (None: all), and k (two generalisations of the same cases, set side
    by side, tell more than either)."""

    first_year: int
    last_year: int
    country: str | None
    mission: str | None
    k: int

    @classmethod
    def of(cls, scope: StatsFilter, k: int) -> ExportScope:
        assert scope.date_from is not None and scope.date_to is not None
        return cls(scope.date_from.year, scope.date_to.year, scope.host_country, scope.mission, k)

    def shares_cases_with(self, other: ExportScope) -> bool:
        """False only when no case can be in both: other years, countries or missions."""
        if self.last_year < other.first_year or other.last_year < self.first_year:
            return False
        if self.country and other.country and self.country != other.country:
            return False
        return not (self.mission and other.mission and self.mission != other.mission)

    def describe(self) -> str:
        years = (
            str(self.first_year)
            if self.first_year == self.last_year
            else f"{self.first_year}–{self.last_year}"
        )
        parts = [years]
        if self.country:
            parts.append(_("country {code}").format(code=self.country))
        if self.mission:
            parts.append(_("mission {code}").format(code=self.mission))
        parts.append(f"k = {self.k}")
        return ", ".join(parts)


@dataclass(frozen=True)
class PastExport:
    """An HTCDS export recorded in the audit log: what a partner may already hold."""

    made_on: date
    scope: ExportScope
    data: str  # ``HtcdsExport.data`` of its cases; "" when the record does not say


def past_exports(entries: Sequence[tuple[datetime, Mapping[str, Any]]]) -> list[PastExport]:
    """The recorded exports (``StatsService.recorded_exports("htcds")``) whose scope can be
    read; one without whole years was refused before anything was written, so has none."""
    found = []
    for at, details in entries:
        try:
            first = date.fromisoformat(str(details["date_from"]))
            last = date.fromisoformat(str(details["date_to"]))
            k = int(details["k"])
        except (KeyError, TypeError, ValueError):
            continue
        scope = ExportScope(
            first.year, last.year, details.get("host_country"), details.get("mission"), k
        )
        found.append(PastExport(at.date(), scope, str(details.get("data", ""))))
    return found


def check_history(scope: ExportScope, data: str, past: Sequence[PastExport]) -> None:
    """Refuses an export that, set beside one already made, would single cases out.

    Exports that share cases must be the same export: the same years, country, mission and k,
    of cases that have not changed since. Otherwise one, subtracted from the other, leaves the
    cases in one only (a country's slice against all countries, a year re-exported after late
    cases came in or a case was closed) with their methods of control.
    """
    for made in past:
        if not made.scope.shares_cases_with(scope):
            continue
        when = format_date(made.made_on)
        if made.scope != scope:
            raise UsageError(
                _(
                    "This export shares cases with the one made on {date} ({past}). A partner "
                    "holding both could subtract one from the other and single out the cases "
                    "in only one of them. Export exactly {past} again, or a scope that shares "
                    "no case with it: other years, another country or another mission."
                ).format(date=when, past=made.scope.describe())
            )
        if not made.data:
            raise UsageError(
                _(
                    "The export of {past} made on {date} did not record the cases it was "
                    "made from: whether those cases have changed since cannot be told, and a "
                    "new export compared with that one could single out the cases that "
                    "changed. Give partners the file exported on {date}."
                ).format(date=when, past=made.scope.describe())
            )
        if made.data != data:
            raise UsageError(
                _(
                    "The cases of {past} have changed since they were exported on {date} "
                    "(cases added, or their details or status changed). Compared with that "
                    "export, a new one would single out the cases that changed: give partners "
                    "the file exported on {date}."
                ).format(date=when, past=made.scope.describe())
            )


def trafficking_status(case: AnonymisedCase) -> str | None:
    """``PossibleVictimOfTrafficking`` or None (not assessed: the case is not exported).

    A possible victim: the officer filed the complaint as trafficking or forced labour, or the
    ILO indicators recorded show both elements of forced labour (involuntary work and coercion).
    A rejected case is none. Qorgau records no formal identification by the police or a court,
    so no case is ``ActualVictimOfTrafficking``.
    """
    if case.status == CaseStatus.REJECTED:
        return None
    if Category.TRAFFICKING_FORCED_LABOUR in case.categories:
        return POSSIBLE_VICTIM
    indicators = {I(code) for code in case.ilo_indicators}
    if indicators & INVOLUNTARY and indicators & COERCION:
        return POSSIBLE_VICTIM
    return None


def methods_of_control(case: AnonymisedCase) -> tuple[str, ...]:
    """The HTCDS methods of control the case's ILO indicators show, in the standard's order."""
    indicators = {I(code) for code in case.ilo_indicators}
    found = {METHOD_OF[i] for i in indicators if i in METHOD_OF}
    if I.PHYSICAL_SEXUAL_VIOLENCE in indicators:
        # The indicator covers both kinds; the complaint's categories say which it was.
        kinds = set()
        if Category.VIOLENCE in case.categories:
            kinds.add("PhysicalAbuse")
        if Category.SEXUAL_ABUSE in case.categories:
            kinds.add("SexualAbuse")
        found |= kinds or {"Other"}
    if indicators & OTHER_METHODS:
        found.add("Other")
    order = field(METHODS).values
    return tuple(sorted(found, key=order.index))


def industry(sector: str) -> str:
    """The HTCDS industry (ISIC Rev. 4 section) of an employer's recorded sector, or ""."""
    code = sector.strip()
    for value in field(INDUSTRY).values:
        if code.upper() == value[0] or code == value:
            return value
    return ""


def _country(code: str) -> str:
    """An ISO 3166-1 alpha-2 code, or "" for anything else a legacy import may have left."""
    return code if code in country_codes() else ""


def record(case: AnonymisedCase) -> Row:
    """One exported row (before disclosure control); only for a case with a status."""
    status = trafficking_status(case)
    if status is None:
        raise ValueError("a case without a trafficking status is not exported")
    referred_out = case.referred_out_year
    row = {
        GENDER: GENDERS.get(case.sex or "", NOT_SPECIFIED),
        CITIZENSHIP: _country(case.citizenship),
        STATUS: status,
        DECIDED_BY: MISSION,
        METHODS: MULTI_SEPARATOR.join(methods_of_control(case)),
        EXPLOITATION: "ForcedLabour",
        INDUSTRY: industry(case.employer_sector),
        ROLE: "RecruiterOrIntermediary" if case.has_agency else "",
        CASE_STATUS: CASE_STATUSES[CaseStatus(case.status)],
        REFERRED_IN: str(case.year) if case.channel in INCOMING_CHANNELS else "",
        REFERRED_OUT_REASON: "AdditionalServicesRequired" if referred_out else "",
        REFERRED_OUT: str(referred_out) if referred_out else "",
        EVENT_COUNTRY: _country(case.host_country),
        EVENT_DATE: str(case.year),
        EVENT_TYPE: "Exploitation",
        CONSENT: "true" if case.consent else "false",
    }
    for name, value in row.items():
        if not field(name).accepts(value):
            raise ValueError(f"HTCDS {VERSION} has no value {value!r} for {name}")
    return {name: row[name] for name in COLUMNS}


@dataclass(frozen=True)
class HtcdsExport:
    rows: list[Row]  # released, shuffled
    cases: int  # opened in the period and scope
    rejected: int
    not_assessed: int  # neither filed as trafficking nor showing both elements of forced labour
    disclosure: DisclosureSummary
    # A digest of everything the export is made from (its rows before disclosure control and
    # its counts): equal for two exports exactly when they are made from the same data.
    data: str = ""


def data_digest(rows: Sequence[Row], counts: Sequence[int]) -> str:
    """SHA-256 over the rows in a fixed order (the database's order says nothing) and counts."""
    lines = sorted(json.dumps(row, sort_keys=True, ensure_ascii=False) for row in rows)
    document = json.dumps({"rows": lines, "counts": list(counts)}, ensure_ascii=False)
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def build_export(cases: Sequence[AnonymisedCase], k: int = DEFAULT_K) -> HtcdsExport:
    assessed = [record(c) for c in cases if trafficking_status(c) is not None]
    rejected = sum(1 for c in cases if c.status == CaseStatus.REJECTED)
    not_assessed = len(cases) - len(assessed) - rejected
    rows, summary = k_anonymise(assessed, QUASI_IDENTIFIER_STEPS, k)
    return HtcdsExport(
        rows=rows,
        cases=len(cases),
        rejected=rejected,
        not_assessed=not_assessed,
        disclosure=summary,
        data=data_digest(assessed, (len(cases), rejected, not_assessed)),
    )


def summary_items(export: HtcdsExport) -> list[tuple[str, str, str | int]]:
    """The disclosure summary as (item, field, value) rows: the sidecar, sheet and JSON say it.

    Only what the rows show (released rows, the smallest group) is exact; counts of what is
    left out, suppressed or withheld are ``published_count``s.
    """
    d = export.disclosure

    def hidden(count: int) -> str | int:
        return published_count(count, d.k)

    items: list[tuple[str, str, str | int]] = [
        ("standard", "", ATTRIBUTION),
        ("k", "", d.k),
        ("cases_in_period", "", hidden(export.cases)),
        ("left_out_rejected", "", hidden(export.rejected)),
        ("left_out_not_assessed", "", hidden(export.not_assessed)),
        ("assessed_possible_victims", "", hidden(d.rows_in)),
        ("rows_suppressed", "", hidden(d.rows_suppressed)),
        ("rows_released", "", d.rows_released),
        ("smallest_group", "", d.smallest_group),
    ]
    items += [("quasi_identifier", name, "") for name in d.quasi_identifiers]
    items += [("values_withheld", name, hidden(count)) for name, count in d.generalised]
    return items


def htcds_csv(export: HtcdsExport) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(export.rows)
    return buffer.getvalue().encode("utf-8")


def disclosure_csv(export: HtcdsExport) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(("item", "field", "value"))
    writer.writerows(summary_items(export))
    return buffer.getvalue().encode("utf-8")


def htcds_xlsx(export: HtcdsExport) -> bytes:
    """Sheet "HTCDS": the field names, then the rows; sheet "Disclosure": the summary."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    data = book.active
    data.title = "HTCDS"
    data.append(list(COLUMNS))
    for row in export.rows:
        data.append([row[name] for name in COLUMNS])
    summary = book.create_sheet("Disclosure")
    summary.append(["item", "field", "value"])
    for item in summary_items(export):
        summary.append(list(item))
    for sheet in (data, summary):
        sheet.freeze_panes = "A2"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            width = max(len(str(c.value or "")) for c in sheet[cell.column_letter])
            sheet.column_dimensions[cell.column_letter].width = min(60, width + 2)
    book.properties.title = f"HTCDS {VERSION} export"
    book.properties.creator = "Qorgau"
    book.properties.rights = ATTRIBUTION
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def htcds_json(
    export: HtcdsExport, scope: StatsFilter, source_mission: str, made_on: date
) -> bytes:
    """The rows with what a partner needs to read them."""
    document = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "standard": f"HTCDS {VERSION}",
        "attribution": ATTRIBUTION,
        "source": source_mission,
        "made_on": made_on.isoformat(),
        "period": {
            "from": scope.date_from.isoformat() if scope.date_from else None,
            "to": scope.date_to.isoformat() if scope.date_to else None,
        },
        "multiselect_separator": MULTI_SEPARATOR,
        "fields": list(COLUMNS),
        "count": len(export.rows),
        "records": export.rows,
        "disclosure": [
            {"item": item, "field": name, "value": value}
            for item, name, value in summary_items(export)
        ],
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


SCHEMA_FILE = "docs/htcds-export.schema.json"
SUMMARY_ITEMS = (
    "standard",
    "k",
    "cases_in_period",
    "left_out_rejected",
    "left_out_not_assessed",
    "assessed_possible_victims",
    "rows_suppressed",
    "rows_released",
    "smallest_group",
    "quasi_identifier",
    "values_withheld",
)
_ISO_DATE = {"type": "string", "format": "date"}


def _column_schema(name: str) -> dict[str, Any]:
    """What the column may hold, from the standard's own field list ("" is not recorded or
    withheld): a partner validates a file without reading Qorgau's code."""
    spec = field(name)
    if spec.iso_countries:
        one: dict[str, Any] = {"enum": sorted(country_codes())}
    elif spec.values:
        one = {"enum": list(spec.values)}
    elif spec.type == "Checkbox":
        one = {"enum": list(CHECKBOX_VALUES)}
    elif spec.type == "Date":
        one = {"pattern": DATE_PATTERN.pattern}
    else:
        one = {}
    described = {"type": "string", "title": spec.label}
    if spec.multiselect and "enum" in one:
        choice = "|".join(re.escape(value) for value in one["enum"])
        sep = re.escape(MULTI_SEPARATOR)
        return {**described, "pattern": f"^((?:{choice})(?:{sep}(?:{choice}))*)?$"}
    if "enum" in one:
        return {**described, "enum": ["", *one["enum"]]}
    if "pattern" in one:
        return {**described, "pattern": f"^$|{one['pattern']}"}
    return described


def htcds_json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of ``htcds_json``'s document, published as ``SCHEMA_FILE``."""
    count_or_coarse = {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string"}]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://qorgau.kz/schemas/htcds-export.schema.json",
        "title": f"Qorgau's HTCDS {VERSION} export (qorgau stats --htcds FILE.json)",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "format",
            "version",
            "standard",
            "attribution",
            "source",
            "made_on",
            "period",
            "multiselect_separator",
            "fields",
            "count",
            "records",
            "disclosure",
        ],
        "properties": {
            "format": {"const": FORMAT},
            "version": {"const": FORMAT_VERSION},
            "standard": {"const": f"HTCDS {VERSION}"},
            "attribution": {"const": ATTRIBUTION},
            "source": {
                "type": "string",
                "description": "the code of the mission or HQ that made it",
            },
            "made_on": _ISO_DATE,
            "period": {
                "type": "object",
                "additionalProperties": False,
                "required": ["from", "to"],
                "properties": {
                    "from": {"anyOf": [_ISO_DATE, {"type": "null"}]},
                    "to": {"anyOf": [_ISO_DATE, {"type": "null"}]},
                },
            },
            "multiselect_separator": {"const": MULTI_SEPARATOR},
            "fields": {"const": list(COLUMNS)},
            "count": {"type": "integer", "minimum": 0},
            "records": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": list(COLUMNS),
                    "properties": {name: _column_schema(name) for name in COLUMNS},
                },
            },
            "disclosure": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["item", "field", "value"],
                    "properties": {
                        "item": {"enum": list(SUMMARY_ITEMS)},
                        "field": {"type": "string"},
                        "value": count_or_coarse,
                    },
                },
            },
        },
    }
