"""The search box's first page is read in the list's order from the index: same cases, same
order as sorting every match, in either direction, with other filters, and after a case's date
changes; cross-script queries find the same cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text, update

from app.db.models import Case
from app.services import search
from app.services.cases import CaseService
from app.services.records import CaseFilter
from app.services.workspace import Workspace
from tests.builders import NURLAN, TODAY, new_case

# Received on purpose out of the order they are created in.
DAYS_AGO = (5, 1, 9, 3, 3, 7, 0, 12)


def _cases(ws: Workspace) -> CaseService:
    service = CaseService(ws)
    for n, days in enumerate(DAYS_AGO):
        person = NURLAN if n % 2 else None
        data = new_case(received_at=TODAY - timedelta(days=days))
        if person is not None:
            data = new_case(person=person, received_at=TODAY - timedelta(days=days))
        service.create_case(data, allow_duplicate_person=True)
    return service


def _sorted_by_the_case_table(
    service: CaseService, flt: CaseFilter, descending: bool = True
) -> list[str]:
    """The numbers the old way: every match sorted on the case table's own columns."""
    with service.ws.read() as session:
        match = search.fts_query(flt.text)
        assert match is not None
        rows = session.execute(
            select(Case.number, Case.received_at, Case.seq).where(
                Case.id.in_(search.matching_case_ids(match)), Case.deleted_at.is_(None)
            )
        ).all()
    rows.sort(key=lambda r: (r.received_at, r.seq), reverse=descending)
    return [r.number for r in rows]


def test_search_page_is_the_list_order_newest_first_and_oldest_first(ws: Workspace) -> None:
    service = _cases(ws)
    for typed in ("Нұрлан", "abenov", "Kurman", "Example"):
        flt = CaseFilter(text=typed)
        newest = [r.number for r in service.list_cases(flt, 0, 100)]
        assert newest and newest == _sorted_by_the_case_table(service, flt)
        oldest = [r.number for r in service.list_cases(CaseFilter(text=typed, descending=False))]
        assert oldest == _sorted_by_the_case_table(service, flt, descending=False)
        assert service.count_cases(flt) == len(newest)


def test_search_pages_follow_each_other_without_gaps(ws: Workspace) -> None:
    service = _cases(ws)
    flt = CaseFilter(text="Example")  # every case's employer
    pages = [service.list_cases(flt, offset, 3) for offset in (0, 3, 6)]
    numbers = [r.number for page in pages for r in page]
    assert numbers == _sorted_by_the_case_table(service, flt)
    assert len(numbers) == len(DAYS_AGO)


def test_cross_script_queries_find_the_same_cases(ws: Workspace) -> None:
    service = _cases(ws)
    found = {
        typed: [r.number for r in service.list_cases(CaseFilter(text=typed))]
        for typed in ("Нұрлан Әбенов", "nurlan abenov", "Нурлан Абенов", "нұрлан", "NURLAN")
    }
    expected = found["Нұрлан Әбенов"]
    assert len(expected) == len(DAYS_AGO) // 2
    assert all(numbers == expected for numbers in found.values())


def test_other_filters_apply_to_a_search_read_in_index_order(ws: Workspace) -> None:
    service = _cases(ws)
    first = service.list_cases(CaseFilter(text="Example"))[0]
    with ws.write() as session:
        session.execute(update(Case).where(Case.id == first.id).values(status="in_progress"))
    in_progress = service.list_cases(CaseFilter(text="Example", statuses=("in_progress",)))
    assert [r.id for r in in_progress] == [first.id]
    with ws.write() as session:
        session.execute(
            update(Case).where(Case.id == first.id).values(deleted_at=datetime.now(UTC))
        )
    assert first.id not in [r.id for r in service.list_cases(CaseFilter(text="Example"))]


