"""Indicators of the mission's (or, at HQ, every mission's) work over a period.

Everything is counted in SQL with aggregates; only the percentiles of the days to resolution
are computed in Python, over one fetch of two date columns. Definitions, so that a figure
means the same thing on the dashboard, in the PDF and in the CLI:

- the period is ``date_from``..``date_to``, both days included;
- *opened*: cases received in the period; *resolved* / *closed*: cases whose ``resolved_at`` /
  ``closed_at`` falls in the period; *open* and *overdue* are as of the period's last day, or
  today while the period runs (``Indicators.as_of``): a report for last year counts a case
  closed this February as open on 31 December (overdue: open with a due date before that
  day, as in the case list); a case's status on a past day is read from its status changes;
- days to resolution: ``resolved_at`` − ``received_at`` in whole days for cases resolved in the
  period; the percentiles interpolate linearly between ranks (``statistics.quantiles``'s
  "inclusive" method), so the median is the usual median;
- outcomes (wages recovered, documents returned, repatriated) are of cases resolved in the
  period; *referred*: cases moved to "referred", or referred to a partner, in the period;
- ILO indicators, categories, host countries, employers and agencies: cases opened in the
  period; letters: issued in the period; contract reviews: made in the period;
- returnees: records of the returnees' register (with consent) whose day of return falls in
  the period, by occupation major group, country of work and region of return, with how many
  want a referral to an employment centre; records without a day of return cannot be placed
  in a period and are counted apart (*undated*), never guessed from another date. They are
  the mission's own (the owner of the record: the mission holding its case, else the
  installation that made it); at HQ every mission's.

The scope (host country, category, officer, mission) narrows every figure; letters, reviews
and returnees not tied to a case drop out once a case-level scope (category, officer) is set.
A returnee's host country is the country they worked in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    cast,
    extract,
    func,
    select,
    union,
)
from sqlalchemy.orm import Session, aliased

from app.contracts.rules import RISKS
from app.db.models import (
    AuditEntry,
    Case,
    CaseCategory,
    CaseDayStat,
    CaseEvent,
    CaseIloIndicator,
    ContractReview,
    Employer,
    Letter,
    PartnerReferral,
    Person,
    RecruitmentAgency,
    Returnee,
    User,
)
from app.domain.codes import CaseStatus, Category, EventKind, IloIndicator, LetterKind
from app.domain.workflow import OPEN_STATUSES
from app.errors import NotFound, ValidationError
from app.i18n import N_, Said, _, format_date, lazy
from app.letters import MissionInfo
from app.services import validation as check
from app.services.cases import case_codes, case_rows
from app.services.letterhead import letterhead
from app.services.records import CaseFilter, CaseRow, OfficerName
from app.services.returnee_register import in_register
from app.services.rows import where_given, with_worker_and_employer
from app.services.workspace import DatedService

OPEN = tuple(s.value for s in CaseStatus if s in OPEN_STATUSES)
TOP_ORGANISATIONS = 10
MAX_PERIOD_DAYS = 366 * 20
ROWS_AT_A_TIME = 1000  # case rows read by id in one statement


@dataclass(frozen=True)
class StatsFilter:
    """The period and the scope of the figures; ``None`` means "any"."""

    date_from: date | None = None
    date_to: date | None = None
    host_country: str | None = None
    category: str | None = None
    officer: str | None = None
    mission: str | None = None


@dataclass(frozen=True)
class Count:
    """One bar of a chart: a code (status, category, ISO country...) and its count."""

    key: str
    count: int


@dataclass(frozen=True)
class OrganisationCount:
    id: str
    name: str
    country: str
    count: int


@dataclass(frozen=True)
class Money:
    currency: str
    amount: Decimal
    cases: int


@dataclass(frozen=True)
class MonthPoint:
    month: str  # YYYY-MM
    opened: int
    resolved: int
    closed: int


@dataclass(frozen=True)
class MissionFigures:
    """One mission's headline figures, for HQ's side-by-side comparison."""

    mission: str
    opened: int
    resolved: int
    closed: int
    open_now: int
    overdue: int
    median_days: float | None


@dataclass(frozen=True)
class ReturneeCount:
    """Returnees of one country of work, occupation major group or region of return, and how
    many of them want a referral to an employment centre (the help the register records)."""

    key: str
    n: int
    wants_referral: int = 0


@dataclass(frozen=True)
class ReturneeStats:
    """Returns in the register (with consent): over a period, those whose day of return
    (``returned_on``) falls in it; a record without that day cannot be placed in a period and
    is counted apart (``undated``), not guessed from another date."""

    total: int
    by_country: tuple[ReturneeCount, ...] = ()
    by_major_group: tuple[ReturneeCount, ...] = ()
    undated: int = 0
    wants_referral: int = 0
    by_region: tuple[ReturneeCount, ...] = ()


NO_RETURNEES = ReturneeStats(0)


@dataclass(frozen=True)
class Indicators:
    date_from: date
    date_to: date
    today: date
    scope: StatsFilter
    opened: int
    resolved: int
    closed: int
    open_by_status: tuple[Count, ...]
    overdue: int
    resolution_cases: int
    median_days: float | None
    p90_days: float | None
    wages_recovered: tuple[Money, ...]
    documents_returned: int
    repatriated: int
    referred: int
    ilo_indicators: tuple[Count, ...]
    categories: tuple[Count, ...]
    host_countries: tuple[Count, ...]
    top_employers: tuple[OrganisationCount, ...]
    top_agencies: tuple[OrganisationCount, ...]
    letters_by_kind: tuple[Count, ...]
    reviews_by_risk: tuple[Count, ...]
    monthly: tuple[MonthPoint, ...]
    by_mission: tuple[MissionFigures, ...] = ()
    returnees: ReturneeStats = NO_RETURNEES
    # The officer the scope names, as a report names them; None when it names none.
    officer: OfficerName | None = None
    # Figures for partners (``app.reports.published``): their k, and the total of open cases
    # as published (coarsened counts do not add up to it). 0 and None: the exact figures.
    published_k: int = 0
    open_total: int | None = None

    @property
    def as_of(self) -> date:
        """The day the open and overdue figures are counted on: the period's last, or today
        while the period runs."""
        return min(self.date_to, self.today)

    @property
    def open_now(self) -> int:
        if self.open_total is not None:
            return self.open_total
        return sum(c.count for c in self.open_by_status)


@dataclass(frozen=True)
class FilterChoices:
    countries: tuple[str, ...]
    officers: tuple[str, ...]
    missions: tuple[str, ...]
    # (mission, officer) for each officer with a case of that mission: a user name is a
    # mission's own, and two missions may each have an "aigerim".
    mission_officers: tuple[tuple[str, str], ...] = ()

    def officers_of(self, mission: str) -> tuple[str, ...]:
        return tuple(officer for code, officer in self.mission_officers if code == mission)


@dataclass(frozen=True)
class AnonymisedCase:
    """What a pooled, case-level statistic may know of a case: nothing that names, contacts or
    locates the person, no identifier, and no date finer than a year (``app/reports/htcds.py``).
    """

    year: int  # received
    sex: str | None
    citizenship: str
    host_country: str
    status: str
    categories: tuple[str, ...]
    ilo_indicators: tuple[str, ...]
    channel: str
    employer_sector: str  # as recorded; an ISIC Rev. 4 section letter where known
    has_agency: bool  # a recruitment agency is recorded on the case
    consent: bool  # the person's consent is recorded with its date
    referred_out_year: int | None  # first referral to a partner or move to "referred"


@dataclass(frozen=True)
class Drilldown:
    """The cases behind one figure: ``measure`` names the figure, ``key`` its bar.

    Measures: opened, resolved and closed (key: empty, or YYYY-MM for one month of the
    period), open (key: a status or empty), overdue, category, ilo, country, employer, agency,
    month (key YYYY-MM, cases opened), wages (key: currency), documents_returned, repatriated,
    referred, mission (key: mission code, cases opened), letter (key: a letter kind; the cases
    of the letters of that kind issued in the period), review (key: a risk; the cases of the
    contract reviews of that risk made in the period). Letters and reviews not tied to a case
    have no case to list.
    """

    scope: StatsFilter
    measure: str
    key: str = ""

    def case_filter(self, today: date) -> CaseFilter | None:
        """The same list as a case-list filter, where ``CaseFilter`` can say it (no period;
        the open and overdue cases of today, not of a period ended before)."""
        if self.scope.date_to is not None and self.scope.date_to < today:
            return None
        base = CaseFilter(
            host_country=self.scope.host_country,
            category=self.scope.category,
            assigned_to=self.scope.officer,
        )
        if self.scope.mission:
            return None
        if self.measure == "open":
            statuses = (self.key,) if self.key else ()
            return replace(base, statuses=statuses, open_only=not self.key)
        if self.measure == "overdue":
            return replace(base, overdue=True)
        return None


MEASURES = (
    "opened",
    "resolved",
    "closed",
    "open",
    "overdue",
    "category",
    "ilo",
    "country",
    "employer",
    "agency",
    "month",
    "wages",
    "documents_returned",
    "repatriated",
    "referred",
    "mission",
    "letter",
    "review",
)


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months: from the day after this date a year ago to today. (Twelve
    calendar months from the first of a month made December's "last 12 months" this year
    so far.)"""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February: a year before it has none
        year_ago = date(today.year - 1, 2, 28)
    return year_ago + timedelta(days=1), today


