"""Headquarters' views across missions: who sent what when, overdue cases, repeat names.

Plain SQL that both engines run the same way (``GROUP BY``/``HAVING``, no window functions or
dialect functions), so HQ on a file and HQ on PostgreSQL answer alike. Statistics across
missions, with a mission filter, are ``StatsService`` with ``StatsFilter.mission``.

A case belongs to the mission that holds it (``holder_mission``): the mission that opened it,
or the one HQ transferred it to.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from app.db.models import Case, Employer, ExchangeLog, Mission, Person
from app.domain.roles import HQ_ROLES, USER_MANAGERS
from app.domain.workflow import OPEN_STATUSES
from app.services.workspace import DatedService, city_in

OPEN = tuple(s.value for s in OPEN_STATUSES)
IMPORTED = "in"
MAX_ROWS = 5000
# Of each repeat (a person or employer at several missions), how many case numbers are listed.
CASES_SHOWN = 20
READERS = HQ_ROLES | USER_MANAGERS


@dataclass(frozen=True)
class MissionActivity:
    code: str
    country: str
    city: str
    last_bundle_at: datetime | None  # when its last bundle was imported here
    bundles: int
    cases: int
    open_cases: int
    overdue_cases: int
    city_kk: str = ""
    city_ru: str = ""

    def city_in(self, language: str) -> str:
        return city_in(language, self.city, self.city_kk, self.city_ru)

    def days_silent(self, now: datetime) -> int | None:
        """Whole days since its last bundle arrived; None if none ever did."""
        if self.last_bundle_at is None:
            return None
        return (now - self.last_bundle_at).days


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


@dataclass(frozen=True)
class Repeat:
    """One person (by IIN) or one employer (by name and country) in cases of several missions."""

    kind: str  # "person" or "employer"
    key: str  # the IIN, or "country: name"
    missions: tuple[str, ...]
    cases: int
    case_numbers: tuple[str, ...]


class ConsolidationService(DatedService):
    @staticmethod
    def current_date() -> date:
        return datetime.now(UTC).date()

    def missions(self) -> list[MissionActivity]:
        """Every mission with a registered key, bundle or case: last bundle and case counts."""
        self.ws.require_role(*READERS)
        with self.ws.read() as session:
            bundles = {
                source: (last, n)
                for source, last, n in session.execute(
                    select(
                        ExchangeLog.source_mission,
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
            last, n = bundles.get(code, (None, 0))
            country, city, city_kk, city_ru = places.get(code, ("", "", "", ""))
            total, open_now, overdue = counts.get(code, (0, 0, 0))
            if last is not None and last.tzinfo is None:  # SQLite hands back naive UTC
                last = last.replace(tzinfo=UTC)
            result.append(
                MissionActivity(
                    code, country, city, last, int(n), total, open_now, overdue, city_kk, city_ru
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

    def overdue(self, mission: str | None = None, limit: int = MAX_ROWS) -> list[OverdueCase]:
        """Open cases past their due date, the longest overdue first; one mission or all."""
        self.ws.require_role(*READERS)
        today = self.today  # once, not per row: it reads the clock
        query = (
            select(
                Case.number,
                Case.holder_mission,
                Case.status,
                Case.urgency,
                Case.host_country,
                Case.due_date,
                Case.id,
            )
            .where(
                Case.deleted_at.is_(None),
                Case.status.in_(OPEN),
                Case.due_date < today,
            )
            .order_by(Case.due_date, Case.number)
            .limit(limit)
        )
        if mission:
            query = query.where(Case.holder_mission == mission)
        with self.ws.read() as session:
            return [
                OverdueCase(number, held, status, urgency, country, due, (today - due).days, id_)
                for number, held, status, urgency, country, due, id_ in session.execute(query)
                if due is not None  # the query's "due_date <" leaves none without one
            ]

    def repeats(self, limit: int = MAX_ROWS) -> list[Repeat]:
        """People (same IIN) and employers (same name and country) in several missions' cases.

        A worker or an employer who turns up at one embassy after another is a pattern no
        single mission sees; HQ sees it here. Employers are compared by upper-cased name, which
        both engines fold alike for Latin names (SQLite folds ASCII only).
        """
        self.ws.require_role(*READERS)
        person_key = func.coalesce(Person.iin, "")
        employer_name = func.upper(func.trim(Employer.name))
        with self.ws.read() as session:
            people = self._repeated(
                session,
                "person",
                person_key,
                Case.person_id == Person.id,
                Person.iin.is_not(None) & (Person.iin != ""),
                limit,
            )
            employers = self._repeated(
                session,
                "employer",
                Employer.country + ": " + employer_name,
                Case.employer_id == Employer.id,
                Employer.deleted_at.is_(None),
                limit,
            )
        return people + employers

    def _repeated(
        self,
        session: Session,
        kind: str,
        key: ColumnElement[str],
        join: ColumnElement[bool],
        condition: ColumnElement[bool],
        limit: int,
    ) -> list[Repeat]:
        model: type[Person] | type[Employer] = Person if kind == "person" else Employer
        base = (
            select(key.label("key"))
            .select_from(Case)
            .join(model, join)
            .where(Case.deleted_at.is_(None), condition)
        )
        repeated = (
            base.group_by(key)
            .having(func.count(func.distinct(Case.holder_mission)) > 1)
            .order_by(func.count(func.distinct(Case.holder_mission)).desc(), key)
            .limit(limit)
        )
        keys = [row[0] for row in session.execute(repeated)]
        if not keys:
            return []
        found: dict[str, list[tuple[str, str]]] = defaultdict(list)
        detail = (
            select(key, Case.holder_mission, Case.number)
            .select_from(Case)
            .join(model, join)
            .where(Case.deleted_at.is_(None), key.in_(keys))
            .order_by(Case.holder_mission, Case.number)
        )
        for value, mission, number in session.execute(detail):
            found[value].append((mission, number))
        return [
            Repeat(
                kind,
                value,
                tuple(sorted({m for m, _n in found[value]})),
                len(found[value]),
                tuple(n for _m, n in found[value][:CASES_SHOWN]),
            )
            for value in keys
        ]
