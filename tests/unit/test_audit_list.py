"""Reading the audit log: the latest entries first, a page at a time, by user and by record;
only for those who may; every action the app writes has a label in the reader's language."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain.audit_actions import ACTION_LABELS, action_label
from app.errors import PermissionDenied
from app.services.audit_log import AuditEntryInfo, AuditLogService
from app.services.cases import CaseService
from app.services.letters import LetterFields, LetterService
from app.services.organisations import OrganisationService
from app.services.records import OrganisationInput
from app.services.workspace import Workspace
from tests.builders import issued_letter, new_case
from tests.conftest import OpenWs

ROOT = Path(__file__).resolve().parents[2]
# Actions written through a variable or an f-string, each listed here with its values.
DYNAMIC = {
    "IMPORTED": ["import.csv"],
    "stats.export.": ["stats.export.cases", "stats.export.tables", "stats.export.pdf",
                      "stats.export.htcds", "stats.export.hq_views"],
    # An organisation's acts, written as f"{kind}.…" (``app.services.organisations._kind``).
    ".combine": ["employer.combine", "agency.combine"],
    ".create": ["employer.create", "agency.create"],
    ".update": ["employer.update", "agency.update"],
    ".watchlist": ["employer.watchlist", "agency.watchlist"],
}  # fmt: skip


def written_actions() -> set[str]:
    """Every constant action code passed to ``Workspace.audit`` or ``audit.record(_many)``."""
    found: set[str] = set()
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            name = node.func.attr
            if name == "audit" and len(node.args) >= 2:
                candidates = [node.args[1]]
            elif name == "record" and len(node.args) >= 3:
                candidates = [node.args[2]]
            elif name == "record_many":
                candidates = [
                    element.elts[0]
                    for argument in node.args
                    for element in ast.walk(argument)
                    if isinstance(element, ast.Tuple) and element.elts
                ]
            else:
                continue
            for candidate in candidates:
                if isinstance(candidate, ast.Constant) and isinstance(candidate.value, str):
                    found.add(candidate.value)
                elif isinstance(candidate, ast.JoinedStr):
                    # An f-string's codes are listed in DYNAMIC by its written part: one not
                    # listed was an act the log showed as a bare code («employer.create»).
                    written = _written_part(candidate)
                    assert written in DYNAMIC, f"{path.name}: list {written!r} in DYNAMIC"
    for values in DYNAMIC.values():
        found.update(values)
    return found


def _written_part(text: ast.JoinedStr) -> str:
    """An f-string's literal parts: ``f"{kind}.create"`` is ``.create``."""
    return "".join(str(part.value) for part in text.values if isinstance(part, ast.Constant))


def test_every_action_the_app_writes_has_a_label() -> None:
    written = written_actions()
    assert len(written) > 50  # the scan found the calls
    assert sorted(written - ACTION_LABELS.keys()) == []
    assert action_label("case.create") == "Case registered"
    assert action_label("some.future_action") == "some.future_action"


def test_the_latest_entries_first_a_page_at_a_time_by_user_and_record(
    ws: Workspace, open_ws: OpenWs
) -> None:
    aigul = open_ws("aigul")
    case = CaseService(aigul).create_case(new_case())
    CaseService(aigul).add_event(case.id, "call", "Called the employer.")
    log = AuditLogService(ws)
    latest = log.entries(limit=3)
    assert [e.seq for e in latest] == sorted((e.seq for e in latest), reverse=True)
    older = log.entries(before_seq=latest[-1].seq, limit=3)
    assert older and older[0].seq < latest[-1].seq

    hers = log.entries(actor="aigul")
    assert {e.action for e in hers} >= {"user.login", "case.create", "case.event"}
    assert all(e.actor == "aigul" for e in hers)
    about = log.entries(record=case.number)
    assert [e.action for e in about] == ["case.event", "case.create"]
    assert about[1].label == "Case registered"


