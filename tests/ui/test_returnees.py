"""The Returnees area at HQ and the "Record skills on return…" action on a mission's closed case
(issue 24 part 2): real services on temporary databases, what a user sees and the files written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QModelIndex, QSize, Qt, QThread
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QScrollArea
from pytestqt.qtbot import QtBot
from sqlalchemy import insert, select

from app.db.models import AuditEntry, Person, Returnee, new_id
from app.errors import ValidationError
from app.i18n import format_date
from app.services.cases import CaseService
from app.services.installation import unlock
from app.services.records import CaseInput, PersonInput
from app.services.returnees import ReturneeFilter, ReturneeInput, ReturneeService, skills_key
from app.services.workspace import Workspace
from tests.builders import closed_with_worker_home, wage_case
from tests.conftest import PASSWORD
from tests.integration.test_exchange import make_site
from tests.ui.press import click, open_area
from tests.ui.test_accelerators import accelerator, clashes
from ui.i18n_bridge import LanguageBridge
from ui.main_window import MainWindow
from ui.reports.dashboard import DashboardPage
from ui.returnees import page as page_module
from ui.returnees.dialog import ReturneeDialog
from ui.returnees.page import COL_NAME, COL_OCCUPATION, ReturneesPage, ReturneeTableModel
from ui.widgets.columns import ROWS_AROUND
from ui.widgets.fields import DateField, recent_example

TODAY = date.today()
PEOPLE = (
    ("Омаров", "Ерлан", "7212", "KR", "KZ-71", ("Сварщик, 2-й разряд",), ("ko", "ru")),
    ("Серікова", "Айгүл", "5322", "TR", "KZ-33", ("Күтуші курсы, 120 сағат",), ("tr",)),
    ("Ахметов", "Дамир", "8332", "RU", "KZ-62", ("Водительские права CE",), ("ru",)),
    ("Нұрланқызы", "Әсем", "9112", "AE", "KZ-10", (), ("ar", "en")),
)


@pytest.fixture
def hq_ws(tmp_path: Path) -> Iterator[Workspace]:
    site = make_site(tmp_path, "AST", "KZ", "Astana", True)
    site.ws.close()
    ws = unlock(site.paths, "astana", PASSWORD)
    service = ReturneeService(ws)
    for surname, given, occupation, country, region, certificates, languages in PEOPLE:
        service.add(
            ReturneeInput(
                occupation=occupation,
                work_country=country,
                region=region,
                consent_reference="form",
                consent_date=TODAY - timedelta(days=3),
                years_abroad=3,
                certificates=certificates,
                languages=languages,
                wants_referral=True,
                returned_on=TODAY - timedelta(days=5),
                person=PersonInput(surname=surname, given_names=given, phone_home="8 701"),
            )
        )
    yield ws
    ws.close()


def _names(page: ReturneesPage) -> set[str]:
    return {row.surname for row in page.model.rows}


def test_area_lists_filters_and_exports(
    qtbot: QtBot, hq_ws: Workspace, bridge: LanguageBridge, tmp_path: Path
) -> None:
    page = ReturneesPage(hq_ws, bridge)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 4 and "4 returnees shown" in page.summary.text()
    qtbot.waitUntil(lambda: "4 in the register" in page.summary.text(), timeout=5000)
    page.occupation.setCurrentIndex(page.occupation.findData("7"))
    assert _names(page) == {"Омаров"}
    page.occupation.setCurrentIndex(0)
    page.region.setCurrentIndex(page.region.findData("KZ-62"))
    assert _names(page) == {"Ахметов"}
    page.region.setCurrentIndex(0)
    page.skill.setText("курсы")
    qtbot.keyClick(page.skill, Qt.Key.Key_Return)
    assert _names(page) == {"Серікова"}
    page.skill.clear()
    page.language.setText("en")
    qtbot.keyClick(page.language, Qt.Key.Key_Return)
    assert _names(page) == {"Нұрланқызы"}
    page.language.clear()
    qtbot.keyClick(page.language, Qt.Key.Key_Return)
    assert page.model.rowCount() == 4
    index = page.model.index(0, COL_OCCUPATION)
    assert page.model.data(index).split(" ", 1)[0] in {"7212", "5322", "8332", "9112"}
    # The occupation's whole title with the certificates: the column shows it elided.
    welder = page.model.rows.index(next(r for r in page.model.rows if r.surname == "Омаров"))
    tip = page.model.data(page.model.index(welder, COL_OCCUPATION), Qt.ItemDataRole.ToolTipRole)
    assert tip == "7212 Welders and flame cutters\nСварщик, 2-й разряд"

    out = tmp_path / "register.xlsx"
    task = page.export_to(out)
    qtbot.waitUntil(lambda: not task.running, timeout=10_000)
    assert out.exists() and not page.written.isHidden()
    assert page.written.text() == f"Wrote {out} (4 records)."
    assert page.export_button.isEnabled()


def test_the_register_has_one_name_in_the_navigation_its_heading_and_its_export(
    qtbot: QtBot, make_window: Callable[..., MainWindow], hq_ws: Workspace, tmp_path: Path
) -> None:
    """The fault: the navigation said "Returnees", the page and the workbook "Returnees' skills
    register", the consent and most sentences "the returnees' register"."""
    from openpyxl import load_workbook

    from app.domain.codes import ConsentScope, label

    window = make_window(hq_ws)
    page = window.show_area("returnees")
    assert isinstance(page, ReturneesPage)
    titles = [window.nav.item(row) for row in range(window.nav.count())]
    shown = next(i.toolTip() for i in titles if i.data(Qt.ItemDataRole.UserRole) == "returnees")
    out = tmp_path / "register.xlsx"
    ReturneeService(hq_ws).export(out, lang="en")
    sheet = load_workbook(out).worksheets[1]  # after the sheet saying whose register it is
    assert shown == page.heading.text() == sheet.title == sheet["A1"].value
    assert label(ConsentScope.RETURNEE_REGISTER).casefold() == f"the {shown}".casefold()


