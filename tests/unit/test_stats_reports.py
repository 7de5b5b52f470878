"""The report layer: texts, tables, CSV/XLSX, charts, the PDF in three languages."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.cli.common import jsonable
from app.domain.codes import IloIndicator
from app.errors import QorgauError
from app.letters import MissionInfo
from app.letters.fonts import register_fonts
from app.letters.renderer import MARGIN_LEFT, MARGIN_RIGHT, PAGE_WIDTH
from app.reports import charts
from app.reports.export import (
    csv_bytes,
    decimal_mark,
    safe_text,
    stream_csv,
    stream_xlsx,
    stream_xlsx_tables,
    write_csv,
    xlsx_bytes,
)
from app.reports.pdf import render_stats_report
from app.reports.published import published
from app.reports.tables import (
    ReportTable,
    case_list_table,
    export_about,
    indicator_tables,
    key_figures,
    selection_lines,
)
from app.reports.texts import text
from app.services.records import CaseRow, OfficerName, WorkerName
from app.services.stats import (
    Count,
    Indicators,
    MissionFigures,
    Money,
    MonthPoint,
    OrganisationCount,
    ReturneeCount,
    ReturneeStats,
    StatsFilter,
)
from tests.conftest import MISSION_NAME
from tests.pdf_geometry import drawn_line_xs

MISSION = MissionInfo(
    code="SEL",
    name=MISSION_NAME,
    address={"en": "Seoul"},
    phone="+82 2 000 0000",
    email="seoul@example.kz",
    city={"en": "Seoul"},
    country="KR",
)


def figures(by_mission: bool = False) -> Indicators:
    scope = StatsFilter(date(2026, 1, 1), date(2026, 3, 31), officer="aigul")
    return Indicators(
        date_from=date(2026, 1, 1),
        date_to=date(2026, 3, 31),
        today=date(2026, 4, 2),
        scope=scope,
        opened=42,
        resolved=17,
        closed=9,
        open_by_status=(
            Count("new", 5),
            Count("in_progress", 11),
            Count("awaiting_response", 14),
            Count("referred", 2),
        ),
        overdue=3,
        resolution_cases=17,
        median_days=12.5,
        p90_days=30.2,
        wages_recovered=(Money("KRW", Decimal("4400000.00"), 12),),
        documents_returned=4,
        repatriated=1,
        referred=2,
        ilo_indicators=tuple(
            Count(code.value, n)
            for code, n in zip(IloIndicator, (1, 5, 2, 0, 3, 1, 9, 20, 4, 2, 6), strict=True)
        ),
        categories=(Count("unpaid_wages", 20), Count("documents_withheld", 9), Count("other", 0)),
        host_countries=(Count("KR", 30), Count("TR", 12)),
        top_employers=(OrganisationCount("e1", '=HYPERLINK("x")', "KR", 7),),
        top_agencies=(),
        letters_by_kind=(Count("employer_letter", 3), Count("referral", 0)),
        reviews_by_risk=(
            Count("low", 1),
            Count("medium", 0),
            Count("high", 2),
            Count("critical", 0),
        ),
        monthly=(
            MonthPoint("2026-01", 10, 5, 2),
            MonthPoint("2026-02", 12, 6, 3),
            MonthPoint("2026-03", 20, 6, 4),
        ),
        by_mission=(
            MissionFigures("IST", 12, 5, 2, 6, 1, 9.0),
            MissionFigures("SEL", 30, 12, 7, 16, 2, 14.0),
        )
        if by_mission
        else (),
    )


def case_row() -> CaseRow:
    return CaseRow(
        id="c1",
        number="SEL-2026-0001",
        status="in_progress",
        urgency="high",
        life_or_liberty_at_risk=False,
        host_country="KR",
        person_name="Құрманғалиқызы Әсел",
        person_name_latin="KURMANGALIKYZY ASSEL",
        employer_name="Mirae Construction Co.",
        categories=("unpaid_wages",),
        received_at=date(2026, 2, 3),
        due_date=date(2026, 2, 17),
        assigned_to="aigul",
        deadline="red",
        escalated=False,
        updated_at=datetime(2026, 2, 3, tzinfo=UTC),
        origin_mission="SEL",
        worker=WorkerName("Құрманғалиқызы", "Әсел", "", "KURMANGALIKYZY", "ASSEL"),
        officer=OfficerName("aigul", "Айгүл Серікова", ""),
    )


def test_report_texts_come_from_the_documents_catalog() -> None:
    assert text("title", "kk") == "Еңбек эмигранттарын қорғау жөніндегі статистикалық есеп"
    assert text("ilo", "ru") == "Выявленные индикаторы принудительного труда МОТ"


def test_tables_carry_every_indicator() -> None:
    tables = {t.key: t for t in indicator_tables(figures(by_mission=True), "en")}
    assert list(tables) == [
        "key_figures",
        "open_by_status",
        "wages_recovered",
        "categories",
        "ilo_indicators",
        "host_countries",
        "top_employers",
        "top_agencies",
        "letters_by_kind",
        "reviews_by_risk",
        "monthly",
        "by_mission",
        "returnees",
        "returnees_by_occupation",
        "returnees_by_country",
        "returnees_by_region",
    ]
    assert tables["key_figures"].rows[0] == ("Cases opened", 42)
    assert ("Median days to resolution", 12.5) in tables["key_figures"].rows
    assert tables["categories"].rows == (
        ("Unpaid or underpaid wages", 20),
        ("Passport or documents withheld", 9),
    )
    assert tables["ilo_indicators"].rows[7][0] == 8
    assert tables["host_countries"].rows[0] == ("Republic of Korea", 30)
    assert tables["by_mission"].rows[0] == ("IST", 12, 5, 2, 6, 1, 9.0)
    assert "by_mission" not in {t.key for t in indicator_tables(figures(), "en")}


def test_letters_and_reviews_are_counted_under_their_own_heading(tmp_path: Path) -> None:
    """The fault: "Letters issued by kind" and "Contract reviews by risk" headed their count
    column "Cases", though they count letters and reviews, in the printed table, CSV, XLSX
    and PDF alike (all take the table's headers)."""
    tables = {t.key: t for t in indicator_tables(figures(), "en")}
    assert tables["letters_by_kind"].headers == ("Kind of letter", "Letters")
    assert tables["reviews_by_risk"].headers == ("Risk", "Reviews")
    assert tables["host_countries"].headers == ("Country", "Cases")  # cases stay cases
    written = write_csv([tables["letters_by_kind"], tables["reviews_by_risk"]], tmp_path / "t.csv")
    assert [p.read_text(encoding="utf-8-sig").splitlines()[0] for p in written] == [
        "Kind of letter;Letters",
        "Risk;Reviews",
    ]
    book = load_workbook(io.BytesIO(xlsx_bytes(list(tables.values()))))
    assert [c.value for c in book["Letters issued by kind"][2]] == ["Kind of letter", "Letters"]
    pdf = render_stats_report(figures(), "en", MISSION, hide_names=False)
    extracted = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Kind of letter\nLetters" in extracted and "Risk\nReviews" in extracted


def test_case_list_hides_names_when_asked() -> None:
    shown = case_list_table([case_row()], "kk", hide_names=False)
    assert shown.rows[0][4] == "Құрманғалиқызы Әсел" and shown.rows[0][7] == "Айгүл Серікова"
    hidden = case_list_table([case_row()], "kk", hide_names=True)
    assert hidden.rows[0][4] == "(жасырылған)" and hidden.rows[0][7] == "(жасырылған)"
    assert hidden.headers[4] == "Жұмыскер"  # the glossary's worker


def test_csv_neutralises_formulas_and_keeps_kazakh() -> None:
    assert safe_text("=1+1") == "'=1+1" and safe_text("-2") == "'-2"
    assert safe_text("Әсел") == "Әсел"
    table = ReportTable("t", "T", ("Name", "n"), (("=cmd|' /C calc'!A0", 1), ("Әсел", None)))
    text = csv_bytes(table).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows == [["Name", "n"], ["'=cmd|' /C calc'!A0", "1"], ["Әсел", ""]]


def test_csv_opens_in_columns_in_excel_set_to_kazakh_or_russian() -> None:
    """The fault: report CSVs were separated by commas, and Excel set to Kazakh or Russian,
    whose list separator is ";", put each line whole into its first column. Cells are now
    separated by ";", a cell holding one quoted, and a comma stays inside its cell."""
    table = ReportTable(
        "t",
        "T",
        ("Регион", "Профессия", "n"),
        (("Астана", "Сварщики, газорезчики", 3), ("Ли; Ким", "Водители", 1)),
    )
    lines = csv_bytes(table).decode("utf-8-sig").splitlines()
    assert lines == ["Регион;Профессия;n", "Астана;Сварщики, газорезчики;3", '"Ли; Ким";Водители;1']
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=";"))
    assert [len(row) for row in rows] == [3, 3, 3] and rows[2][0] == "Ли; Ким"


