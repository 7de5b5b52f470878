"""An anonymised case whose person another, live case still keeps: every view of the
anonymised case shows no one, and nothing leads from it to the person (the case list, search,
the case view, the person's cases, a contract review begun from it, the case-list report)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.errors import ValidationError
from app.reports.tables import case_list_row
from app.services.cases import CaseService
from app.services.contracts import ContractReviewService
from app.services.letters import LetterFields, LetterService
from app.services.people import PersonService
from app.services.records import CaseChanges, CaseDetail, CaseFilter, CaseInput, PersonInput
from app.services.retention import run_manually
from app.services.workspace import Workspace
from tests.unit.test_retention import LATER, SECRETS, TODAY, closed_case  # noqa: F401

NAME = SECRETS["surname"]


@pytest.fixture
def kept(ws: Workspace, closed_case: CaseDetail) -> tuple[CaseDetail, CaseDetail]:  # noqa: F811
    """The closed case anonymised, and the same person's open case, which keeps them."""
    service = CaseService(ws)
    live = service.create_case(
        CaseInput(
            host_country="KR",
            categories=("violence",),
            received_at=TODAY,
            person_id=service.get_case(closed_case.id).person.id,
        )
    )
    terms = {"position": "welder", "passport_held_by": "employer", "rest_days_per_week": 1}
    ContractReviewService(ws).save(terms, case_id=closed_case.id)
    assert run_manually(ws, today=LATER, date_is_right=True).anonymised_cases == [
        closed_case.number
    ]
    return service.get_case(closed_case.id), live


def test_the_case_list_names_the_live_case_only(
    ws: Workspace, kept: tuple[CaseDetail, CaseDetail]
) -> None:
    gone, live = kept
    rows = {r.number: r for r in CaseService(ws).list_cases()}
    assert rows[live.number].person_name.startswith(NAME)
    assert not rows[live.number].anonymised
    row = rows[gone.number]
    assert row.anonymised
    assert (row.person_name, row.person_name_latin) == ("", "")
    assert NAME not in repr(row.worker) and SECRETS["surname_latin"] not in repr(row.worker)
    # Sorted by person, the same.
    by_person = CaseService(ws).list_cases(CaseFilter(sort="person"))
    assert [r.person_name for r in by_person if r.number == gone.number] == [""]


def test_search_finds_the_live_case_and_the_anonymised_one_by_number_only(
    ws: Workspace, kept: tuple[CaseDetail, CaseDetail]
) -> None:
    gone, live = kept
    cases = CaseService(ws)
    for query in (NAME, SECRETS["surname_latin"], SECRETS["iin"], SECRETS["passport_no"]):
        assert [r.number for r in cases.search(query)] == [live.number], query
        assert [r.number for r in cases.list_cases(CaseFilter(text=query))] == [live.number]
    found = cases.search(gone.number)
    assert [(r.number, r.person_name, r.anonymised) for r in found] == [(gone.number, "", True)]


def test_the_case_view_shows_no_one_and_takes_no_person(
    ws: Workspace, kept: tuple[CaseDetail, CaseDetail]
) -> None:
    gone, live = kept
    assert gone.person.full_name == "" and gone.person.id == ""
    assert gone.person.iin is None and gone.person.passport_no is None
    assert gone.person.phone_abroad == "" and gone.person.next_of_kin == ""
    # What typed into its person form would have reached the live case's person.
    with pytest.raises(ValidationError, match="anonymised"):
        CaseService(ws).update_case(
            gone.id, CaseChanges(person=PersonInput(surname="Другой", given_names="Человек"))
        )
    assert CaseService(ws).get_case(live.id).person.surname == NAME


def test_the_persons_cases_leave_the_anonymised_one_out(
    ws: Workspace, kept: tuple[CaseDetail, CaseDetail]
) -> None:
    gone, live = kept
    person_id = live.person.id
    cases = CaseService(ws)
    held = CaseFilter(person_id=person_id)
    assert [r.number for r in cases.list_cases(held)] == [live.number]
    assert cases.count_cases(held) == 1
    assert PersonService(ws).get(person_id).case_count == 1


