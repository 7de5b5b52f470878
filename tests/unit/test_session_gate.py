"""The gate between this process's sessions and a change of the database key."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.db.gate import GateTimeout, SessionGate


def test_a_key_change_waits_for_the_sessions_under_way_and_holds_back_new_ones() -> None:
    gate, order = SessionGate(), []
    inside, release = threading.Event(), threading.Event()

    def reader() -> None:
        with gate.session():
            inside.set()
            assert release.wait(10)
            order.append("read")

    def change() -> None:
        with gate.alone(10):
            order.append("key changed")

    def late_reader() -> None:
        with gate.session():
            order.append("late read")

    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(reader)
        assert inside.wait(10)
        changed = pool.submit(change)
        time.sleep(0.1)
        late = pool.submit(late_reader)  # asked for while the change waits: goes after it
        time.sleep(0.1)
        assert order == []
        release.set()
        for future in (first, changed, late):
            future.result(10)
    assert order == ["read", "key changed", "late read"]


def test_a_thread_in_a_session_opens_another_while_a_key_change_waits() -> None:
    """A read inside a write on one thread must not wait for the change that waits for it."""
    gate = SessionGate()
    outer, waiting = threading.Event(), threading.Event()
    nested = []

    def write_then_read() -> None:
        with gate.session():
            outer.set()
            assert waiting.wait(10)
            time.sleep(0.1)
            with gate.session():
                nested.append("read")

    def change() -> None:
        with gate.alone(10):
            pass

    with ThreadPoolExecutor(2) as pool:
        writer = pool.submit(write_then_read)
        assert outer.wait(10)
        changed = pool.submit(change)
        waiting.set()
        writer.result(10)
        changed.result(10)
    assert nested == ["read"]


def test_a_key_change_gives_up_after_its_wait_and_lets_the_held_back_sessions_go() -> None:
    gate = SessionGate()
    inside, release = threading.Event(), threading.Event()

    def long_read() -> None:
        with gate.session():
            inside.set()
            assert release.wait(10)

    def change() -> None:
        with gate.alone(0.5):
            pass

    def late_reader() -> str:
        with gate.session():
            return "read"

    with ThreadPoolExecutor(3) as pool:
        running = pool.submit(long_read)
        assert inside.wait(10)
        changed = pool.submit(change)
        time.sleep(0.1)
        late = pool.submit(late_reader)
        with pytest.raises(GateTimeout):
            changed.result(10)
        assert late.result(10) == "read"  # not left waiting behind the change that gave up
        release.set()
        running.result(10)


def test_a_key_change_inside_a_session_is_refused_rather_than_waiting_for_itself() -> None:
    gate = SessionGate()
    with gate.session(), pytest.raises(RuntimeError), gate.alone(1):
        pass


def test_the_window_reads_while_a_key_change_waits_for_a_workers_long_session() -> None:
    """The main thread (the window) is not held back behind a change that waits: only a
    change under way keeps it out."""
    gate = SessionGate()
    inside, release = threading.Event(), threading.Event()

    def long_export() -> None:
        with gate.session():
            inside.set()
            assert release.wait(10)

    def change() -> None:
        with gate.alone(10):
            pass

    with ThreadPoolExecutor(2) as pool:
        running = pool.submit(long_export)
        assert inside.wait(10)
        changed = pool.submit(change)
        time.sleep(0.1)
        with gate.session():  # this test runs on the main thread
            pass
        # Held back, it would have entered only after the export gave up and the change ran.
        assert not changed.done()
        release.set()
        running.result(10)
        changed.result(10)
