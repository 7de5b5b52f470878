"""Cases → Import a spreadsheet…: the legacy CSV import, from the window.

It existed at the command line only: an officer moving a mission's old spreadsheet into Qorgau
had no way to do it from the window. The file is checked first (nothing written), the report
shown; the import runs on the officer's word, the rejected rows left out only if asked.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from app.errors import ValidationError
from app.services.cases import CaseService
from app.services.workspace import Workspace
from tests.conftest import OpenWs
from tests.ui.press import click
from ui.cases.csv_import import CsvImportDialog

HEADER = "Фамилия;Имя;ИИН;Страна;Категория;Дата обращения;Работодатель;Статус;Описание\n"
ROWS = (
    "Әбенов;Нұрлан;900504300127;KR;unpaid_wages;20.10.2026;Kim & Sons <Ltd>;;Долг\n"
    "Серікова;Айгүл;;TR;unpaid_wages;2026-09-01;;closed;\n"
    "Оспанов;Ерлан;;KR;other;31.02.2026;;;bad date\n"
    "Иванова;Мария;;RU;unpaid_wages;01.11.2026;;;\n"
)


def _checked(qtbot: QtBot, make_window: Callable[..., object], ws: Workspace, path: Path):
    window = make_window(ws)
    dialog = window.import_spreadsheet(path)  # type: ignore[attr-defined]
    assert isinstance(dialog, CsvImportDialog)
    qtbot.waitUntil(lambda: dialog.task is not None and not dialog.task.running, timeout=10_000)
    return dialog


def test_a_spreadsheet_is_checked_then_imported_leaving_out_what_was_rejected(
    qtbot: QtBot, make_window: Callable[..., object], open_ws: OpenWs, tmp_path: Path
) -> None:
    ws = open_ws("serik")
    path = tmp_path / "legacy.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + ROWS).encode("utf-8"))

    dialog = _checked(qtbot, make_window, ws, path)

    assert CaseService(ws).count_cases() == 0  # checked, nothing written
    assert dialog.summary.text() == "4 rows read; 3 can be imported, 1 rejected."
    assert dialog.notes.notes() == [
        "2 rows name no sex: it is taken from the patronymic or the surname, for the letters "
        "to agree with it.",
        "2 rows name no status: they come in as “New”. 2 cases come in open and past their "
        "deadline: the Start page will list them as overdue.",
    ]  # a register without a status column made every case a new, overdue one, unsaid
    assert dialog.notes.isVisibleTo(dialog)
    assert dialog.status_row.isVisibleTo(dialog)
    assert dialog.chosen_mapping()["Фамилия"] == "surname"  # recognised by its usual name
    assert dialog.rejected_rows.rowCount() == 1
    assert dialog.rejected_rows.item(0, 0).text() == "4"  # the file's line
    # The first rows as they will be registered, in words: a name order or a date column
    # taken wrongly shows before anything is written.
    assert dialog.preview.isVisibleTo(dialog) and dialog.preview.rowCount() == 3
    first = [dialog.preview.item(0, column).text() for column in range(7)]
    assert first == [
        "2",
        "Әбенов Нұрлан",
        "4 May 1990",  # from the IIN
        "South Korea",
        "20 Oct 2026",
        "Unpaid or underpaid wages",
        "New",
    ]
    assert not dialog.import_button.isEnabled()  # all or nothing unless asked
    click(qtbot, dialog.skip)
    assert dialog.import_button.isEnabled()
    assert dialog.import_button.text() == "Import 3 cases"

    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: dialog.imported is not None, timeout=20_000)

    assert CaseService(ws).count_cases() == 3
    assert dialog.summary.text().startswith("3 cases imported. Numbers ")
    assert dialog.import_button.isHidden()
    employers = {c.employer.name for c in map(CaseService(ws).get_case, _ids(ws)) if c.employer}
    assert employers == {"Kim & Sons <Ltd>"}  # kept as written, shown as text


def test_a_spreadsheet_without_a_needed_column_says_so_and_imports_nothing(
    qtbot: QtBot, make_window: Callable[..., object], open_ws: OpenWs, tmp_path: Path
) -> None:
    ws = open_ws("serik")
    path = tmp_path / "no-names.csv"
    path.write_text("Страна;Категория;Дата обращения\nKR;unpaid_wages;20.10.2026\n", "utf-8")

    dialog = _checked(qtbot, make_window, ws, path)

    # The fault: the dialog spoke the command line's words ("give a mapping").
    assert dialog.error.text() == (
        "No column for Surname, Given names: in the table above, choose the field beside the "
        "column that holds it, or add the column to the file."
    )
    assert not dialog.import_button.isEnabled()
    assert CaseService(ws).count_cases() == 0


def test_a_refused_check_reads_the_file_once(
    qtbot: QtBot,
    make_window: Callable[..., object],
    open_ws: OpenWs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After a refusal the dialog read the file again for its columns: for a million-row
    workbook some 8 s more of background work. The first reading's columns are kept."""
    from app.services import csv_import as service

    readings: list[bytes] = []
    real_open_table = service.open_table

    def counted(raw: bytes, *args: Any, **kwargs: Any) -> Any:
        readings.append(raw)
        return real_open_table(raw, *args, **kwargs)

    monkeypatch.setattr(service, "open_table", counted)
    ws = open_ws("serik")
    path = tmp_path / "no-names.csv"
    path.write_text("Страна;Категория;Дата обращения\nKR;unpaid_wages;20.10.2026\n", "utf-8")

    dialog = _checked(qtbot, make_window, ws, path)

    assert dialog.error.text().startswith("No column for Surname, Given names")
    assert dialog.headers == ["Страна", "Категория", "Дата обращения"]
    assert dialog.mapping_table.rowCount() == 3
    assert len(readings) == 1


