"""The indicators and case lists as plain tables: what the PDF prints and CSV/XLSX export.

Every table has a stable ``key`` (the sheet or file name), a title and headers in the
report's language, and cells that are plain values (text, int, Decimal, float, date).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.numbers import format_decimal

from app.domain import occupations as isco
from app.domain.names import person_name, user_name
from app.i18n import format_number, locale_for
from app.letters.context import MissionInfo
from app.letters.renderer import date_attributive, date_long
from app.letters.states import official_name
from app.reports.disclosure import Coarse
from app.reports.texts import (
    category_name,
    ilo_name,
    letter_kind_name,
    risk_name,
    status_name,
    text,
    texts,
)
from app.services.records import CaseRow
from app.services.stats import Count, Indicators, OrganisationCount, ReturneeCount, ReturneeStats

Cell = str | int | float | Decimal | date | None


class Month(date):
    """A month as a table cell: its first day, so a spreadsheet gets a real date it can sort,
    filter and chart; written ``YYYY-MM`` wherever it is text (CSV, the terminal, the PDF)."""

    @classmethod
    def parse(cls, text: str) -> Month:
        """From ``YYYY-MM``, as the statistics service names months."""
        first = date.fromisoformat(f"{text}-01")
        return cls(first.year, first.month, 1)

    def isoformat(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __str__(self) -> str:
        return self.isoformat()


def number_text(value: int | float | Decimal, lang: str) -> str:
    """A figure as the reader writes it: digits grouped for the language; an amount (a
    Decimal) with its cents only when it has some ("2 125 000", "1 250,50"), as letters do."""
    if isinstance(value, Coarse) and value.small:
        return value.text  # published "<11"
    if isinstance(value, Decimal) and value.is_finite():
        whole = value == value.to_integral_value()
        pattern = "#,##0" if whole else "#,##0.00"
        return format_decimal(
            value, format=pattern, locale=locale_for(lang), decimal_quantization=True
        )
    return format_number(value, lang)


@dataclass(frozen=True)
class ReportTable:
    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def _some(count: int) -> bool:
    """At least one case: a published "<11" too (as a number it is 0, what a chart draws)."""
    return bool(count) or (isinstance(count, Coarse) and count.small)


def _days(value: float | None) -> Cell:
    return None if value is None else round(value, 1)


def selection_lines(ind: Indicators, lang: str, hide_names: bool) -> list[str]:
    """The period and scope in words, for the head of the report (PDF, workbook, terminal),
    and the day the open and overdue cases are counted at (the workbook sent to HQ gave "open
    now" without it); at HQ, which mission a transferred case counts at."""
    s = ind.scope
    period = text("period", lang).format(
        start=date_long(ind.date_from, lang), end=date_long(ind.date_to, lang)
    )
    parts = []
    if s.host_country:
        parts.append(f"{text('host_country', lang)}: {official_name(s.host_country, lang)}")
    if s.category:
        parts.append(f"{text('category', lang)}: {category_name(s.category, lang)}")
    if s.officer:
        named = user_name(ind.officer, lang) if ind.officer else s.officer
        officer = text("hidden", lang) if hide_names else named
        parts.append(f"{text('officer', lang)}: {officer}")
    if s.mission:
        parts.append(f"{text('mission', lang)}: {s.mission}")
    scope = "; ".join(parts) if parts else text("all_cases", lang)
    as_of = text("as_of", lang).format(date=date_attributive(ind.as_of, lang))
    lines = [period, f"{text('selection', lang)}: {scope}.", as_of]
    if ind.by_mission or s.mission:  # HQ's figures: missions side by side, or one of them
        lines.append(text("counted_where", lang))
    return lines


def source_line(mission: MissionInfo, lang: str, on: date) -> str:
    """Whose data a file holds and of which day: a CSV or workbook handed to a partner carries
    no letterhead, and two of them from different missions or days read alike."""
    name = mission.text("name", lang) or mission.code
    return text("source", lang).format(mission=name, date=date_long(on, lang))


def export_about(ind: Indicators, lang: str, hide_names: bool, mission: MissionInfo) -> list[str]:
    """What a file of the published figures says first (the workbook's first sheet, or
    ``NAME-about.csv``): its source, period, selection and the small-count rule."""
    lines = [source_line(mission, lang, ind.today), *selection_lines(ind, lang, hide_names)]
    lines.append(text("small_counts", lang).format(k=ind.published_k))
    return lines


def open_text_key(ind: Indicators) -> str:
    """The name of the open cases' figure: "now" only while the period runs."""
    return "open_now" if ind.as_of >= ind.today else "open_at_end"


def key_figures(ind: Indicators, lang: str) -> ReportTable:
    rows: list[tuple[Cell, ...]] = [
        (text("opened", lang), ind.opened),
        (text("resolved", lang), ind.resolved),
        (text("closed", lang), ind.closed),
        (text(open_text_key(ind), lang), ind.open_now),
        (text("overdue", lang), ind.overdue),
        (text("median_days", lang), _days(ind.median_days)),
        (text("p90_days", lang), _days(ind.p90_days)),
        (text("documents_returned", lang), ind.documents_returned),
        (text("repatriated", lang), ind.repatriated),
        (text("referred", lang), ind.referred),
    ]
    return ReportTable(
        "key_figures",
        text("key_figures", lang),
        (text("indicator", lang), text("value", lang)),
        tuple(rows),
    )


def indicator_tables(ind: Indicators, lang: str) -> list[ReportTable]:
    """All the report's tables, in the order they are printed."""
    count = text("cases", lang)
    tables = [
        key_figures(ind, lang),
        _counted("open_by_status", "status", status_name, ind.open_by_status, lang),
        ReportTable(
            "wages_recovered",
            text("wages_recovered", lang),
            (text("currency", lang), text("amount", lang), count),
            tuple((m.currency, m.amount, m.cases) for m in ind.wages_recovered),
        ),
        _counted(
            "categories",
            "category",
            category_name,
            [c for c in ind.categories if _some(c.count)],
            lang,
        ),
        ReportTable(
            "ilo_indicators",
            text("ilo", lang),
            ("№", text("ilo_indicator", lang), count),
            tuple(
                (number, ilo_name(c.key, lang), c.count)
                for number, c in enumerate(ind.ilo_indicators, start=1)
            ),
        ),
        _counted("host_countries", "country", official_name, ind.host_countries, lang),
        _organisations("top_employers", ind.top_employers, lang),
        _organisations("top_agencies", ind.top_agencies, lang),
        _counted(
            "letters_by_kind",
            "letter_kind",
            letter_kind_name,
            ind.letters_by_kind,
            lang,
            title="letters",
            counted="letters_count",
        ),
        _counted(
            "reviews_by_risk",
            "risk",
            risk_name,
            ind.reviews_by_risk,
            lang,
            title="reviews",
            counted="reviews_count",
        ),
        _monthly(ind, lang),
    ]
    if ind.by_mission:
        tables.append(_by_mission(ind, lang))
    return tables + returnee_tables(ind.returnees, lang)


def _counted(
    key: str,
    label: str,
    name: Callable[[str, str], str],
    counts: Sequence[Count],
    lang: str,
    title: str = "",
    counted: str = "cases",
) -> ReportTable:
    """A two-column table of the counted codes, each called by ``name`` (code, language), and
    their counts, headed by the text ``counted`` (what is counted: cases, letters, reviews);
    its title is the text ``title`` (``key`` when not given)."""
    rows = tuple((name(c.key, lang), c.count) for c in counts)
    return ReportTable(
        key, text(title or key, lang), (text(label, lang), text(counted, lang)), rows
    )


def _organisations(key: str, organisations: Sequence[OrganisationCount], lang: str) -> ReportTable:
    """The employers or agencies with the most cases, with their country."""
    return ReportTable(
        key,
        text(key, lang),
        (text("name", lang), text("country", lang), text("cases", lang)),
        tuple((o.name, official_name(o.country, lang), o.count) for o in organisations),
    )


def _monthly(ind: Indicators, lang: str) -> ReportTable:
    return ReportTable(
        "monthly",
        text("monthly", lang),
        texts(lang, "month", "opened_short", "resolved_short", "closed_short"),
        tuple((Month.parse(p.month), p.opened, p.resolved, p.closed) for p in ind.monthly),
    )


def _by_mission(ind: Indicators, lang: str) -> ReportTable:
    """HQ's figures per mission."""
    return ReportTable(
        "by_mission",
        text("by_mission", lang),
        texts(
            lang,
            "mission",
            "opened_short",
            "resolved_short",
            "closed_short",
            open_text_key(ind),
            "overdue",
            "median_short",
        ),
        tuple(
            (m.mission, m.opened, m.resolved, m.closed, m.open_now, m.overdue, _days(m.median_days))
            for m in ind.by_mission
        ),
    )


def returnee_tables(stats: ReturneeStats, lang: str) -> list[ReportTable]:
    """The returnees' register in the period: how many came home and want a referral to an
    employment centre (and those without a day of return, apart), then by occupation major
    group, country of work and region of return."""
    summary = ReportTable(
        "returnees",
        text("returnees", lang),
        texts(lang, "indicator", "value"),
        (
            (text("returned", lang), stats.total),
            (text("returned_referral", lang), stats.wants_referral),
            (text("returned_undated", lang), stats.undated),
        ),
    )
    return [
        summary,
        _returnees_by(
            "returnees_by_occupation",
            "occupation_group",
            stats.by_major_group,
            lambda code: f"{code} {isco.major_group_title(code, lang)}",
            lang,
        ),
        _returnees_by(
            "returnees_by_country",
            "work_country",
            stats.by_country,
            lambda code: official_name(code, lang),
            lang,
        ),
        _returnees_by(
            "returnees_by_region",
            "region",
            stats.by_region,
            lambda code: isco.region_title(code, lang),
            lang,
        ),
    ]


def _returnees_by(
    key: str, label: str, counts: Sequence[ReturneeCount], name: Callable[[str], str], lang: str
) -> ReportTable:
    return ReportTable(
        key,
        text(key, lang),
        texts(lang, label, "returnees_count", "referral_short"),
        tuple((name(c.key), c.n, c.wants_referral) for c in counts),
    )


def case_list_table(rows: Sequence[CaseRow], lang: str, hide_names: bool) -> ReportTable:
    """A list of cases (the cases behind a chart); names hidden when asked."""
    return ReportTable(
        "cases",
        text("case_list", lang),
        case_list_headers(lang),
        tuple(case_list_row(r, lang, hide_names) for r in rows),
    )


def case_list_headers(lang: str) -> tuple[str, ...]:
    return (
        text("number", lang),
        text("received", lang),
        text("status", lang),
        text("country", lang),
        text("person", lang),
        text("employer", lang),
        text("category", lang),
        text("officer", lang),
        text("due", lang),
    )


def case_list_row(r: CaseRow, lang: str, hide_names: bool) -> tuple[Cell, ...]:
    """One case of a case list, in the columns of ``case_list_headers``; people named as the
    report's language names them (``app.domain.names``)."""
    hidden = text("hidden", lang)
    officer = user_name(r.officer, lang) if r.officer else ""
    return (
        r.number,
        r.received_at,
        status_name(r.status, lang),
        official_name(r.host_country, lang),  # a file's states as its report names them
        hidden
        if hide_names
        else text("anonymised", lang)
        if r.anonymised
        else person_name(r.worker, lang),
        r.employer_name,
        ", ".join(category_name(c, lang) for c in r.categories),
        hidden if hide_names and officer else officer,
        r.due_date,
    )
