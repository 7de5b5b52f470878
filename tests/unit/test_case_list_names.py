"""The statistics report's case list names people as letters and other reports do
(``app.domain.names``): the worker by the passport's Latin spelling in English, in Cyrillic
with the patronymic otherwise; the officer by the account's name, not the login."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.models import User
from app.reports.export import write_csv
from app.reports.tables import case_list_table, selection_lines
from app.services.cases import CaseService
from app.services.records import OfficerName
from app.services.stats import Drilldown, StatsFilter, StatsService
from app.services.workspace import Workspace
from tests.builders import AIGUL, new_case

WORKER = {"en": "Aigul Nurlanova", "kk": "Нұрланова Айгүл Серікқызы"}
OFFICER = {"en": "Aigerim Toktarova", "kk": "Әйгерім Тоқтарова"}


@pytest.fixture
def service(ws: Workspace) -> StatsService:
    """One case of Aigul Nurlanova's, assigned to the attaché «aigul», whose account records
    her name as Әйгерім Тоқтарова (Aigerim Toktarova)."""
    with ws.write() as session:
        officer = session.execute(select(User).where(User.username == "aigul")).scalar_one()
        officer.full_name, officer.full_name_latin = OFFICER["kk"], OFFICER["en"]
    cases = CaseService(ws)
    cases.assign(cases.create_case(new_case(AIGUL)).id, "aigul")
    return StatsService(ws)


@pytest.mark.parametrize("lang", ["en", "kk"])
def test_the_case_list_names_the_worker_and_officer_in_its_language(
    service: StatsService, tmp_path: Path, lang: str
) -> None:
    """The fault: the list's "Worker" column read «Нұрланова Айгүл» (Cyrillic, no patronymic)
    in every language, English included, and its "Officer" column the login «aigul»; the
    CSV written from it (as ``stats --cases … --csv`` and the dialog's export write it) too."""
    scope = StatsFilter(officer="aigul")
    rows = service.rows_of(service.ids_behind(Drilldown(scope, "opened")))
    table = case_list_table(rows, lang, hide_names=False)
    (written,) = write_csv([table], tmp_path / "cases.csv")
    with written.open(encoding="utf-8-sig", newline="") as file:
        header, line = list(csv.reader(file, delimiter=";"))
    worker, officer = header.index(table.headers[4]), header.index(table.headers[7])
    assert (line[worker], line[officer]) == (WORKER[lang], OFFICER[lang])
    figures = service.indicators(scope)
    assert selection_lines(figures, lang, hide_names=False)[1].endswith(f": {OFFICER[lang]}.")
    assert "aigul" not in " ".join(selection_lines(figures, lang, hide_names=True))


def test_an_officer_with_no_account_here_is_named_by_the_login(
    ws: Workspace, service: StatsService
) -> None:
    """At HQ a mission's officer has no account: the login is all there is to print, and an
    officer with only a Cyrillic name is transliterated in English, as letters do."""
    with ws.write() as session:
        officer = session.execute(select(User).where(User.username == "aigul")).scalar_one()
        officer.full_name_latin = ""
    scope = StatsFilter(officer="aigul")
    (row,) = service.rows_of(service.ids_behind(Drilldown(scope, "opened")))
    assert case_list_table([row], "en", hide_names=False).rows[0][7] == "Aigerim Toktarova"
    stranger = replace(row, assigned_to="erlan", officer=OfficerName("erlan", "", ""))
    assert case_list_table([stranger], "en", hide_names=False).rows[0][7] == "erlan"
    assert case_list_table([replace(row, officer=None)], "kk", hide_names=True).rows[0][7] == ""
