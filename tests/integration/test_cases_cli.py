"""case add|list|show|set-status, search and import-csv end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.config import Paths
from app.db.models import Case
from app.i18n import format_date, format_datetime
from app.services.installation import unlock
from tests.builders import ASSEL_JSON, disk_full_at_batch
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import ROOT, run_cli

Capsys = pytest.CaptureFixture[str]

DESIGN_CASE = {
    "person": {**ASSEL_JSON, "phone": "+90 532 000 0000"},
    "employer": {"name": "Example İnşaat Ltd", "country": "TR", "city": "Istanbul"},
    "host_country": "TR",
    "categories": ["unpaid_wages", "documents_withheld"],
    "urgency": "high",
    "description": "Wages unpaid for three months; passport kept by the employer.",
    "received_at": "2026-11-20",
}


@pytest.fixture
def cli(installation: Paths, capsys: Capsys, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("QORGAU_USER", "aigul")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)

    def run(*args: str):  # type: ignore[no-untyped-def]
        return run_cli(capsys, "--data-dir", str(installation.data_dir), *args)

    return run


def case_count(installation: Paths) -> int:
    ws = unlock(installation, "admin", PASSWORD)
    try:
        with ws.read() as session:
            return int(session.execute(select(func.count()).select_from(Case)).scalar_one())
    finally:
        ws.close()


def shown_due(shown: dict[str, Any]) -> date:
    return date.fromisoformat(shown["due_date"])


@contextmanager
def seoul_time() -> Iterator[None]:
    """This process's clock in Seoul (UTC+9, no summer time), as an officer's laptop there."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "KST-9"  # POSIX form: needs no time-zone database
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def write_json(tmp_path: Path, data: object) -> str:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_case_lifecycle(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    added = cli("case", "add", "--json", write_json(tmp_path, DESIGN_CASE))
    assert added.code == 0, added.err
    number = added.out.strip()
    assert number.startswith("SEL-") and number.endswith("-0001")
    shown = json.loads(cli("case", "show", number, "--json").out)
    assert shown["person"]["surname"] == "Құрманғалиқызы"
    assert shown["person"]["phone_abroad"] == "+90 532 000 0000"
    assert shown["categories"] == ["documents_withheld", "unpaid_wages"]
    assert shown["outcome"] == {
        "wages_recovered_amount": None,
        "wages_recovered_currency": None,
        "documents_returned": False,
        "documents_returned_on": None,
        "repatriated": False,
        "repatriated_on": None,
    }
    moved = cli("case", "set-status", number, "in_progress", "--note", "Statement taken")
    assert moved.code == 0 and "In progress" in moved.out
    refused = cli("case", "set-status", number, "closed", "--note", "done")
    assert refused.code == 1 and "cannot move" in refused.err
    listing = json.loads(cli("case", "list", "--status", "in_progress", "--json").out)
    assert listing["total"] == 1 and listing["cases"][0]["number"] == number
    assert json.loads(cli("case", "list", "--country", "KR", "--json").out)["total"] == 0
    for query in ("Assel Kurmangalikyzy", "әсел", "Асель", "940315400123", number):
        found = json.loads(cli("search", query, "--json").out)
        assert [c["number"] for c in found] == [number], query
    assert json.loads(cli("search", '" OR * AND -(', "--json").out) == []
    # Two words unquoted, as they are typed: refused before as "unrecognized arguments".
    unquoted = cli("search", "KURMANGALIKYZY", "ASSEL", "--json")
    assert unquoted.code == 0 and [c["number"] for c in json.loads(unquoted.out)] == [number]
    with seoul_time():
        text_show = cli("case", "show", number)
    assert "Құрманғалиқызы" in text_show.out and "Statement taken" in text_show.out
    # As the window shows it: the change from → to, at this computer's time (not UTC's).
    assert "Status changed: New → In progress — Statement taken" in text_show.out
    after = json.loads(cli("case", "show", number, "--json").out)
    moved_at = datetime.fromisoformat(after["timeline"][-1]["at"]) + timedelta(hours=9)
    assert f"{format_datetime(moved_at, language='en')}  " in text_show.out
    # What the case is about and when it must be followed up, as the list and window say.
    assert "Categories: Passport or documents withheld" in text_show.out
    assert "Unpaid or underpaid wages" in text_show.out
    assert f"Due: {format_date(shown_due(shown))}" in text_show.out
    assert "Urgency: " in text_show.out and "Officer: " in text_show.out


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(nickname="x"), "Unknown field “nickname”"),
        (lambda d: d["person"].update(eyes="brown"), "Unknown field “eyes” in person"),
        (lambda d: d.update(received_at="20/13/2026"), "not a date"),
        (lambda d: d.update(categories="unpaid_wages"), "list of codes"),
        (lambda d: d["person"].update(iin="940315400124"), "check digit"),
        (lambda d: d.pop("host_country"), "required"),
    ],
)
def test_case_add_bad_input(
    cli,
    tmp_path: Path,
    installation: Paths,
    mutate,  # type: ignore[no-untyped-def]
    message: str,
) -> None:
    data = json.loads(json.dumps(DESIGN_CASE))
    mutate(data)
    result = cli("case", "add", "--json", write_json(tmp_path, data))
    assert result.code == 1
    assert message in result.err
    assert result.err.count("\n") == 1
    assert case_count(installation) == 0


