"""The case services: registration, duplicates, list, workflow, timeline, attachments."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.db.models import Attachment, AuditEntry, Case, Person
from app.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.i18n import language_override
from app.services import csv_import
from app.services.cases import (
    CaseService,
    DuplicatePersonWarning,
    looks_like_identity_document,
    read_attachment,
)
from app.services.people import PersonService
from app.services.records import (
    CaseChanges,
    CaseFilter,
    CaseInput,
    OrganisationInput,
    PersonInput,
)
from app.services.workspace import Workspace
from tests.builders import ASSEL_IDENTIFIED, NURLAN, TODAY, new_case, wage_case
from tests.conftest import OpenWs, count
from tests.keyboards import KAZAKH, typed_on

pytestmark = pytest.mark.both_engines


def test_create_case_numbers_and_records_everything(open_ws: OpenWs) -> None:
    ws = open_ws("aigul")
    service = CaseService(ws)
    first = service.create_case(new_case())
    second = service.create_case(
        new_case(
            NURLAN, host_country="KR", employer=None, categories=("violence",), urgency="critical"
        )
    )
    year = TODAY.year
    assert first.number == f"SEL-{year}-0001" and second.number == f"SEL-{year}-0002"
    assert first.status == "new"
    assert first.person.birth_date == date(1994, 3, 15)  # taken from the IIN
    assert first.person.sex == "female"
    assert first.employer is not None and first.employer.name == "Example İnşaat Ltd"
    assert first.categories == ("documents_withheld", "unpaid_wages")
    assert not first.life_or_liberty_at_risk and second.life_or_liberty_at_risk
    assert first.due_date == first.received_at + timedelta(days=7)  # high urgency
    assert [e.kind for e in first.events] == ["system"]
    with ws.read() as session:
        actions = session.execute(select(AuditEntry.action, AuditEntry.entity_id)).all()
    assert ("case.create", first.number) in actions


def test_duplicate_person_is_flagged_not_silently_twinned(ws: Workspace) -> None:
    service = CaseService(ws)
    service.create_case(new_case())
    people = count(ws, Person)
    twin = replace(ASSEL_IDENTIFIED, passport_no="N99999999")
    with pytest.raises(DuplicatePersonWarning, match="same IIN") as warning:
        service.create_case(new_case(twin))
    assert count(ws, Person) == people
    match = warning.value.matches[0]
    assert "Құрманғалиқызы" in match.full_name
    again = service.create_case(new_case(person=None, person_id=match.person_id))
    assert again.person.id == match.person_id
    forced = service.create_case(new_case(twin), allow_duplicate_person=True)
    assert forced.person.id != match.person_id


def test_an_identifier_typed_on_a_case_that_another_worker_holds_is_refused(
    ws: Workspace,
) -> None:
    """The fault: the duplicate check ran on a new case only. A worker who came back with
    their IIN, typed on their case, silently became a second record of a worker on file, and
    the search listed both as different people."""
    service = CaseService(ws)
    held = service.create_case(new_case())
    other = service.create_case(new_case(NURLAN))
    people = count(ws, Person)
    born = ASSEL_IDENTIFIED.birth_date  # as her IIN says: only the IIN is someone else's
    for field, value in (("iin", ASSEL_IDENTIFIED.iin), ("passport_no", "N12345678")):
        typed = replace(NURLAN, birth_date=born, **{field: value})
        said = f"already on file for Құрманғалиқызы Әсел \\({held.number}\\)"
        with pytest.raises(ValidationError, match=said) as refused:
            service.update_case(other.id, CaseChanges(person=typed))
        assert refused.value.field == field
    assert count(ws, Person) == people
    assert service.get_case(other.id).person.iin is None
    # Her own numbers, saved again with another change, are not asked about.
    mine = service.update_case(
        held.id, CaseChanges(person=replace(ASSEL_IDENTIFIED, phone_abroad="+90 532 111 2233"))
    )
    assert mine.person.iin == ASSEL_IDENTIFIED.iin


def test_a_consent_is_not_dated_before_the_worker_was_born(ws: Workspace) -> None:
    """The fault: a consent dated 1980 for a worker born in 1994 was accepted. (Scopes the form
    does not know are kept as other tools wrote them: see the person form's tests.)"""
    service = CaseService(ws)
    early = replace(ASSEL_IDENTIFIED, consent_date=date(1980, 11, 1))
    with pytest.raises(ValidationError, match="before the person was born"):
        service.create_case(new_case(early))
    assert count(ws, Person) == 0


@pytest.mark.parametrize(
    ("person", "field", "message"),
    [
        (replace(ASSEL_IDENTIFIED, iin="940315400124"), "iin", "check digit"),
        (replace(ASSEL_IDENTIFIED, iin="94031540012"), "iin", "12 digits"),
        (
            replace(ASSEL_IDENTIFIED, birth_date=date(1995, 1, 1)),
            "birth_date",
            "does not match the IIN",
        ),
        (replace(ASSEL_IDENTIFIED, surname="  "), "surname", "must not be empty"),
        (replace(ASSEL_IDENTIFIED, passport_no="№ 12"), "passport_no", "passport number"),
        # Two days: still the future if the run passes midnight after collecting this.
        (replace(NURLAN, birth_date=TODAY + timedelta(days=2)), "birth_date", "future"),
    ],
)
def test_bad_person_saves_nothing(
    ws: Workspace, person: PersonInput, field: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as error:
        CaseService(ws).create_case(new_case(person))
    assert error.value.field == field
    assert count(ws, Case) == 0 and count(ws, Person) == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"categories": ()}, "at least one"),
        ({"categories": ("wages",)}, "Unknown code"),
        ({"host_country": "XX"}, "ISO country"),
        ({"urgency": "asap"}, "Unknown code"),
        ({"received_at": TODAY + timedelta(days=2)}, "future"),
        ({"due_date": TODAY - timedelta(days=4)}, "cannot be before the date the case was"),
        ({"description": "x" * 300_000}, "too long"),
        ({"assigned_to": "nobody"}, "not an active officer"),
    ],
)
def test_bad_case_saves_nothing(ws: Workspace, overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CaseService(ws).create_case(new_case(**overrides))  # type: ignore[arg-type]
    assert count(ws, Case) == 0 and count(ws, Person) == 0


def test_hq_cannot_register_cases(open_ws: OpenWs) -> None:
    with pytest.raises(PermissionDenied):
        CaseService(open_ws("astana")).create_case(new_case())


def test_hostile_text_is_stored_as_written(ws: Workspace) -> None:
    hostile = 'Kim & Sons <Ltd> "Best"; DROP TABLE person; --'
    detail = CaseService(ws).create_case(
        new_case(description=hostile, employer=OrganisationInput(name=hostile, country="KR"))
    )
    again = CaseService(ws).get_case(detail.id)
    assert again.description == hostile and again.employer is not None
    assert again.employer.name == hostile


def test_status_workflow_with_roles_timeline_and_audit(open_ws: OpenWs) -> None:
    attache = CaseService(open_ws("aigul"))
    consul = CaseService(open_ws("serik"))
    case = attache.create_case(new_case())
    assert set(case.allowed_statuses) == {"in_progress", "referred", "resolved"}
    case = attache.set_status(case.id, "in_progress", "Statement taken")
    case = attache.set_status(case.id, "resolved", "Wages paid")
    with pytest.raises(PermissionDenied):
        attache.set_status(case.id, "closed", "done")
    with pytest.raises(ValidationError):
        attache.set_status(case.id, "awaiting_response", "not allowed from resolved")
    case = consul.set_status(case.id, "closed", "Confirmed by the worker")
    assert case.closed_at is not None
    with pytest.raises(ValidationError, match="reason"):
        consul.set_status(case.id, "in_progress", "")
    case = consul.set_status(case.id, "in_progress", "The worker came back")
    assert case.closed_at is None and case.status == "in_progress"
    moves = [
        (e.status_from, e.status_to, e.author) for e in case.events if e.kind == "status_change"
    ]
    assert moves == [
        ("new", "in_progress", "aigul"),
        ("in_progress", "resolved", "aigul"),
        ("resolved", "closed", "serik"),
        ("closed", "in_progress", "serik"),
    ]


def test_stale_version_is_refused(open_ws: OpenWs) -> None:
    """The refusal names who changed the case meanwhile (the audit log's last actor on it)."""
    case = CaseService(open_ws("admin")).create_case(new_case())
    CaseService(open_ws("aigul")).update_case(
        case.id, CaseChanges(description="first edit"), case.version
    )
    service = CaseService(open_ws("serik"))
    with pytest.raises(ConflictError, match="^aigul changed this record"):
        service.update_case(case.id, CaseChanges(description="second edit"), case.version)
    assert service.get_case(case.id).description == "first edit"


def test_update_case_fields(ws: Workspace) -> None:
    service = CaseService(ws)
    case = service.create_case(new_case())
    updated = service.update_case(
        case.id,
        CaseChanges(
            categories=("unpaid_wages", "violence"),
            ilo_indicators=("withholding_of_wages",),
            urgency="critical",
            life_or_liberty_at_risk=True,
            clear_employer=True,
        ),
    )
    assert updated.categories == ("unpaid_wages", "violence")
    assert updated.ilo_indicators == ("withholding_of_wages",)
    assert updated.employer is None and updated.urgency == "critical"
    assert updated.version > case.version


def test_list_filters_sorting_and_paging(ws: Workspace) -> None:
    service = CaseService(ws)
    for i, (country, cats) in enumerate(
        [
            ("TR", ("unpaid_wages",)),
            ("KR", ("violence",)),
            ("KR", ("unpaid_wages",)),
            ("AE", ("other",)),
        ]
    ):
        person = replace(NURLAN, given_names=f"Нұрлан{i}", birth_date=date(1990, 1, i + 1))
        service.create_case(
            new_case(
                person,
                host_country=country,
                categories=cats,
                employer=None,
                received_at=TODAY - timedelta(days=10 - i),
            )
        )
    assert service.count_cases() == 4
    assert service.count_cases(CaseFilter(host_country="KR")) == 2
    assert service.count_cases(CaseFilter(category="unpaid_wages")) == 2
    assert service.count_cases(CaseFilter(life_or_liberty=True)) == 1
    newest_first = service.list_cases(CaseFilter(sort="received_at", descending=True))
    assert [r.host_country for r in newest_first] == ["AE", "KR", "KR", "TR"]
    page = service.list_cases(CaseFilter(sort="number", descending=False), offset=1, limit=2)
    assert [r.number[-4:] for r in page] == ["0002", "0003"]
    assert page[0].categories == ("violence",)


def test_a_follow_up_date_before_the_case_came_in_is_refused_and_changes_nothing(
    ws: Workspace,
) -> None:
    """A mistyped year (2025 for 2026) made a case overdue, and escalated to the consul, the
    moment it was saved."""
    service = CaseService(ws)
    case = service.create_case(new_case())  # received three days ago
    before = service.get_case(case.id)
    for change in (
        lambda: service.update_case(case.id, CaseChanges(due_date=TODAY - timedelta(days=368))),
        lambda: service.assign(case.id, None, due_date=TODAY - timedelta(days=4)),
    ):
        with pytest.raises(ValidationError, match="cannot be before") as error:
            change()
        assert error.value.field == "due_date"
    after = service.get_case(case.id)
    assert (after.due_date, after.version) == (before.due_date, before.version)
    # The day it came in is a due date one may set (same-day follow-up).
    service.update_case(case.id, CaseChanges(due_date=TODAY - timedelta(days=3)))


def test_overdue_escalation_until_acted_on(ws: Workspace) -> None:
    service = CaseService(ws)
    case = service.create_case(new_case(due_date=TODAY - timedelta(days=1)))
    fresh = service.create_case(new_case(NURLAN, due_date=TODAY + timedelta(days=10)))
    assert service.get_case(case.id).deadline == "red"
    assert service.get_case(fresh.id).deadline == "green"
    assert service.count_cases(CaseFilter(overdue=True)) == 1
    assert service.escalate_overdue() == 1
    assert service.escalate_overdue() == 0
    escalated = service.list_cases(CaseFilter(escalated=True))
    assert [r.number for r in escalated] == [case.number]
    assert service.get_case(case.id).events[-1].kind == "escalation"
    service.update_case(case.id, CaseChanges(due_date=TODAY + timedelta(days=5)))
    assert service.list_cases(CaseFilter(escalated=True)) == []


def test_timeline_entries(ws: Workspace) -> None:
    service = CaseService(ws)
    case = service.create_case(new_case())
    service.add_event(case.id, "call", "Called the employer; promised to pay on Friday.")
    with pytest.raises(ValidationError, match="made by the system"):
        service.add_event(case.id, "status_change", "sneaky")
    with pytest.raises(ValidationError, match="must not be empty"):
        service.add_event(case.id, "note", "   ")
    kinds = [e.kind for e in service.get_case(case.id).events]
    assert kinds == ["system", "call"]
    # Notes are searchable.
    assert [r.number for r in service.search("Friday")] == [case.number]


def test_attachments(ws: Workspace, tmp_path: Path) -> None:
    service = CaseService(ws)
    case = service.create_case(new_case())
    info = service.add_attachment(case.id, "C:\\scans\\contract.pdf", b"%PDF-1.4 contract")
    assert info.filename == "contract.pdf" and info.mime_type == "application/pdf"
    assert info.size == 17 and len(info.sha256) == 64
    assert service.attachment_content(info.id)[1] == b"%PDF-1.4 contract"
    assert looks_like_identity_document("Passport scan.jpg")
    # Named as officers and phones name them (were stored without the warning).
    for name in ("Төлқұжат.jpg", "pasport.jpg", "ID.jpg", "udostoverenie.jpg", "id-front.png"):
        assert looks_like_identity_document(name), name
    for name in ("idea.pdf", "video.mp4", "contract.pdf"):
        assert not looks_like_identity_document(name), name
    with pytest.raises(ValidationError, match="restricts keeping copies"):
        service.add_attachment(case.id, "passport.jpg", b"jpeg", is_identity_document=True)
    with pytest.raises(ValidationError, match="at most 25 MB"):
        service.add_attachment(case.id, "big.bin", b"x" * (25 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="empty"):
        service.add_attachment(case.id, "empty.txt", b"")
    assert count(ws, Attachment) == 1
    service.remove_attachment(info.id, "Uploaded to the wrong case")
    # A file of gigabytes dropped on a case was read whole before the limit refused it: now
    # its first 25 MB and a byte, at most (a sparse file: 4 GB on disk, none of it written).
    huge = tmp_path / "backup.iso"
    with huge.open("wb") as file:
        file.truncate(4 * 1024**3)
    with pytest.raises(ValidationError, match="“backup.iso” is 4 GB; a file attached"):
        read_attachment(huge)
    small = tmp_path / "contract.txt"
    small.write_bytes(b"Contract")
    assert read_attachment(small) == b"Contract"
    with pytest.raises(NotFound):
        service.attachment_content(info.id)
    with ws.read() as session:
        content = session.execute(text("SELECT content FROM attachment")).scalar_one()
    assert content is None
    assert service.get_case(case.id).attachments == ()


def test_person_service_find_and_duplicates(ws: Workspace) -> None:
    CaseService(ws).create_case(new_case())
    people = PersonService(ws)
    assert [p.surname for p in people.find("Құрман")] == ["Құрманғалиқызы"]
    assert [p.surname for p in people.find("940315")] == ["Құрманғалиқызы"]
    reasons = people.duplicates(replace(ASSEL_IDENTIFIED, iin=None, passport_no="N12345678"))[
        0
    ].reasons
    assert reasons == ("same passport number",)


def test_the_same_name_in_other_letter_case_is_a_duplicate_in_cyrillic_too(ws: Workspace) -> None:
    """SQLite's lower() folds ASCII only: "ҚҰРМАНҒАЛИҚЫЗЫ ӘСЕЛ" born the same day went unseen."""
    born = date(1994, 3, 15)
    CaseService(ws).create_case(new_case(replace(ASSEL_IDENTIFIED, birth_date=born)))
    people = PersonService(ws)
    shouted = replace(
        ASSEL_IDENTIFIED, surname="ҚҰРМАНҒАЛИҚЫЗЫ", given_names=" ӘСЕЛ ", iin=None, passport_no=None
    )
    found = people.duplicates(replace(shouted, birth_date=born))
    assert [m.reasons for m in found] == [("same name and date of birth",)]
    # Born the same day but named otherwise, or the same name born another day: nobody.
    assert people.duplicates(replace(shouted, given_names="Айгүл", birth_date=born)) == []
    assert people.duplicates(replace(shouted, birth_date=date(1994, 3, 16))) == []


def test_a_name_typed_without_the_kazakh_letters_is_a_duplicate(ws: Workspace) -> None:
    """A register or a form filled in on a Russian keyboard writes Құрманғалиқызы Әсел as
    Курмангаликызы Асел: the same worker, born the same day, went unseen, and an import made
    her a second person."""
    born = date(1994, 3, 15)
    CaseService(ws).create_case(new_case(replace(ASSEL_IDENTIFIED, birth_date=born)))
    typed = replace(
        ASSEL_IDENTIFIED,
        surname="Курмангаликызы",
        given_names="Асель",
        iin=None,
        passport_no=None,
        birth_date=born,
    )
    people = PersonService(ws)
    assert people.duplicates(typed) == []  # Асель is not Әсел: a soft sign is another name
    found = people.duplicates(replace(typed, given_names="Асел"))
    assert [m.reasons for m in found] == [("same name and date of birth",)]
    report = csv_import.import_csv(
        ws,
        b"Surname;Given names;Birth date;Received\n"
        + "Курмангаликызы;Асел;15.03.1994;01.11.2026\n".encode(),
    )
    with ws.read() as session:
        people_now = session.execute(select(func.count()).select_from(Person)).scalar_one()
    assert report.imported == 1 and people_now == 1  # linked to her, not a second person


def test_an_assignment_names_the_officer_in_the_readers_language(
    open_ws: OpenWs,
) -> None:
    from sqlalchemy import select

    from app.db.models import User
    from app.i18n import set_language

    admin = open_ws("admin")
    with admin.write() as session:
        user = session.execute(select(User).where(User.username == "aigul")).scalar_one()
        user.full_name = "Айгүл Сәрсенбаева"
    service = CaseService(admin)
    worker = PersonInput(surname="Құрманғалиқызы", given_names="Әсел")
    case = wage_case(admin, worker, date(2026, 11, 2))
    service.assign(case.id, "aigul")
    set_language("ru")
    try:
        texts = [e.text for e in service.get_case(case.id).events]
    finally:
        set_language("en")
    assert texts == ["Дело зарегистрировано.", "Исполнитель: Айгүл Сәрсенбаева."]


def test_a_mistyped_year_received_is_refused(ws: Workspace) -> None:
    """1924 for 2024 made a case a century old: overdue at once, counted in no period anyone
    reads, anonymised at the next sign-in if closed. A date before the Republic's independence,
    or before the worker was born, is refused on the date's field."""
    service = CaseService(ws)
    born = replace(ASSEL_IDENTIFIED, birth_date=date(1994, 3, 15))
    with pytest.raises(ValidationError, match="before the Republic's independence") as caught:
        service.create_case(new_case(born, received_at=date(1924, 3, 5)))
    assert caught.value.field == "received_at"
    with pytest.raises(ValidationError, match="before the worker's date of birth"):
        service.create_case(new_case(born, received_at=date(1993, 3, 5)))
    assert service.count_cases() == 0
    report = csv_import.import_csv(
        ws,
        "Фамилия;Имя;Дата обращения\nӘбенов;Нұрлан;05.03.1924\n".encode(),
        skip_rejected=True,
    )
    assert report.imported == 0 and "independence" in report.rejected[0].reason


def test_a_passport_number_typed_on_a_cyrillic_keyboard_is_refused_with_the_number_meant(
    ws: Workspace,
) -> None:
    """N12345678 typed with the Russian keyboard on is «Т12345678»: the message named no
    cause, and a register of such numbers was rejected row by row without a hint."""
    typed = replace(ASSEL_IDENTIFIED, iin=None, passport_no="т12345678")
    with pytest.raises(ValidationError, match="is it N12345678") as caught:
        CaseService(ws).create_case(new_case(typed))
    assert caught.value.field == "passport_no"
    # The Kazakh layout has Kazakh letters on its number row: т„әіңғ,.ү.
    on_kazakh = replace(typed, passport_no=typed_on(KAZAKH, "n12345678"))
    with pytest.raises(ValidationError, match="Kazakh keyboard on; is it N12345678"):
        CaseService(ws).create_case(new_case(on_kazakh))
    # Another Cyrillic letter: no guess, the plain rule.
    with pytest.raises(ValidationError, match=r"Latin letters and digits\.$"):
        CaseService(ws).create_case(new_case(replace(typed, passport_no="Н12345678")))


def test_a_workers_name_corrected_in_one_case_finds_all_their_cases(ws: Workspace) -> None:
    """The worker's names are in the search row of each of their cases: corrected from one
    case's form, every case is found by the name as it is now, none by the old one."""
    service = CaseService(ws)
    first = wage_case(ws, NURLAN, TODAY - timedelta(days=30))
    second = service.create_case(
        CaseInput(
            host_country="TR",
            categories=("unpaid_wages",),
            received_at=TODAY - timedelta(days=2),
            person_id=first.person.id,
        )
    )
    corrected = replace(NURLAN, surname="Әбенұлы", surname_latin="ABENULY")

    service.update_case(second.id, CaseChanges(person=corrected))

    def found(text_: str) -> set[str]:
        return {row.number for row in service.list_cases(CaseFilter(text=text_))}

    assert found("Әбенұлы") == found("ABENULY") == {first.number, second.number}
    assert found("ABENOV") == set()


def test_a_file_too_large_to_attach_is_named_with_its_size_as_the_reader_writes_it(
    tmp_path: Path,
) -> None:
    """The fault: an officer in Kazakh chose a 30 MB scan among other files and read «Файл
    көлемі 30.0 МБ; тіркемелердің шегі — 25 МБ.»: not which file, a decimal point where Kazakh
    writes a comma, and nothing about what to do. The message names the file, writes the sizes
    as the reader does and says how to attach it after all."""
    scan = tmp_path / "Еңбек шарты.pdf"
    with scan.open("wb") as file:
        file.truncate(30 * 1024 * 1024 + 512 * 1024)  # 30.5 MB, sparse: nothing written
    with language_override("kk"), pytest.raises(ValidationError) as refused:
        read_attachment(scan)
    message = str(refused.value)
    assert "«Еңбек шарты.pdf»" in message  # Kazakh quotes, as the translation writes them
    assert "30,5" in message and "30.5" not in message
    with language_override("en"), pytest.raises(ValidationError) as refused:
        read_attachment(scan)
    assert str(refused.value) == (
        "“Еңбек шарты.pdf” is 30.5 MB; a file attached to a case may be at most 25 MB. Scan it "
        "again at a lower resolution, or split it into parts and attach each one."
    )


def test_the_same_file_is_not_attached_twice_to_a_case(ws: Workspace, tmp_path: Path) -> None:
    """The fault: an officer chose “contract.pdf” again in the chooser (a second batch of
    files, the first already stored) and the case listed it twice, without a word. The same
    content on one case is refused, naming the copy it has; another case may hold it, and so
    may this one once its copy was removed."""
    service = CaseService(ws)
    case = service.create_case(new_case())
    other = service.create_case(new_case(NURLAN))
    service.add_attachment(case.id, "contract.pdf", b"%PDF-1.4 contract")
    with pytest.raises(ValidationError) as refused:
        service.add_attachment(case.id, "Еңбек шарты.pdf", b"%PDF-1.4 contract")
    assert str(refused.value).startswith(
        "“Еңбек шарты.pdf” is already attached to this case, as “contract.pdf” of "
    )
    assert [a.filename for a in service.get_case(case.id).attachments] == ["contract.pdf"]
    service.add_attachment(other.id, "contract.pdf", b"%PDF-1.4 contract")
    first = service.get_case(case.id).attachments[0]
    service.remove_attachment(first.id, "Scanned again")
    service.add_attachment(case.id, "contract.pdf", b"%PDF-1.4 contract")
    assert len(service.get_case(case.id).attachments) == 1
