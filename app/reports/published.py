"""The indicators as they may leave the mission: every count under the small-count rule.

A statistical report, its tables (CSV, XLSX) and its JSON go to HQ's analysts, ministries and
partners; a count of 1-4 for a country, category or month identifies people to anyone who
knows them, and two reports a period apart subtract to the cases between. So what is published
follows the rule of the HTCDS disclosure summary (``disclosure.published_count``): a count
under k is "<k", any other is rounded to five; a median or a percentile of fewer than k cases
is withheld, and so is the sum of wages recovered in fewer than k cases; an employer or agency
with fewer than k cases is left out (a named organisation and a small count point at its few
workers). The attaché's own screens (the dashboard, ``stats`` printed in the terminal, the
cases behind a figure) stay exact: they are the cases the attaché works on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from app.reports.disclosure import PUBLISHED_K, coarse
from app.services.stats import (
    Count,
    Indicators,
    MissionFigures,
    MonthPoint,
    OrganisationCount,
    ReturneeCount,
    ReturneeStats,
)


def published(ind: Indicators, k: int = PUBLISHED_K) -> Indicators:
    """``ind`` with every count coarsened (once: published figures are returned as they are)."""
    if ind.published_k:
        return ind

    def counts(items: Sequence[Count]) -> tuple[Count, ...]:
        return tuple(Count(c.key, coarse(c.count, k)) for c in items)

    def organisations(items: Sequence[OrganisationCount]) -> tuple[OrganisationCount, ...]:
        return tuple(replace(o, count=coarse(o.count, k)) for o in items if o.count >= k)

    def days(value: float | None, cases: int) -> float | None:
        return value if cases >= k else None

    missions = tuple(
        MissionFigures(
            m.mission,
            coarse(m.opened, k),
            coarse(m.resolved, k),
            coarse(m.closed, k),
            coarse(m.open_now, k),
            coarse(m.overdue, k),
            days(m.median_days, m.resolved),
        )
        for m in ind.by_mission
    )
    fields: dict[str, Any] = {
        name: coarse(getattr(ind, name), k)
        for name in (
            "opened",
            "resolved",
            "closed",
            "overdue",
            "resolution_cases",
            "documents_returned",
            "repatriated",
            "referred",
        )
    }
    return replace(
        ind,
        **fields,
        open_by_status=counts(ind.open_by_status),
        median_days=days(ind.median_days, ind.resolution_cases),
        p90_days=days(ind.p90_days, ind.resolution_cases),
        wages_recovered=tuple(
            replace(m, cases=coarse(m.cases, k)) for m in ind.wages_recovered if m.cases >= k
        ),
        ilo_indicators=counts(ind.ilo_indicators),
        categories=counts(ind.categories),
        host_countries=counts(ind.host_countries),
        top_employers=organisations(ind.top_employers),
        top_agencies=organisations(ind.top_agencies),
        letters_by_kind=counts(ind.letters_by_kind),
        reviews_by_risk=counts(ind.reviews_by_risk),
        monthly=tuple(
            MonthPoint(p.month, coarse(p.opened, k), coarse(p.resolved, k), coarse(p.closed, k))
            for p in ind.monthly
        ),
        by_mission=missions,
        returnees=_returnees(ind.returnees, k),
        published_k=k,
        open_total=coarse(ind.open_now, k),
    )


def _returnees(stats: ReturneeStats, k: int) -> ReturneeStats:
    def by(items: Sequence[ReturneeCount]) -> tuple[ReturneeCount, ...]:
        return tuple(
            ReturneeCount(c.key, coarse(c.n, k), coarse(c.wants_referral, k)) for c in items
        )

    return ReturneeStats(
        total=coarse(stats.total, k),
        by_country=by(stats.by_country),
        by_major_group=by(stats.by_major_group),
        undated=coarse(stats.undated, k),
        wants_referral=coarse(stats.wants_referral, k),
        by_region=by(stats.by_region),
    )
