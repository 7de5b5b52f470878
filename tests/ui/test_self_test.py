"""QORGAU_SELF_TEST: the installed app proves it starts, decrypts and lists cases, then quits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from app.services.cases import CaseService
from app.services.records import CaseInput, PersonInput
from app.services.workspace import Workspace
from ui import self_test


def add_cases(ws: Workspace, count: int) -> None:
    service = CaseService(ws)
    for n in range(count):
        service.create_case(
            CaseInput(
                host_country="KR",
                categories=("unpaid_wages",),
                received_at=date.today(),
                person=PersonInput(surname=f"Сынақ{n}", given_names="Іс"),
            )
        )


def test_self_test_reports_the_listed_cases_and_closes_the_window(
    make_window: Callable[[Workspace], object],
    ws: Workspace,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_cases(ws, 3)
    window = make_window(ws)
    monkeypatch.setenv(self_test.SELF_TEST_ENV, "1")
    assert self_test.requested()
    assert self_test.run(window) == 0  # type: ignore[arg-type]
    assert "shows 3 of 3 cases" in capsys.readouterr().out
    assert not window.isVisible()  # type: ignore[attr-defined]


def test_an_empty_list_fails_the_self_test(
    make_window: Callable[[Workspace], object],
    ws: Workspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(self_test, "TIMEOUT_MS", 300)
    assert self_test.run(make_window(ws)) == 1  # type: ignore[arg-type]


def test_the_application_icon_has_every_size_the_systems_use() -> None:
    from ui.app import application_icon

    sizes = {size.width() for size in application_icon().availableSizes()}
    assert {16, 32, 48, 256} <= sizes
