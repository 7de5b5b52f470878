"""Headquarters' views across missions: who sent what when, overdue cases, repeat names.

Plain SQL that both engines run the same way (``GROUP BY``/``HAVING``, no window functions or
dialect functions), so HQ on a file and HQ on PostgreSQL answer alike. Statistics across
missions, with a mission filter, are ``StatsService`` with ``StatsFilter.mission``.

A case belongs to the mission that holds it (``holder_mission``): the mission that opened it,
or the one HQ transferred it to. The repeats apart: they are where the worker complained.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Row,
    Select,
    SQLColumnExpression,
    and_,
    func,
    literal_column,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session

from app.db.models import (
    OPEN_CASES_SQL,
    OVERDUE_PRIORITY_SQL,
    Case,
    Employer,
    ExchangeLog,
    Mission,
    Person,
)
from app.domain.codes import Urgency
from app.domain.roles import HQ_ROLES, USER_MANAGERS
from app.domain.workflow import OPEN_STATUSES
from app.i18n import _, country_name, format_number
from app.services.cases import CaseService
from app.services.workspace import DatedService, city_in

OPEN = tuple(s.value for s in OPEN_STATUSES)
IMPORTED = "in"
MAX_ROWS = 5000  # of each kind of repeat
OVERDUE_PAGE = 200  # overdue cases read at a time as the list scrolls
STREAM_ROWS = 2_000  # overdue cases an export holds at a time
# The overdue list's orders, each done by the database: by urgency (the default: a life at
# risk first), the days overdue (the due date, the other way), or a column's value.
URGENCY_FIRST = "urgency"
DAYS_OVERDUE = "days_overdue"
OVERDUE_SORTS = (URGENCY_FIRST, DAYS_OVERDUE, "number", "mission", "status", "due_date")
# Critical 0 to low 3, an unknown code 4 (under low): the default order ascending, read from
# ix_case_overdue_order (migration 0029), which only this very text matches.
_URGENCY_PRIORITY = literal_column(OVERDUE_PRIORITY_SQL, Integer)
_PRIORITY_OF = {code.value: rank for rank, code in enumerate(reversed(Urgency))}
# Of each repeat (a person or employer at several missions), how many case numbers are listed.
CASES_SHOWN = 20
READERS = HQ_ROLES | USER_MANAGERS


@dataclass(frozen=True)
class MissionActivity:
    code: str
    country: str
    city: str
    # When its latest bundle was made (the signed manifest's time), not when it was
    # imported: an old bundle imported today does not make a silent mission look current.
    last_bundle_at: datetime | None
    bundles: int
    cases: int
    open_cases: int
    overdue_cases: int
    city_kk: str = ""
    city_ru: str = ""
    last_received_at: datetime | None = None  # when a bundle of its was last imported here

    def city_in(self, language: str) -> str:
        return city_in(language, self.city, self.city_kk, self.city_ru)

    def days_silent(self, now: datetime) -> int | None:
        """Whole days since its latest bundle was made; None if none ever arrived."""
        if self.last_bundle_at is None:
            return None
        return max((now - self.last_bundle_at).days, 0)  # a mission's clock running ahead


@dataclass(frozen=True)
class OverdueCase:
    number: str
    mission: str
    status: str
    urgency: str
    host_country: str
    due_date: date
    days_overdue: int
    case_id: str


# number, holder mission, status, urgency, host country, due date (none here), id
_OverdueColumns = tuple[str, str, str, str, str, date | None, str]
_OverdueRow = Row[*_OverdueColumns]


def _overdue_order(sort: str, descending: bool) -> list[ColumnElement[Any]]:
    """The ORDER BY of an overdue list sorted by ``sort``: then the longest overdue, then the
    number (unique), so that every row has one place and pages neither repeat nor skip one."""
    longest = Case.due_date.asc()
    first: ColumnElement[Any]
    if sort == DAYS_OVERDUE:  # more days overdue: an earlier due date
        first = Case.due_date.asc() if descending else Case.due_date.desc()
    else:
        column: SQLColumnExpression[Any] = {
            URGENCY_FIRST: _URGENCY_PRIORITY,
            "number": Case.number,
            "mission": Case.holder_mission,
            "status": Case.status,
            "due_date": Case.due_date,
        }[sort]
        # A priority rises as urgency falls: the most urgent first is the priority ascending.
        in_sql_descending = descending != (sort == URGENCY_FIRST)
        first = column.desc() if in_sql_descending else column.asc()
    return [first, longest, Case.number.asc()]


def _overdue_row(row: _OverdueRow, today: date) -> OverdueCase:
    number, held, status, urgency, country, due, id_ = row
    assert due is not None  # the query's "due_date <" leaves none without one
    return OverdueCase(number, held, status, urgency, country, due, (today - due).days, id_)


@dataclass(frozen=True)
class Repeat:
    """One person (by IIN) or one employer (by name and country) in cases of several missions."""

    kind: str  # "person" or "employer"
    key: str  # the IIN, or "country: name" (the name as most of its cases write it)
    missions: tuple[str, ...]
    cases: int
    case_numbers: tuple[str, ...]
    search: str = ""  # what finds its cases in the case list: the IIN, the name's own words
    country: str = ""  # an employer's country, ISO 3166 alpha-2
    # An employer's name, or a person's, as most of its cases write it; a person's never from
    # an anonymised case or person ("" where only those hold the IIN).
    name: str = ""

    def numbers_listed(self) -> str:
        """Its case numbers as a list says them: where only the first CASES_SHOWN are held, how
        many more there are (71 cases beside 20 numbers read as the whole list)."""
        listed = ", ".join(self.case_numbers)
        more = self.cases - len(self.case_numbers)
        if more <= 0:
            return listed
        return _("{numbers}, … ({more} more)").format(numbers=listed, more=format_number(more))

    def who(self, name_country: Callable[[str], str] = country_name) -> str:
        """The IIN with the person's name (an IIN alone told the analyst nothing until each
        case was opened), or the employer's name with its country's name in the reader's
        language (the key's "AE: Gulf Star Hospitality" showed a code where the other HQ tables
        show the country's name): by ``name_country``, the short name a list shows by default."""
        if self.kind != "employer":
            if not self.name:
                return self.key
            return _("{iin} ({name})").format(iin=self.key, name=self.name)
        return _("{employer} ({country})").format(
            employer=self.name, country=name_country(self.country)
        )


def keyset_paged(sort: str, descending: bool) -> bool:
    """Whether the overdue list in this order pages by key (``overdue``'s ``after``): the
    default order, the one its index holds."""
    return sort == URGENCY_FIRST and descending


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC (a max() over the column loses its type)."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class ConsolidationService(DatedService):
    @staticmethod
    def current_date() -> date:
        return datetime.now(UTC).date()

    def missions(self) -> list[MissionActivity]:
        """Every mission with a registered key, bundle or case: last bundle and case counts."""
        self.ws.require_role(*READERS)
        with self.ws.read() as session:
            bundles = {
                source: (made, received, n)
                for source, made, received, n in session.execute(
                    select(
                        ExchangeLog.source_mission,
                        # An entry from before made_at was kept: its import time.
                        func.max(func.coalesce(ExchangeLog.made_at, ExchangeLog.created_at)),
                        func.max(ExchangeLog.created_at),
                        func.count(),
                    )
                    .where(ExchangeLog.direction == IMPORTED)
                    .group_by(ExchangeLog.source_mission)
                )
            }
            counts = self._case_counts(session)
            places = {
                code: (country, city, city_kk, city_ru)
                for code, country, city, city_kk, city_ru in session.execute(
                    select(
                        Mission.code,
                        Mission.country,
                        Mission.city,
                        Mission.city_kk,
                        Mission.city_ru,
                    ).where(Mission.is_local.is_(False))
                )
            }
        codes = sorted(set(places) | set(bundles) | set(counts))
        result = []
        for code in codes:
            made, received, n = bundles.get(code, (None, None, 0))
            country, city, city_kk, city_ru = places.get(code, ("", "", "", ""))
            total, open_now, overdue = counts.get(code, (0, 0, 0))
            result.append(
                MissionActivity(
                    code,
                    country,
                    city,
                    _utc(made),
                    int(n),
                    total,
                    open_now,
                    overdue,
                    city_kk,
                    city_ru,
                    last_received_at=_utc(received),
                )
            )
        return result

    def _case_counts(self, session: Session) -> dict[str, tuple[int, int, int]]:
        is_open = Case.status.in_(OPEN)
        is_overdue = and_(is_open, Case.due_date < self.today)
        rows = session.execute(
            select(
                Case.holder_mission,
                func.count(),
                func.count(Case.id).filter(is_open),
                func.count(Case.id).filter(is_overdue),
            )
            .where(Case.deleted_at.is_(None))
            .group_by(Case.holder_mission)
        )
        return {code: (int(a), int(b), int(c)) for code, a, b, c in rows}

    def overdue(
        self,
        mission: str | None = None,
        offset: int = 0,
        limit: int | None = OVERDUE_PAGE,
        sort: str = URGENCY_FIRST,
        descending: bool = True,
        after: OverdueCase | None = None,
    ) -> list[OverdueCase]:
        """Open cases past their due date, one mission's or all, a page of them: by default
        the most urgent first (a critical case overdue a day above a normal one overdue a
        year), then the longest overdue. ``sort`` names an ``OVERDUE_SORTS`` column, sorted
        in the database so that pages follow each other; ``limit`` None reads them all.

        ``after`` (the default order only, see ``keyset_paged``) is the last row of the page
        before: the next page starts from its key in the index, at the same cost however deep,
        where ``offset`` reads and drops the rows before it."""
        if after is not None:
            if not keyset_paged(sort, descending) or offset:
                raise ValueError("a page after a row is read in the default order alone")
            return self._overdue_after(mission, after, limit)
        query = self.overdue_page_query(mission, offset, limit, sort, descending)
        today = self.today  # once, not per row: it reads the clock
        with self.ws.read() as session:
            return [_overdue_row(row, today) for row in session.execute(query)]

    def _overdue_after(
        self, mission: str | None, after: OverdueCase, limit: int | None
    ) -> list[OverdueCase]:
        same, less_urgent = self.overdue_after_queries(mission, after)
        today = self.today
        with self.ws.read() as session:
            rows = list(session.execute(same if limit is None else same.limit(limit)))
            if limit is None or len(rows) < limit:
                rest = less_urgent if limit is None else less_urgent.limit(limit - len(rows))
                rows += session.execute(rest)
        return [_overdue_row(row, today) for row in rows]

    def overdue_after_queries(
        self, mission: str | None, after: OverdueCase
    ) -> tuple[Select[*_OverdueColumns], Select[*_OverdueColumns]]:
        """The rows after ``after`` in the default order, as two ranges of its index that both
        engines seek to (a row comparison over the urgency expression as well, SQLite scans
        from the start): the rest of its urgency (due date and number after its own), then
        the less urgent ones."""
        priority = _PRIORITY_OF.get(after.urgency, len(_PRIORITY_OF))
        query = self._overdue_query(mission)
        same = (
            query.where(
                _URGENCY_PRIORITY == priority,
                tuple_(Case.due_date, Case.number) > tuple_(after.due_date, after.number),
            )
            .order_by(None)
            .order_by(Case.due_date, Case.number)  # the urgency one: no sort by it
        )
        return same, query.where(_URGENCY_PRIORITY > priority)

    def overdue_page_query(
        self,
        mission: str | None = None,
        offset: int = 0,
        limit: int | None = OVERDUE_PAGE,
        sort: str = URGENCY_FIRST,
        descending: bool = True,
    ) -> Select[*_OverdueColumns]:
        """The SELECT of ``overdue``'s page counted from ``offset`` (the tests read its plan)."""
        query = self._overdue_query(mission, sort, descending).offset(offset)
        return query if limit is None else query.limit(limit)

    def count_overdue(self, mission: str | None = None) -> int:
        """How many open cases are past their due date, one mission's or all."""
        query = self._overdue_query(mission).order_by(None)
        with self.ws.read() as session:
            return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)

    def each_overdue(
        self, mission: str | None = None, sort: str = URGENCY_FIRST, descending: bool = True
    ) -> Iterator[OverdueCase]:
        """Every overdue case in the order of ``overdue``, streamed from one read (an export
        of hundreds of thousands of rows holds a batch of them at a time, not all)."""
        query = self._overdue_query(mission, sort, descending)
        today = self.today
        with self.ws.read() as session:
            rows = session.execute(query.execution_options(yield_per=STREAM_ROWS))
            for row in rows:
                yield _overdue_row(row, today)

    def _overdue_query(
        self, mission: str | None, sort: str = URGENCY_FIRST, descending: bool = True
    ) -> Select[*_OverdueColumns]:
        self.ws.require_role(*READERS)
        if sort not in OVERDUE_SORTS:
            raise ValueError(f"no overdue sort {sort!r}")
        query = select(
            Case.number,
            Case.holder_mission,
            Case.status,
            Case.urgency,
            Case.host_country,
            Case.due_date,
            Case.id,
        ).where(text(OPEN_CASES_SQL), Case.due_date < self.today)
        if mission:
            # As the case list and the statistics take it: "sel" typed, or a code that names
            # no mission here, listed nothing, read as a mission with no overdue case.
            mission = mission.strip().upper()
            CaseService(self.ws).check_mission(mission)
            query = query.where(Case.holder_mission == mission)
        return query.order_by(*_overdue_order(sort, descending))

    def repeats(self, limit: int = MAX_ROWS) -> list[Repeat]:
        """People (same IIN) and employers (same name and country) in several missions' cases.

        A worker or an employer who turns up at one embassy after another is a pattern no
        single mission sees; HQ sees it here. Each mission writes an employer its own way
        ("Hanil Co., Ltd." at one, "HANIL CO LTD" at another): they are matched by the key a
        mission matches the names it is given on (``organisation_key``, kept in ``name_key``),
        alike on both engines (SQL's ``upper`` folds Latin letters only on SQLite).

        A case counts at the mission that opened it, where the worker complained: a case HQ
        transferred is one complaint handled elsewhere, not a second mission's encounter (the
        employer of a moved case read as met at both missions, with all its cases).
        """
        self.ws.require_role(*READERS)
        with self.ws.read() as session:
            return self._repeated_people(session, limit) + self._repeated_employers(session, limit)

    def _repeated_employers(self, session: Session, limit: int) -> list[Repeat]:
        """The employers (by the name's key) in cases of several missions, with the names
        each mission wrote and their first cases."""
        every = _employer_groups(session)
        chosen = sorted(
            (pair for pair, group in every.items() if len(group.missions) > 1),
            key=lambda pair: (-len(every[pair].missions), pair),
        )[:limit]
        groups = {pair: every[pair] for pair in chosen}
        _add_first_cases(session, groups)
        found = [
            Repeat(
                "employer",
                f"{country}: {group.shown()}",
                tuple(sorted(group.missions)),
                group.total(),
                tuple(group.first_cases),
                key,
                country,
                group.shown(),
            )
            for (country, key), group in groups.items()
        ]
        return sorted(found, key=lambda r: (-len(r.missions), r.key))

    def _repeated_people(self, session: Session, limit: int) -> list[Repeat]:
        """The IINs in cases of several missions, then their cases."""
        iin = func.coalesce(Person.iin, "")
        # A count of distinct missions per IIN: taking the pairs distinct first was faster at
        # 200,000 cases (0.60 → 0.47 s) and slower at two million (4.6 → 5.9 s: the pairs no
        # longer fit the work memory), so it stays so.
        missions = func.count(func.distinct(Case.origin_mission))
        repeated = (
            select(iin)
            .select_from(Case)
            .join(Person, Case.person_id == Person.id)
            .where(
                Case.deleted_at.is_(None),
                Person.iin.is_not(None) & (Person.iin != ""),
            )
            .group_by(iin)
            .having(missions > 1)
            .order_by(missions.desc(), iin)
            .limit(limit)
        )
        keys = [row[0] for row in session.execute(repeated)]
        if not keys:
            return []
        found: dict[str, list[tuple[str, str]]] = defaultdict(list)
        names: dict[str, Counter[str]] = defaultdict(Counter)
        named = Case.anonymised_at.is_(None) & Person.anonymised_at.is_(None)
        detail = (
            select(
                iin,
                Case.origin_mission,
                Case.number,
                Person.surname,
                Person.given_names,
                Person.patronymic,
                named,
            )
            .select_from(Case)
            .join(Person, Case.person_id == Person.id)
            .where(Case.deleted_at.is_(None), iin.in_(keys))
            .order_by(Case.origin_mission, Case.number)
        )
        for value, mission, number, *parts, not_anonymised in session.execute(detail):
            found[value].append((mission, number))
            written = " ".join(part.strip() for part in parts if part and part.strip())
            if not_anonymised and written:
                names[value][written] += 1
        return [
            Repeat(
                "person",
                value,
                tuple(sorted({m for m, _n in found[value]})),
                len(found[value]),
                tuple(n for _m, n in found[value][:CASES_SHOWN]),
                value,
                name=_most_written(names[value]),
            )
            for value in keys
        ]