def test_a_case_whose_date_changes_moves_in_the_search_order(ws: Workspace) -> None:
    service = _cases(ws)
    flt = CaseFilter(text="Example")
    oldest = service.list_cases(flt)[-1]
    with ws.write() as session:  # as a bundle from the case's own mission would change it
        session.execute(
            update(Case).where(Case.id == oldest.id).values(received_at=TODAY + timedelta(days=1))
        )
        search.index_cases(session, [oldest.id])
    listed = service.list_cases(flt)
    assert listed[0].id == oldest.id
    assert [r.number for r in listed] == _sorted_by_the_case_table(service, flt)
    with ws.read() as session:  # one index row per case: the old one was removed
        rows = session.execute(text("SELECT count(*) FROM search_index")).scalar_one()
    assert rows == len(DAYS_AGO)


@pytest.mark.both_engines(slow=True)  # PostgreSQL places them in one statement
def test_cases_received_the_same_day_with_the_same_number_get_their_own_rows(
    ws: Workspace,
) -> None:
    service = _cases(ws)
    ids = [r.id for r in service.list_cases(CaseFilter(text="Example"))]
    day = date(2026, 1, 2)
    with ws.write() as session:  # as cases of several missions consolidated at HQ could be
        for n, case_id in enumerate(ids):
            session.execute(
                update(Case)
                .where(Case.id == case_id)
                .values(received_at=day, seq=7, mission_code=f"M{n}")
            )
        search.index_cases(session, ids)
        docs = session.execute(text("SELECT doc FROM search_index_map")).scalars().all()
    assert len(set(docs)) == len(ids)
    assert {doc - doc % (1 << search.SLOT_BITS) for doc in docs} == {search.doc_base(day, 7)}
    assert sorted(r.id for r in service.list_cases(CaseFilter(text="Example"))) == sorted(ids)


@pytest.mark.both_engines(slow=True)
def test_a_case_placed_later_takes_the_slot_after_the_highest_taken_that_day(
    ws: Workspace,
) -> None:
    service = _cases(ws)
    ids = [r.id for r in service.list_cases(CaseFilter(text="Example"))]
    day, slots = date(2026, 1, 2), 1 << search.SLOT_BITS
    with ws.write() as session:
        for n, case_id in enumerate(ids):  # as several missions' cases at HQ
            session.execute(
                update(Case)
                .where(Case.id == case_id)
                .values(received_at=day, seq=7, mission_code=f"M{n}")
            )
        search.index_cases(session, ids[:3])  # three first, in one statement on a server
        search.index_cases(session, ids[3:])  # the rest after them, in another
        docs = dict(session.execute(text("SELECT ref_id, doc FROM search_index_map")).all())
    base = search.doc_base(day, 7)
    assert sorted(docs[i] - base for i in ids[:3]) == [0, 1, 2]
    assert sorted(docs[i] - base for i in ids[3:]) == list(range(3, len(ids)))
    assert all(doc % slots < len(ids) for doc in docs.values())


def test_removed_cases_leave_the_index(ws: Workspace) -> None:
    service = _cases(ws)
    gone = service.list_cases(CaseFilter(text="Example"))[0]
    with ws.write() as session:
        search.remove_cases(session, [gone.id])
    assert gone.id not in [r.id for r in service.list_cases(CaseFilter(text="Example"))]
    assert service.count_cases(CaseFilter(text="Example")) == len(DAYS_AGO) - 1


def test_a_category_page_holds_the_cases_of_that_category_in_list_order(ws: Workspace) -> None:
    service = _cases(ws)
    violence = [r.id for r in service.list_cases(CaseFilter(text="Example"))][1::3]
    with ws.write() as session:
        session.execute(
            text("INSERT INTO case_category (case_id, code) VALUES (:id, 'violence')"),
            [{"id": case_id} for case_id in violence],
        )
    flt = CaseFilter(category="violence")
    listed = service.list_cases(flt)
    assert [r.id for r in listed] == violence  # newest first, as the unfiltered list
    assert all("violence" in r.categories for r in listed)
    assert service.count_cases(flt) == len(violence)
    searched = service.list_cases(CaseFilter(category="violence", text="Нұрлан"))
    assert {r.id for r in searched} <= set(violence)