def test_the_file_written_stays_said_when_the_count_arrives(
    qtbot: QtBot, hq_ws: Workspace, bridge: LanguageBridge, tmp_path: Path
) -> None:
    """The fault: "Wrote …" replaced the summary, and the count (or the figures) arriving
    from the background a moment later replaced it in turn: the user never saw where the
    file went. Now the file written has a line of its own, and the count keeps the summary."""
    page = ReturneesPage(hq_ws, bridge)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.figures is not None, timeout=5000)
    assert not page.written.isVisible()
    out = tmp_path / "register.csv"
    task = page.export_to(out)
    qtbot.waitUntil(lambda: not task.running, timeout=10_000)
    page.model.page_size = 3  # a full first page: its count follows from the background
    page.refresh()  # the figures too
    assert not page.model.total_known
    qtbot.waitUntil(lambda: page.model.total_known, timeout=5000)
    qtbot.waitUntil(lambda: "4 in the register" in page.summary.text(), timeout=5000)
    assert page.summary.text().startswith("4 returnees shown")
    assert page.written.isVisible() and page.written.text() == f"Wrote {out} (4 records)."
    bridge.set_language("ru")
    assert page.written.text() == f"Записан {out} (4 записи)."  # in the language chosen


def _welders(ws: Workspace, n: int, origin: str = "AST") -> None:
    """``n`` consented register records written in one go (the service writes one at a
    time, with its audit entry: too slow for a list longer than a page), made by ``origin``
    (another installation's came in its bundles)."""
    now = datetime.now(UTC)
    persons, records = [], []
    for i in range(n):
        person_id = new_id()
        common = {"origin_mission": origin, "version": 1, "updated_at": now, "change_seq": 0}
        persons.append(
            {
                "id": person_id,
                **common,
                "surname": f"Дәулетұлы-{i:03}",
                "given_names": "Ерболат",
                "consent_scope": ["returnee_register"],
            }
        )
        records.append(
            {
                "id": new_id(),
                **common,
                "person_id": person_id,
                "occupation": "7212",
                "years_abroad": 2,
                "certificates": ["Welding"],
                "languages": ["ko"],
                "work_country": "KR",
                "region": "KZ-71",
                "wants_referral": True,
                "consent_reference": "form",
                "consent_date": TODAY,
                "returned_on": TODAY - timedelta(days=i),
                "skills_text": skills_key(["Welding"], ""),
            }
        )
    with ws.write() as session:
        session.execute(insert(Person), persons)
        session.execute(insert(Returnee), records)


