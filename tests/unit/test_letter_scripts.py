"""The check before approval for text in another language than the letter's."""

from __future__ import annotations

from datetime import date

import pytest

from app.letters import LETTER_KINDS
from app.services.letters import LetterFields, LetterService
from app.services.records import OrganisationInput, PersonInput
from app.services.users import SignatureDetails, UserService
from tests.builders import wage_case
from tests.conftest import OpenWs

TODAY = date(2026, 12, 1)
ANOTHER_LANGUAGE = "text in another language"


@pytest.fixture
def letters(open_ws: OpenWs) -> tuple[LetterService, str]:
    """A mission whose consul and attaché have Kazakh names, and a case of a Turkish employer."""
    UserService(open_ws("admin")).set_signature(
        "serik", SignatureDetails("Серік Жұмабаев", "Serik Zhumabayev", "Консул", "Консул", "")
    )
    aigul = open_ws("aigul")
    UserService(aigul).set_signature(
        "aigul", SignatureDetails("Айгүл Сәрсенбаева", "Aigul Sarsenbayeva", "", "", "")
    )
    worker = PersonInput(
        surname="Нұрланова",
        given_names="Айгүл",
        surname_latin="NURLANOVA",
        given_names_latin="AIGUL",
        iin="940315400123",
    )
    case = wage_case(
        aigul,
        worker,
        date(2026, 11, 2),
        host_country="TR",
        today=TODAY,
        employer=OrganisationInput(name="Yıldız Lojistik", country="TR", city="Bursa"),
        claims=({"amount": "45000", "currency": "TRY", "what": "wages"},),
    )
    return LetterService(aigul, today=TODAY), case.id


def script_warnings(
    letters: LetterService, case_id: str, kind: str, lang: str, **fields: str
) -> list[str]:
    draft = letters.draft(case_id, kind, lang, LetterFields(**fields) if fields else None)  # type: ignore[arg-type]
    return [w for w in letters.warnings(draft.id) if ANOTHER_LANGUAGE in w]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_correct_letter_signed_by_kazakh_named_staff_gets_no_warning(
    letters: tuple[LetterService, str], lang: str
) -> None:
    """The fault: «The signatory has text in another language … «Консул Серік Жұмабаев»» (and
    the executor's name) on every Russian letter of a mission with Kazakh-named staff."""
    service, case_id = letters
    for kind in LETTER_KINDS:
        assert script_warnings(service, case_id, kind, lang) == [], kind


@pytest.mark.parametrize(
    ("lang", "facts", "passage"),
    [
        # The fault: ru and kk letters were never checked for Latin script.
        ("ru", "The employer has not paid her wages since June.", "The employer"),
        ("kk", "Жұмыс беруші маусымнан бері жалақы төлемейді. He keeps her passport.", "keeps"),
        ("ru", "Maaş ödenmedi, işveren pasaportu tutuyor.", "ödenmedi"),
        # The fault: a kk letter flagged Russian only with three listed function words.
        ("kk", "Работодатель держит паспорт и отказывается его вернуть.", "Работодатель"),
        ("en", "Wages unpaid; по её словам, since June.", "по её словам"),
    ],
)
def test_text_in_another_language_is_found(
    letters: tuple[LetterService, str], lang: str, facts: str, passage: str
) -> None:
    """The fault: English or Turkish facts in a ru/kk letter, and a Russian sentence with two
    function words in a kk letter, passed unwarned; the English message read "The facts has"."""
    service, case_id = letters
    warnings = script_warnings(service, case_id, "employer_letter", lang, facts=facts)
    assert len(warnings) == 1 and passage in warnings[0]
    assert warnings[0].startswith("The facts: text in another language than the letter's: «")


@pytest.mark.parametrize(
    ("lang", "facts"),
    [
        ("ru", "Работник связывался с работодателем через WhatsApp, e-mail: info@yildiz.com.tr"),
        ("ru", "Сумма требований: 45 000 TRY; см. ст. 32 Закона № 4857 и Конвенцию МОТ C095."),
        ("kk", "Не болды? Жалақы төленбеді, паспорт жұмыс берушіде."),
        ("kk", "Ол он күн бойы жұмыс істеді, бірақ жалақы алмады."),
    ],
)
def test_names_codes_and_kazakh_homographs_are_not_foreign(
    letters: tuple[LetterService, str], lang: str, facts: str
) -> None:
    """A brand, an address, a currency code and Kazakh words spelled like Russian ones («не»,
    «он») are no other language: a warning on them would be one on correct letters."""
    service, case_id = letters
    assert script_warnings(service, case_id, "employer_letter", lang, facts=facts) == []