# The periods a report is usually asked for, as the Reports page offers them by name.
NAMED_PERIODS = (
    "last_12_months",
    "this_month",
    "last_month",
    "this_quarter",
    "last_quarter",
    "this_year",
    "last_year",
)


def named_period(name: str, today: date) -> tuple[date, date]:
    """The first and last day of the period ``name`` (one of ``NAMED_PERIODS``) as of
    ``today``; a period still running ends today."""
    if name == "last_12_months":
        return default_period(today)
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    month_start = today.replace(day=1)
    if name == "this_month":
        return month_start, today
    if name == "last_month":
        last = month_start - timedelta(days=1)
        return last.replace(day=1), last
    if name == "this_quarter":
        return quarter_start, today
    if name == "last_quarter":
        last = quarter_start - timedelta(days=1)
        return date(last.year, last.month - 2, 1), last
    if name == "this_year":
        return date(today.year, 1, 1), today
    if name == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    raise ValueError(f"unknown period: {name}")


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between ranks; ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))


def _start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def _officer(session: Session, username: str) -> OfficerName:
    """``username`` with the names their account here records (none at HQ for a mission's
    officer, whose account is the mission's)."""
    names = session.execute(
        select(User.full_name, User.full_name_latin).where(User.username == username)
    ).first()
    return OfficerName(username, *(names or ("", "")))


def months_between(first: date, last: date) -> list[str]:
    months: list[str] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def scoped_cases(query: Select, scope: StatsFilter) -> Select:
    """``query`` over ``Case`` kept to the live cases of the scope (period aside)."""
    query = query.where(Case.deleted_at.is_(None))
    if scope.category:
        query = query.where(
            Case.id.in_(select(CaseCategory.case_id).where(CaseCategory.code == scope.category))
        )
    return where_given(
        query,
        (Case.host_country, scope.host_country),
        (Case.assigned_to, scope.officer),
        (Case.origin_mission, scope.mission),
    )


def returnees_in_scope(scope: StatsFilter) -> tuple[ColumnElement[bool], ...]:
    """What the figures' scope asks of a register's record (its period and mission aside, see
    ``returnees_owned``): its country of work is the host country, and a case-level scope
    (category, officer) is met through its case, so a record without one drops out."""
    conditions: list[ColumnElement[bool]] = []
    if scope.host_country:
        conditions.append(Returnee.work_country == scope.host_country)
    if scope.category or scope.officer:
        # Not correlated: a list of records selects its case's number from ``Case`` too.
        cases = scoped_cases(select(Case.id), scope).correlate(None)
        conditions.append(Returnee.case_id.in_(cases))
    return tuple(conditions)


def returnees_counted(query: Select, scope: StatsFilter, held_by: str | None) -> Select:
    """``query`` over ``Returnee`` kept to the records the figures count in ``scope`` (its
    period aside, see ``returned_between``): in the register, of the scope
    (``returnees_in_scope``), and owned as a case is (``returnees_owned``). The figures and the
    Returnees area's list both read through it, so a list shows what a figure counts."""
    return returnees_owned(
        query.where(*in_register(), *returnees_in_scope(scope)), held_by, scope.mission
    )


# A register record's own case; not the Case a scope's subquery selects, nor the one a list
# joins for the case's number. One alias for every query (SQLAlchemy adapts its columns once).
_RECORDS_CASE = aliased(Case, name="records_case")


def returnees_owned(query: Select, held_by: str | None, mission: str | None) -> Select:
    """``query`` over ``Returnee`` kept, as for cases, to the records whose case ``held_by``
    holds (a mission's own: its copies of cases HQ moved to another mission are not) and, at
    HQ, whose case ``mission`` holds: a record is started by the mission holding the case and
    moves with it, so HQ counts it where that mission's own register does. A record without a
    case counts for the installation that made it."""
    if held_by is None and mission is None:
        return query
    case = _RECORDS_CASE
    query = query.outerjoin(case, case.id == Returnee.case_id)
    owner = func.coalesce(case.holder_mission, Returnee.origin_mission)
    for wanted in (held_by, mission):
        if wanted is not None:
            query = query.where(owner == wanted)
    return query


