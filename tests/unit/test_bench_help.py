"""A benchmark's ``--help`` says what it measures and how to run it (it failed on
``int("--help")``)."""

from __future__ import annotations

import sys
import types

import pytest

from benchmarks.common import size_argument


def test_help_prints_the_scripts_description_and_exits(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = types.ModuleType("__main__", "The search box as typed.\n\nGoals: 50 ms.")
    monkeypatch.setitem(sys.modules, "__main__", script)
    monkeypatch.setattr(sys, "argv", ["bench_search_box.py", "--help"])
    with pytest.raises(SystemExit) as stopped:
        size_argument("QORGAU_BENCH_CASES", 100_000)
    assert stopped.value.code == 0
    printed = capsys.readouterr().out
    assert printed.startswith("The search box as typed.")
    assert "QORGAU_BENCH_CASES" in printed and "QORGAU_BENCH_DATA" in printed


def test_a_size_is_read_from_the_first_argument_or_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "argv", ["bench.py", "300000"])
    assert size_argument("QORGAU_BENCH_CASES", 100_000) == 300_000
    monkeypatch.setattr(sys, "argv", ["bench.py"])
    monkeypatch.setenv("QORGAU_BENCH_CASES", "10000")
    assert size_argument("QORGAU_BENCH_CASES", 100_000) == 10_000