def test_a_number_typed_with_a_cyrillic_layout_on_finds_its_case(ws: Workspace) -> None:
    """An officer switching layouts all day types a case number or a passport number with the
    Russian or Kazakh layout still on (the Kazakh one has letters where the digits are): the
    search box found nothing. Such a word is read back as the keys pressed; a name is not."""
    service = CaseService(ws)
    worker = replace(NURLAN, passport_no="N94406560")
    case = service.create_case(new_case(person=worker))
    year, seq = case.number.split("-")[1:]
    kazakh_digits = str.maketrans("1234567890-", "„әіңғ,.үұқө")
    typed = {
        "russian case number": f"ЫУД-{year}-{seq}",
        "kazakh case number": "ЫУД" + f"-{year}-{seq}".translate(kazakh_digits),
        "russian passport": "Т94406560",
        "kazakh passport": "Т" + "94406560".translate(kazakh_digits),
    }
    for what, text_ in typed.items():
        assert [r.number for r in service.list_cases(CaseFilter(text=text_))] == [case.number], what
    assert search.numbers_as_meant("Әбенов Нұрлан 1990") == "Әбенов Нұрлан 1990"
    assert search.numbers_as_meant("т12") == "т12"  # too short to be a number: kept
    # Grouped, an IIN and a passport number are one word; a case number keeps its parts.
    assert search.numbers_as_meant("Әсел 940315 400123") == "Әсел 940315400123"
    assert search.numbers_as_meant("Т 94406560") == "N94406560"
    assert search.numbers_as_meant("SEL-2026-0042 2026 0042") == "SEL-2026-0042 2026 0042"
    assert [r.number for r in service.list_cases(CaseFilter(text="Әбенов"))] == [case.number]


def test_a_case_asked_for_by_number_is_found_typed_with_a_cyrillic_layout(ws: Workspace) -> None:
    """ "New letter…" and the command line ask for a case by its number: typed with the Russian
    or Kazakh layout on, it was "No case numbered ЫУД-…"."""
    service = CaseService(ws)
    case = service.create_case(new_case())
    year, seq = case.number.split("-")[1:]
    kazakh_digits = str.maketrans("1234567890-", "„әіңғ,.үұқө")
    for typed in (f"ыуд-{year}-{seq}", "ЫУД" + f"-{year}-{seq}".translate(kazakh_digits)):
        assert service.get_by_number(typed).id == case.id


def _segments(ws: Workspace) -> int:
    """How many segments the FTS5 index holds: its data rows' ids carry the segment's id above
    bit 37 (ids 1 and 10 are the index's averages and structure)."""
    with ws.read() as session:
        found = session.execute(
            text("SELECT count(DISTINCT id >> 37) FROM search_index_data WHERE id >> 37 > 0")
        ).scalar_one()
    return int(found)


def test_cases_indexed_together_out_of_date_order_write_one_segment(ws: Workspace) -> None:
    """A transaction's rows go into the index in its rowid order: FTS5 writes a new segment
    each time a rowid comes below the one before, and a CSV batch's rows, received on days in
    no order, made some 500 segments a batch of 1,000, each then merged again."""
    service = _cases(ws)
    ids = [r.id for r in service.list_cases(CaseFilter(text="Example"))]  # newest first
    with ws.write() as session:  # merging paused, so that every segment written stays to count
        session.execute(
            text("INSERT INTO search_index(search_index, rank) VALUES ('automerge', 0)")
        )
    before = _segments(ws)
    with ws.write() as session:  # as retention's anonymisation rewrites them, or a bundle
        search.remove_cases(session, ids)
    with ws.write() as session:
        search.index_cases(session, ids)
    assert _segments(ws) - before <= 2  # the removals' one, and the rows' one
    assert [r.id for r in service.list_cases(CaseFilter(text="Example"))] == ids