def _most_written(writings: Counter[str]) -> str:
    """The writing most cases have (of two as common, the first in order); "" for none."""
    if not writings:
        return ""
    return min(writings, key=lambda name: (-writings[name], name))


@dataclass
class _EmployerGroup:
    """One employer (by its name's key) as the missions write it."""

    writings: Counter[str] = field(default_factory=Counter)  # name as written -> its cases
    missions: set[str] = field(default_factory=set)
    first_cases: list[str] = field(default_factory=list)  # by mission and number

    def total(self) -> int:
        return sum(self.writings.values())

    def shown(self) -> str:
        """The writing most of its cases have (of two as common, the first in order)."""
        return _most_written(self.writings).strip()


def _employer_groups(session: Session) -> dict[tuple[str, str], _EmployerGroup]:
    """Every employer by country and name's key: its missions and the cases of each writing.

    Each record's cases are counted per mission in the database (a few rows a record, not a
    row a case: an employer of two missions in one country has thousands of cases at HQ, and
    a tuple for each took 108 MB for 300 groups at 200,000 cases, 152 MB for 500 at two
    million), before the join; grouped by the key here."""
    per_record = (
        select(Case.employer_id, Case.origin_mission, func.count().label("cases"))
        .where(Case.deleted_at.is_(None), Case.employer_id.is_not(None))
        .group_by(Case.employer_id, Case.origin_mission)
        .subquery()
    )
    groups: dict[tuple[str, str], _EmployerGroup] = defaultdict(_EmployerGroup)
    for country, key, name, mission, count in session.execute(
        select(
            Employer.country,
            Employer.name_key,
            Employer.name,
            per_record.c.origin_mission,
            per_record.c.cases,
        )
        .join(per_record, per_record.c.employer_id == Employer.id)
        .where(Employer.deleted_at.is_(None))
    ):
        group = groups[(country, key)]
        group.writings[name] += count
        group.missions.add(mission)
    return groups


