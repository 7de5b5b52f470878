"""A letter that takes a worker's data out of Kazakhstan needs the consent to a cross-border
transfer (Law No. 94-V, Art. 8), as a referral to a partner abroad does."""

from __future__ import annotations

from datetime import date

from app.letters.context import Addressee
from app.services.letters import LetterFields, LetterService
from app.services.partners import PartnerInput, PartnerService
from app.services.records import OrganisationInput, PersonInput
from tests.builders import wage_case
from tests.conftest import OpenWs

TODAY = date(2026, 12, 1)
# Everything a consent form asks but the transfer abroad.
AT_HOME_ONLY = ("case_handling", "share_host_authorities", "share_hq", "share_partners")
ABROAD_KINDS = ("note_verbale_labour_authority", "employer_letter", "referral")
HOME_KINDS = ("hq_case_report", "agency_report", "assistance_certificate")
NOT_COVERED = "consent does not cover sharing"
CROSS_BORDER = "out of Kazakhstan"
NONE_RECORDED = "No consent of the person is recorded"
SHELTER = PartnerInput(name="Bursa Migrant Shelter", kind="shelter", country="TR", city="Bursa")
AT_HOME = PartnerInput(name="Almaty Employment Centre", kind="other", country="KZ")


def worker(consent: tuple[str, ...], iin: str = "940315400123") -> PersonInput:
    return PersonInput(
        surname="Нұрланова",
        given_names="Айгүл",
        surname_latin="NURLANOVA",
        given_names_latin="AIGUL",
        iin=iin,
        consent_date=date(2026, 11, 2) if consent else None,
        consent_scope=consent,
    )


def case_in_turkiye(open_ws: OpenWs, consent: tuple[str, ...], iin: str = "940315400123") -> str:
    return wage_case(
        open_ws("aigul"),
        worker(consent, iin),
        date(2026, 11, 2),
        host_country="TR",
        today=TODAY,
        employer=OrganisationInput(name="Yıldız Lojistik", country="TR", city="Bursa"),
    ).id


def fields_for(kind: str, partner: str = SHELTER.name) -> LetterFields:
    """Every kind with an addressee, so that approval is not refused for want of one."""
    organisation = partner if kind == "referral" else "Addressee"
    return LetterFields(
        addressee=Addressee("", organisation, "Bursa"),
        facts="Wages unpaid since June.",
    )


def test_a_letter_abroad_without_the_consent_to_a_transfer_abroad_is_flagged(
    open_ws: OpenWs,
) -> None:
    """The fault: a note verbale, an employer letter and a referral handed the worker's name,
    passport and story to a recipient in Türkiye on a consent that names the purpose (the
    host's authorities, partners) but not the transfer abroad, and the approver was told
    nothing. The warning names what is missing and where it is recorded; it does not block."""
    PartnerService(open_ws("serik")).create(SHELTER)
    case_id = case_in_turkiye(open_ws, AT_HOME_ONLY)
    letters = LetterService(open_ws("aigul"), today=TODAY)
    for kind in ABROAD_KINDS:
        draft = letters.draft(case_id, kind, "en", fields_for(kind))
        warnings = letters.warnings(draft.id)
        assert not any(NOT_COVERED in w for w in warnings), kind  # the purpose is consented
        assert [w for w in warnings if CROSS_BORDER in w] == [
            "This letter takes the person's data out of Kazakhstan (the addressee is in the "
            "Republic of Türkiye), and their recorded consent does not cover cross-border "
            "transfer. If the person agreed to it, edit the case: under “Consent to processing "
            "of personal data”, tick “cross-border transfer” and enter the date the consent was "
            "given."
        ], kind
        # The editor shows the same checks before the draft is saved.
        checks = letters.checks_for_case(case_id, kind, "en", fields_for(kind))
        assert any(CROSS_BORDER in w for w in checks), kind
        approved = LetterService(open_ws("serik"), today=TODAY).approve(draft.id)
        assert approved.status == "approved", kind


def test_with_the_consent_to_a_transfer_abroad_no_letter_is_flagged(open_ws: OpenWs) -> None:
    PartnerService(open_ws("serik")).create(SHELTER)
    case_id = case_in_turkiye(open_ws, (*AT_HOME_ONLY, "cross_border"))
    letters = LetterService(open_ws("aigul"), today=TODAY)
    for kind in ABROAD_KINDS + HOME_KINDS:
        warnings = letters.checks_for_case(case_id, kind, "en", fields_for(kind))
        assert not any(NOT_COVERED in w or CROSS_BORDER in w for w in warnings), kind