def test_another_installations_record_is_not_offered_to_edit(
    qtbot: QtBot, hq_ws: Workspace, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault: at HQ, Edit… and Consent withdrawn… were enabled on a mission's record (most
    of HQ's register), and the refusal came only once the form was filled in and saved; HQ's
    administrator, who may not record returnees at all, was offered Add… too. Now the buttons
    say why they are off, and a double click says it instead of opening the form."""
    _welders(hq_ws, 1, origin="SEL")
    page = ReturneesPage(hq_ws, bridge)
    qtbot.addWidget(page)
    page.show()
    assert not page.add_button.isHidden()  # an HQ officer records returnees who came to HQ
    ours = next(i for i, r in enumerate(page.model.rows) if r.origin_mission == "AST")
    theirs = next(i for i, r in enumerate(page.model.rows) if r.origin_mission == "SEL")
    page.view.selectRow(ours)
    assert page.edit_button.isEnabled() and page.withdraw_button.isEnabled()
    assert page.edit_button.toolTip() == ""
    page.view.selectRow(theirs)
    assert not page.edit_button.isEnabled() and not page.withdraw_button.isEnabled()
    assert page.edit_button.toolTip().startswith("This record belongs to SEL; only SEL may")
    said: list[str] = []
    monkeypatch.setattr("ui.returnees.page.show_error", lambda _parent, exc: said.append(str(exc)))
    opened: list[object] = []
    monkeypatch.setattr("ui.returnees.page.ReturneeDialog.exec", lambda self: opened.append(1))
    page.view.doubleClicked.emit(page.model.index(theirs, COL_NAME))
    assert opened == [] and said and said[0].startswith("This record belongs to SEL")

    admin = unlock(hq_ws.paths, "admin", PASSWORD)
    try:
        at_hq = ReturneesPage(admin, bridge)
        qtbot.addWidget(at_hq)
        assert at_hq.add_button.isHidden() and at_hq.model.rowCount() == len(PEOPLE) + 1
        at_hq.view.selectRow(0)
        assert not at_hq.edit_button.isEnabled()
        assert "does not allow this action" in at_hq.edit_button.toolTip()
    finally:
        admin.close()


def test_why_a_record_is_not_ours_follows_a_language_switch(
    qtbot: QtBot, hq_ws: Workspace, bridge: LanguageBridge
) -> None:
    """The fault: the refusal on Edit… and Consent withdrawn… was composed when the record
    was selected, so after a switch to Russian their tooltips still said it in English; the
    role refusal named the role in English too."""
    _welders(hq_ws, 1, origin="SEL")
    page = ReturneesPage(hq_ws, bridge)
    qtbot.addWidget(page)
    page.view.selectRow(next(i for i, r in enumerate(page.model.rows) if r.origin_mission == "SEL"))
    assert page.edit_button.toolTip().startswith("This record belongs to SEL")
    bridge.set_language("ru")
    for button in (page.edit_button, page.withdraw_button):
        assert button.toolTip().startswith("Эта запись принадлежит SEL; изменить её может")
    bridge.set_language("kk")
    assert page.withdraw_button.toolTip().startswith("Бұл жазба SEL иелігінде")

    admin = unlock(hq_ws.paths, "admin", PASSWORD)
    try:
        at_hq = ReturneesPage(admin, bridge)
        qtbot.addWidget(at_hq)
        at_hq.view.selectRow(0)
        assert at_hq.edit_button.toolTip().startswith("Рөліңіз (")
        bridge.set_language("ru")
        assert at_hq.edit_button.toolTip() == (
            "Ваша роль (Администратор) не позволяет выполнить это действие."
        )
    finally:
        admin.close()
        bridge.set_language("en")


def test_a_filter_change_reads_only_the_rows_in_view(
    qtbot: QtBot, hq_ws: Workspace, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault: the columns were sized to every cell's contents, so each filter change read
    the whole first page's cells through ``data()`` on the GUI thread (about 11,000 calls,
    166 ms at 40,000 records). Now they are fitted from the texts the model keeps, and only the
    rows in view are read, to paint them, and those near them, to measure their height (the
    occupation wraps)."""
    _welders(hq_ws, 260)
    read: set[int] = set()

    class Spied(ReturneeTableModel):
        # A subclass, not the class patched: PySide6 keeps calling a patched virtual method
        # after it is put back, and the next test's view crashed in it.
        def data(self, index: QModelIndex, role: int = 0) -> object:  # type: ignore[override]
            read.add(index.row())
            return super().data(index, role)

    monkeypatch.setattr(page_module, "ReturneeTableModel", Spied)
    page = ReturneesPage(hq_ws, bridge)
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.show()
    qtbot.waitExposed(page)
    read.clear()
    page.skill.setText("weld")
    qtbot.keyClick(page.skill, Qt.Key.Key_Return)
    assert page.model.rowCount() == 200
    qtbot.wait(100)  # the columns fitted, the rows painted
    shown = page.view.rowAt(page.view.viewport().height() - 1) + 1
    assert read and max(read) <= shown + ROWS_AROUND
    # Still as wide as their texts: the longest name shows whole.
    metrics = page.view.fontMetrics()
    longest = max(metrics.horizontalAdvance(row.full_name) for row in page.model.rows)
    assert page.view.columnWidth(COL_NAME) >= longest


@pytest.mark.both_engines
def test_a_category_figure_reads_its_first_page_off_the_gui_thread(
    qtbot: QtBot, ws: Workspace, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault: a figure's list by complaint category (or officer) is looked up through each
    record's case, out of the list's index order; its first page took 150–300 ms on the GUI
    thread at 40,000 records. Now it comes from the background, the list saying it searches."""
    worker = PersonInput(surname="Сейітов", given_names="Бақыт")
    number = closed_with_worker_home(ws, worker, TODAY - timedelta(days=30)).number
    service = ReturneeService(ws)
    service.add(
        ReturneeInput(
            occupation="7212",
            work_country="KR",
            region="KZ-71",
            consent_reference="form",
            consent_date=TODAY,
            returned_on=TODAY,
            case_number=number,
        )
    )
    page = ReturneesPage(ws, bridge)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 1
    read_on_gui_thread: list[bool] = []
    listed = page.service.list

    def list_where(*args: object, **kwargs: object) -> object:
        read_on_gui_thread.append(QThread.currentThread() is QCoreApplication.instance().thread())
        return listed(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(page.service, "list", list_where)
    page.show_figure(ReturneeFilter(category="unpaid_wages"))
    assert page.model.loading and page.model.rowCount() == 0
    assert page.summary.text().startswith("Searching…")
    assert not page.model.canFetchMore()  # nothing is read on the GUI thread meanwhile
    qtbot.waitUntil(lambda: not page.model.loading, timeout=5000)
    assert _names(page) == {"Сейітов"} and page.model.total_known and page.model.total == 1
    assert page.summary.text().startswith("1 returnee shown")
    assert read_on_gui_thread == [False]
    # A category no case has: an empty list, said so.
    page.show_figure(ReturneeFilter(category="detention"))
    qtbot.waitUntil(lambda: not page.model.loading, timeout=5000)
    assert page.model.rowCount() == 0 and page.summary.text().startswith("0 returnees shown")
    # The register's own filters still read their page at once, from the index.
    page.clear_figure()
    assert not page.model.loading and _names(page) == {"Сейітов"}
    assert read_on_gui_thread == [False, False, True]


def test_withdrawn_consent_takes_the_row_out(
    qtbot: QtBot, hq_ws: Workspace, bridge: LanguageBridge
) -> None:
    page = ReturneesPage(hq_ws, bridge)
    qtbot.addWidget(page)
    page.view.selectRow(0)
    first = page.model.rows[0]
    assert page.withdraw_button.isEnabled()
    box = page.ask_withdraw()
    assert box is not None and first.full_name in box.text()
    yes = next(b for b in box.buttons() if b.text() == "Consent withdrawn")
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=5000)
    assert first.id not in {r.id for r in page.model.rows}
    # The register's figures are read again off the GUI thread.
    qtbot.waitUntil(lambda: "3 in the register" in page.summary.text(), timeout=5000)


def test_rows_are_fetched_in_pages(qtbot: QtBot, hq_ws: Workspace, bridge: LanguageBridge) -> None:
    page = ReturneesPage(hq_ws, bridge)
    qtbot.addWidget(page)
    page.model.page_size = 3
    page.model.reload()
    assert page.model.rowCount() == 3 and page.model.canFetchMore()
    page.model.fetchMore()
    assert page.model.rowCount() == 4 and not page.model.canFetchMore()
    assert page.model.total_known and page.model.total == 4


def test_the_first_page_shows_before_its_count(
    qtbot: QtBot, hq_ws: Workspace, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault: opening the area and each filter change waited on the GUI thread for the
    count and the figures (each a fifth to a third of a second at 40,000 records) after the
    page itself. Now the page is shown, then its count and the figures arrive."""
    page = ReturneesPage(hq_ws, bridge)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.figures is not None, timeout=5000)
    counted_on: list[bool] = []
    count = page.service.count

    def count_off_the_gui_thread(flt: ReturneeFilter | None = None) -> int:
        counted_on.append(QThread.currentThread() is QCoreApplication.instance().thread())
        return count(flt)

    monkeypatch.setattr(page.service, "count", count_off_the_gui_thread)
    page.model.page_size = 3
    page.apply_filter()
    assert page.model.rowCount() == 3 and not page.model.total_known
    assert page.model.canFetchMore()
    assert page.summary.text().startswith("3+ returnees shown, counting…")
    # The view may read the short second page itself and so know the total before the
    # count's thread has run: wait for both.
    qtbot.waitUntil(lambda: page.model.total_known and bool(counted_on), timeout=5000)
    assert counted_on == [False]  # on a worker thread
    assert page.model.total == 4
    # The register's figures come on their own thread, maybe after the count.
    qtbot.waitUntil(
        lambda: page.summary.text().startswith("4 returnees shown · 4 in the register"),
        timeout=5000,
    )
    # A short first page is the whole list: nothing more is counted.
    page.region.setCurrentIndex(page.region.findData("KZ-62"))
    assert _names(page) == {"Ахметов"} and page.model.total_known and page.model.total == 1
    assert page.summary.text().startswith("1 returnee shown")
    assert counted_on == [False]


def fill_returnee_dialog(dialog: ReturneeDialog, occupation: str = "7212") -> None:
    """HQ's "Add returnee" form filled as an officer fills it, but for what a test leaves out."""
    dialog.surname.setText("Жақыпов")
    dialog.given_names.setText("Бекзат")
    if occupation:
        dialog.occupation.set_code(occupation)
    dialog.region.set_code("KZ-75")
    dialog.work_country.set_code("KR")
    dialog.consent_reference.setText("form 9")


def test_dialog_adds_a_returnee_and_shows_bad_input_inside(qtbot: QtBot, hq_ws: Workspace) -> None:
    dialog = ReturneeDialog(None, hq_ws)
    qtbot.addWidget(dialog)
    fill_returnee_dialog(dialog, occupation="")
    dialog.occupation.setEditText("77")  # no such unit group
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.writing, timeout=5000)  # refused off the GUI thread
    assert dialog.result() == 0 and "not an ISCO-08 occupation code" in dialog.error.text()
    assert ReturneeService(hq_ws).count() == 4
    # The picker finds a unit group by any part of its title.
    completer = dialog.occupation.completer()
    completer.setCompletionPrefix("welders")
    assert completer.currentCompletion().startswith("7212 ")
    dialog.occupation.set_code("7212")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == 1, timeout=5000)
    assert dialog.saved is not None
    assert dialog.saved.occupation == "7212" and ReturneeService(hq_ws).count() == 5


