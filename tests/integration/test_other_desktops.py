"""Several desktops on one database (an HQ on PostgreSQL): each hears what the others commit,
in the commit's own transaction; a mission's file has one desktop and hears nothing."""

from __future__ import annotations

import queue
import time

import pytest
from sqlalchemy import text

from app.db import postgres
from app.services.cases import CaseService
from app.services.changes import NOTICE_LIMIT, DataChanged, notice, read_notice
from app.services.workspace import Workspace
from tests.builders import add_cases
from tests.conftest import OpenWs
from tests.pg_cluster import admin_execute

pytestmark = pytest.mark.both_engines

HEARD_S = 10  # the notice crosses the server within milliseconds; a busy machine is slower


def hearing(ws: Workspace) -> queue.Queue[DataChanged]:
    """What ``ws``'s hub publishes, once it listens (its LISTEN in place)."""
    heard: queue.Queue[DataChanged] = queue.Queue()
    ws.changes.subscribe(heard.put)
    ws.hear_other_desktops()
    listening = getattr(ws._listening, "listening", None)
    if listening is not None:
        assert listening.wait(HEARD_S)
    return heard


def test_a_case_added_on_one_desktop_is_heard_on_the_other(engine: str, open_ws: OpenWs) -> None:
    admin, aigul = open_ws("admin"), open_ws("aigul")
    heard = hearing(admin)
    (case_id,) = add_cases(aigul, 1)
    if engine == "sqlite":
        time.sleep(0.2)
        assert heard.empty()  # one desktop per file: nothing to hear, no thread, no cost
        assert admin._listening is None
        return
    change = heard.get(timeout=HEARD_S)
    assert change.by == "aigul" and change.from_elsewhere
    assert change.touches("case") and change.touches_case(case_id)


def test_own_writes_are_published_once_not_heard_back(engine: str, open_ws: OpenWs) -> None:
    admin = open_ws("admin")
    heard = hearing(admin)
    add_cases(admin, 1)
    own = heard.get(timeout=HEARD_S)
    assert own.by == ""  # the window's own change, published at commit
    time.sleep(0.5)
    assert heard.empty()  # its notice, heard back from the server, is dropped


def test_a_rolled_back_write_tells_nobody(engine: str, open_ws: OpenWs) -> None:
    if engine == "sqlite":
        pytest.skip("nothing is told on a file")
    admin, aigul = open_ws("admin"), open_ws("aigul")
    heard = hearing(admin)
    (case_id,) = add_cases(aigul, 1)
    heard.get(timeout=HEARD_S)
    service = CaseService(aigul)
    with pytest.raises(RuntimeError), aigul.write() as session:
        session.execute(
            text("UPDATE \"case\" SET description = 'x' WHERE id = :id"), {"id": case_id}
        )
        service.ws.db.announce(
            session, notice(DataChanged(frozenset({"case"}), frozenset()), "aigul", "other")
        )
        raise RuntimeError("cancelled")
    time.sleep(0.5)
    assert heard.empty()


def test_a_notice_too_large_to_name_its_cases_stands_for_every_case() -> None:
    many = frozenset(f"{i:036d}" for i in range(1000))
    text_ = notice(DataChanged(frozenset({"case"}), many), "dana", "desk-1")
    assert len(text_.encode()) <= NOTICE_LIMIT
    change = read_notice(text_, "desk-2")
    assert change is not None and change.every_case and change.touches_case("any")
    assert read_notice(text_, "desk-1") is None  # a desktop's own
    assert read_notice("not json", "desk-2") is None


def test_a_lost_listening_connection_is_reopened_and_says_anything_may_have_changed(
    engine: str, open_ws: OpenWs, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine == "sqlite":
        pytest.skip("nothing listens on a file")
    monkeypatch.setattr(postgres, "RELISTEN_DELAYS_S", (0.05,))
    admin, aigul = open_ws("admin"), open_ws("aigul")
    heard = hearing(admin)
    with admin.read() as session:
        database = session.execute(text("SELECT current_database()")).scalar_one()
    admin_execute(  # as a server restart would (only this test's database)
        request.getfixturevalue("pg_cluster"),
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE application_name = 'qorgau-listen' AND datname = '{database}'",
    )
    missed = heard.get(timeout=HEARD_S)  # once listening again: notices meanwhile are gone
    assert missed.every_table and missed.touches_case("any") and missed.from_elsewhere
    (case_id,) = add_cases(aigul, 1)
    assert heard.get(timeout=HEARD_S).touches_case(case_id)  # and it hears again


def test_a_write_to_the_audit_log_alone_is_not_announced(engine: str, open_ws: OpenWs) -> None:
    """A sign-in or a report exported writes an audit entry: no desktop has anything to
    show for it, and twenty of them reading their pages again for each would be waste."""
    admin, aigul = open_ws("admin"), open_ws("aigul")
    heard = hearing(admin)
    with aigul.write() as session:  # the audit entry is the whole write
        aigul.audit(session, "report_exported", "report", "year")
    (case_id,) = add_cases(aigul, 1)
    if engine == "sqlite":
        return
    first = heard.get(timeout=HEARD_S)
    assert first.touches_case(case_id)  # the case, not the audit entry before it
