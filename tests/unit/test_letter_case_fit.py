"""Letters that say only what the case says: a worker registered with little more than a name,
read back from the rendered PDF as the consul who signs it would read it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db.models import Case, Mission
from app.domain.iin import make_iin
from app.domain.kk_dates import kk_date_when, kk_period
from app.letters import LETTER_KINDS, Addressee
from app.letters.phrases import default_facts
from app.services.cases import CaseService
from app.services.letters import LetterFields, LetterService
from app.services.records import CaseChanges, CaseDetail, CaseInput, PersonInput
from app.services.workspace import Workspace
from tests.unit.test_letter_wording import LANGS, TODAY, flat, make_case, people, raw_text

__all__ = ["people"]  # the fixture, shared with the wording tests

MASCULINE_CITIZEN = re.compile(r"граждан(ин|ина|ину|ином|ине)\b")
FEMININE_CITIZEN = re.compile(r"гражданк(а|и|е|у|ой)\b")
CATEGORIES = ("unpaid_wages", "documents_withheld", "violence")
SEX_MISSING = "sex is not recorded"
# Words that give a sex in the English letters.
EN_GENDERED = re.compile(r"\b(Mr|Ms|he|she|him|his|her|hers)\b", re.IGNORECASE)
# Russian words that agree with the person's sex (the letters' own, not the names).
RU_GENDERED = re.compile(
    r"\b(обратил(ся|ась)|работающ(ий|ая|его|ей)|работавш(его|ей)|трудоустроен(а|ной|ного)?|"
    r"заявительниц\w*|заявител(ь|я|ем)|предъявител\w*|указанно(го|й) граждан\w*|"
    r"которо(го|й)|е(го|ё)|ему|ей|он|она|По (его|её) словам)\b"
)


def bare_case(people: dict[str, Workspace], surname: str, given_names: str) -> CaseDetail:
    """A case as a hurried intake leaves it: a name, the country, the complaints; no IIN, no
    sex, no employer, no agency."""
    return CaseService(people["aigul"], today=TODAY).create_case(
        CaseInput(
            host_country="TR",
            categories=CATEGORIES,
            received_at=date(2026, 11, 25),
            person=PersonInput(surname=surname, given_names=given_names),
        )
    )


def render(people: dict[str, Workspace], case_id: str, kind: str, lang: str) -> str:
    fields = LetterFields(addressee=Addressee("", "Migrant Workers Centre", "Ankara"))
    service = LetterService(people["aigul"], today=TODAY)
    return flat(raw_text(service.preview_for_case(case_id, kind, lang, fields)))


@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_a_woman_registered_without_iin_or_sex_is_a_woman_in_every_letter(
    people: dict[str, Workspace], kind: str
) -> None:
    """The fault: with neither the sex nor an IIN recorded, every letter took the masculine
    forms: «гражданин Республики Казахстан Ахметова Гүлнар обратился», «гражданина … Ахметова
    Гүлнара», «Mr Gulnar Akhmetova», «По его словам» — though her surname says she is a woman."""
    case = bare_case(people, "Ахметова", "Гүлнар")
    ru, en = render(people, case.id, kind, "ru"), render(people, case.id, kind, "en")
    assert not MASCULINE_CITIZEN.search(ru), ru
    assert "Ахметова Гүлнара" not in ru and "По его словам" not in ru, ru
    assert "Mr " not in en and "According to him" not in en, en
    if kind != "hq_case_report":  # the report names her without the word «гражданка»
        assert FEMININE_CITIZEN.search(ru), ru
    if kind != "assistance_certificate":  # the certificate states no facts
        assert "По её словам" in ru and "According to her" in en, (ru, en)


def test_an_english_letter_names_the_worker_of_no_known_sex_once_per_clause(
    people: dict[str, Workspace],
) -> None:
    """The fault: with no sex recorded, an English note said "According to the worker, the
    worker was dismissed without lawful grounds"."""
    case = bare_case(people, "Ли", "Саша")
    cases = CaseService(people["aigul"], today=TODAY)
    cases.update_case(case.id, CaseChanges(categories=("unjustified_dismissal", "violence")))
    for kind in ("note_verbale_labour_authority", "employer_letter", "referral"):
        en = render(people, case.id, kind, "en")
        assert "According to the complaint, the worker was dismissed without lawful" in en, en
        assert "the worker, the worker" not in en, en