@pytest.mark.parametrize(
    ("lang", "ended", "running"),
    [
        ("en", "31 March 2026", "2 April 2026"),
        ("ru", "31 марта 2026", "2 апреля 2026"),
        ("kk", "2026 жылғы 31 наурыз", "2026 жылғы 2 сәуір"),
    ],
)
def test_open_cases_are_named_as_of_the_periods_last_day(
    lang: str, ended: str, running: str
) -> None:
    """The fault: a report for a period ended before today said its open and overdue cases
    were "now", as of today. They are its last day's, and the report says so."""
    past = figures()  # 1 January – 31 March, made on 2 April
    heading = " ".join(selection_lines(past, lang, hide_names=False))
    assert ended in heading and running not in heading
    names = [row[0] for row in key_figures(past, lang).rows]
    assert text("open_at_end", lang) in names and text("open_now", lang) not in names
    current = replace(past, date_to=past.today)
    heading = " ".join(selection_lines(current, lang, hide_names=False))
    assert running in heading
    assert text("open_now", lang) in [row[0] for row in key_figures(current, lang).rows]


def test_csv_amounts_and_days_carry_the_decimal_comma_excel_in_ru_and_kk_reads() -> None:
    """The fault: amounts and days were written "4400000.00" and "12.5", which Excel set to
    Kazakh or Russian (list separator ";") reads as text or a date, never as a number."""
    tables = {t.key: t for t in indicator_tables(figures(), "ru")}
    wages = csv_bytes(tables["wages_recovered"]).decode("utf-8-sig").splitlines()
    assert wages[1] == "KRW;4400000,00;12"  # no thousands separator, no quotes
    key = list(
        csv.reader(io.StringIO(csv_bytes(tables["key_figures"]).decode("utf-8-sig")), delimiter=";")
    )
    assert [row[1] for row in key if row[1] in ("12,5", "30,2")] == ["12,5", "30,2"]
    assert "." not in "".join(row[1] for row in key[1:])
    huge = ReportTable("t", "T", ("a", "b"), ((Decimal("1E+3"), 1e21),))
    assert csv_bytes(huge).decode("utf-8-sig").splitlines()[1] == "1000;1000000000000000000000"


