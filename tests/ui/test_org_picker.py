"""The employer picker warns about watchlisted employers; a consul puts them on the list."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot

from app.services.organisations import OrganisationService
from app.services.records import OrganisationInput
from tests.conftest import OpenWs
from tests.ui.press import click, wait_written
from ui.cases.org_picker import OrganisationPicker


def test_watchlisted_employer_shows_its_reason(
    qtbot: QtBot, open_ws: OpenWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    consul = open_ws("serik")
    service = OrganisationService(consul, "employer")
    org = service.create(OrganisationInput("Daesung Precision Co., Ltd", "KR", "Ansan"))
    picker = OrganisationPicker(service, "Employer", can_watchlist=True)
    qtbot.addWidget(picker)
    picker.load("KR", org.id)
    picker.show()
    assert picker.warning.isHidden()
    assert picker.watch_button.isEnabled()

    monkeypatch.setattr(
        QInputDialog,
        "getMultiLineText",
        lambda *args, **kwargs: ("Keeps passports of its workers (3 cases in 2026).", True),
    )
    click(qtbot, picker.watch_button)
    wait_written(qtbot, picker)
    assert service.get(org.id).watchlist
    assert not picker.warning.isHidden()
    assert "Keeps passports" in picker.warning.text()

    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *args, **kwargs: ("", True))
    click(qtbot, picker.watch_button)
    wait_written(qtbot, picker)
    assert not service.get(org.id).watchlist
    assert picker.warning.isHidden()


def test_an_attache_sees_the_warning_but_cannot_change_the_list(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    consul_service = OrganisationService(open_ws("serik"), "employer")
    org = consul_service.create(OrganisationInput("Jeil Food Processing", "KR"))
    consul_service.set_watchlist(org.id, True, "Wages unpaid for months")
    picker = OrganisationPicker(OrganisationService(open_ws("aigul"), "employer"), "Employer")
    qtbot.addWidget(picker)
    picker.load("KR", org.id)
    assert "Wages unpaid for months" in picker.warning.text()
    assert not picker.watch_button.isVisible() and picker.watch_button.isHidden()
