"""The Reports window's list of the cases behind a figure names the worker as its export (and
the letters) do in the interface's language."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.services.cases import CaseService
from app.services.stats import Drilldown, StatsFilter, StatsService
from app.services.workspace import Workspace
from tests.builders import AIGUL, new_case
from ui.i18n_bridge import LanguageBridge
from ui.reports.case_list import CaseListDialog

WORKER = 4  # the dialog's "Worker" column


@pytest.mark.parametrize(
    ("lang", "shown"), [("en", "Aigul Nurlanova"), ("kk", "Нұрланова Айгүл Серікқызы")]
)
def test_the_dialog_names_the_worker_in_the_interfaces_language(
    qtbot: QtBot, ws: Workspace, bridge: LanguageBridge, tmp_path: Path, lang: str, shown: str
) -> None:
    """The fault: in English the dialog's "Worker" column read «Нұрланова Айгүл», Cyrillic,
    while the English list it exports names her Aigul Nurlanova."""
    CaseService(ws).create_case(new_case(AIGUL))
    bridge.set_language(lang)
    drill = Drilldown(StatsFilter(), "opened")
    dialog = CaseListDialog(StatsService(ws), drill, "cases", hide_names=False, parent=None)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
    assert dialog.text(0, WORKER) == shown
    dialog.grab().save(str(tmp_path / f"case-list-{lang}.png"))