def test_a_comma_separated_csv_keeps_the_decimal_point() -> None:
    assert decimal_mark(";") == "," and decimal_mark(",") == "."


def test_xlsx_has_a_sheet_per_table(tmp_path: Path) -> None:
    tables = indicator_tables(figures(), "ru")
    book = load_workbook(io.BytesIO(xlsx_bytes(tables, title="Отчёт", lang="ru")))
    # Sheets are named in the workbook's language, within Excel's 31 characters.
    assert book.sheetnames[:2] == ["Основные показатели", "Открытые дела по статусам"]
    assert all(len(name) <= 31 for name in book.sheetnames)
    employers = book["Работодатели с наибольшим…"]
    assert employers["A1"].value == "Работодатели с наибольшим числом жалоб"
    assert employers["A3"].value == '=HYPERLINK("x")'  # text, not a formula (see below)
    assert book["Взысканная заработная плата"]["B3"].value == 4400000.0
    assert book.properties.title == "Отчёт"
    assert book.properties.creator == "Qorgau"
    assert book.properties.language == "ru"
    with pytest.raises(QorgauError, match="There is no table to export"):
        xlsx_bytes([])


STARTS_LIKE_A_FORMULA = ("+7 740 828 4905", '=HYPERLINK("x")', "-2", "@SUM(A1)")


