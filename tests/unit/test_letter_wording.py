"""Letters an embassy can send unedited: every kind × language for a woman and a man in three
host countries, read back from the issued PDF.

Golden texts: ``tests/golden/letters/<kind>.<lang>.txt`` hold the text of each kind and
language for the woman in the Republic of Korea, so every change of wording shows in review.
Regenerate them with ``QORGAU_UPDATE_GOLDEN=1`` (and ``QORGAU_LETTER_PDFS=DIR`` to keep the
PDFs, e.g. for the PNGs in docs/letters).
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.agreements import Library, load_library
from app.db.models import Case, Mission, User
from app.domain.iin import make_iin
from app.i18n import set_language
from app.letters import LETTER_KINDS, Addressee
from app.letters.states import state_name, state_name_en_bare
from app.services.agreements import AgreementService, sync_library
from app.services.cases import CaseService
from app.services.letters import LetterFields, LetterService, postal_address
from app.services.partners import PartnerInput, PartnerService
from app.services.records import (
    CaseChanges,
    CaseDetail,
    CaseInput,
    OrganisationInput,
    PersonInput,
)
from app.services.workspace import Workspace
from tests.builders import (
    hanil_steel_case,
    register_row_case,
    with_a_provision_in_the_qatar_agreement,
    with_provision_of_the_signed_tajik_agreement,
)
from tests.conftest import OpenWs

TODAY = date(2026, 12, 1)
LANGS = ("kk", "ru", "en")
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "letters"
EMPLOYERS = {"KR": "Daesung Precision Co., Ltd", "TR": "Yıldız Lojistik", "AE": "Gulf Star LLC"}
CONSUL = ("Консул", "Консул", "Consul")
CURRENCY = {"KR": "KRW", "TR": "TRY", "AE": "AED"}
# CLDR's short names, which a letter must never print (DOMAIN.md, "Language and typography").
CLDR_SHORT = {
    "KR": ("Южная Корея", "Оңтүстік Корея", "South Korea"),
    "TR": ("Турция,", "Turkey"),
    "AE": ("ОАЭ", "БАӘ"),
}
BRACKETED = re.compile(r"\w\((а|ая|ка|ку|ки|ой|ей|ла|лась|ась|ся|на|ну|ы|ему|ей|его|ее|её)\)")
KAZAKH_ONLY = re.compile(r"[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
RUSSIAN_WORDS = re.compile(r"(?<!\w)(гражданин|гражданка|работодатель|что|просим|Посольство)(?!\w)")


def raw_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


@pytest.fixture
def people(open_ws: OpenWs) -> dict[str, Workspace]:
    admin = open_ws("admin")
    with admin.write() as session:
        for username, name, latin, positions in (
            (
                "serik",
                "Серік Болатұлы Жақсыбеков",
                "Serik Zhaksybekov",
                ("Консул", "Консул", "Consul"),
            ),
            ("aigul", "Айгүл Сәрсенбаева", "Aigul Sarsenbayeva", ("", "", "")),
            ("admin", "Асқар Тоқтаров", "Askar Toktarov", ("", "", "")),
        ):
            user = session.execute(select(User).where(User.username == username)).scalar_one()
            user.full_name, user.full_name_latin, user.phone = name, latin, "+82 2 000 0002"
            user.position_kk, user.position_ru, user.position_en = positions
        mission = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
        mission.city_kk = mission.city_ru = "Сеул"
        mission.city = "Seoul"
    return {name: open_ws(name) for name in ("aigul", "serik", "admin")}


FULL_CONSENT = (
    "case_handling",
    "share_host_authorities",
    "share_hq",
    "share_partners",
    "cross_border",
)


def make_case(
    people: dict[str, Workspace],
    sex: str,
    country: str,
    consent: tuple[str, ...] = FULL_CONSENT,
    **person_changes: str,
) -> CaseDetail:
    female = sex == "female"
    person = PersonInput(
        surname="Нұрланова" if female else "Әбенов",
        given_names="Айгүл" if female else "Нұрлан",
        patronymic="Серікқызы" if female else "Серікұлы",
        surname_latin="NURLANOVA" if female else "ABENOV",
        given_names_latin="AIGUL" if female else "NURLAN",
        iin="940315400123" if female else make_iin(date(1990, 5, 2), "male", 4411),
        birth_date=date(1994, 3, 15) if female else date(1990, 5, 2),
        passport_no="N12345678" if female else "N87654321",
        consent_date=date(2026, 11, 2),
        consent_scope=consent,
    )
    person = dataclasses.replace(person, **person_changes)
    categories = (
        ("unpaid_wages", "documents_withheld") if female else ("excessive_hours", "no_contract")
    )
    claim = (
        {"amount": "6600000", "currency": CURRENCY[country], "what": "wages"}
        if female
        else {"amount": "1250", "currency": CURRENCY[country], "what": "overtime"}
    )
    claim |= {"period_from": "2026-06-01", "period_to": "2026-08-31"}
    return CaseService(people["aigul"], today=TODAY).create_case(
        CaseInput(
            host_country=country,
            categories=categories,
            received_at=date(2026, 11, 2),
            person=person,
            employer=OrganisationInput(name=EMPLOYERS[country], country=country, city="Capital"),
            agency=OrganisationInput(name="Uly Dala Horizon LLP", country="KZ", city="Almaty"),
            description="Үш ай бойы жалақы төленбеген; паспорт жұмыс берушіде.",
            claims=(claim,),
        )
    )


def issue(people: dict[str, Workspace], case_id: str, kind: str, lang: str) -> bytes:
    fields = LetterFields()
    if kind == "referral":  # the case has no referral on file: the officer names the partner
        fields = LetterFields(addressee=Addressee("", "Migrant Workers Centre", "Seoul"))
    draft = LetterService(people["aigul"], today=TODAY).draft(case_id, kind, lang, fields)
    LetterService(people["serik"], today=TODAY).approve(draft.id)
    info = LetterService(people["aigul"], today=TODAY).issue(draft.id)
    return LetterService(people["aigul"], today=TODAY).pdf(info.id)


def check_letter(text: str, kind: str, lang: str, sex: str, country: str, number: str) -> None:
    female = sex == "female"
    where = f"{kind}/{lang}/{sex}/{country}"
    body = flat(text)
    assert not BRACKETED.search(body), where
    # «№ 12», «24 ноября», «С.Б. Жақсыбеков» never break across lines (hard spaces).
    assert not re.search(r"(№|No\.|ст\.|С\.Б\.|S\.B\.)[ \u00a0]*\n", text), where
    assert not re.search(r"\d[ \u00a0]*\n[ \u00a0]*(г\.|жылғы)", text), where
    assert number in body, where
    for short in CLDR_SHORT[country]:
        assert short not in body, (where, short)
    if kind in ("note_verbale_labour_authority", "employer_letter"):
        forms = {state_name(country, lang, case) for case in ("nom", "gen", "loc")}  # type: ignore[arg-type]
        forms.add(state_name_en_bare(country))
        assert any(flat(form) in body for form in forms), where
    if lang == "ru":
        woman, man = r"гражданк(а|и|е|у|ой)\b", r"граждан(ин|ина|ину|ином|ине)\b"
        noun, other = (woman, man) if female else (man, woman)
        if kind != "hq_case_report":
            assert re.search(noun, body), where
        assert not re.search(other, body), where
        if kind == "note_verbale_labour_authority":  # the genitive after «прав»
            surname = "Нұрлановой Айгүл Серікқызы" if female else "Әбенова Нұрлана Серікұлы"
            assert surname in body, where
        text_without_names = body
        for name in ("Нұрланов", "Айгүл", "Серікқызы", "Әбенов", "Нұрлан", "Серікұлы"):
            text_without_names = text_without_names.replace(name, "")
        for name in ("Жақсыбеков", "Сәрсенбаева", "Қазақстан"):
            text_without_names = text_without_names.replace(name, "")
        leftovers = KAZAKH_ONLY.findall(text_without_names)
        assert not leftovers, (where, leftovers)
    if lang == "en":
        assert not CYRILLIC.search(body), (where, CYRILLIC.findall(body)[:5])
    if lang == "kk":
        assert not RUSSIAN_WORDS.search(body), (where, RUSSIAN_WORDS.findall(body))
    if kind == "note_verbale_labour_authority":
        state = state_name(country, lang, "gen")
        ministry = {
            "ru": f"свидетельствует своё уважение Министерству иностранных дел {state}",
            "kk": f"{state} Сыртқы істер министрлігіне өзінің құрметін",
            "en": f"presents its compliments to the Ministry of Foreign Affairs of {state}",
        }[lang]
        assert ministry in body, where
    else:  # the consul approved and signs, with the position in the letter's language
        signer = "Consul S. Zhaksybekov" if lang == "en" else "Консул С.Б. Жақсыбеков"
        assert signer in body, where
        assert "Тоқтаров" not in body and "Toktarov" not in body, where
    if kind == "employer_letter":
        money = {"ru": "6 600 000", "kk": "6 600 000", "en": "6,600,000"}[lang]
        assert (money in body) == female, where
        documents = {
            "ru": "удерживаемые документы",
            "kk": "құжаттарын өзіне қайтаруды",
            "en": "identity documents",
        }
        assert (documents[lang] in body) == female, where
        contract = {"ru": "трудовой договор", "kk": "еңбек шартын", "en": "employment contract"}
        assert (contract[lang] in body) == (not female), where
        for dangling in ("иные указанные нарушения", "өзге де бұзушылықтар", "other breaches"):
            assert dangling not in body, where
        # The employer needs no identity numbers (personal data minimised).
        assert "N12345678" not in body and "N87654321" not in body, where
        assert "940315400123" not in body, where
    if kind == "hq_case_report":
        numbers = re.findall(r"(?m)^(\d)\. ", text)
        assert numbers == [str(n) for n in range(1, len(numbers) + 1)], where


# A test per language, not a loop over the three: xdist spreads 18 tests of six letters over
# its workers (six tests of 18 letters each were among the suite's longest).
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("country", ["KR", "TR", "AE"])
@pytest.mark.parametrize("sex", ["female", "male"])
def test_every_kind_and_language_reads_as_sent(
    people: dict[str, Workspace], sex: str, country: str, lang: str
) -> None:
    case = make_case(people, sex, country)
    for kind in LETTER_KINDS:
        pdf = issue(people, case.id, kind, lang)
        text = raw_text(pdf)
        number = LetterService(people["aigul"]).list_letters()[0].outgoing_number or ""
        check_letter(text, kind, lang, sex, country, number)


@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_golden_text_per_kind_and_language(people: dict[str, Workspace], kind: str) -> None:
    case = make_case(people, "female", "KR")
    update = os.environ.get("QORGAU_UPDATE_GOLDEN") == "1"
    pdf_dir = os.environ.get("QORGAU_LETTER_PDFS")
    for lang in LANGS:
        pdf = issue(people, case.id, kind, lang)
        text = raw_text(pdf).replace("\u00a0", "\u2423")  # a visible mark for each hard space
        golden = GOLDEN / f"{kind}.{lang}.txt"
        if pdf_dir:
            Path(pdf_dir).mkdir(parents=True, exist_ok=True)
            (Path(pdf_dir) / f"{kind}.{lang}.pdf").write_bytes(pdf)
        if update:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(text + "\n", encoding="utf-8")
        assert golden.exists(), f"run with QORGAU_UPDATE_GOLDEN=1 to create {golden.name}"
        assert text + "\n" == golden.read_text(encoding="utf-8"), golden.name


def test_a_referral_claims_consent_only_when_the_recorded_consent_covers_it(
    people: dict[str, Workspace],
) -> None:
    """The fault: a referral printed «Направление выдано с согласия заявительницы» / "This
    referral is made with her consent" while the app warned that the person's recorded
    consent does not cover referral to partner organisations. Nor may it when the partner is
    abroad and the consent does not cover the transfer abroad."""
    said = {"ru": "Направление выдано с согласия", "kk": "келісімімен", "en": "consent"}
    without = make_case(people, "female", "KR", consent=("case_handling",))
    with_consent = make_case(people, "male", "KR")
    not_abroad = make_case(
        people,
        "male",
        "KR",
        consent=("case_handling", "share_partners"),
        iin=make_iin(date(1990, 5, 2), "male", 5127),
        surname="Сейітов",
        surname_latin="SEIITOV",
        passport_no="N55501234",
    )
    letters = LetterService(people["aigul"], today=TODAY)
    for lang in LANGS:
        assert said[lang] not in flat(raw_text(issue(people, without.id, "referral", lang)))
        assert said[lang] in flat(raw_text(issue(people, with_consent.id, "referral", lang)))
        assert said[lang] not in flat(raw_text(issue(people, not_abroad.id, "referral", lang)))
    draft = letters.draft(without.id, "referral", "ru", LetterFields(facts="По её словам, …"))
    assert any("consent does not cover" in w for w in letters.warnings(draft.id))


def test_a_standard_the_host_has_not_ratified_is_worded_as_one(
    people: dict[str, Workspace],
) -> None:
    """The fault: ILO C189, which Korea has not ratified (``applicable()`` says it is a
    standard there), cited on a KR case, was listed in the note among the provisions the
    Embassy draws attention to, like the binding C029 beside it."""
    case = make_case(people, "female", "KR")
    agreements = AgreementService(people["aigul"])
    for slug, article in (("ilo-c029", "art-2-1"), ("ilo-c189", "art-9")):
        (provision,) = [p for p in agreements.get(slug).provisions if p.slug == article]
        agreements.cite(case.id, provision.id)
    intros = {
        "ru": (
            "обратить внимание на следующие положения:",
            "Международные стандарты, в том числе перечисленные ниже, предусматривают:",
        ),
        "kk": (
            "мына ережелерге назар аударуды жөн санайды:",
            "Халықаралық стандарттарда, оның ішінде төменде аталғандарында, мыналар көзделген:",
        ),
        "en": (
            "would draw attention to the following provisions:",
            "International standards, including those below, provide:",
        ),
    }
    for lang in LANGS:
        body = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", lang)))
        law, standards = (body.index(intro) for intro in intros[lang])
        assert law < standards, lang
        assert "29" in body[law:standards] and "189" not in body[law:standards], lang  # binds
        assert "189" in body[standards:], lang  # a standard in Korea


def test_a_state_missing_from_the_table_is_never_left_undeclined(
    people: dict[str, Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault: Poland, not in the states table, printed «Министерству иностранных дел
    Польша», «в Польша». A word for "state" now takes the case before CLDR's name, which stays
    in the nominative; the approver is still warned that the name is not the official one."""
    monkeypatch.setitem(EMPLOYERS, "PL", "Budowa Sp. z o.o.")
    monkeypatch.setitem(CURRENCY, "PL", "PLN")
    monkeypatch.setitem(CLDR_SHORT, "PL", ())
    case = make_case(people, "female", "PL")
    said = {
        "ru": ("Министерству иностранных дел государства Польша", "в государстве Польша"),
        "kk": ("Польша мемлекетінің Сыртқы істер министрлігіне", "Польша мемлекетінде"),
    }
    for lang, forms in said.items():
        note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", lang)))
        assert all(form in note for form in forms), lang
        assert "дел Польша" not in note and "в Польша" not in note
    letters = LetterService(people["aigul"], today=TODAY)
    draft = letters.draft(case.id, "employer_letter", "ru", LetterFields(facts="По её словам, …"))
    assert any("PL has no official name" in w for w in letters.warnings(draft.id))


