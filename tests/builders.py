"""Cases the tests start from, built through the real service."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.agreements import Library, load_library
from app.agreements.library import InstrumentStatus, LocalizedText, Provision
from app.db.models import Case
from app.domain.codes import Category
from app.services.cases import CaseService
from app.services.letters import LetterFields, LetterInfo, LetterService
from app.services.records import (
    CaseChanges,
    CaseDetail,
    CaseInput,
    OrganisationInput,
    PersonInput,
)
from app.services.workspace import Workspace

# The worker of the design's example, by name (tests add what else they need with ``replace``).
ASSEL = PersonInput(
    surname="Құрманғалиқызы",
    given_names="Әсел",
    surname_latin="KURMANGALIKYZY",
    given_names_latin="ASSEL",
)

# She with her IIN, passport and phone abroad, as a case registers her.
ASSEL_IDENTIFIED = replace(
    ASSEL,
    iin="940315400123",
    passport_no="N12345678",
    phone_abroad="+90 532 000 0000",
)
# A woman with a patronymic and her passport's Latin spelling: how documents name her.
AIGUL = replace(
    ASSEL_IDENTIFIED,
    surname="Нұрланова",
    given_names="Айгүл",
    patronymic="Серікқызы",
    surname_latin="NURLANOVA",
    given_names_latin="AIGUL",
)
NURLAN = PersonInput(
    surname="Әбенов",
    given_names="Нұрлан",
    surname_latin="ABENOV",
    given_names_latin="NURLAN",
    birth_date=date(1990, 5, 4),
)
TODAY = date.today()

# The same worker as a case's JSON names her (``case add --json``).
ASSEL_JSON = {
    "surname": "Құрманғалиқызы",
    "given_names": "Әсел",
    "surname_latin": "KURMANGALIKYZY",
    "given_names_latin": "ASSEL",
    "iin": "940315400123",
    "birth_date": "1994-03-15",
}


def new_case(person: PersonInput = ASSEL_IDENTIFIED, **overrides: object) -> CaseInput:
    """What registering a case takes: ``person``'s unpaid wages and passport kept in Türkiye,
    received three days ago; ``overrides`` are other ``CaseInput`` fields."""
    base = CaseInput(
        host_country="TR",
        categories=("unpaid_wages", "documents_withheld"),
        received_at=TODAY - timedelta(days=3),
        person=person,
        employer=OrganisationInput(name="Example İnşaat Ltd", country="TR", city="Istanbul"),
        urgency="high",
        description="Wages unpaid for three months; passport kept.",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def wage_case(
    ws: Workspace,
    person: PersonInput,
    received_at: date | None = None,
    *,
    host_country: str = "KR",
    today: date | None = None,
    allow_duplicate_person: bool = False,
    **more: Any,
) -> CaseDetail:
    """``person``'s unpaid wages in ``host_country`` (the kind of case most tests need), received
    on ``received_at`` (today when not given); ``more`` are further ``CaseInput`` fields."""
    return CaseService(ws, today=today).create_case(
        CaseInput(
            host_country=host_country,
            categories=("unpaid_wages",),
            received_at=received_at or date.today(),
            person=person,
            **more,
        ),
        allow_duplicate_person=allow_duplicate_person,
    )


def closed_with_worker_home(
    ws: Workspace, person: PersonInput, received_at: date, host_country: str = "KR"
) -> CaseDetail:
    """A wage case resolved and closed with the worker repatriated (``ws``'s user closes it)."""
    cases = CaseService(ws)
    case = wage_case(ws, person, received_at, host_country=host_country)
    cases.set_status(case.id, "resolved", "Paid")
    cases.update_case(case.id, CaseChanges(repatriated=True))
    return cases.set_status(case.id, "closed", "Home")


def closed_days_ago(ws: Workspace, person: PersonInput, days: int) -> str:
    """A wage case taken through to closed (``ws``'s user a consul or administrator), as if
    closed ``days`` ago: what retention counts from. Its id."""
    cases = CaseService(ws)
    case = wage_case(ws, person, date.today() - timedelta(days=3), allow_duplicate_person=True)
    for status in ("in_progress", "resolved", "closed"):
        cases.set_status(case.id, status, "done")
    with ws.write() as session:
        row = session.get(Case, case.id)
        assert row is not None
        row.closed_at = datetime.now(UTC) - timedelta(days=days)
    return case.id


def hanil_steel_case(
    ws: Workspace, description: str = "Wages unpaid for three months."
) -> CaseDetail:
    """Әсел Құрманғалиқызы's unpaid wages at Hanil Steel, Korea: the case the UI tests open."""
    return wage_case(
        ws,
        ASSEL,
        date(2026, 11, 2),
        employer=OrganisationInput(name="Hanil Steel", country="KR", city="Incheon"),
        description=description,
    )


def disk_full_at_batch(monkeypatch: Any, failing: int) -> None:
    """A CSV import's ``failing``-th batch meets a full disk while it is written (its
    transaction rolls back; the batches before it were committed)."""
    from app.errors import StorageFull
    from app.services import csv_import

    index_cases = csv_import.search.index_cases
    calls = {"n": 0}

    def indexing(session: Any, ids: list[str]) -> None:
        calls["n"] += 1
        if calls["n"] == failing:
            raise StorageFull("The disk is full; nothing was saved.")
        index_cases(session, ids)

    monkeypatch.setattr(csv_import.search, "index_cases", indexing)


def register_row_case(
    ws: Workspace, employer: OrganisationInput | None = None, today: date = TODAY
) -> CaseDetail:
    """A case as a legacy register's row gives it: names in Cyrillic only, no facts ("Other")."""
    return CaseService(ws, today=today).create_case(
        CaseInput(
            host_country="KR",
            categories=("other",),
            received_at=date(2026, 11, 2),
            person=PersonInput(surname="Оспанов", given_names="Ерлан", sex="male"),
            employer=employer,
        )
    )


def add_cases(ws: Workspace, n: int, overdue: bool = False, at_risk: bool = False) -> list[str]:
    """``n`` new cases of as many workers; ``overdue``: received 90 days ago, due five days ago.
    Their ids."""
    service = CaseService(ws)
    today = date.today()
    ids = []
    for i in range(n):
        detail = service.create_case(
            CaseInput(
                host_country="KR",
                categories=("unpaid_wages",),
                # Received today, a case is not overdue unless its due date says so.
                received_at=today - timedelta(days=90) if overdue else today,
                person=PersonInput(surname=f"Abenov{i}", given_names="Nurlan"),
                due_date=today - timedelta(days=5) if overdue else None,
                life_or_liberty_at_risk=True if at_risk else None,
                description="",
            ),
            allow_duplicate_person=True,
        )
        ids.append(detail.id)
    return ids


def issued_letter(aigul: Workspace, serik: Workspace, case_id: str) -> LetterInfo:
    """A letter to the employer drafted and issued by the attaché, approved by the consul."""
    draft = LetterService(aigul).draft(
        case_id, "employer_letter", "ru", LetterFields(subject="Задолженность по заработной плате")
    )
    LetterService(serik).approve(draft.id)
    return LetterService(aigul).issue(draft.id)


def with_provision_of_the_signed_tajik_agreement() -> Library:
    """The shipped library, with one provision in the 2006 agreement with Tajikistan, which
    is signed but not in force (as an HQ update could send it)."""
    library = load_library()
    provision = Provision(
        "art-5",
        "Art. 5",
        LocalizedText(
            "Жұмыс беруші жұмыскердің жеке басын куәландыратын құжаттарын алуға құқылы емес.",
            "Работодатель не вправе изымать документы, удостоверяющие личность работника.",
            "The employer may not take the worker's identity documents.",
        ),
        (Category.DOCUMENTS_WITHHELD, Category.UNPAID_WAGES),
        False,
    )
    instruments = tuple(
        dataclasses.replace(i, provisions=(provision,))
        if i.id == "kz-tj-migrant-workers-2006"
        else i
        for i in library.instruments
    )
    return dataclasses.replace(library, instruments=instruments)


def with_a_provision_in_the_qatar_agreement() -> Library:
    """The shipped library, with the Tajik builder's provision (identity documents, wages) in
    the agreement with Qatar, in force since 18 December 2025."""
    library = with_provision_of_the_signed_tajik_agreement()
    (provision,) = library.instrument("kz-tj-migrant-workers-2006").provisions
    instruments = tuple(
        dataclasses.replace(i, provisions=(provision,)) if i.id == "kz-qa-employment-2024" else i
        for i in library.instruments
    )
    return dataclasses.replace(library, instruments=instruments)


def with_the_kyrgyz_agreement_expired(expired_on: date | None) -> Library:
    """The shipped library, with the 2006 agreement with Kyrgyzstan expired (last in force on
    ``expired_on``) and given the Tajik builder's provision on identity documents and wages."""
    library = with_provision_of_the_signed_tajik_agreement()
    (provision,) = library.instrument("kz-tj-migrant-workers-2006").provisions
    instruments = tuple(
        dataclasses.replace(
            i,
            status=InstrumentStatus.EXPIRED,
            in_force_on=date(2007, 6, 13),
            expired_on=expired_on,
            provisions=(provision,),
        )
        if i.id == "kz-kg-migrant-workers-2006"
        else i
        for i in library.instruments
    )
    return dataclasses.replace(library, instruments=instruments)