def test_a_review_begun_from_the_anonymised_case_names_no_one(
    ws: Workspace, kept: tuple[CaseDetail, CaseDetail]
) -> None:
    gone, live = kept
    reviews = ContractReviewService(ws)
    subject = reviews.subject_for_case(gone.id)
    assert (subject.person_id, subject.person_name) == (None, "")
    assert reviews.subject_for_case(live.id).person_name.startswith(NAME)
    # The review made before the run: under the case, it names no one; under the worker, it
    # is not listed. A new one is not made: its terms would be new facts about the worker.
    (before,) = reviews.list_reviews(case_id=gone.id)
    assert (before.person_id, before.person_name) == (None, "")
    assert reviews.list_reviews(person_id=live.person.id) == []
    terms = {"position": "welder", "passport_held_by": "worker", "rest_days_per_week": 1}
    with pytest.raises(ValidationError, match="anonymised"):
        reviews.save(terms, case_id=gone.id)
    assert len(reviews.list_reviews(case_id=gone.id)) == 1


def test_the_case_list_report_says_anonymised(
    ws: Workspace, kept: tuple[CaseDetail, CaseDetail]
) -> None:
    gone, _live = kept
    (row,) = [r for r in CaseService(ws).list_cases() if r.number == gone.number]
    assert case_list_row(row, "en", hide_names=False)[4] == "(anonymised)"
    assert case_list_row(row, "en", hide_names=True)[4] == "(hidden)"


def test_no_letter_is_written_for_the_anonymised_case(
    ws: Workspace, kept: tuple[CaseDetail, CaseDetail]
) -> None:
    """The fault: a new letter for the anonymised case started with the worker's name,
    passport and phone, read through the case's link from the live case's record."""
    gone, live = kept
    letters = LetterService(ws)
    for attempt in (
        lambda: letters.defaults(gone.id, "employer_letter", "ru"),
        lambda: letters.draft(gone.id, "employer_letter", "ru"),
        lambda: letters.preview_for_case(gone.id, "employer_letter", "ru", LetterFields()),
    ):
        with pytest.raises(ValidationError, match="no letter is written for it"):
            attempt()
    assert letters.draft(live.id, "employer_letter", "ru").status == "draft"  # the live case's


def test_the_workers_subject_access_export_leaves_the_anonymised_case_out(
    ws: Workspace, kept: tuple[CaseDetail, CaseDetail]
) -> None:
    """What stays of an anonymised case is kept as no one's; listed under the worker's name in
    her export, its categories, dates and the review made under it would be hers again."""
    from app.services.subject_access import collect, to_json

    gone, live = kept
    export = collect(ws, iin=SECRETS["iin"])
    (person,) = export.persons
    assert person["id"] == live.person.id
    assert [c["number"] for c in person["cases"]] == [live.number]
    # The review saved under the anonymised case (``kept``) is not hers either.
    assert person["contract_reviews"] == []
    text = to_json(export).decode()
    assert gone.number not in text and gone.id not in text
    # Her live case is there whole.
    assert live.number in {e["entity_id"] for e in person["audit"]}


def test_its_own_person_keeps_what_the_anonymised_statistics_count(ws: Workspace) -> None:
    """The case's own person, not the worker, is what the statistics read for it now: her
    sex, citizenship and that she consented stay counted."""
    from app.services.stats import StatsFilter, StatsService
    from tests.unit.test_retention import close, make_case

    consented = PersonInput(**SECRETS, sex="female", consent_date=TODAY)
    gone = make_case(ws, consented)
    close(ws, gone.id)
    service = CaseService(ws)
    service.create_case(
        CaseInput(
            host_country="KR",
            categories=("violence",),
            received_at=TODAY,
            person_id=gone.person.id,
        )
    )
    period = StatsFilter(date_from=TODAY.replace(day=1) - timedelta(days=40), date_to=TODAY)
    before = StatsService(ws, today=TODAY).anonymised_cases(period)
    assert gone.number in run_manually(ws, today=LATER, date_is_right=True).anonymised_cases
    after = StatsService(ws, today=TODAY).anonymised_cases(period)
    assert sorted(map(repr, after)) == sorted(map(repr, before))
    assert any(c.consent and c.sex == "female" for c in after)