def test_governments_get_binding_treaties_employers_only_what_binds_them(
    people: dict[str, Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(EMPLOYERS, "KG", "Ala-Too Stroi LLC")
    monkeypatch.setitem(CURRENCY, "KG", "KGS")
    case = make_case(people, "female", "KG")
    note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", "en")))
    employer = flat(raw_text(issue(people, case.id, "employer_letter", "en")))
    # The note cites instruments in force between Kazakhstan and the Kyrgyz Republic ...
    assert "would draw attention to the following provisions:" in note
    # ... the employer, whom treaties between states do not bind, gets none of them.
    assert "provisions" not in employer and "Agreement" not in employer
    assert "Kyrgyz Republic" in note and "Kyrgyz Republic" in employer


def test_an_employer_letter_lists_no_fee_an_agency_took_as_owed_by_the_employer(
    people: dict[str, Workspace],
) -> None:
    """The fault: on a case recruited through an agency, with a USD 1,500 recruitment-fee
    claim, the employer letter no longer demanded the fee but its facts still listed it in
    «Сумма требований работника: … 1 500 USD (плата за трудоустройство)», so the employer read
    that they owed it. The agency report to the Ministry keeps the fee; without an agency the
    employer took it and the employer letter lists and demands it."""
    fee = {"amount": "1500", "currency": "USD", "what": "recruitment_fee"}
    wages = {"amount": "6600000", "currency": "KRW", "what": "wages"}
    fee_figure = {"ru": "1 500 USD", "kk": "1 500 USD", "en": "1,500 USD"}
    wage_figure = {"ru": "6 600 000 KRW", "kk": "6 600 000 KRW", "en": "6,600,000 KRW"}
    case = make_case(people, "female", "KR")  # recruited through Uly Dala Horizon LLP
    cases = CaseService(people["aigul"], today=TODAY)
    categories = ("unpaid_wages", "recruitment_fees")
    cases.update_case(case.id, CaseChanges(categories=categories, claims=(wages, fee)))
    for lang in LANGS:
        employer = flat(raw_text(issue(people, case.id, "employer_letter", lang)))
        assert wage_figure[lang] in employer, lang
        assert fee_figure[lang] not in employer, lang
        report = flat(raw_text(issue(people, case.id, "agency_report", lang)))
        assert fee_figure[lang] in report, lang
    cases.update_case(case.id, CaseChanges(clear_agency=True))
    for lang in LANGS:
        employer = flat(raw_text(issue(people, case.id, "employer_letter", lang)))
        assert employer.count(fee_figure[lang]) == 2, lang  # in the facts and the requests


def without_entry_into_force(slug: str) -> Library:
    """The shipped library, with ``slug`` in force but its date of entry into force unknown."""
    library = load_library()
    instruments = tuple(
        dataclasses.replace(i, in_force_on=None) if i.id == slug else i for i in library.instruments
    )
    return dataclasses.replace(library, instruments=instruments)


def test_the_approver_is_told_a_cited_instrument_s_date_of_entry_into_force_is_not_known(
    people: dict[str, Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault: a note citing an instrument "in force" whose date of entry into force no
    source gave went to approval with nothing said; the approver could not tell that nobody
    had checked since when it applies."""
    monkeypatch.setitem(EMPLOYERS, "KG", "Ala-Too Stroi LLC")
    monkeypatch.setitem(CURRENCY, "KG", "KGS")
    sync_library(people["admin"], without_entry_into_force("eaeu-treaty-2014"))
    case = make_case(people, "female", "KG")
    letters = LetterService(people["aigul"], today=TODAY)
    draft = letters.draft(case.id, "note_verbale_labour_authority", "en")
    (warning,) = [w for w in letters.warnings(draft.id) if "entry into force" in w]
    assert "Treaty on the Eurasian Economic Union" in warning
    sync_library(people["admin"], load_library())  # dated again: no warning
    assert not any("entry into force" in w for w in letters.warnings(draft.id))


def test_the_approver_is_told_of_unverified_provisions_the_letter_cites(
    people: dict[str, Workspace],
) -> None:
    """The fault: an employer letter printed "(unverified)" beside a provision of the host's
    law, and nothing told the officer approving it; a letter citing none is not warned. An
    employer letter now leaves an unchecked provision out, and the approver is told which and
    why."""
    case = make_case(people, "female", "TR")
    service = LetterService(people["aigul"], today=TODAY)
    employer = service.draft(case.id, "employer_letter", "en")
    (warned,) = [w for w in service.warnings(employer.id) if "not yet checked" in w]
    assert "leaves out provisions" in warned and "cites only checked law" in warned
    assert "Minimum Wage Determination Commission" in warned
    letter = flat(raw_text(issue(people, case.id, "employer_letter", "en")))
    assert "(unverified)" not in letter and "Minimum Wage" not in letter
    # Türkiye is a party to the UN migrant workers' convention: its Art. 21 (no one but an
    # official may confiscate a migrant's documents) binds it, and is cited unverified.
    certificate = service.draft(case.id, "assistance_certificate", "en")
    (warned,) = [w for w in service.warnings(certificate.id) if "not yet checked" in w]
    assert "marked “unverified”" in warned
    assert "Members of Their Families of 18 December 1990, Art. 21." in warned
    other = make_case(people, "male", "TR")  # hours and no contract: nothing unverified
    certificate = service.draft(other.id, "assistance_certificate", "en")
    assert not any("not yet checked" in w for w in service.warnings(certificate.id))


def test_an_employer_letter_cites_the_checked_law_on_the_complaint_by_what_it_is_about(
    people: dict[str, Workspace],
) -> None:
    """The fault: a Korean employer owing wages was reminded of the Labor Standards Act,
    Art. 55 (weekly rest), which the table cites only for the monthly minimum wage; Arts. 50
    and 53 were both "working hours", though Art. 53 caps overtime."""
    wages = make_case(people, "female", "KR")  # unpaid wages, passport kept
    service = LetterService(people["aigul"], today=TODAY)
    draft = service.draft(wages.id, "employer_letter", "en")
    (left_out,) = [w for w in service.warnings(draft.id) if "leaves out provisions" in w]
    assert "Minimum Wage Act" in left_out and "Art. 55" not in left_out
    hours = make_case(people, "male", "KR")  # excessive hours, no contract
    letter = flat(raw_text(issue(people, hours.id, "employer_letter", "en")))
    assert "Labor Standards Act, Art. 50: working hours" in letter
    assert "Labor Standards Act, Art. 53: limit on overtime work" in letter
    assert "Art. 55" not in letter and "(unverified)" not in letter  # weekly rest: unchecked
    draft = service.draft(hours.id, "employer_letter", "ru")
    (left_out,) = [w for w in service.warnings(draft.id) if "leaves out provisions" in w]
    # Weekly rest bears on the hours, but is not checked; named as the screen reads, in English.
    assert "Art. 55" in left_out and "ст. 55" not in left_out
    russian = flat(raw_text(issue(people, hours.id, "employer_letter", "ru")))
    assert "ст. 50: рабочее время" in russian and "ст. 53: рабочее время" not in russian


def test_a_note_on_unpaid_wages_cites_the_host_law_on_paying_them_marked_unverified(
    people: dict[str, Workspace],
) -> None:
    """The fault: a note verbale on a Korean worker's unpaid wages cited no law at all (no
    treaty binds Korea on them, and the host table had nothing on paying wages). It now cites
    the Labor Standards Act's Art. 43 in each language, marked unverified (read in a
    translation), and the approver is told; an employer letter, which cites only checked law,
    leaves it out and says so."""
    case = make_case(people, "female", "KR")  # unpaid wages, passport kept
    article = {"kk": "43-бап", "ru": "ст. 43", "en": "Art. 43"}
    marker = {"kk": "(тексерілмеген)", "ru": "(не проверено)", "en": "(unverified)"}
    service = LetterService(people["aigul"], today=TODAY)
    for lang in LANGS:
        note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", lang)))
        # "Labor Standards Act, Art. 43: …", "…(Labor Standards Act), ст. 43: …", up to the next.
        cited = re.search(rf"Labor Standards Act\)?, {re.escape(article[lang])}: [^•]*", note)
        assert cited is not None, lang
        assert marker[lang] in cited.group(0), (lang, cited.group(0))
    draft = service.draft(case.id, "note_verbale_labour_authority", "en")
    (warned,) = [w for w in service.warnings(draft.id) if "not yet checked" in w]
    assert "Labor Standards Act, Art. 43" in warned and "marked “unverified”" in warned
    employer = flat(raw_text(issue(people, case.id, "employer_letter", "en")))
    assert "Art. 43" not in employer and "(unverified)" not in employer
    draft = service.draft(case.id, "employer_letter", "en")
    (left_out,) = [w for w in service.warnings(draft.id) if "leaves out provisions" in w]
    assert "Labor Standards Act, Art. 43" in left_out and "Art. 109" in left_out


@pytest.mark.parametrize(("country", "article"), [("KR", "Art. 37"), ("RU", "Art. 142")])
def test_letters_on_late_wages_cite_korea_s_interest_and_russia_s_right_to_stop_work(
    people: dict[str, Workspace], monkeypatch: pytest.MonkeyPatch, country: str, article: str
) -> None:
    """The table lacked the two provisions a worker owed wages most needs: Korea's interest on
    late wages (Labor Standards Act Art. 37) and Russia's right to suspend work after more than
    15 days' delay (Labour Code Art. 142). A note verbale on unpaid wages now cites each, marked
    unverified; an employer letter, which cites only checked law, leaves it out and its
    approver is told."""
    monkeypatch.setitem(EMPLOYERS, "RU", "Stroitel LLC")
    monkeypatch.setitem(CURRENCY, "RU", "RUB")
    service = LetterService(people["aigul"], today=TODAY)
    case = make_case(people, "female", country)  # unpaid wages, passport kept
    note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", "en")))
    cited = re.search(rf"{re.escape(article)}: [^•]*", note)
    assert cited is not None and "(unverified)" in cited.group(0), note[-900:]
    employer = flat(raw_text(issue(people, case.id, "employer_letter", "en")))
    assert article not in employer
    draft = service.draft(case.id, "employer_letter", "en")
    (left_out,) = [w for w in service.warnings(draft.id) if "leaves out provisions" in w]
    assert article in left_out


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("in_progress", ("is assisting her", "оказывает ей содействие", "көмек көрсетіп жатқанын")),
        ("closed", ("has assisted her", "оказало ей содействие", "көмек көрсеткенін")),
        ("rejected", ("for assistance (case", "за содействием (дело", "көмек сұрап")),
    ],
)
def test_a_certificate_says_where_the_mission_s_help_stands(
    people: dict[str, Workspace], status: str, expected: tuple[str, str, str]
) -> None:
    """The certificate said the mission "is assisting" the worker whatever the case's status:
    for a case closed last year (an imported register's), and for one the mission declined."""
    case = make_case(people, "female", "KR")
    consul = CaseService(people["serik"], today=TODAY)
    if status == "closed":
        for step in ("in_progress", "resolved", "closed"):
            consul.set_status(case.id, step, "Wages paid in full.")
    elif status == "rejected":
        consul.set_status(case.id, status, "Outside our competence.")
    for lang, words in zip(("en", "ru", "kk"), expected, strict=True):
        body = flat(raw_text(issue(people, case.id, "assistance_certificate", lang)))
        assert words in body, (status, lang, body[:600])
        if status == "rejected":
            said = ("assisting", "assisted", "оказыва", "оказало", "көрсеткенін", "жатқанын")
            assert not any(w in body for w in said), lang


def test_an_english_letter_spells_a_name_recorded_in_cyrillic_only(
    people: dict[str, Workspace],
) -> None:
    """An imported register gives no Latin spelling: the English certificate read "Mr , a
    citizen of…". It spells the name as a passport would, and the checks before approval say
    so, for the officer to record the passport's spelling if it differs."""
    case = register_row_case(people["aigul"], today=TODAY)
    service = LetterService(people["aigul"], today=TODAY)
    draft = service.draft(case.id, "assistance_certificate", "en", LetterFields())
    assert draft.subject.endswith("Erlan Ospanov")
    assert any("spells it Erlan Ospanov" in w for w in service.warnings(draft.id))
    body = flat(raw_text(issue(people, case.id, "assistance_certificate", "en")))
    assert "Mr Erlan Ospanov, a citizen of the Republic of Kazakhstan" in body
    assert not CYRILLIC.search(body)


@pytest.mark.parametrize("missing", ["given_names_latin", "surname_latin"])
def test_an_english_letter_spells_the_part_of_a_name_not_recorded_in_latin(
    people: dict[str, Workspace], missing: str
) -> None:
    """The fault: with only one part of the name in Latin letters on file (the surname, or the
    given name), the English letter printed that part alone ("Ms Nurlanova, a citizen of…",
    "Ms Aigul, …"), and the approver was warned only when the surname was missing. The part
    not on file is spelled as a passport would and the approver is told so."""
    case = make_case(people, "female", "TR", **{missing: ""})
    service = LetterService(people["aigul"], today=TODAY)
    draft = service.draft(case.id, "assistance_certificate", "en", LetterFields())
    assert draft.subject.endswith("Aigul Nurlanova")
    assert any(
        w.startswith("Only part of the worker's name in Latin letters is recorded")
        and "Aigul Nurlanova in all" in w
        for w in service.warnings(draft.id)
    )
    body = flat(raw_text(issue(people, case.id, "assistance_certificate", "en")))
    assert "Ms Aigul Nurlanova, a citizen of the Republic of Kazakhstan" in body
    assert not CYRILLIC.search(body)


@pytest.mark.parametrize("missing", ["given_names_latin", "surname_latin"])
@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_a_letter_abroad_in_russian_or_kazakh_gives_the_whole_passport_name_in_brackets(
    people: dict[str, Workspace], missing: str, lang: str
) -> None:
    """The fault: with half the passport spelling on file, the Russian and Kazakh letters to a
    foreign ministry or employer printed that half alone in brackets, «(NURLANOVA)», which
    stands for a whole name to a reader abroad, and no one was told. The missing half is
    spelled as a Kazakh passport would, in the same capitals, and the approver is told."""
    case = make_case(people, "female", "TR", **{missing: ""})
    service = LetterService(people["aigul"], today=TODAY)
    draft = service.draft(case.id, "employer_letter", lang, LetterFields())
    assert any(
        w.startswith("Only part of the worker's name in Latin letters is recorded")
        and "NURLANOVA AIGUL in all" in w
        for w in service.warnings(draft.id)
    )
    body = flat(raw_text(issue(people, case.id, "employer_letter", lang)))
    assert "(NURLANOVA AIGUL" in body, body[:600]


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_a_letter_abroad_gives_the_passport_spelling_when_none_is_on_file(
    people: dict[str, Workspace], lang: str
) -> None:
    """The fault: with no Latin spelling on file (an imported register's row) the Russian and
    Kazakh letters abroad named the worker in Cyrillic only, which an employer's payroll or a
    foreign ministry cannot match to a passport, while the English letter to the same reader
    spelled the name. The passport spelling is in brackets, in capitals as a Kazakh passport
    prints it, and the approver is told it was spelled, not recorded."""
    case = register_row_case(people["aigul"], today=TODAY)
    service = LetterService(people["aigul"], today=TODAY)
    draft = service.draft(case.id, "assistance_certificate", lang, LetterFields())
    assert any(
        w.startswith("The worker's name in Latin letters is not recorded")
        and "spells it OSPANOV ERLAN" in w
        for w in service.warnings(draft.id)
    )
    body = flat(raw_text(issue(people, case.id, "assistance_certificate", lang)))
    assert "(OSPANOV ERLAN" in body, body[:600]
    # At home (a report to HQ) the Cyrillic name stands alone, as before.
    report = flat(raw_text(issue(people, case.id, "hq_case_report", lang)))
    assert "OSPANOV" not in report and "Ospanov" not in report


def test_a_short_report_keeps_its_last_heading_on_the_first_page(
    people: dict[str, Workspace],
) -> None:
    """A report whose last section is one line ("Categories: other.", a case without facts)
    broke to a second page after section 2, the first left half empty: the heading, kept with
    the line after it, was glued to the signature's block, which takes the rest of the page."""
    case = register_row_case(
        people["aigul"], OrganisationInput(name="Hanil", country="KR", city="Seoul"), TODAY
    )
    for lang in LANGS:
        pdf = issue(people, case.id, "hq_case_report", lang)
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1, lang
        assert "3." in reader.pages[0].extract_text(), lang


def test_a_letter_that_states_no_facts_says_so_before_approval(
    people: dict[str, Workspace],
) -> None:
    """A case of "Other" without a description of its own (a register's row naming no
    complaint) gave an employer letter that asked for measures without saying for what."""
    service = LetterService(people["aigul"], today=TODAY)
    bare = register_row_case(
        people["aigul"], OrganisationInput(name="Hanil", country="KR", city="Seoul"), TODAY
    )
    for kind in ("employer_letter", "hq_case_report"):
        draft = service.draft(bare.id, kind, "ru", LetterFields())
        assert any("states no facts" in w for w in service.warnings(draft.id)), kind
    written = service.draft(
        bare.id, "employer_letter", "ru", LetterFields(facts="Заработная плата не выплачена.")
    )
    assert not any("states no facts" in w for w in service.warnings(written.id))
    # While the letter is written, before it is saved, the same checks.
    for fields in (LetterFields(), LetterFields(facts="Заработная плата не выплачена.")):
        unsaved = service.checks_for_case(bare.id, "employer_letter", "ru", fields)
        saved = service.draft(bare.id, "employer_letter", "ru", fields)
        assert unsaved == service.warnings(saved.id)
    usual = make_case(people, "female", "KR")  # its categories give the facts
    drafted = service.draft(usual.id, "employer_letter", "ru", LetterFields())
    assert not any("states no facts" in w for w in service.warnings(drafted.id))


CLOSINGS = {"kk": "Құрметпен,", "ru": "С уважением,", "en": "Yours faithfully,"}


def test_a_letter_to_an_employer_or_a_partner_closes_before_its_signature(
    people: dict[str, Workspace],
) -> None:
    """The fault: the Russian and Kazakh letters to an employer and to a partner went from
    the last paragraph straight to the signature, with no «С уважением,» / «Құрметпен,»,
    while the English ones had "Yours faithfully,". The notes (their own formula) and the
    reports to a ministry have none."""
    case = make_case(people, "female", "KR")
    for lang in LANGS:
        signer = "Consul S. Zhaksybekov" if lang == "en" else "Консул С.Б. Жақсыбеков"
        for kind in ("employer_letter", "referral"):
            body = flat(raw_text(issue(people, case.id, kind, lang)))
            assert f"{CLOSINGS[lang]} {signer}" in body, (kind, lang)
        for kind in ("note_verbale_labour_authority", "agency_report", "hq_case_report"):
            body = flat(raw_text(issue(people, case.id, kind, lang)))
            assert CLOSINGS[lang] not in body, (kind, lang)


def test_an_english_letter_to_a_named_person_is_yours_sincerely(
    people: dict[str, Workspace],
) -> None:
    """The fault: "Dear Ms Kim," ended "Yours faithfully," (the closing of "Dear Sir or
    Madam")."""
    case = make_case(people, "female", "KR")
    service = LetterService(people["aigul"], today=TODAY)
    named = Addressee("Kim Soo-jin", "Migrant Workers Centre", "Seoul", sex="female", surname="Kim")
    draft = service.draft(case.id, "referral", "en", LetterFields(addressee=named))
    LetterService(people["serik"], today=TODAY).approve(draft.id)
    info = service.issue(draft.id)
    body = flat(raw_text(service.pdf(info.id)))
    assert "Dear Ms Kim," in body
    assert "Yours sincerely, Consul S. Zhaksybekov" in body
    assert "faithfully" not in body


# The salutation to Mehmet Yıldız: with his surname recorded apart, and with his full name only.
SALUTATIONS = {
    "ru": ("Уважаемый господин Yıldız!", "Уважаемый Mehmet Yıldız!"),
    "kk": ("Құрметті Yıldız мырза!", "Құрметті Mehmet Yıldız!"),
    "en": ("Dear Mr Yıldız,", "Dear Mehmet Yıldız,"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_the_salutation_puts_mr_before_a_surname_never_before_a_full_name(
    people: dict[str, Workspace], lang: str
) -> None:
    """The fault: «Уважаемый господин Mehmet Yıldız!», "Dear Mr Mehmet Yıldız": a title
    goes with the surname alone, and which part of a foreign name is the surname is not
    guessed. With the surname recorded apart the letter uses it; else it names him in full
    without a title. The address block keeps his full name."""
    case = make_case(people, "female", "TR")
    service = LetterService(people["aigul"], today=TODAY)
    with_surname, full_name_only = SALUTATIONS[lang]
    for surname, wanted, unwanted in (
        ("Yıldız", with_surname, full_name_only),
        ("", full_name_only, with_surname),
    ):
        named = Addressee("Mehmet Yıldız", EMPLOYERS["TR"], "Istanbul", sex="male", surname=surname)
        fields = LetterFields(addressee=named)
        body = flat(raw_text(service.preview_for_case(case.id, "employer_letter", lang, fields)))
        assert wanted in body and unwanted not in body, (surname, body[:600])
        assert "Mehmet Yıldız" in body.split(wanted)[0]  # the address block: the full name
        for titled in ("господин Mehmet", "Mehmet Yıldız мырза", "Mr Mehmet"):
            assert titled not in body


def test_a_kazakh_letter_greets_by_name_an_addressee_whose_sex_is_not_recorded(
    people: dict[str, Workspace],
) -> None:
    """The fault: with the addressee's name on file but not the sex, the Kazakh letter greeted
    «Құрметті ханымдар мен мырзалар!», as if nobody were named: «Құрметті» agrees with no
    sex, as Russian «Уважаемый/Уважаемая» does, so the name needs none. «мырза/ханым» is
    still not guessed."""
    case = make_case(people, "female", "TR")
    service = LetterService(people["aigul"], today=TODAY)
    for surname in ("Yıldız", ""):
        named = Addressee("Mehmet Yıldız", EMPLOYERS["TR"], "Istanbul", sex=None, surname=surname)
        fields = LetterFields(addressee=named)
        kk = flat(raw_text(service.preview_for_case(case.id, "employer_letter", "kk", fields)))
        assert "Құрметті Mehmet Yıldız!" in kk, (surname, kk[:600])
        assert "мырза!" not in kk and "ханым!" not in kk, surname
        ru = flat(raw_text(service.preview_for_case(case.id, "employer_letter", "ru", fields)))
        assert "Уважаемые господа!" in ru, surname  # Russian cannot agree without the sex


def test_an_english_letter_greets_by_name_an_addressee_whose_sex_is_not_recorded(
    people: dict[str, Workspace],
) -> None:
    """The fault: with the addressee's name on file but not the sex, the English letter greeted
    "Dear Sir or Madam," (and closed "Yours faithfully,"), as if nobody were named, while the
    Kazakh one greets him by name. "Dear" agrees with no sex; "Mr/Ms" is still not guessed."""
    case = make_case(people, "female", "TR")
    service = LetterService(people["aigul"], today=TODAY)
    for surname in ("Yıldız", ""):
        named = Addressee("Mehmet Yıldız", EMPLOYERS["TR"], "Istanbul", sex="", surname=surname)
        fields = LetterFields(addressee=named)
        en = flat(raw_text(service.preview_for_case(case.id, "employer_letter", "en", fields)))
        assert "Dear Mehmet Yıldız," in en and "Yours sincerely," in en, (surname, en[:600])
        for unwanted in ("Sir or Madam", "faithfully", "Dear Mr", "Dear Ms"):
            assert unwanted not in en, (surname, unwanted)


# The certificate's sentence as the Kazakh reads it: the one who turned to the mission is the
# subject of «жүгінгенін», so in the genitive, on the name's last word whatever its last letter,
# or on «азаматы» after a name in Latin letters. (surname, given names, Latin spelling)
CERTIFIED = {
    ("Ким", "Әлия", "KIM", "ALIYA"): "азаматы Ким Әлияның (KIM ALIYA, ",
    ("Ли", "Дмитрий", "LI", "DMITRIY"): "азаматы Ли Дмитрийдің (LI DMITRIY, ",
    ("Цой", "Ерғали", "TSOY", "YERGALI"): "азаматы Цой Ерғалидың (TSOY YERGALI, ",
    ("YILDIZ", "ALI", "YILDIZ", "ALI"): "YILDIZ ALI есімді азаматының (1990 жылғы",
}


@pytest.mark.parametrize("name", list(CERTIFIED))
def test_the_kazakh_certificate_names_who_applied_in_the_genitive(
    people: dict[str, Workspace], name: tuple[str, str, str, str]
) -> None:
    """The fault: «Осы анықтама Қазақстан Республикасының азаматы Нұрланова Айгүл Серікқызы
    (…) көмек сұрап Елшілікке жүгінгенін … растайды» left the subject of «жүгінгенін» in the
    nominative; Kazakh puts it in the genitive («…Серікқызының (…) … жүгінгенін»)."""
    surname, given, surname_latin, given_latin = name
    case = make_case(
        people, "male", "KR", surname=surname, given_names=given, patronymic="",
        surname_latin=surname_latin, given_names_latin=given_latin,
    )  # fmt: skip
    body = flat(raw_text(issue(people, case.id, "assistance_certificate", "kk")))
    opening = body.split("АНЫҚТАМА")[1]
    assert f"Осы анықтама Қазақстан Республикасының {CERTIFIED[name]}" in opening, opening[:400]
    assert "көмек сұрап Елшілікке жүгінгенін" in opening, opening[:400]


# A consulate general's note: (mission's English city, host), then the opening's addressee and
# the city under the addressee block, by language.
CONSULATES_NOTE = {
    ("Istanbul", "TR"): {
        "ru": ("свидетельствует своё уважение Отделению Министерства иностранных дел "
               "Турецкой Республики в Стамбуле", "Стамбул"),
        "kk": ("Түркия Республикасы Сыртқы істер министрлігінің Ыстамбұлдағы өкілдігіне "
               "өзінің құрметін", "Ыстамбұл"),
        "en": ("presents its compliments to the Istanbul Representation Office of the Ministry "
               "of Foreign Affairs of the Republic of Türkiye", "Istanbul"),
    },
    ("Kazan", "RU"): {
        "ru": ("свидетельствует своё уважение Представительству МИД России в Казани", "Казань"),
        "kk": ("Ресей Федерациясы Сыртқы істер министрлігінің Қазандағы өкілдігіне өзінің құрметін",
               "Қазан"),
        "en": ("presents its compliments to the Representative Office of the Ministry of Foreign "
               "Affairs of the Russian Federation in Kazan", "Kazan"),
    },
    ("Dubai", "AE"): {
        "ru": ("свидетельствует своё уважение Министерству иностранных дел Объединённых Арабских "
               "Эмиратов", "Абу-Даби"),
        "kk": ("Біріккен Араб Әмірліктерінің Сыртқы істер министрлігіне өзінің құрметін",
               "Әбу-Даби"),
        "en": ("presents its compliments to the Ministry of Foreign Affairs of the United Arab "
               "Emirates", "Abu Dhabi"),
    },
}  # fmt: skip


# Whom the closing renews its assurances to when the note goes to the ministry's office.
OFFICE_CLOSINGS = {
    "Istanbul": {"ru": "Отделению уверения", "kk": "Өкілдікке өзінің жоғары",
                 "en": "to the Representation Office the assurances"},
    "Kazan": {"ru": "Представительству уверения", "kk": "Өкілдікке өзінің жоғары",
              "en": "to the Representative Office the assurances"},
}  # fmt: skip


@pytest.mark.parametrize(("city", "country"), list(CONSULATES_NOTE))
def test_a_consulate_s_note_goes_to_the_ministry_s_office_in_its_city_else_to_the_capital(
    people: dict[str, Workspace],
    open_ws: OpenWs,
    monkeypatch: pytest.MonkeyPatch,
    city: str,
    country: str,
) -> None:
    """The fault: the Consulate General in Istanbul addressed its note to the Ministry of
    Foreign Affairs «Стамбул»: the ministry sits in Ankara. A consulate's note goes to the
    ministry's representation office in its city where there is one, else to the ministry
    in the capital (Dubai's to Abu Dhabi). The Consulate General in Kazan's goes to the
    Russian ministry's office there, named as its sources write it."""
    monkeypatch.setitem(EMPLOYERS, "RU", "Stroitel LLC")
    monkeypatch.setitem(CURRENCY, "RU", "RUB")
    with people["admin"].write() as session:
        mission = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
        mission.country, mission.city, mission.city_kk, mission.city_ru = country, city, "", ""
        mission.name_en = f"Consulate General of the Republic of Kazakhstan in {city}"
        mission.name_ru = f"Генеральное консульство Республики Казахстан в {city}"
        mission.name_kk = f"Қазақстан Республикасының {city} қаласындағы Бас консулдығы"
    people = {name: open_ws(name) for name in people}  # the mission read anew
    case = make_case(people, "female", country)
    for lang in LANGS:
        opening, where = CONSULATES_NOTE[(city, country)][lang]
        note = raw_text(issue(people, case.id, "note_verbale_labour_authority", lang))
        assert opening in flat(note), (lang, flat(note)[:600])
        sent = LetterService(people["aigul"]).list_letters()[0]
        assert sent.addressee.address == where, lang
        # The addressee block's last line: the city alone (the date line starts with it too).
        assert where in [line.strip() for line in note.splitlines()], (lang, note)
        if city in OFFICE_CLOSINGS:  # the closing renews its assurances to the office
            closing = OFFICE_CLOSINGS[city][lang]
            assert closing in flat(note), (lang, flat(note)[-900:])


def test_the_english_note_indents_every_paragraph_and_asks_gratefully_once(
    people: dict[str, Workspace],
) -> None:
    """The fault: the English note's facts paragraphs stood flush left between indented
    ones, and "would be grateful" opened two paragraphs in a row."""
    case = make_case(people, "female", "KR")
    pdf = issue(people, case.id, "note_verbale_labour_authority", "en")
    starts: dict[str, float] = {}

    def visit(text: str, _cm: object, tm: list[float], _font: object, _size: object) -> None:
        if text.strip():
            starts.setdefault(text.strip()[:20], tm[4])

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    opening = next(x for t, x in starts.items() if t.startswith("The Embassy of the"))
    facts = next(x for t, x in starts.items() if t.startswith("According to her"))
    assert facts == pytest.approx(opening) and opening > min(starts.values()) + 30
    assert flat(raw_text(pdf)).count("would be grateful") == 1


def test_a_referral_names_the_worker_s_phone_once_and_refers_the_worker_to_the_partner(
    people: dict[str, Workspace],
) -> None:
    """The fault: a referral of a worker with a phone on file printed two brackets in a row,
    «Нұрланова Айгүл Серікқызы (NURLANOVA AIGUL) (тел. …)», and the English one read "refers
    to Migrant Workers Centre Ms Aigul Nurlanova …" (a reader takes "refers to" as
    "mentions")."""
    case = make_case(people, "female", "KR", phone_abroad="+82 10 1234 5678")
    expected = {
        "ru": "гражданку Республики Казахстан Нұрланову Айгүл Серікқызы (NURLANOVA AIGUL), "
        "тел. +82 10 1234 5678, и просит оказать ей содействие",
        "kk": "азаматы Нұрланова Айгүл Серікқызын (NURLANOVA AIGUL, тел. +82 10 1234 5678) жолдап",
        "en": "refers Ms Aigul Nurlanova, a citizen of the Republic of Kazakhstan, to the "
        "Migrant Workers Centre and asks you to assist her. Her telephone number is "
        "+82 10 1234 5678.",
    }
    for lang in LANGS:
        body = flat(raw_text(issue(people, case.id, "referral", lang)))
        assert expected[lang] in body, (lang, body)
        assert ") (" not in body, lang


def test_a_worker_known_only_by_the_passport_s_latin_name_reads_as_russian_and_kazakh(
    people: dict[str, Workspace],
) -> None:
    """The fault: with the name typed in Latin letters (all an officer has is the passport),
    the note declined it with Cyrillic endings, «гражданина … O'CONNOR JOHNА» and «азаматы
    O'CONNOR JOHNТЫҢ», and repeated it in brackets, «O'CONNOR JOHN (O'CONNOR JOHN)»."""
    latin = {"surname": "O'CONNOR", "given_names": "JOHN", "patronymic": ""}
    case = make_case(
        people, "male", "KR", **latin, surname_latin="O'CONNOR", given_names_latin="JOHN"
    )
    expected = {
        "ru": "защиты трудовых прав гражданина Республики Казахстан O'CONNOR JOHN, "
        "02.05.1990 г. р., паспорт № N87654321",
        "kk": "Қазақстан Республикасының O'CONNOR JOHN есімді азаматының (1990 жылғы "
        "2 мамырда туған, паспорты № N87654321) еңбек құқықтарын",
    }
    for lang, wording in expected.items():
        body = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", lang)))
        assert wording in body, (lang, body)
        assert body.count("O'CONNOR JOHN") == 1, lang


def test_an_address_typed_whole_in_one_field_does_not_get_its_city_and_state_again() -> None:
    """The fault: an employer's address typed in full ("…, Hwaseong-si, Gyeonggi-do 18622,
    Republic of Korea") was followed by the city and the state once more in the address
    block: "…, Republic of Korea, 18622 Hwaseong-si, Republic of Korea"."""
    whole = "12 Sandan-ro, Hyangnam-eup, Hwaseong-si, Gyeonggi-do 18622, Republic of Korea"
    assert postal_address(whole, "Hwaseong-si", "KR", "en", postcode="18622") == whole
    assert postal_address(whole, "Hwaseong-si", "KR", "ru", postcode="18622") == whole
    # a street named after its city, and a postcode not in the street: both still given
    assert postal_address("5 Seoul-ro", "Seoul", "KR", "kk", postcode="04419") == (
        "5 Seoul-ro, 04419 Сеул, Корея Республикасы"
    )
    assert postal_address("5 Seoul-ro, Республика Корея", "Seoul", "KR", "en") == (
        "5 Seoul-ro, Республика Корея, Seoul"
    )
    assert postal_address("", "Seoul", "", "en") == "Seoul"


def test_a_korean_city_in_the_street_with_its_unit_is_not_named_again() -> None:
    """The fault: an employer in "Gyeongju" whose address was typed "1234-56 Bomun-ro,
    Gyeongju-si, Gyeongsangbuk-do, 38117" got "…, 38117, Gyeongju, Республика Корея": the
    city twice, once with its unit (-si) and once without."""
    street = "1234-56 Bomun-ro, Gyeongju-si, Gyeongsangbuk-do, 38117"
    for lang, state in (
        ("en", "Republic of Korea"),
        ("ru", "Республика Корея"),
        ("kk", "Корея Республикасы"),
    ):
        assert postal_address(street, "Gyeongju", "KR", lang) == f"{street}, {state}", lang
    # A district (-gu) of another city is not that city; outside Korea no unit is dropped.
    assert postal_address("7 Haeundae-ro, Haeundae-gu", "Busan", "KR", "en") == (
        "7 Haeundae-ro, Haeundae-gu, Busan, Republic of Korea"
    )
    assert postal_address("Akasya Sk. 5, Bursa-si", "Bursa", "TR", "en").endswith(
        "Bursa-si, Bursa, Republic of Türkiye"
    )


def test_a_city_recorded_in_latin_letters_is_named_in_the_letter_s_language() -> None:
    """The fault: cities are recorded as typed, in Latin letters, and Kazakh and Russian
    address blocks printed them so: «Seoul, Корея Республикасы». The mission's own names for
    its city come first, then the table of host cities; an unknown name stays as recorded."""
    assert postal_address("", "Incheon", "KR", "kk") == "Инчхон, Корея Республикасы"
    assert postal_address("", "INCHEON", "KR", "ru") == "Инчхон, Республика Корея"
    assert postal_address("", "İstanbul", "TR", "kk").startswith("Ыстамбұл, ")
    assert postal_address("", "Istanbul", "TR", "ru").startswith("Стамбул, ")
    assert postal_address("", "Moscow", "RU", "kk").startswith("Мәскеу, ")
    assert postal_address("", "Abu-Dhabi", "AE", "ru").startswith("Абу-Даби, ")
    # A city recorded in Cyrillic reads in Latin letters in an English letter.
    assert postal_address("", "Сеул", "KR", "en") == "Seoul, Republic of Korea"
    # The mission's record names its city (here one the table does not know).
    mission = {"en": "Gimpo", "kk": "Кимпхо", "ru": "Кимпхо"}
    assert postal_address("", "Gimpo", "KR", "kk", mission_city=mission) == (
        "Кимпхо, Корея Республикасы"
    )
    # Unknown: never transliterated.
    assert postal_address("", "Gimhae-si", "KR", "ru") == "Gimhae-si, Республика Корея"
    assert postal_address("", "Gimpo", "KR", "kk") == "Gimpo, Корея Республикасы"
    # A street that already names the city, in either script, does not get it again.
    assert postal_address("5 Hannam-daero, Seoul", "Seoul", "KR", "kk") == (
        "5 Hannam-daero, Seoul, Корея Республикасы"
    )
    assert postal_address("Ханнам-дэро 5, Сеул", "Seoul", "KR", "ru") == (
        "Ханнам-дэро 5, Сеул, Республика Корея"
    )


def test_a_korean_city_recorded_with_its_unit_is_named_in_the_letter_s_language() -> None:
    """The fault: Korean addresses name a city with its unit ("Hwaseong-si", "Ansan-si"), and
    Kazakh and Russian letters printed it so although the table knows "Hwaseong". The unit is
    dropped in Korea only, and only when the rest is in the table."""
    assert postal_address("", "Hwaseong-si", "KR", "kk") == "Хвасон, Корея Республикасы"
    assert postal_address("", "ANSAN-SI", "KR", "ru") == "Ансан, Республика Корея"
    assert postal_address("", "Busan gun", "KR", "ru").startswith("Пусан, ")
    # English keeps the form the Korean post uses.
    assert postal_address("", "Hwaseong-si", "KR", "en") == "Hwaseong-si, Republic of Korea"
    # Not in the table, a province, or not in Korea: as recorded.
    assert postal_address("", "Gimhae-si", "KR", "kk") == "Gimhae-si, Корея Республикасы"
    assert postal_address("", "Gyeonggi-do", "KR", "ru") == "Gyeonggi-do, Республика Корея"
    assert postal_address("", "Ansan-si", "TR", "ru").startswith("Ansan-si, ")
    # A street that already names the city with its unit does not get it again.
    whole = "12 Sandan-ro, Hwaseong-si, Gyeonggi-do 18622"
    assert postal_address(whole, "Hwaseong-si", "KR", "kk", postcode="18622") == (
        f"{whole}, Корея Республикасы"
    )


def test_an_employer_letter_names_the_employer_s_city_in_its_language(
    people: dict[str, Workspace],
) -> None:
    """An employer in "Incheon" got «Incheon, Корея Республикасы» in a Kazakh letter; a
    partner in the mission's own city takes the name the mission's record gives it."""
    case = hanil_steel_case(people["aigul"])
    with people["admin"].write() as session:
        mission = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
        mission.city_kk, mission.city_ru = "Сеул қаласы", "г. Сеул"  # the record wins
    letters = LetterService(people["aigul"], today=TODAY)
    expected = {
        "kk": "Инчхон, Корея Республикасы",
        "ru": "Инчхон, Республика Корея",
        "en": "Incheon, Republic of Korea",
    }
    for lang, address in expected.items():
        defaults = letters.defaults(case.id, "employer_letter", lang)
        assert defaults.addressee is not None and defaults.addressee.address == address, lang
        assert address in flat(raw_text(issue(people, case.id, "employer_letter", lang)))
    partner = PartnerService(people["serik"]).create(
        PartnerInput(name="Seoul Migrant Centre", country="KR", city="SEOUL", kind="ngo")
    )
    PartnerService(people["aigul"]).refer(case.id, partner.id, "shelter")
    referral = letters.defaults(case.id, "referral", "ru").addressee
    assert referral is not None and referral.address == "г. Сеул, Республика Корея"


def test_a_note_never_cites_an_agreement_signed_but_not_in_force(
    people: dict[str, Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault: the 2006 agreement with Tajikistan, signed but not in force, was cited in
    the note to Tajikistan's ministry among the provisions binding it, by default and when the
    officer cited it; an instrument not in force binds no one."""
    monkeypatch.setitem(EMPLOYERS, "TJ", "Pamir Stroy LLC")
    monkeypatch.setitem(CURRENCY, "TJ", "TJS")
    sync_library(people["admin"], with_provision_of_the_signed_tajik_agreement())
    case = make_case(people, "female", "TJ")
    agreement = {
        "ru": "Правительством Республики Таджикистан",
        "kk": "Тәжікстан Республикасының Үкіметі",
    }
    for lang, title in agreement.items():
        note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", lang)))
        assert title not in note, lang
    agreements = AgreementService(people["aigul"])
    (provision,) = agreements.get("kz-tj-migrant-workers-2006").provisions
    agreements.cite(case.id, provision.id)
    letters = LetterService(people["aigul"], today=TODAY)
    for lang, title in agreement.items():
        note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", lang)))
        assert title not in note, lang
        # The note still cites what binds Tajikistan (conventions it ratified).
        assert "№ 97" in note, lang
        draft = letters.draft(case.id, "note_verbale_labour_authority", lang)
        (warning,) = [w for w in letters.warnings(draft.id) if "not in force" in w]
        assert title in flat(warning), lang


def ratified_by_korea_on(day: date) -> Library:
    """The shipped library, with Korea's ratification of C029 dated ``day``."""
    library = load_library()
    c029 = library.instrument("ilo-c029")
    ratifications = tuple(
        dataclasses.replace(entry, ratified_on=day) if entry.state == "KR" else entry
        for entry in c029.ratifications
    )
    changed = dataclasses.replace(c029, ratifications=ratifications)
    instruments = tuple(changed if i.id == c029.id else i for i in library.instruments)
    return dataclasses.replace(library, instruments=instruments)


def test_a_note_never_cites_a_convention_before_it_binds_the_host(
    people: dict[str, Workspace],
) -> None:
    """The fault: a convention the host ratified less than twelve months before the note
    (an ILO convention binds a state a year after its ratification is registered) was cited to
    its ministry among the provisions binding it; the contract review already said "not yet in
    force"."""
    sync_library(people["admin"], ratified_by_korea_on(date(2026, 6, 1)))  # binds 1.6.2027
    case = make_case(people, "female", "KR")
    agreements = AgreementService(people["aigul"])
    (provision,) = [p for p in agreements.get("ilo-c029").provisions if p.slug == "art-2-1"]
    agreements.cite(case.id, provision.id)
    letters = LetterService(people["aigul"], today=TODAY)
    for lang, title in (("ru", "(№ 29)"), ("kk", "(№ 29)"), ("en", "(No. 29)")):
        note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", lang)))
        assert title not in note, lang
        draft = letters.draft(case.id, "note_verbale_labour_authority", lang)
        (warning,) = [w for w in letters.warnings(draft.id) if "not in force" in w]
        assert title in warning, lang
    # Once Korea is bound (the shipped date, 2021), the note cites it again.
    sync_library(people["admin"], load_library())
    note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", "en")))
    assert "(No. 29)" in note


def test_a_note_cites_a_convention_that_bound_the_host_only_after_the_facts_as_a_standard(
    people: dict[str, Workspace],
) -> None:
    """The fault: a note written in 2026 about wages unpaid in 2019 cited C029, which binds
    Korea only from 20 April 2022, among the provisions binding it, as the law that was broken:
    letters judged by their own date, not by the facts' period."""
    case = make_case(people, "female", "KR")
    CaseService(people["aigul"], today=TODAY).update_case(
        case.id,
        CaseChanges(
            claims=(
                {
                    "amount": "6600000",
                    "currency": "KRW",
                    "what": "wages",
                    "period_from": "2019-03-01",
                    "period_to": "2019-08-31",
                },
            )
        ),
        case.version,
    )
    agreements = AgreementService(people["aigul"])
    (provision,) = [p for p in agreements.get("ilo-c029").provisions if p.slug == "art-2-1"]
    agreements.cite(case.id, provision.id)
    letters = LetterService(people["aigul"], today=TODAY)
    standards_intro = {
        "en": "International standards, including those below, provide:",
        "ru": "международные стандарты",
        "kk": "халықаралық стандарт",
    }
    for lang, title in (("ru", "(№ 29)"), ("kk", "(№ 29)"), ("en", "(No. 29)")):
        note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", lang)))
        # Cited, but after the words that introduce standards, not among the host's law.
        assert title in note, lang
        intro = note.lower().index(standards_intro[lang].lower())
        assert note.index(title) > intro, lang
        draft = letters.draft(case.id, "note_verbale_labour_authority", lang)
        (warning,) = [w for w in letters.warnings(draft.id) if "after the facts" in w]
        assert title in warning, lang
    # Wages unpaid in 2023, when Korea was bound: C029 is the law again, and no warning.
    detail = CaseService(people["aigul"], today=TODAY).get_case(case.id)
    CaseService(people["aigul"], today=TODAY).update_case(
        case.id,
        CaseChanges(
            claims=(
                {
                    "amount": "6600000",
                    "currency": "KRW",
                    "what": "wages",
                    "period_from": "2023-03-01",
                    "period_to": "2023-08-31",
                },
            )
        ),
        detail.version,
    )
    note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", "en")))
    assert "(No. 29)" in note
    assert standards_intro["en"] not in note.split("(No. 29)")[0]
    draft = letters.draft(case.id, "note_verbale_labour_authority", "en")
    assert not [w for w in letters.warnings(draft.id) if "after the facts" in w]


QATAR_AGREEMENT = {
    "kk": "Қазақстан Республикасының Үкіметі мен Катар Мемлекетінің Үкіметі арасындағы",
    "ru": "Соглашение между Правительством Республики Казахстан и Правительством Государства Катар",
    "en": "Agreement between the Government of the Republic of Kazakhstan and the Government of "
    "the State of Qatar",
}
LATER_INTRO = {
    "kk": "Баяндалған оқиғалардан кейін күшіне енген халықаралық шартта мыналар көзделген:",
    "ru": "Международный договор, вступивший в силу после изложенных событий, предусматривает:",
    "en": "An international agreement that entered into force after the events described provides:",
}
STANDARDS_INTRO = {
    "kk": "Халықаралық стандарттарда",
    "ru": "Международные стандарты",
    "en": "International standards",
}


def qatar_case(people: dict[str, Workspace], monkeypatch: pytest.MonkeyPatch) -> CaseDetail:
    """A worker's case in Qatar, whose agreement with Kazakhstan (in force since 18 December
    2025) the officer cites."""
    monkeypatch.setitem(EMPLOYERS, "QA", "Doha Build WLL")
    monkeypatch.setitem(CURRENCY, "QA", "QAR")
    sync_library(people["admin"], with_a_provision_in_the_qatar_agreement())
    case = make_case(people, "female", "QA")
    agreements = AgreementService(people["aigul"])
    (provision,) = agreements.get("kz-qa-employment-2024").provisions
    agreements.cite(case.id, provision.id)
    return case


def set_claims(people: dict[str, Workspace], case_id: str, *claims: dict[str, str]) -> None:
    cases = CaseService(people["aigul"], today=TODAY)
    cases.update_case(case_id, CaseChanges(claims=claims), cases.get_case(case_id).version)


def test_an_agreement_in_force_only_after_the_facts_is_no_standard_but_has_its_own_heading(
    people: dict[str, Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault: wages unpaid in mid-2025 made the agreement with Qatar (in force since
    December 2025) an "international standard" in the note; it is an agreement between the two
    states, the law since, not when the wages went unpaid: cited under a heading that says so,
    after the law of the time and before any standard."""
    case = qatar_case(people, monkeypatch)
    wages = {"amount": "9000", "currency": "QAR", "what": "wages"}
    set_claims(people, case.id, wages | {"period_from": "2025-06-01", "period_to": "2025-08-31"})
    for lang in LANGS:
        note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", lang)))
        title = flat(QATAR_AGREEMENT[lang])
        assert LATER_INTRO[lang] in note, lang
        assert note.index(LATER_INTRO[lang]) < note.index(title), lang
        standards = note.find(STANDARDS_INTRO[lang])
        assert standards == -1 or standards > note.index(title), lang
    # Wages unpaid in 2026, when it bound Qatar: the agreement is the law, no heading of its own.
    set_claims(people, case.id, wages | {"period_from": "2026-06-01", "period_to": "2026-08-31"})
    note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", "en")))
    assert QATAR_AGREEMENT["en"] in note and LATER_INTRO["en"] not in note


def test_a_case_with_no_dated_claim_dates_its_facts_by_the_day_it_was_received(
    people: dict[str, Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault: a case whose claims name no period was judged by the letter's date, so a
    complaint received in September 2025 cited the agreement with Qatar, in force only since
    December 2025, as the law that was broken, with no warning to the approver."""
    case = qatar_case(people, monkeypatch)
    with people["aigul"].write() as session:
        session.get(Case, case.id).received_at = date(2025, 9, 1)
    set_claims(people, case.id, {"amount": "9000", "currency": "QAR", "what": "wages"})
    letters = LetterService(people["aigul"], today=TODAY)
    for lang in LANGS:
        note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", lang)))
        assert note.index(LATER_INTRO[lang]) < note.index(flat(QATAR_AGREEMENT[lang])), lang
        draft = letters.draft(case.id, "note_verbale_labour_authority", lang)
        assert [w for w in letters.warnings(draft.id) if "after the facts" in w], lang


def test_an_agreement_in_force_only_after_the_facts_gives_its_date_of_entry_into_force(
    people: dict[str, Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault: under "entered into force after the events described" the note named the
    agreement with Qatar but not the day it entered into force, so the recipient could not
    see that the wages went unpaid before it (library: in force since 18 December 2025)."""
    case = qatar_case(people, monkeypatch)
    wages = {"amount": "9000", "currency": "QAR", "what": "wages"}
    set_claims(people, case.id, wages | {"period_from": "2025-06-01", "period_to": "2025-08-31"})
    since = {
        "kk": "(2025 жылғы 18 желтоқсанда күшіне енген)",
        "ru": "(дата вступления в силу — 18 декабря 2025 г.)",
        "en": "(entered into force on 18 December 2025)",
    }
    for lang in LANGS:
        note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", lang)))
        title = flat(QATAR_AGREEMENT[lang])
        assert flat(since[lang]) in note, lang
        assert note.index(title) < note.index(flat(since[lang])), lang
    # Cited as the law of the facts, it carries no such date.
    set_claims(people, case.id, wages | {"period_from": "2026-06-01", "period_to": "2026-08-31"})
    note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", "en")))
    assert "entered into force on" not in note


def test_an_employer_letter_on_a_dismissal_does_not_cite_the_probation_article(
    people: dict[str, Workspace],
) -> None:
    """The fault: a letter to a Turkish employer about a worker dismissed without grounds told
    it that labour relations are governed by "Labour Law No. 4857, Art. 15: probation period",
    the article that lets an employer end a trial period without notice: the employer's
    argument, and nothing in the case said the worker was on trial."""
    case = make_case(people, "male", "TR")
    cases = CaseService(people["aigul"], today=TODAY)
    changes = CaseChanges(categories=("unjustified_dismissal", "excessive_hours"))
    cases.update_case(case.id, changes, cases.get_case(case.id).version)
    for lang, probation in (
        ("kk", "сынақ мерзімі"),
        ("ru", "испытательный срок"),
        ("en", "probation"),
    ):
        letter = flat(raw_text(issue(people, case.id, "employer_letter", lang)))
        assert probation not in letter.lower(), lang
        assert "İş Kanunu" not in letter, lang  # Türkiye's figures are all unchecked
    # Nor is it among the provisions the approver is told the letter leaves out unchecked:
    # the hours articles bear on the complaint, the probation article never does.
    service = LetterService(people["aigul"], today=TODAY)
    draft = service.draft(case.id, "employer_letter", "en")
    (left_out,) = [w for w in service.warnings(draft.id) if "leaves out provisions" in w]
    assert "Art. 63" in left_out and "Art. 41" in left_out
    assert "Art. 15" not in left_out


def test_the_approver_is_not_told_an_agreement_after_the_facts_is_cited_as_a_standard(
    people: dict[str, Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault: the approval warned that the agreement with Qatar, in force only after the
    unpaid wages, "the letter cites as international standards"; the letter cites it under a
    heading of its own, as in force since 18 December 2025."""
    case = qatar_case(people, monkeypatch)
    wages = {"amount": "9000", "currency": "QAR", "what": "wages"}
    set_claims(people, case.id, wages | {"period_from": "2025-06-01", "period_to": "2025-08-31"})
    letters = LetterService(people["aigul"], today=TODAY)
    draft = letters.draft(case.id, "note_verbale_labour_authority", "en")
    (warning,) = [w for w in letters.warnings(draft.id) if "after the facts" in w]
    assert warning.startswith("The case cites agreements that entered into force")
    assert "as in force since then, with the day" in warning
    assert "international standards" not in warning
    assert QATAR_AGREEMENT["en"] in warning


def test_a_missing_or_dead_worker_is_not_quoted_in_the_facts(
    people: dict[str, Workspace],
) -> None:
    """The fault: a note said «По её словам, родственники не могут установить её
    местонахождение» ("According to her, her relatives cannot establish her whereabouts"):
    the missing woman quoted; a death case said "According to her, assistance with
    repatriation is needed" and never that she had died. What others report stands in a
    sentence of its own."""
    case = make_case(people, "female", "KR")
    cases = CaseService(people["aigul"], today=TODAY)
    expected = {
        "whereabouts_unknown": {
            "ru": "Родственники не могут установить её местонахождение.",
            "kk": "Туыстары оның қайда екенін анықтай алмай отыр.",
            "en": "Her relatives cannot establish her whereabouts.",
        },
        "death_repatriation": {
            "ru": "По поступившим сведениям, она скончалась; требуется содействие в "
            "репатриации тела.",
            "kk": "Түскен мәліметтер бойынша, ол қайтыс болған; мәйітін елге жеткізуге "
            "жәрдем қажет.",
            "en": "According to information received, she has died, and assistance is needed "
            "to repatriate her remains.",
        },
    }
    quoted = {"ru": "По её словам", "kk": "Оның айтуынша", "en": "According to her"}
    for category, wording in expected.items():
        changes = CaseChanges(categories=(category,), claims=())
        cases.update_case(case.id, changes, cases.get_case(case.id).version)
        for lang in LANGS:
            note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", lang)))
            assert wording[lang] in note, (category, lang)
            assert quoted[lang] not in note, (category, lang)


@pytest.mark.parametrize("category", ["whereabouts_unknown", "death_repatriation"])
def test_the_complaints_of_a_missing_or_dead_worker_are_the_relatives_word(
    people: dict[str, Workspace], category: str
) -> None:
    """The fault: a missing worker's case with unpaid wages too made a note and an employer
    letter say «По её словам, работодатель не выплачивает…» ("According to her, ..."): the
    missing woman quoted on her wages. Her relatives told the mission."""
    case = make_case(people, "female", "KR")
    cases = CaseService(people["aigul"], today=TODAY)
    cases.update_case(case.id, CaseChanges(categories=(category, "unpaid_wages"), claims=()))
    relatives = {
        "ru": "По словам её родственников, ",
        "kk": "Туыстарының айтуынша, ",
        "en": "According to her relatives, ",
    }
    quoted = {"ru": "По её словам", "kk": "Оның айтуынша", "en": "According to her,"}
    for kind in ("note_verbale_labour_authority", "employer_letter"):
        for lang in LANGS:
            letter = flat(raw_text(issue(people, case.id, kind, lang)))
            assert relatives[lang] in letter, (kind, lang, letter[:900])
            assert quoted[lang] not in letter, (kind, lang)


# What each letter says of a worker the mission cannot have met: who turned to it, and why.
ABSENT_WORDING = {
    "whereabouts_unknown": {
        "employer_letter": {
            "ru": "обратились родственники гражданки Республики Казахстан Нұрлановой Айгүл "
            "Серікқызы",
            "kk": "Серікқызының (NURLANOVA AIGUL) туыстары оның қайда екенін анықтауға көмек "
            "сұрап Елшілікке жүгінді.",
            "en": "has been approached by the relatives of Ms Aigul Nurlanova",
        },
        "referral": {
            "ru": "в связи с розыском гражданки Республики Казахстан Нұрлановой",
            "kk": "туыстары оның қайда екенін анықтай алмай отырғанын хабарлап, оны "
            "іздестіруге көмек көрсетуді сұрайды.",
            "en": "to assist in tracing Ms Aigul Nurlanova",
        },
        "assistance_certificate": {
            "ru": "обратились родственники гражданки Республики Казахстан Нұрлановой",
            "kk": "туыстары оның қайда екенін анықтауға көмек сұрап Елшілікке жүгінгенін",
            "en": "This is to certify that the relatives of Ms Aigul Nurlanova",
        },
    },
    "death_repatriation": {
        "employer_letter": {
            "ru": "поступили сведения о смерти гражданки Республики Казахстан Нұрлановой",
            "kk": "Сіздің компанияңызда жұмыс істеген Қазақстан Республикасының азаматы",
            "en": "has been informed of the death of Ms Aigul Nurlanova",
        },
        "referral": {
            "ru": "в связи со смертью гражданки Республики Казахстан Нұрлановой",
            "kk": "қайтыс болуына байланысты «Migrant Workers Centre» ұйымына жүгініп, оның "
            "отбасына көмек көрсетуді сұрайды.",
            "en": "of the death of Ms Aigul Nurlanova",
        },
        "assistance_certificate": {
            "ru": "оказывает содействие в связи со смертью гражданки",
            "kk": "қайтыс болуына байланысты Елшілік",
            "en": "is giving assistance in connection with the death of Ms Aigul Nurlanova",
        },
    },
}
# The worker as the one who came: never said of a missing or dead worker.
CAME_IN_PERSON = {
    "ru": ("обратилась в", "заявительниц", "предъявительниц", "направляет в"),
    "kk": ("Серікқызы (", "өтініш беруші", "Өтініш беруші"),
    "en": ("who has asked", "holder's request", "refers Ms", "her consent", "contact her"),
}


@pytest.mark.parametrize("category", sorted(ABSENT_WORDING))
def test_a_missing_or_dead_worker_is_not_said_to_have_turned_to_the_mission(
    people: dict[str, Workspace], category: str
) -> None:
    """The fault: an employer letter, a referral and a certificate on a case the worker's
    relatives reported said the (missing or dead) worker "has asked for the Embassy's
    assistance", referred her to a partner and certified her request."""
    case = make_case(people, "female", "KR")
    cases = CaseService(people["aigul"], today=TODAY)
    cases.update_case(case.id, CaseChanges(categories=(category,), claims=()))
    for kind, wording in ABSENT_WORDING[category].items():
        for lang in LANGS:
            body = flat(raw_text(issue(people, case.id, kind, lang)))
            assert wording[lang] in body, (kind, lang, body[:900])
            came = [w for w in CAME_IN_PERSON[lang] if w in body]
            assert not came, (kind, lang, came)


# A note on a missing or a dead worker: what it is about, what it asks, and where it goes.
ABSENT_NOTE = {
    "whereabouts_unknown": {
        "ru": (
            "имеет честь обратиться по вопросу установления местонахождения гражданки",
            "за принятие мер по установлению местонахождения указанной гражданки",
        ),
        "kk": (
            "Серікқызының (NURLANOVA AIGUL, 1994 жылғы 15 наурызда туған, паспорты № N12345678) "
            "қайда екенін анықтау мәселесі бойынша жүгінуді",
            "аталған азаматтың қайда екенін анықтау үшін шаралар қабылдап",
        ),
        "en": (
            "has the honour to request its assistance in establishing the whereabouts of "
            "Ms Aigul Nurlanova",
            "for measures to be taken to establish the whereabouts of Ms Aigul Nurlanova",
        ),
    },
    "death_repatriation": {
        "ru": (
            "имеет честь обратиться в связи со смертью гражданки",
            "работавшей в компании «Daesung Precision Co., Ltd»",
        ),
        "kk": ("қайтыс болуына байланысты жүгінуді", "компаниясында жұмыс істеген."),
        "en": (
            "has the honour to inform it of the death of Ms Aigul Nurlanova",
            "who was employed by Daesung Precision Co., Ltd",
        ),
    },
}
COMPETENT_AUTHORITIES = {
    "ru": "препроводить настоящую ноту в компетентные органы Республики Корея",
    "kk": "Корея Республикасының құзыретті органдарына жолдауды сұрайды",
    "en": "forwarded to the competent authorities of the Republic of Korea",
}
# The note on a worker's labour rights, sent on to the labour ministry.
LABOUR_NOTE = {
    "ru": ("трудовых прав", "Министерство занятости и труда"),
    "kk": ("еңбек құқықтарын", "Жұмыспен қамту және еңбек министрлігіне"),
    "en": ("Ministry of Employment and Labor", "to protect the rights of"),
}


@pytest.mark.parametrize("category", sorted(ABSENT_NOTE))
def test_a_note_on_a_missing_or_dead_worker_asks_for_a_search_or_of_the_death(
    people: dict[str, Workspace], category: str
) -> None:
    """The fault: a note on a worker whose relatives cannot find him was written "on the
    protection of the labour rights" of the missing man, asked for measures "to protect his
    rights" and to be forwarded to the Ministry of Employment and Labor; on a dead worker it
    said he «работающего в компании» (works there) and «жұмыс істейді»."""
    case = make_case(people, "female", "KR")
    cases = CaseService(people["aigul"], today=TODAY)
    cases.update_case(case.id, CaseChanges(categories=(category,), claims=()))
    for lang in LANGS:
        note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", lang)))
        for wording in ABSENT_NOTE[category][lang]:
            assert wording in note, (lang, wording, note[:900])
        assert COMPETENT_AUTHORITIES[lang] in note, lang
        said = [w for w in LABOUR_NOTE[lang] if w in note]
        assert not said, (lang, said)


# An employer letter on a missing worker: what the employer is asked, how the letter closes.
MISSING_TO_THE_EMPLOYER = {
    "ru": (
        "указать, когда работник в последний раз был на работе и выходил на связь, известные "
        "Вам адрес его проживания и контактные данные, а также с кем он ушёл, если это Вам "
        "известно;",
        "незамедлительно передать Посольству и полиции любые сведения о местонахождении "
        "работника, которые станут Вам известны;",
        "Рассчитываем на Ваше содействие и благодарим за сотрудничество.",
    ),
    "kk": (
        "жұмыскердің жұмыста соңғы рет қашан болғанын және соңғы рет қашан хабарласқанын, "
        "Сізге белгілі тұрғылықты мекенжайы мен байланыс деректерін, сондай-ақ белгілі болса, "
        "кіммен бірге кеткенін көрсетуді;",
        "жұмыскердің қайда екені туралы Сізге белгілі болған кез келген мәліметті Елшілікке "
        "және полицияға дереу беруді;",
        "Көмектесетініңізге сенім білдіреміз және ынтымақтастығыңыз үшін алғыс айтамыз.",
    ),
    "en": (
        "state when the worker was last at work and last in touch, give the worker's address "
        "and contact details known to you, and say whom the worker left with, if you know;",
        "pass on to the Embassy and the police at once anything you learn of the worker's "
        "whereabouts;",
        "We count on your assistance and thank you for your cooperation.",
    ),
}
# What an employer letter on a missing worker asks of the money and papers owed to the worker:
# kept for the worker or handed to the mission, never paid or returned to one nobody can reach.
MISSING_WORKERS_DUES = {
    "ru": (
        "сохранить для работника 6 600 000 KRW (невыплаченная заработная плата за период "
        "с 01.06.2026 по 31.08.2026) либо выплатить эту сумму Посольству для передачи работнику;",
        "сохранить документы работника, удостоверяющие личность, либо передать их Посольству;",
    ),
    "kk": (
        "жұмыскер үшін сақтауды не жұмыскерге табыстау үшін Елшілікке төлеуді;",
        "жұмыскердің жеке басын куәландыратын құжаттарын сақтауды не оларды Елшілікке беруді;",
    ),
    "en": (
        "hold 6,600,000 KRW (unpaid wages for the period from 1 June 2026 to 31 August 2026) "
        "for the worker, or pay it to the Embassy to be passed on to the worker;",
        "keep the worker's identity documents safe, or hand them to the Embassy;",
    ),
}
PAID_TO_THE_WORKER = {
    "ru": ("выплатить работнику", "вернуть работнику"),
    "kk": ("жұмыскерге 6", "жұмыскерге ұсталып"),
    "en": ("pay the worker", "return the worker"),
}
SEARCH_SAID = {"ru": "местонахожд", "kk": "қайда екенін", "en": "whereabouts"}
REQUESTS_LEAD = {
    "ru": "В связи с изложенным просим Вас:",
    "kk": "Жоғарыда баяндалғанға байланысты Сізден мыналарды сұраймыз:",
    "en": "We therefore ask you to:",
}
RELATIVES_CANNOT_FIND = {
    "ru": "не могут установить",
    "kk": "анықтай алмай",
    "en": "unable to establish",
}
ASKED_TO_INFORM = {"ru": "сообщить", "kk": "хабарлауды", "en": "inform"}
SETTLED = {"ru": "урегулирование вопроса", "kk": "Мәселенің шешілетініне", "en": "settled"}


def test_an_employer_letter_on_a_missing_worker_asks_what_the_employer_knows(
    people: dict[str, Workspace],
) -> None:
    """The fault: an employer letter on a worker his relatives cannot find told the employer
    of the search twice («…с просьбой о содействии в установлении её местонахождения.
    Родственники не могут установить её местонахождение.»), asked nothing but a report of
    "the measures taken" and closed trusting "that the matter can be settled"."""
    case = make_case(people, "female", "KR")
    cases = CaseService(people["aigul"], today=TODAY)
    cases.update_case(case.id, CaseChanges(categories=("whereabouts_unknown",), claims=()))
    for lang in LANGS:
        letter = flat(raw_text(issue(people, case.id, "employer_letter", lang)))
        for wording in MISSING_TO_THE_EMPLOYER[lang]:
            assert wording in letter, (lang, wording, letter[:1200])
        # Told once before the requests (one of which asks for any news of the worker).
        told = letter.split(REQUESTS_LEAD[lang])[0]
        assert told.count(SEARCH_SAID[lang]) == 1, lang
        assert SETTLED[lang] not in letter, lang
        # The fault too: two requests in a row began «сообщить…», two ended «…хабарлауды».
        assert letter.count(ASKED_TO_INFORM[lang]) == 1, (lang, letter[:1200])
    # A referral opens on the relatives' search too: its facts do not say it again.
    for lang in LANGS:
        referral = flat(raw_text(issue(people, case.id, "referral", lang)))
        assert referral.count(RELATIVES_CANNOT_FIND[lang]) == 1, (lang, referral[:1200])
        if lang == "ru":  # the relative clause set off by its comma, with no identity before it
            assert "(NURLANOVA AIGUL), местонахождение которой не могут" in referral, referral


@pytest.mark.parametrize("lang", LANGS)
def test_an_employer_letter_keeps_a_missing_worker_s_wages_and_papers_for_the_worker(
    people: dict[str, Workspace], lang: str
) -> None:
    """The fault: an employer letter on a worker whose relatives cannot find her, who was
    also owed wages and whose passport the employer held, asked the employer to pay her and
    to return her documents to her: to a woman nobody can reach. It asks what the employer
    knows, to keep what is hers for her or hand it to the Embassy, and to pass on any news
    to the Embassy and the police."""
    case = make_case(people, "female", "KR")
    categories = ("unpaid_wages", "documents_withheld", "whereabouts_unknown")
    CaseService(people["aigul"], today=TODAY).update_case(
        case.id, CaseChanges(categories=categories)
    )
    letter = flat(raw_text(issue(people, case.id, "employer_letter", lang)))
    for wording in (*MISSING_TO_THE_EMPLOYER[lang], *MISSING_WORKERS_DUES[lang]):
        assert wording in letter, (wording, letter[:2000])
    # Nor does the missing worker claim the sum: it is claimed on the worker's behalf.
    claimed = {
        "ru": "Сумма требований, заявленных в интересах работника: 6 600 000 KRW",
        "kk": "Жұмыскердің атынан талап етілетін сома: 6 600 000 KRW",
        "en": "The sum claimed on the worker's behalf: 6,600,000 KRW",
    }[lang]
    assert claimed in letter, letter[:2000]
    for paid in PAID_TO_THE_WORKER[lang]:
        assert paid not in letter, (paid, letter[:2000])
    # The search is asked before the money.
    assert letter.index(MISSING_TO_THE_EMPLOYER[lang][0]) < letter.index(
        MISSING_WORKERS_DUES[lang][0]
    )


def test_a_convention_binding_the_host_only_after_the_facts_says_since_when(
    people: dict[str, Workspace],
) -> None:
    """The fault: C029, cited on wages unpaid in 2019, stood among "international standards"
    in a note to Korea, bound by it since 20 April 2022, with nothing to say why a convention
    Korea has ratified was not cited as its law: the day it began to bind Korea follows."""
    case = make_case(people, "female", "KR")
    wages = {"amount": "6600000", "currency": "KRW", "what": "wages"}
    set_claims(people, case.id, wages | {"period_from": "2019-03-01", "period_to": "2019-08-31"})
    agreements = AgreementService(people["aigul"])
    (provision,) = [p for p in agreements.get("ilo-c029").provisions if p.slug == "art-2-1"]
    agreements.cite(case.id, provision.id)
    since = {
        "kk": "(Корея Республикасы үшін 2022 жылғы 20 сәуірден бастап күшінде)",
        "ru": "(для Республики Корея действует с 20 апреля 2022 г.)",
        "en": "(in force for the Republic of Korea since 20 April 2022)",
    }
    for lang, title in (("ru", "(№ 29)"), ("kk", "(№ 29)"), ("en", "(No. 29)")):
        note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", lang)))
        assert flat(since[lang]) in note, lang
        assert note.index(title) < note.index(flat(since[lang])), lang
    # Unpaid in 2023, when it bound Korea: cited as the law, with no such words.
    set_claims(people, case.id, wages | {"period_from": "2023-03-01", "period_to": "2023-08-31"})
    note = flat(raw_text(issue(people, case.id, "note_verbale_labour_authority", "en")))
    assert "(No. 29)" in note and "in force for the Republic of Korea since" not in note


def test_provisions_left_out_are_named_in_the_readers_language(
    people: dict[str, Workspace],
) -> None:
    """The fault: approving a Kazakh employer letter on a Russian screen, the warning named
    the Korean law left out of it in Kazakh, «Ең төменгі жалақы туралы заң», in a Russian
    sentence. Not in the letter, it is named as the reader reads."""
    wages = make_case(people, "female", "KR")  # unpaid wages, passport kept
    service = LetterService(people["aigul"], today=TODAY)
    draft = service.draft(wages.id, "employer_letter", "kk")
    try:
        set_language("ru")
        (left_out,) = [w for w in service.warnings(draft.id) if "не включены положения" in w]
    finally:
        set_language("en")
    assert "Закон о минимальной заработной плате" in left_out
    assert "Ең төменгі жалақы" not in left_out


@pytest.mark.parametrize(
    ("category", "heading"),
    [
        (
            "whereabouts_unknown",
            {"ru": "1. Сведения о разыскиваемой", "kk": "1. Ізделіп жатқан азамат"},
        ),
        ("death_repatriation", {"ru": "1. Сведения об умершей", "kk": "1. Қайтыс болған азамат"}),
    ],
)
def test_hq_s_report_does_not_call_a_missing_or_dead_worker_the_applicant(
    people: dict[str, Workspace], category: str, heading: dict[str, str]
) -> None:
    """The fault: the report to HQ on a case the relatives reported headed its first section
    «1. Заявительница» / «1. Өтініш беруші" ("the applicant") above the missing or dead woman,
    who never applied to the mission."""
    case = make_case(people, "female", "KR")
    cases = CaseService(people["aigul"], today=TODAY)
    cases.update_case(case.id, CaseChanges(categories=(category,), claims=()))
    for lang in ("ru", "kk"):
        text = raw_text(issue(people, case.id, "hq_case_report", lang))
        assert heading[lang] in text, (lang, text[:700])
        assert not re.search(r"(?m)^\d\. (Заявительница|Өтініш беруші)$", text), lang


def test_a_russian_report_ends_a_birth_date_with_one_full_stop(
    people: dict[str, Workspace],
) -> None:
    """The fault: with no passport number and no phone, the report to HQ printed «Ким Саша,
    05.01.1999 г. р..», and the report on an agency, on a worker of unknown sex with no employer
    on file, «…Ким Саши (гражданство Республики Казахстан), 05.01.1999 г. р.,.»."""
    case = make_case(
        people,
        "female",
        "KR",
        passport_no=None,
        iin=None,  # nor a sex: neither the IIN nor the names tell it
        surname="Ким",
        given_names="Саша",
        patronymic="",
        surname_latin="",
        given_names_latin="",
    )
    cases = CaseService(people["aigul"], today=TODAY)
    cases.update_case(case.id, CaseChanges(clear_employer=True))
    for kind in ("hq_case_report", "agency_report"):
        body = flat(raw_text(issue(people, case.id, kind, "ru")))
        assert "15.03.1994 г. р." in body, kind
        assert "г. р.." not in body and "г. р.,." not in body, (kind, body[:900])


@pytest.mark.parametrize("category", ["whereabouts_unknown", "death_repatriation"])
def test_an_agency_report_on_a_missing_or_dead_worker_informs_the_family(
    people: dict[str, Workspace], category: str
) -> None:
    """The fault: the report on an agency, on a case the relatives reported, said the missing
    or dead woman had applied («сообщает об обращении гражданки…», «…азаматының өтініші»), asked
    whether «заявительница» was placed by an agency and for the outcome «для информирования
    заявительницы» / "so that the worker can be told of it"."""
    case = make_case(people, "female", "KR")
    cases = CaseService(people["aigul"], today=TODAY)
    cases.update_case(case.id, CaseChanges(categories=(category,), claims=(), clear_agency=True))
    family = {
        "ru": "для информирования её родственников",
        "kk": "нәтижесін азаматтың туыстарына жеткізу үшін",
        "en": "so that her family can be told of it",
    }
    applied = {
        "ru": ("об обращении гражданки", "заявительниц"),
        "kk": ("Серікқызының өтініші", "Өтініш беруші", "өтініш берушіге"),
        "en": ("the worker can be told",),
    }
    for lang in LANGS:
        body = flat(raw_text(issue(people, case.id, "agency_report", lang)))
        assert family[lang] in body, (lang, body[:1200])
        wrong = [words for words in applied[lang] if words in body]
        assert not wrong, (lang, wrong)


def test_the_kazakh_agency_report_asks_for_the_outcome_without_repeating_itself(
    people: dict[str, Workspace],
) -> None:
    """The fault: «…өтініш берушіге хабарлау үшін нәтижесі туралы Елшілікке хабарлауды
    сұраймыз» said «хабарлау» twice in one request; the outcome is «жеткізу» to the worker."""
    case = make_case(people, "female", "KR")
    body = flat(raw_text(issue(people, case.id, "agency_report", "kk")))
    wanted = "нәтижесін өтініш берушіге жеткізу үшін Елшілікке хабарлауды сұраймыз"
    assert wanted in body, body[:1200]
    request = body.split("ден қою шараларын")[1].split("сұраймыз")[0]
    assert request.count("хабарла") == 1, request


def test_a_russian_agency_report_sets_off_the_worker_s_employer_with_a_comma(
    people: dict[str, Workspace],
) -> None:
    """The fault: with no identity details to print and no agency on file, the participle
    followed the name without its comma: «…Әбенова Нұрлана Серікұлы трудоустроенного в
    компанию…»."""
    case = make_case(people, "male", "KR", passport_no=None, iin=None, birth_date=None)
    cases = CaseService(people["aigul"], today=TODAY)
    cases.update_case(case.id, CaseChanges(clear_agency=True))
    body = flat(raw_text(issue(people, case.id, "agency_report", "ru")))
    assert "Әбенова Нұрлана Серікұлы, трудоустроенного в компанию" in body, body[:900]


def test_hq_s_report_says_the_worker_is_a_minor(people: dict[str, Workspace]) -> None:
    """The fault: the report to HQ on a girl of 16 gave her birth date among the identity
    details and never said she was a minor, which is what HQ has to act on first."""
    child = make_case(people, "female", "KR", birth_date=date(2010, 4, 2), iin=None)
    adult = make_case(
        people, "male", "KR", iin=make_iin(date(1990, 5, 2), "male", 5127), passport_no="N55501234"
    )
    said = {
        "ru": "На дату доклада ей не исполнилось 18 лет.",
        "kk": "Баяндама жасалған күні оған 18 жас толмаған.",
        "en": "She is under 18 at the date of this report.",
    }
    for lang in LANGS:
        assert said[lang] in flat(raw_text(issue(people, child.id, "hq_case_report", lang)))
        assert "18" not in flat(raw_text(issue(people, adult.id, "hq_case_report", lang)))