def test_a_letters_entries_are_found_by_its_number(ws: Workspace, open_ws: OpenWs) -> None:
    """A letter's entries are recorded under its internal id (it has no number until issued):
    its number, as printed on the paper, found none of them."""
    case = CaseService(open_ws("aigul")).create_case(new_case())
    letter = issued_letter(open_ws("aigul"), open_ws("serik"), case.id)
    assert letter.outgoing_number is not None
    about = AuditLogService(ws).entries(record=letter.outgoing_number.lower())
    assert [e.action for e in about] == ["letter.issue", "letter.approve", "letter.draft"]
    assert {e.entity_id for e in about} == {letter.id}
    # The approval's details name no number: it reads by the letter's, not its internal id
    assert [e.record for e in about] == [letter.outgoing_number] * 2 + [case.number]


def test_a_cases_number_finds_the_entries_of_its_letters_and_attachments(
    ws: Workspace, open_ws: OpenWs
) -> None:
    """Who approved a case's letter or opened its attachment is recorded under their internal
    ids: the case's number found none of it."""
    aigul = open_ws("aigul")
    case = CaseService(aigul).create_case(new_case())
    attachment = CaseService(aigul).add_attachment(case.id, "contract.pdf", b"%PDF-1.4 contract")
    CaseService(aigul).attachment_content(attachment.id)
    issued_letter(aigul, open_ws("serik"), case.id)
    about = AuditLogService(ws).entries(record=case.number.lower())
    actions = [e.action for e in about]
    assert {"case.create", "attachment.add", "attachment.open"} <= set(actions)
    assert {"letter.draft", "letter.approve", "letter.issue"} <= set(actions)
    assert {e.record for e in about if e.action.startswith("attachment.")} == {case.number}


def test_a_draft_letters_entries_are_named_by_its_case(ws: Workspace, open_ws: OpenWs) -> None:
    case = CaseService(open_ws("aigul")).create_case(new_case())
    draft = LetterService(open_ws("aigul")).draft(
        case.id, "employer_letter", "ru", LetterFields(subject="Задолженность")
    )
    LetterService(open_ws("serik")).approve(draft.id)
    approval = AuditLogService(ws).entries(actor="serik", limit=1)[0]
    assert (approval.action, approval.entity_id) == ("letter.approve", draft.id)
    assert approval.record == case.number


def test_an_employers_entries_are_named_by_its_name(ws: Workspace, open_ws: OpenWs) -> None:
    """The fault: an employer added with a case read «01a252d9-4e49-…» in the log."""
    employer = OrganisationService(open_ws("aigul"), "employer").create(
        OrganisationInput(name="Daehan Precision Co., Ltd.", country="KR")
    )
    added = AuditLogService(ws).entries(actor="aigul", limit=1)[0]
    assert (added.action, added.entity_id) == ("employer.create", employer.id)
    assert added.record == "Daehan Precision Co., Ltd."


def test_an_attache_or_consul_reads_no_audit_log(open_ws: OpenWs) -> None:
    for user in ("aigul", "serik"):
        with pytest.raises(PermissionDenied):
            AuditLogService(open_ws(user)).entries()


def test_an_entry_is_named_by_the_number_people_know_on_screen_and_on_the_command_line() -> None:
    """A letter's, a contract review's or a returnee's record id is an internal id: the
    command line's list printed it ("01a24d50-30ec-…") where the window showed the case or
    letter number. One rule serves both."""
    when = datetime(2026, 12, 6, tzinfo=UTC)

    def entry(details: dict[str, object]) -> AuditEntryInfo:
        return AuditEntryInfo(1, when, "aigul", "letter.issue", "letter", "01a24d50", details)

    assert entry({"number": "SEL-2026/0017", "case": "SEL-2026-1174"}).record == "SEL-2026/0017"
    assert entry({"case": "SEL-2026-1174"}).record == "SEL-2026-1174"
    assert entry({"kind": "employer_letter"}).record == "01a24d50"
    assert entry({"case": 7}).record == "01a24d50"  # details as another version wrote them
