"""An approved letter is issued as the consul approved it.

Threat: an attaché (the letter's drafter, who may issue it once approved) changes the case
after the consul's approval: the worker's name or passport, the employer, the amounts claimed.
The issued letter is rendered from the case at issue, so it went out under the consul's
signature with text the consul never saw."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, make_dataclass, replace
from datetime import date

import pytest
from sqlalchemy import select

from app.db.models import Letter, User
from app.errors import ConflictError
from app.letters import Citation, LetterContext, content_digest
from app.letters.approval import approval_digest
from app.letters.context import Addressee
from app.services.agreements import ensure_library
from app.services.cases import CaseService
from app.services.letters import LetterFields, LetterService
from app.services.records import CaseChanges, CaseDetail, CaseInput, OrganisationInput, PersonInput
from app.services.workspace import Workspace
from tests.conftest import OpenWs
from tests.unit.test_letters_render import ASSEL_DOCUMENTED, make_context

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


# The citation as releases before "later" and "in_force_since" were added built it: their
# approvals hashed the context with this shape (``qr.content_digest`` over its fields).
@dataclass(frozen=True)
class _CitationBeforeLater:
    instrument: str
    article: str
    summary: str
    verified: bool
    standard: bool = False
    in_force_date_known: bool = True


@pytest.fixture
def cited_case(people: dict[str, Workspace]) -> CaseDetail:
    """A case in an EAEU state: its letters cite the Treaty on the EAEU."""
    return CaseService(people["aigul"], today=TODAY).create_case(
        CaseInput(
            host_country="RU",
            categories=("unpaid_wages",),
            received_at=date(2026, 11, 2),
            person=PersonInput(**ASSEL_DOCUMENTED),
            employer=OrganisationInput(name="ООО «Стройком»", country="RU", city="Казань"),
            description="Wages unpaid for three months.",
        )
    )


def _before(cls: type, added: str) -> type:
    """``cls`` as releases before ``added`` had it: the same class name, without that field."""
    kept = [(f.name, f.type, field(default=f.default)) for f in fields(cls) if f.name != added]
    return make_dataclass(cls.__name__, kept, frozen=True)


# The letter context and its addressee as those releases had them (fields added since).
_ContextBeforeAbsent = _before(LetterContext, "absent")
_AddresseeBeforeSurname = _before(Addressee, "surname")


def _approve_as_an_earlier_release(serik: Workspace, letter_id: str, on: date) -> None:
    """Approve ``letter_id`` as a release before approval digest rule 2 recorded it."""
    letters = LetterService(serik, today=on)
    ensure_library(serik)  # what the letter cites comes from the agreement library
    with serik.write() as session:
        row = session.get(Letter, letter_id)
        assert row is not None
        context = replace(letters._context(session, row, None, on), letter_date=date.min)
        assert context.citations, "the test needs a letter that cites something"
        old_citations = tuple(
            _CitationBeforeLater(
                c.instrument, c.article, c.summary, c.verified, c.standard, c.in_force_date_known
            )
            for c in context.citations
        )
        values = {f.name: getattr(context, f.name) for f in fields(_ContextBeforeAbsent)}
        addressee = context.addressee
        old_addressee = _AddresseeBeforeSurname(
            **{f.name: getattr(addressee, f.name) for f in fields(_AddresseeBeforeSurname)}
        )
        old_context = _ContextBeforeAbsent(
            **{**values, "citations": old_citations, "addressee": old_addressee}
        )
        digest = content_digest(old_context)  # type: ignore[arg-type]
        row.status, row.approved_by = "approved", "serik"
        serik.audit(
            session,
            "letter.approve",
            "letter",
            row.id,
            {"kind": row.kind, "on": on.isoformat(), "content_digest": digest},
        )


def test_a_letter_approved_before_an_upgrade_is_issued_after_it(
    people: dict[str, Workspace], cited_case: CaseDetail
) -> None:
    """The upgrade added fields to the citations: the letter reads the same, and the consul's
    approval stands."""
    letters = LetterService(people["aigul"], today=TODAY)
    draft = letters.draft(cited_case.id, "note_verbale_labour_authority", "ru", LetterFields())
    _approve_as_an_earlier_release(people["serik"], draft.id, TODAY)
    info = letters.issue(draft.id)
    assert info.status == "issued"
    assert info.approved_by == "serik"


def test_a_letter_approved_before_an_upgrade_whose_case_changed_is_sent_back(
    people: dict[str, Workspace], cited_case: CaseDetail
) -> None:
    letters = LetterService(people["aigul"], today=TODAY)
    draft = letters.draft(cited_case.id, "note_verbale_labour_authority", "ru", LetterFields())
    _approve_as_an_earlier_release(people["serik"], draft.id, TODAY)
    claim = {"what": "wages", "amount": "90000", "currency": "RUB"}
    changes = CaseChanges(claims=(claim,))
    CaseService(people["aigul"], today=TODAY).update_case(cited_case.id, changes)
    with pytest.raises(ConflictError, match="approved under an earlier version"):
        letters.issue(draft.id)
    assert letters.get(draft.id).status == "draft"


def test_an_approval_survives_a_field_added_at_its_default(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    """Rule 2 leaves out fields at their default: a release adding one to the citations keeps
    every approval whose letter does not use it."""
    context = make_context()
    cited = replace(context, citations=(Citation("C097", "Art. 6", "Equal treatment", True),))
    old_shape = replace(
        cited, citations=(_CitationBeforeLater("C097", "Art. 6", "Equal treatment", True),)
    )
    assert approval_digest(cited) == approval_digest(old_shape)  # type: ignore[arg-type]
    later = replace(cited, citations=(replace(cited.citations[0], later=True),))
    assert approval_digest(later) != approval_digest(cited)
    # The QR code's digest covers every field, which is why approvals no longer use it.
    assert content_digest(cited) != content_digest(old_shape)  # type: ignore[arg-type]
