"""Partner organisations and referrals of a case to them (app/services/partners.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, PartnerOrganisation, PartnerReferral, User
from app.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.services.cases import CaseService
from app.services.partners import PartnerInput, PartnerService
from app.services.workspace import Workspace
from tests.builders import ASSEL, wage_case
from tests.conftest import OpenWs, count

SHELTER = PartnerInput(
    name="Ansan Migrant Shelter",
    kind="shelter",
    country="KR",
    city="Ansan",
    phone="+82 31 000 0000",
    notes="Takes women at night.",
)


def audit_actions(ws: Workspace) -> list[str]:
    with ws.read() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_a_consul_adds_and_corrects_a_partner_an_attache_finds_it(open_ws: OpenWs) -> None:
    consul = PartnerService(open_ws("serik"))
    added = consul.create(SHELTER)
    assert (added.name, added.kind, added.country, added.city) == (
        "Ansan Migrant Shelter",
        "shelter",
        "KR",
        "Ansan",
    )
    changed = consul.update(added.id, replace(SHELTER, phone="+82 31 111 1111"), added.version)
    assert changed.phone == "+82 31 111 1111"
    attache = PartnerService(open_ws("aigul"))
    assert [p.name for p in attache.list("KR")] == ["Ansan Migrant Shelter"]
    assert attache.list("TR") == []
    assert [p.id for p in attache.list(text="ANSAN")] == [added.id]
    assert attache.find("ansan migrant shelter").id == added.id
    assert attache.find(added.id).id == added.id
    partner_actions = [a for a in audit_actions(consul.ws) if a.startswith("partner.")]
    assert partner_actions == ["partner.create", "partner.update"]


def test_a_partner_search_folds_cyrillic(ws: Workspace) -> None:
    """Searched through ``fold_typed``: SQLite's own case folding knows ASCII only."""
    service = PartnerService(ws)
    made = service.create(
        PartnerInput(name="Центр помощи мигрантам «Ласточка»", kind="ngo", country="RU")
    )
    assert [p.id for p in service.list(text="ЛАСТОЧКА")] == [made.id]
    assert service.count(text="ласточка") == 1


def test_bad_partner_input_is_refused_and_changes_nothing(ws: Workspace) -> None:
    """The fault: bad input must say what is wrong and write nothing."""
    service = PartnerService(ws)
    service.create(SHELTER)
    before = (count(ws, PartnerOrganisation), audit_actions(ws))
    for bad, field in (
        (replace(SHELTER, name="  "), "name"),
        (replace(SHELTER, name="Other", kind="embassy"), "kind"),
        (replace(SHELTER, name="Other", country="Korea"), "country"),
        (replace(SHELTER, name="ANSAN MIGRANT SHELTER"), "name"),  # on the list already
    ):
        with pytest.raises(ValidationError) as refused:
            service.create(bad)
        assert refused.value.field == field
    assert (count(ws, PartnerOrganisation), audit_actions(ws)) == before


def test_an_attache_an_analyst_and_a_revoked_officer_are_refused(open_ws: OpenWs) -> None:
    """The fault: the list of partners a worker's data may go to is the mission's to vouch
    for; an analyst at HQ refers no case; an officer revoked while her window stayed open
    still held the key and could pass a worker's data on."""
    admin = open_ws("admin")
    partner = PartnerService(admin).create(SHELTER)
    case = wage_case(admin, ASSEL)
    with pytest.raises(PermissionDenied):
        PartnerService(open_ws("aigul")).create(replace(SHELTER, name="Another"))
    with pytest.raises(PermissionDenied):
        PartnerService(open_ws("astana")).refer(case.id, partner.id, "Needs a shelter")
    attache = open_ws("aigul")
    with admin.write() as session:  # revoked, as UserService.revoke marks her
        user = session.scalars(select(User).where(User.username == "aigul")).one()
        user.active = False
    with pytest.raises(PermissionDenied, match="revoked"):
        PartnerService(attache).refer(case.id, partner.id, "Needs a shelter")
    assert count(admin, PartnerReferral) == 0
    assert count(admin, PartnerOrganisation) == 1


def test_a_referral_is_on_the_timeline_audited_and_listed(open_ws: OpenWs) -> None:
    admin = open_ws("admin")
    partner = PartnerService(admin).create(SHELTER)
    case = wage_case(admin, ASSEL, date.today() - timedelta(days=2))
    service = PartnerService(open_ws("aigul"))
    result = service.refer(case.id, partner.id, "She has nowhere to sleep.")
    assert result.referral.partner_name == "Ansan Migrant Shelter"
    [listed] = service.referrals(case.id)
    assert (listed.reason, listed.outcome, listed.case_number) == (
        "She has nowhere to sleep.",
        "",
        case.number,
    )
    events = CaseService(admin).get_case(case.id).events
    assert any(
        e.text == "Referred to Ansan Migrant Shelter: She has nowhere to sleep." for e in events
    )
    assert "case.refer" in audit_actions(admin)
    assert PartnerService(admin).get(partner.id).referrals == 1

    done = service.record_outcome(listed.id, "Taken in for two weeks.", listed.version)
    assert done.outcome == "Taken in for two weeks."
    texts = [e.text for e in CaseService(admin).get_case(case.id).events]
    assert "Outcome of the referral to Ansan Migrant Shelter: Taken in for two weeks." in texts
    assert "case.referral_outcome" in audit_actions(admin)