def test_case_add_invalid_json_and_unknown_case(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    result = cli("case", "add", "--json", str(path))
    assert result.code == 1 and "Invalid JSON" in result.err
    assert cli("case", "show", "SEL-2026-9999").code == 1


CSV_HEADER = "Фамилия;Имя;ИИН;Страна;Категория;Дата обращения;Работодатель;Статус;Описание\n"


def test_import_csv_utf8_bom_and_cp1251(cli, tmp_path: Path, installation: Paths) -> None:  # type: ignore[no-untyped-def]
    good = (
        CSV_HEADER
        + "Әбенов;Нұрлан;900504300127;KR;unpaid_wages|violence;20.10.2026;Daesung;;Долг\n"
        + "Серікова;Айгүл;;TR;Невыплата или неполная выплата заработной платы;"
        + "2026-09-01;;closed;\n"
    )
    utf8 = tmp_path / "cases.csv"
    utf8.write_bytes(b"\xef\xbb\xbf" + good.encode("utf-8"))
    dry = cli("import-csv", str(utf8), "--dry-run", "--json")
    assert dry.code == 0, dry.err
    report = json.loads(dry.out)
    assert (report["rows"], report["accepted"], report["imported"]) == (2, 2, 0)
    assert case_count(installation) == 0
    done = cli("import-csv", str(utf8))
    assert done.code == 0, done.err
    assert "2 imported" in done.out
    assert case_count(installation) == 2
    russian = (
        "Фамилия,Имя,Страна,Категория,Дата обращения\nИванова,Мария,RU,unpaid_wages,01.11.2026\n"
    )
    cp1251 = tmp_path / "legacy.csv"
    cp1251.write_bytes(russian.encode("cp1251"))
    result = json.loads(cli("import-csv", str(cp1251), "--json").out)
    assert (result["encoding"], result["delimiter"], result["imported"]) == ("cp1251", ",", 1)


def test_import_csv_of_a_file_of_gigabytes_is_refused_before_it_is_read(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, installation: Paths
) -> None:
    """The command read the whole file before the import checked its size: a disk image
    named by mistake was loaded into memory first."""
    image = tmp_path / "disk.img"
    with image.open("wb") as handle:
        handle.truncate(3 * 1024**3)  # sparse: three gigabytes that take no room
    result = cli("import-csv", str(image), "--dry-run")
    assert result.code == 1
    assert "The file is larger than 50 MB." in result.err
    assert case_count(installation) == 0


def test_import_csv_lists_imports_and_undoes_one(cli, tmp_path: Path, installation: Paths) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "register.csv"
    path.write_text(
        CSV_HEADER
        + "Әбенов;Нұрлан;900504300127;KR;unpaid_wages;20.10.2026;Daesung;;Долг\n"
        + "Серікова;Айгүл;;TR;violence;2026-09-01;;closed;\n",
        encoding="utf-8",
    )
    assert cli("import-csv", str(path)).code == 0
    [listed] = json.loads(cli("import-csv", "--list", "--json").out)
    assert (listed["file_name"], listed["imported"], listed["undone_at"]) == (
        "register.csv",
        2,
        None,
    )
    table = cli("import-csv", "--list").out
    assert listed["import_id"][:8] in table and "register.csv" in table
    short = listed["import_id"][:8]

    unconfirmed = cli("import-csv", "--undo", short)
    assert unconfirmed.code == 2 and "--yes" in unconfirmed.err
    assert "2 cases will be removed" in unconfirmed.out and case_count(installation) == 2
    checked = json.loads(cli("import-csv", "--undo", short, "--dry-run", "--json").out)
    assert len(checked["to_remove"]) == 2 and checked["undone"] is False
    done = json.loads(cli("import-csv", "--undo", short, "--yes", "--json").out)
    assert done["undone"] and len(done["removed"]) == 2 and done["people_removed"] == 2
    assert case_count(installation) == 0
    again = cli("import-csv", "--undo", short, "--yes")
    assert again.code == 1 and "was undone on" in again.err
    assert "qorgau import-csv --undo" not in again.err
    assert cli("import-csv", "--list", "--undo", short).code == 2
    assert cli("import-csv", str(path), "--list").code == 2
    assert cli("import-csv").code == 2
    assert cli("import-csv", "--undo", "abc").code == 1  # too short to name one


def test_import_csv_bad_rows_import_nothing(cli, tmp_path: Path, installation: Paths) -> None:  # type: ignore[no-untyped-def]
    rows = (
        CSV_HEADER
        + "Әбенов;Нұрлан;900504300127;KR;unpaid_wages;20.10.2026;;;ok\n"
        + "Әбенова;Сәуле;900504300120;KR;unpaid_wages;20.10.2026;;;bad iin\n"
        + ";Ерлан;;KR;unpaid_wages;20.10.2026;;;no surname\n"
        + "Оспанов;Ерлан;;XX;unpaid_wages;20.10.2026;;;bad country\n"
        + "Оспанов;Ерлан;;KR;stolen goods;20.10.2026;;;bad category\n"
        + "Оспанов;Ерлан;;KR;other;31.02.2026;;;bad date\n"
        + "Оспанов;Ерлан;;KR;other;01.02.2026;;flying;bad status\n"
        + "Оспанов;Ерлан\n"
    )
    path = tmp_path / "bad.csv"
    path.write_text(rows, encoding="utf-8")
    result = cli("import-csv", str(path))
    assert result.code == 1
    assert "Nothing was imported" in result.err
    lines = {
        int(line.split(":")[0].split()[1]): line
        for line in result.out.splitlines()
        if line.startswith("line ")
    }
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9]
    # A mistyped IIN does not refuse the row: it comes in without it, and says so.
    assert "check digit" in lines[3] and "comes in without the IIN" in lines[3]
    assert "empty" in lines[4] and "is not a country" in lines[5]
    assert "Unknown complaint category" in lines[6] and "not a date" in lines[7]
    assert "Unknown status" in lines[8] and "cells" in lines[9]
    assert case_count(installation) == 0
    partial = cli("import-csv", str(path), "--skip-rejected")
    assert partial.code == 0 and case_count(installation) == 2


