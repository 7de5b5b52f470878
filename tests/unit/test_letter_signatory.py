"""Who signs, what the approver is warned of, and the amounts a case claims."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import update

from app.db.models import Mission, User
from app.domain.claims import Claim, claims_json, parse_claims
from app.errors import PermissionDenied, ValidationError
from app.i18n import format_amount
from app.services.case_json import case_from_json
from app.services.cases import CaseService
from app.services.letters import LetterFields, LetterService
from app.services.records import CaseChanges, CaseInput, OrganisationInput, PersonInput
from app.services.users import SignatureDetails, UserService
from tests.builders import wage_case
from tests.conftest import OpenWs, snapshot
from tests.unit.test_letters_render import text_of

TODAY = date(2026, 12, 1)


@pytest.fixture
def case_id(open_ws: OpenWs) -> str:
    worker = PersonInput(
        surname="Нұрланова",
        given_names="Айгүл",
        surname_latin="NURLANOVA",
        given_names_latin="AIGUL",
        iin="940315400123",
    )
    return wage_case(
        open_ws("aigul"),
        worker,
        date(2026, 11, 2),
        host_country="TR",
        today=TODAY,
        employer=OrganisationInput(name="Yıldız Lojistik", country="TR", city="Bursa"),
        claims=({"amount": "45000", "currency": "TRY", "what": "wages"},),
    ).id


def signature(name: str, latin: str, kk: str = "", ru: str = "", en: str = "") -> SignatureDetails:
    return SignatureDetails(name, latin, kk, ru, en)


def test_the_approver_signs_with_their_own_position(open_ws: OpenWs, case_id: str) -> None:
    admin = open_ws("admin")
    UserService(admin).set_signature(
        "admin",
        signature("Асқар Тоқтаров", "Askar Toktarov", "Елші", "Посол", "Ambassador"),
    )
    UserService(admin).set_signature("serik", signature("Серік Жақсыбеков", "Serik Zhaksybekov"))
    letters = LetterService(open_ws("aigul"), today=TODAY)
    draft = letters.draft(case_id, "employer_letter", "ru")
    # Before approval the draft names the consul expected to sign.
    assert letters.signer_text(draft.id, "ru") == "Консул Серік Жақсыбеков (on approval)"
    approved = LetterService(admin, today=TODAY).approve(draft.id)
    assert approved.signatory == "Посол, Асқар Тоқтаров"
    assert LetterService(admin).signer_text(draft.id, "en") == "Ambassador Askar Toktarov"


def test_an_administrator_without_a_position_may_not_sign(open_ws: OpenWs, case_id: str) -> None:
    admin = open_ws("admin")
    draft = LetterService(open_ws("aigul"), today=TODAY).draft(case_id, "employer_letter", "en")
    with pytest.raises(PermissionDenied, match="head of mission"):
        LetterService(admin, today=TODAY).approve(draft.id)
    assert LetterService(admin).get(draft.id).status == "draft"


def test_signature_details_are_checked(open_ws: OpenWs, installation: object) -> None:
    users = UserService(open_ws("aigul"))
    with pytest.raises(PermissionDenied):
        users.set_signature("serik", signature("Серік", "Serik"))
    with pytest.raises(ValidationError, match="Latin letters"):
        users.set_signature("aigul", signature("Айгүл", "Айгүл"))
    saved = users.set_signature("aigul", signature("Айгүл  Сәрсенбаева", "Aigul Sarsenbayeva"))
    assert saved.full_name == "Айгүл Сәрсенбаева" and saved.full_name_latin == "Aigul Sarsenbayeva"


def test_approver_is_warned_of_consent_script_and_state(open_ws: OpenWs, case_id: str) -> None:
    letters = LetterService(open_ws("aigul"), today=TODAY)
    fields = LetterFields(facts="По её словам, зарплата не выплачивается с июня.")
    draft = letters.draft(case_id, "note_verbale_labour_authority", "en", fields)
    warnings = letters.warnings(draft.id)
    assert any("No consent of the person is recorded" in w for w in warnings)
    assert any(w.startswith("The facts: text in another language") for w in warnings)
    clean = letters.draft(case_id, "note_verbale_labour_authority", "kk")
    assert not any("another language" in w for w in letters.warnings(clean.id))
    russian = letters.draft(
        case_id,
        "employer_letter",
        "kk",
        LetterFields(facts="Работодатель не платит и не отвечает."),
    )
    assert any("another language" in w for w in letters.warnings(russian.id))


def test_the_approver_of_a_letter_to_an_abusive_employer_is_warned_for_the_worker(
    open_ws: OpenWs, case_id: str
) -> None:
    """The fault: a letter telling an employer accused of violence that the worker had turned
    to the mission went for approval with no word of the danger to the worker."""
    letters = LetterService(open_ws("aigul"), today=TODAY)
    cases = CaseService(open_ws("aigul"), today=TODAY)
    warned = "this letter tells the employer that the worker has turned to the mission"
    draft = letters.draft(case_id, "employer_letter", "en")
    assert not any(warned in w for w in letters.warnings(draft.id))  # unpaid wages only
    cases.update_case(case_id, CaseChanges(categories=("unpaid_wages", "violence")))
    draft = letters.draft(case_id, "employer_letter", "en")
    (warning,) = [w for w in letters.warnings(draft.id) if warned in w]
    assert warning.startswith("The worker reports physical or psychological violence:")
    assert "make sure the worker is safe and agrees to it being sent" in warning
    # A note to the host's authorities is how such a case is raised: no such warning.
    note = letters.draft(case_id, "note_verbale_labour_authority", "en")
    assert not any(warned in w for w in letters.warnings(note.id))


def test_the_approver_is_asked_to_check_a_letter_saying_the_worker_is_missing_or_dead(
    open_ws: OpenWs, case_id: str
) -> None:
    """The fault: for a worker whose relatives cannot find him, an employer letter said he
    "has asked for the Embassy's assistance", a referral referred him and a certificate was
    issued "at the holder's request", and the approval said nothing of it. The letters now
    say who turned to the mission; the approver checks the case says so rightly."""
    letters = LetterService(open_ws("aigul"), today=TODAY)
    cases = CaseService(open_ws("aigul"), today=TODAY)
    warned = "this letter says that the worker is missing or has died"
    cases.update_case(case_id, CaseChanges(categories=("whereabouts_unknown",)))
    for kind in ("employer_letter", "referral", "assistance_certificate"):
        draft = letters.draft(case_id, kind, "en")
        (warning,) = [w for w in letters.warnings(draft.id) if warned in w]
        assert warning.startswith("The case's complaints include whereabouts unknown:"), kind
    note = letters.draft(case_id, "note_verbale_labour_authority", "en")
    assert not any(warned in w for w in letters.warnings(note.id))
    cases.update_case(case_id, CaseChanges(categories=("unpaid_wages",)))
    draft = letters.draft(case_id, "employer_letter", "en")
    assert not any(warned in w for w in letters.warnings(draft.id))


def test_the_demands_come_from_the_case(open_ws: OpenWs, case_id: str) -> None:
    letters = LetterService(open_ws("aigul"), today=TODAY)
    fields = letters.defaults(case_id, "employer_letter", "ru")
    assert fields.requests is not None
    items = fields.requests.splitlines()
    assert items[0] == "выплатить работнику 45\u00a0000\u00a0TRY (невыплаченная заработная плата)"
    assert not any("документ" in item for item in items)  # no documents were withheld
    assert items[-1].startswith("в течение 14 календарных дней")
    CaseService(open_ws("aigul"), today=TODAY).update_case(
        case_id, CaseChanges(categories=("unpaid_wages", "documents_withheld"), claims=())
    )
    items = (letters.defaults(case_id, "employer_letter", "ru").requests or "").splitlines()
    assert items[0] == "погасить задолженность по заработной плате перед работником"
    assert "вернуть работнику удерживаемые документы, удостоверяющие личность" in items


FEE = {"amount": "1500", "currency": "USD", "what": "recruitment_fee"}
FEE_DEMANDS = {
    "ru": ("1\u00a0500", "плата за трудоустройство", "взятую за трудоустройство"),
    "kk": ("1\u00a0500", "жұмысқа орналастыру ақысы", "алынған ақыны қайтаруды"),
    "en": ("1,500", "recruitment fee", "refund the fee"),
}


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_a_recruitment_fee_is_demanded_once_and_of_whoever_took_it(
    open_ws: OpenWs, case_id: str, lang: str
) -> None:
    """The fault: a recruitment-fee case with a USD 1,500 fee claim and the agency that took
    it gave an employer letter asking both «выплатить работнику 1 500 USD (плата за
    трудоустройство)» and «вернуть работнику плату, взятую за трудоустройство»."""
    cases, letters = CaseService(open_ws("aigul"), today=TODAY), LetterService(open_ws("aigul"))
    wages = {"amount": "45000", "currency": "TRY", "what": "wages"}
    categories = ("unpaid_wages", "recruitment_fees")
    cases.update_case(case_id, CaseChanges(categories=categories, claims=(wages, FEE)))

    def fee_demands() -> list[str]:
        requests = letters.defaults(case_id, "employer_letter", lang).requests or ""
        return [r for r in requests.splitlines() if any(w in r for w in FEE_DEMANDS[lang])]

    # No agency on the case: the employer took it, and is asked for it once, with the figure.
    (demand,) = fee_demands()
    assert FEE_DEMANDS[lang][0] in demand
    # Recruited through an agency: the fee is the agency's to refund, not the employer's.
    agency = cases.create_case(
        CaseInput(
            host_country="TR",
            categories=categories,
            received_at=TODAY,
            person=PersonInput(surname="Әбенов", given_names="Нұрлан"),
            agency=OrganisationInput(name="Uly Dala Horizon LLP", country="KZ", city="Almaty"),
            claims=(wages, FEE),
        )
    )
    case_id = agency.id
    assert fee_demands() == []
    requests = letters.defaults(case_id, "employer_letter", lang).requests or ""
    assert "45" in requests.splitlines()[0]  # the wages are still demanded, with their figure


def test_a_fee_claim_alone_leaves_the_wage_demand(open_ws: OpenWs, case_id: str) -> None:
    """The fault: any amount claimed, even a recruitment fee alone, dropped «погасить
    задолженность по заработной плате» from a case of unpaid wages."""
    cases, letters = CaseService(open_ws("aigul"), today=TODAY), LetterService(open_ws("aigul"))
    categories = ("unpaid_wages", "recruitment_fees")
    cases.update_case(case_id, CaseChanges(categories=categories, claims=(FEE,)))
    items = (letters.defaults(case_id, "employer_letter", "ru").requests or "").splitlines()
    assert items[:2] == [
        "выплатить работнику 1\u00a0500\u00a0USD (плата за трудоустройство)",
        "погасить задолженность по заработной плате перед работником",
    ]


def test_claims_round_trip_and_bad_input_is_refused() -> None:
    given = [
        {"amount": "6600000", "currency": "KRW", "what": "wages"}
        | {"period_from": "2026-06-01", "period_to": "2026-08-31"},
        {"amount": "1250.50", "currency": "usd", "what": "overtime"},
    ]
    stored = claims_json(given)
    # Trailing zeros are no minor units: a whole KRW amount written with them is taken.
    assert claims_json([{"amount": "1234567.00", "currency": "KRW", "what": "wages"}])
    assert stored[1] == {"amount": "1250.50", "currency": "USD", "what": "overtime"}
    assert claims_json(stored) == stored
    assert parse_claims(stored)[0] == Claim(
        Decimal("6600000"), "KRW", "wages", date(2026, 6, 1), date(2026, 8, 31)
    )
    wages = {"amount": "100", "currency": "KRW", "what": "wages"}
    for bad, message in (
        (wages | {"amount": "-5"}, "positive"),
        (wages | {"amount": "NaN"}, "positive"),
        (wages | {"amount": "abc"}, "number"),
        (wages | {"currency": "WON!"}, "ISO 4217"),
        (wages | {"what": "bribe"}, "Unknown kind"),
        (wages | {"period_from": "2026-08-31", "period_to": "2026-06-01"}, "ends before"),
        (wages | {"period_from": "2026-13-01"}, "YYYY-MM-DD"),
        # KRW has no minor unit (ISO 4217): a letter would have rounded it to 1 234 568.
        (wages | {"amount": "1234567.50"}, "KRW has no minor unit: .* not 1234567.50"),
        (wages | {"amount": "1.2345", "currency": "KWD"}, "at most 3 digits"),
        (wages | {"amount": "10.125", "currency": "USD"}, "at most 2 digits"),
    ):
        with pytest.raises(ValidationError, match=message):
            claims_json([bad])


def test_case_json_takes_claims_and_refuses_bad_ones(open_ws: OpenWs, installation: object) -> None:
    data = {
        "person": {"surname": "Әбенов", "given_names": "Нұрлан"},
        "host_country": "KR",
        "categories": ["unpaid_wages"],
        "claims": [{"amount": "100", "currency": "KRW", "what": "wages"}],
    }
    assert case_from_json(data).claims == ({"amount": "100", "currency": "KRW", "what": "wages"},)
    cases = CaseService(open_ws("aigul"), today=TODAY)
    before = snapshot(installation.data_dir)  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="must be a list"):
        case_from_json({**data, "claims": {"amount": "1"}})
    with pytest.raises(ValidationError, match="Unknown kind"):
        cases.create_case(
            CaseInput(
                host_country="KR",
                categories=("unpaid_wages",),
                received_at=TODAY,
                person=PersonInput(surname="Әбенов", given_names="Нұрлан"),
                claims=({"amount": "1", "currency": "KRW", "what": "gift"},),
            )
        )
    assert snapshot(installation.data_dir) == before  # type: ignore[attr-defined]


def test_approver_is_warned_of_characters_the_font_cannot_print(open_ws: OpenWs) -> None:
    """An employer's name typed in Hangul printed as nothing in the letter's PDF."""
    ws = open_ws("aigul")
    case = CaseService(ws).create_case(
        CaseInput(
            host_country="KR",
            categories=("unpaid_wages",),
            received_at=date(2026, 11, 2),
            person=PersonInput(surname="Нұрланова", given_names="Айгүл"),
            employer=OrganisationInput(name="대성금속 Daesung Metal", country="KR"),
        ),
        allow_duplicate_person=True,
    )
    letters = LetterService(ws, today=TODAY)
    draft = letters.draft(case.id, "employer_letter", "en", LetterFields(facts="Wages → unpaid."))
    warnings = letters.warnings(draft.id)
    hangul = [w for w in warnings if w.startswith("The employer's name: characters")]
    assert hangul and "금 대 성 속" in hangul[0] and "Latin or Cyrillic" in hangul[0]
    assert any(w.startswith("The facts: characters") and "→" in w for w in warnings)
    plain = letters.draft(
        case.id, "employer_letter", "kk", LetterFields(facts="Жалақы «төленбеді» — №5")
    )
    unprintable = [w for w in letters.warnings(plain.id) if "cannot print" in w]
    assert [w.split(": ")[0] for w in unprintable] == ["The employer's name"]  # «», —, № print


def test_a_letter_prints_no_login_and_no_empty_requisite(open_ws: OpenWs, case_id: str) -> None:
    """The fault: with no full name or phone recorded, the foot of a letter read «Исп.: aigul»
    and an empty «Тел.:», and the signature gave the consul's login."""
    admin = open_ws("admin")
    with admin.write() as session:
        session.execute(update(Mission).values(phone=""))
    letters = LetterService(open_ws("aigul"), today=TODAY)
    draft = letters.draft(case_id, "employer_letter", "ru")
    text = text_of(letters.render_preview(draft.id))
    assert "aigul" not in text and "serik" not in text
    assert "Исп.:" not in text and "Тел.:" not in text
    assert "Дело №" in text  # the rest of the foot stays
    warnings = letters.warnings(draft.id)
    assert any(w.startswith("serik has no full name recorded") for w in warnings)
    assert any(w.startswith("aigul, who drafted the letter, has no full name") for w in warnings)
    assert any(w.startswith("Neither the drafter nor the mission has a phone") for w in warnings)
    note = letters.draft(case_id, "note_verbale_labour_authority", "kk")
    assert "Орынд.:" not in text_of(letters.render_preview(note.id))
    # A note is unsigned: the missing name costs it the initials, and it has no executor.
    note_warnings = letters.warnings(note.id)
    assert any(w.startswith("serik has no full name recorded: the note") for w in note_warnings)
    assert not any("executor" in w for w in note_warnings)
    # The mission's phone stands in for the drafter's; a recorded name is printed.
    with admin.write() as session:
        session.execute(update(Mission).values(phone="+90 224 000 0000"))
    UserService(admin).set_signature("aigul", signature("Айгүл Сәрсенбаева", "Aigul Sarsenbaeva"))
    text = text_of(letters.render_preview(draft.id))
    assert "Исп.: Айгүл Сәрсенбаева" in text and "Тел.: +90 224 000 0000" in text
    english = text_of(letters.render_preview(letters.draft(case_id, "employer_letter", "en").id))
    assert "Contact: Aigul Sarsenbaeva, tel. +90 224 000 0000" in english
    assert not any("no full name" in w and "aigul" in w for w in letters.warnings(draft.id))
    assert not any(w.startswith("Neither the drafter") for w in letters.warnings(draft.id))