def test_a_referral_without_a_reason_or_twice_is_refused_and_changes_nothing(
    ws: Workspace,
) -> None:
    """The fault: a referral must say why, and one still open is not made twice."""
    partner = PartnerService(ws).create(SHELTER)
    case = wage_case(ws, ASSEL)
    service = PartnerService(ws)
    version = CaseService(ws).get_case(case.id).version
    for reason in ("", "   "):
        with pytest.raises(ValidationError, match="must not be empty"):
            service.refer(case.id, partner.id, reason)
    with pytest.raises(ValidationError, match="future"):
        service.refer(case.id, partner.id, "Shelter", date.today() + timedelta(days=1))
    with pytest.raises(NotFound):
        service.refer(case.id, "no-such-partner", "Shelter")
    assert count(ws, PartnerReferral) == 0
    assert CaseService(ws).get_case(case.id).version == version
    service.refer(case.id, partner.id, "Shelter")
    with pytest.raises(ConflictError, match="already referred"):
        service.refer(case.id, partner.id, "Shelter again")
    assert count(ws, PartnerReferral) == 1


def test_a_referral_the_consent_does_not_cover_is_made_with_the_letters_warning(
    ws: Workspace,
) -> None:
    """As a referral letter: made, and the officer told the consent does not cover it."""
    partner = PartnerService(ws).create(SHELTER)
    case = wage_case(ws, ASSEL)
    service = PartnerService(ws)
    [warning] = service.consent_warnings(case.id)  # no partner chosen yet
    assert warning.endswith("(referral to partner organisations).")
    result = service.refer(case.id, partner.id, "Shelter")
    # The shelter is abroad: one sentence names both consents.
    assert result.warnings == (
        "The person's recorded consent does not cover sharing their data with this addressee "
        "(referral to partner organisations; cross-border transfer).",
    )
    with ws.read() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.refer")).one()
    assert entry.details["consent_covers"] is False


def test_with_consent_for_partners_and_abroad_no_warning(ws: Workspace) -> None:
    partner = PartnerService(ws).create(SHELTER)
    consenting = replace(
        ASSEL,
        consent_date=date.today(),
        consent_scope=("case_handling", "share_partners", "cross_border"),
    )
    case = wage_case(ws, consenting)
    assert PartnerService(ws).consent_warnings(case.id, partner.id) == ()
    assert PartnerService(ws).refer(case.id, partner.id, "Shelter").warnings == ()


def test_a_partner_abroad_needs_the_consent_to_a_cross_border_transfer(ws: Workspace) -> None:
    """The fault: a referral to a host country's shelter passed the worker's data to an
    organisation abroad on a consent to share with partners alone; the consent to a
    cross-border transfer, which the personal-data law asks for apart and the person form
    records, was never looked at. A partner in Kazakhstan needs no such consent."""
    service = PartnerService(ws)
    abroad = service.create(SHELTER)
    at_home = service.create(
        PartnerInput(name="Almaty Employment Centre", kind="other", country="KZ")
    )
    consenting = replace(
        ASSEL, consent_date=date.today(), consent_scope=("case_handling", "share_partners")
    )
    case = wage_case(ws, consenting)
    [warning] = service.consent_warnings(case.id, abroad.id)
    assert "does not cover" in warning and "(cross-border transfer)" in warning
    assert service.consent_warnings(case.id, at_home.id) == ()
    assert service.refer(case.id, abroad.id, "Shelter").warnings == (warning,)
    assert service.refer(case.id, at_home.id, "Work at home").warnings == ()
    with ws.read() as session:
        covered = session.scalars(
            select(AuditEntry.details["consent_covers"].as_boolean())
            .where(AuditEntry.action == "case.refer")
            .order_by(AuditEntry.seq)
        ).all()
    assert covered == [False, True]


def test_the_referral_letter_goes_to_the_partner_referred_to_last(ws: Workspace) -> None:
    """The fault: of two referrals made the same day, the letter's default addressee was
    whichever the database returned first, often the earlier partner."""
    from app.services.letters import LetterService

    service = PartnerService(ws)
    shelter = service.create(SHELTER)
    lawyer = service.create(
        PartnerInput(name="Kim & Lee Labour Law Office", kind="lawyer", country="KR", city="Seoul")
    )
    case = wage_case(ws, ASSEL)
    letters = LetterService(ws)
    assert letters.defaults(case.id, "referral", "en").addressee.organisation != shelter.name
    service.refer(case.id, shelter.id, "Shelter")
    addressee = letters.defaults(case.id, "referral", "en").addressee
    assert (addressee.organisation, addressee.address) == (
        "Ansan Migrant Shelter",
        "Ansan, Republic of Korea",
    )
    service.refer(case.id, lawyer.id, "Wage claim")
    assert letters.defaults(case.id, "referral", "ru").addressee.organisation == lawyer.name


