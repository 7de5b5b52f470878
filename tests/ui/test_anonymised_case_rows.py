"""A case retention anonymised while its worker is still on file for a live case: the lists a
user reads show it as anonymised, never with that worker's name beside it."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.services.cases import CaseService
from app.services.records import CaseInput, PersonInput
from app.services.retention import run_manually
from app.services.stats import Drilldown, StatsFilter, StatsService
from app.services.workspace import Workspace
from tests.unit.test_retention import LATER, SECRETS, TODAY, close, make_case
from ui.i18n_bridge import LanguageBridge
from ui.models.case_table_model import display_texts
from ui.reports.case_list import CaseListDialog

PERSON = 1  # the case list's column
WORKER = 4  # the drill-down dialog's column


def test_the_lists_say_anonymised_and_name_the_live_case_only(
    qtbot: QtBot, ws: Workspace, bridge: LanguageBridge, tmp_path: Path
) -> None:
    service = CaseService(ws)
    gone = make_case(ws, PersonInput(**SECRETS))
    close(ws, gone.id)
    live = service.create_case(
        CaseInput(
            host_country="KR", categories=("violence",), received_at=TODAY, person_id=gone.person.id
        )
    )
    run_manually(ws, today=LATER, date_is_right=True)
    shown = {r.number: display_texts(r, {}, "en")[PERSON] for r in service.list_cases()}
    assert shown == {gone.number: "(anonymised)", live.number: shown[live.number]}
    assert shown[live.number].startswith(SECRETS["surname"])

    dialog = CaseListDialog(
        StatsService(ws), Drilldown(StatsFilter(), "opened"), "cases", hide_names=False, parent=None
    )
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
    texts = {dialog.text(row, 0): dialog.text(row, WORKER) for row in range(2)}
    assert texts[gone.number] == "(anonymised)"
    assert texts[live.number] == "Asselkhan Kurmangalikyzy"  # English: in Latin letters
    dialog.grab().save(str(tmp_path / "anonymised-drilldown.png"))