@pytest.mark.parametrize("streamed", [False, True])
def test_xlsx_text_is_the_true_value_never_a_formula(tmp_path: Path, streamed: bool) -> None:
    """The fault: the CSV's formula guard went into workbooks too, so a phone "+7 740 828 4905"
    was stored as "'+7 740 828 4905" in its cell. A workbook's text cells are strings: the
    value as typed, which Excel shows and never runs."""
    headers = ("=Name", "n")
    rows = [(value, 1) for value in STARTS_LIKE_A_FORMULA]
    target = tmp_path / "t.xlsx"
    if streamed:
        stream_xlsx(target, headers, iter(rows), title="@T", lang="en")
    else:
        target.write_bytes(xlsx_bytes([ReportTable("t", "@T", headers, tuple(rows))]))
    sheet = load_workbook(target).worksheets[0]
    cells = [sheet[f"A{n}"] for n in range(1, 3 + len(rows))]
    assert [c.value for c in cells] == ["@T", "=Name", *STARTS_LIKE_A_FORMULA]
    assert {c.data_type for c in cells} == {"s"}  # no formula ("f") among them
    assert sheet["B3"].value == 1


def test_xlsx_months_are_dates(tmp_path: Path) -> None:
    tables = [t for t in indicator_tables(figures(), "kk") if t.key == "monthly"]
    book = load_workbook(io.BytesIO(xlsx_bytes(tables)))
    sheet = book["Айлық серпін"]
    assert sheet["A3"].value == datetime(2026, 1, 1)  # openpyxl reads dates back as datetimes
    assert sheet["A3"].is_date and sheet["A3"].number_format == "yyyy-mm"
    # Text keeps the month as YYYY-MM: CSV and the printed table.
    assert csv_bytes(tables[0]).decode("utf-8-sig").splitlines()[1].startswith("2026-01;")
    assert str(tables[0].rows[0][0]) == "2026-01"
    # The only table's title is the workbook's title by default.
    assert book.properties.title == tables[0].title


def test_sheet_names_are_what_excel_accepts() -> None:
    tables = [
        ReportTable("a", "'Cases: [open]/closed?'", ("n",), ((1,),)),
        ReportTable("b", "CASES  OPEN CLOSED", ("n",), ((1,),)),
        ReportTable("c", "Cases open closed", ("n",), ((1,),)),
    ]
    book = load_workbook(io.BytesIO(xlsx_bytes(tables)))
    assert book.sheetnames == [
        "Cases open closed",
        "CASES OPEN CLOSED (2)",
        "Cases open closed (3)",
    ]


def test_write_csv_refuses_an_unwritable_place(tmp_path: Path) -> None:
    table = ReportTable("t", "T", ("a",), ((1,),))
    target = tmp_path / "missing-folder" / "t.csv"
    with pytest.raises(QorgauError, match="Cannot write"):
        write_csv([table], target)
    assert not target.parent.exists()


def test_a_streamed_csv_is_the_same_file_and_a_cut_one_leaves_nothing(tmp_path: Path) -> None:
    """The drill-down's export writes its rows as they are read (it held 100,000 at once)."""
    table = ReportTable("t", "T", ("Name", "n"), (("=cmd|' /C calc'!A0", 1), ("Әсел", None)))
    target = tmp_path / "cases.csv"
    assert stream_csv(target, table.headers, iter(table.rows)) == 2
    assert target.read_bytes() == csv_bytes(table)

    def cut_short() -> Iterator[tuple[str, int]]:
        yield ("Әсел", 1)
        raise QorgauError("cancelled")

    with pytest.raises(QorgauError, match="cancelled"):
        stream_csv(target, table.headers, cut_short())
    assert target.read_bytes() == csv_bytes(table)  # the earlier file, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.csv"]
    with pytest.raises(QorgauError, match="Cannot write"):
        stream_csv(tmp_path / "missing-folder" / "t.csv", table.headers, iter(table.rows))