def test_columns_named_otherwise_are_mapped_in_the_dialog_then_imported(
    qtbot: QtBot, make_window: Callable[..., object], open_ws: OpenWs, tmp_path: Path
) -> None:
    """A sheet whose columns the import does not recognise was refused whole; the officer
    says which field each column holds, checks again, and imports (``--map`` in the window)."""
    from PySide6.QtWidgets import QComboBox

    ws = open_ws("serik")
    path = tmp_path / "odd.csv"
    path.write_text(
        "Ф. работника;И. работника;Куда выехал;Что случилось;Когда пришёл\n"
        "Әбенов;Нұрлан;Оңтүстік Корея;unpaid_wages;20.10.2026\n",
        "utf-8",
    )
    dialog = _checked(qtbot, make_window, ws, path)
    assert "No column for" in dialog.error.text()
    assert not dialog.import_button.isEnabled()
    chosen = dict(
        zip(
            dialog.headers,
            ("surname", "given_names", "host_country", "categories", "received_at"),
            strict=True,
        )
    )
    for row, header in enumerate(dialog.headers):
        combo = dialog.mapping_table.cellWidget(row, 1)
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findData(chosen[header]))
    assert not dialog.import_button.isEnabled()  # not before the check with these columns

    click(qtbot, dialog.recheck_button)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    assert dialog.summary.text().startswith("1 row read; 1 can be imported, 0 rejected.")
    assert dialog.import_button.isEnabled()
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: dialog.imported is not None, timeout=20_000)
    assert CaseService(ws).count_cases() == 1