def test_a_record_opened_to_edit_says_whose_it_is(
    qtbot: QtBot, hq_ws: Workspace, bridge: LanguageBridge
) -> None:
    """The fault: the form to edit a record shows no name (the person stays as recorded),
    so a record opened from the wrong row of the register was edited unawares."""
    service = ReturneeService(hq_ws)
    record = next(r for r in service.list() if r.surname == "Серікова")
    dialog = ReturneeDialog(None, hq_ws, record=record)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Returnee's skills: Серікова Айгүл"
    assert ReturneeDialog(None, hq_ws).windowTitle() == "Record skills on return"


def test_a_picker_left_unchosen_is_named_and_gets_the_focus(qtbot: QtBot, hq_ws: Workspace) -> None:
    """The fault: a country of work left unchosen was refused as «“” is not a two-letter ISO
    country code, such as KR or TR», a code the officer never typed."""
    dialog = ReturneeDialog(None, hq_ws)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.surname.setText("Жақыпов")
    dialog.given_names.setText("Бекзат")
    dialog.consent_reference.setText("form 9")
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.result() == 0 and dialog.error.text() == "Choose the occupation."
    dialog.occupation.set_code("7212")
    dialog.region.set_code("KZ-75")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.result() == 0 and dialog.error.text() == "Choose the country of work."
    # A refusal of the service's own names its field, which gets the focus.
    dialog.work_country.set_code("KR")
    dialog.years.setFocus()
    dialog.consent_reference.clear()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.writing, timeout=5000)
    assert dialog.result() == 0 and "Consent reference" in dialog.error.text()
    assert dialog.focusWidget() is dialog.consent_reference
    assert ReturneeService(hq_ws).count() == 4  # nothing written


def test_a_returnee_added_at_hq_keeps_their_patronymic_for_the_export(
    qtbot: QtBot, hq_ws: Workspace, tmp_path: Path
) -> None:
    """The fault: the export for employment centres has a patronymic column, and the form HQ
    adds a returnee with had no field for it: the column stayed empty for every such record."""
    dialog = ReturneeDialog(None, hq_ws)
    qtbot.addWidget(dialog)
    fill_returnee_dialog(dialog)
    dialog.patronymic.setText("Ерланұлы")
    assert dialog.form.labelForField(dialog.patronymic).text() == "&Patronymic:"
    dialog.referral.setChecked(True)  # the centres' file holds only those who want one
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: dialog.result() == 1, timeout=5000)
    assert dialog.saved is not None and dialog.saved.full_name == "Жақыпов Бекзат Ерланұлы"
    out = tmp_path / "register.csv"
    ReturneeService(hq_ws).export(out, lang="en")
    rows = [line.split(";") for line in out.read_text(encoding="utf-8-sig").splitlines()]
    assert rows[0][:3] == ["Surname", "Given names", "Patronymic"]
    assert ["Жақыпов", "Бекзат", "Ерланұлы"] in [row[:3] for row in rows[1:]]


