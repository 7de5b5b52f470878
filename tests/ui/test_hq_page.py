"""The Headquarters area: what an HQ analyst sees after two missions' bundles arrived."""

from __future__ import annotations

import os
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget

from app.domain.codes import Urgency
from app.i18n import country_name, format_datetime
from app.letters.states import official_name
from app.services.consolidation import MAX_ROWS, ConsolidationService, MissionActivity
from tests.builders import ASSEL_JSON
from tests.hq.test_consolidation import ASSELS_ROW, add_hanil_cases, consolidated  # noqa: F401
from tests.integration.test_exchange import Site, dxb, hq, link, sel, sites  # noqa: F401
from tests.ui.test_exchange import page_for, wait
from tests.ui.test_fit_1366 import _combo_shortfall
from ui.hq.overdue import DAYS, DUE, URGENCY
from ui.hq.page import HqPage
from ui.models.case_table_model import display_texts
from ui.widgets.columns import header_shortfall
from ui.widgets.fields import DateField


def _column(table, column: int) -> list[str]:
    if isinstance(table, QTableWidget):
        return [table.item(r, column).text() for r in range(table.rowCount())]
    model = table.model()  # the overdue cases' paged model
    return [model.index(r, column).data() for r in range(model.rowCount())]


def _overdue_read(qtbot, page: HqPage) -> None:
    """The missions and repeats read, and the overdue cases' first page counted."""
    qtbot.waitUntil(
        lambda: page.refresh_button.isEnabled() and page.overdue_model.total is not None,
        timeout=10_000,
    )


def _cut_headings(qtbot, page: HqPage) -> list[tuple[int, int]]:
    """The headings cut, as (tab, column), each tab measured as shown: one not shown yet is
    laid out at Qt's default 640 px, narrower than the page."""
    cut = []
    shown = page.tabs.currentWidget().width()
    for tab, table in enumerate((page.missions, page.overdue, page.repeats)):
        page.tabs.setCurrentIndex(tab)
        qtbot.waitUntil(lambda table=table: table.width() > shown - 40, timeout=5_000)
        columns = table.model().columnCount()
        cut += [(tab, c) for c in range(columns) if header_shortfall(table, c)]
    return cut


def consolidated_missions(site: Site) -> dict[str, MissionActivity]:
    return {m.code: m for m in ConsolidationService(site.ws).missions()}


def test_missions_overdue_and_repeats_fill_and_filter(
    qtbot,
    consolidated: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    page = HqPage(consolidated.ws)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    _overdue_read(qtbot, page)
    assert _column(page.missions, 0) == ["DXB", "SEL"]  # by code
    # The most urgent first, then the longest overdue, as the database orders them.
    rank = {code.value: n for n, code in enumerate(Urgency)}
    keys = [(-rank[c.urgency], -c.days_overdue) for c in page.shown_overdue]
    assert len(keys) >= 2 and keys == sorted(keys)
    assert [int(d) for d in _column(page.overdue, DAYS)] == [
        c.days_overdue for c in page.shown_overdue
    ]
    assert _column(page.overdue, 0) == [
        c.number for c in ConsolidationService(consolidated.ws).overdue()
    ]
    # Countries by name and dates as everywhere in the interface (were KR and ISO in UTC).
    row = _column(page.missions, 0).index("SEL")
    assert page.missions.item(row, 1).text() == country_name("KR")
    last = consolidated_missions(consolidated)["SEL"].last_bundle_at
    assert last is not None
    assert page.missions.item(row, 3).text() == format_datetime(last.astimezone())
    assert ASSELS_ROW in _column(page.repeats, 1)
    everywhere = page.overdue_model.rowCount()
    page.mission_filter.setCurrentIndex(page.mission_filter.findData("SEL"))
    qtbot.waitUntil(lambda: {c.mission for c in page.shown_overdue} == {"SEL"}, timeout=10_000)
    assert set(_column(page.overdue, 1)) == {"SEL"}
    assert page.overdue_model.rowCount() <= everywhere
    page.tabs.setCurrentIndex(2)
    if os.environ.get("QORGAU_SCREENSHOTS"):
        page.grab().save(os.environ["QORGAU_SCREENSHOTS"] + "/hq_page.png")
    page.refresh_button.click()  # a second read replaces the first, same rows
    qtbot.waitUntil(lambda: page.refresh_button.isEnabled(), timeout=10_000)
    assert sorted(_column(page.missions, 0)) == ["DXB", "SEL"]


def test_the_missions_show_while_the_repeats_are_still_read(
    qtbot,
    consolidated: Site,  # noqa: F811
    monkeypatch,
) -> None:
    """All three tabs came from one read, so the missions tab stayed empty for as long as
    the repeats took (every case grouped twice: many seconds at two million cases)."""
    released = threading.Event()
    repeats = ConsolidationService.repeats

    def slow_repeats(service: ConsolidationService, limit: int = MAX_ROWS) -> list:
        released.wait(10)
        return repeats(service, limit)

    monkeypatch.setattr(ConsolidationService, "repeats", slow_repeats)
    page = HqPage(consolidated.ws)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.missions.rowCount() == 2, timeout=10_000)
    qtbot.waitUntil(lambda: page.overdue_model.rowCount() > 0, timeout=10_000)
    assert page.repeats.rowCount() == 0
    assert page.repeats_note.text() == "Looking for people and employers at several missions…"
    assert not page.refresh_button.isEnabled()
    released.set()
    qtbot.waitUntil(lambda: page.refresh_button.isEnabled(), timeout=10_000)
    assert ASSELS_ROW in _column(page.repeats, 1)
    assert page.repeats_note.text().startswith("People at several missions:")


