"""Issue 14, item 6: control characters, ids with a line break and impossible dates.

Bundles signed by SEL's real key carry SEL's own records (so ownership allows them); what is
wrong is a value. Each is refused with a message naming the record and the field, never with
"internal error", and HQ's data folder stays byte for byte the same. Line breaks and tabs in
free text are text and pass. Whatever the database holds, the command line never writes a
terminal escape sequence.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.cli.common import terminal_safe
from app.db.models import Case, CaseEvent, Employer, Person
from app.exchange.fastcheck import EcmaValidator, compile_record
from app.exchange.format import manifest_schema
from app.exchange.package import BundleRefused
from app.exchange.records import BY_NAME, record_schema
from app.services.demo import fill_demo
from app.services.exchange import ExchangeService
from app.services.installation import unlock
from app.services.search import index_cases
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_cli
from tests.integration.test_exchange import Site, hq_and_sel
from tests.security.forge import Forger, changed, record_of, records_of, unchanged

ESCAPE = "\x1b[2J\x1b[31mPAID IN FULL\x1b[0m"  # clears the screen, then red text
TITLE = "\x1b]0;qorgau: all cases closed\x07"  # sets the terminal's title
CSI = "\x9b31m"  # the one-character C1 form of ESC [


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Site]]:
    root = tmp_path_factory.mktemp("control")
    with hq_and_sel(root, 2, seed=3) as (hq, sel):
        ExchangeService(sel.ws).export_cases(root / "sel.qbundle", [hq.recipient])
        ExchangeService(hq.ws).import_bundle(root / "sel.qbundle")
        yield {"hq": hq, "sel": sel}


def first_case(site: Site) -> dict[str, Any]:
    return sorted(records_of(site, "case", Case.id != ""), key=lambda r: r["number"])[0]


Bad = Callable[[Site], dict[str, list[dict[str, Any]]]]


def nul_in_description(sel: Site) -> dict[str, list[dict[str, Any]]]:
    return {"case": [changed(first_case(sel), description="Wages\x00 paid")]}


def escape_in_surname(sel: Site) -> dict[str, list[dict[str, Any]]]:
    person = record_of(sel, "person", Person.id == first_case(sel)["person_id"])
    return {"person": [changed(person, surname=ESCAPE)]}


def c1_in_employer_name(sel: Site) -> dict[str, list[dict[str, Any]]]:
    employer = records_of(sel, "employer", Employer.id != "")[0]
    return {"employer": [changed(employer, name=f"Example {CSI}LLC")]}


def escape_nested_in_event_data(sel: Site) -> dict[str, list[dict[str, Any]]]:
    event = records_of(sel, "case_event", CaseEvent.id != "")[0]
    return {"case_event": [changed(event, data={"note": TITLE})]}


def line_break_after_id(sel: Site) -> dict[str, list[dict[str, Any]]]:
    case = first_case(sel)
    return {"case": [changed(case, id=case["id"] + "\n")]}


def line_break_after_number(sel: Site) -> dict[str, list[dict[str, Any]]]:
    case = first_case(sel)
    return {"case": [changed(case, number=case["number"] + "\n")]}


def impossible_date(sel: Site) -> dict[str, list[dict[str, Any]]]:
    person = record_of(sel, "person", Person.id == first_case(sel)["person_id"])
    return {"person": [changed(person, birth_date="1994-02-30")]}


def impossible_timestamp(sel: Site) -> dict[str, list[dict[str, Any]]]:
    case = changed(first_case(sel))
    case["updated_at"] = "2026-11-31T10:00:00+00:00"
    return {"case": [case]}


BAD: list[tuple[Bad, str]] = [
    (nul_in_description, "records/case.jsonl .*field description .*control character U\\+0000"),
    (escape_in_surname, "records/person.jsonl .*field surname .*control character U\\+001B"),
    (c1_in_employer_name, "records/employer.jsonl .*field name .*control character U\\+009B"),
    (escape_nested_in_event_data, "case_event.jsonl .*field data .*control character U\\+001B"),
    (line_break_after_id, "records/case.jsonl .*field id .*control character U\\+000A"),
    (line_break_after_number, "records/case.jsonl .*field number .*control character U\\+000A"),
    (impossible_date, "records/person.jsonl .*field birth_date holds a date that does not exist$"),
    (impossible_timestamp, "field updated_at holds a date that does not exist$"),
]


@pytest.mark.parametrize(("make", "message"), BAD, ids=[b[0].__name__ for b in BAD])
def test_bad_value_is_refused_per_record_and_nothing_changes(
    pair: dict[str, Site], tmp_path: Path, make: Bad, message: str
) -> None:
    hq, sel = pair["hq"], pair["sel"]
    bundle = Forger(sel).bundle(tmp_path / "bad.qbundle", make(sel), [hq.recipient])
    with unchanged(hq), pytest.raises(BundleRefused, match=message) as refused:
        ExchangeService(hq.ws).import_bundle(bundle)
    assert "\x1b" not in str(refused.value) and "\x00" not in str(refused.value)
    # No value from the bundle is echoed (a birth date is personal data; the log keeps it).
    assert "1994-02-30" not in str(refused.value) and "2026-11-31" not in str(refused.value)


def test_an_id_with_a_line_break_fails_the_schema() -> None:
    """The compiled schema check reads ``$`` as JSON Schema (ECMA) does: the end of the text."""
    schema = record_schema(BY_NAME["case_event"])
    check = compile_record(schema)
    event = {name: None for name in schema["properties"]}
    event.update(
        id="0b6c2f55-3f1b-4c59-9a43-6f1a2a1c0c01",
        case_id="5d1f3c2e-8e0a-4d57-9a3b-2f6a7c1d9e02",
        origin_mission="SEL",
        version=1,
        updated_at="2026-11-20T10:00:00+00:00",
        kind="note",
        occurred_at="2026-11-20T10:00:00+00:00",
        author="aigul",
        text="Called the employer.",
        data={},
    )
    explain = EcmaValidator(schema)
    assert check(event) and explain.is_valid(event)
    for field in ("id", "origin_mission", "occurred_at"):
        broken = dict(event, **{field: event[field] + "\n"})
        assert not check(broken)
        assert not explain.is_valid(broken)
    manifest = EcmaValidator(manifest_schema())
    assert not manifest.is_valid({"bundle_id": "0b6c2f55-3f1b-4c59-9a43-6f1a2a1c0c01\n"})
    errors = [e.message for e in manifest.iter_errors({"bundle_id": event["id"] + "\n"})]
    assert any("does not match" in m for m in errors)


def test_line_breaks_and_tabs_in_text_are_accepted(pair: dict[str, Site], tmp_path: Path) -> None:
    hq, sel = pair["hq"], pair["sel"]
    text = "Wages unpaid since March.\n\tEmployer: Example LLC.\r\nPassport kept."
    case = changed(first_case(sel), description=text)
    bundle = Forger(sel).bundle(tmp_path / "ok.qbundle", {"case": [case]}, [hq.recipient])

    report = ExchangeService(hq.ws).import_bundle(bundle)

    assert report.per_entity["case"]["updated"] == 1
    assert hq.cases.get_case(case["id"]).description == text


# -- the command line ---------------------------------------------------------------------------


def test_terminal_safe_shows_control_characters_as_escapes() -> None:
    assert terminal_safe(ESCAPE) == "\\u001b[2J\\u001b[31mPAID IN FULL\\u001b[0m"
    assert terminal_safe(f"a{CSI}b\rc\x00d\u202eevil") == "a\\u009b31mb\\u000dc\\u0000d\\u202eevil"
    assert terminal_safe("Line one\n\tLine two, Құрманғалиқызы") == (
        "Line one\n\tLine two, Құрманғалиқызы"
    )


@pytest.fixture
def hostile_case(installation: Any) -> Iterator[tuple[Any, str]]:
    """A case whose person and description hold escape sequences, as an old database or a
    legacy import might."""
    ws = unlock(installation, "admin", PASSWORD)
    fill_demo(ws, 1, seed=9)
    with ws.write() as session:
        case = session.execute(select(Case)).scalars().first()
        assert case is not None
        person = session.get(Person, case.person_id)
        assert person is not None
        person.surname = f"Hacker{ESCAPE}"
        case.description = f"Complaint {TITLE}{CSI}"
        session.flush()
        index_cases(session, [case.id])
        number = case.number
    ws.close()
    yield installation, number


@pytest.mark.parametrize(
    "command",
    [
        ["case", "list"],
        ["case", "show", "{number}"],
        ["search", "Hacker"],
        ["case", "list", "--json"],
        ["case", "show", "{number}", "--json"],
        ["search", "Hacker", "--json"],
    ],
    ids=lambda c: " ".join(c).replace("{number}", "N"),
)
def test_the_cli_never_prints_escape_sequences(
    hostile_case: tuple[Any, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    paths, number = hostile_case
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    args = [a.replace("{number}", number) for a in command]

    result = run_cli(capsys, "--data-dir", str(paths.data_dir), *args)

    assert result.code == 0, result.err
    for unsafe in ("\x1b", "\x07", "\x9b"):
        assert unsafe not in result.out + result.err
    assert "Hacker\\u001b[2J" in result.out
    if "--json" in command:
        # The escapes are JSON's own: the data reads back exactly.
        assert any(f"Hacker{ESCAPE}" in text for text in _strings(json.loads(result.out)))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_an_error_line_does_not_echo_escape_sequences(
    installation: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)

    result = run_cli(capsys, "--data-dir", str(installation.data_dir), "case", "show", ESCAPE)

    assert result.code == 1
    assert "\x1b" not in result.err
    assert "\\u001b[2J" in result.err


def test_argparse_errors_do_not_echo_escape_sequences(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, ESCAPE)

    assert result.code == 2
    assert "\x1b" not in result.err
    assert "[2J" in result.err  # shown, escaped


def test_every_control_character_is_seen_in_the_json_text_the_check_skips_by() -> None:
    """Records whose JSON text shows no escape, DEL or C1 byte skip the value-by-value check:
    each forbidden character, as any JSON writer may put it, leaves such a trace."""
    import orjson

    from app.exchange.values import may_hold_control_character

    for code in [*range(0x00, 0x20), *range(0x7F, 0xA0)]:
        value = f"Wages{chr(code)} paid"
        for text in (orjson.dumps({"d": value}), json.dumps({"d": value}).encode()):
            assert may_hold_control_character(text), hex(code)
        assert may_hold_control_character(json.dumps({value: 1}, ensure_ascii=False).encode())
    assert not may_hold_control_character(orjson.dumps({"d": "Қайрат — ¤ € 𝄞 «paid»"}))
