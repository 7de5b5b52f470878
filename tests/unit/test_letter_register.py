"""The outgoing-letter register: drafting, approval, issue, numbering, storage, verification."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.db.models import (
    Agreement,
    AgreementProvision,
    AuditEntry,
    CaseCitation,
    CaseEvent,
    Counter,
    Letter,
    User,
)
from app.domain.events import compose
from app.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.letters import LETTER_KINDS, Addressee
from app.services.cases import CaseService
from app.services.letters import (
    LetterFields,
    LetterFilter,
    LetterInfo,
    LetterService,
    kinds,
    outgoing_number,
)
from app.services.records import CaseDetail, CaseInput, OrganisationInput, PersonInput
from app.services.users import UserService
from app.services.workspace import Workspace
from tests.conftest import PASSWORD, OpenWs
from tests.unit.test_letters_render import ASSEL_DOCUMENTED, text_of

# The PostgreSQL run is `slow` (long: demo missions, age, letters as PDF); CI runs it.
pytestmark = pytest.mark.both_engines(slow=True)

TODAY = date(2026, 11, 24)
KAZAKH_LETTERS = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"
HOSTILE = "Kim & Sons <b>Ltd</b> \"Best\" 'Co'"
DESCRIPTION = f"Үш ай бойы жалақы төленбеген; паспорт жұмыс берушіде. {KAZAKH_LETTERS}"
# The facts paragraph says what the case's category unpaid_wages means, in each language.
CATEGORY_LABELS = {
    "kk": "жалақы төлемейді",
    "ru": "не выплачивает",
    "en": "does not pay",
}


@pytest.fixture
def people(open_ws: OpenWs) -> dict[str, Workspace]:
    admin = open_ws("admin")
    with admin.write() as session:
        for username, name, phone in (
            ("serik", "Серік Болатұлы Жақсыбеков", "+82 2 000 0001"),
            ("aigul", "Айгүл Сәрсенбаева", "+82 2 000 0002"),
        ):
            user = session.execute(select(User).where(User.username == username)).scalar_one()
            user.full_name, user.phone = name, phone
    return {name: open_ws(name) for name in ("aigul", "serik", "admin", "astana")}


@pytest.fixture
def case(people: dict[str, Workspace]) -> CaseDetail:
    return CaseService(people["aigul"], today=TODAY).create_case(
        CaseInput(
            host_country="KR",
            categories=("unpaid_wages", "documents_withheld"),
            received_at=date(2026, 11, 2),
            person=PersonInput(**ASSEL_DOCUMENTED, phone_abroad="+82 10 1234 5678"),
            employer=OrganisationInput(name=HOSTILE, country="KR", city="Incheon"),
            agency=OrganisationInput(name="Ұлы Дала Һорizon", country="KZ", city="Almaty"),
            description=DESCRIPTION,
        )
    )


def service(ws: Workspace) -> LetterService:
    return LetterService(ws, today=TODAY)


def issued(
    people: dict[str, Workspace], case_id: str, kind: str, lang: str, **fields: Any
) -> LetterInfo:
    """Drafted by the attaché, approved by the consul, issued by the attaché."""
    draft = service(people["aigul"]).draft(case_id, kind, lang, LetterFields(**fields))
    service(people["serik"]).approve(draft.id)
    return service(people["aigul"]).issue(draft.id)


def test_kinds_are_the_six_stable_codes() -> None:
    found = kinds()
    assert [k.code for k in found] == list(LETTER_KINDS)
    assert found[1].label == "Letter to the employer"
    assert found[1].names["kk"] == "Жұмыс берушіге хат"


def test_outgoing_number_format() -> None:
    assert outgoing_number("SEL", 2026, 42) == "SEL-2026/0042"


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_every_kind_is_issued_with_every_field_of_the_case(
    people: dict[str, Workspace], case: CaseDetail, lang: str
) -> None:
    free = f"Қосымша: {KAZAKH_LETTERS}\n\nA & B < C > D"
    for index, kind in enumerate(LETTER_KINDS, start=1):
        info = issued(
            people,
            case.id,
            kind,
            lang,
            free_text=free,
            addressee=Addressee("Kim Min-jun", HOSTILE, "Seoul", "Director"),
            subject=f"Тақырып {kind}",
            incoming_ref=("15-02/311", date(2026, 11, 15)),
            attachments=("көшірме, 1 п.",),
        )
        assert info.outgoing_number == f"SEL-2026/{index:04d}"
        pdf = service(people["aigul"]).pdf(info.id)
        assert hashlib.sha256(pdf).hexdigest() == info.pdf_sha256
        text = text_of(pdf)
        assert f"SEL-2026/{index:04d}" in text, kind
        if lang != "en":
            assert "Құрманғалиқызы Әсел" in text, kind
        if lang == "en":
            assert "Assel Kurmangalikyzy" in text, kind
        elif kind not in {"agency_report", "hq_case_report"}:
            assert "KURMANGALIKYZY ASSEL" in text, kind
        if kind == "note_verbale_labour_authority":  # sealed and initialled: no executor
            assert {"kk": "М.О.", "ru": "М.П.", "en": "L.S."}[lang] in text
            assert "Сәрсенбаева" not in text and "Sarsenbaeva" not in text
            continue
        assert case.number in text, kind
        if kind != "assistance_certificate":  # a certificate names no complaint
            assert CATEGORY_LABELS[lang] in text, kind
        assert KAZAKH_LETTERS in text, kind  # the officer's text, intact
        assert "A & B < C > D" in text and "&amp;" not in text, kind
        assert HOSTILE in text, kind
        executor = "Aigul Sarsenbaeva" if lang == "en" else "Айгүл Сәрсенбаева"
        assert executor in text and "+82 2 000 0002" in text, kind  # executor
        assert ("S.B. Zhaksybekov" if lang == "en" else "С.Б. Жақсыбеков") in text, kind
        # The description as typed (here in Kazakh) never goes into a letter: the facts
        # paragraph, written in the letter's language, does.
        assert DESCRIPTION not in text, kind
        if kind in ("agency_report", "hq_case_report"):
            assert "Ұлы Дала Һорizon" in text, kind


def test_issue_stores_pdf_timeline_and_audit(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    info = issued(people, case.id, "employer_letter", "en")
    assert info.status == "issued" and info.letter_date == TODAY
    assert info.drafted_by == "aigul" and info.approved_by == "serik" and info.issued_by == "aigul"
    assert info.content_digest and len(info.content_digest) == 64
    with people["admin"].read() as session:
        row = session.get(Letter, info.id)
        assert row is not None and row.pdf is not None
        assert hashlib.sha256(row.pdf).hexdigest() == row.pdf_sha256 == info.pdf_sha256
        events = (
            session.execute(
                select(CaseEvent).where(
                    CaseEvent.case_id == case.id, CaseEvent.kind == "letter_sent"
                )
            )
            .scalars()
            .all()
        )
        assert len(events) == 1
        assert events[0].data["event"] == "letter_issued"
        assert events[0].data["params"]["number"] == "SEL-2026/0001"
        assert "SEL-2026/0001" in compose(events[0].data, events[0].text, "en")
        assert events[0].data["letter_id"] == info.id
        actions = (
            session.execute(
                select(AuditEntry.action)
                .where(AuditEntry.entity_id == info.id)
                .order_by(AuditEntry.seq)
            )
            .scalars()
            .all()
        )
        assert actions == ["letter.draft", "letter.approve", "letter.issue"]
    timeline = CaseService(people["admin"]).get_case(case.id).events
    assert [e.kind for e in timeline][-1] == "letter_sent"


def test_verify_accepts_the_issued_file_and_rejects_a_changed_one(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    info = issued(people, case.id, "assistance_certificate", "kk")
    letters = service(people["astana"])  # anyone may check a letter
    pdf = letters.pdf(info.id)
    result = letters.verify(pdf)
    assert result.matched and result.letter is not None
    assert result.letter.outgoing_number == "SEL-2026/0001"
    assert result.message == (
        "The file matches letter SEL-2026/0001 of 24 Nov 2026 in the register "
        f"(case {case.number}, Certificate of assistance)."
    )
    middle = len(pdf) // 2
    changed = pdf[:middle] + bytes([pdf[middle] ^ 1]) + pdf[middle + 1 :]  # one bit flipped
    rejected = letters.verify(changed)
    assert not rejected.matched and rejected.letter is None
    assert "does not match any letter in the register" in rejected.message
    assert not letters.verify(pdf[:-1]).matched
    preview = letters.render_preview(service(people["aigul"]).draft(case.id, "referral", "en").id)
    draft = letters.verify(preview)  # a draft is never a registered letter, and is told so
    assert not draft.matched and draft.message.startswith("This file is a draft")
    assert "does not match" in letters.verify(pdf[:-1]).message  # an issued one, cut


def test_qr_code_text_is_checked_against_the_register(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    info = issued(people, case.id, "employer_letter", "ru")
    letters = service(people["admin"])
    ok = letters.verify_code(f"QORGAU|{info.outgoing_number}|{info.content_digest}")
    assert ok.matched and ok.letter is not None and ok.letter.id == info.id
    wrong = letters.verify_code(f"QORGAU|{info.outgoing_number}|{'0' * 64}")
    assert not wrong.matched
    with pytest.raises(ValidationError, match="not a Qorgau letter code"):
        letters.verify_code("hello")


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (
            "QORGAU|SEL-2026/0002|abc",
            "must be 64 hexadecimal characters (0–9, a–f); this one has 3",
        ),
        ("QORGAU|SEL-2026/0002|" + "a" * 63, "this one has 63. The code was cut or misread."),
        ("QORGAU|SEL-2026/0002|" + "a" * 62 + "xz", "this one also has x z. The code was misread"),
        ("QORGAU|SEL-2026/0002", "its check part (a | and 64 hexadecimal characters) is missing"),
        ("QORGAU||" + "a" * 64, "no letter number after QORGAU|"),
        ("QORGAU:SEL-2026/0002", "This is not a Qorgau letter code; it starts with QORGAU|."),
    ],
)
def test_a_code_that_is_not_one_is_refused_with_what_is_wrong(
    people: dict[str, Workspace], code: str, said: str
) -> None:
    """The fault: «QORGAU|SEL-2026/0002|abc» was refused as "not a Qorgau letter code; it
    starts with QORGAU|", which contradicts what was typed; the message now says what part is
    wrong and why (cut or misread)."""
    with pytest.raises(ValidationError) as refused:
        service(people["admin"]).verify_code(code)
    assert said in str(refused.value)


@pytest.mark.sqlcipher_only("adds a user: key slots here, PostgreSQL roles at HQ (hq setup)")
def test_workflow_roles_and_states(
    people: dict[str, Workspace], case: CaseDetail, open_ws: OpenWs
) -> None:
    aigul, serik = service(people["aigul"]), service(people["serik"])
    draft = aigul.draft(case.id, "employer_letter", "en")
    assert draft.status == "draft" and draft.addressee.organisation == HOSTILE  # from the case
    assert draft.subject == f"Case No. {case.number}: Assel Kurmangalikyzy"
    with pytest.raises(PermissionDenied):
        aigul.approve(draft.id)
    with pytest.raises(PermissionDenied):
        service(people["astana"]).draft(case.id, "employer_letter", "en")
    with pytest.raises(ConflictError, match="must be approved by a consul"):
        aigul.issue(draft.id)
    approved = serik.approve(draft.id)
    assert approved.status == "approved" and approved.approved_by == "serik"
    # Editing an approved letter withdraws the approval.
    edited = aigul.update_draft(draft.id, LetterFields(subject="New subject", free_text="x"))
    assert edited.status == "draft" and edited.approved_by is None
    assert edited.addressee.organisation == HOSTILE
    serik.approve(draft.id)
    UserService(people["admin"]).add("dana", "attache", PASSWORD)
    with pytest.raises(PermissionDenied, match="drafted this letter"):
        service(open_ws("dana")).issue(draft.id)
    done = serik.issue(draft.id)
    assert done.outgoing_number == "SEL-2026/0001" and done.issued_by == "serik"
    with pytest.raises(ConflictError, match="already issued as SEL-2026/0001"):
        serik.issue(draft.id)
    with pytest.raises(ConflictError, match="can no longer change"):
        aigul.update_draft(draft.id, LetterFields(subject="Later"))
    with pytest.raises(ConflictError, match="can no longer change"):
        aigul.discard(draft.id)


def test_hq_analyst_cannot_issue(people: dict[str, Workspace], case: CaseDetail) -> None:
    draft = service(people["aigul"]).draft(case.id, "employer_letter", "en")
    service(people["serik"]).approve(draft.id)
    with pytest.raises(PermissionDenied):
        service(people["astana"]).issue(draft.id)


def test_bad_input_is_refused_and_nothing_written(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    aigul = service(people["aigul"])
    with pytest.raises(ValidationError, match="Unknown letter kind: poem"):
        aigul.draft(case.id, "poem", "en")
    with pytest.raises(ValidationError, match="not de"):
        aigul.draft(case.id, "referral", "de")
    with pytest.raises(NotFound, match="No such case"):
        aigul.draft("nope", "referral", "en")
    with pytest.raises(ValidationError, match="too long"):
        aigul.draft(case.id, "referral", "en", LetterFields(subject="x" * 501))
    with pytest.raises(ValidationError, match="cannot be printed"):
        aigul.draft(case.id, "referral", "en", LetterFields(free_text="bell \x07"))
    with pytest.raises(ValidationError, match="cannot be in the future"):
        aigul.draft(case.id, "referral", "en", LetterFields(incoming_ref=("1", date(2027, 1, 1))))
    with pytest.raises(ValidationError, match="Their number must not be empty"):
        aigul.draft(case.id, "referral", "en", LetterFields(incoming_ref=(" ", TODAY)))
    assert aigul.count() == 0
    # A referral with no partner on file needs an addressee before approval.
    draft = aigul.draft(case.id, "referral", "en")
    with pytest.raises(ValidationError, match="Name the organisation"):
        service(people["serik"]).approve(draft.id)


def test_very_long_text_runs_over_pages_and_reads_back(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    paragraph = "Жұмыс беруші Әселге жалақыны төлемеді, құжаттарын қайтармады. " * 12
    long_text = "\n\n".join(f"{n}. {paragraph}" for n in range(1, 25))
    word = "Ә" * 400  # a "word" wider than the page must wrap, not overflow
    info = issued(people, case.id, "hq_case_report", "kk", free_text=f"{long_text}\n\n{word}")
    pdf = service(people["aigul"]).pdf(info.id)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 4
    text = text_of(pdf)
    assert "24. Жұмыс беруші" in text
    assert text.replace(" ", "").count("Ә" * 50) >= 1


def test_register_filters(people: dict[str, Workspace], case: CaseDetail) -> None:
    issued(people, case.id, "employer_letter", "en")
    issued(people, case.id, "referral", "ru", addressee=Addressee("", "Center", ""))
    service(people["aigul"]).draft(case.id, "hq_case_report", "kk")
    letters = service(people["admin"])
    everything = letters.list_letters()
    assert [r.outgoing_number for r in everything] == [None, "SEL-2026/0002", "SEL-2026/0001"]
    assert [r.kind for r in letters.list_letters(LetterFilter(kind="referral"))] == ["referral"]
    assert len(letters.list_letters(LetterFilter(status="issued"))) == 2
    assert len(letters.list_letters(LetterFilter(year=2026, status="issued"))) == 2
    assert letters.list_letters(LetterFilter(year=2025)) == []
    assert len(letters.list_letters(LetterFilter(case_number=case.number.lower()))) == 3
    russian_layout = "ЫУД" + case.number[3:]  # typed with the Russian layout still on
    assert len(letters.list_letters(LetterFilter(case_number=russian_layout))) == 3
    assert letters.count(LetterFilter(case_id=case.id)) == 3
    with pytest.raises(ValidationError, match="Unknown letter status"):
        letters.list_letters(LetterFilter(status="lost"))
    assert letters.get_by_number("SEL-2026/0002").kind == "referral"


def test_numbering_restarts_each_year_and_skips_nothing(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    first = issued(people, case.id, "employer_letter", "en")
    draft = service(people["aigul"]).draft(case.id, "employer_letter", "en")
    service(people["serik"]).approve(draft.id)
    next_year = LetterService(people["serik"], today=date(2027, 1, 5)).issue(draft.id)
    assert (first.outgoing_number, next_year.outgoing_number) == ("SEL-2026/0001", "SEL-2027/0001")
    with people["admin"].read() as session:
        counters = dict(
            session.execute(
                select(Counter.name, Counter.value).where(Counter.name.like("letter:%"))
            ).all()
        )
    assert counters == {"letter:SEL:2026": 1, "letter:SEL:2027": 1}


def test_a_failed_issue_consumes_no_number(
    people: dict[str, Workspace], case: CaseDetail, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = service(people["aigul"]).draft(case.id, "employer_letter", "en")
    service(people["serik"]).approve(draft.id)

    def broken(_context: object) -> bytes:
        raise ValidationError("renderer broke")

    monkeypatch.setattr("app.services.letters.render_letter", broken)
    with pytest.raises(ValidationError, match="renderer broke"):
        service(people["serik"]).issue(draft.id)
    monkeypatch.undo()
    assert service(people["serik"]).issue(draft.id).outgoing_number == "SEL-2026/0001"


def test_citations_of_the_case_go_to_governments_and_employers_get_host_law(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    """The fault: whatever the officer cited on the case (an ILO convention here) went to the
    employer as «the rules governing labour relations in the Republic of Korea»; an employer
    letter now cites the host's law on the case's complaints (issue 15 item 6)."""
    with people["admin"].write() as session:
        agreement = Agreement(
            slug="ilo-c181",
            kind="ilo_convention",
            title_en="ILO Convention C181",
            title_ru="Конвенция МОТ № 181",
            title_kk="ХЕҰ-ның № 181 конвенциясы",
            status="in_force",
            verified=True,
        )
        session.add(agreement)
        session.flush()
        provision = AgreementProvision(
            agreement_id=agreement.id,
            slug="art7",
            article="Art. 7",
            summary_en="No fees charged to workers",
            summary_kk="Жұмыскерлерден ақы алынбайды",
            verified=False,
        )
        session.add(provision)
        session.flush()
        session.add(CaseCitation(case_id=case.id, provision_id=provision.id))
    note = text_of(
        service(people["aigul"]).pdf(
            issued(people, case.id, "note_verbale_labour_authority", "kk").id
        )
    )
    assert "ХЕҰ-ның № 181 конвенциясы" in note
    assert "Жұмыскерлерден ақы алынбайды (тексерілмеген)" in note
    employer = " ".join(
        text_of(
            service(people["aigul"]).pdf(issued(people, case.id, "employer_letter", "ru").id)
        ).split()
    )
    assert "Конвенция" not in employer and "181" not in employer
    # The case is of unpaid wages and a withheld passport: the Korean statutes on those are
    # not checked (its passport law, Art. 33-3, is marked not to be cited until it is), so the
    # letter names none. Nor Art. 55 (the paid weekly day of rest a monthly minimum wage rests
    # on), which is about rest, not pay; nor Art. 50 (hours): hours are no complaint here.
    assert "регулируются следующими нормами:" not in employer
    assert "Minimum Wage Act" not in employer and "Immigration Act" not in employer
    assert "ст. 55" not in employer and "ст. 50" not in employer


def test_preview_registers_nothing(people: dict[str, Workspace], case: CaseDetail) -> None:
    letters = service(people["aigul"])
    pdf = letters.preview_for_case(case.id, "note_verbale_labour_authority", "ru", LetterFields())
    text = text_of(pdf)
    # A note goes to the host state's MFA by default, asking it to forward to the ministry.
    assert "ПРОЕКТ" in text and "Министерству иностранных дел Республики Корея" in text
    assert "в Министерство занятости и труда Республики Корея" in text
    with people["admin"].read() as session:
        assert session.execute(select(func.count(Letter.id))).scalar_one() == 0
        assert (
            session.execute(select(Counter.value).where(Counter.name.like("letter:%"))).first()
            is None
        )


def test_a_note_about_a_worker_in_another_state_is_not_addressed_to_it_in_this_city(
    people: dict[str, Workspace],
) -> None:
    """The Seoul embassy's note about a worker in Türkiye was addressed to «the Ministry of
    Foreign Affairs of the Republic of Türkiye, Seoul»: that ministry is not here, and a
    note to it goes through the mission accredited there. The address is left for the
    officer to write, and the approver is told why; a case in the mission's own state
    keeps the mission's city."""

    def wage_case_in(country: str) -> CaseDetail:
        return CaseService(people["aigul"], today=TODAY).create_case(
            CaseInput(
                host_country=country,
                categories=("unpaid_wages",),
                received_at=date(2026, 11, 2),
                person=PersonInput(**ASSEL_DOCUMENTED),
            ),
            allow_duplicate_person=True,
        )

    elsewhere = wage_case_in("TR")
    letters = service(people["aigul"])
    note = letters.draft(elsewhere.id, "note_verbale_labour_authority", "en")
    assert note.addressee.organisation == "Ministry of Foreign Affairs of the Republic of Türkiye"
    assert note.addressee.address == ""
    warned = [w for w in letters.warnings(note.id) if "accredited" in w]
    assert warned and "Türkiye" in warned[0] and "Korea" in warned[0]

    at_home = letters.draft(wage_case_in("KR").id, "note_verbale_labour_authority", "en")
    assert at_home.addressee.address == "Seoul"
    assert not [w for w in letters.warnings(at_home.id) if "accredited" in w]