@pytest.mark.parametrize("width", [1366, 1024])
def test_a_long_occupation_shows_its_code_and_its_whole_title_on_hover(
    qtbot: QtBot, hq_ws: Workspace, bridge: LanguageBridge, width: int
) -> None:
    """The fault (ru): a long title chosen left the field scrolled to its end, «…не входящие
    в другие группы», its code cut off."""
    bridge.set_language("ru")
    dialog = ReturneeDialog(None, hq_ws)
    qtbot.addWidget(dialog)
    dialog.resize(min(width - 80, max(dialog.minimumWidth(), dialog.sizeHint().width())), 600)
    dialog.show()
    qtbot.waitExposed(dialog)
    field, line = dialog.occupation, dialog.occupation.lineEdit()
    whole = "9329 Подсобные рабочие в обрабатывающей промышленности, не входящие в другие группы"
    assert line.fontMetrics().horizontalAdvance(whole) > line.width()  # too long to show whole
    field.set_code("9329")
    assert line.cursorPosition() == 0 and field.toolTip() == whole
    # Chosen from the list the picker offers while typing, then left with Tab.
    field.setCurrentIndex(-1)
    line.setFocus()
    qtbot.keyClicks(line, "9329")  # QTest types ASCII only
    popup = field.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.keyClick(line, Qt.Key.Key_Tab)
    assert field.code() == "9329" and field.currentText() == whole
    assert line.cursorPosition() == 0 and field.toolTip() == whole
    # A record opened to edit: the dialog's first field takes the focus, all selected.
    record = ReturneeService(hq_ws).add(
        ReturneeInput(
            occupation="9329",
            work_country="RU",
            region="KZ-62",
            consent_reference="form 5",
            consent_date=TODAY,
            person=PersonInput(surname="Жақыпов", given_names="Бекзат"),
        )
    )
    opened = ReturneeDialog(None, hq_ws, record=record)
    qtbot.addWidget(opened)
    opened.resize(dialog.size())
    opened.show()
    qtbot.waitExposed(opened)
    qtbot.waitUntil(opened.occupation.line.hasFocus, timeout=3000)
    assert opened.occupation.line.selectedText() == whole  # typing replaces it, as before
    assert opened.occupation.line.cursorPosition() == 0


def _closed_case(ws: Workspace) -> str:
    worker = PersonInput(surname="Сейітов", given_names="Бақыт")
    return closed_with_worker_home(ws, worker, TODAY - timedelta(days=30)).id


def test_closed_case_offers_record_skills_on_return(
    qtbot: QtBot, make_window: Callable[..., MainWindow], ws: Workspace
) -> None:
    case_id = _closed_case(ws)
    window = make_window(ws)
    assert "returnees" not in window.area_keys()  # the register's area is HQ's
    area = window.show_area("cases")
    area.open_case(case_id)  # type: ignore[attr-defined]
    editor = area.editor  # type: ignore[attr-defined]
    assert editor.skills_button.isVisible()
    assert editor.skills_button.text() == "Record skills on return…"

    dialog = ReturneeDialog(window, ws, case_id=case_id)
    qtbot.addWidget(dialog)
    assert dialog.work_country.code() == "KR" and dialog.case_number.startswith("SEL-")
    assert dialog.returned_on.date() is not None and not dialog.surname.isVisible()
    dialog.occupation.set_code("8332")
    dialog.region.set_code("KZ-19")
    dialog.consent_reference.setText("form 2")
    dialog.languages.setText("ko, ru")
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: dialog.result() == 1, timeout=5000)  # written off the GUI thread
    saved = ReturneeService(ws).for_case(case_id)
    assert saved is not None and saved.languages == ("ko", "ru") and saved.region == "KZ-19"
    # Opened again, the dialog edits that record.
    again = ReturneeDialog(window, ws, case_id=case_id)
    qtbot.addWidget(again)
    assert again.record is not None and again.occupation.code() == "8332"
    assert "withdrew" not in again.intro.text()


def test_a_withdrawn_record_opened_from_its_case_says_so_and_is_not_saved(
    qtbot: QtBot, make_window: Callable[..., MainWindow], ws: Workspace
) -> None:
    """The fault: after the worker withdrew consent, the case's action opened their record as
    any other, and Save put them back into the register with the consent they had withdrawn."""
    case_id = _closed_case(ws)
    service = ReturneeService(ws)
    first = ReturneeDialog(None, ws, case_id=case_id)
    qtbot.addWidget(first)
    first.occupation.set_code("8332")
    first.region.set_code("KZ-19")
    first.consent_reference.setText("form 2")
    qtbot.mouseClick(
        first.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: first.result() == 1, timeout=5000)
    record = service.for_case(case_id)
    assert record is not None and record.consented
    service.withdraw_consent(record.id)

    dialog = ReturneeDialog(None, ws, case_id=case_id)
    qtbot.addWidget(dialog)
    assert dialog.intro.text().startswith("The worker withdrew their consent")
    dialog.region.set_code("KZ-75")
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.writing, timeout=5000)
    assert dialog.result() == 0 and "new consent" in dialog.error.text()
    assert service.count() == 0
    # A new consent form puts the worker back.
    dialog.consent_reference.setText("form 7")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == 1, timeout=5000)
    assert [r.region for r in service.list()] == ["KZ-75"]