def test_a_file_too_large_or_gone_is_refused_before_it_is_read(
    qtbot: QtBot, make_window: Callable[..., object], open_ws: OpenWs, tmp_path: Path
) -> None:
    ws = open_ws("serik")
    dialog = _checked(qtbot, make_window, ws, tmp_path / "moved-away.csv")
    assert "cannot be read" in dialog.error.text()
    assert not dialog.import_button.isEnabled()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_chosen_is_read_only_as_far_as_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its size was asked first: a FIFO says 0 bytes, and was read to its end."""
    from tests.unit.test_bounded_reads import LIMIT
    from ui.cases import csv_import as dialog

    path = tmp_path / "pipe"
    os.mkfifo(path)

    def feed() -> None:
        try:
            with path.open("wb", buffering=0) as pipe:
                for _block in range(64):
                    pipe.write(b"a;b\n" * 1024)
        except BrokenPipeError:
            pass  # the reader stopped at its limit

    threading.Thread(target=feed, daemon=True).start()
    monkeypatch.setattr(dialog, "MAX_BYTES", LIMIT)
    with pytest.raises(ValidationError) as refused:
        dialog.read_spreadsheet(path)
    assert str(refused.value) == "The file is larger than 0 MB."


def test_the_menu_opens_the_file_chosen(
    make_window: Callable[..., object],
    open_ws: OpenWs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The menu's action passes Qt's ``checked`` (False) to a slot that takes an argument: the
    import opened the "file" False and failed (AttributeError) before any file was read."""
    path = tmp_path / "legacy.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window = make_window(open_ws("serik"))
    window.import_cases_action.trigger()  # type: ignore[attr-defined]
    dialog = window.import_dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, CsvImportDialog) and dialog.path == path


def test_an_hq_analyst_is_not_offered_the_import(
    make_window: Callable[..., object], open_ws: OpenWs
) -> None:
    window = make_window(open_ws("astana"))
    assert not window.import_cases_action.isVisible()  # type: ignore[attr-defined]
    assert window.import_spreadsheet(Path("x.csv")) is None  # type: ignore[attr-defined]


def _ids(ws: Workspace) -> list[str]:
    return [row.id for row in CaseService(ws).list_cases(limit=10)]


def test_cancel_stops_after_the_batch_being_written(
    qtbot: QtBot, make_window: Callable[..., object], open_ws: OpenWs, tmp_path: Path
) -> None:
    """A long import shows how many cases are written; Cancel stops it between two batches,
    and the dialog says how many went in (those, and only those, are in the mission)."""
    from app.services.csv_import import BATCH_ROWS

    ws = open_ws("serik")
    rows = 2 * BATCH_ROWS + 5
    path = tmp_path / "long.csv"
    path.write_text(
        HEADER + "".join(f"Сейітов{i};Ерлан;;KR;unpaid_wages;20.10.2026;;;\n" for i in range(rows)),
        "utf-8",
    )
    dialog = _checked(qtbot, make_window, ws, path)
    assert dialog.report is not None and dialog.report.accepted == rows
    assert "listed" not in dialog.summary.text()  # nothing rejected
    click(qtbot, dialog.import_button)
    assert dialog.task is not None and dialog.task.running
    dialog.task.context.cancel()  # the progress dialog's Cancel
    qtbot.waitUntil(lambda: not dialog.task.running, timeout=60_000)  # type: ignore[union-attr]

    assert dialog.imported is not None
    written = dialog.imported.imported
    assert 0 < written < rows and written % BATCH_ROWS == 0  # whole batches only
    assert CaseService(ws).count_cases() == written
    assert dialog.error.text()  # says where it stopped
    assert dialog.import_button.isHidden()


def test_a_sheet_rejected_row_by_row_lists_the_first_thousand(
    qtbot: QtBot, make_window: Callable[..., object], open_ws: OpenWs, tmp_path: Path
) -> None:
    from ui.cases.csv_import import SHOWN_REJECTIONS

    ws = open_ws("serik")
    path = tmp_path / "all-bad.csv"
    bad = SHOWN_REJECTIONS + 20
    path.write_text(
        HEADER + "".join(f"Б{i};Е;;XX;unpaid_wages;20.10.2026;;;\n" for i in range(bad)), "utf-8"
    )
    dialog = _checked(qtbot, make_window, ws, path)
    assert dialog.rejected_rows.rowCount() == SHOWN_REJECTIONS
    assert dialog.summary.text().endswith("The first 1,000 rejected rows are listed.")
    assert not dialog.import_button.isEnabled() and dialog.skip.isHidden()  # nothing to import


