"""`qorgau contract review|report` end to end: the DESIGN example, bad input, the PDF."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.config import Paths
from app.db.models import AuditEntry, ContractReview
from app.services.cases import CaseService
from app.services.records import CaseInput
from tests.builders import ASSEL
from tests.conftest import PASSWORD, OpenWs
from tests.integration.cli_helpers import run_cli
from tests.unit.test_contract_service import DESIGN_EXAMPLE

Capsys = pytest.CaptureFixture[str]


@pytest.fixture
def case_number(open_ws: OpenWs, monkeypatch: pytest.MonkeyPatch) -> str:
    ws = open_ws("admin")
    case = CaseService(ws).create_case(
        CaseInput(
            host_country="TR",
            categories=("documents_withheld",),
            received_at=date.today(),
            person=ASSEL,
        )
    )
    monkeypatch.setenv("QORGAU_USER", "aigul")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    return case.number


def stored(open_ws: OpenWs) -> tuple[int, int]:
    """(reviews, contract.review audit entries)."""
    ws = open_ws("admin")
    with ws.read() as session:
        reviews = session.execute(select(func.count()).select_from(ContractReview)).scalar_one()
        audits = session.execute(
            select(func.count()).where(AuditEntry.action == "contract.review")
        ).scalar_one()
    return int(reviews), int(audits)


def write_json(tmp_path: Path, data: object) -> str:
    path = tmp_path / "terms.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_design_example_is_critical_and_stored(
    installation: Paths, case_number: str, open_ws: OpenWs, tmp_path: Path, capsys: Capsys
) -> None:
    data_dir = ["--data-dir", str(installation.data_dir)]
    result = run_cli(
        capsys, *data_dir, "contract", "review", case_number, "--json",
        write_json(tmp_path, DESIGN_EXAMPLE),
    )  # fmt: skip
    assert result.code == 0, result.err
    output = json.loads(result.out)
    assert output["risk"] in ("high", "critical") and output["risk"] == "critical"
    rules = {f["rule"]: f for f in output["findings"]}
    assert rules["passport_retention"]["level"] == "violation"
    assert rules["recruitment_fee"]["level"] == "violation"
    assert "held by the employer" in rules["passport_retention"]["reason"]
    assert "recruitment fee of 1,500\u00a0USD" in rules["recruitment_fee"]["reason"]
    assert {"passport_retention", "recruitment_fee"} <= set(output["risk_reasons"])
    for finding in output["findings"]:
        assert set(finding) >= {"rule", "level", "reason", "references"}
        assert finding["level"] in ("ok", "concern", "violation")
        assert all(isinstance(r, str) and r for r in finding["references"])
    assert "retention_of_identity_documents" in output["ilo_indicators"]
    assert "debt_bondage" in output["ilo_indicators"]
    assert output["saved"] is True and output["case_number"] == case_number
    assert stored(open_ws) == (1, 1)

    pdf_path = tmp_path / "review.pdf"
    report = run_cli(
        capsys, *data_dir, "contract", "report", output["id"], "--lang", "kk",
        "--out", str(pdf_path),
    )  # fmt: skip
    assert report.code == 0, report.err
    text = " ".join(
        " ".join(
            p.extract_text() for p in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages
        ).split()
    )
    assert "Құрманғалиқызы Әсел" in text and "АСА ЖОҒАРЫ" in text


def test_terms_from_stdin_with_no_save(
    installation: Paths,
    case_number: str,
    open_ws: OpenWs,
    capsys: Capsys,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(DESIGN_EXAMPLE)))
    result = run_cli(
        capsys, "--data-dir", str(installation.data_dir), "contract", "review", case_number,
        "--json", "-", "--no-save",
    )  # fmt: skip
    assert result.code == 0, result.err
    output = json.loads(result.out)
    assert output["risk"] == "critical" and output["saved"] is False
    assert stored(open_ws) == (0, 0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (json.dumps({**DESIGN_EXAMPLE, "wage_amount": -100}), "wage_amount cannot be negative"),
        (json.dumps({**DESIGN_EXAMPLE, "wage_currency": "ABC"}), "“ABC” is not a known ISO 4217"),
        (json.dumps({**DESIGN_EXAMPLE, "hours_per_week": 200}), "a week has only 168 hours"),
        (json.dumps({**DESIGN_EXAMPLE, "bonus": 1}), "Unknown contract term “bonus”"),
        ('{"position": "welder",', "Invalid JSON (line 1, column 23)"),
        ("[1, 2]", "Contract terms must be a JSON object"),
    ],
)
def test_bad_input_is_one_line_exit_1_and_stores_nothing(
    installation: Paths,
    case_number: str,
    open_ws: OpenWs,
    tmp_path: Path,
    capsys: Capsys,
    content: str,
    message: str,
) -> None:
    path = tmp_path / "terms.json"
    path.write_text(content, encoding="utf-8")
    result = run_cli(
        capsys, "--data-dir", str(installation.data_dir), "contract", "review", case_number,
        "--json", str(path),
    )  # fmt: skip
    assert result.code == 1
    assert result.out == ""
    assert result.err.count("\n") == 1 and message in result.err
    assert result.err.startswith("qorgau: ")
    assert stored(open_ws) == (0, 0)


def test_unknown_case_number_and_missing_file(
    installation: Paths, case_number: str, open_ws: OpenWs, tmp_path: Path, capsys: Capsys
) -> None:
    data_dir = ["--data-dir", str(installation.data_dir)]
    terms = write_json(tmp_path, DESIGN_EXAMPLE)
    result = run_cli(capsys, *data_dir, "contract", "review", "SEL-1999-0042", "--json", terms)
    assert result.code == 1 and result.err == "qorgau: No case numbered SEL-1999-0042.\n"
    missing = run_cli(
        capsys, *data_dir, "contract", "review", case_number, "--json", str(tmp_path / "no.json")
    )
    assert missing.code == 1 and "no.json does not exist" in missing.err
    assert stored(open_ws) == (0, 0)


def test_hq_cannot_store_a_review(
    installation: Paths,
    case_number: str,
    open_ws: OpenWs,
    tmp_path: Path,
    capsys: Capsys,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QORGAU_USER", "astana")
    result = run_cli(
        capsys, "--data-dir", str(installation.data_dir), "contract", "review", case_number,
        "--json", write_json(tmp_path, DESIGN_EXAMPLE),
    )  # fmt: skip
    assert result.code == 1 and "Your role (HQ analyst) does not allow this action" in result.err
    assert stored(open_ws) == (0, 0)


def test_missing_json_option_is_bad_usage(installation: Paths, capsys: Capsys) -> None:
    result = run_cli(capsys, "--data-dir", str(installation.data_dir), "contract", "review", "X")
    assert result.code == 2 and "--json" in result.err


def test_the_report_of_a_case_number_is_its_latest_review(
    installation: Paths, case_number: str, tmp_path: Path, capsys: Capsys
) -> None:
    """An officer scripting the day writes the report by the case's number, as every other
    command takes it: it was refused with "No such contract review."."""
    data_dir = ["--data-dir", str(installation.data_dir)]
    out = tmp_path / "review.pdf"
    report = ["contract", "report", case_number, "--lang", "en", "--out", str(out)]
    refused = run_cli(capsys, *data_dir, *report)
    assert refused.code == 1 and not out.exists()
    assert refused.err.strip() == f"qorgau: Case {case_number} has no saved contract review."

    for hours in (40, 72):  # reviewed twice: the report is of the latest
        terms = write_json(tmp_path, {"hours_per_week": hours})
        saved = run_cli(capsys, *data_dir, "contract", "review", case_number, "--json", terms)
        assert saved.code == 0, saved.err
    written = run_cli(capsys, *data_dir, *report)
    assert written.code == 0, written.err
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "72 hours" in " ".join(text.split())

    unknown = run_cli(capsys, *data_dir, "contract", "report", "SEL-1999-0001", "--lang", "en",
                      "--out", str(tmp_path / "none.pdf"))  # fmt: skip
    assert unknown.code == 1
    assert unknown.err.strip() == "qorgau: No contract review or case SEL-1999-0001."


def test_the_cli_names_a_saved_review_as_the_review_screen_does(
    installation: Paths, case_number: str, tmp_path: Path, capsys: Capsys
) -> None:
    """The fault: the CLI "stored" a "review" where the review screen saves a "contract
    review", and Russian read «заключение» on one, «проверка» on the other."""
    data_dir = ["--data-dir", str(installation.data_dir)]
    result = run_cli(
        capsys, *data_dir, "contract", "review", case_number, "--text", "--json",
        write_json(tmp_path, DESIGN_EXAMPLE),
    )  # fmt: skip
    assert result.code == 0, result.err
    saved = result.out.splitlines()[-1]
    assert saved.startswith("Contract review saved: ") and saved.endswith(".")
    helps = [
        run_cli(capsys, *data_dir, *command, "--help").out
        for command in (["contract"], ["contract", "review"], ["contract", "report"])
    ]
    words = " ".join(" ".join(helps).split())
    assert "save the contract review" in words and "saved contract review as PDF" in words
    assert "stor" not in words.replace("--json", "")