def test_a_mission_withdraws_consent_from_the_record_its_case_opens(
    qtbot: QtBot, make_window: Callable[..., MainWindow], ws: Workspace
) -> None:
    """The fault: at a mission the only way to take a returnee out of the register was to
    untick consent on the person's form, where nobody looked for it."""
    case_id = _closed_case(ws)
    service = ReturneeService(ws)
    first = ReturneeDialog(None, ws, case_id=case_id)
    qtbot.addWidget(first)
    assert not first.withdraw_button.isVisibleTo(first)  # nothing in the register yet
    first.occupation.set_code("8332")
    first.region.set_code("KZ-19")
    first.consent_reference.setText("form 2")
    qtbot.mouseClick(
        first.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: first.result() == 1, timeout=5000)

    window = make_window(ws)
    dialog = ReturneeDialog(window, ws, case_id=case_id)
    qtbot.addWidget(dialog)
    dialog.show()
    button = dialog.withdraw_button
    assert button.isVisible() and button.isEnabled() and button.text() == "Consent &withdrawn…"
    box = dialog.ask_withdraw()
    assert box is not None and "Сейітов Бақыт withdrew their consent" in box.text()
    yes = next(b for b in box.buttons() if b.text() == "Consent withdrawn")
    with qtbot.waitSignal(dialog.consent_withdrawn, timeout=5000):
        click(qtbot, yes)
    assert service.count() == 0  # out of the register, as the person's form did it
    assert dialog.intro.text().startswith("The worker withdrew their consent")
    assert not button.isVisible()
    record = service.for_case(case_id)
    assert record is not None and not record.consented
    with ws.read() as session:
        actions = session.execute(
            select(AuditEntry.action).where(AuditEntry.entity_id == record.id)
        ).scalars()
        assert "returnee.consent_withdrawn" in list(actions)


def test_open_case_has_no_skills_action(
    make_window: Callable[..., MainWindow], ws: Workspace
) -> None:
    case = CaseService(ws).create_case(
        CaseInput(
            host_country="KR",
            categories=("violence",),
            received_at=TODAY,
            person=PersonInput(surname="Бекова", given_names="Дана"),
        )
    )
    window = make_window(ws)
    area = window.show_area("cases")
    area.open_case(case.id)  # type: ignore[attr-defined]
    assert not area.editor.skills_button.isVisible()  # type: ignore[attr-defined]


def test_at_1366_in_kazakh_occupations_read_whole_and_the_summary_names_the_groups(
    qtbot: QtBot, make_window: Callable[..., MainWindow], hq_ws: Workspace, bridge: LanguageBridge
) -> None:
    """The faults: «9112 Кеңселердегі, қо…елердегі тазалаушылар», the occupation elided in
    its middle at 1366 pixels, and the summary's major groups as bare codes («9: 1»)."""
    from PySide6.QtWidgets import QApplication

    from ui.widgets.columns import cell_shortfall

    bridge.set_language("kk")
    window = make_window(hq_ws)
    window.resize(QSize(1366, 768))
    page = window.show_area("returnees")
    assert isinstance(page, ReturneesPage)
    qtbot.waitUntil(lambda: page.figures is not None, timeout=5000)  # read in the background
    for _round in range(3):
        QApplication.processEvents()
    cleaner = next(i for i, r in enumerate(page.model.rows) if r.occupation == "9112")
    index = page.model.index(cleaner, COL_OCCUPATION)
    assert index.data().startswith("9112 Кеңселердегі, қонақ үйлердегі")
    assert cell_shortfall(page.view, index) == 0
    assert page.summary.text().endswith(
        "ISCO-08 негізгі топтары бойынша: 5 Қызмет көрсету және сауда саласының "
        "қызметкерлері: 1; 7 Білікті жұмысшылар мен қолөнершілер: 1; 8 Өндірістік "
        "қондырғылар мен машиналардың операторлары, құрастырушылар және жүргізушілер: 1; "
        "9 Біліктілігі жоқ жұмысшылар: 1"
    )


def test_the_summary_in_russian_begins_a_sentence(
    qtbot: QtBot, hq_ws: Workspace, bridge: LanguageBridge
) -> None:
    """It began «показаны 4 работника · …», lower case at the head of the line."""
    bridge.set_language("ru")
    page = ReturneesPage(hq_ws, bridge)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.figures is not None, timeout=5000)
    assert page.summary.text().startswith("Показаны 4 вернувшихся работника · ")


@pytest.mark.skipif(not os.environ.get("QORGAU_SCREENSHOTS"), reason="writes screenshots")
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_screenshot_at_1366(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    hq_ws: Workspace,
    bridge: LanguageBridge,
    lang: str,
) -> None:
    """QORGAU_SCREENSHOTS=DIR writes the area at 1366×768 for a person to look at."""
    bridge.set_language(lang)
    window = make_window(hq_ws)
    window.resize(QSize(1366, 768))
    page = window.show_area("returnees")
    assert isinstance(page, ReturneesPage)
    qtbot.waitUntil(lambda: page.figures is not None, timeout=5000)  # read in the background
    folder = Path(os.environ["QORGAU_SCREENSHOTS"])
    folder.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(folder / f"returnees-{lang}.png"))
    dialog = ReturneeDialog(window, hq_ws)
    dialog.show()
    assert dialog.grab().save(str(folder / f"returnee-dialog-{lang}.png"))
    dialog.close()


