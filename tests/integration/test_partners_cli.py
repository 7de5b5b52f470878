"""``qorgau partner add|list`` and ``qorgau case refer|referrals`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.config import Paths
from app.db.models import AuditEntry, PartnerOrganisation, PartnerReferral
from app.services.installation import unlock
from tests.builders import ASSEL, wage_case
from tests.conftest import PASSWORD, count
from tests.integration.cli_helpers import run_cli

SHELTER = {"name": "Ansan Migrant Shelter", "kind": "shelter", "country": "KR", "city": "Ansan"}


@pytest.fixture
def case_number(installation: Paths, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("QORGAU_DATA_DIR", str(installation.data_dir))
    monkeypatch.setenv("QORGAU_USER", "serik")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    ws = unlock(installation, "aigul", PASSWORD)
    try:
        return wage_case(ws, ASSEL).number
    finally:
        ws.close()


def write_json(tmp_path: Path, data: object) -> str:
    path = tmp_path / "partner.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_the_partner_table_names_the_country_in_the_user_s_language(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case_number: str
) -> None:
    """The fault: ``partner list`` printed "KR" where ``hq missions`` and the window name the
    country; --json keeps the code, which other tools read."""
    assert run_cli(capsys, "partner", "add", "--json", write_json(tmp_path, SHELTER)).code == 0
    for lang, name in (("en", "South Korea"), ("ru", "Республика Корея")):
        table = run_cli(capsys, "--lang", lang, "partner", "list")
        assert table.code == 0 and name in table.out, (lang, table.out)
        assert " KR " not in table.out, (lang, table.out)
    listed = json.loads(run_cli(capsys, "partner", "list", "--json").out)
    assert [p["country"] for p in listed] == ["KR"]


def test_add_list_refer_and_list_referrals(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case_number: str
) -> None:
    added = run_cli(capsys, "partner", "add", "--json", write_json(tmp_path, SHELTER))
    assert added.code == 0, added.err
    partner_id = added.out.strip()
    listed = run_cli(capsys, "partner", "list", "--country", "KR", "--json")
    assert [(p["id"], p["name"], p["kind"]) for p in json.loads(listed.out)] == [
        (partner_id, "Ansan Migrant Shelter", "shelter")
    ]
    assert json.loads(run_cli(capsys, "partner", "list", "--country", "TR", "--json").out) == []
    table = run_cli(capsys, "partner", "list")
    assert "Ansan Migrant Shelter" in table.out and "Shelter" in table.out

    referred = run_cli(
        capsys,
        "case",
        "refer",
        case_number,
        "--partner",
        "ansan migrant shelter",
        "--reason",
        "Nowhere to sleep",
    )
    assert referred.code == 0, referred.err
    assert referred.out.strip() == f"{case_number}: referred to Ansan Migrant Shelter."
    # The person gave no consent for partners: said, as `letter approve` says it.
    assert "Warning: The person's recorded consent does not cover" in referred.err
    rows = json.loads(run_cli(capsys, "case", "referrals", case_number, "--json").out)
    assert [(r["partner_id"], r["reason"], r["outcome"]) for r in rows] == [
        (partner_id, "Nowhere to sleep", None)
    ]
    shown = run_cli(capsys, "case", "show", case_number)
    assert "Referral: Ansan Migrant Shelter: Nowhere to sleep" in shown.out

    done = run_cli(capsys, "case", "referral-outcome", rows[0]["id"], "--outcome", "Taken in")
    assert (
        done.out.strip()
        == f"{case_number}: outcome of the referral to Ansan Migrant Shelter recorded."
    )
    rows = json.loads(run_cli(capsys, "case", "referrals", case_number, "--json").out)
    assert rows[0]["outcome"] == "Taken in"
    missing = run_cli(capsys, "case", "referral-outcome", "no-such-id", "--outcome", "x")
    assert (missing.code, missing.err.strip()) == (1, "qorgau: No such referral.")


def test_an_outcome_on_record_is_replaced_only_when_asked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, installation: Paths, case_number: str
) -> None:
    """The fault: ``case referral-outcome`` silently wrote over the outcome a colleague had
    recorded (the desktop shows it before anyone changes it; the command line did not). Now it
    is refused, naming what is on record, unless ``--replace`` says so; the history keeps both."""
    assert run_cli(capsys, "partner", "add", "--json", write_json(tmp_path, SHELTER)).code == 0
    refer = ("case", "refer", case_number, "--partner", SHELTER["name"], "--reason", "Shelter")
    assert run_cli(capsys, *refer).code == 0
    referral = json.loads(run_cli(capsys, "case", "referrals", case_number, "--json").out)[0]
    outcome = ("case", "referral-outcome", referral["id"], "--outcome")
    first = run_cli(capsys, *outcome, "Taken in for a week")
    assert first.code == 0
    assert first.out.strip() == (
        f"{case_number}: outcome of the referral to {SHELTER['name']} recorded."
    )

    again = run_cli(capsys, *outcome, "Lawyer filed a claim")
    assert (again.code, again.out) == (1, "")
    assert again.err.strip() == (
        f"qorgau: The referral to {SHELTER['name']} already has an outcome: "
        "“Taken in for a week”. To record another in its place, add --replace."
    )
    rows = json.loads(run_cli(capsys, "case", "referrals", case_number, "--json").out)
    assert rows[0]["outcome"] == "Taken in for a week"

    replaced = run_cli(capsys, *outcome, "Lawyer filed a claim", "--replace")
    assert replaced.code == 0
    # The fault: it said only "recorded", as if nothing had been on record.
    assert replaced.out.strip() == (
        f"{case_number}: outcome of the referral to {SHELTER['name']} recorded in place of "
        "“Taken in for a week”."
    )
    rows = json.loads(run_cli(capsys, "case", "referrals", case_number, "--json").out)
    assert rows[0]["outcome"] == "Lawyer filed a claim"
    history = run_cli(capsys, "case", "show", case_number).out
    assert "Taken in for a week" in history and "Lawyer filed a claim" in history


def test_a_closed_case_is_refused_with_how_to_reopen_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, installation: Paths, case_number: str
) -> None:
    """The fault: ``case refer`` referred a closed case; the desktop and the command line now
    both refuse it, in the same words."""
    assert run_cli(capsys, "partner", "add", "--json", write_json(tmp_path, SHELTER)).code == 0
    for status in ("resolved", "closed"):
        moved = run_cli(capsys, "case", "set-status", case_number, status, "--note", "Paid")
        assert moved.code == 0, moved.err
    refer = ("case", "refer", case_number, "--partner", SHELTER["name"], "--reason", "Shelter")
    refused = run_cli(capsys, *refer, "--set-status")
    assert (refused.code, refused.out) == (1, "")
    assert refused.err.strip() == (
        f"qorgau: Case {case_number} is “Closed”: reopen it before you refer it to a partner "
        "(a consul sets its status to “In progress” and gives a reason)."
    )
    assert json.loads(run_cli(capsys, "case", "referrals", case_number, "--json").out) == []


def test_case_show_json_gives_each_app_entry_its_event_code(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case_number: str
) -> None:
    """The fault: ``case show --json`` gave the app's own entries (registration, referral,
    its outcome) only a translated text, so a tool could not tell them apart. Each carries its
    code in ``event``; a status change and an officer's note have none (null)."""
    assert run_cli(capsys, "partner", "add", "--json", write_json(tmp_path, SHELTER)).code == 0
    refer = ("case", "refer", case_number, "--partner", SHELTER["name"], "--reason", "Shelter")
    assert run_cli(capsys, *refer, "--set-status").code == 0
    referral = json.loads(run_cli(capsys, "case", "referrals", case_number, "--json").out)[0]
    outcome = ("case", "referral-outcome", referral["id"], "--outcome", "Taken in")
    assert run_cli(capsys, *outcome).code == 0
    shown = json.loads(run_cli(capsys, "case", "show", case_number, "--json").out)
    entries = [(e["kind"], e["event"], e["text"]) for e in shown["timeline"]]
    assert entries[0][:2] == ("system", "case_registered")
    assert [(k, ev) for k, ev, _text in entries[-3:]] == [
        ("system", "referred"),
        ("status_change", None),
        ("system", "referral_outcome"),
    ]
    # The fields a tool already reads keep their names and values.
    assert entries[-1][2] == "Outcome of the referral to Ansan Migrant Shelter: Taken in"
    # Keys are only ever added (the author's full name since 2026-12-07), never renamed.
    assert set(shown["timeline"][0]) == {
        "kind",
        "at",
        "author",
        "author_name",
        "text",
        "status_from",
        "status_to",
        "event",
    }


