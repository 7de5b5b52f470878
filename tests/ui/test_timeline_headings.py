"""A case's timeline as an officer reads it: entries the app wrote, in the reader's language."""

from __future__ import annotations

from datetime import date, timedelta

from pytestqt.qtbot import QtBot

from app.services.partners import PartnerInput, PartnerService
from app.services.workspace import Workspace
from tests.builders import ASSEL, wage_case
from tests.conftest import OpenWs
from ui.cases.area import CasesArea
from ui.i18n_bridge import LanguageBridge


def test_the_app_s_entries_follow_a_language_switch_heading_and_sentence(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    """The fault: entries were headed «System» whatever they recorded, and after a switch to
    Russian their sentences stayed in English (composed when the case was read) under the new
    headings."""
    partner = PartnerService(ws).create(
        PartnerInput(name="Ansan Migrant Shelter", kind="shelter", country="KR")
    )
    case = wage_case(ws, ASSEL, date.today() - timedelta(days=2))
    PartnerService(open_ws("aigul")).refer(case.id, partner.id, "She has nowhere to sleep.")
    cases_area.open_case(case.id)
    timeline = cases_area.editor.timeline

    shown = timeline.events.toPlainText()
    assert "Referral\nAnsan Migrant Shelter: She has nowhere to sleep." in shown
    assert "· aigul\nReferral" in shown  # headed by what it is, under the officer who did it
    assert "Case registered" in shown and "Case registered." not in shown
    assert "System" not in shown

    bridge.set_language("ru")
    shown = timeline.events.toPlainText()
    assert "Направление\nAnsan Migrant Shelter: She has nowhere to sleep." in shown
    assert "Дело зарегистрировано" in shown
    for stale in ("Referred to", "Case registered", "Система"):
        assert stale not in shown

    bridge.set_language("kk")
    shown = timeline.events.toPlainText()
    assert "Жолдама\nAnsan Migrant Shelter: She has nowhere to sleep." in shown
    assert "Іс тіркелді" in shown and "Жүйе" not in shown