@pytest.mark.parametrize(
    ("amount", "currency", "lang", "printed"),
    [
        ("1234567.50", "KRW", "ru", "1\u00a0234\u00a0567,5\u00a0KRW"),
        ("1234567", "KRW", "en", "1,234,567\u00a0KRW"),
        ("1250.5", "USD", "kk", "1\u00a0250,50\u00a0USD"),
        ("1.234", "KWD", "en", "1.234\u00a0KWD"),
    ],
)
def test_an_amount_on_file_is_printed_as_recorded_never_rounded(
    amount: str, currency: str, lang: str, printed: str
) -> None:
    """A claim of 1 234 567,50 KRW recorded before entry refused it printed as 1 234 568 KRW:
    a demand for payment must say what the record says."""
    assert format_amount(Decimal(amount), currency, lang) == printed


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_note_verbale_carries_seal_and_initials_and_no_executor(
    open_ws: OpenWs, case_id: str, lang: str
) -> None:
    """The fault: a note verbale, unsigned and sealed, printed the executor block (name,
    phone, case number) of a signed letter at its foot."""
    admin = open_ws("admin")
    UserService(admin).set_signature("serik", signature("Серік Жақсыбеков", "Serik Zhaksybekov"))
    UserService(admin).set_signature("aigul", signature("Айгүл Сәрсенбаева", "Aigul Sarsenbaeva"))
    with admin.write() as session:  # the drafter's own phone, not the letterhead's
        session.execute(update(User).where(User.username == "aigul").values(phone="+90 532 1"))
    letters = LetterService(open_ws("aigul"), today=TODAY)
    note = letters.draft(case_id, "note_verbale_labour_authority", lang)
    text = text_of(letters.render_preview(note.id))
    assert {"kk": "М.О.", "ru": "М.П.", "en": "L.S."}[lang] in text
    assert {"kk": "С.Ж.", "ru": "С.Ж.", "en": "S.Z."}[lang] in text
    for part in ("Сәрсенбаева", "Sarsenbaeva", "+90 532 1", "Орынд.", "Исп.", "Contact"):
        assert part not in text  # the executor's name, phone and label