def test_bad_input_says_one_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, installation: Paths, case_number: str
) -> None:
    """The fault: each refusal is one clear line with exit 1 (bad usage 2), nothing written."""

    def written() -> tuple[int, int, int]:
        ws = unlock(installation, "admin", PASSWORD)
        try:
            with ws.read() as session:
                changes = session.query(AuditEntry).filter(~AuditEntry.action.like("user.%"))
                audited = changes.count()
            return count(ws, PartnerOrganisation), count(ws, PartnerReferral), audited
        finally:
            ws.close()

    before = written()
    for data, message in (
        ({**SHELTER, "kind": "embassy"}, "Unknown code “embassy”"),
        ({**SHELTER, "website": "x"}, "Unknown field “website” in partner."),
        ({"name": "X", "country": "KR"}, "The field “kind” is required."),
        ([], "“partner” must be an object."),
    ):
        run = run_cli(capsys, "partner", "add", "--json", write_json(tmp_path, data))
        assert (run.code, run.out) == (1, "")
        assert message in run.err and len(run.err.strip().splitlines()) == 1
    for args, message in (
        (("--partner", "Nobody", "--reason", "x"), "No partner is named “Nobody”."),
        (("--partner", "Nobody", "--reason", " "), "No partner is named"),
    ):
        run = run_cli(capsys, "case", "refer", case_number, *args)
        assert run.code == 1 and message in run.err
    assert run_cli(capsys, "case", "refer", case_number, "--reason", "x").code == 2
    assert written() == before