def test_a_workbook_of_several_sheets_is_read_sheet_by_sheet(
    qtbot: QtBot, make_window: Callable[..., object], open_ws: OpenWs, tmp_path: Path
) -> None:
    """A register kept as an Excel workbook, a sheet a year: the file dialog offered CSV
    only, and the import refused the workbook. The first sheet is checked, its rows named by
    Excel's numbers; choosing the other sheet checks it, and its cases are imported."""
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "2024"
    first.append(["ФИО", "Страна", "Категория", "Дата обращения"])
    first.append(["Әбенов Нұрлан", "Корея", "unpaid_wages", datetime(2024, 3, 5)])
    first.append(["Оспанов", "Корея", "other", datetime(2024, 3, 6)])
    second = book.create_sheet("2025")
    second.append(["Реестр 2025"])
    second.append(["Фамилия", "Имя", "Страна", "Категория", "Дата"])
    for n in range(3):
        second.append(["Серікова", f"Айгүл {n}", "ОАЭ", "other", datetime(2025, 1, 9 + n)])
    path = tmp_path / "register.xlsx"
    book.save(path)
    ws = open_ws("serik")

    dialog = _checked(qtbot, make_window, ws, path)

    assert dialog.sheet_row.isVisibleTo(dialog)
    assert dialog.sheet_combo.currentText() == "2024"
    assert dialog.summary.text().startswith("2 rows read; 1 can be imported, 1 rejected.")
    assert dialog.rejected_rows.horizontalHeaderItem(0).text() == "Row"
    assert dialog.rejected_rows.item(0, 0).text() == "3"  # as Excel numbers it
    dialog.sheet_combo.setCurrentText("2025")
    qtbot.waitUntil(lambda: dialog.task is not None and not dialog.task.running, timeout=10_000)
    assert dialog.summary.text().startswith("3 rows read; 3 can be imported, 0 rejected.")
    assert dialog.chosen_mapping()["Фамилия"] == "surname"  # the sheet's own header
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: dialog.imported is not None, timeout=20_000)
    cases = [CaseService(ws).get_case(case_id) for case_id in _ids(ws)]
    assert sorted(c.person.given_names for c in cases) == ["Айгүл 0", "Айгүл 1", "Айгүл 2"]
    assert {c.host_country for c in cases} == {"AE"}


def test_a_file_imported_before_is_said_to_be_so_and_offers_no_import(
    qtbot: QtBot, make_window: Callable[..., object], open_ws: OpenWs, tmp_path: Path
) -> None:
    """Unsure whether it went in, the officer imports the file again: every case would have
    been registered twice. Each row is rejected with the case it repeats, and the dialog
    says the file was imported before."""
    from app.services.csv_import import import_csv

    ws = open_ws("serik")
    path = tmp_path / "legacy.csv"
    path.write_bytes((HEADER + ROWS).encode("utf-8"))
    first = import_csv(ws, path.read_bytes(), skip_rejected=True)

    dialog = _checked(qtbot, make_window, ws, path)

    # The same bytes: the audit's import of them is named (when, by whom, how many cases);
    # not every row repeats a case (the bad date was not imported).
    assert f"by serik, {first.imported} cases." in dialog.notes.notes()[0]
    assert "Every row is a case already in Qorgau" not in dialog.summary.text()
    reasons = [dialog.rejected_rows.item(row, 1).text() for row in range(4)]
    assert reasons[0] == (
        f"Already in Qorgau as case {first.numbers[0]}: the same person and date received."
    )
    good = tmp_path / "good.csv"
    good.write_bytes((HEADER + ROWS.replace("31.02.2026", "28.02.2026")).encode("utf-8"))
    import_csv(ws, good.read_bytes(), skip_rejected=True)  # the fourth row, corrected
    again = _checked(qtbot, make_window, ws, good)
    assert again.summary.text() == "4 rows read; 0 can be imported, 4 rejected."
    assert again.notes.notes()[0].startswith("This file was imported before: ")
    assert not again.skip.isVisibleTo(again) and not again.import_button.isEnabled()
    assert CaseService(ws).count_cases() == 4