def returned_between(date_from: date | None, date_to: date | None) -> tuple[Any, ...]:
    """Returns in the period (either end may be open; with neither, every record): a record
    without a day of return is in no period."""
    if date_from is None and date_to is None:
        return ()
    conditions: list[Any] = [Returnee.returned_on.is_not(None)]
    if date_from is not None:
        conditions.append(Returnee.returned_on >= date_from)
    if date_to is not None:
        conditions.append(Returnee.returned_on <= date_to)
    return tuple(conditions)


def returnee_stats(session: Session, scope: StatsFilter, held_by: str | None) -> ReturneeStats:
    """The register's figures: returns in the scope's period (``returned_between``; with no
    period, every record and none undated) of the records ``returnees_counted`` keeps. The
    Returnees area lists the records behind each figure by the same conditions
    (``ReturneeService``). Two small grouped reads of the register, whatever the number of
    cases."""
    base = returnees_counted(select(Returnee.id), scope, held_by)
    date_from, date_to = scope.date_from, scope.date_to
    dated = date_from is not None or date_to is not None
    returned = base.where(*returned_between(date_from, date_to))
    major = func.substr(Returnee.occupation, 1, 1)
    keys = (Returnee.work_country, major, Returnee.region)
    grouped = returned.with_only_columns(
        *keys, func.count(), func.count().filter(Returnee.wants_referral)
    ).group_by(*keys)
    undated = base.where(Returnee.returned_on.is_(None)).with_only_columns(func.count())
    counted: list[Counter[str]] = [Counter() for _key in keys]
    wanting: list[Counter[str]] = [Counter() for _key in keys]
    for *found, n, want in session.execute(grouped):
        for index, key in enumerate(found):
            counted[index][str(key)] += int(n)
            wanting[index][str(key)] += int(want)

    def breakdown(index: int, by_size: bool) -> tuple[ReturneeCount, ...]:
        order = sorted(counted[index].items(), key=lambda kv: ((-kv[1] if by_size else 0), kv[0]))
        return tuple(ReturneeCount(k, n, wanting[index][k]) for k, n in order)

    return ReturneeStats(
        total=sum(counted[0].values()),
        by_country=breakdown(0, by_size=True),
        by_major_group=breakdown(1, by_size=False),  # in ISCO's order, as the list reads
        undated=int(session.execute(undated).scalar_one()) if dated else 0,
        wants_referral=sum(wanting[0].values()),
        by_region=breakdown(2, by_size=True),
    )