def test_the_overdue_list_reads_a_page_at_a_time_and_says_how_many(
    qtbot,
    consolidated: Site,  # noqa: F811
) -> None:
    """The list stopped at 5,000, the longest overdue first: at 2 million cases a critical
    case overdue a day was left off. Now every one is there, read a page at a time off the
    GUI thread as the list scrolls, and the note says how many there are."""
    page = HqPage(consolidated.ws)
    qtbot.addWidget(page)
    _overdue_read(qtbot, page)
    assert page.views is not None
    total = sum(m.overdue_cases for m in page.views.missions)
    assert total >= 2 and page.overdue_model.rowCount() == total
    assert page.overdue_note.text() == f"{total} overdue cases."
    everywhere = [c.number for c in page.shown_overdue]
    model = page.overdue_model
    model.page_size = 1
    firsts: list[int] = []  # the rows of each first page read
    model.modelReset.connect(lambda: firsts.append(model.rowCount()))
    # Every page read from here on: the view may ask for the next ones as soon as the first
    # is in, before this test's own fetchMore.
    asked: list[dict[str, object]] = []
    read_page = model.service.overdue
    model.service.overdue = lambda *a, **kw: asked.append(kw) or read_page(*a, **kw)  # type: ignore[method-assign]
    page.refresh()
    qtbot.waitUntil(lambda: bool(firsts) and model.total == total, timeout=10_000)
    assert firsts == [1]
    assert page.overdue_note.text() == f"{total} overdue cases."
    while model.canFetchMore():
        before = model.rowCount()
        model.fetchMore()  # the view may have asked for it (and the next) already
        qtbot.waitUntil(lambda before=before: model.rowCount() > before, timeout=10_000)
    assert [c.number for c in page.shown_overdue] == everywhere  # each once, in order
    # Each next page in the default order starts after the last row's key, not at an offset.
    first, *later = asked
    assert first.get("after") is None
    assert later and all(kw["after"] is not None and "offset" not in kw for kw in later)
    del model.service.overdue
    seoul = next(m for m in page.views.missions if m.code == "SEL")
    page.mission_filter.setCurrentIndex(page.mission_filter.findData("SEL"))
    shown = (
        "1 overdue case." if seoul.overdue_cases == 1 else f"{seoul.overdue_cases} overdue cases."
    )
    qtbot.waitUntil(lambda: page.overdue_note.text() == shown, timeout=10_000)
    assert {c.mission for c in page.shown_overdue} == {"SEL"}


def test_a_column_clicked_sorts_the_overdue_list_in_the_database(
    qtbot,
    consolidated: Site,  # noqa: F811
) -> None:
    """Sorting a column sorts every overdue case, not the page read: the header asks the
    database again."""
    page = HqPage(consolidated.ws)
    qtbot.addWidget(page)
    _overdue_read(qtbot, page)
    model = page.overdue_model
    model.page_size = 1
    with qtbot.waitSignal(model.counted, timeout=10_000):
        page.overdue.sortByColumn(DAYS, Qt.SortOrder.AscendingOrder)  # the fewest days first
    fewest = min(
        ConsolidationService(consolidated.ws).overdue(limit=None), key=lambda c: c.days_overdue
    )
    assert model.rowCount() == 1 and model.rows[0].days_overdue == fewest.days_overdue
    with qtbot.waitSignal(model.counted, timeout=10_000):
        page.overdue.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # the highest number
    numbers = [c.number for c in ConsolidationService(consolidated.ws).overdue(limit=None)]
    assert model.rows[0].number == max(numbers)


def test_the_lists_of_people_and_employers_at_several_missions_say_how_many(
    qtbot,
    consolidated: Site,  # noqa: F811
    monkeypatch,
) -> None:
    """Each list is capped (5,000); the tab said nothing of how many there are."""
    from ui.hq import page as hq_page

    page = HqPage(consolidated.ws)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.refresh_button.isEnabled(), timeout=10_000)
    assert page.found_repeats is not None
    people = sum(r.kind == "person" for r in page.found_repeats)
    employers = len(page.found_repeats) - people
    assert people >= 1  # the worker who came to Seoul and to Dubai
    said = (
        f"People at several missions: {people}. Employers: {employers}. A case counts at the "
        "mission that opened it, also after a transfer."
    )
    assert page.repeats_note.text() == said
    monkeypatch.setattr(hq_page, "MAX_ROWS", people)  # as if the people's list were full
    page._say_repeats()
    assert page.repeats_note.text() == f"{said} Each list stops at {people}: there may be more."


def test_the_headings_say_at_which_mission_a_transferred_case_counts(
    qtbot,
    consolidated: Site,  # noqa: F811
) -> None:
    """The fault: the Missions tab counts a transferred case at the mission handling it now,
    the repeats' Missions column at the mission that opened it, and neither heading said so."""
    page = HqPage(consolidated.ws)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.refresh_button.isEnabled(), timeout=10_000)

    def tip(table, column: int) -> str:
        item = table.horizontalHeaderItem(column)
        return item.toolTip() if item is not None else ""

    held_now = "A case transferred between missions counts at the mission handling it now."
    assert [tip(page.missions, c) for c in (5, 6, 7)] == [held_now] * 3
    assert tip(page.repeats, 2) == (
        "A case counts at the mission that opened it, also after a transfer."
    )