def test_referring_with_set_status_moves_the_case_to_referred_in_one_write(
    open_ws: OpenWs,
) -> None:
    """The fault: referring left a "new" case "new" (the status "Referred" was never set).
    With ``set_status`` the status changes as the case service changes it: the timeline's
    status entry and the audit's ``case.status`` beside the referral's."""
    shelter = PartnerService(open_ws("serik")).create(SHELTER)
    ws = open_ws("aigul")
    case = wage_case(ws, ASSEL)
    PartnerService(ws).refer(case.id, shelter.id, "Nowhere to sleep", set_status=True)
    detail = CaseService(ws).get_case(case.id)
    assert detail.status == "referred"
    assert [(e.status_from, e.status_to) for e in detail.events if e.kind == "status_change"] == [
        ("new", "referred")
    ]
    assert audit_actions(ws)[-2:] == ["case.status", "case.refer"]
    # Already "Referred": a second referral with the box checked keeps it so.
    other = PartnerService(open_ws("serik")).create(replace(SHELTER, name="Legal aid"))
    PartnerService(ws).refer(case.id, other.id, "A wage claim", set_status=True)
    assert CaseService(ws).get_case(case.id).status == "referred"


def test_a_referral_without_set_status_leaves_the_status(open_ws: OpenWs) -> None:
    shelter = PartnerService(open_ws("serik")).create(SHELTER)
    ws = open_ws("aigul")
    case = wage_case(ws, ASSEL)
    PartnerService(ws).refer(case.id, shelter.id, "Nowhere to sleep")
    assert CaseService(ws).get_case(case.id).status == "new"


def test_set_status_on_a_resolved_case_is_refused_and_nothing_is_written(
    open_ws: OpenWs,
) -> None:
    """The fault to avoid: the referral written and the status refused, or a resolved case
    moved to "Referred" around the workflow's rules."""
    shelter = PartnerService(open_ws("serik")).create(SHELTER)
    ws = open_ws("aigul")
    case = wage_case(ws, ASSEL)
    CaseService(ws).set_status(case.id, "resolved", "Paid in full")
    before = (count(ws, PartnerReferral), audit_actions(ws), CaseService(ws).get_case(case.id))
    with pytest.raises(ConflictError, match="is “Resolved”: reopen it before you refer it"):
        PartnerService(ws).refer(case.id, shelter.id, "Nowhere to sleep", set_status=True)
    after = (count(ws, PartnerReferral), audit_actions(ws), CaseService(ws).get_case(case.id))
    assert after == before


@pytest.mark.parametrize("shut", ["resolved", "closed", "rejected"])
@pytest.mark.parametrize("set_status", [True, False])
def test_a_resolved_closed_or_rejected_case_is_not_referred_until_reopened(
    open_ws: OpenWs, shut: str, set_status: bool
) -> None:
    """The fault: a closed case could be referred, around the consul's decision (with a
    reason on the timeline) that reopens it; a resolved one still could, and the consul could
    then close it with the referral open. Refused, saying how; once reopened, it is."""
    shelter = PartnerService(open_ws("serik")).create(SHELTER)
    ws, consul = open_ws("aigul"), CaseService(open_ws("serik"))
    case = wage_case(ws, ASSEL)
    if shut in ("resolved", "closed"):
        CaseService(ws).set_status(case.id, "resolved", "Paid in full")
    if shut == "closed":
        consul.set_status(case.id, "closed", "")
    elif shut == "rejected":
        consul.set_status(case.id, "rejected", "Not a labour matter")
    before = (count(ws, PartnerReferral), audit_actions(ws), CaseService(ws).get_case(case.id))
    label = {"resolved": "Resolved", "closed": "Closed", "rejected": "Rejected"}[shut]
    with pytest.raises(ConflictError) as refused:
        PartnerService(ws).refer(case.id, shelter.id, "Nowhere to sleep", set_status=set_status)
    assert str(refused.value) == (
        f"Case {case.number} is “{label}”: reopen it before you refer it to a partner "
        "(a consul sets its status to “In progress” and gives a reason)."
    )
    after = (count(ws, PartnerReferral), audit_actions(ws), CaseService(ws).get_case(case.id))
    assert after == before

    consul.set_status(case.id, "in_progress", "She came back")
    PartnerService(ws).refer(case.id, shelter.id, "Nowhere to sleep")
    assert len(PartnerService(ws).referrals(case.id)) == 1