def test_complaints_written_in_the_files_own_words_are_given_their_categories(
    qtbot: QtBot, make_window: Callable[..., object], open_ws: OpenWs, tmp_path: Path
) -> None:
    """A register writes its complaints in its own words («невыплата з/п»): every such row
    was rejected, and the officer had to rewrite the column by hand. The dialog lists each
    wording with its rows; she gives each a category, checks again, and imports."""
    from PySide6.QtWidgets import QComboBox

    ws = open_ws("serik")
    path = tmp_path / "words.csv"
    path.write_text(
        "ФИО;Страна;Жалоба;Дата обращения\n"
        "Әбенов Нұрлан;Корея;невыплата з/п;05.03.2026\n"
        "Иванова Мария;ОАЭ;Паспорт у работодателя;06.03.2026\n"
        "Оспанов Ерлан;Корея;Невыплата з/п, паспорт у работодателя;07.03.2026\n",
        "utf-8",
    )
    dialog = _checked(qtbot, make_window, ws, path)
    assert dialog.summary.text() == "3 rows read; 0 can be imported, 3 rejected."
    table = dialog.category_table
    assert table.isVisibleTo(dialog)
    words = {table.item(row, 0).text(): table.item(row, 1).text() for row in range(2)}
    assert words == {"невыплата з/п": "2", "Паспорт у работодателя": "2"}  # as first written
    for row, code in enumerate(("unpaid_wages", "documents_withheld")):
        combo = table.cellWidget(row, 2)
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findData(code))
    assert not dialog.import_button.isEnabled()  # not before the check with these choices
    click(qtbot, dialog.recheck_button)
    qtbot.waitUntil(lambda: dialog.task is not None and not dialog.task.running, timeout=10_000)
    assert dialog.summary.text().startswith("3 rows read; 3 can be imported, 0 rejected.")
    assert table.rowCount() == 2  # the choices stay in view, to be changed
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: dialog.imported is not None, timeout=20_000)
    cases = [CaseService(ws).get_case(case_id) for case_id in _ids(ws)]
    assert sorted(tuple(sorted(c.categories)) for c in cases) == [
        ("documents_withheld",),
        ("documents_withheld", "unpaid_wages"),
        ("unpaid_wages",),
    ]


def test_a_column_of_free_text_taken_for_the_complaints_lists_the_most_frequent_only(
    qtbot: QtBot, make_window: Callable[..., object], open_ws: OpenWs, tmp_path: Path
) -> None:
    """A register whose «Жалоба» is free text has a wording a row: a combo for each of
    thousands froze the dialog. The most frequent 200 are listed, and the officer is told
    the column may hold descriptions."""
    from ui.cases.csv_import import SHOWN_WORDINGS

    ws = open_ws("serik")
    path = tmp_path / "free.csv"
    lines = [f"Әбенов Нұрлан;Работодатель не платит {n} месяцев;05.03.2026" for n in range(250)]
    path.write_text("ФИО;Жалоба;Дата обращения\n" + "\n".join(lines) + "\n", "utf-8")

    dialog = _checked(qtbot, make_window, ws, path)

    assert dialog.category_table.rowCount() == SHOWN_WORDINGS
    assert dialog.notes.notes()[-1] == (
        "50 more wordings of complaints are not listed; if the column holds descriptions "
        "rather than complaints, choose Description for it."
    )