def test_an_overdue_case_opens_and_a_repeat_lists_its_cases(
    qtbot,
    make_window,
    consolidated: Site,  # noqa: F811
) -> None:
    """Double-clicking an overdue case, or a person at several missions, did nothing: the
    analyst copied the number into the case list's search by hand."""
    from ui.cases.area import CasesArea

    window = make_window(consolidated.ws)
    page = window.show_area("hq")
    assert isinstance(page, HqPage)
    _overdue_read(qtbot, page)
    first = page.shown_overdue[0]
    page.overdue.activated.emit(page.overdue_model.index(0, 2))
    cases = window.area_widget("cases")
    assert isinstance(cases, CasesArea) and window.current_area() == "cases"
    qtbot.waitUntil(lambda: cases.editor.case is not None, timeout=10_000)
    assert cases.editor.case.id == first.case_id and cases.editor.case.number == first.number

    window.show_area("hq")
    row = _column(page.repeats, 1).index(ASSELS_ROW)
    page.repeats.itemActivated.emit(page.repeats.item(row, 0))
    assert cases.currentWidget() is cases.list_view
    assert cases.list_view.filters.search.text() == ASSEL_JSON["iin"]
    repeat = next(r for r in page.found_repeats if r.key == ASSEL_JSON["iin"])
    model = cases.list_view.model

    def listed() -> list[str]:
        return sorted(model.row_at(r).number for r in range(model.rowCount()))

    qtbot.waitUntil(lambda: listed() == sorted(repeat.case_numbers), timeout=10_000)

    # An employer each mission wrote its own way: its cases under either writing.
    window.show_area("hq")
    employer = next(r for r in page.found_repeats if r.kind == "employer")
    row = _column(page.repeats, 1).index(employer.who())
    page.repeats.itemActivated.emit(page.repeats.item(row, 0))
    assert cases.list_view.filters.search.text() == "global staffing"
    qtbot.waitUntil(lambda: listed() == sorted(employer.case_numbers), timeout=10_000)

    # A mission: the cases it holds, through the case list's mission filter (a search for
    # its code found the cases it numbered, not those transferred to it).
    window.show_area("hq")
    row = _column(page.missions, 0).index("DXB")
    page.missions.itemActivated.emit(page.missions.item(row, 1))
    bar = cases.list_view.filters
    assert not bar.mission.isHidden() and bar.mission.currentData() == "DXB"
    assert bar.search.text() == "" and bar.current_filter().mission == "DXB"
    assert [bar.mission.itemData(i) for i in range(bar.mission.count())] == ["", "DXB", "SEL"]
    held = {m.code: m.cases for m in page.views.missions}["DXB"]
    qtbot.waitUntil(lambda: model.total == held and not model.loading, timeout=10_000)
    assert {number.split("-")[0] for number in listed()} == {"DXB"}
    bar.mission.setCurrentIndex(bar.mission.findData("SEL"))
    held = {m.code: m.cases for m in page.views.missions}["SEL"]
    qtbot.waitUntil(lambda: model.total == held and not model.loading, timeout=10_000)


def test_a_mission_trusted_while_the_window_is_open_is_in_the_case_lists_filter(
    qtbot,
    make_window,
    hq: Site,  # noqa: F811
    sites,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The fault: the case list read the missions once, when it was built. At a new HQ (no
    mission trusted yet) its bar showed the officers, useless at HQ, and no mission filter; a
    mission trusted and imported later was missing from the filter until the app restarted,
    and a double click on it in the Missions area listed every mission's cases instead."""
    from tests.integration.test_exchange import linked_with_cases

    window = make_window(hq.ws)
    cases = window.show_area("cases")
    bar = cases.list_view.filters
    assert not bar.mission.isHidden() and bar.officer.isHidden()

    seoul = linked_with_cases(hq, sites("SEL", "KR", "Seoul"), 6, seed=11)
    seoul.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])
    exchange = window.show_area("exchange")
    exchange.import_from(tmp_path / "sel.qbundle")
    wait(qtbot, exchange)
    page = window.show_area("hq")
    qtbot.waitUntil(lambda: "SEL" in _column(page.missions, 0), timeout=10_000)
    row = _column(page.missions, 0).index("SEL")
    page.missions.itemActivated.emit(page.missions.item(row, 1))

    assert [bar.mission.itemData(i) for i in range(bar.mission.count())] == ["", "SEL"]
    assert bar.mission.currentData() == "SEL" and bar.current_filter().mission == "SEL"
    model = cases.list_view.model
    qtbot.waitUntil(lambda: not model.loading and model.total == 6, timeout=10_000)


def test_at_hq_my_cases_are_named_beside_the_count_and_a_kept_officer_choice_is_dropped(
    qtbot,
    make_window,
    consolidated: Site,  # noqa: F811
) -> None:
    """HQ's bar shows missions, not officers: an officer choice kept from before filtered the
    list unseen, and "My open cases" from the Start page could not say why the list was short."""
    from app.services.records import CaseFilter
    from tests.builders import new_case
    from ui.cases.filter_bar import ME

    me = consolidated.ws.actor.username
    own = consolidated.cases.create_case(  # HQ's own case, assigned to its administrator
        new_case(assigned_to=me), allow_duplicate_person=True
    )
    cases = make_window(consolidated.ws).show_area("cases")
    view = cases.list_view
    model = view.model
    view.filters.officer.setCurrentIndex(view.filters.officer.findData(ME))  # kept from before
    assert view.filters.current_filter().assigned_to is None

    mine = CaseFilter(assigned_to=me, open_only=True)
    view.show_filtered(mine)
    qtbot.waitUntil(lambda: not model.loading and model.total == 1, timeout=10_000)
    assert model.row_at(0).id == own.id
    assert view.preset_label.isVisibleTo(view) and view.preset_label.text() == "Only: my cases"
    view.preset_clear.click()
    qtbot.waitUntil(lambda: not model.loading and model.total > 1, timeout=10_000)
    assert not view.preset_label.isVisibleTo(view)


