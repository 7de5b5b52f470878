"""The Exchange page with real services on temporary installations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtWidgets import QProgressDialog
from pytestqt.qtbot import QtBot

from app.services.demo import fill_demo
from app.services.exchange import ExchangeService
from app.services.records import CaseChanges
from tests.integration.test_exchange import Site, first_case_id, link, make_site
from ui.exchange.page import ExchangePage


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Site, Site]]:
    hq = make_site(tmp_path, "AST", "KZ", "Astana", True)
    sel = make_site(tmp_path, "SEL", "KR", "Seoul")
    link(hq, sel)
    fill_demo(sel.ws, 3, seed=4)
    yield hq, sel
    hq.ws.close()
    sel.ws.close()


def page_for(qtbot: QtBot, site: Site) -> ExchangePage:
    page = ExchangePage(SimpleNamespace(workspace=site.ws))  # type: ignore[arg-type]
    qtbot.addWidget(page)
    return page


def wait(qtbot: QtBot, page: ExchangePage) -> None:
    assert page.task is not None
    qtbot.waitUntil(lambda: not page.task.running, timeout=10_000)


def cell(table, row: int, column: int) -> str:  # type: ignore[no-untyped-def]
    return table.item(row, column).text()


def test_export_then_import_shows_summary_report_and_log(qtbot: QtBot, pair, tmp_path):
    hq, sel = pair
    sender = page_for(qtbot, sel)
    sender.recipient.setText(hq.recipient)
    out = tmp_path / "sel.qbundle"

    sender.export_to(out)
    assert sender.findChild(QProgressDialog) is not None
    wait(qtbot, sender)

    assert out.exists()
    assert sender.export_summary.text().startswith(f"Bundle written to {out}: ")
    assert cell(sender.log, 0, 1) == "sent"
    receiver = page_for(qtbot, hq)
    receiver.import_from(out)
    wait(qtbot, receiver)
    assert receiver.import_report.text().startswith("From SEL: ")
    assert "0 conflicts" in receiver.import_report.text()
    assert (cell(receiver.log, 0, 1), cell(receiver.log, 0, 3)) == ("received", "SEL")

    receiver.import_from(out)
    wait(qtbot, receiver)
    assert receiver.import_report.text() == "This bundle was imported before; nothing changed."


def test_a_refused_bundle_shows_why(qtbot: QtBot, pair, tmp_path):
    hq, _sel = pair
    junk = tmp_path / "junk.qbundle"
    junk.write_bytes(b"not a bundle")
    page = page_for(qtbot, hq)

    page.import_from(junk)
    wait(qtbot, page)

    assert page.import_report.text().startswith("Refused: The bundle cannot be decrypted")
    assert page.log.rowCount() == 0


def test_a_bad_recipient_is_reported_on_export(qtbot: QtBot, pair, tmp_path):
    _hq, sel = pair
    page = page_for(qtbot, sel)
    page.recipient.setText("age1wrong")
    page.export_to(tmp_path / "x.qbundle")
    wait(qtbot, page)
    assert page.export_summary.text().startswith("Not exported: An age recipient")


def test_conflicts_show_both_values_and_resolve(qtbot: QtBot, pair, tmp_path):
    hq, sel = pair
    ExchangeService(sel.ws).export_cases(tmp_path / "1.qbundle", [hq.recipient])
    ExchangeService(hq.ws).import_bundle(tmp_path / "1.qbundle")
    case_id = first_case_id(sel)
    sel.cases.update_case(case_id, CaseChanges(description="Seoul"))
    hq.cases.update_case(case_id, CaseChanges(description="Astana"))
    ExchangeService(sel.ws).export_cases(tmp_path / "2.qbundle", [hq.recipient])
    ExchangeService(hq.ws).import_bundle(tmp_path / "2.qbundle")
    page = page_for(qtbot, hq)
    assert page.conflict_list.rowCount() == 1
    assert not page.take_remote.isEnabled()

    page.conflict_list.selectRow(0)

    rows = {
        cell(page.conflict_fields, r, 0): (
            cell(page.conflict_fields, r, 1),
            cell(page.conflict_fields, r, 2),
        )
        for r in range(page.conflict_fields.rowCount())
    }
    assert rows["description"] == ("Astana", "Seoul")
    assert page.take_remote.isEnabled()
    page.take_remote.click()
    assert page.conflict_list.rowCount() == 0
    assert hq.cases.get_case(case_id).description == "Seoul"