def test_rows_without_a_status_can_come_in_closed(
    qtbot: QtBot, make_window: Callable[..., object], open_ws: OpenWs, tmp_path: Path
) -> None:
    ws = open_ws("serik")
    path = tmp_path / "old.csv"
    path.write_text("ФИО;Жалоба;Дата обращения\nӘбенов Нұрлан;other;05.03.2024\n", "utf-8")
    dialog = _checked(qtbot, make_window, ws, path)
    assert dialog.status_row.isVisibleTo(dialog)
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData("closed"))
    assert not dialog.import_button.isEnabled()  # not before the check with this choice
    click(qtbot, dialog.recheck_button)
    qtbot.waitUntil(lambda: dialog.task is not None and not dialog.task.running, timeout=10_000)
    assert dialog.notes.notes()[-1].endswith("1 row names no status: it comes in as “Closed”.")
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: dialog.imported is not None, timeout=20_000)
    (row,) = CaseService(ws).list_cases(limit=5)
    assert row.status == "closed"


def test_the_check_says_how_many_rows_it_has_read(
    qtbot: QtBot,
    make_window: Callable[..., object],
    open_ws: OpenWs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A register of 100,000 rows is checked for some seconds under a still "Checking every
    row…": the indicator counts the rows read."""
    from app.services import csv_import
    from ui.widgets.busy import BusyIndicator

    shown: list[str] = []
    start = BusyIndicator.start
    monkeypatch.setattr(csv_import, "CHECKED_PER_REPORT", 2)
    monkeypatch.setattr(
        BusyIndicator, "start", lambda self, text: (shown.append(text), start(self, text))[1]
    )
    ws = open_ws("serik")
    path = tmp_path / "legacy.csv"
    path.write_bytes((HEADER + ROWS).encode("utf-8"))
    _checked(qtbot, make_window, ws, path)
    qtbot.waitUntil(lambda: "Checking every row… 4 rows read" in shown, timeout=5_000)
    assert shown[0] == "Checking every row…"


def test_ten_notes_leave_the_columns_in_view_at_the_default_size(
    qtbot: QtBot,
    make_window: Callable[..., object],
    open_ws: OpenWs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Joined into one paragraph, a messy register's notes left the table of columns about
    two rows at 760×660, the officer scrolling it to map each column. The notes are a list
    in a box of its own height now, and the preview shows its first rows only."""
    from ui.cases import csv_import as dialog_module

    notes = [
        f"Note {n}: rows of this register name no country, no sex or no status, and each of "
        "them is taken as the report says, for the officer to check before importing."
        for n in range(10)
    ]
    monkeypatch.setattr(dialog_module, "report_notes", lambda _report: list(notes))
    ws = open_ws("serik")
    path = tmp_path / "journal.csv"
    header = "Фамилия;Имя;Отчество;ИИН;Страна;Категория;Дата обращения;Работодатель;"
    header += "Телефон;Адрес;Описание;Примечание\n"
    rows = [f"Иванов{n};Иван;Иванович;;KR;жалоба {n};01.10.2026;ТОО;;;;\n" for n in range(12)]
    path.write_text(header + "".join(rows), "utf-8")

    dialog = _checked(qtbot, make_window, ws, path)
    qtbot.waitUntil(lambda: dialog.category_table.isVisible())

    assert (dialog.width(), dialog.height()) == (760, 660)
    assert dialog.notes.notes() == notes and dialog.summary.text() == (
        "12 rows read; 0 can be imported, 12 rejected."
    )
    table = dialog.mapping_table
    in_view = [
        row
        for row in range(table.rowCount())
        if table.visualRect(table.model().index(row, 0)).bottom() < table.viewport().height()
    ]
    assert len(in_view) >= 7, len(in_view)
    # The notes scroll inside their own box, no taller than five lines of text.
    assert dialog.notes.height() <= 5 * dialog.notes.fontMetrics().lineSpacing() + 4
    assert dialog.notes.verticalScrollBar().maximum() > 0
    assert dialog.buttons.geometry().bottom() < dialog.height()  # nothing cut at the bottom
