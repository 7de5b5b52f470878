"""The case list loads off the GUI thread: typing never waits for the database, the newest
query wins, stale ones are dropped, and the count may follow the first page."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime

from PySide6.QtCore import QModelIndex, QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.services.records import CaseFilter, CaseRow, WorkerName
from ui.models.case_table_model import NUMBER, CaseTableModel


def _row(number: int, text: str) -> CaseRow:
    return CaseRow(
        id=f"{text}-{number}",
        number=f"SEL-2026-{number:04d}",
        status="new",
        urgency="normal",
        life_or_liberty_at_risk=False,
        host_country="KR",
        person_name=f"{text} {number}",
        person_name_latin="",
        employer_name="",
        categories=(),
        received_at=date(2026, 11, 1),
        due_date=None,
        assigned_to=None,
        deadline="none",
        escalated=False,
        updated_at=datetime(2026, 11, 1, tzinfo=UTC),
        origin_mission="SEL",
        worker=WorkerName(text, str(number), "", "", ""),
        officer=None,
    )


class SlowSource:
    """A case source that holds every query until the test lets it go, and records them."""

    def __init__(self, matches: int = 3) -> None:
        self.matches = matches
        self.gate = threading.Event()
        self.listed: list[str] = []
        self.counted: list[str] = []
        self.count_gate = threading.Event()
        self.count_gate.set()

    def list_cases(
        self, flt: CaseFilter | None = None, offset: int = 0, limit: int = 100
    ) -> list[CaseRow]:
        text = (flt or CaseFilter()).text
        self.gate.wait(5)
        self.listed.append(text)
        end = min(self.matches, offset + limit)
        return [_row(n, text) for n in range(offset, end)]

    def count_cases(self, flt: CaseFilter | None = None) -> int:
        self.count_gate.wait(5)
        self.counted.append((flt or CaseFilter()).text)
        return self.matches


def test_reload_returns_at_once_while_the_query_runs_in_the_background(
    qapp: QApplication, qtbot: QtBot
) -> None:
    source = SlowSource()
    model = CaseTableModel(source, background=True)
    model.filter = CaseFilter(text="Нұрлан")
    model.reload()  # would block for seconds on the GUI thread if it ran the query there
    assert model.loading
    assert model.rowCount() == 0
    source.gate.set()
    qtbot.waitUntil(lambda: not model.loading and model.total == 3, timeout=3000)
    assert model.index(0, NUMBER).data() == "SEL-2026-0000"


def test_typing_fast_shows_the_last_query_and_drops_the_stale_ones(
    qapp: QApplication, qtbot: QtBot
) -> None:
    source = SlowSource(matches=450)  # a full first page: the count is asked for too
    model = CaseTableModel(source, background=True)
    for typed in ("Н", "Нұ", "Нұр", "Нұрл", "Нұрлан"):
        model.set_filter(replace(model.filter, text=typed))
    source.gate.set()
    qtbot.waitUntil(lambda: source.counted[-1:] == ["Нұрлан"], timeout=3000)
    qtbot.waitUntil(lambda: model.total_known and not model.loading, timeout=3000)
    assert model.row_at(0).person_name == "Нұрлан 0"
    # The first query may have started before the others arrived; the ones in between never ran.
    assert source.listed[-1] == "Нұрлан"
    assert len(source.listed) <= 2
    assert set(source.counted) == {"Нұрлан"}


def test_the_first_page_arrives_before_the_count(qapp: QApplication, qtbot: QtBot) -> None:
    source = SlowSource(matches=450)
    source.count_gate.clear()
    source.gate.set()
    model = CaseTableModel(source, background=True)
    model.reload()
    qtbot.waitUntil(lambda: model.rowCount() == 200, timeout=3000)
    assert not model.total_known  # a full page: more may follow
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())  # the user may scroll before the count arrives
    assert model.rowCount() == 400
    source.count_gate.set()
    qtbot.waitUntil(lambda: model.total_known, timeout=3000)
    assert model.total == 450
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 450
    assert not model.canFetchMore(QModelIndex())


def test_a_short_first_page_is_the_whole_list_and_asks_no_count(
    qapp: QApplication, qtbot: QtBot
) -> None:
    source = SlowSource(matches=7)
    source.gate.set()
    model = CaseTableModel(source, background=True)
    model.set_filter(CaseFilter(text="Әбенова Ай"))
    qtbot.waitUntil(lambda: not model.loading, timeout=3000)
    QThreadPool.globalInstance().waitForDone(3000)
    assert model.total_known and model.total == 7 and model.rowCount() == 7
    assert source.listed == ["Әбенова Ай"]
    assert source.counted == []  # the ids were not looked up a second time
    assert not model.canFetchMore(QModelIndex())


def test_a_failed_query_is_reported_and_the_list_stops_waiting(
    qapp: QApplication, qtbot: QtBot, monkeypatch
) -> None:
    from ui.models import case_table_model

    shown: list[BaseException] = []
    monkeypatch.setattr(case_table_model, "show_error", lambda _parent, exc: shown.append(exc))

    class Broken(SlowSource):
        def list_cases(self, flt=None, offset=0, limit=100):  # type: ignore[no-untyped-def]
            raise RuntimeError("disk gone")

    model = CaseTableModel(Broken(), background=True)
    model.reload()
    qtbot.waitUntil(lambda: bool(shown), timeout=3000)
    assert not model.loading
    assert str(shown[0]) == "disk gone"


def test_a_superseded_query_is_interrupted_on_the_database(
    qapp: QApplication, qtbot: QtBot, ws
) -> None:
    """The stale query stops at once (sqlite3_interrupt), so the newest one need not wait."""
    import time

    from app.services.cases import CaseService

    service = CaseService(ws)
    slow_started = threading.Event()
    interrupted: list[BaseException] = []

    class Slow:
        def list_cases(self, flt=None, offset=0, limit=100):  # type: ignore[no-untyped-def]
            if flt is not None and flt.text == "stale":
                with ws.read() as session:
                    connection = session.connection()
                    raw = connection.connection.dbapi_connection
                    assert raw is not None
                    # Signals from inside the running statement, so the interrupt meets it.
                    raw.set_progress_handler(lambda: slow_started.set(), 10_000)
                    try:  # a statement that would run for minutes
                        connection.exec_driver_sql(
                            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
                            "SELECT i + 1 FROM n WHERE i < 300000000) SELECT count(*) FROM n"
                        ).all()
                    except Exception as exc:
                        interrupted.append(exc)
                        raise
                    finally:
                        raw.set_progress_handler(None, 0)
            return service.list_cases(flt, offset, limit)

        def count_cases(self, flt=None):  # type: ignore[no-untyped-def]
            return service.count_cases(flt)

    model = CaseTableModel(Slow(), background=True, interrupt=ws.db.interrupt)
    model.set_filter(CaseFilter(text="stale"))
    assert slow_started.wait(5)
    started = time.perf_counter()
    model.set_filter(CaseFilter())
    qtbot.waitUntil(lambda: not model.loading, timeout=5000)
    waited = time.perf_counter() - started
    QThreadPool.globalInstance().waitForDone(10_000)  # the count, before the database closes
    assert waited < 4
    assert interrupted and "interrupt" in str(interrupted[0]).lower()
    assert model.total == service.count_cases(CaseFilter())


def test_a_stale_keystrokes_count_never_runs_though_its_page_finished(
    qapp: QApplication, qtbot: QtBot
) -> None:
    """The next keystroke arrives while the stale page is being read: that page finishes,
    but its count (a second query over every match) is not started."""
    source = SlowSource(matches=450)  # full pages: each query would be counted
    model = CaseTableModel(source, background=True)
    model.set_filter(CaseFilter(text="Н"))
    qtbot.waitUntil(lambda: model._loader is not None and model._loader._worker is not None)
    model.set_filter(CaseFilter(text="Нұ"))  # while "Н" is still reading its page
    source.gate.set()
    qtbot.waitUntil(lambda: model.total_known and not model.loading, timeout=3000)
    QThreadPool.globalInstance().waitForDone(3000)
    assert source.listed == ["Н", "Нұ"]
    assert source.counted == ["Нұ"]
    assert model.row_at(0).person_name == "Нұ 0"


def gated_steps(release: threading.Event, ran: list[str]) -> Callable[[str], Callable[[], str]]:
    """Steps that note their text when they run; the one named "running" waits for release."""

    def step(text: str) -> Callable[[], str]:
        def run() -> str:
            if text == "running":
                release.wait(5)
            ran.append(text)
            return text

        return run

    return step


def test_a_pending_stale_request_is_replaced_not_queued(qapp: QApplication, qtbot: QtBot) -> None:
    """Keystrokes typed while a query runs leave one request waiting, the newest: the pool
    never holds a queue of stale searches to work through."""
    from ui.tasks import LatestOnly

    release = threading.Event()
    ran: list[str] = []
    delivered: list[object] = []

    step = gated_steps(release, ran)
    loader = LatestOnly()
    loader.delivered.connect(lambda _generation, _step, result: delivered.append(result))
    loader.submit([step("running")])
    qtbot.waitUntil(lambda: loader._worker is not None)
    for text in ("a", "ab", "abe", "aben"):
        loader.submit([step(text)])
    assert loader._pending is not None and loader._pending[0] == loader.generation  # one, newest
    release.set()
    qtbot.waitUntil(lambda: delivered == ["aben"], timeout=3000)
    QThreadPool.globalInstance().waitForDone(3000)
    assert ran == ["running", "aben"]  # the stale request finished; the three between never ran


def test_an_interrupt_stops_a_stale_read_that_had_not_taken_its_connection_yet(
    qapp: QApplication, qtbot: QtBot, ws
) -> None:
    """The newer keystroke may come after the worker began the stale step but before its
    session took a connection: the stale read must still stop, and the newest must run."""
    from app.db.engine import Interrupted
    from app.services.cases import CaseService

    service = CaseService(ws)
    began = threading.Event()
    go_on = threading.Event()
    stale_failed: list[BaseException] = []

    class Gated:
        def list_cases(self, flt=None, offset=0, limit=100):  # type: ignore[no-untyped-def]
            if flt is not None and flt.text == "stale":
                began.set()
                go_on.wait(5)  # no connection checked out yet
                try:
                    return service.list_cases(flt, offset, limit)
                except Exception as exc:
                    stale_failed.append(exc)
                    raise
            return service.list_cases(flt, offset, limit)

        def count_cases(self, flt=None):  # type: ignore[no-untyped-def]
            return service.count_cases(flt)

    model = CaseTableModel(Gated(), background=True, interrupt=ws.db.interrupt, resume=ws.db.resume)
    model.set_filter(CaseFilter(text="stale"))
    assert began.wait(5)
    model.set_filter(CaseFilter())
    go_on.set()
    qtbot.waitUntil(lambda: not model.loading and model.total_known, timeout=5000)
    QThreadPool.globalInstance().waitForDone(10_000)  # the count, before the database closes
    assert len(stale_failed) == 1 and isinstance(stale_failed[0], Interrupted)
    assert model.total == service.count_cases(CaseFilter())  # the newest read was not stopped


def test_cancel_drops_the_pending_request_and_stops_the_running_one(
    qapp: QApplication, qtbot: QtBot
) -> None:
    """A view left before its answers came: nothing more runs or arrives, and the worker's
    thread is free to read again for whatever the pool runs next."""
    from ui.tasks import LatestOnly

    release = threading.Event()
    ran: list[str] = []
    delivered: list[object] = []
    interrupted: list[int] = []
    resumed: list[int] = []

    step = gated_steps(release, ran)
    loader = LatestOnly(interrupt=interrupted.append, resume=resumed.append)
    loader.delivered.connect(lambda _generation, _step, result: delivered.append(result))
    loader.submit([step("running"), step("its second step")])
    qtbot.waitUntil(lambda: loader._worker is not None)
    worker = loader._worker
    loader.submit([step("pending")])
    loader.cancel()
    release.set()
    QThreadPool.globalInstance().waitForDone(3000)
    qapp.processEvents()
    assert ran == ["running"]  # its second step and the pending request never ran
    assert delivered == []
    assert interrupted[-1] == worker
    assert resumed[-1] == worker  # the worker left with its thread able to read


def test_the_first_page_texts_are_made_off_the_gui_thread(
    qapp: QApplication, qtbot: QtBot, monkeypatch
) -> None:
    from ui.models import case_table_model

    made_on: list[threading.Thread] = []
    real = case_table_model.display_texts

    def recording(
        row: CaseRow, officers: dict[str, str], language: str | None = None
    ) -> tuple[str, ...]:
        made_on.append(threading.current_thread())
        return real(row, officers, language)

    monkeypatch.setattr(case_table_model, "display_texts", recording)
    source = SlowSource(matches=5)
    source.gate.set()
    model = CaseTableModel(source, background=True)
    model.officers = {"officer1": "Aigerim Sadykova"}
    model.set_filter(CaseFilter(text="Нұрлан"))
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() == 5, timeout=3000)
    assert len(made_on) == 5
    assert threading.main_thread() not in made_on  # the GUI thread only swapped them in
    assert model.index(0, NUMBER).data() == "SEL-2026-0000"


def test_a_language_switch_while_a_page_loads_shows_it_in_the_new_language(
    qapp: QApplication, qtbot: QtBot
) -> None:
    from app.i18n import current_language, set_language
    from ui.models.case_table_model import STATUS

    before = current_language()
    source = SlowSource(matches=2)
    model = CaseTableModel(source, background=True)
    try:
        set_language("en")
        model.set_filter(CaseFilter(text="Нұрлан"))  # its texts will be made in English
        set_language("kk")  # ... and the interface turns Kazakh before the page arrives
        source.gate.set()
        qtbot.waitUntil(lambda: not model.loading and model.rowCount() == 2, timeout=3000)
        assert model.index(0, STATUS).data() == "Жаңа"
    finally:
        set_language(before)