def test_a_returnee_cell_of_the_reports_lists_its_records_here(
    qtbot: QtBot, make_window: Callable[..., MainWindow], hq_ws: Workspace
) -> None:
    """The fault: every counted cell of the Reports listed the cases behind it except the
    returnees' (a returnee may have no case), so "2 returned to the region" named nobody.
    Now a click (or Enter) opens this area with the filter that lists exactly those records,
    says which filter that is, and clears it."""
    service = ReturneeService(hq_ws)
    for surname, region, returned in (
        ("Бекова", "KZ-71", None),  # no day of return: in no period, on the "undated" row
        ("Қасымов", "KZ-71", TODAY - timedelta(days=900)),  # before the period
        ("Жұмабаев", "KZ-71", TODAY - timedelta(days=1)),
    ):
        service.add(
            ReturneeInput(
                occupation="7212",
                work_country="KR",
                region=region,
                consent_reference="form",
                consent_date=TODAY - timedelta(days=1),
                wants_referral=False,
                returned_on=returned,
                person=PersonInput(surname=surname, given_names="Test"),
            )
        )
    window = make_window(hq_ws)
    reports = open_area(qtbot, window, "reports")
    assert isinstance(reports, DashboardPage)
    qtbot.waitUntil(lambda: reports.figures is not None, timeout=10_000)
    figures = reports.figures
    assert figures is not None
    row = next(i for i, c in enumerate(figures.returnees.by_region) if c.key == "KZ-71")
    counted = figures.returnees.by_region[row]
    assert (counted.n, counted.wants_referral) == (2, 1)  # Омаров, Жұмабаев; Омаров wants one
    regions = reports.returnee_tables["returnees_by_region"]
    reports.findChild(QScrollArea).ensureWidgetVisible(regions)
    cell = regions.model.index(row, 2)  # the referral column: those wanting one
    assert "Click to list the returnees" in regions.model.data(cell, Qt.ItemDataRole.ToolTipRole)
    click(qtbot, regions.view.viewport(), regions.view.visualRect(cell).center())

    assert window.current_area() == "returnees"
    page = window.area_widget("returnees")
    assert isinstance(page, ReturneesPage)
    assert _names(page) == {"Омаров"} and page.model.total == counted.wants_referral
    assert page.region.code() == "KZ-71"
    assert page.figure_note.isVisible()
    note = page.figure_note.text()
    assert "wanting a referral" in note and format_date(figures.date_from) in note

    # The whole row, from the keyboard: Enter on its count.
    open_area(qtbot, window, "reports")
    regions.view.setFocus()
    regions.view.setCurrentIndex(regions.model.index(row, 1))
    qtbot.keyClick(regions.view, Qt.Key.Key_Return)
    assert window.current_area() == "returnees"
    assert _names(page) == {"Омаров", "Жұмабаев"} and page.model.total == counted.n

    # The summary's "undated" row lists the records without a day of return.
    open_area(qtbot, window, "reports")
    summary = reports.returnees_table
    undated = summary.model.index(2, 1)
    assert summary.cell(2, 1) == str(figures.returnees.undated) == "1"
    click(qtbot, summary.view.viewport(), summary.view.visualRect(undated).center())
    assert _names(page) == {"Бекова"}
    assert "no day of return" in page.figure_note.text()

    click(qtbot, page.clear_figure_button)
    assert not page.figure_note.isVisible() and page.region.code() == ""
    assert page.model.total == len(PEOPLE) + 3  # the whole register again