@pytest.mark.parametrize(
    ("lang", "title", "status", "wages"),
    [
        (
            "kk",
            "Еңбек эмигранттарын қорғау жөніндегі статистикалық есеп",
            "Жауап күтілуде",
            "4 400 000 KRW",
        ),
        (
            "ru",
            "Статистический отчёт о защите трудовых эмигрантов",
            "Ожидается ответ",
            "4 400 000 KRW",
        ),
        (
            "en",
            "Statistical report on the protection of labour emigrants",
            "Awaiting response",
            "4,400,000 KRW",
        ),
    ],
)
def test_pdf_report_in_each_language(lang: str, title: str, status: str, wages: str) -> None:
    pdf = render_stats_report(figures(by_mission=True), lang, MISSION, hide_names=True)
    reader = PdfReader(io.BytesIO(pdf))
    extracted = " ".join(page.extract_text() for page in reader.pages)
    assert title in extracted
    assert status in extracted  # a label drawn inside the status chart
    assert "aigul" not in extracted  # the officer's name is hidden
    assert text("names_hidden", lang) in extracted
    assert wages in extracted.replace("\u00a0", " ").replace("\u202f", " ")
    assert reader.metadata is not None and reader.metadata.title == title
    assert pdf.left_out == () and pdf.warning() == ""  # every character printed, charts too


RETURNEES = ReturneeStats(
    total=50,
    by_country=(ReturneeCount("KR", 30, 20), ReturneeCount("TR", 20, 2)),
    by_major_group=(ReturneeCount("7", 40, 30), ReturneeCount("8", 10, 0)),
    undated=20,
    wants_referral=30,
    by_region=(ReturneeCount("KZ-75", 50, 30),),
)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_pdf_report_holds_the_returnees_table(lang: str) -> None:
    """The fault: the report a department head reads said nothing of the workers who came
    home in the period and the help they want, though the register counted them."""
    from app.domain import occupations as isco
    from app.letters.states import official_name

    pdf = render_stats_report(replace(figures(), returnees=RETURNEES), lang, MISSION)
    extracted = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    flat = " ".join(extracted.split())  # a cell a line, as pypdf reads a table
    for key in ("returnees", "returnees_by_occupation", "returnees_by_country"):
        assert text(key, lang) in flat
    assert f"{text('returned', lang)} 50 {text('returned_referral', lang)} 30" in flat
    assert f"{text('returned_undated', lang)} 20" in flat
    assert f"{official_name('KR', lang)} 30 20" in flat
    assert f"{official_name('TR', lang)} 20 <11" in flat  # published: a small cell is "<11"
    assert f"7 {isco.major_group_title('7', lang)} 40 30" in flat
    assert f"{isco.region_title('KZ-75', lang)} 50 30" in flat
    assert pdf.left_out == ()


def test_pdf_report_names_the_characters_it_cannot_print() -> None:
    """An employer registered under its Hangul name: the report's font has no glyph for it
    and prints nothing in its place; the one who exports is told which characters."""
    named = replace(figures(), top_employers=(OrganisationCount("e1", "(주)대성", "KR", 17),))
    pdf = render_stats_report(named, "ru", MISSION, hide_names=False)
    assert pdf.left_out == ("대", "성", "주")
    assert "대 성 주" in pdf.warning()


def test_charts_say_when_there_is_no_data() -> None:
    fonts = register_fonts()
    empty = charts.horizontal_bars(["a"], [0], fonts, "No data")
    assert empty.contents[0].text == "No data"
    assert charts.pie([], [], fonts, "Нет данных").contents[0].text == "Нет данных"
    drawn = charts.vertical_bars(["x", "y"], [[1, 2], [3, 4]], ["A", "B"], fonts, "No data")
    assert drawn.width > 0 and len(drawn.contents) == 2  # the chart and its legend


def test_long_chart_names_are_printed_whole() -> None:
    """The report cut indicator and category names at 48 characters («…құжаттарды ұстап
    қа…», «…Құрама Коро…»): a bar's name now takes two lines, a legend its whole width."""
    fonts = register_fonts()
    withheld = "7. Жеке басты куәландыратын құжаттарды ұстап қалу"
    bars = charts.horizontal_bars([withheld, "8. Жалақыны ұстап қалу"], [40, 63], fonts, "—")
    names = bars.contents[0].categoryAxis.categoryNames
    assert "7. Жеке басты куәландыратын құжаттарды ұстап\nқалу" in names
    assert not any("…" in name for name in names)
    kingdom = "Ұлыбритания және Солтүстік Ирландия Құрама Корольдігі"
    legend = charts.pie([kingdom, "Катар Мемлекеті"], [8, 3], fonts, "—").contents[-1]
    assert (charts.PALETTE[0], f"{kingdom} — 8") in legend.colorNamePairs