def _add_first_cases(session: Session, groups: dict[tuple[str, str], _EmployerGroup]) -> None:
    """Each group's first CASES_SHOWN cases by mission and number, as the list shows them,
    ranked in the database."""
    joined = (
        select(Employer.country, Employer.name_key)
        .select_from(Case)
        .join(Employer, Case.employer_id == Employer.id)
        .where(Case.deleted_at.is_(None), Employer.deleted_at.is_(None))
    )
    place = (
        func.row_number()
        .over(
            partition_by=(Employer.country, Employer.name_key),
            order_by=(Case.origin_mission, Case.number),
        )
        .label("place")
    )
    pairs = list(groups)
    for start in range(0, len(pairs), _PAIRS_PER_QUERY):
        chunk = tuple_(Employer.country, Employer.name_key).in_(
            pairs[start : start + _PAIRS_PER_QUERY]
        )
        first = joined.add_columns(Case.origin_mission, Case.number, place).where(chunk).subquery()
        for country, key, number in session.execute(
            select(first.c.country, first.c.name_key, first.c.number)
            .where(first.c.place <= CASES_SHOWN)
            .order_by(first.c.origin_mission, first.c.number)
        ):
            groups[(country, key)].first_cases.append(number)


_PAIRS_PER_QUERY = 400  # (country, key) pairs: within the bound parameters engines allow