def test_the_approver_is_told_only_when_no_name_says_the_sex(
    people: dict[str, Workspace],
) -> None:
    """The warning that the sex is not recorded stays for a name that says nothing (a Korean
    surname) and goes where the surname says it; a man's surname keeps "Mr"."""
    service = LetterService(people["aigul"], today=TODAY)
    warned = SEX_MISSING

    def warnings(case: CaseDetail) -> list[str]:
        return service.checks_for_case(case.id, "referral", "ru", LetterFields())

    assert not any(warned in w for w in warnings(bare_case(people, "Ахметова", "Гүлнар")))
    assert any(warned in w for w in warnings(bare_case(people, "Ким", "Алина")))
    man = bare_case(people, "Серікбаев", "Ерлан")
    assert not any(warned in w for w in warnings(man))
    en = render(people, man.id, "assistance_certificate", "en")
    assert "Mr " in en and "Ms " not in en, en


def test_a_surname_in_qyzy_or_uly_says_the_sex_when_nothing_else_does(
    people: dict[str, Workspace],
) -> None:
    """The fault: «Құрманғалиқызы Әсел» (a surname made of her father's name and -қызы, as
    many Kazakhs bear) registered with no sex or IIN was «гражданин … обратился», "Mr Assel
    Kurmangalikyzy", and the approver was told the name says nothing of the sex."""
    service = LetterService(people["aigul"], today=TODAY)
    woman = bare_case(people, "Құрманғалиқызы", "Әсел")
    ru = render(people, woman.id, "employer_letter", "ru")
    en = render(people, woman.id, "employer_letter", "en")
    assert FEMININE_CITIZEN.search(ru) and not MASCULINE_CITIZEN.search(ru), ru
    assert "Ms Asel Kurmangalikyzy" in en and "Mr " not in en, en
    checks = service.checks_for_case(woman.id, "referral", "ru", LetterFields())
    assert not any(SEX_MISSING in w for w in checks)
    man = bare_case(people, "Бауыржанұлы", "Санжар")
    assert "Mr Sanzhar Bauyrzhanuly" in render(people, man.id, "employer_letter", "en")
    # -ич is a surname of either sex (Бабич): it says nothing.
    checks = service.checks_for_case(
        bare_case(people, "Бабич", "Алина").id, "referral", "ru", LetterFields()
    )
    assert any(SEX_MISSING in w for w in checks)


AGENCY_CLAIMED = {
    "ru": "при посредничестве которого",
    "kk": "осы агенттіктің делдалдығымен",
    "en": "through which",
}
AGENCY_ASKED = {
    "ru": "Просим установить, была ли заявительница трудоустроена при посредничестве частного "
    "агентства занятости, и в таком случае проверить соблюдение агентством",
    "kk": "жұмысқа орналасқан-орналаспағанын анықтауды, ондай агенттік болса, оның Қазақстан",
    "en": "to establish whether a private employment agency placed her in employment and, if "
    "so, to verify",
}


@pytest.mark.parametrize("lang", LANGS)
def test_an_agency_report_on_a_case_without_an_agency_asserts_none(
    people: dict[str, Workspace], lang: str
) -> None:
    """The fault: on a case that names no agency, the report to the Ministry of Labour said
    that the worker "was placed in employment through the private employment agency" — an
    agency nobody named, a claim the case does not make — and asked it to check "the agency".
    Now it says the case does not record one and asks the Ministry to establish it; the
    approver is told why."""
    case = bare_case(people, "Ахметова", "Гүлнар")
    text = render(people, case.id, "agency_report", lang)
    assert AGENCY_CLAIMED[lang] not in text, text
    assert flat(AGENCY_ASKED[lang]) in text, text
    warnings = LetterService(people["aigul"], today=TODAY).checks_for_case(
        case.id, "agency_report", lang, LetterFields()
    )
    assert any("names no recruitment agency" in w for w in warnings)


