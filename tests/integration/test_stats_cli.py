"""``qorgau stats`` end to end: figures, case lists and every export, on a demo mission."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import text

from app.config import Paths
from app.reports.disclosure import published_count
from app.reports.texts import category_name
from app.reports.texts import text as report_text
from app.services.workspace import Workspace
from tests.conftest import demo_paths_fixture
from tests.integration.cli_helpers import run_cli, signed_in_cli

TODAY = date.today()
FROM = (TODAY - timedelta(days=120)).isoformat()
TO = (TODAY - timedelta(days=10)).isoformat()


demo_paths = demo_paths_fixture("stats-cli", 250, 4, TODAY)


@pytest.fixture
def demo(demo_paths: Paths, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    yield from signed_in_cli(monkeypatch, demo_paths, "aigul")


def scalar(ws: Workspace, sql: str, **params: object) -> int:
    with ws.read() as session:
        return int(session.execute(text(sql), params).scalar_one())


def surnames(ws: Workspace) -> set[str]:
    with ws.read() as session:
        return set(session.execute(text("SELECT surname FROM person")).scalars())


def published(count: int) -> int | str:
    """A count as the exported statistics give it (k = 11)."""
    return published_count(count, 11)


def test_stats_json_matches_plain_sql(demo: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "stats", "--from", FROM, "--to", TO, "--json")
    assert run.code == 0, run.err
    figures = json.loads(run.out)
    assert figures["date_from"] == FROM and figures["date_to"] == TO
    # JSON is the interface other tools read: exact numbers (files handed on are published).
    opened = scalar(
        demo,
        'SELECT count(*) FROM "case" WHERE received_at BETWEEN :a AND :b',
        a=FROM,
        b=TO,
    )
    assert figures["opened"] == opened
    assert opened > 30  # enough of the demo's intake to compare with
    # Open and overdue cases are today's in a period running to today (one ended before
    # counts those of its last day: tests/unit/test_stats.py).
    running = run_cli(capsys, "stats", "--from", FROM, "--json")
    assert running.code == 0, running.err
    now = json.loads(running.out)
    open_now = {c["key"]: c["count"] for c in now["open_by_status"]}
    assert open_now["in_progress"] == scalar(
        demo, "SELECT count(*) FROM \"case\" WHERE status = 'in_progress'"
    )
    assert now["overdue"] == (
        scalar(
            demo,
            'SELECT count(*) FROM "case" WHERE status IN'
            " ('new','in_progress','awaiting_response','referred') AND due_date < :today",
            today=date.today().isoformat(),  # the command's day (a run may pass midnight)
        )
    )
    kr = run_cli(capsys, "stats", "--from", FROM, "--to", TO, "--country", "KR", "--json")
    assert json.loads(kr.out)["opened"] == (
        scalar(
            demo,
            "SELECT count(*) FROM \"case\" WHERE host_country = 'KR'"
            " AND received_at BETWEEN :a AND :b",
            a=FROM,
            b=TO,
        )
    )
    # The terminal is the attaché's own view of their cases: exact.
    shown = run_cli(capsys, "stats", "--from", FROM, "--to", TO)
    line = next(line for line in shown.out.splitlines() if line.startswith("Cases opened"))
    assert line.split()[-1] == str(opened)


def test_a_small_cell_does_not_show_its_exact_count(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The attack: a category of a handful of cases (one worker detained, two whose relatives
    ask where they are) in a report a partner receives tells anyone who knows them."""
    with demo.read() as session:
        small = dict(
            session.execute(
                text(
                    'SELECT g.code, count(*) FROM "case" c JOIN case_category g'
                    " ON g.case_id = c.id WHERE c.received_at BETWEEN :a AND :b"
                    " GROUP BY g.code HAVING count(*) < 11"
                ),
                {"a": FROM, "b": TO},
            ).all()
        )
    assert small  # the demo has rare categories
    out = tmp_path / "report"
    run = run_cli(
        capsys,
        "stats",
        "--from",
        FROM,
        "--to",
        TO,
        "--json",
        "--csv",
        f"{out}.csv",
        "--xlsx",
        f"{out}.xlsx",
        "--pdf",
        f"{out}.pdf",
    )
    assert run.code == 0, run.err
    in_json = {c["key"]: c["count"] for c in json.loads(run.out)["categories"]}
    assert all(in_json[code] == n for code, n in small.items())  # JSON: the tools' exact figures
    rows = list(
        csv.reader(
            io.StringIO((tmp_path / "report-categories.csv").read_text("utf-8-sig")),
            delimiter=";",
        )
    )
    counts = [row[1] for row in rows[1:]]
    assert counts.count("<11") == len(small) and not set(counts) & {str(n) for n in range(1, 11)}
    title = "Complaint categories (cases opened in the period)"
    sheet = next(s for s in load_workbook(f"{out}.xlsx") if s["A1"].value == title)
    values = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert values.count("<11") == len(small)
    assert all(
        v == "<11" or (isinstance(v, int) and (v == 0 or v >= 15) and v % 5 == 0) for v in values
    )
    pdf = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(f"{out}.pdf").pages)
    assert "<11" in pdf and "a count under 11 is shown as" in pdf
    # The categories chart draws only the published counts of five and more.
    assert not any(category_name(code, "en") in pdf for code in small)


