"""Timeline headings: an entry the app writes is headed by what it records, not "System"."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.cli.cases import _timeline_line
from app.db.models import CaseEvent
from app.domain import labels
from app.domain.events import SystemEvent, compose, detail, event_data, heading
from app.i18n import load_catalog
from app.services.cases import CaseService
from app.services.partners import PartnerInput, PartnerService
from app.services.records import EventInfo
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
    SystemEvent.REPLY_RECEIVED: "Reply received",
    SystemEvent.OUTCOME_RECORDED: "Outcome recorded",
    SystemEvent.REPLY_CORRECTED: "Reply corrected",
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
        "aigul  Referral: Ansan Migrant Shelter: She has nowhere to sleep.",
        "admin  Assigned: aigul",
        "admin  Assignment removed",
    ]


SAMPLE_PARAMS = {
    SystemEvent.ASSIGNED: {"user": "Aigul Sadykova"},
    SystemEvent.ESCALATED: {"date": "2026-11-20"},
    SystemEvent.TRANSFERRED: {"source": "SEL", "target": "DXB"},
    SystemEvent.LETTER_ISSUED: {"number": "SEL-2026/17", "kind": "note_verbale_labour_authority"},
    SystemEvent.CONTRACT_REVIEWED: {
        "risk": "high",
        "indicators": ["retention_of_identity_documents"],
    },
    SystemEvent.CITED: {"citation": "ILO C181, Art. 7"},
    SystemEvent.CITATION_WITHDRAWN: {"citation": "ILO C181, Art. 7"},
    SystemEvent.REFERRED: {"partner": "Ansan Migrant Shelter"},
    SystemEvent.REFERRAL_OUTCOME: {"partner": "Ansan Migrant Shelter"},
    SystemEvent.STARTED_BY_LETTER: {"number": "SEL-2026/17"},
    SystemEvent.REPLY_CORRECTED: {
        "number": "SEL-2026/17",
        "sender": "Hanil Steel",
        "date": "2026-11-20",
        "of": "2026-11-21",
    },
}


def _words(text: str) -> set[str]:
    return {word for word in re.findall(r"\w+", text.casefold()) if len(word) > 3}


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
@pytest.mark.parametrize("event", list(SystemEvent))
def test_what_an_entry_says_under_its_heading_does_not_repeat_it(
    event: SystemEvent, lang: str
) -> None:
    """The fault: «Дело передано центральным аппаратом: Дело передано центральным аппаратом
    из SEL в DXB.», and likewise «Contract reviewed: Contract reviewed: risk high.»."""
    data = event_data(event, **SAMPLE_PARAMS.get(event, {}))
    said = detail(data, "Typed words", lang)
    assert not _words(heading("system", event.value, lang)) & _words(said)
    # The parameters are all still said (the sentence alone is kept for `--json`).
    for value in SAMPLE_PARAMS.get(event, {}).values():
        if isinstance(value, str) and value[0].isupper():
            assert value in said
    assert compose(data, "Typed words", lang) != said


def _transfer(occurred_at: datetime) -> EventInfo:
    data = event_data(SystemEvent.TRANSFERRED, source="SEL", target="DXB")
    text = compose(data, "", "en")
    return EventInfo(
        "e1",
        "system",
        occurred_at,
        "hq",
        text,
        None,
        None,
        None,
        "transferred",
        data,
        "",
        "Гүлназ Серікбаева",
        "AST",
    )


def test_a_transfer_is_said_once_in_case_show_the_window_and_the_subject_s_copy() -> None:
    """The fault, in `case show`: «Case transferred by headquarters: Case transferred from SEL
    to DXB by headquarters.»; the window and the subject access PDF said it twice too."""
    from app.services.subject_access import _entry_row
    from ui.cases.timeline import event_html

    entry = _transfer(datetime(2026, 12, 1, 9, 30, tzinfo=UTC))
    line = _timeline_line(entry)
    assert line.endswith("Case transferred by headquarters: From SEL to DXB.")
    assert "<b>Case transferred by headquarters</b><br>From SEL to DXB." in event_html(entry)
    stored = {
        "kind": "system",
        "event": "transferred",
        "text": "",
        "params": {"source": "SEL", "target": "DXB"},
        "occurred_at": "2026-12-01T09:30:00+00:00",
    }
    row = _entry_row(stored, "en", lambda user: user or "")
    assert row[1:] == ["Case transferred by headquarters", "From SEL to DXB."]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Risk: high. ILO forced-labour indicators flagged: "),
        ("ru", "Риск: высокий. Выявлены индикаторы принудительного труда МОТ: "),
        ("kk", "Тәуекел: "),
    ],
)
def test_a_reviews_indicators_are_a_sentence_of_their_own(lang: str, expected: str) -> None:
    """The fault: under the heading the risk and the indicators ran together with no stop:
    «Риск: критический Выявлены индикаторы принудительного труда МОТ: …»."""
    data = event_data(SystemEvent.CONTRACT_REVIEWED, **SAMPLE_PARAMS[SystemEvent.CONTRACT_REVIEWED])
    said = detail(data, "", lang)
    assert said.startswith(expected)
    _risk, indicators = said.split(". ", 1)
    assert indicators[:1].isupper() and said.endswith(".")
    # The whole sentence («Contract reviewed: risk high. …») was right and stays so.
    assert ". " in compose(data, "", lang) and ". . " not in compose(data, "", lang)