def test_letters_to_kazakhstan_and_the_worker_s_certificate_never_need_it(
    open_ws: OpenWs,
) -> None:
    """A report to HQ or the Ministry of Labour stays in Kazakhstan, the certificate is handed
    to the worker, and a partner at home is in Kazakhstan: no transfer abroad, even with no
    consent recorded at all (the consent to the purpose is still asked for)."""
    partners = PartnerService(open_ws("serik"))
    partners.create(AT_HOME)
    case_id = case_in_turkiye(open_ws, ())
    letters = LetterService(open_ws("aigul"), today=TODAY)
    for kind in HOME_KINDS:
        warnings = letters.checks_for_case(case_id, kind, "en", fields_for(kind))
        assert not any(CROSS_BORDER in w for w in warnings), kind
    hq = letters.checks_for_case(case_id, "hq_case_report", "en", fields_for("hq_case_report"))
    assert any(NONE_RECORDED in w and "cross-border" not in w for w in hq)
    home = letters.checks_for_case(case_id, "referral", "en", fields_for("referral", AT_HOME.name))
    assert any(NONE_RECORDED in w and "cross-border" not in w for w in home)
    assert not any(CROSS_BORDER in w for w in home)


def test_a_referral_letter_goes_where_the_partner_is(open_ws: OpenWs) -> None:
    """The referral letter's addressee is the partner referred to last (by default): the partner
    list says where it is; one on no list is taken to be in the host country."""
    partners = PartnerService(open_ws("serik"))
    abroad, home = partners.create(SHELTER), partners.create(AT_HOME)
    case_id = case_in_turkiye(open_ws, ("case_handling", "share_partners"))
    letters = LetterService(open_ws("aigul"), today=TODAY)
    attache = PartnerService(open_ws("aigul"))

    def flagged() -> bool:
        addressee = letters.defaults(case_id, "referral", "en").addressee
        checks = letters.checks_for_case(case_id, "referral", "en", LetterFields(addressee))
        return any(CROSS_BORDER in w for w in checks)

    attache.refer(case_id, home.id, "Work at home", referred_at=date(2026, 11, 20))
    assert not flagged()
    attache.refer(case_id, abroad.id, "Shelter", referred_at=date(2026, 11, 25))
    assert flagged()
    unlisted = fields_for("referral", "A lawyer in Bursa")
    assert any(
        CROSS_BORDER in w for w in letters.checks_for_case(case_id, "referral", "en", unlisted)
    )


def test_a_person_with_no_consent_recorded_is_said_to_have_none(open_ws: OpenWs) -> None:
    """The fault: for a worker whose case records no consent at all, the approver read twice
    that "the person's recorded consent does not cover" the addressee and the transfer abroad,
    and looked for a consent the case does not hold. One warning says none is recorded and
    what the letter needs; a consent that is recorded but too narrow keeps its own words."""
    PartnerService(open_ws("serik")).create(SHELTER)
    case_id = case_in_turkiye(open_ws, ())
    letters = LetterService(open_ws("aigul"), today=TODAY)
    draft = letters.draft(case_id, "note_verbale_labour_authority", "en", fields_for("note"))
    consent = [w for w in letters.warnings(draft.id) if "consent" in w]
    assert consent == [
        "No consent of the person is recorded, and this letter gives their data to its "
        "addressee (passing data to the host country's authorities; cross-border transfer). "
        "If the person agreed, edit the case: under “Consent to processing of personal data”, "
        "enter the date the consent was given and tick what it covers."
    ]
    # With nothing to give abroad and no addressee needing consent, nothing is said.
    certificate = letters.draft(case_id, "assistance_certificate", "en", fields_for("x"))
    assert not [w for w in letters.warnings(certificate.id) if "consent" in w]
    # A narrower consent is still named as recorded.
    narrow = case_in_turkiye(open_ws, ("case_handling",), iin="880512400011")
    note = letters.draft(narrow, "note_verbale_labour_authority", "en", fields_for("note"))
    said = [w for w in letters.warnings(note.id) if "consent" in w]
    assert len(said) == 2 and all("recorded consent does not cover" in w for w in said)