def test_stats_prints_tables_in_the_chosen_language(
    demo: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_cli(capsys, "--lang", "ru", "stats", "--from", FROM, "--to", TO)
    assert run.code == 0, run.err
    assert "Основные показатели" in run.out
    assert report_text("opened", "ru") in run.out  # the catalog's wording, not a copy of it
    assert "Выявленные индикаторы принудительного труда МОТ" in run.out


def test_the_cases_behind_a_figure(demo: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(
        capsys, "stats", "--from", FROM, "--to", TO, "--cases", "category=unpaid_wages", "--json"
    )
    assert run.code == 0, run.err
    rows = json.loads(run.out)
    assert len(rows) == scalar(
        demo,
        'SELECT count(*) FROM "case" c JOIN case_category g ON g.case_id = c.id'
        " WHERE g.code = 'unpaid_wages' AND c.received_at BETWEEN :a AND :b",
        a=FROM,
        b=TO,
    )
    assert all("unpaid_wages" in r["categories"] for r in rows)
    assert all(r["person_name"] for r in rows)
    hidden = run_cli(
        capsys, "stats", "--cases", "overdue", "--json", "--hide-names", "--from", FROM
    )
    rows = json.loads(hidden.out)
    assert rows and all(r["person_name"] == "" and r["assigned_to"] is None for r in rows)
    assert not any(name in hidden.out for name in surnames(demo))


def test_csv_and_xlsx_exports(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "figures.xlsx"
    run = run_cli(
        capsys,
        "stats",
        "--from",
        FROM,
        "--to",
        TO,
        "--xlsx",
        str(out),
        "--csv",
        str(tmp_path / "t.csv"),
    )
    assert run.code == 0, run.err
    book = load_workbook(out)
    assert "Key figures" in book.sheetnames and "Monthly trend" in book.sheetnames
    assert book.properties.creator == "Qorgau" and book.properties.language == "en"
    assert book.properties.title == "Statistical report on the protection of labour emigrants"
    sheet = book["Key figures"]
    assert sheet["A1"].value == "Key figures"
    assert sheet["A3"].value == "Cases opened"
    opened = scalar(
        demo, 'SELECT count(*) FROM "case" WHERE received_at BETWEEN :a AND :b', a=FROM, b=TO
    )
    assert sheet["B3"].value == published(opened)
    raw = (tmp_path / "t-key_figures.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Indicator", "Value"] and rows[1] == ["Cases opened", str(published(opened))]
    assert (tmp_path / "t-monthly.csv").is_file()

    cases_csv = tmp_path / "cases.csv"
    run = run_cli(capsys, "stats", "--cases", "open", "--hide-names", "--csv", str(cases_csv))
    assert run.code == 0, run.err
    content = cases_csv.read_text(encoding="utf-8-sig")
    assert "(hidden)" in content
    assert not any(name in content for name in surnames(demo))


def test_pdf_report_in_kazakh(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "report.pdf"
    run = run_cli(capsys, "stats", "--pdf", str(out), "--pdf-lang", "kk", "--hide-names")
    assert run.code == 0, run.err
    extracted = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Еңбек эмигранттарын қорғау жөніндегі статистикалық есеп" in extracted
    assert "Бұл есепте адамдардың аты-жөні жасырылған." in extracted
    assert "Қазақстан Республикасының Корея Республикасындағы Елшілігі" in extracted
    assert not any(name in extracted for name in surnames(demo))
    with demo.read() as session:
        actions = set(session.execute(text("SELECT action FROM audit_entry")).scalars())
    assert "stats.export.pdf" in actions


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--from", "2026-13-01"], 2, "is not a date (YYYY-MM-DD)"),
        (["--from", "2026-05-01", "--to", "2026-04-01"], 1, "is after its end"),
        (["--country", "XX"], 1, "“XX” is not a two-letter ISO country code"),
        (["--cases", "speed"], 2, "Unknown figure “speed”"),
    ],
)
def test_bad_input_is_refused(
    demo: Workspace,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: list[str],
    code: int,
    message: str,
) -> None:
    out = tmp_path / "never.xlsx"
    run = run_cli(capsys, "stats", *args, "--xlsx", str(out))
    assert run.code == code
    assert message in run.err
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cases", "category=bogus"], "Unknown complaint category: bogus"),
        (["--cases", "ilo=bogus"], "Unknown ILO indicator: bogus"),
        (["--cases", "open=closed"], "“closed” is not a status of open cases"),
        (["--cases", "overdue=5"], "The figure “overdue” takes no key (“5”)."),
        (["--cases", "closed=2026-13"], "“2026-13” is not a month (YYYY-MM)."),
        (["--officer", "nobody"], "No officer nobody: no user of that name, and no case"),
        (["--mission", "XYZ"], "No cases of mission XYZ here; the missions here: SEL."),
        (["--cases", "overdue", "--officer", "nobody"], "No officer nobody"),
    ],
)
def test_a_name_or_key_that_names_nothing_is_refused(
    demo: Workspace,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    """The fault: `--cases category=bogus` printed an empty list (the same code given to
    `--category` is refused), and `--officer nobody` or `--mission XYZ` at a mission printed
    all zeros, as if nothing had happened, with no word that the name was unknown."""
    out = tmp_path / "never.csv"
    run = run_cli(capsys, "stats", *args, "--csv", str(out))
    assert (run.code, run.out) == (1, "")
    assert message in run.err and len(run.err.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())


def test_known_names_and_keys_still_count(
    demo: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user without cases, an officer of the cases who is no user here, this mission's own
    code, a lower-case country: all understood."""
    for args in (
        ["--officer", "serik"],
        ["--officer", "aigerim"],
        ["--mission", "sel"],
        ["--cases", "country=kr"],
        ["--cases", "open=new"],
    ):
        run = run_cli(capsys, "stats", *args, "--json")
        assert run.code == 0, (args, run.err)
    kr = json.loads(run_cli(capsys, "stats", "--cases", "country=kr", "--json").out)
    assert kr and {r["host_country"] for r in kr} == {"KR"}


@pytest.mark.parametrize("export", ["--pdf", "--htcds"])
def test_a_report_asked_beside_a_case_list_is_refused(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path, export: str
) -> None:
    """The fault: `stats --cases overdue --hide-names --pdf out.pdf` wrote no PDF and said
    nothing: the case list ignored --pdf (and --htcds)."""
    out = tmp_path / "out.pdf"
    run = run_cli(capsys, "stats", "--cases", "overdue", "--hide-names", export, str(out))
    assert run.code == 2 and run.out == ""
    assert run.err.strip().splitlines() == [
        "qorgau: --pdf and --htcds export the figures, not a list of cases: write the cases "
        "behind a figure with --csv, --xlsx or --json."
    ]
    assert not list(tmp_path.iterdir())


def test_wage_amounts_are_grouped_for_the_language_and_exact_in_json(
    demo: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    """The terminal printed "2125000.00"; ``--json`` (a contract) keeps the plain value."""
    as_json = run_cli(capsys, "stats", "--from", FROM, "--to", TO, "--json")
    recovered = json.loads(as_json.out)["wages_recovered"]
    large = [w for w in recovered if Decimal(str(w["amount"])) >= 1000]
    assert large, "the demo recovers wages of a thousand and more"

    for lang, group in (("ru", "\u00a0"), ("en", ",")):
        table = run_cli(capsys, "--lang", lang, "stats", "--from", FROM, "--to", TO)
        assert table.code == 0, table.err
        for wage in large:
            amount = Decimal(str(wage["amount"]))
            assert str(wage["amount"]) not in table.out
            shown = format_decimal(
                amount,
                format="#,##0" if amount == amount.to_integral_value() else "#,##0.00",
                locale=lang,
            )
            assert group in shown and shown in table.out
    assert run_cli(capsys, "stats", "--from", FROM, "--to", TO, "--json").out == as_json.out


@pytest.mark.parametrize(("lang", "pattern"), [("ru", "%d.%m.%Y"), ("kk", "%d.%m.%Y")])
def test_the_cases_table_writes_dates_in_the_language(
    demo: Workspace, capsys: pytest.CaptureFixture[str], lang: str, pattern: str
) -> None:
    """The fault: the table of cases behind a figure printed 2026-08-14 among Russian words;
    ``--json`` keeps ISO dates, the contract other tools read."""
    args = ("stats", "--from", FROM, "--to", TO, "--cases", "category=unpaid_wages")
    rows = json.loads(run_cli(capsys, *args, "--json").out)
    received = {date.fromisoformat(r["received_at"]) for r in rows}
    assert received
    run = run_cli(capsys, "--lang", lang, *args)
    assert run.code == 0, run.err
    for day in received:
        assert day.strftime(pattern) in run.out
        assert day.isoformat() not in run.out