WAGES_LINE = {
    "kk": "26 400 000 KRW (15 іс бойынша)",
    "ru": "26 400 000 KRW (по 15 делам)",
    "en": "26,400,000 KRW in 15 cases",
}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_recovered_wages_print_on_one_line_within_the_margins(lang: str) -> None:
    """The fault: the outcomes table gave its values a fixed 45 mm, and the Kazakh report
    broke «12 000 AED (1 іс бойынша)» after «іс», the count of cases alone on a second line."""
    wages = (
        Money("AED", Decimal("12000.00"), 11),
        Money("KRW", Decimal("26400000.00"), 15),
    )
    pdf = render_stats_report(replace(figures(), wages_recovered=wages), lang, MISSION)
    lines = [
        " ".join(line.replace("\u00a0", " ").replace("\u202f", " ").split())
        for page in PdfReader(io.BytesIO(pdf)).pages
        for line in page.extract_text().splitlines()
    ]
    assert any(WAGES_LINE[lang] in line for line in lines), WAGES_LINE[lang]
    for xs in drawn_line_xs(pdf):
        assert all(MARGIN_LEFT - 0.5 <= x <= PAGE_WIDTH - MARGIN_RIGHT + 0.5 for x in xs)


def test_published_figures_show_no_small_count() -> None:
    """The attack: a partner reads "Türkiye: 1" or "repatriated: 1" in a report and knows
    which worker it is. Published, a count under 11 is "<11", the rest rounded to five."""
    exact = replace(
        figures(),
        resolution_cases=7,
        wages_recovered=(Money("KRW", Decimal("900000"), 3), Money("USD", Decimal("5000"), 16)),
        top_employers=(
            OrganisationCount("e1", "Hanil", "KR", 14),
            OrganisationCount("e2", "Jeil", "KR", 2),
        ),
    )
    shown = published(exact)
    assert published(shown) is shown  # once
    assert (str(shown.opened), str(shown.repatriated), str(shown.open_now)) == ("40", "<11", "30")
    assert {c.key: str(c.count) for c in shown.host_countries} == {"KR": "30", "TR": "15"}
    assert shown.median_days is None and shown.p90_days is None  # of 7 cases: withheld
    assert [(m.currency, str(m.cases)) for m in shown.wages_recovered] == [("USD", "15")]
    assert [o.name for o in shown.top_employers] == ["Hanil"]
    assert jsonable(shown)["repatriated"] == "<11" and jsonable(shown)["opened"] == 40
    key = {row[0]: row[1] for row in key_figures(shown, "en").rows}
    assert str(key["Repatriated"]) == "<11" and str(key["Overdue cases"]) == "<11"
    sheet = load_workbook(io.BytesIO(xlsx_bytes([key_figures(shown, "en")])))["Key figures"]
    assert [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)][:4] == [
        40,
        15,
        "<11",
        30,
    ]
    text_of = " ".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(render_stats_report(exact, "en", MISSION))).pages
    )
    assert "Repatriated\n<11" in text_of and "Jeil" not in text_of


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_hq_pdf_report_says_where_a_transferred_case_counts(lang: str) -> None:
    """The fault: HQ's printed figures counted a transferred case at the mission that opened
    it for the period and at the mission handling it now for open and overdue, and said
    nothing of it; a reader comparing missions could not tell why they did not add up."""

    def flat(pdf: bytes) -> str:
        pages = PdfReader(io.BytesIO(pdf)).pages
        return " ".join(" ".join(page.extract_text() for page in pages).split())

    rule = " ".join(text("counted_where", lang).split())
    assert rule in flat(render_stats_report(figures(by_mission=True), lang, MISSION))
    one_mission = replace(figures(), scope=replace(figures().scope, mission="SEL"))
    assert rule in flat(render_stats_report(one_mission, lang, MISSION))
    assert rule not in flat(render_stats_report(figures(), lang, MISSION))  # a mission's own


