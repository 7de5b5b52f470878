"""An approved letter is issued as the consul approved it.

Threat: an attaché (the letter's drafter, who may issue it once approved) changes the case
after the consul's approval: the worker's name or passport, the employer, the amounts claimed.
The issued letter is rendered from the case at issue, so it went out under the consul's
signature with text the consul never saw."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.db.models import Letter, User
from app.errors import ConflictError
from app.services.cases import CaseService
from app.services.letters import LetterFields, LetterService
from app.services.records import CaseChanges, CaseDetail, CaseInput, OrganisationInput, PersonInput
from app.services.workspace import Workspace
from tests.conftest import OpenWs
from tests.unit.test_letters_render import ASSEL_DOCUMENTED

# The PostgreSQL run is `slow` (its cluster is slow to start); CI runs it.
pytestmark = pytest.mark.both_engines(slow=True)

TODAY = date(2026, 11, 24)


@pytest.fixture
def people(open_ws: OpenWs) -> dict[str, Workspace]:
    admin = open_ws("admin")
    with admin.write() as session:
        user = session.execute(select(User).where(User.username == "serik")).scalar_one()
        user.full_name = "Серік Болатұлы Жақсыбеков"
    return {name: open_ws(name) for name in ("aigul", "serik")}


@pytest.fixture
def case(people: dict[str, Workspace]) -> CaseDetail:
    return CaseService(people["aigul"], today=TODAY).create_case(
        CaseInput(
            host_country="KR",
            categories=("unpaid_wages",),
            received_at=date(2026, 11, 2),
            person=PersonInput(**ASSEL_DOCUMENTED),
            employer=OrganisationInput(name="Mirae Construction", country="KR", city="Incheon"),
            description="Wages unpaid for three months.",
        )
    )


def _approved(people: dict[str, Workspace], case: CaseDetail) -> str:
    letters = LetterService(people["aigul"], today=TODAY)
    draft = letters.draft(case.id, "note_verbale_labour_authority", "en", LetterFields())
    LetterService(people["serik"], today=TODAY).approve(draft.id)
    return draft.id


def test_a_case_changed_after_approval_sends_the_letter_back_to_the_consul(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    letter_id = _approved(people, case)
    person = PersonInput(**{**ASSEL_DOCUMENTED, "passport_no": "N99999999"})
    CaseService(people["aigul"], today=TODAY).update_case(case.id, CaseChanges(person=person))
    letters = LetterService(people["aigul"], today=TODAY)
    with pytest.raises(ConflictError, match="changed since the consul approved"):
        letters.issue(letter_id)
    info = letters.get(letter_id)
    assert info.status == "draft"
    assert info.outgoing_number is None
    with people["aigul"].read() as session:
        row = session.get(Letter, letter_id)
        assert row is not None and row.pdf is None and row.approved_by is None
    # Approved again, it is issued with what the consul saw.
    LetterService(people["serik"], today=TODAY).approve(letter_id)
    assert letters.issue(letter_id).outgoing_number


def test_amounts_claimed_changed_after_approval_are_not_issued(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    letter_id = _approved(people, case)
    claim = {"what": "wages", "amount": "9000000", "currency": "KRW"}
    CaseService(people["aigul"], today=TODAY).update_case(case.id, CaseChanges(claims=(claim,)))
    with pytest.raises(ConflictError, match="changed since the consul approved"):
        LetterService(people["aigul"], today=TODAY).issue(letter_id)


def test_an_unchanged_approved_letter_is_issued(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    letter_id = _approved(people, case)
    info = LetterService(people["aigul"], today=TODAY).issue(letter_id)
    assert info.status == "issued"