def test_an_empty_reason_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case_number: str
) -> None:
    assert run_cli(capsys, "partner", "add", "--json", write_json(tmp_path, SHELTER)).code == 0
    run = run_cli(
        capsys, "case", "refer", case_number, "--partner", SHELTER["name"], "--reason", "  "
    )
    assert run.code == 1
    assert "The reason for the referral must not be empty." in run.err
    assert json.loads(run_cli(capsys, "case", "referrals", case_number, "--json").out) == []


def test_refer_with_set_status_moves_the_case_or_is_refused_whole(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, installation: Paths, case_number: str
) -> None:
    """The fault: ``case refer`` left a "new" case "new". ``--set-status`` moves it to
    "Referred"; from "Resolved" the workflow forbids that: one line, exit 1, nothing written."""
    assert run_cli(capsys, "partner", "add", "--json", write_json(tmp_path, SHELTER)).code == 0
    refer = ("case", "refer", case_number, "--partner", SHELTER["name"], "--reason", "Shelter")
    assert run_cli(capsys, *refer, "--set-status").code == 0
    assert json.loads(run_cli(capsys, "case", "show", case_number, "--json").out)["status"] == (
        "referred"
    )
    for status in ("resolved",):
        assert run_cli(capsys, "case", "set-status", case_number, status).code == 0
    done = json.loads(run_cli(capsys, "case", "referrals", case_number, "--json").out)
    assert run_cli(capsys, "case", "referral-outcome", done[0]["id"], "--outcome", "Ok").code == 0
    run = run_cli(capsys, *refer, "--set-status")
    assert run.code == 1 and run.out == ""
    assert run.err.strip() == (
        f"qorgau: Case {case_number} is “Resolved”: reopen it before you refer it to a partner "
        "(a consul sets its status to “In progress” and gives a reason)."
    )
    assert len(json.loads(run_cli(capsys, "case", "referrals", case_number, "--json").out)) == 1
    assert json.loads(run_cli(capsys, "case", "show", case_number, "--json").out)["status"] == (
        "resolved"
    )