def test_hq_workbook_and_terminal_head_say_where_a_transferred_case_counts() -> None:
    """The same rule heads the workbook's and the terminal's figures (one list of lines)."""
    from app.reports.tables import selection_lines

    rule = text("counted_where", "ru")
    assert selection_lines(figures(by_mission=True), "ru", hide_names=False)[-1] == rule
    assert rule not in selection_lines(figures(), "ru", hide_names=False)


@pytest.mark.parametrize(
    ("lang", "months"),
    [("ru", ["янв.", "февр.", "март"]), ("kk", ["қаң.", "ақп.", "нау."]), ("en", ["Jan", "Feb"])],
)
def test_the_trend_names_its_months_as_the_dashboard_does(lang: str, months: list[str]) -> None:
    """The fault: the PDF's trend read "2026-01, 2026-02, 2026-03" under the chart where the
    screen says «янв. 2026, февр., март»."""
    pdf = render_stats_report(figures(), lang, MISSION)
    extracted = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "2026-02" not in extracted
    for name in months:
        assert name in extracted
    assert charts.month_names(["2025-12", "2026-01", "2026-02"], lang)[1].endswith("\n2026")


def test_the_last_twelve_months_name_each_of_their_thirteen_calendar_months() -> None:
    """The last twelve months from 08.12.2025 touch thirteen calendar months: naming every
    other one left December 2025 and half the year unnamed."""
    months = [f"{2025 + (m > 12)}-{(m - 1) % 12 + 1:02d}" for m in range(12, 25)]
    names = charts.month_names(months, "en")
    assert len(names) == 13 and all(names)
    assert names[0] == "Dec\n2025" and names[1] == "Jan\n2026" and names[-1] == "Dec"
    assert charts.month_names([*months, "2027-01"], "en")[1::2] == [""] * 7  # longer: thinned


@pytest.mark.parametrize("writer", ["whole", "streamed_tables", "streamed"])
def test_xlsx_keeps_each_tables_headers_in_sight(tmp_path: Path, writer: str) -> None:
    """The fault: the statistics' and the returnees' register's workbooks (and HQ's lists)
    froze no row, so an employment centre scrolling a register of hundreds of workers lost
    the column names; only the case list's workbook froze them."""
    table = ReportTable("t", "Register", ("Surname", "Phone"), (("Абаев", "+7 701"),) * 50)
    target = tmp_path / "t.xlsx"
    if writer == "whole":
        target.write_bytes(xlsx_bytes([table], about=("Period: 2025",)))
    elif writer == "streamed_tables":
        stream_xlsx_tables([table], target, title="Register", lang="en", about=("Period",))
    else:
        stream_xlsx(target, table.headers, iter(table.rows), title="Register", lang="en")
    book = load_workbook(target)
    sheet = book.worksheets[-1]
    assert [c.value for c in sheet[2]] == ["Surname", "Phone"]
    assert sheet.freeze_panes == "A3"  # the title and the headers stay above the rows
    if writer != "streamed":
        assert book.worksheets[0].freeze_panes is None  # the selection's lines: no table