class StatsService(DatedService):
    # -- checking the input ---------------------------------------------------------------------

    def normalise(self, flt: StatsFilter | None) -> StatsFilter:
        """The filter with the default period filled in and every field checked."""
        flt = flt or StatsFilter()
        first, last = default_period(self.today)
        date_from = flt.date_from or (
            first if flt.date_to is None else flt.date_to - timedelta(365)
        )
        date_to = flt.date_to or max(self.today, date_from)
        if date_from > date_to:
            # Lazy: the refusal stays on the Reports page, in the language chosen since.
            raise ValidationError(
                lazy(
                    N_("The start of the period ({start}) is after its end ({end})."),
                    start=Said(lambda: format_date(date_from)),
                    end=Said(lambda: format_date(date_to)),
                ),
                field="date_from",
            )
        if (date_to - date_from).days > MAX_PERIOD_DAYS:
            raise ValidationError(
                lazy(N_("The period is longer than twenty years.")), field="date_from"
            )
        country = check.country(flt.host_country, "host_country") if flt.host_country else None
        category = flt.category
        if category:
            try:
                category = Category(category.strip()).value
            except ValueError:
                raise ValidationError(
                    _("Unknown complaint category: {code}").format(code=category), "category"
                ) from None
        return StatsFilter(
            date_from=date_from,
            date_to=date_to,
            host_country=country,
            category=category or None,
            officer=(flt.officer or "").strip() or None,
            mission=(flt.mission or "").strip().upper() or None,
        )

    # -- the figures ------------------------------------------------------------------------------

    def indicators(
        self, flt: StatsFilter | None = None, by_mission: bool | None = None
    ) -> Indicators:
        """Every indicator of the period; at HQ (or when asked) also per mission."""
        scope = self.normalise(flt)
        assert scope.date_from is not None and scope.date_to is not None
        if by_mission is None:
            by_mission = self.ws.mission.is_hq
        with self.ws.read() as session:
            # Without a category the figures come from the per-day counts (a few thousand
            # rows whatever the number of cases); a category scope needs the cases themselves.
            q = (_Queries if scope.category else _DayQueries)(
                session, scope, self.today, self.ws.mission_here
            )
            countries, employers, agencies = q.opened_breakdown()
            medians = q.resolution_days()
            days = list(medians.values())
            all_days = [d for values in days for d in values]
            return Indicators(
                date_from=scope.date_from,
                date_to=scope.date_to,
                today=self.today,
                scope=scope,
                opened=q.opened_count(),
                resolved=q.resolved_count(),
                closed=q.closed_count(),
                open_by_status=q.open_by_status(),
                overdue=q.overdue_count(),
                resolution_cases=len(all_days),
                median_days=percentile(all_days, 0.5),
                p90_days=percentile(all_days, 0.9),
                wages_recovered=q.wages(),
                documents_returned=q.documents_returned_count(),
                repatriated=q.repatriated_count(),
                referred=q.count(q.referred()),
                ilo_indicators=q.ilo(),
                categories=q.categories(),
                host_countries=q.countries(countries),
                top_employers=q.organisations(Employer, employers),
                top_agencies=q.organisations(RecruitmentAgency, agencies),
                letters_by_kind=q.letters(),
                reviews_by_risk=q.reviews(),
                monthly=q.monthly(),
                by_mission=q.by_mission(medians) if by_mission else (),
                returnees=q.returnees(),
                officer=_officer(session, scope.officer) if scope.officer else None,
            )

    def category_counts(self, flt: StatsFilter | None = None) -> tuple[Count, ...]:
        """Cases opened in the period per complaint category, most frequent first (only
        counts: what a briefing sheet prints as warning signs)."""
        scope = self.normalise(flt)
        with self.ws.read() as session:
            return _Queries(session, scope, self.today, self.ws.mission_here).categories()

    # -- anonymised case-level data --------------------------------------------------------------

    def anonymised_cases(self, flt: StatsFilter | None = None) -> list[AnonymisedCase]:
        """The cases opened in the period, in no meaningful order and under no identifier."""
        scope = self.normalise(flt)
        with self.ws.read() as session:
            q = _Queries(session, scope, self.today, self.ws.mission_here)
            ids = q.opened().subquery()
            columns = select(
                Case, Person.sex, Person.citizenship, Person.consent_date, Employer.sector
            )
            rows = session.execute(
                with_worker_and_employer(columns).where(Case.id.in_(select(ids.c.id)))
            ).all()
            case_ids = [r[0].id for r in rows]
            cats = case_codes(session, CaseCategory, case_ids)
            inds = case_codes(session, CaseIloIndicator, case_ids)
            referred = _referred_out_years(session, case_ids)
            return [
                AnonymisedCase(
                    year=c.received_at.year,
                    sex=sex,
                    citizenship=citizenship or "KZ",
                    host_country=c.host_country,
                    status=c.status,
                    categories=cats.get(c.id, ()),
                    ilo_indicators=inds.get(c.id, ()),
                    channel=c.channel,
                    employer_sector=sector or "",
                    has_agency=c.agency_id is not None,
                    consent=consent_date is not None,
                    referred_out_year=referred.get(c.id),
                )
                for c, sex, citizenship, consent_date, sector in rows
            ]

    def check_names(self, flt: StatsFilter) -> None:
        """Refuses an officer or a mission that names no one here: their figures would be
        zeros that read as a quiet period. Known are those the dashboard's lists offer (found
        in the cases), the users of this installation and its own mission."""
        officer = (flt.officer or "").strip()
        mission = (flt.mission or "").strip().upper()
        if not officer and not mission:
            return
        choices = self.filter_choices()
        if officer and officer not in choices.officers:
            with self.ws.read() as session:
                user = select(User.id).where(User.username == officer)
                if session.execute(user).first() is None:
                    raise NotFound(
                        _(
                            "No officer {name}: no user of that name, and no case assigned to them."
                        ).format(name=officer)
                    )
        at = sorted({code for code, name in choices.mission_officers if name == officer})
        if officer and not mission and len(at) > 1:
            # Each mission names its own users: the figures would add up several people's.
            raise ValidationError(
                _(
                    "{name} is the user name of an officer at each of {missions}, each a "
                    "different person: choose one of these missions."
                ).format(name=officer, missions=", ".join(at)),
                "mission",
            )
        # A mission is one "here" though it has no case yet; HQ's own code is not a mission
        # with cases (it holds some only when they are among choices.missions).
        here = () if self.ws.mission.is_hq else (self.ws.mission_code,)
        missions = sorted({*choices.missions, *here})
        if mission and mission not in missions:
            raise NotFound(
                _("No cases of mission {code} here; the missions here: {known}.").format(
                    code=mission, known=", ".join(missions)
                )
            )

    def filter_choices(self) -> FilterChoices:
        """The values that occur in the cases, for the dashboard's filter lists."""
        with self.ws.read() as session:

            def distinct(column: Any) -> tuple[str, ...]:
                query = select(column).where(Case.deleted_at.is_(None), column.is_not(None))
                return tuple(sorted(set(session.execute(query.distinct()).scalars())))

            pairs = select(Case.origin_mission, Case.assigned_to).where(
                Case.deleted_at.is_(None), Case.assigned_to.is_not(None)
            )
            return FilterChoices(
                countries=distinct(Case.host_country),
                officers=distinct(Case.assigned_to),
                # A mission that only handles cases HQ transferred to it has figures too (its
                # open and overdue cases): it is offered as the one that opened cases is.
                missions=tuple(
                    sorted({*distinct(Case.origin_mission), *distinct(Case.holder_mission)})
                ),
                mission_officers=tuple(
                    sorted((m, o or "") for m, o in session.execute(pairs.distinct()).all())
                ),
            )

    def mission_info(self) -> MissionInfo:
        """This installation's mission, for the letterhead of printed reports."""
        with self.ws.read() as session:
            return letterhead(session)

    def record_export(self, what: str, details: dict[str, Any]) -> None:
        """Exports of case data are audited like changes: who took what out, and how."""
        with self.ws.write() as session:
            self.ws.audit(session, f"stats.export.{what}", "stats", "", details)

    def recorded_exports(self, what: str) -> list[tuple[datetime, dict[str, Any]]]:
        """When each export of ``what`` was made and the details it was recorded with, oldest
        first: what a partner may already hold (the audit log is append-only)."""
        query = (
            select(AuditEntry.at, AuditEntry.details)
            .where(AuditEntry.action == f"stats.export.{what}")
            .order_by(AuditEntry.seq)
        )
        with self.ws.read() as session:
            return [(at, dict(details or {})) for at, details in session.execute(query).all()]

    # -- the cases behind a figure ---------------------------------------------------------------

    def ids_behind(self, drill: Drilldown) -> list[str]:
        """The ids of every case a chart segment counts, newest first (82,000 at 100k cases
        in about a third of a second): a list pages through them with ``rows_of``."""
        with self.ws.read() as session:
            return list(session.execute(self._behind_newest_first(session, drill)).scalars())

    def rows_of(
        self, ids: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> list[CaseRow]:
        """The case-list rows of ``ids``, in their order, from one snapshot; a case deleted
        meanwhile is left out. ``progress(done, total)`` before each thousand."""
        return [row for rows in self.rows_in_batches(ids, progress) for row in rows]

    def rows_in_batches(
        self, ids: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> Iterator[list[CaseRow]]:
        """``rows_of``, a thousand at a time, for a caller that writes them as they come."""
        here = self.ws.mission_here
        with self.ws.read() as session:
            for start in range(0, len(ids), ROWS_AT_A_TIME):
                if progress is not None:
                    progress(start, len(ids))
                yield case_rows(session, ids[start : start + ROWS_AT_A_TIME], self.today, here)

    def _behind_newest_first(self, session: Session, drill: Drilldown) -> Select[str]:
        drill = replace(checked_key(drill), scope=self.normalise(drill.scope))
        queries = _Queries(session, drill.scope, self.today, self.ws.mission_here)
        ids = queries.behind(drill).subquery()
        return (
            select(Case.id)
            .where(Case.id.in_(select(ids.c.id)))
            .order_by(Case.received_at.desc(), Case.seq.desc())
        )


class _Queries:
    """The SQL of each figure, for one scope and period inside one read session."""

    def __init__(
        self, session: Session, scope: StatsFilter, today: date, here: str | None = None
    ) -> None:
        assert scope.date_from is not None and scope.date_to is not None
        self.session = session
        # Whose the "now" figures (open, overdue) are. At a mission: the cases it holds (not its
        # copies of cases HQ moved away, as its case list's open and overdue filters), by the
        # mission that opened them. At HQ: the mission that handles the case now, as the
        # Missions area and the case list's mission filter count it, so a transferred case is
        # open or overdue at the mission it went to; the period's figures stay with the
        # mission that opened the case.
        if here is None:
            self.now_mission = Case.holder_mission
            self.now_scope = replace(scope, mission=None)
            self.now_held: tuple[ColumnElement[bool], ...] = (
                (Case.holder_mission == scope.mission,) if scope.mission else ()
            )
        else:
            self.now_mission = Case.origin_mission
            self.now_scope = scope
            self.now_held = (Case.holder_mission == here,)
        self.here = here
        self.scope = scope
        self.today = today
        # The day of the open and overdue figures (``Indicators.as_of``) and its end.
        self.as_of = min(scope.date_to, today)
        self.as_of_end = _start(self.as_of + timedelta(days=1))
        self.first = scope.date_from
        self.last = scope.date_to
        self.start = _start(scope.date_from)
        self.end = _start(scope.date_to + timedelta(days=1))
        self._open_rows: list[tuple[str, str, int, int]] | None = None

    # scope and base sets ------------------------------------------------------------------

    def _scoped(self, query: Select) -> Select:
        return scoped_cases(query, self.scope)

    def _cases(self, *conditions: ColumnElement[bool]) -> Select:
        return self._scoped(select(Case.id).where(*conditions))

    def _in_period(self, column: Any) -> ColumnElement[bool]:
        return and_(column >= self.start, column < self.end)

    def opened(self) -> Select:
        return self._cases(Case.received_at >= self.first, Case.received_at <= self.last)

    def resolved(self) -> Select:
        return self._cases(self._in_period(Case.resolved_at))

    def closed(self) -> Select:
        return self._cases(self._in_period(Case.closed_at))

    def _status_on_day(self) -> ColumnElement[str]:
        """A case's status at the end of ``as_of``: its status now if it has not changed
        since (every change moves ``updated_at``), else the one its status changes say, else
        (a case imported without them) open when it ended after that day."""
        kinds = (EventKind.STATUS_CHANGE.value, EventKind.STATUS_UNDONE.value)

        def status_move(column: Any, before: bool) -> Any:
            when = CaseEvent.occurred_at < self.as_of_end
            order = (CaseEvent.occurred_at, CaseEvent.change_seq)
            return (
                select(column)
                .where(
                    CaseEvent.case_id == Case.id,
                    CaseEvent.deleted_at.is_(None),
                    CaseEvent.kind.in_(kinds),
                    when if before else ~when,
                )
                .order_by(*(o.desc() for o in order) if before else order)
                .limit(1)
                .correlate(Case)
                .scalar_subquery()
            )

        ended_after = func.coalesce(Case.resolved_at, Case.closed_at) >= self.as_of_end
        return case(
            (Case.updated_at < self.as_of_end, Case.status),
            else_=func.coalesce(
                status_move(CaseEvent.status_to, before=True),
                status_move(CaseEvent.status_from, before=False),
                case((ended_after, CaseStatus.IN_PROGRESS.value), else_=Case.status),
            ),
        )

    def _open_on_day(self, *columns: Any, status_then: str = "") -> Select:
        """``columns`` of the cases in scope open at the end of ``as_of`` (see ``now_held``),
        their status then labelled ``status``; with ``status_then``, only those in it."""
        if self.as_of >= self.today:
            status: Any = Case.status
            conditions: tuple[ColumnElement[bool], ...] = (Case.status.in_(OPEN),)
        else:
            status = self._status_on_day()
            conditions = (
                Case.received_at <= self.as_of,
                # Only a case open now or changed since can have been open then.
                (Case.status.in_(OPEN)) | (Case.updated_at >= self.as_of_end),
                status.in_(OPEN),
            )
        if status_then:
            conditions += (status == status_then,)
        query = select(*columns, status.label("status")).where(*conditions, *self.now_held)
        return scoped_cases(query, self.now_scope)

    def _open_cases(self, *conditions: ColumnElement[bool], status_then: str = "") -> Select:
        """The open cases in scope that the "now" figures count (see ``now_held``)."""
        opened = self._open_on_day(Case.id, status_then=status_then)
        return opened.where(*conditions).with_only_columns(Case.id)

    def open_now(self) -> Select:
        return self._open_cases()

    def overdue(self) -> Select:
        return self._open_cases(Case.due_date < self.as_of)

    def referred(self) -> Select:
        """Cases moved to "referred" or referred to a partner in the period.

        Driven from the (few) referrals, each case then looked up by id for the scope. As
        ``IN``: joined to the referrals, SQLite chose to scan every case and probe the
        referrals (0.45 s at 300,000 cases; 0.2 s this way).
        """
        referrals = referral_moves().subquery()
        by_status = select(referrals.c.case_id.label("id")).where(
            self._in_period(referrals.c.occurred_at)
        )
        by_partner = select(PartnerReferral.case_id.label("id")).where(
            PartnerReferral.deleted_at.is_(None),
            PartnerReferral.referred_at >= self.first,
            PartnerReferral.referred_at <= self.last,
        )
        return self._scoped(select(Case.id).where(Case.id.in_(union(by_status, by_partner))))

    def count(self, ids: Select) -> int:
        counted = select(func.count()).select_from(ids.subquery())
        return int(self.session.execute(counted).scalar_one())

    def opened_count(self) -> int:
        return self.count(self.opened())

    def resolved_count(self) -> int:
        return self.count(self.resolved())

    def closed_count(self) -> int:
        return self.count(self.closed())

    def documents_returned_count(self) -> int:
        return self.count(self.resolved().where(Case.documents_returned))

    def repatriated_count(self) -> int:
        return self.count(self.resolved().where(Case.repatriated))

    # grouped figures ----------------------------------------------------------------------

    def _open_now(self) -> list[tuple[str, str, int, int]]:
        """(mission, status, open, overdue) of the open cases in scope: the "now" figures
        (open by status, overdue, and both per mission) from one pass over the cases, where
        four queries read every open case at HQ (2 million cases: 0.3 s each)."""
        if self._open_rows is None:
            cases = self._open_on_day(
                self.now_mission.label("mission"), Case.due_date.label("due")
            ).subquery()
            query = select(
                cases.c.mission,
                cases.c.status,
                func.count(),
                func.count().filter(cases.c.due < self.as_of),
            ).group_by(cases.c.mission, cases.c.status)
            self._open_rows = [
                (str(m), str(st), int(n), int(late))
                for m, st, n, late in self.session.execute(query)
            ]
        return self._open_rows

    def open_by_status(self) -> tuple[Count, ...]:
        found: Counter[str] = Counter()
        for _mission, status, n, _late in self._open_now():
            found[status] += n
        return tuple(Count(status, found.get(status, 0)) for status in OPEN)

    def overdue_count(self) -> int:
        return sum(late for _m, _s, _n, late in self._open_now())

    def _scoped_group(self, key: Any, *conditions: ColumnElement[bool]) -> dict[str, int]:
        query = self._scoped(select(key, func.count()).where(*conditions)).group_by(key)
        return {str(k): int(n) for k, n in self.session.execute(query).all() if k is not None}

    def _opened_conditions(self) -> tuple[ColumnElement[bool], ...]:
        return (Case.received_at >= self.first, Case.received_at <= self.last)

    def _codes_opened(self, model: type[CaseCategory] | type[CaseIloIndicator]) -> dict[str, int]:
        # Probing the link table's (case_id, code) key per opened case is three times faster
        # than joining every link row to its case.
        query = (
            select(model.code, func.count())
            .where(model.case_id.in_(self.opened()))
            .group_by(model.code)
        )
        return {k: int(n) for k, n in self.session.execute(query).all()}

    def categories(self) -> tuple[Count, ...]:
        found = self._codes_opened(CaseCategory)
        counts = [Count(c.value, found.get(c.value, 0)) for c in Category]
        return tuple(sorted(counts, key=lambda c: -c.count))

    def ilo(self) -> tuple[Count, ...]:
        found = self._codes_opened(CaseIloIndicator)
        return tuple(Count(i.value, found.get(i.value, 0)) for i in IloIndicator)

    def opened_breakdown(self) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        """Cases opened per host country, employer and agency, from one grouped scan."""
        query = self._scoped(
            select(Case.host_country, Case.employer_id, Case.agency_id, func.count()).where(
                *self._opened_conditions()
            )
        ).group_by(Case.host_country, Case.employer_id, Case.agency_id)
        countries: dict[str, int] = {}
        employers: dict[str, int] = {}
        agencies: dict[str, int] = {}
        for country, employer, agency, n in self.session.execute(query):
            countries[country] = countries.get(country, 0) + n
            if employer:
                employers[employer] = employers.get(employer, 0) + n
            if agency:
                agencies[agency] = agencies.get(agency, 0) + n
        return countries, employers, agencies

    @staticmethod
    def countries(found: dict[str, int]) -> tuple[Count, ...]:
        return tuple(Count(k, n) for k, n in sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))

    def organisations(
        self, model: type[Employer] | type[RecruitmentAgency], found: dict[str, int]
    ) -> tuple[OrganisationCount, ...]:
        """The organisations with the most cases opened, each one (country, name key): HQ
        keeps every mission's own record of the same employer, and counted by record the
        same agency stood twice in HQ's top ten, each time with part of its cases."""
        groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
        ids = list(found)
        for start in range(0, len(ids), ROWS_AT_A_TIME):
            rows = self.session.execute(
                select(model.id, model.name, model.country, model.name_key).where(
                    model.id.in_(ids[start : start + ROWS_AT_A_TIME])
                )
            )
            for i, name, country, key in rows:
                groups.setdefault((country, key or i), []).append((i, name))
        counted = []
        for (country, _key), members in groups.items():
            # Named and drilled into by the record with the most cases (ties: the first id).
            first_id, name = min(members, key=lambda m: (-found[m[0]], m[0]))
            counted.append(
                OrganisationCount(first_id, name, country, sum(found[i] for i, _n in members))
            )
        counted.sort(key=lambda o: (-o.count, o.name, o.id))
        return tuple(counted[:TOP_ORGANISATIONS])

    def wages(self) -> tuple[Money, ...]:
        query = self._scoped(
            select(
                Case.wages_recovered_currency,
                func.sum(Case.wages_recovered_amount),
                func.count(),
            ).where(
                self._in_period(Case.resolved_at),
                Case.wages_recovered_amount.is_not(None),
                Case.wages_recovered_currency.is_not(None),
            )
        ).group_by(Case.wages_recovered_currency)
        rows = self.session.execute(query).all()
        return tuple(
            Money(cur, Decimal(str(total)).quantize(Decimal("0.01")), int(n))
            for cur, total, n in sorted(rows, key=lambda r: r[0])
        )

    def _case_scope_needed(self) -> bool:
        return bool(self.scope.category or self.scope.officer)

    def _letters_in_scope(self, query: Select) -> Select:
        """``query`` over the letters issued in the period and scope: one rule for the count
        and for the cases behind it."""
        query = query.where(
            Letter.deleted_at.is_(None),
            Letter.issued_at.is_not(None),
            self._in_period(Letter.issued_at),
        )
        if self.scope.mission:
            query = query.where(Letter.mission_code == self.scope.mission)
        if self.scope.host_country or self._case_scope_needed():
            # A letter belongs to the scope through its case.
            query = query.where(Letter.case_id.in_(self._scoped(select(Case.id))))
        return query

    def letters(self) -> tuple[Count, ...]:
        query = self._letters_in_scope(select(Letter.kind, func.count()))
        found = {k: int(n) for k, n in self.session.execute(query.group_by(Letter.kind)).all()}
        return tuple(Count(k.value, found.get(k.value, 0)) for k in LetterKind)

    def _reviews_in_scope(self, query: Select) -> Select:
        """``query`` over the contract reviews made in the period and scope."""
        query = query.where(
            ContractReview.deleted_at.is_(None), self._in_period(ContractReview.reviewed_at)
        )
        query = where_given(
            query,
            (ContractReview.host_country, self.scope.host_country),
            (ContractReview.origin_mission, self.scope.mission),
        )
        if self._case_scope_needed():
            query = query.where(ContractReview.case_id.in_(self._scoped(select(Case.id))))
        return query

    def reviews(self) -> tuple[Count, ...]:
        query = self._reviews_in_scope(select(ContractReview.risk, func.count()))
        found = {
            k: int(n) for k, n in self.session.execute(query.group_by(ContractReview.risk)).all()
        }
        return tuple(Count(risk, found.get(risk, 0)) for risk in RISKS)

    def _cases_of(self, ids: Select) -> Select:
        """The live cases whose ids ``ids`` selects. Not ``_scoped``: the letters and reviews
        were scoped themselves (a letter's mission is the one that issued it)."""
        return select(Case.id).where(Case.deleted_at.is_(None), Case.id.in_(ids))

    def _by_month(self, column: Any, *conditions: ColumnElement[bool]) -> dict[str, int]:
        year, month = extract("year", column), extract("month", column)
        query = self._scoped(select(year, month, func.count()).where(*conditions)).group_by(
            year, month
        )
        return {
            f"{int(y):04d}-{int(m):02d}": int(n)
            for y, m, n in self.session.execute(query).all()
            if y is not None
        }

    def monthly(self) -> tuple[MonthPoint, ...]:
        opened = self._by_month(Case.received_at, *self._opened_conditions())
        resolved = self._by_month(Case.resolved_at, self._in_period(Case.resolved_at))
        closed = self._by_month(Case.closed_at, self._in_period(Case.closed_at))
        return tuple(
            MonthPoint(m, opened.get(m, 0), resolved.get(m, 0), closed.get(m, 0))
            for m in months_between(self.first, self.last)
        )

    def resolution_days(self) -> dict[str, list[int]]:
        """Days from receipt to resolution of the cases resolved in the period, per mission."""
        query = self._scoped(
            select(Case.origin_mission, Case.received_at, Case.resolved_at).where(
                self._in_period(Case.resolved_at)
            )
        )
        days: dict[str, list[int]] = {}
        for mission, received, resolved in self.session.execute(query):
            days.setdefault(mission, []).append(max(0, (resolved.date() - received).days))
        return days

    def by_mission(self, days: dict[str, list[int]]) -> tuple[MissionFigures, ...]:
        opened, resolved, closed = self._by_mission_period()
        open_now: Counter[str] = Counter()
        overdue: Counter[str] = Counter()
        for mission, _status, n, late in self._open_now():
            open_now[mission] += n
            overdue[mission] += late
        missions = sorted(set(opened) | set(resolved) | set(closed) | set(open_now))
        return tuple(
            MissionFigures(
                mission=m,
                opened=opened.get(m, 0),
                resolved=resolved.get(m, 0),
                closed=closed.get(m, 0),
                open_now=open_now.get(m, 0),
                overdue=overdue.get(m, 0),
                median_days=percentile(days.get(m, []), 0.5),
            )
            for m in missions
        )

    def _by_mission_period(self) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        key = Case.origin_mission
        return (
            self._scoped_group(key, *self._opened_conditions()),
            self._scoped_group(key, self._in_period(Case.resolved_at)),
            self._scoped_group(key, self._in_period(Case.closed_at)),
        )

    def returnees(self) -> ReturneeStats:
        """The returnees' register in the period and scope (``returnee_stats``)."""
        return returnee_stats(self.session, self.scope, self.here)

    # the cases behind a figure -------------------------------------------------------------

    def behind(self, drill: Drilldown) -> Select:
        m, key = drill.measure, drill.key
        opened = self._opened_conditions()
        if m == "opened":
            return self.opened()
        if m == "resolved":
            return self._in_month(self.resolved(), Case.resolved_at, key)
        if m == "closed":
            return self._in_month(self.closed(), Case.closed_at, key)
        if m == "open":
            return self._open_cases(status_then=key)
        if m == "overdue":
            return self.overdue()
        if m == "category":
            linked = select(CaseCategory.case_id).where(CaseCategory.code == key)
            return self._cases(*opened, Case.id.in_(linked))
        if m == "ilo":
            linked = select(CaseIloIndicator.case_id).where(CaseIloIndicator.code == key)
            return self._cases(*opened, Case.id.in_(linked))
        if m == "country":
            return self._cases(*opened, Case.host_country == key)
        if m == "employer":
            return self._cases(*opened, Case.employer_id.in_(_same_organisation(Employer, key)))
        if m == "agency":
            return self._cases(
                *opened, Case.agency_id.in_(_same_organisation(RecruitmentAgency, key))
            )
        if m == "mission":
            return self._cases(*opened, Case.origin_mission == key)
        if m == "month":
            first, last = _month_bounds(key)
            return self._cases(*opened, Case.received_at >= first, Case.received_at <= last)
        if m == "wages":
            return self.resolved().where(
                Case.wages_recovered_currency == key, Case.wages_recovered_amount.is_not(None)
            )
        if m == "documents_returned":
            return self.resolved().where(Case.documents_returned)
        if m == "repatriated":
            return self.resolved().where(Case.repatriated)
        if m == "referred":
            return self.referred()
        if m == "letter":
            return self._cases_of(
                self._letters_in_scope(select(Letter.case_id)).where(Letter.kind == key)
            )
        if m == "review":
            return self._cases_of(
                self._reviews_in_scope(select(ContractReview.case_id)).where(
                    ContractReview.risk == key
                )
            )
        raise ValidationError(
            _("Unknown figure “{measure}”; expected one of: {valid}.").format(
                measure=m, valid=", ".join(MEASURES)
            ),
            field="measure",
        )

    @staticmethod
    def _in_month(cases: Select, column: Any, month: str) -> Select:
        """``cases`` narrowed to those whose ``column`` falls in ``month`` (YYYY-MM), as the
        trend counts them; all of them when no month is given."""
        if not month:
            return cases
        first, last = _month_bounds(month)
        return cases.where(column >= _start(first), column < _start(last + timedelta(days=1)))


def referral_moves() -> Select:
    """(case_id, occurred_at) of each move to "referred" that its author did not take back.

    A move taken back was no referral: the undo is the next status event on the case and leaves
    "referred". An undo back into "referred" is none. One rule for the "referred" figure and the
    partners' export.
    """
    undo, between = aliased(CaseEvent), aliased(CaseEvent)
    status_kinds = (EventKind.STATUS_CHANGE.value, EventKind.STATUS_UNDONE.value)
    something_between = (
        select(between.id)
        .where(
            between.case_id == CaseEvent.case_id,
            between.kind.in_(status_kinds),
            between.deleted_at.is_(None),
            between.occurred_at > CaseEvent.occurred_at,
            between.occurred_at < undo.occurred_at,
        )
        .correlate_except(between)  # two levels down: name what comes from outside
        .exists()
    )
    taken_back = (
        select(undo.id)
        .where(
            undo.case_id == CaseEvent.case_id,
            undo.kind == EventKind.STATUS_UNDONE.value,
            undo.status_from == CaseStatus.REFERRED.value,
            undo.deleted_at.is_(None),
            undo.occurred_at >= CaseEvent.occurred_at,
            ~something_between,
        )
        .exists()
    )
    return select(CaseEvent.case_id, CaseEvent.occurred_at).where(
        CaseEvent.kind == EventKind.STATUS_CHANGE.value,
        CaseEvent.status_to == CaseStatus.REFERRED.value,
        CaseEvent.deleted_at.is_(None),
        ~taken_back,
    )


def _referred_out_years(session: Session, case_ids: list[str]) -> dict[str, int]:
    """The year of each case's first referral out: to a partner organisation, or a move to
    "referred" that its author did not take back (``referral_moves``)."""
    years: dict[str, int] = {}
    moves = referral_moves().subquery()
    for start in range(0, len(case_ids), 900):  # stay under SQLite's parameter limit
        chunk = case_ids[start : start + 900]
        partners = select(PartnerReferral.case_id, PartnerReferral.referred_at).where(
            PartnerReferral.case_id.in_(chunk), PartnerReferral.deleted_at.is_(None)
        )
        statuses = select(moves.c.case_id, moves.c.occurred_at).where(moves.c.case_id.in_(chunk))
        for query in (partners, statuses):
            for case_id, at in session.execute(query):
                years[case_id] = min(at.year, years.get(case_id, at.year))
    return years


def _same_organisation(model: type[Employer] | type[RecruitmentAgency], key: str) -> Select:
    """The ids of the records counted as one with ``key`` (``_Queries.organisations``): its
    country and name key; by the id alone where no name key was taken."""
    named = aliased(model)
    return (
        select(model.id)
        .join(named, and_(named.country == model.country, named.name_key == model.name_key))
        .where(named.id == key, (named.name_key != "") | (model.id == key))
    )


class _DayQueries(_Queries):
    """The period's figures from the per-day counts (``CaseDayStat``), not from every case.

    Each figure means what the live query of ``_Queries`` counts (a test compares the two);
    "now" figures (open, overdue), referrals, letters and reviews stay live, since they are
    read from small or indexed sets. Not for a category scope: the counts are not split by it.
    """

    def __init__(
        self, session: Session, scope: StatsFilter, today: date, here: str | None = None
    ) -> None:
        super().__init__(session, scope, today, here)
        self._event_counts: dict[tuple[str, str, str, str], int] | None = None
        self._key_counts: dict[tuple[str, str], tuple[int, int]] | None = None

    def _in_scope(self, query: Select) -> Select:
        s = self.scope
        return where_given(
            query.where(CaseDayStat.day >= self.first, CaseDayStat.day <= self.last),
            (CaseDayStat.host_country, s.host_country),
            (CaseDayStat.officer, s.officer),
            (CaseDayStat.mission, s.mission),
        )

    def _grouped(self, measures: tuple[str, ...], *keys: Any) -> list[Any]:
        """Sums of the counts (and cents) of these measures in the period, grouped by keys.

        Each query reads one range of the primary key (measure, day) per measure."""
        query = self._in_scope(
            select(
                CaseDayStat.measure, *keys, func.sum(CaseDayStat.n), func.sum(CaseDayStat.cents)
            ).where(CaseDayStat.measure.in_(measures))
        ).group_by(CaseDayStat.measure, *keys)
        return [row for row in self.session.execute(query).all() if row[-2]]

    def _events(self) -> dict[tuple[str, str, str, str], int]:
        """(opened|resolved|closed, mission, host country, YYYY-MM) -> count."""
        if self._event_counts is None:
            # A date as ISO text on both engines (SQLite stores it so; PostgreSQL casts it so).
            month = func.substr(cast(CaseDayStat.day, String), 1, 7)
            rows = self._grouped(
                ("opened", "resolved", "closed"),
                CaseDayStat.mission,
                CaseDayStat.host_country,
                month,
            )
            self._event_counts = {(m, mi, c, mon): int(n) for m, mi, c, mon, n, _c in rows}
        return self._event_counts

    def _keyed(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(measure, key) -> (count, cents) of the measures counted per code, id or currency."""
        if self._key_counts is None:
            rows = self._grouped(_KEYED_MEASURES, CaseDayStat.key)
            self._key_counts = {(m, k): (int(n), int(cents)) for m, k, n, cents in rows}
        return self._key_counts

    def _event_sum(self, measure: str, by: int | None) -> dict[str, int]:
        found: dict[str, int] = {}
        for key, n in self._events().items():
            if key[0] == measure:
                part = "" if by is None else key[by]
                found[part] = found.get(part, 0) + n
        return {k: n for k, n in found.items() if n}

    def _by_key(self, measure: str) -> dict[str, int]:
        return {k: n for (m, k), (n, _c) in self._keyed().items() if m == measure and n}

    def opened_count(self) -> int:
        return self._event_sum("opened", None).get("", 0)

    def resolved_count(self) -> int:
        return self._event_sum("resolved", None).get("", 0)

    def closed_count(self) -> int:
        return self._event_sum("closed", None).get("", 0)

    def documents_returned_count(self) -> int:
        return self._by_key("documents_returned").get("", 0)

    def repatriated_count(self) -> int:
        return self._by_key("repatriated").get("", 0)

    def _codes_opened(self, model: type[CaseCategory] | type[CaseIloIndicator]) -> dict[str, int]:
        return self._by_key("opened_category" if model is CaseCategory else "opened_ilo")

    def opened_breakdown(self) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        return (
            self._event_sum("opened", 2),
            self._by_key("opened_employer"),
            self._by_key("opened_agency"),
        )

    def wages(self) -> tuple[Money, ...]:
        return tuple(
            Money(currency, (Decimal(cents) / 100).quantize(Decimal("0.01")), n)
            for (m, currency), (n, cents) in sorted(self._keyed().items())
            if m == "wages" and n
        )

    def monthly(self) -> tuple[MonthPoint, ...]:
        opened, resolved, closed = (self._event_sum(m, 3) for m in ("opened", "resolved", "closed"))
        return tuple(
            MonthPoint(m, opened.get(m, 0), resolved.get(m, 0), closed.get(m, 0))
            for m in months_between(self.first, self.last)
        )

    def resolution_days(self) -> dict[str, list[int]]:
        rows = self._grouped(("resolution_days",), CaseDayStat.mission, CaseDayStat.key)
        days: dict[str, list[int]] = {}
        for _m, mission, key, n, _cents in sorted(rows, key=lambda r: (r[1], int(r[2]))):
            days.setdefault(mission, []).extend([int(key)] * int(n))
        return days

    def _by_mission_period(self) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        return (
            self._event_sum("opened", 1),
            self._event_sum("resolved", 1),
            self._event_sum("closed", 1),
        )


_KEYED_MEASURES = (
    "opened_employer",
    "opened_agency",
    "opened_category",
    "opened_ilo",
    "documents_returned",
    "repatriated",
    "wages",
)


# The figures that count everything of their kind: a key would be ignored.
KEYLESS = frozenset({"opened", "overdue", "documents_returned", "repatriated", "referred"})


def checked_key(drill: Drilldown) -> Drilldown:
    """The drilldown with its key written as stored; refused when the key names no bar of
    its figure, which would list no case at all (a category misspelt looked like a category
    without cases)."""
    m, key = drill.measure, drill.key
    if m in KEYLESS and key:
        raise ValidationError(
            _("The figure “{measure}” takes no key (“{key}”).").format(measure=m, key=key), "key"
        )
    if m == "category" and key not in {c.value for c in Category}:
        raise ValidationError(_("Unknown complaint category: {code}").format(code=key), "key")
    if m == "ilo" and key not in {i.value for i in IloIndicator}:
        raise ValidationError(_("Unknown ILO indicator: {code}").format(code=key), "key")
    if m == "letter" and key not in {k.value for k in LetterKind}:
        raise ValidationError(_("Unknown letter kind: {kind}.").format(kind=key), "key")
    if m == "review" and key not in RISKS:
        raise ValidationError(
            _("Unknown risk “{key}”; expected one of: {valid}.").format(
                key=key, valid=", ".join(RISKS)
            ),
            "key",
        )
    if m == "open" and key and key not in OPEN:
        raise ValidationError(
            _("“{key}” is not a status of open cases; expected one of: {valid}.").format(
                key=key, valid=", ".join(OPEN)
            ),
            "key",
        )
    if m in ("country", "wages", "mission"):
        # Codes as stored (upper case), not checked against today's lists: a bar may stand
        # for a code an old record or a legacy import left.
        return replace(drill, key=key.strip().upper())
    if m in ("month", "resolved", "closed") and (key or m == "month"):
        _month_bounds(key)
    return drill


def _month_bounds(key: str) -> tuple[date, date]:
    try:
        year, month = (int(part) for part in key.split("-"))
        first = date(year, month, 1)
    except ValueError:
        raise ValidationError(
            _("“{value}” is not a month (YYYY-MM).").format(value=key), field="key"
        ) from None
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first, following - timedelta(days=1)
