"""``qorgau letter``: kinds, render, the register end to end, verify, numbering under two
processes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.config import Paths
from app.db.models import AuditEntry
from app.domain import labels
from app.services.cases import CaseService
from app.services.installation import unlock
from app.services.letters import LetterFields, LetterService
from tests.conftest import PASSWORD, snapshot
from tests.integration.cli_helpers import ROOT, Run, run_cli
from tests.integration.test_cases_cli import DESIGN_CASE

# The design's case without the phone number, which no letter prints.
CASE = {
    **DESIGN_CASE,
    "person": {k: v for k, v in DESIGN_CASE["person"].items() if k != "phone"},  # type: ignore[attr-defined]
}


def login(monkeypatch: pytest.MonkeyPatch, user: str) -> None:
    monkeypatch.setenv("QORGAU_USER", user)
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)


@pytest.fixture
def case_number(
    installation: Paths,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> str:
    login(monkeypatch, "aigul")
    source = tmp_path / "case.json"
    source.write_text(json.dumps(CASE, ensure_ascii=False), encoding="utf-8")
    run = run_cli(
        capsys, "--data-dir", str(installation.data_dir), "case", "add", "--json", str(source)
    )
    assert run.code == 0, run.err
    return run.out.strip()


def cli(capsys: pytest.CaptureFixture[str], installation: Paths, *args: str) -> Run:
    return run_cli(capsys, "--data-dir", str(installation.data_dir), "letter", *args)


def test_kinds_json(capsys: pytest.CaptureFixture[str], installation: Paths) -> None:
    run = cli(capsys, installation, "kinds", "--json")
    assert run.code == 0
    data = json.loads(run.out)
    assert [k["code"] for k in data] == [
        "note_verbale_labour_authority",
        "employer_letter",
        "agency_report",
        "referral",
        "assistance_certificate",
        "hq_case_report",
    ]
    assert data[0]["names"]["kk"] == "Еңбек органына вербалдық нота"  # the register's name
    plain = cli(capsys, installation, "kinds")
    assert "Letter to the employer" in plain.out


def test_render_is_a_draft_that_registers_nothing(
    capsys: pytest.CaptureFixture[str],
    installation: Paths,
    case_number: str,
    tmp_path: Path,
) -> None:
    out = tmp_path / "draft.pdf"
    before = snapshot(installation.data_dir)
    run = cli(
        capsys, installation, "render", case_number, "--kind", "employer_letter",
        "--lang", "kk", "--out", str(out), "--text", "Әә & <b>",
    )  # fmt: skip
    assert run.code == 0, run.err
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "ЖОБА" in text and "Құрманғалиқызы Әсел" in text and "Әә & <b>" in text
    assert case_number in text
    listing = cli(capsys, installation, "list", "--json")
    assert json.loads(listing.out) == []
    assert "draft" in cli(capsys, installation, "render", "--help").out.lower()
    assert snapshot(installation.data_dir).keys() == before.keys()


def test_render_errors(
    capsys: pytest.CaptureFixture[str], installation: Paths, case_number: str, tmp_path: Path
) -> None:
    out = tmp_path / "x.pdf"
    bad_kind = cli(
        capsys, installation, "render", case_number, "--kind", "poem", "--lang", "en",
        "--out", str(out),
    )  # fmt: skip
    assert bad_kind.code == 2
    missing = cli(
        capsys, installation, "render", "SEL-1999-9999", "--kind", "referral", "--lang", "en",
        "--out", str(out),
    )  # fmt: skip
    assert missing.code == 1
    assert missing.err.strip() == "qorgau: No case numbered SEL-1999-9999."
    bad_date = cli(
        capsys, installation, "render", case_number, "--kind", "referral", "--lang", "en",
        "--out", str(out), "--incoming-number", "5", "--incoming-date", "yesterday",
    )  # fmt: skip
    assert bad_date.code == 1 and "YYYY-MM-DD" in bad_date.err
    assert not out.exists()


def test_register_issue_and_verify(
    capsys: pytest.CaptureFixture[str],
    installation: Paths,
    case_number: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    draft = cli(
        capsys, installation, "draft", case_number, "--kind", "employer_letter", "--lang", "en",
        "--subject", "Unpaid wages", "--incoming-number", "15/311", "--incoming-date", "2026-11-15",
    )  # fmt: skip
    assert draft.code == 0, draft.err
    letter_id = draft.out.strip()
    refused = cli(capsys, installation, "approve", letter_id)
    assert refused.code == 1 and "does not allow" in refused.err
    assert "Warning" not in refused.err  # nothing about the letter for who may not approve it
    login(monkeypatch, "serik")
    approved = cli(capsys, installation, "approve", letter_id)
    assert approved.code == 0
    assert "Warning: No consent of the person is recorded" in approved.err
    issued = cli(capsys, installation, "issue", letter_id)
    assert issued.code == 0, issued.err
    number = issued.out.strip()
    assert number.startswith("SEL-") and number.endswith("/0001")
    out = tmp_path / "letter.pdf"
    assert cli(capsys, installation, "pdf", number, "--out", str(out)).code == 0
    assert _copies_audited(installation) == [("letter.copy", number)]  # it left the database

    ok = cli(capsys, installation, "verify", str(out))
    assert ok.code == 0
    assert f"matches letter {number}" in ok.out and case_number in ok.out
    as_json = json.loads(cli(capsys, installation, "verify", str(out), "--json").out)
    assert as_json["matched"] is True and as_json["number"] == number
    assert as_json["case"] == case_number

    content = out.read_bytes()
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(content[:-200] + content[-200:].replace(b"0", b"1", 1))
    assert changed.read_bytes() != content
    rejected = cli(capsys, installation, "verify", str(changed))
    assert rejected.code == 1 and rejected.out == ""
    assert rejected.err.strip() == (
        "qorgau: This file does not match any letter in the register: it was changed after "
        "issue, or it was not issued here."
    )
    missing = cli(capsys, installation, "verify", str(tmp_path / "nowhere.pdf"))
    assert missing.code == 1 and "does not exist" in missing.err

    # A printed copy: the text of its code, as a scanner reads it (the register's digest).
    (listed,) = json.loads(cli(capsys, installation, "list", "--status", "issued", "--json").out)
    code = f"QORGAU|{number}|{listed['content_digest']}"
    by_code = cli(capsys, installation, "verify", "--code", code)
    assert by_code.code == 0, by_code.err
    assert f"The code matches letter {number}" in by_code.out
    forged = cli(capsys, installation, "verify", "--code", f"QORGAU|{number}|{'0' * 64}")
    assert forged.code == 1 and "does not match the register's letter" in forged.err
    both = cli(capsys, installation, "verify", str(out), "--code", code)
    assert both.code == 2  # a file or a code, not both
    # The fault: a code cut short was said not to start with QORGAU|, which it does.
    cut = cli(capsys, installation, "verify", "--code", f"QORGAU|{number}|abc")
    assert cut.code == 1 and cut.out == ""
    assert cut.err.strip() == (
        "qorgau: The check part of the code must be 64 hexadecimal characters (0–9, a–f); "
        "this one has 3. The code was cut or misread."
    )

    listing = json.loads(cli(capsys, installation, "list", "--status", "issued", "--json").out)
    assert [(r["number"], r["case"], r["kind"]) for r in listing] == [
        (number, case_number, "employer_letter")
    ]
    # The table says the status in words, in the reader's language (was the code "issued").
    kk = run_cli(capsys, "--lang", "kk", "--data-dir", str(installation.data_dir), "letter", "list")
    assert kk.code == 0 and " issued " not in kk.out
    assert labels.letter_status("issued", "kk") in kk.out


def test_two_processes_issue_gapless_unique_numbers(
    capsys: pytest.CaptureFixture[str],
    installation: Paths,
    case_number: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = []
    for _ in range(12):
        run = cli(
            capsys, installation, "draft", case_number, "--kind", "assistance_certificate",
            "--lang", "ru",
        )  # fmt: skip
        assert run.code == 0, run.err
        ids.append(run.out.strip())
    login(monkeypatch, "serik")
    assert cli(capsys, installation, "approve", *ids).code == 0
    env = {**os.environ, "QORGAU_USER": "serik", "QORGAU_PASSWORD": PASSWORD}
    command = [sys.executable, "-m", "app", "--data-dir", str(installation.data_dir), "letter"]
    processes = [
        subprocess.Popen(
            [*command, "issue", *ids[start::2]],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for start in (0, 1)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], [err for _, err in outputs]
    numbers = [line for out, _ in outputs for line in out.split()]
    assert len(numbers) == 12 and len(set(numbers)) == 12
    year = numbers[0].split("-")[1].split("/")[0]
    assert sorted(numbers) == [f"SEL-{year}/{n:04d}" for n in range(1, 13)]
    listing = json.loads(cli(capsys, installation, "list", "--json").out)
    assert sorted(r["number"] for r in listing) == sorted(numbers)
    assert len({r["sha256"] for r in listing}) == 12


def _copies_audited(installation: Paths) -> list[tuple[str, str]]:
    ws = unlock(installation, "serik", PASSWORD)
    try:
        with ws.read() as session:
            rows = session.execute(
                select(AuditEntry).where(AuditEntry.action.in_(("letter.copy", "letter.print")))
            ).scalars()
            return [(row.action, row.details["number"]) for row in rows]
    finally:
        ws.close()


def _pdf_text(path: Path) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_draft_greets_a_named_addressee_by_sex(
    capsys: pytest.CaptureFixture[str], installation: Paths, case_number: str, tmp_path: Path
) -> None:
    """``--to-sex`` gives the salutation's form, as the window's Salutation does; it was
    missing, so a letter to a named person always said «Уважаемые господа!»."""
    assert "--to-sex" in cli(capsys, installation, "draft", "--help").out
    out = tmp_path / "referral.pdf"
    run = cli(
        capsys, installation, "render", case_number, "--kind", "referral", "--lang", "ru",
        "--to", "Korea Migrant Centre", "--to-name", "Kim Min-ji", "--to-sex", "female",
        "--out", str(out),
    )  # fmt: skip
    assert run.code == 0, run.err
    text = _pdf_text(out)
    # Which part of a foreign name is the surname is not guessed: no «госпожа» before it all.
    assert "Уважаемая Kim Min-ji!" in text and "Уважаемые господа" not in text

    draft = cli(
        capsys, installation, "draft", case_number, "--kind", "referral", "--lang", "kk",
        "--to", "Korea Migrant Centre", "--to-name", "Lee Jun-ho", "--to-sex", "male",
        "--to-surname", "Lee",
    )  # fmt: skip
    assert draft.code == 0, draft.err
    ws = unlock(installation, "aigul", PASSWORD)
    try:
        addressee = LetterService(ws).get(draft.out.strip()).addressee
    finally:
        ws.close()
    assert (addressee.name, addressee.sex, addressee.surname) == ("Lee Jun-ho", "male", "Lee")

    bad = cli(
        capsys, installation, "draft", case_number, "--kind", "referral", "--lang", "en",
        "--to", "Korea Migrant Centre", "--to-sex", "madam",
    )  # fmt: skip
    assert bad.code == 2


def test_the_person_named_without_to_goes_to_the_default_addressee(
    capsys: pytest.CaptureFixture[str], installation: Paths, case_number: str, tmp_path: Path
) -> None:
    """``--to-name`` without ``--to`` was dropped without a word; it names the person at the
    addressee the letter goes to by default (here the case's employer)."""
    out = tmp_path / "employer.pdf"
    run = cli(
        capsys, installation, "render", case_number, "--kind", "employer_letter", "--lang", "en",
        "--to-name", "Ayşe Yılmaz", "--to-sex", "female", "--to-surname", "Yılmaz",
        "--out", str(out),
    )  # fmt: skip
    assert run.code == 0, run.err
    text = _pdf_text(out)
    assert "Dear Ms Yılmaz," in text
    assert "Example İnşaat Ltd" in text  # still the employer's letter


def test_draft_without_an_addressee_is_refused_at_once(
    capsys: pytest.CaptureFixture[str], installation: Paths, case_number: str
) -> None:
    """A referral on a case referred to no partner has no organisation to go to: refused when
    drafted with approval's words, not accepted and refused only when the consul approves."""
    run = cli(capsys, installation, "draft", case_number, "--kind", "referral", "--lang", "ru")
    assert run.code == 1 and run.out == ""
    assert run.err.strip() == "qorgau: Name the organisation the letter goes to."
    assert json.loads(cli(capsys, installation, "list", "--json").out) == []
    assert _letter_actions(installation) == []
    # A certificate goes "to whom it may concern": drafted as before.
    certificate = cli(
        capsys, installation, "draft", case_number, "--kind", "assistance_certificate",
        "--lang", "ru",
    )  # fmt: skip
    assert certificate.code == 0, certificate.err
    assert _letter_actions(installation) == ["letter.draft"]
    # The register's table names whom it goes to (its Addressee column was empty).
    assert "To whom it may concern" in cli(capsys, installation, "list").out


def _letter_actions(installation: Paths) -> list[str]:
    ws = unlock(installation, "serik", PASSWORD)
    try:
        with ws.read() as session:
            rows = session.execute(
                select(AuditEntry.action).where(AuditEntry.action.like("letter.%"))
            ).scalars()
            return list(rows)
    finally:
        ws.close()


def test_reply_recorded_from_the_command_line(
    capsys: pytest.CaptureFixture[str],
    installation: Paths,
    case_number: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    sent = date(2026, 11, 21)  # the case came in on 2026-11-20; the wait is 14 days
    aigul, serik = unlock(installation, "aigul", PASSWORD), unlock(installation, "serik", PASSWORD)
    try:
        case_id = CaseService(aigul).get_by_number(case_number).id
        draft = LetterService(aigul, sent).draft(case_id, "employer_letter", "en")
        LetterService(serik, sent).approve(draft.id)
        number = LetterService(aigul, sent).issue(draft.id).outgoing_number
    finally:
        aigul.close()
        serik.close()
    assert number is not None
    awaiting = json.loads(cli(capsys, installation, "list", "--unanswered", "--json").out)
    assert [(row["number"], row["reply"]) for row in awaiting] == [(number, None)]

    early = cli(capsys, installation, "reply", number, "--received", "2026-11-20",
                "--from", "Employer", "--summary", "Paid.")  # fmt: skip
    assert early.code == 1
    assert early.err.strip() == (
        "qorgau: The reply cannot have come before the letter was sent on 21 Nov 2026."
    )
    scan = tmp_path / "reply.pdf"
    scan.write_bytes(b"%PDF-1.4 the answer")
    done = cli(capsys, installation, "reply", number, "--received", "2026-11-28",
               "--from", "Example İnşaat Ltd", "--summary", "Will pay by 15 December.",
               "--file", str(scan))  # fmt: skip
    assert done.code == 0, done.err

    assert json.loads(cli(capsys, installation, "list", "--unanswered", "--json").out) == []
    [row] = json.loads(cli(capsys, installation, "list", "--json").out)
    assert row["reply"]["received_on"] == "2026-11-28"
    assert row["reply"]["from"] == "Example İnşaat Ltd"
    assert row["reply"]["summary"] == "Will pay by 15 December."
    assert row["reply"]["attachment_id"]


def test_render_prints_the_warnings_approval_shows(
    capsys: pytest.CaptureFixture[str], installation: Paths, case_number: str, tmp_path: Path
) -> None:
    """The fault: ``letter render`` wrote the PDF and said nothing of what the desktop's
    Approve warns of (a requisite missing, a provision unverified), so a draft rendered here
    went on unchecked. The warnings go to stderr in the interface language; the status is 0."""
    out = tmp_path / "note.pdf"
    args = ("--kind", "note_verbale_labour_authority", "--lang", "en", "--out", str(out))
    run = cli(capsys, installation, "render", case_number, *args)
    assert run.code == 0, run.err
    assert out.exists() and run.out.startswith("Draft written to")
    ws = unlock(installation, "aigul", PASSWORD)
    try:
        case_id = CaseService(ws).get_by_number(case_number).id
        expected = LetterService(ws).checks_for_case(
            case_id, "note_verbale_labour_authority", "en", LetterFields()
        )
    finally:
        ws.close()
    assert expected  # the design's case leaves something for the approver to check
    assert run.err.splitlines() == [f"Warning: {w}" for w in expected]
    # In the interface language, as the window would say it.
    russian = run_cli(
        capsys, "--data-dir", str(installation.data_dir), "--lang", "ru", "letter", "render",
        case_number, *args,
    )  # fmt: skip
    assert russian.code == 0
    assert russian.err.startswith("Предупреждение: ") and "Warning:" not in russian.err