def test_an_agency_report_names_the_agency_the_case_records(
    people: dict[str, Workspace],
) -> None:
    """With an agency on the case the report speaks of it by name, as before, unwarned."""
    case = make_case(people, "female", "KR")
    service = LetterService(people["aigul"], today=TODAY)
    for lang in LANGS:
        text = render(people, case.id, "agency_report", lang)
        assert "Uly Dala Horizon LLP" in text and AGENCY_CLAIMED[lang] in text, text
        warnings = service.checks_for_case(case.id, "agency_report", lang, LetterFields())
        assert not any("names no recruitment agency" in w for w in warnings)


NUMERIC_DATE = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")


@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_kazakh_letters_write_dates_in_words(people: dict[str, Workspace], kind: str) -> None:
    """The fault: Kazakh letters gave the birth date as «15.03.1994 ж. т.» (numbers and an
    abbreviation) and the period of an amount claimed as «01.06.2026–31.08.2026 кезеңіндегі»,
    where Kazakh official text writes «1994 жылғы 15 наурызда туған» and «2026 жылғы 1
    маусымнан 31 тамызға дейінгі кезеңдегі»."""
    case = make_case(people, "female", "KR")
    text = render(people, case.id, kind, "kk")
    assert not NUMERIC_DATE.search(text), NUMERIC_DATE.findall(text)
    assert "ж. т." not in text, text
    if kind not in ("employer_letter", "referral"):  # they are not given her birth date
        assert "1994 жылғы 15 наурызда туған" in text, text
    if kind != "assistance_certificate":  # the certificate states no claims
        assert "2026 жылғы 1 маусымнан 31 тамызға дейінгі кезеңдегі" in text, text


def test_a_kazakh_period_across_the_new_year_names_both_years() -> None:
    assert kk_period(date(2025, 11, 1), date(2026, 2, 28)) == (
        "2025 жылғы 1 қарашадан 2026 жылғы 28 ақпанға дейінгі"
    )
    assert kk_date_when(date(1991, 7, 12)) == "1991 жылғы 12 шілдеде"