def test_a_mission_lists_no_mission_filter(make_window, sel: Site) -> None:  # noqa: F811
    cases = make_window(sel.ws).show_area("cases")
    bar = cases.list_view.filters
    assert bar.mission.isHidden() and bar.mission not in bar._combos()


def test_the_missions_area_is_at_hq_only(make_window, hq: Site, sel: Site) -> None:  # noqa: F811
    assert "hq" in make_window(hq.ws).area_keys()
    assert "hq" not in make_window(sel.ws).area_keys()


def test_every_area_has_the_apps_own_icon_at_hq_and_at_a_mission(
    make_window,
    hq: Site,  # noqa: F811
    sel: Site,  # noqa: F811
) -> None:
    """HQ's Missions and Returnees fell back to the style's stock icons: a coloured drive and
    a black list on the dark navigation, beside the app's white line icons."""
    from ui.icons import AREA_ICONS

    for site in (hq, sel):
        keys = make_window(site.ws).area_keys()
        assert set(keys) <= set(AREA_ICONS), set(keys) - set(AREA_ICONS)


def test_counts_and_dates_sort_by_value_not_by_text(qtbot) -> None:
    """As text, "10" sorted before "9" and "01.12.2026" before "30.11.2026": an analyst
    sorting missions by their overdue cases saw the largest counts in the middle."""
    from datetime import date

    from PySide6.QtCore import Qt

    from ui.hq.page import _count, _fill, _table

    table = _table(2)
    qtbot.addWidget(table)
    _fill(
        table,
        [
            [_count(9), ("01.12.2026", date(2026, 12, 1))],
            [_count(10), ("30.11.2026", date(2026, 11, 30))],
            [_count(None), ("02.01.2027", date(2027, 1, 2))],
        ],
    )
    table.sortItems(0, Qt.SortOrder.DescendingOrder)
    assert _column(table, 0) == ["10", "9", "—"]
    table.sortItems(1, Qt.SortOrder.AscendingOrder)
    assert _column(table, 1) == ["30.11.2026", "01.12.2026", "02.01.2027"]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_heading_shows_whole_beside_its_sort_arrow(
    qtbot,
    bridge,
    apps_look: None,
    consolidated: Site,  # noqa: F811
    language: str,
) -> None:
    """The columns were fitted before sorting was on, so the arrow then cut 5-17 pixels of
    «Өкілдік», «Cases», «Open»; measured in the app's own look."""
    bridge.set_language(language)
    page = HqPage(consolidated.ws)
    qtbot.addWidget(page)
    page.resize(1030, 600)
    page.show()
    qtbot.waitUntil(lambda: page.refresh_button.isEnabled(), timeout=10_000)
    assert _cut_headings(qtbot, page) == []


def test_an_hq_analyst_reads_a_missions_case_and_is_offered_no_write(
    qtbot,
    make_window,
    consolidated: Site,  # noqa: F811
) -> None:
    """An analyst (role hq, outside CASE_WORKERS) was offered New case, Save, New letter, the
    timeline's entry and status controls and Attach files, and could type into every field:
    each write was refused only when saved."""
    from app.services.installation import unlock
    from tests.conftest import PASSWORD
    from ui.cases.area import CasesArea

    analyst = unlock(consolidated.paths, "astana", PASSWORD)
    try:
        window = make_window(analyst)
        assert not window.new_case_action.isVisible()
        start = window.area_widget("start")
        assert start.new_button.isHidden()
        # No "My open cases (0)": an analyst is assigned none.
        shown = [section for section, *_rest in start._sections()]
        assert shown == [start.overdue, start.at_risk, start.recent]
        assert start.mine.parent() is None and start.overdue.isVisible()
        qtbot.waitUntil(lambda: not start.loading, timeout=10_000)
        assert start.overdue.tree.topLevelItemCount() > 0
        cases = window.show_area("cases")
        assert isinstance(cases, CasesArea) and cases.list_view.new_button.isHidden()
        window.new_case()  # Ctrl+N, had the action been reached some other way
        assert cases.currentWidget() is cases.list_view
        first = ConsolidationService(analyst).overdue()[0]
        cases.open_case(first.case_id)
        editor = cases.editor
        assert editor.case is not None and editor.case.id == first.case_id
        assert editor.save_button.isHidden() and editor.letter_button.isHidden()
        surname = editor.person.boxes["surname"].widget
        assert surname.isReadOnly() and surname.text()  # read, selected, copied; not typed
        birth = editor.person.boxes["birth_date"].widget
        assert birth.isReadOnly() and not birth.calendar_action.isVisible()
        # An empty date the analyst cannot fill shows no example as if it were on file.
        empty = [f for f in editor.findChildren(DateField) if not f.text()]
        assert empty and all(f.placeholderText() == "" for f in empty), empty
        assert not editor.host_country.isEnabled() and not editor.categories.isEnabled()
        assert not editor.person.boxes["consent_scope"].widget.isEnabled()
        assert editor.timeline.controls.isHidden() and editor.timeline.undo_button.isHidden()
        assert editor.attachments.add_button.isHidden()
        assert editor.attachments.remove_button.isHidden()
        assert not editor.attachments.acceptDrops()
        assert not editor.attachments.open_button.isHidden()
        assert not editor.attachments.save_button.isHidden()
        qtbot.keyClicks(editor.description, "typed by an analyst")
        assert not editor.dirty and editor.save() is None
        assert editor.confirm_close()  # nothing to lose, nothing asked
    finally:
        analyst.close()