def test_closing_a_case_asks_whether_the_worker_came_home(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    ws: Workspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fault: a consul moved a resolved case to closed and was asked for a reason only; the
    returnees' register was reached by a button at the foot of the worker's fields, which
    nothing pointed to. Closing now asks whether the worker returned, and "Record skills…"
    opens the register's dialog for the case."""
    worker = PersonInput(surname="Сейітов", given_names="Бақыт")
    case = wage_case(ws, worker, TODAY - timedelta(days=30))
    CaseService(ws).set_status(case.id, "resolved", "Paid")
    window = make_window(ws)
    area = window.show_area("cases")
    area.open_case(case.id)  # type: ignore[attr-defined]
    editor = area.editor  # type: ignore[attr-defined]
    requested: list[str] = []
    monkeypatch.setattr(  # the register's dialog, which the area opens modally
        "ui.returnees.record_skills_for_case",
        lambda _parent, _window, case_id: requested.append(case_id) or False,
    )
    timeline = editor.timeline
    timeline.target.setCurrentIndex(timeline.target.findData("closed"))
    timeline.change_status()
    timeline.dialog.reason.setPlainText("The worker flew home.")
    timeline.dialog.accept()
    qtbot.waitUntil(lambda: getattr(editor, "return_box", None) is not None, timeout=5000)
    box = editor.return_box
    assert box.windowTitle() == "The case is closed"
    assert "returned to Kazakhstan" in box.text()
    assert sorted(b.text() for b in box.buttons()) == ["Not now", "Record skills…"]
    assert editor.case.status == "closed"
    next(b for b in box.buttons() if b.text() == "Record skills…").click()
    assert requested == [case.id]


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_the_day_of_return_shows_a_recent_return_date_as_its_example(
    qtbot: QtBot, hq_ws: Workspace, bridge: LanguageBridge, language: str
) -> None:
    """The day of return's hint read «e.g. 15 Mar 1994», a birth date, and then 20 November of
    last year (20.11.2025 on a 2026 machine): it shows a recent day, as the language writes
    dates; the worker's birth date keeps a birth date's."""
    bridge.set_language(language)
    dialog = ReturneeDialog(None, hq_ws)
    qtbot.addWidget(dialog)
    example = recent_example()
    assert 0 <= (date.today() - example).days <= 43 and example.day > 12
    hint = dialog.returned_on.placeholderText()
    assert dialog.returned_on.example == example
    assert format_date(example) in hint and "1994" not in hint
    dialog.returned_on.setText("31.02.2025")
    with pytest.raises(ValidationError, match=example.strftime("%d%m%Y")):  # the error's too
        dialog.returned_on.date()
    birth = DateField("birth_date")
    qtbot.addWidget(birth)
    assert "1994" in birth.placeholderText()


def test_the_register_is_exported_in_the_language_chosen_for_the_file(
    qtbot: QtBot, hq_ws: Workspace, bridge: LanguageBridge, tmp_path: Path
) -> None:
    """The fault: the file took the interface's language, with no other choice: an attaché
    working in English sent a Kazakh employment centre a register whose headers, regions,
    occupations and countries were English. The file's language is chosen beside the button."""
    page = ReturneesPage(hq_ws, bridge)
    qtbot.addWidget(page)
    assert page.export_lang.currentData() == "en"  # the interface's, until chosen
    assert page.export_lang_label.buddy() is page.export_lang
    page.export_lang.setCurrentIndex(page.export_lang.findData("kk"))
    out = tmp_path / "register.csv"
    task = page.export_to(out)
    qtbot.waitUntil(lambda: not task.running, timeout=10_000)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Тегі;Аты;Әкесінің аты;Қазақстандағы телефоны;")
    welder = next(line.split(";") for line in lines if line.startswith("Омаров;"))
    assert "Астана қаласы" in welder and "Корея Республикасы" in welder
    assert "Welders and flame cutters" not in welder
    assert page.written.text() == f"Wrote {out} (4 records)."  # said in the interface's


def test_a_minors_record_says_above_the_form_that_a_parent_consents(
    qtbot: QtBot, ws: Workspace
) -> None:
    """The fault: the form from a 16-year-old's case asked for "the worker's consent" as for
    anyone; a minor's consent to the register is a parent's or guardian's."""
    born = TODAY.replace(year=TODAY.year - 16, day=1)
    minor = PersonInput(surname="Нұрланов", given_names="Ерасыл", birth_date=born)
    case = closed_with_worker_home(ws, minor, TODAY - timedelta(days=30))
    dialog = ReturneeDialog(None, ws, case_id=case.id)
    qtbot.addWidget(dialog)
    said = "Нұрланов Ерасыл was under 18 on the day of consent"
    assert said in dialog.intro.text() and "parent or guardian" in dialog.intro.text()
    adult = closed_with_worker_home(ws, PersonInput(surname="Сейітов", given_names="Бақыт"), TODAY)
    other = ReturneeDialog(None, ws, case_id=adult.id)
    qtbot.addWidget(other)
    assert "under 18" not in other.intro.text()


def test_hq_takes_a_date_of_birth_that_tells_a_minor_and_checks_years_abroad(
    qtbot: QtBot, hq_ws: Workspace
) -> None:
    """The fault: HQ's form had no date of birth, so a 16-year-old who contacted HQ was
    recorded on their own consent, with any years abroad, and nothing said either."""
    dialog = ReturneeDialog(None, hq_ws)
    qtbot.addWidget(dialog)
    fill_returnee_dialog(dialog)
    born = TODAY.replace(year=TODAY.year - 16, day=1)
    dialog.birth_date_field.set_date(born)
    dialog.birth_date_field.editingFinished.emit()
    assert "Жақыпов Бекзат was under 18 on the day of consent" in dialog.intro.text()
    dialog.years.setValue(5)
    qtbot.mouseClick(dialog.ok_button(), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.writing, timeout=5000)
    assert dialog.result() == 0 and "cannot have 5 years of experience abroad" in (
        dialog.error.text()
    )
    assert ReturneeService(hq_ws).count() == 4
    dialog.years.setValue(1)
    qtbot.mouseClick(dialog.ok_button(), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == 1, timeout=5000)
    assert dialog.saved is not None and dialog.saved.birth_date == born
    dialog.birth_date_field.setText("")
    dialog.birth_date_field.editingFinished.emit()
    assert "under 18" not in dialog.intro.text()


def test_the_returnee_form_is_labelled_as_the_other_forms_are(
    qtbot: QtBot, hq_ws: Workspace
) -> None:
    """The fault: the form's labels had no colon and no Alt letter, unlike the partner form's,
    and the referral box's long label beside it (with the hints in the languages' and the
    certificates' labels) made the label column half the form in Kazakh."""
    dialog = ReturneeDialog(None, hq_ws)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    labels = [dialog.form.labelForField(w) for w, _key in dialog._rows if w is not dialog.referral]
    texts = [label.text() for label in labels if isinstance(label, QLabel)]
    assert len(texts) == len(labels) and all(text.endswith(":") for text in texts)
    # The box says it itself, across the row.
    assert dialog.form.labelForField(dialog.referral) is None
    buttons = [button.text() for button in dialog.buttons.buttons()]
    lettered = [*texts, dialog.referral.text()]
    assert None not in [accelerator(text) for text in lettered]
    assert not clashes([*lettered, *buttons])
    assert dialog.languages.placeholderText() and dialog.certificates.placeholderText()
    column = max(label.width() for label in labels)
    assert dialog.occupation.width() >= 2 * column


def test_the_page_says_who_an_export_left_out(
    qtbot: QtBot, hq_ws: Workspace, bridge: LanguageBridge, tmp_path: Path
) -> None:
    """The fault: 5 returnees shown, "Wrote … (4 records)." and no word of the fifth, left out
    for declining a referral: the analyst read it as a record lost. The file said why."""
    ReturneeService(hq_ws).add(
        ReturneeInput(
            occupation="7212",
            work_country="KR",
            region="KZ-71",
            consent_reference="form",
            consent_date=TODAY - timedelta(days=3),
            wants_referral=False,
            returned_on=TODAY - timedelta(days=5),
            person=PersonInput(surname="Бекова", given_names="Дана"),
        )
    )
    page = ReturneesPage(hq_ws, bridge)
    qtbot.addWidget(page)
    out = tmp_path / "register.csv"
    task = page.export_to(out)
    qtbot.waitUntil(lambda: not task.running, timeout=10_000)
    assert "Бекова" not in out.read_text(encoding="utf-8-sig")
    assert page.written.text() == (
        f"Wrote {out} (4 records). 1 worker who declined a referral to an employment centre "
        "is left out."
    )
