"""``qorgau stats --htcds`` on a demo mission of a thousand cases, checked against HTCDS 2.0."""

from __future__ import annotations

import csv
import io
import json
import shutil
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
# Exports cover whole calendar years that have ended.
TO = date(TODAY.year - 1, 12, 31).isoformat()
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


# The demo's cases end early this year, so that the years that have ended hold nearly all.
demo_paths = demo_paths_fixture("htcds", 1000, 20, date(TODAY.year, 1, 31))


@pytest.fixture
def demo(
    demo_paths: Paths, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workspace]:
    # Each test its own copy: the exports one test records must not refuse another's.
    paths = Paths(tmp_path_factory.mktemp("mission") / "data")
    shutil.copytree(demo_paths.data_dir, paths.data_dir)
    yield from signed_in_cli(monkeypatch, paths, "serik")


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
    assert {r["hte_Date"] for r in rows} <= {str(y) for y in range(TODAY.year - 3, TODAY.year)} | {
        ""
    }
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
    # The same cases with another k are another export (two generalisations, side by side,
    # tell more than either): only k = 15 again.
    out = tmp_path / "pool.json"
    refused = run_cli(capsys, "stats", "--from", FROM, "--to", TO, "--htcds", str(out))
    assert refused.code == 2 and "k = 15" in refused.err and not out.exists()

    run = run_cli(capsys, "stats", "--from", FROM, "--to", TO, "--htcds", str(out), "--k", "15")
    assert run.code == 0, run.err
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["standard"] == "HTCDS 2.0" and "CC BY 4.0" in document["attribution"]
    assert document["fields"] == list(header)
    assert value_problems(document["records"]) == []
    assert smallest_group(document["records"], header) >= 15


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
        ("--from", FROM, "--to", f"{TODAY.year - 1}-11-30"),
        ("--from", f"{TODAY.year - 1}-02-01", "--to", TO),
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


# -- a partner who receives several exports and subtracts them ---------------------------------


def released(path: Path) -> Counter[tuple[str, ...]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return Counter(tuple(row.values()) for row in csv.DictReader(handle))


def add_possible_victim(capsys: pytest.CaptureFixture[str], tmp_path: Path, received: str) -> None:
    case = {
        "person": {"surname": "Test", "given_names": "Victim", "birth_date": "1990-01-01"},
        "host_country": "KR",
        "categories": ["trafficking_forced_labour"],
        "description": "Kept at the farm; passport taken.",
        "received_at": received,
    }
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    added = run_cli(capsys, "case", "add", "--json", str(path))
    assert added.code == 0, added.err


def test_an_open_year_is_not_exported_as_it_fills(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Exported in March and again in June, this year's rows subtract to the cases between.
    year = ("--from", f"{TODAY.year}-01-01", "--to", f"{TODAY.year}-12-31")
    out = tmp_path / "march.csv"
    run = run_cli(capsys, "stats", *year, "--htcds", str(out))
    assert run.code == 2
    assert f"{TODAY.year} has not ended" in run.err
    assert f"Export it from 1 January {TODAY.year + 1}" in run.err
    assert list(tmp_path.iterdir()) == []


def test_a_year_exported_again_after_a_late_case_is_refused(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    last_year = ("--from", f"{TODAY.year - 1}-01-01", "--to", TO)
    assert export_csv(capsys, tmp_path / "january.csv", *last_year)
    # The same export again, of the same cases, gives the same rows: nothing to subtract.
    export_csv(capsys, tmp_path / "again.csv", *last_year)
    assert released(tmp_path / "january.csv") == released(tmp_path / "again.csv")
    # A possible victim whose case is entered late, dated last year, then the year once more.
    add_possible_victim(capsys, tmp_path, f"{TODAY.year - 1}-06-15")
    out = tmp_path / "march.csv"
    run = run_cli(capsys, "stats", *last_year, "--htcds", str(out))
    assert run.code == 2
    assert f"The cases of {TODAY.year - 1}, k = 11 have changed since" in run.err
    assert "give partners the file exported on" in run.err
    assert not out.exists()


def test_a_country_slice_beside_the_full_export_is_refused(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with demo.read() as session:
        query = 'SELECT host_country FROM "case" GROUP BY host_country ORDER BY count(*) DESC'
        first, second = list(session.execute(text(query)).scalars())[:2]
    # Slices that share no case are separate tables: nothing in one to subtract from the other.
    export_csv(capsys, tmp_path / "a.csv", "--country", first)
    export_csv(capsys, tmp_path / "b.csv", "--country", second)
    # All countries beside one of them would leave, subtracted, the other countries' cases.
    out = tmp_path / "all.csv"
    run = run_cli(capsys, "stats", "--from", FROM, "--to", TO, "--htcds", str(out))
    assert run.code == 2
    assert "shares cases with the one made on" in run.err
    assert f"country {first}" in run.err and "subtract" in run.err
    assert not out.exists()
    # The same slice again is the same export: the same rows.
    export_csv(capsys, tmp_path / "a2.csv", "--country", first)
    assert released(tmp_path / "a.csv") == released(tmp_path / "a2.csv")