def test_hqs_administrator_reads_a_missions_case_too(
    make_window,
    consolidated: Site,  # noqa: F811
) -> None:
    """Its change would be overwritten by the mission's next bundle or meet it as a conflict
    (``app.db.sync`` refuses it): the form offers none, and shows the mission's status."""
    window = make_window(consolidated.ws)  # the administrator, a case worker at a mission
    cases = window.show_area("cases")
    first = ConsolidationService(consolidated.ws).overdue()[0]
    cases.open_case(first.case_id)
    editor = cases.editor
    assert editor.writable and not editor.can_write
    assert editor.save_button.isHidden() and editor.timeline.controls.isHidden()
    assert editor.person.boxes["surname"].widget.isReadOnly()
    assert not editor.badge.text().startswith("Handled by")  # HQ reads the live status
    assert window.new_case_action.isVisible()  # HQ's own cases it still opens and changes


def test_a_missions_attache_still_writes(make_window, sel: Site) -> None:  # noqa: F811
    window = make_window(sel.ws)
    start = window.area_widget("start")
    assert start.mine.isVisible() and len(start._sections()) == 4
    cases = window.show_area("cases")
    assert window.new_case_action.isVisible() and not cases.list_view.new_button.isHidden()
    cases.new_case()
    editor = cases.editor
    assert not editor.save_button.isHidden() and not editor.timeline.controls.isHidden()
    assert not editor.person.boxes["surname"].widget.isReadOnly()
    assert editor.host_country.isEnabled()


