"""The person finder of the new-case form, per keystroke, beside the ways it used to ask.

Each name is typed one letter at a time from the second letter on (the form asks nothing for
one letter); every prefix is one ``PersonService.find`` as the form sends it once typing
pauses. Baselines in the same run, on the same connection: ILIKE over five columns of every
person (the finder of issue 17's measurement), the previous finder (people of every case the
index matched, then ILIKE), and the raw FTS5 MATCH of the same words.
Goal (issue 17): indexed, and the cost per keystroke does not grow with the mission.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select, text

from app.db.models import Case, Person
from app.services.people import PersonService
from app.services.search import fts_query, matching_case_ids
from benchmarks.common import large_mission, open_admin, p, print_table, size_argument, timings_ms

NAMES = ("Нұрлан", "abenov", "Әбенова", "kasymov", "Сәуле", "940315", "Ким")


def _name_or_number_starts(term: str) -> ColumnElement[bool]:
    """A living person whose surname, given names, Latin surname, IIN or passport starts so."""
    like = f"{term}%"
    return and_(
        Person.deleted_at.is_(None),
        or_(
            Person.surname.ilike(like),
            Person.given_names.ilike(like),
            Person.surname_latin.ilike(like),
            Person.iin.like(like),
            Person.passport_no.ilike(like),
        ),
    )


def _first_twenty(*where: ColumnElement[bool]) -> Select[Any]:
    return select(Person).where(*where).order_by(Person.surname, Person.given_names).limit(20)


def _ilike_everyone(term: str) -> Select[Any]:
    return _first_twenty(_name_or_number_starts(term))


def _previous(term: str, match: str) -> Select[Any]:
    candidates = select(Case.person_id).where(Case.id.in_(matching_case_ids(match)))
    return _first_twenty(Person.id.in_(candidates), _name_or_number_starts(term))


def main(cases: int = 100_000) -> None:
    ws = open_admin(large_mission(cases))
    people = PersonService(ws)
    prefixes = [name[:end] for name in NAMES for end in range(2, len(name) + 1)]
    now: list[float] = []
    ilike: list[float] = []
    previous: list[float] = []
    raw: list[float] = []
    found = 0
    with ws.read() as session:
        for term in prefixes:
            match = fts_query(term)
            assert match is not None
            now += timings_ms(lambda t=term: people.find(t, limit=15), 2)
            found += len(people.find(term, limit=15))
            ilike += timings_ms(lambda t=term: session.execute(_ilike_everyone(t)).all(), 2)
            previous += timings_ms(
                lambda t=term, m=match: session.execute(_previous(t, m)).all(),
                2,
            )
            raw += timings_ms(
                lambda m=match: session.execute(
                    text("SELECT rowid FROM search_index WHERE search_index MATCH :q"), {"q": m}
                ).all(),
                2,
            )
    ws.close()
    print_table(
        f"Person finder on {cases:,} cases ({len(prefixes)} prefixes of {len(NAMES)} names, "
        f"{found} people offered in all; ms per keystroke)",
        [
            ("PersonService.find, p50", p(now, 50), p(raw, 50), "ms"),
            ("PersonService.find, p95", p(now, 95), p(raw, 95), "ms"),
            ("before: ILIKE over five columns of everyone, p95", p(ilike, 95), p(raw, 95), "ms"),
            ("before: people of every match, then ILIKE, p95", p(previous, 95), p(raw, 95), "ms"),
        ],
    )
    print("\nBaseline: the raw FTS5 MATCH of the same words (every matching rowid).")


if __name__ == "__main__":
    main(size_argument("QORGAU_BENCH_CASES", 100_000))