def test_import_csv_mapping_and_unusable_files(cli, tmp_path: Path, installation: Paths) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "odd.csv"
    path.write_text("A,B,C,D,E\nӘбенов,Нұрлан,KG,other,2026-11-01\n", encoding="utf-8")
    missing = cli("import-csv", str(path))
    assert missing.code == 1 and "No column for" in missing.err
    mapped = cli(
        "import-csv",
        str(path),
        "--map",
        "A=surname",
        "--map",
        "B=given_names",
        "--map",
        "C=host_country",
        "--map",
        "D=categories",
        "--map",
        "E=received_at",
    )
    assert mapped.code == 0, mapped.err
    assert cli("import-csv", str(path), "--map", "A").code == 2
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty" in cli("import-csv", str(empty)).err
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes([0x98, 0x00, 0xFF]) * 20)
    assert cli("import-csv", str(binary)).code == 1
    assert case_count(installation) == 1


WORKER = """
import os, sys
from datetime import date
os.environ["QORGAU_KDF_PROFILE"] = "test"
from app.config import Paths
from app.services.cases import CaseService
from app.services.installation import unlock
from app.services.records import CaseInput, PersonInput
from pathlib import Path
ws = unlock(Paths(Path(sys.argv[1])), "aigul", sys.argv[2])
service = CaseService(ws)
for i in range(int(sys.argv[3])):
    service.create_case(CaseInput(
        host_country="KR", categories=("other",), received_at=date.today(),
        person=PersonInput(surname=f"W{sys.argv[4]}", given_names=f"N{i}")))
ws.close()
"""