def test_csv_tables_say_their_period_selection_and_small_counts(tmp_path: Path) -> None:
    """The fault: `stats --csv` and the dashboard's CSV export wrote a file per table and
    nothing else: a statistics office received one officer's figures, or a year's, with no
    period or selection, and "<11" with nothing saying what it means. The workbook has said
    them on its first sheet; the CSV files now have a file of their own for them."""
    tables = indicator_tables(figures(), "ru")
    about = ["Отчётный период: 1 января 2026 г. – 31 марта 2026 г.", "Отбор: все дела."]
    written = write_csv(tables, tmp_path / "report.csv", title="Отчёт", about=about)
    assert written[0] == tmp_path / "report-about.csv"
    assert written[1:] == [tmp_path / f"report-{t.key}.csv" for t in tables]
    lines = (tmp_path / "report-about.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines == ["Отчёт", *about]
    # Without lines to say, the tables alone, as before.
    assert write_csv(tables[:1], tmp_path / "one.csv") == [tmp_path / "one.csv"]


@pytest.mark.parametrize(("lang", "day"), [("ru", "2 апреля 2026"), ("kk", "2026 жылғы 2 сәуір")])
def test_the_exported_tables_name_their_source_and_day(lang: str, day: str) -> None:
    """The fault: the statistics' CSV and workbook said their period and selection but not
    whose figures they were nor of which day: the letterhead is the PDF's alone, and two
    missions' files, or a mission's of two days, read alike at the statistics office."""
    public = published(figures())
    lines = export_about(public, lang, False, MISSION)
    assert MISSION_NAME[lang] in lines[0] and day in lines[0]
    assert lines[1:-1] == selection_lines(public, lang, hide_names=False)
    assert lines[-1] == text("small_counts", lang).format(k=public.published_k)


@pytest.mark.parametrize("streamed", [False, True])
def test_xlsx_amounts_are_numbers_grouped_in_thousands(tmp_path: Path, streamed: bool) -> None:
    """The fault: wages recovered went into a General cell, "908600000", which a statistics
    office read digit by digit. An amount is still a number, shown grouped in thousands (in
    the separators of the reader's Excel), with cents only where it has some."""
    rows = [("KRW", Decimal("908600000.00"), 165), ("USD", Decimal("1250.50"), 12)]
    table = ReportTable("wages", "Wages", ("Currency", "Amount", "Cases"), tuple(rows))
    target = tmp_path / "w.xlsx"
    if streamed:
        stream_xlsx(target, table.headers, iter(rows), title="Wages", lang="en")
    else:
        target.write_bytes(xlsx_bytes([table]))
    sheet = load_workbook(target).worksheets[0]
    assert (sheet["B3"].value, sheet["B3"].number_format) == (908600000, "#,##0")
    assert (sheet["B4"].value, sheet["B4"].number_format) == (1250.5, "#,##0.00")
    assert sheet["B3"].data_type == "n" and sheet["C3"].number_format == "General"


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_missions_table_breaks_no_heading_word(lang: str) -> None:
    """The fault: HQ's table of missions side by side gave its seven columns fixed widths, and
    the report the department head reads broke «Загрануче|ждение», «Урегулир|овано»,
    «Просрочен|ные», and in Kazakh «Жабылға|н», over two lines."""
    pdf = render_stats_report(figures(by_mission=True), lang, MISSION)
    words = {
        word for page in PdfReader(io.BytesIO(pdf)).pages for word in page.extract_text().split()
    }
    table = {t.key: t for t in indicator_tables(published(figures(by_mission=True)), lang)}
    headings = [word for heading in table["by_mission"].headers for word in heading.split()]
    assert headings and [w for w in headings if w not in words] == []
    for xs in drawn_line_xs(pdf):
        assert all(MARGIN_LEFT - 0.5 <= x <= PAGE_WIDTH - MARGIN_RIGHT + 0.5 for x in xs)


def test_a_case_list_file_names_its_states_as_the_reports_do() -> None:
    """The file of a figure's cases gave the host country as its code («KR») under a head
    naming it «Корея Республикасы»: a file sent on names states officially."""
    assert case_list_table([case_row()], "kk", hide_names=False).rows[0][3] == (
        "Корея Республикасы"
    )
    assert case_list_table([case_row()], "ru", hide_names=False).rows[0][3] == "Республика Корея"
    assert case_list_table([case_row()], "en", hide_names=False).rows[0][3] == "Republic of Korea"


def test_a_time_is_a_date_cell_to_the_minute() -> None:
    """HQ's «Соңғы пакет жасалған күн» was text, which Excel sorts by its first digits."""
    made = datetime(2026, 12, 7, 20, 5, 31, 7, tzinfo=UTC)
    table = ReportTable("t", "T", ("Mission", "Last bundle made"), (("SEL", made),))
    cell = load_workbook(io.BytesIO(xlsx_bytes([table])))["T"]["B3"]
    assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm"
    assert cell.value == datetime(2026, 12, 7, 20, 5)
    assert csv_bytes(table).decode("utf-8-sig").splitlines()[1] == "SEL;2026-12-07 20:05+00:00"