THE_EMPLOYER_DOES = {
    "ru": ("работодатель не выплачивает ей", "Ваша компания не выплачивает ей заработную плату"),
    "kk": ("жұмыс беруші оған", "Сіздің компанияңыз оған жалақы төлемейді"),
    "en": ("the employer does not pay", "your company does not pay her wages"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_letter_to_the_employer_says_your_company(
    people: dict[str, Workspace], lang: str
) -> None:
    """The fault: the employer letter told the employer that "according to her, the employer
    does not pay her wages" — of itself, in the third person, as if to someone else. A letter
    to the employer says "your company"; the other letters keep "the employer"."""
    case = make_case(people, "female", "KR")
    third_person, second_person = THE_EMPLOYER_DOES[lang]
    text = render(people, case.id, "employer_letter", lang)
    assert second_person in text and third_person not in text, text
    assert third_person in render(people, case.id, "note_verbale_labour_authority", lang)


@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_a_person_whose_sex_nothing_tells_is_not_guessed_a_man(
    people: dict[str, Workspace], kind: str
) -> None:
    """The fault: «Ким Алина» with no sex, no IIN and a name that says nothing was «гражданин …
    обратился», «По его словам», "Mr Alina Kim … assist him". The letters now say "the worker"
    and Russian constructions that agree with no sex; the approver is told the sex is missing."""
    case = bare_case(people, "Ким", "Алина")
    ru, en = render(people, case.id, kind, "ru"), render(people, case.id, kind, "en")
    assert not MASCULINE_CITIZEN.search(ru) and not FEMININE_CITIZEN.search(ru), ru
    assert not RU_GENDERED.search(ru), (RU_GENDERED.findall(ru), ru)
    assert not EN_GENDERED.search(en), (EN_GENDERED.findall(en), en)
    if kind != "hq_case_report":
        assert "гражданство Республики Казахстан)" in ru, ru
    if kind != "assistance_certificate":  # the certificate states no facts
        assert "По словам работника" in ru and "According to the complaint" in en, (ru, en)
    service = LetterService(people["aigul"], today=TODAY)
    checks = service.checks_for_case(case.id, kind, "ru", LetterFields())
    assert any(SEX_MISSING in w and "masculine" not in w for w in checks), checks


def test_a_detained_worker_of_no_known_sex_is_detained_not_held_in_custody() -> None:
    """«Находится под стражей» is a court's measure of restraint; the complaint says only that
    the worker was detained, as the forms for a man and a woman («он задержан») do."""
    for sex, subject in (("male", "он задержан"), (None, "работник задержан")):
        facts = default_facts(("detention",), sex, "ru")
        assert subject in facts and "под стражей" not in facts, facts


# What the employer did to a worker who has since died: (the other kinds, the employer letter).
THE_EMPLOYER_DID = {
    "ru": (
        "работодатель не выплачивал ей заработную плату и удерживал её паспорт",
        "Ваша компания не выплачивала ей заработную плату и удерживала её паспорт",
    ),
    "kk": (
        "жұмыс беруші оған жалақы төлемеген және оның паспортын ұстап отырған",
        "Сіздің компанияңыз оған жалақы төлемеген және оның паспортын ұстап отырған",
    ),
    "en": (
        "the employer did not pay her wages and was holding her passport",
        "your company did not pay her wages and was holding her passport",
    ),
}
THE_EMPLOYER_DOES_NOW = {"ru": "не выплачивает", "kk": "төлемейді", "en": "does not pay"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_dead_workers_employer_is_told_of_in_the_past(
    people: dict[str, Workspace], lang: str
) -> None:
    """The fault: the case of a worker recorded dead still said «работодатель не выплачивает
    ей заработную плату» ("does not pay"), as if she were still at work. Every letter that
    tells the facts says what the employer did, in the past, agreeing with its subject
    («Ваша компания не выплачивала»)."""
    case = make_case(people, "female", "KR")
    changes = CaseChanges(
        categories=("death_repatriation", "unpaid_wages", "documents_withheld"), claims=()
    )
    CaseService(people["aigul"], today=TODAY).update_case(case.id, changes)
    service = LetterService(people["aigul"], today=TODAY)
    third_person, second_person = THE_EMPLOYER_DID[lang]
    for kind in ("note_verbale_labour_authority", "agency_report", "hq_case_report", "referral"):
        facts = service.defaults(case.id, kind, lang).facts or ""
        assert third_person in facts and THE_EMPLOYER_DOES_NOW[lang] not in facts, (kind, facts)
    letter = render(people, case.id, "employer_letter", lang)
    assert second_person in letter and THE_EMPLOYER_DOES_NOW[lang] not in letter, letter
    # A living worker's employer still does it now.
    assert THE_EMPLOYER_DOES_NOW[lang] in default_facts(("unpaid_wages",), "female", lang)


# What a partner, an employer and a certificate's reader are told of a worker under 18.
UNDER_18 = {
    "referral": {
        "ru": "Обращаем Ваше внимание, что ей не исполнилось 18 лет.",
        "kk": "Назар аударуыңызды сұраймыз: оған 18 жас толмаған.",
        "en": "Please note that she is under 18.",
    },
    "assistance_certificate": {
        "ru": "На дату выдачи справки ей не исполнилось 18 лет.",
        "kk": "Анықтама берілген күні оған 18 жас толмаған.",
        "en": "She is under 18 at the date of this certificate.",
    },
    "note_verbale_labour_authority": {
        "ru": "Посольство обращает внимание на то, что указанной гражданке не исполнилось 18 лет.",
        "kk": "Елшілік аталған азаматқа 18 жас толмағанына назар аударуды сұрайды.",
        "en": "The Embassy wishes to draw attention to the fact that she is under 18.",
    },
    # The employer, who most needs telling, is asked to keep to the host's law on young workers.
    "employer_letter": {
        "ru": "Обращаем Ваше внимание, что ей не исполнилось 18 лет. Просим обеспечить, чтобы её "
        "рабочее время и выполняемая работа отвечали требованиям законодательства Республики "
        "Корея о труде несовершеннолетних.",
        "kk": "Назар аударуыңызды сұраймыз: оған 18 жас толмаған. Оның жұмыс уақыты мен "
        "атқаратын жұмысы Корея Республикасының кәмелетке толмағандардың еңбегі туралы "
        "заңнамасының талаптарына сай болуын қамтамасыз етуіңізді өтінеміз.",
        "en": "Please note that she is under 18. We ask you to make sure that her working hours "
        "and work meet the requirements of the law of the Republic of Korea on the employment "
        "of minors.",
    },
    "agency_report": {
        "ru": "Обращаем внимание, что ей не исполнилось 18 лет.",
        "kk": "Назар аударуыңызды сұраймыз: оған 18 жас толмаған.",
        "en": "Please note that she is under 18.",
    },
}


@pytest.mark.parametrize("kind", sorted(UNDER_18))
def test_letters_say_the_worker_is_a_minor(people: dict[str, Workspace], kind: str) -> None:
    """The fault: a shelter, the host's ministry and Kazakhstan's were written to about a girl
    of 16, and a certificate made out for her, with nothing to say she was a child, for whom
    each acts differently (only HQ's report said it). Of an adult, nothing; of a dead child,
    nothing either."""
    child = make_case(people, "female", "KR", birth_date=date(2010, 4, 2), iin=None)
    adult = make_case(
        people, "male", "KR", iin=make_iin(date(1990, 5, 2), "male", 5127), passport_no="N55501234"
    )
    for lang in LANGS:
        assert UNDER_18[kind][lang] in render(people, child.id, kind, lang), lang
        assert " 18 " not in render(people, adult.id, kind, lang), lang
    CaseService(people["aigul"], today=TODAY).update_case(
        child.id, CaseChanges(categories=("death_repatriation", "unpaid_wages"))
    )
    assert " 18 " not in render(people, child.id, kind, "ru")


def add_ankara_embassy(session: Session) -> None:
    """The Embassy in Ankara, as HQ's missions table names it: a case's other mission."""
    session.add(
        Mission(
            code="ANK",
            country="TR",
            city="Ankara",
            name_kk="Қазақстан Республикасының Түркия Республикасындағы Елшілігі",
            name_ru="Посольство Республики Казахстан в Турецкой Республике",
            name_en="Embassy of the Republic of Kazakhstan in the Republic of Türkiye",
        )
    )


# A case HQ transferred here from the Embassy in Ankara: who the worker turned to, who issues.
TRANSFERRED = {
    "ru": (
        "обратилась в Посольство Республики Казахстан в Турецкой Республике за содействием",
        "Посольство Республики Казахстан в Турецкой Республике передало дело №",
    ),
    "kk": (
        "көмек сұрап Қазақстан Республикасының Түркия Республикасындағы Елшілігіне жүгінгенін",
        "Қазақстан Республикасының Түркия Республикасындағы Елшілігі №",
    ),
    "en": (
        "has applied to the Embassy of the Republic of Kazakhstan in the Republic of Türkiye for "
        "assistance",
        "The Embassy of the Republic of Kazakhstan in the Republic of Türkiye has transferred case",
    ),
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_certificate_on_a_transferred_case_says_who_issues_it_and_whence_it_came(
    people: dict[str, Workspace], lang: str
) -> None:
    """The fault: HQ transferred a case from the Embassy in Ankara to this one, and the
    certificate said the worker had turned to this mission. It now names the mission she
    turned to, that it transferred the case, and this one, which issues it, as assisting."""
    case = make_case(people, "female", "KR")
    plain = render(people, case.id, "assistance_certificate", lang)
    with people["admin"].write() as session:
        here = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
        add_ankara_embassy(session)
        session.execute(update(Case).where(Case.id == case.id).values(transferred_from="ANK"))
        this_mission = {"kk": here.name_kk, "ru": here.name_ru, "en": here.name_en}[lang]
    applied, transferred = TRANSFERRED[lang]
    text = render(people, case.id, "assistance_certificate", lang)
    assert applied in text and transferred in text, text
    assert this_mission in text  # the issuer, named as the one assisting and receiving
    assert "Түркия" not in plain and "Турецкой" not in plain and "Türkiye" not in plain
