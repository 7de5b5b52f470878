"""Timeline headings: an entry the app writes is headed by what it records, not "System"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.cli.cases import _timeline_line
from app.db.models import CaseEvent
from app.domain import labels
from app.domain.events import SystemEvent, heading
from app.i18n import load_catalog
from app.services.cases import CaseService
from app.services.partners import PartnerInput, PartnerService
from tests.builders import ASSEL, wage_case
from tests.conftest import OpenWs

ENGLISH = {
    SystemEvent.CASE_REGISTERED: "Case registered",
    SystemEvent.CASE_IMPORTED: "Imported from a spreadsheet",
    SystemEvent.ASSIGNED: "Assigned",
    SystemEvent.ASSIGNMENT_REMOVED: "Assignment removed",
    SystemEvent.ESCALATED: "Escalated",
    SystemEvent.TRANSFERRED: "Case transferred by headquarters",
    SystemEvent.LETTER_ISSUED: "Letter issued",
    SystemEvent.CONTRACT_REVIEWED: "Contract reviewed",
    SystemEvent.CITED: "Provision cited",
    SystemEvent.CITATION_WITHDRAWN: "Citation withdrawn",
    SystemEvent.REFERRED: "Referral",
    SystemEvent.REFERRAL_OUTCOME: "Outcome of a referral recorded",
    SystemEvent.STARTED_BY_LETTER: "Work started by a letter",
}
# Headings whose words the catalogs already hold (the audit log's, the timeline's kinds).
TRANSLATED = {
    "ru": {
        SystemEvent.CASE_REGISTERED: "Дело зарегистрировано",
        SystemEvent.ASSIGNED: "Назначен исполнитель",
        SystemEvent.LETTER_ISSUED: "Письмо зарегистрировано",
        SystemEvent.REFERRED: "Направление",
        SystemEvent.CITED: "Добавлена ссылка на положение",
    },
    "kk": {
        SystemEvent.CASE_REGISTERED: "Іс тіркелді",
        SystemEvent.ASSIGNED: "Орындаушы тағайындалды",
        SystemEvent.LETTER_ISSUED: "Хат тіркелді",
        SystemEvent.REFERRED: "Жолдама",
        SystemEvent.CITED: "Ережеге сілтеме жасалды",
    },
}


@pytest.mark.parametrize("event", list(SystemEvent))
@pytest.mark.parametrize("kind", ["system", "note", "assignment", "status_change"])
def test_each_recorded_event_is_headed_by_what_it_is_in_every_language(
    event: SystemEvent, kind: str
) -> None:
    """The fault: every entry the app wrote read «System» / «Система» / «Жүйе» (or «Note»
    for a citation, «Assigned» for a removed assignment), whatever it recorded."""
    assert heading(kind, event.value, "en") == ENGLISH[event]
    for lang in ("ru", "kk"):
        shown = heading(kind, event.value, lang)
        catalog = load_catalog(lang)
        assert shown in (
            catalog.pgettext("timeline", ENGLISH[event]),
            catalog.gettext(ENGLISH[event]),
        )
        assert shown not in (labels.event_kind("system", lang), labels.event_kind("note", lang))
        if event in TRANSLATED[lang]:
            assert shown == TRANSLATED[lang][event]


def test_a_person_s_entry_and_an_unknown_code_keep_the_kind_s_label() -> None:
    assert heading("call", "", "ru") == labels.event_kind("call", "ru") == "Телефонный звонок"
    assert heading("system", "made_up", "kk") == labels.event_kind("system", "kk")


def test_a_referral_and_a_removed_assignment_are_headed_with_their_officer_and_stored_as_before(
    open_ws: OpenWs,
) -> None:
    admin = open_ws("admin")
    partner = PartnerService(admin).create(
        PartnerInput(name="Ansan Migrant Shelter", kind="shelter", country="KR")
    )
    case = wage_case(admin, ASSEL, date.today() - timedelta(days=2))
    PartnerService(open_ws("aigul")).refer(case.id, partner.id, "She has nowhere to sleep.")
    CaseService(admin).assign(case.id, "aigul")
    CaseService(admin).assign(case.id, None)

    # The stored rows: the bundle format's kinds and data, untouched.
    with admin.read() as session:
        rows = session.execute(
            select(CaseEvent.kind, CaseEvent.author, CaseEvent.text, CaseEvent.data)
            .where(CaseEvent.case_id == case.id)
            .order_by(CaseEvent.occurred_at)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("system", "admin", "", {"event": "case_registered", "params": {}}),
        (
            "system",
            "aigul",
            "She has nowhere to sleep.",
            {"event": "referred", "params": {"partner": "Ansan Migrant Shelter"}},
        ),
        ("assignment", "admin", "", {"event": "assigned", "params": {"user": "aigul"}}),
        ("assignment", "admin", "", {"event": "assignment_removed", "params": {}}),
    ]

    shown = CaseService(admin).get_case(case.id).events
    assert [e.event for e in shown] == [
        "case_registered",
        "referred",
        "assigned",
        "assignment_removed",
    ]
    lines = [_timeline_line(e).split("  ", 1)[1] for e in shown]
    assert lines == [
        "admin  Case registered",  # the sentence repeated the heading: said once
        "aigul  Referral: Referred to Ansan Migrant Shelter: She has nowhere to sleep.",
        "admin  Assigned: Assigned to aigul.",
        "admin  Assignment removed",
    ]