def test_a_case_transferred_away_reads_only_at_the_mission_that_held_it(
    qtbot,
    make_window,
    sel: Site,  # noqa: F811
    dxb: Site,  # noqa: F811
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Once HQ's notice is imported the copy offers no write (each was refused on Save) and
    says who handles the case; the next case opened in the same form is writable again."""
    from app.services.records import CaseFilter

    sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "1.qbundle")
    moved, other = sorted(sel.cases.list_cases(CaseFilter(), 0, 2), key=lambda c: c.number)
    at_hq = page_for(qtbot, hq)
    at_hq.transfer([moved.number], "DXB", tmp_path / "t.qbundle")
    wait(qtbot, at_hq)
    notice = tmp_path / "t.notice-SEL.qbundle"
    assert at_hq.hq_summary.text().splitlines()[1] == (
        f"Notice for SEL, which handled these cases until now: {notice}. "
        "Send it to SEL too; there the cases become read only."
    )
    at_sel = page_for(qtbot, sel)
    at_sel.import_from(notice)
    wait(qtbot, at_sel)
    assert at_sel.import_report.text().splitlines()[1] == (
        f"Headquarters has transferred case {moved.number} from SEL to DXB: DXB handles it "
        "from now on, and the copy here can be read but no longer changed."
    )  # news, not a warning
    assert [at_sel.log.item(0, c).text() for c in (1, 2, 3)] == [
        "received",
        "Transfer notice",
        "AST",
    ]
    sent = {(at_hq.log.item(r, 2).text(), at_hq.log.item(r, 3).text()) for r in range(2)}
    assert sent == {("Transfer", "DXB"), ("Transfer notice", "SEL")}
    window = make_window(sel.ws)
    cases = window.show_area("cases")

    cases.open_case(moved.id)
    editor = cases.editor
    assert editor.held_elsewhere == "DXB"
    assert editor.badge.text() == "Handled by DXB · read only"
    assert editor.save_button.isHidden()
    # New letter is greyed, not hidden: it says who writes the case's letters now.
    assert not editor.letter_button.isHidden() and not editor.letter_button.isEnabled()
    assert editor.letter_button.toolTip() == (
        f"Case {moved.number} is handled by another mission now (DXB): headquarters "
        "transferred it there, and letters about it are written there, not here."
    )
    assert editor.review_button.isHidden()
    assert editor.timeline.controls.isHidden() and editor.attachments.add_button.isHidden()
    assert editor.person.boxes["surname"].widget.isReadOnly()
    assert not editor.categories.isEnabled() and editor.skills_button.isHidden()
    # No example date in an empty field that takes none («e.g. 15 Mar 1994» read as data).
    empty = [f for f in editor.findChildren(DateField) if not f.text()]
    assert empty and all(f.placeholderText() == "" for f in empty), empty
    qtbot.keyClicks(editor.description, "typed on a copy")
    assert not editor.dirty and editor.save() is None

    cases.open_case(other.id)
    assert editor.held_elsewhere == "" and editor.can_write
    assert editor.person.boxes["birth_date"].widget.placeholderText().startswith("e.g. ")
    assert not editor.save_button.isHidden() and not editor.timeline.controls.isHidden()
    assert not editor.review_button.isHidden() and not editor.letter_button.isHidden()
    assert editor.letter_button.isEnabled()
    assert editor.letter_button.toolTip() == "Draft an official letter about this case"
    assert not editor.attachments.add_button.isHidden() and editor.attachments.acceptDrops()
    assert not editor.person.boxes["surname"].widget.isReadOnly()
    birth = editor.person.boxes["birth_date"].widget
    assert not birth.isReadOnly() and birth.calendar_action.isVisible()
    assert editor.categories.isEnabled() and not editor.received.isEnabled()
    # Not among the open cases the mission works on: the start page lists only its own.
    mine = sel.cases.list_cases(CaseFilter(open_only=True), 0, 500)
    assert moved.id not in {c.id for c in mine}
    # In the whole list it names its holder instead of a status that stopped at the transfer,
    # and shows no deadline of its own.
    (row,) = [c for c in sel.cases.list_cases(CaseFilter(), 0, 500) if c.id == moved.id]
    assert (row.held_by, row.deadline, row.escalated) == ("DXB", "none", False)
    assert display_texts(row, {})[4] == "Handled by DXB"
    assert display_texts(row, {}, "kk")[4] == "DXB жүргізеді"


def test_a_bundle_imported_in_exchange_shows_in_the_missions_area(
    qtbot,
    make_window,
    consolidated: Site,  # noqa: F811
    sel: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The fault: the Missions area read its tables once; after the analyst imported a
    mission's bundle in Exchange it still showed the mission's earlier cases and last bundle
    (a mission not heard from before: "—" and 0 cases) until Refresh was pressed, while the
    exchange log and Reports counted the new ones."""
    from tests.builders import new_case
    from ui.exchange.page import ExchangePage

    window = make_window(consolidated.ws)
    page = window.show_area("hq")
    assert isinstance(page, HqPage)
    qtbot.waitUntil(lambda: page.refresh_button.isEnabled(), timeout=10_000)
    before = consolidated_missions(consolidated)["SEL"]
    sel.cases.create_case(new_case(), allow_duplicate_person=True)
    sel.exchange.export_cases(tmp_path / "next.qbundle", [consolidated.recipient])
    exchange = window.show_area("exchange")
    assert isinstance(exchange, ExchangePage)
    exchange.import_from(tmp_path / "next.qbundle")
    wait(qtbot, exchange)
    window.show_area("hq")
    row = _column(page.missions, 0).index("SEL")
    qtbot.waitUntil(
        lambda: page.missions.item(row, 5).text() == str(before.cases + 1), timeout=10_000
    )
    after = consolidated_missions(consolidated)["SEL"]
    assert after.last_bundle_at is not None
    assert page.missions.item(row, 3).text() == format_datetime(after.last_bundle_at.astimezone())


def test_a_mission_passed_over_does_not_leave_its_overdue_list(
    qtbot,
    consolidated: Site,  # noqa: F811
    monkeypatch,
) -> None:
    """The fault: each mission chosen read its overdue cases in a task of its own, and the
    list of a mission passed over (arrow keys through the filter) could arrive last and stay
    under the next mission's name, or under "All missions". Now only the newest choice's list
    is shown."""
    page = HqPage(consolidated.ws)
    qtbot.addWidget(page)
    _overdue_read(qtbot, page)
    everywhere = [c.number for c in page.shown_overdue]
    assert {"DXB", "SEL"} <= {c.mission for c in page.shown_overdue}
    release = threading.Event()
    overdue = page.service.overdue

    def slow_for_dubai(mission: str | None = None, **kwargs: object) -> object:
        if mission == "DXB":
            release.wait(5)
        return overdue(mission, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(page.service, "overdue", slow_for_dubai)
    choose = page.mission_filter
    choose.setCurrentIndex(choose.findData("DXB"))
    choose.setCurrentIndex(choose.findData("SEL"))  # before Dubai's list came
    qtbot.wait(200)
    release.set()
    qtbot.waitUntil(lambda: {c.mission for c in page.shown_overdue} == {"SEL"}, timeout=10_000)
    qtbot.wait(300)  # Dubai's list, had it been read, has come by now
    assert {c.mission for c in page.shown_overdue} == {"SEL"}
    assert set(_column(page.overdue, 1)) == {"SEL"}

    release.clear()
    choose.setCurrentIndex(choose.findData("DXB"))
    choose.setCurrentIndex(0)  # all missions, before Dubai's list came
    qtbot.waitUntil(lambda: [c.number for c in page.shown_overdue] == everywhere, timeout=10_000)
    release.set()
    qtbot.wait(300)
    assert [c.number for c in page.shown_overdue] == everywhere


def test_a_language_chosen_applies_to_the_missions_area_at_once(
    qtbot,
    make_window,
    bridge,
    consolidated: Site,  # noqa: F811
) -> None:
    """The fault: the Missions area never heard of a language chosen in Settings: its
    explanation, tabs, headings and notes stayed in the language it was opened in, beside a
    window in another."""
    window = make_window(consolidated.ws)
    page = window.show_area("hq")
    assert isinstance(page, HqPage)
    qtbot.waitUntil(lambda: page.refresh_button.isEnabled(), timeout=10_000)
    assert page.tabs.tabText(1) == "Overdue cases"
    bridge.set_language("ru")
    assert page.tabs.tabText(1) == "Просроченные дела"
    assert page.mission_filter.itemText(0) == "Все загранучреждения"
    heading = page.missions.horizontalHeaderItem(0)
    assert heading is not None and heading.text() == "Загранучреждение"
    assert page.intro.text().startswith("Последний пакет")
    assert _cut_headings(qtbot, page) == []


def test_a_repeated_employer_is_named_with_its_countrys_name_in_the_language_chosen(
    qtbot,
    make_window,
    bridge,
    consolidated: Site,  # noqa: F811
) -> None:
    """The fault: the repeats' tab showed "KR: GLOBAL STAFFING CO., LTD.", a country code where
    the Missions tab beside it names the country."""
    window = make_window(consolidated.ws)
    page = window.show_area("hq")
    assert isinstance(page, HqPage)
    qtbot.waitUntil(lambda: page.found_repeats is not None, timeout=10_000)
    assert "GLOBAL STAFFING CO., LTD. (South Korea)" in _column(page.repeats, 1)
    for language, country in (("kk", "Оңтүстік Корея"), ("ru", "Республика Корея")):
        bridge.set_language(language)
        assert f"GLOBAL STAFFING CO., LTD. ({country})" in _column(page.repeats, 1)
    assert not [text for text in _column(page.repeats, 1) if text.startswith("KR:")]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_overdue_lists_mission_filter_shows_all_missions_whole(
    qtbot,
    make_window,
    bridge,
    language: str,
    consolidated: Site,  # noqa: F811
) -> None:
    """The filter was sized while still empty and kept that width once filled: «Барлық
    өкіл», «Все загрануч». It shows its "All missions" whole, also after a language switch."""
    bridge.set_language(language)
    window = make_window(consolidated.ws)
    page = window.show_area("hq")
    assert isinstance(page, HqPage)
    qtbot.waitUntil(lambda: page.refresh_button.isEnabled(), timeout=10_000)
    page.tabs.setCurrentIndex(1)
    qtbot.wait(20)
    assert page.mission_filter.currentData() is None
    assert _combo_shortfall(page.mission_filter) == 0, page.mission_filter.currentText()
    bridge.set_language("kk" if language != "kk" else "ru")
    qtbot.wait(20)
    assert _combo_shortfall(page.mission_filter) == 0, page.mission_filter.currentText()


def test_the_overdue_list_says_which_case_is_critical(
    qtbot,
    sel: Site,  # noqa: F811
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The duty officer's list gave number, mission, status and dates, not the urgency: a
    critical case (life or liberty at risk) overdue a week sat among hundreds overdue longer."""
    from PySide6.QtCore import Qt

    from app.domain.labels import urgency
    from app.services.case_json import case_from_json
    from ui.palette import URGENCY_COLOURS

    received = date.today() - timedelta(days=60)
    data = case_from_json(
        {
            "person": ASSEL_JSON,
            "host_country": "KR",
            "categories": ["restriction_of_freedom"],
            "urgency": "critical",
            "description": "Locked in the dormitory.",
            "received_at": received.isoformat(),
        }
    )
    critical = sel.cases.create_case(data, allow_duplicate_person=True).number
    sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "sel.qbundle")
    page = HqPage(hq.ws)
    qtbot.addWidget(page)
    page.show()
    _overdue_read(qtbot, page)
    # First, without a click: the most urgent first, whatever the days overdue.
    assert page.shown_overdue[0].number == critical
    shown = page.overdue_model.index(0, URGENCY)
    assert shown.data() == urgency("critical")
    colour = shown.data(Qt.ItemDataRole.ForegroundRole).color().name()
    assert colour == URGENCY_COLOURS["critical"]
    assert page.overdue.grab().save(str(tmp_path / "overdue.png"))
    # Under it the high ones, then normal and low: by rank, not by the label's letters.
    ranks = [u.value for u in Urgency]
    by_label = {urgency(code): ranks.index(code) for code in ranks}
    order = [by_label[text] for text in _column(page.overdue, URGENCY)]
    assert order == sorted(order, reverse=True)


def test_a_mission_that_never_sent_a_bundle_is_the_most_silent(
    qtbot,
    consolidated: Site,  # noqa: F811
    sites,  # noqa: F811
) -> None:
    """Sorted by the days since the last bundle, longest first (the duty officer's "who has
    gone quiet?"), a mission whose key is registered but that never sent one came last."""
    from PySide6.QtCore import Qt

    link(consolidated, sites("ALA", "KG", "Bishkek"))
    page = HqPage(consolidated.ws)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.refresh_button.isEnabled(), timeout=10_000)
    assert sorted(_column(page.missions, 0)) == ["ALA", "DXB", "SEL"]
    page.missions.sortItems(4, Qt.SortOrder.DescendingOrder)  # days since the last bundle
    assert _column(page.missions, 0)[0] == "ALA"
    assert page.missions.item(0, 4).text() == "—"
    page.missions.sortItems(4, Qt.SortOrder.AscendingOrder)
    assert _column(page.missions, 0)[-1] == "ALA"


def test_an_analyst_exports_the_lists_she_sees_for_the_department_head(
    qtbot,
    bridge,
    consolidated: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The area had no export: what the analyst sends the department head (the missions'
    silence, the overdue cases of a mission, the repeats) had to be copied out by hand."""
    from openpyxl import load_workbook

    from app.domain.labels import urgency
    from app.services.stats import StatsService
    from tests.hq.test_hq_roles import _as

    bridge.set_language("kk")
    analyst = _as(consolidated, "dana", "hq_analyst")
    try:
        page = HqPage(analyst)
        qtbot.addWidget(page)
        assert not page.export_button.isEnabled()  # nothing read yet
        page.show()
        # The missions come first, the repeats on their own (seconds at two million cases).
        qtbot.waitUntil(
            lambda: page.export_button.isEnabled() and page.found_repeats is not None,
            timeout=10_000,
        )
        page.mission_filter.setCurrentIndex(page.mission_filter.findData("SEL"))
        qtbot.waitUntil(lambda: {c.mission for c in page.shown_overdue} == {"SEL"}, timeout=10_000)
        target = tmp_path / "hq.xlsx"
        with qtbot.waitSignal(page.exported, timeout=10_000) as written:
            page.export_views(target)
        assert written.args == [[target]]
        book = load_workbook(target)
        about, missions, overdue, repeats = (book[name] for name in book.sheetnames)
        assert any("SEL" in str(row[0]) for row in about.values)  # the mission chosen
        assert [c.value for c in missions[2]] == _column_headings(page.missions)
        assert sorted(row[0].value for row in missions.iter_rows(min_row=3)) == ["DXB", "SEL"]
        rows = list(overdue.iter_rows(min_row=3, values_only=True))
        assert [r[0] for r in rows] == [c.number for c in page.shown_overdue]
        first = page.shown_overdue[0]
        assert rows[0][1:] == (
            "SEL",
            rows[0][2],
            urgency(first.urgency),
            datetime_of(first.due_date),
            first.days_overdue,
        )
        assert [r[1] for r in repeats.iter_rows(min_row=3, values_only=True)] == [
            r.who(lambda code: official_name(code, "kk")) for r in page.found_repeats
        ]
        assert StatsService(analyst).recorded_exports("hq_views")[-1][1]["mission"] == "SEL"
        # As CSV: a file a list, named after the one chosen.
        with qtbot.waitSignal(page.exported, timeout=10_000) as written:
            page.export_views(tmp_path / "hq.csv")
        assert [p.name for p in written.args[0]] == [
            "hq-missions.csv",
            "hq-overdue.csv",
            "hq-repeats.csv",
        ]
    finally:
        analyst.close()


def test_the_workbook_dates_its_bundles_and_names_states_as_the_reports_do(
    qtbot,
    bridge,
    consolidated: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The faults: «Соңғы пакет жасалған күн» was text («07.12.2026, 20:00»), which Excel
    sorts by its first digits; and the workbook named states as the screen's list does
    («Южная Корея») beside the reports' «Республика Корея». The list on screen keeps CLDR's
    short names; the file sent on names them officially, as every document does."""
    from openpyxl import load_workbook

    bridge.set_language("ru")
    page = HqPage(consolidated.ws)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(
        lambda: page.export_button.isEnabled() and page.found_repeats is not None,
        timeout=10_000,
    )
    target = tmp_path / "hq.xlsx"
    with qtbot.waitSignal(page.exported, timeout=10_000):
        page.export_views(target)
    _about, missions, _overdue, repeats = load_workbook(target).worksheets
    rows = {row[0].value: row for row in missions.iter_rows(min_row=3)}
    made = {m.code: m.last_bundle_at for m in ConsolidationService(consolidated.ws).missions()}
    for code in ("DXB", "SEL"):
        cell = rows[code][3]
        assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm", cell.value
        when = made[code]
        assert when is not None
        assert cell.value == when.astimezone().replace(tzinfo=None, second=0, microsecond=0)
    assert rows["SEL"][1].value == "Республика Корея"
    assert rows["DXB"][1].value == "Объединённые Арабские Эмираты"
    on_screen = {page.missions.item(r, 0).text(): r for r in range(page.missions.rowCount())}
    assert page.missions.item(on_screen["SEL"], 1).text() == country_name("KR")  # «Южная Корея»
    employers = [r for r in page.found_repeats or [] if r.kind == "employer"]
    assert employers, "the consolidated site has an employer at both missions"
    listed = [row[1] for row in repeats.values]
    for repeat in employers:
        assert repeat.who(lambda code: official_name(code, "ru")) in listed


def test_a_repeats_case_numbers_say_how_many_more_there_are(
    qtbot,
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The row said 27 cases beside 20 numbers, on screen and in the file sent on, with
    nothing to tell that the list stopped: it read as the employer's every case."""
    add_hanil_cases(hq)
    page = HqPage(hq.ws)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(
        lambda: page.export_button.isEnabled() and page.found_repeats is not None,
        timeout=10_000,
    )
    [numbers] = _column(page.repeats, 4)
    assert numbers.startswith("DXB-2026-0001, DXB-2026-0002")
    assert numbers.endswith("SEL-2026-0008, … (7 more)")
    with qtbot.waitSignal(page.exported, timeout=10_000) as written:
        page.export_views(tmp_path / "hq.csv")
    repeats = next(p for p in written.args[0] if p.name == "hq-repeats.csv")
    assert "SEL-2026-0008, … (7 more)" in repeats.read_text(encoding="utf-8-sig")


def test_the_overdue_cases_numbers_show_whole_when_their_tab_is_opened(
    qtbot,
    consolidated: Site,  # noqa: F811
) -> None:
    """Read while the Missions tab was in front, the overdue list was fitted to its headings
    only: each case number showed as "IS…", each due date cut."""
    page = HqPage(consolidated.ws)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    _overdue_read(qtbot, page)
    assert page.tabs.currentIndex() == 0  # the overdue list was read out of sight
    page.tabs.setCurrentIndex(1)
    view = page.overdue
    qtbot.waitUntil(view.isVisible, timeout=5_000)
    metrics = view.fontMetrics()
    for column in (0, DUE, DAYS):
        widest = max(metrics.horizontalAdvance(text) for text in _column(view, column))
        assert view.columnWidth(column) > widest, column


def test_trust_a_key_is_offered_only_to_those_who_may_register_one(
    qtbot,
    hq: Site,  # noqa: F811
) -> None:
    """HQ's import operator was offered "Trust a key…", filled in its dialog and was told
    "your role does not allow this action"."""
    from app.services.keys import KeyService
    from tests.hq.test_hq_roles import _as
    from ui.exchange.keys import TrustedKeysBox

    importer = _as(hq, "erlan", "hq_importer")
    try:
        box = TrustedKeysBox(KeyService(importer))
        qtbot.addWidget(box)
        box.retranslate_ui()
        assert not box.trust_button.isEnabled()
        assert box.trust_button.toolTip() == "Only an administrator may register a key."
    finally:
        importer.close()
    box = TrustedKeysBox(KeyService(hq.ws))
    qtbot.addWidget(box)
    box.retranslate_ui()
    assert box.trust_button.isEnabled() and not box.trust_button.toolTip()


def _column_headings(table) -> list[str]:
    return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]


def datetime_of(day: date):
    from datetime import datetime

    return datetime(day.year, day.month, day.day)
