"""An anonymised case stays as retention left it: no note, file, status, assignment, edit,
referral or contract review is added to it, since each would type facts about its worker back
in, and a reopened case would be open for no one. It still reads (its facts, its statistics)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.errors import ValidationError
from app.services.cases import CaseService
from app.services.contracts import ContractReviewService
from app.services.partners import PartnerInput, PartnerService
from app.services.records import CaseChanges, CaseDetail, PersonInput
from app.services.retention import run_manually
from app.services.workspace import Workspace
from tests.unit.test_retention import LATER, close, make_case


@pytest.fixture
def anonymised(ws: Workspace) -> CaseDetail:
    case = make_case(ws, PersonInput(surname="Сейітова", given_names="Ләззат"))
    close(ws, case.id)
    assert run_manually(ws, today=LATER, date_is_right=True).anonymised_cases == [case.number]
    return CaseService(ws).get_case(case.id)


def test_it_offers_no_status_to_move_to(anonymised: CaseDetail) -> None:
    # A closed case offers "In progress" (reopen) to a consul or administrator; not this one.
    assert anonymised.status == "closed"
    assert anonymised.allowed_statuses == ()


def test_every_write_to_it_is_refused_and_nothing_is_written(
    ws: Workspace, anonymised: CaseDetail
) -> None:
    cases = CaseService(ws)
    partner = PartnerService(ws).create(
        PartnerInput(name="Seoul Migrant Centre", country="KR", city="SEOUL", kind="ngo")
    )
    case_id = anonymised.id
    writes: dict[str, Callable[[], object]] = {
        "reopen": lambda: cases.set_status(case_id, "in_progress", "Came back"),
        "undo status": lambda: cases.undo_status_change(case_id),
        "note": lambda: cases.add_event(case_id, "note", "Phoned her sister in Almaty"),
        "file": lambda: cases.add_attachment(case_id, "statement.txt", b"She says", "text/plain"),
        "description": lambda: cases.update_case(case_id, CaseChanges(description="Her story")),
        "categories": lambda: cases.update_case(case_id, CaseChanges(categories=("violence",))),
        "assignment": lambda: cases.assign(case_id, None),
        "referral": lambda: PartnerService(ws).refer(case_id, partner.id, "Needs a lawyer"),
        "review": lambda: ContractReviewService(ws).save(
            {"position": "welder", "passport_held_by": "employer"}, case_id=case_id
        ),
    }
    for what, write in writes.items():
        with pytest.raises(ValidationError, match="anonymised at the end of the retention") as no:
            write()
        assert anonymised.number in str(no.value), what
    after = cases.get_case(case_id)
    assert after.version == anonymised.version
    assert after.events == anonymised.events
    assert (after.status, after.categories, after.description) == (
        "closed",
        anonymised.categories,
        "",
    )
    assert ContractReviewService(ws).list_reviews(case_id=case_id) == []


def test_it_still_reads(ws: Workspace, anonymised: CaseDetail) -> None:
    """What the statistics count stays readable: number, categories, country, status."""
    again = CaseService(ws).get_by_number(anonymised.number)
    assert (again.host_country, again.status) == ("KR", "closed")
    assert set(again.categories) == {"unpaid_wages", "documents_withheld"}
    assert again.anonymised_at is not None


def test_a_referral_made_before_takes_no_outcome_after(ws: Workspace) -> None:
    """The outcome of a referral is a text about the worker ("the shelter took her in")."""
    partners = PartnerService(ws)
    partner = partners.create(
        PartnerInput(name="Seoul Migrant Centre", country="KR", city="SEOUL", kind="ngo")
    )
    case = make_case(ws, PersonInput(surname="Сейітова", given_names="Ләззат"))
    referral = partners.refer(case.id, partner.id, "Needs a lawyer").referral
    close(ws, case.id)
    run_manually(ws, today=LATER, date_is_right=True)
    with pytest.raises(ValidationError, match="anonymised at the end of the retention"):
        partners.record_outcome(referral.id, "The lawyer filed a claim for her")
    (after,) = partners.referrals(case.id)
    assert after.outcome == ""
