"""``qorgau stats --htcds`` on a demo mission of a thousand cases, checked against HTCDS 2.0."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from app.config import Paths
from app.services.workspace import Workspace
from tests.conftest import demo_paths_fixture
from tests.htcds_check import smallest_group, standard, value_problems
from tests.integration.cli_helpers import run_cli, signed_in_cli

TODAY = date.today()
FROM = date(TODAY.year - 3, 1, 1).isoformat()
TO = date(TODAY.year, 12, 31).isoformat()  # exports cover whole calendar years
INVOLUNTARY = "('deception', 'excessive_overtime', 'abusive_working_living_conditions')"
# The rule of docs/htcds-mapping.md, written as SQL apart from the product's code.
SHOWS_TRAFFICKING = f"""
    EXISTS (SELECT 1 FROM case_category g WHERE g.case_id = c.id
            AND g.code = 'trafficking_forced_labour')
    OR (EXISTS (SELECT 1 FROM case_ilo_indicator i WHERE i.case_id = c.id
                AND i.code IN {INVOLUNTARY})
        AND EXISTS (SELECT 1 FROM case_ilo_indicator i WHERE i.case_id = c.id
                    AND i.code NOT IN {INVOLUNTARY}))
"""


demo_paths = demo_paths_fixture("htcds", 1000, 20, TODAY)


@pytest.fixture
def demo(demo_paths: Paths, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    yield from signed_in_cli(monkeypatch, demo_paths, "serik")


def count(ws: Workspace, where: str) -> int:
    query = f'SELECT count(*) FROM "case" c WHERE c.received_at BETWEEN :a AND :b AND {where}'
    with ws.read() as session:
        return int(session.execute(text(query), {"a": FROM, "b": TO}).scalar_one())


def export_csv(capsys: pytest.CaptureFixture[str], out: Path, *extra: str) -> list[dict[str, str]]:
    run = run_cli(capsys, "stats", "--from", FROM, "--to", TO, "--htcds", str(out), *extra)
    assert run.code == 0, run.err
    with out.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_column_and_value_is_htcds_2_and_k_holds(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "pool.csv"
    run = run_cli(capsys, "stats", "--from", FROM, "--to", TO, "--htcds", str(out))
    assert run.code == 0, run.err
    with out.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        header = list(reader.fieldnames or [])
    spec = standard()
    assert all(name in spec and spec[name]["status"] == "DRAFT" for name in header), header
    assert [spec[n]["order"] for n in header] == sorted(spec[n]["order"] for n in header)
    assert value_problems(rows) == []
    assert len(rows) >= 100  # enough to mean something
    assert smallest_group(rows, header) >= 11
    assert {r["vic_TraffickingStatus"] for r in rows} == {"PossibleVictimOfTrafficking"}
    assert {r["hte_Date"] for r in rows} <= {
        str(y) for y in range(TODAY.year - 3, TODAY.year + 1)
    } | {""}
    summary = {
        (r["item"], r["field"]): r["value"]
        for r in csv.DictReader(io.StringIO((tmp_path / "pool.disclosure.csv").read_text()))
    }
    assessed = count(demo, f"c.status != 'rejected' AND ({SHOWS_TRAFFICKING})")
    # Counts the rows do not show reach the partner rounded to five (below k: "<11").
    assert abs(int(summary[("assessed_possible_victims", "")]) - assessed) <= 2
    assert int(summary[("rows_released", "")]) == len(rows)
    assert summary[("rows_suppressed", "")] in ("0", "<11") or assessed - len(rows) >= 11
    assert abs(int(summary[("left_out_rejected", "")]) - count(demo, "c.status = 'rejected'")) <= 2
    assert abs(int(summary[("cases_in_period", "")]) - count(demo, "1 = 1")) <= 2
    assert int(summary[("cases_in_period", "")]) % 5 == 0
    assert int(summary[("smallest_group", "")]) >= 11
    # Filled from the data; where a column is empty, disclosure control withheld its values.
    for column in (
        "vic_MethodsOfControl",
        "vic_ForcedLabourIndustry",
        "per_RoleInProcess",
        "cas_Status",
        "cas_OutgoingReferralDate",
        "cas_IncomingReferralDate",
        "con_Consent",
    ):
        assert any(r[column] for r in rows) or ("values_withheld", column) in summary, column
    assert f"{len(rows)} of {assessed} possible victims of trafficking" in run.err
    assert "Disclosure control (k = 11)" in run.err


def test_rejected_and_plain_labour_complaints_are_absent(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The demo has rejected cases that show signs of trafficking: they stay out all the same.
    assert count(demo, f"c.status = 'rejected' AND ({SHOWS_TRAFFICKING})") > 0
    labour_only = count(demo, f"NOT ({SHOWS_TRAFFICKING})")
    assert labour_only > 500
    rows = export_csv(capsys, tmp_path / "pool.csv")
    assessed = count(demo, f"c.status != 'rejected' AND ({SHOWS_TRAFFICKING})")
    assert len(rows) <= assessed < count(demo, "1 = 1") - labour_only + 1
    assert "Closed" in {r["cas_Status"] for r in rows}  # closed cases stay, rejected never


def test_two_exports_do_not_link(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first = export_csv(capsys, tmp_path / "a.csv")
    second = export_csv(capsys, tmp_path / "b.csv", "--hide-names")
    as_tuples = [[tuple(r.values()) for r in rows] for rows in (first, second)]
    # The same rows (names are never in it, so --hide-names changes nothing but the order)...
    assert Counter(as_tuples[0]) == Counter(as_tuples[1])
    # ... in another order, and no column tells rows apart: nothing to link a row by.
    assert as_tuples[0] != as_tuples[1]
    for column in first[0]:
        assert len({r[column] for r in first}) < len(first), column
    with demo.read() as session:
        numbers = set(session.execute(text('SELECT number FROM "case"')).scalars())
        names = set(session.execute(text("SELECT surname FROM person")).scalars())
    body = (tmp_path / "a.csv").read_text(encoding="utf-8")
    assert not any(n in body for n in numbers | names)


def test_xlsx_and_json_carry_the_same_standard(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "pool.xlsx"
    run = run_cli(capsys, "stats", "--from", FROM, "--to", TO, "--htcds", str(out), "--k", "15")
    assert run.code == 0, run.err
    book = load_workbook(out)
    assert book.sheetnames == ["HTCDS", "Disclosure"]
    header, *cells = list(book["HTCDS"].iter_rows(values_only=True))
    rows = [{h: v or "" for h, v in zip(header, line, strict=True)} for line in cells]
    assert value_problems(rows) == []
    assert smallest_group(rows, header) >= 15
    disclosure = {(r[0], r[1] or ""): r[2] for r in book["Disclosure"].iter_rows(values_only=True)}
    assert disclosure[("k", "")] == 15 and disclosure[("rows_released", "")] == len(rows)

    out = tmp_path / "pool.json"
    assert run_cli(capsys, "stats", "--from", FROM, "--to", TO, "--htcds", str(out)).code == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["standard"] == "HTCDS 2.0" and "CC BY 4.0" in document["attribution"]
    assert document["fields"] == list(header)
    assert value_problems(document["records"]) == []
    assert smallest_group(document["records"], header) >= 11


@pytest.mark.parametrize("k", ["5", "ten", "0"])
def test_a_k_below_eleven_is_refused_and_nothing_written(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path, k: str
) -> None:
    out = tmp_path / "pool.csv"
    run = run_cli(capsys, "stats", "--htcds", str(out), "--k", k)
    assert run.code == 2
    assert "k must be a whole number of at least 11" in run.err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "scope",
    [
        # Subtracted from the whole years' export, each leaves a few cases with their rows.
        ("--from", FROM, "--to", TODAY.isoformat()),
        ("--from", f"{TODAY.year}-02-01", "--to", TO),
        (),  # the default period: the last twelve months, up to today
        ("--from", FROM, "--to", TO, "--category", "violence"),
        ("--from", FROM, "--to", TO, "--officer", "serik"),
    ],
)
def test_a_scope_that_differences_with_another_is_refused_and_nothing_written(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path, scope: tuple[str, ...]
) -> None:
    out = tmp_path / "pool.csv"
    run = run_cli(capsys, "stats", *scope, "--htcds", str(out), "--csv", str(tmp_path / "t.csv"))
    assert run.code == 2
    assert "HTCDS export" in run.err and "single out" in run.err
    assert list(tmp_path.iterdir()) == []