def test_case_numbers_stay_gapless_with_two_processes(installation: Paths) -> None:
    per_process = 15
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                str(installation.data_dir),
                PASSWORD,
                str(per_process),
                str(n),
            ],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(2)
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    ws = unlock(installation, "admin", PASSWORD)
    try:
        with ws.read() as session:
            seqs = sorted(session.execute(select(Case.seq)).scalars())
    finally:
        ws.close()
    assert seqs == list(range(1, 2 * per_process + 1))


def _two_rows(tmp_path: Path) -> Path:
    """A CSV file of two good rows (two batches when ``BATCH_ROWS`` is 1)."""
    path = tmp_path / "two.csv"
    path.write_text(
        CSV_HEADER
        + "Әбенов;Нұрлан;;KR;unpaid_wages;20.10.2026;;;\n"
        + "Оспанов;Ерлан;;KR;other;21.10.2026;;;\n",
        encoding="utf-8",
    )
    return path


def test_import_csv_stopped_midway_says_what_was_imported(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, installation: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills in the second batch: exit 1, stderr names the line to go on from, and
    --json still prints what the first batch imported, for the tool that reads it."""
    from app.services import csv_import

    monkeypatch.setattr(csv_import, "BATCH_ROWS", 1)
    disk_full_at_batch(monkeypatch, failing=2)
    path = _two_rows(tmp_path)
    result = cli("import-csv", str(path), "--json")
    assert result.code == 1
    assert "The import stopped after line 2" in result.err
    partial = json.loads(result.out)
    assert partial["imported"] == 1 and len(partial["numbers"]) == 1
    assert partial["numbers"][0] in result.err
    assert case_count(installation) == 1


def test_ctrl_c_during_import_csv_ends_after_the_batch_and_says_what_was_imported(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, installation: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C while the first of two batches is written: the batch is finished, the second is
    not started, the command ends as an interrupted one (130) with the cases it imported on
    stderr and in --json, and the shell's Ctrl+C is its usual self again afterwards."""
    import signal

    from app.services import csv_import

    monkeypatch.setattr(csv_import, "BATCH_ROWS", 1)
    write_batch = csv_import._write_batch
    calls = {"n": 0}

    def writing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            signal.raise_signal(signal.SIGINT)  # as the terminal sends it, mid-batch
        return write_batch(*args, **kwargs)

    monkeypatch.setattr(csv_import, "_write_batch", writing)
    path = _two_rows(tmp_path)
    handler_before = signal.getsignal(signal.SIGINT)
    result = cli("import-csv", str(path), "--json")
    assert result.code == 130
    assert "Stopping after the batch being written" in result.err
    assert "The import stopped after line 2: It was stopped at your request." in result.err
    partial = json.loads(result.out)
    assert partial["imported"] == 1 and partial["numbers"][0] in result.err
    assert case_count(installation) == 1
    assert calls["n"] == 1
    assert signal.getsignal(signal.SIGINT) is handler_before


@pytest.mark.parametrize("debug", [False, True])
def test_a_defect_midway_in_import_csv_is_told_with_its_traceback_only_in_debug(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, installation: Paths, monkeypatch: pytest.MonkeyPatch, debug: bool
) -> None:
    """A bug in the second batch: one line naming the imported case for the user; with
    QORGAU_DEBUG the defect's own traceback too, for the engineer."""
    from app.services import csv_import

    monkeypatch.setattr(csv_import, "BATCH_ROWS", 1)
    index_cases = csv_import.search.index_cases
    calls = {"n": 0}

    def indexing(session, ids):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("unexpected state")
        index_cases(session, ids)

    monkeypatch.setattr(csv_import.search, "index_cases", indexing)
    if debug:
        monkeypatch.setenv("QORGAU_DEBUG", "1")
    result = cli("import-csv", str(_two_rows(tmp_path)))
    assert result.code == 1
    assert "The import stopped after line 2: An internal error occurred: unexpected state." in (
        result.err
    )
    assert ("Traceback" in result.err) is debug
    assert ("RuntimeError: unexpected state" in result.err) is debug
    assert case_count(installation) == 1


def test_import_csv_splits_a_full_name_column(cli, tmp_path: Path, installation: Paths) -> None:  # type: ignore[no-untyped-def]
    """Legacy sheets keep «ФИО» in one column and write countries, statuses and urgencies
    in words: the first refused the whole file (no column for the surname and the given
    names), the others each row (not an ISO code, unknown status). Surname first, then the
    given name, the rest the patronymic; a country's name in Kazakh, Russian or English, or a
    usual short form, is its code; a status or urgency by its label in any language."""
    path = tmp_path / "fio.csv"
    path.write_text(
        "№;ФИО;Страна;Категория;Дата обращения;Статус;Срочность\n"
        "17;Әбенов Нұрлан Серікұлы;Южная Корея;unpaid_wages;20.10.2026;В работе;Высокая\n"
        "18;Иванова Мария;Ресей;unpaid_wages;01.11.2026;Жабылды;\n"
        "19;Оспанов;KZ;other;01.11.2026;;\n",
        encoding="utf-8",
    )
    result = cli("import-csv", str(path), "--skip-rejected", "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["mapping"]["ФИО"] == "full_name"
    assert (report["accepted"], report["imported"]) == (2, 2)
    (rejected,) = report["rejected"]
    assert rejected["line"] == 4 and "not a full name" in rejected["reason"]
    first = json.loads(cli("case", "show", report["numbers"][0], "--json").out)
    second = json.loads(cli("case", "show", report["numbers"][1], "--json").out)
    shown = cli("case", "show", report["numbers"][0]).out
    assert "Person: Әбенов Нұрлан Серікұлы  IIN" in shown  # no Latin spelling: no "()"
    assert (first["host_country"], second["host_country"]) == ("KR", "RU")
    assert (first["status"], first["urgency"]) == ("in_progress", "high")  # words, not codes
    assert (second["status"], second["urgency"]) == ("closed", "normal")
    person = first["person"]
    assert (person["surname"], person["given_names"], person["patronymic"]) == (
        "Әбенов",
        "Нұрлан",
        "Серікұлы",
    )
    with_patronymic = cli("search", "Серікұлы", "--json")
    assert with_patronymic.code == 0 and report["numbers"][0] in with_patronymic.out


def test_import_csv_reads_an_excel_workbook_and_its_sheets(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, installation: Paths
) -> None:
    """Missions keep their registers in Excel: a workbook was refused as "neither UTF-8 nor
    Windows-1251 text". Its dates are dates, an IIN typed as a number keeps its leading zero
    by the cell's format, rows are named by Excel's numbers, and another sheet is read by
    its name."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "2024"
    sheet.append(["Реестр обращений, 2024"])
    sheet.append(["ФИО", "ИИН", "Страна", "Категория", "Дата обращения"])
    sheet.append(["Әбенов Нұрлан", 10203500127, "Корея", "unpaid_wages", datetime(2024, 3, 5)])
    sheet["B3"].number_format = "000000000000"
    sheet.append(["Иванова Мария", None, "ОАЭ", "other", datetime(2024, 4, 1, 10, 30)])
    sheet.append(["Оспанов", None, "KZ", "other", "01.11.2024"])
    other = book.create_sheet("2025")
    other.append(["Фамилия", "Имя", "Страна", "Категория", "Дата"])
    other.append(["Серікова", "Айгүл", "TR", "other", datetime(2025, 1, 9)])
    path = tmp_path / "register.xlsx"
    book.save(path)

    checked = cli("import-csv", str(path), "--dry-run")
    assert checked.code == 0, checked.err
    assert "Sheet “2024” read; the workbook's sheets: 2024, 2025" in checked.out
    assert "row 5: " in checked.out and "not a full name" in checked.out  # Excel's row 5
    done = cli("import-csv", str(path), "--skip-rejected", "--json")
    assert done.code == 0, done.err
    report = json.loads(done.out)
    assert (report["sheet"], report["imported"], report["encoding"]) == ("2024", 2, "xlsx")
    first = json.loads(cli("case", "show", report["numbers"][0], "--json").out)
    assert first["person"]["iin"] == "010203500127"
    assert (first["host_country"], first["received_at"][:10]) == ("KR", "2024-03-05")
    second = json.loads(cli("case", "show", report["numbers"][1], "--json").out)
    assert (second["host_country"], second["received_at"][:10]) == ("AE", "2024-04-01")

    later = json.loads(cli("import-csv", str(path), "--sheet", "2025", "--json").out)
    assert (later["sheet"], later["imported"]) == ("2025", 1)
    unknown = cli("import-csv", str(path), "--sheet", "2023")
    assert unknown.code == 1 and "its sheets: 2024, 2025" in unknown.err
    assert case_count(installation) == 3


def test_import_csv_of_a_file_imported_before_says_so_and_imports_nothing(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, installation: Paths
) -> None:
    path = _two_rows(tmp_path)
    first = json.loads(cli("import-csv", str(path), "--json").out)
    again = cli("import-csv", str(path))
    assert again.code == 1
    assert "This file was imported before: " in again.out  # when, by whom, how many
    assert f"line 2: Already in Qorgau as case {first['numbers'][0]}" in again.out
    assert "Nothing was imported: correct" not in again.err  # no row to correct
    assert cli("import-csv", str(path), "--skip-rejected").code == 0
    assert case_count(installation) == 2


def test_import_csv_lists_complaints_in_the_files_own_words_and_maps_them(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, installation: Paths
) -> None:
    """«з/п» was cut in two at its slash (two unknown complaints, "невыплата з" and "п"), and
    a register's own words could not be named at all."""
    path = tmp_path / "words.csv"
    path.write_text(
        "ФИО;Страна;Жалоба;Дата обращения\n"
        "Әбенов Нұрлан;Корея;невыплата з/п;05.03.2026\n"
        "Оспанов Ерлан;Корея;Невыплата з/п, other;07.03.2026\n",
        encoding="utf-8",
    )
    checked = cli("import-csv", str(path), "--dry-run")
    assert "“невыплата з/п”: 2 rows" in checked.out and "--map-category" in checked.out
    report = json.loads(cli("import-csv", str(path), "--dry-run", "--json").out)
    assert report["unknown_categories"] == {"невыплата з/п": 2}
    done = cli("import-csv", str(path), "--map-category", "невыплата з/п=unpaid_wages")
    assert done.code == 0, done.err
    assert case_count(installation) == 2
    wrong = cli("import-csv", str(path), "--map-category", "невыплата з/п=salary")
    assert wrong.code == 1 and "Unknown complaint category “salary”" in wrong.err
    assert cli("import-csv", str(path), "--map-category", "невыплата").code == 2


def test_case_add_keeps_what_it_gives_for_an_employer_on_file(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, installation: Paths
) -> None:
    """The fault: a case added with an employer whose name is on file was linked to that one
    and the city and phone given for it dropped, silently; the form refuses such a name."""
    first = json.loads(json.dumps(DESIGN_CASE))
    first["employer"] = {"name": "Daehan Steel", "country": "KR"}
    assert cli("case", "add", "--json", write_json(tmp_path, first)).code == 0
    second = json.loads(json.dumps(DESIGN_CASE))
    second["person"] = {"surname": "Ахметов", "given_names": "Ерлан", "birth_date": "1988-01-01"}
    second["employer"] = {
        "name": "DAEHAN  steel",
        "country": "KR",
        "city": "Busan",
        "phone": "+82 51 000 0000",
    }
    assert cli("case", "add", "--json", write_json(tmp_path, second)).code == 0
    employers = _employers(installation)
    assert employers == [("Daehan Steel", "Busan", "+82 51 000 0000")]  # one, its blanks filled
    # A city that contradicts the one on file may be another branch: refused, nothing written.
    third = json.loads(json.dumps(second))
    third["person"] = {"surname": "Сейітов", "given_names": "Нұрлан", "birth_date": "1990-02-02"}
    third["employer"]["city"] = "Ulsan"
    result = cli("case", "add", "--json", write_json(tmp_path, third))
    assert result.code == 1
    assert (
        "Daehan Steel (Busan) is already on file in this country, and what was given for it "
        "differs (City)" in result.err
    )
    assert case_count(installation) == 2 and _employers(installation) == employers


def _employers(installation: Paths) -> list[tuple[str, str, str]]:
    from app.db.models import Employer

    ws = unlock(installation, "admin", PASSWORD)
    try:
        with ws.read() as session:
            rows = session.execute(select(Employer.name, Employer.city, Employer.phone)).all()
            return [tuple(r) for r in rows]  # type: ignore[misc]
    finally:
        ws.close()


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_case_list_writes_dates_as_the_language_does(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, language: str
) -> None:
    """The table of ``case list`` gave 2026-11-20 where ``case show`` and the window give
    20.11.2026; its --json keeps ISO 8601 (a contract of scripts)."""
    assert cli("case", "add", "--json", write_json(tmp_path, DESIGN_CASE)).code == 0
    table = cli("--lang", language, "case", "list")
    assert table.code == 0, table.err
    assert "20.11.2026" in table.out and "2026-11-20" not in table.out
    listed = json.loads(cli("case", "list", "--json").out)
    assert listed["cases"][0]["received_at"] == "2026-11-20"


def test_search_says_when_more_cases_match_than_it_lists(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The fault: `search` stopped at its limit (20) without a word, so an employer's first
    twenty cases read as all of them."""
    for given in ("Айгүл", "Дана", "Жанар"):  # three workers of one employer
        person = {"surname": "Серікова", "given_names": given, "birth_date": "1990-01-02"}
        case = {**DESIGN_CASE, "person": person}
        assert cli("case", "add", "--json", write_json(tmp_path, case)).code == 0
    two = cli("search", "Example İnşaat", "--limit", "2")
    assert two.code == 0
    assert two.out.count("SEL-") == 2
    assert "The first 2 matches are listed; more match (--limit N lists more)." in two.out
    every = cli("search", "Example İnşaat", "--limit", "3")
    assert every.out.count("SEL-") == 3 and "more match" not in every.out
    assert len(json.loads(cli("search", "Example İnşaat", "--limit", "2", "--json").out)) == 2


def test_search_names_the_host_country_in_the_user_s_language(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The fault: ``search`` (and ``case list``) printed "TR" where ``hq missions`` and the
    window name the country; --json keeps the code, which other tools read."""
    assert cli("case", "add", "--json", write_json(tmp_path, DESIGN_CASE)).code == 0
    for lang, name in (("en", "Türkiye"), ("ru", "Турция"), ("kk", "Түркия")):
        for command in (("search", "Example İnşaat"), ("case", "list")):
            table = cli("--lang", lang, *command)
            assert table.code == 0 and name in table.out, (lang, command, table.out)
            assert " TR " not in table.out, (lang, command, table.out)
    found = json.loads(cli("search", "Example İnşaat", "--json").out)
    assert [c["host_country"] for c in found] == ["TR"]


def test_a_case_list_of_a_mission_not_here_is_refused(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The fault: "DBX" typed for "DXB" listed "0 of 0 cases", read as a mission without
    cases, where the statistics refused the same filter."""
    assert cli("case", "add", "--json", write_json(tmp_path, DESIGN_CASE)).code == 0
    typo = cli("case", "list", "--mission", "dbx")
    assert typo.code == 1 and typo.out == ""
    assert typo.err.strip() == "qorgau: No cases of mission DBX here; the missions here: SEL."
    listed = cli("case", "list", "--mission", "sel")
    assert listed.code == 0 and "1 of 1 cases" in listed.out
