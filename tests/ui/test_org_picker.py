"""The employer picker warns about watchlisted employers; a consul puts them on the list."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot

from app.db.models import Employer
from app.services.cases import CaseService
from app.services.organisations import OrganisationService
from app.services.records import OrganisationInput
from tests.builders import hanil_steel_case
from tests.conftest import OpenWs
from tests.ui.press import click, click_yes, press_save, wait_written
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


def test_the_warning_counts_the_complaints_the_list_does_not_count(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    """The picker lists names only (counting every case per list took 38 ms at 100k cases,
    twice per opened case); a watchlisted choice fetches its own count for the warning."""
    from app.services.cases import CaseService
    from tests.builders import new_case

    consul = open_ws("serik")
    service = OrganisationService(consul, "employer")
    org = service.create(OrganisationInput("Example İnşaat Ltd", "TR", "Istanbul"))
    cases = CaseService(consul)
    for _ in range(2):
        cases.create_case(new_case(employer=None, employer_id=org.id), allow_duplicate_person=True)
    service.set_watchlist(org.id, True, "Keeps passports")
    other = service.create(OrganisationInput("Anadolu Tekstil", "TR"))
    assert {o.complaint_count for o in service.list(country="TR", order="name", counted=False)} == {
        0
    }

    picker = OrganisationPicker(service, "Employer")
    qtbot.addWidget(picker)
    picker.load("TR", other.id)
    assert picker.warning.isHidden()
    picker.combo.setCurrentIndex(picker.combo.findData(org.id))  # chosen from the list
    assert "(2 complaints)" in picker.warning.text()
    assert "Keeps passports" in picker.warning.text()
    picker.load("TR", org.id)  # chosen when the case opens
    assert "(2 complaints)" in picker.warning.text()
    picker.load("KR", org.id)  # a case in another host country: listed first, still counted
    assert picker.combo.currentData() == org.id
    assert "(2 complaints)" in picker.warning.text()
    with pytest.raises(ValueError):
        service.list(order="complaints", counted=False)


def test_every_employer_of_the_country_can_be_chosen(qtbot: QtBot, open_ws: OpenWs) -> None:
    """The list stopped at 500 by name: an employer further on could not be chosen, and an
    officer entered it again as a new one."""
    from app.db.models import Employer

    ws = open_ws("serik")
    with ws.write() as session:
        session.add_all(Employer(name=f"Anseong Parts {i:03}", country="KR") for i in range(600))
    service = OrganisationService(ws, "employer")
    last = service.create(
        OrganisationInput("Zeus Logistics", "KR", "Busan", address="12 Jungang-daero, Busan")
    )
    elsewhere = service.create(OrganisationInput("Yildiz Lojistik", "TR", "Istanbul"))
    picker = OrganisationPicker(service, "Employer")
    qtbot.addWidget(picker)
    picker.load("KR")
    assert picker.combo.count() == 1 + 601  # "— none —" and every Korean employer
    picker.combo.setCurrentIndex(picker.combo.findData(last.id))
    chosen = picker.selected()
    assert chosen is not None and chosen.address == "12 Jungang-daero, Busan"  # read when chosen
    picker.load("KR", elsewhere.id)  # a case's employer from another country stays listed
    assert picker.selected_id() == elsewhere.id and picker.combo.count() == 1 + 602


def test_an_employer_entered_twice_is_said_and_a_consul_combines_it(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    """ "ООО «Ромашка»" entered again at each case (before names were matched so) was listed
    as many times, each with its own cases: the picker says so, and the consul makes one."""
    consul = open_ws("serik")
    with consul.write() as session:
        session.add_all(
            Employer(name=name, country="RU", city="Москва")
            for name in ("ООО «Ромашка»", "ООО РОМАШКА", "Ромашка")
        )
    service = OrganisationService(consul, "employer")
    first = service.choices("RU")[0]

    attache = OrganisationPicker(OrganisationService(open_ws("aigul"), "employer"), "Employer")
    qtbot.addWidget(attache)
    attache.load("RU", first.id)
    assert not attache.twins_row.isHidden() and attache.combine_button.isHidden()
    assert "2 more times" in attache.twins_note.text()
    assert attache.twins_note.text().endswith("A consul can combine them.")

    picker = OrganisationPicker(service, "Employer", can_watchlist=True)
    qtbot.addWidget(picker)
    picker.load("RU", first.id)
    picker.show()
    said: list[str] = []
    picker.combined.connect(said.append)
    click(qtbot, picker.combine_button)
    assert picker.combine_box is not None and first.name in picker.combine_box.text()
    click_yes(qtbot, picker.combine_box)
    wait_written(qtbot, picker)
    assert said == ["2 records combined into ООО «Ромашка»; 0 cases moved to it."]
    assert [c.id for c in service.choices("RU")] == [first.id]
    assert picker.selected_id() == first.id and picker.twins_row.isHidden()


def test_combining_into_an_employer_chosen_but_not_saved_keeps_the_case_savable(
    qtbot: QtBot, open_ws: OpenWs, make_window: Callable[..., object]
) -> None:
    """The open case names "HANIL STEEL" (a twin); the consul chooses "Hanil Steel Co., Ltd."
    in the picker, types a line of description and combines the twins into the one chosen.
    Combining moves this case too (its version goes up): the form must take the new version
    and keep what was typed, so that Save writes it rather than say it changed meanwhile."""
    consul = open_ws("serik")
    case = hanil_steel_case(consul)
    assert case.employer is not None
    with consul.write() as session:
        session.add(Employer(name="Hanil Steel Co., Ltd.", country="KR", city="Incheon"))
    kept = next(c for c in OrganisationService(consul, "employer").choices("KR") if "Co." in c.name)

    window = make_window(consul)
    area = window.show_area("cases")  # type: ignore[attr-defined]
    area.open_case(case.id)
    editor = area.editor
    picker = editor.employer
    picker.load("KR", kept.id)
    editor.description.setPlainText("Wages unpaid for four months.")
    assert editor.dirty
    said: list[str] = []
    picker.combined.connect(said.append)
    click(qtbot, picker.combine_button)
    click_yes(qtbot, picker.combine_box)
    wait_written(qtbot, picker)
    assert said == ["1 record combined into Hanil Steel Co., Ltd.; 1 case moved to it."]
    assert editor.description.toPlainText() == "Wages unpaid for four months."

    assert press_save(qtbot, editor), editor.error.text()
    saved = CaseService(consul).get_case(case.id)
    assert saved.employer is not None and saved.employer.id == kept.id
    assert saved.description == "Wages unpaid for four months."


def test_the_list_is_read_again_only_when_an_organisation_changed(
    qtbot: QtBot, open_ws: OpenWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each case opened loads the employer and agency pickers: a country's 5,000 employers
    were read and listed again each time (opening a case 44 ms instead of 12). The list is
    kept while no organisation changed, here or in another program on the same database."""
    attache = open_ws("aigul")
    service = OrganisationService(attache, "employer")
    hanil = service.create(OrganisationInput("Hanil Steel", "KR", "Incheon"))
    jeil = service.create(OrganisationInput("Jeil Food", "KR", "Hwaseong"))
    abroad = service.create(OrganisationInput("Yildiz Insaat", "TR", "Istanbul"))
    read: list[str | None] = []
    choices = service.choices
    monkeypatch.setattr(
        service, "choices", lambda country=None: read.append(country) or choices(country)
    )
    picker = OrganisationPicker(service, "Employer")
    qtbot.addWidget(picker)

    picker.load("KR", hanil.id)
    picker.load("KR", jeil.id)  # the next case: the same list
    assert read == ["KR"] and picker.selected_id() == jeil.id
    picker.load("KR", abroad.id)  # a case whose employer is of another country
    assert read == ["KR", "KR"] and picker.selected_id() == abroad.id
    picker.load("KR", hanil.id)  # ... which the next case's list does not hold
    assert read == ["KR", "KR", "KR"] and picker.combo.findData(abroad.id) < 0

    # Another program (the command line) adds one and puts one on the watchlist: the next
    # case's list has them, though this app heard of neither.
    other = OrganisationService(open_ws("serik"), "employer")
    added = other.create(OrganisationInput("Daesung Metal", "KR", "Ansan"))
    picker.load("KR", hanil.id)
    assert len(read) == 4 and picker.combo.findData(added.id) > 0
    other.set_watchlist(hanil.id, True, "Passports kept")
    picker.load("KR", hanil.id)
    assert len(read) == 5 and picker.combo.currentText().endswith("⚠")
    assert not picker.warning.isHidden()
    picker.load("KR", hanil.id)
    assert len(read) == 5 and not picker.warning.isHidden()  # the same list, warned again


def test_the_new_button_says_whether_it_makes_an_employer_or_an_agency(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    # A bare "New…" (kk «Жаңа…») beside each of the case's two pickers said neither.
    ws = open_ws("aigul")
    employer = OrganisationPicker(OrganisationService(ws, "employer"), "Employer")
    agency = OrganisationPicker(OrganisationService(ws, "agency"), "Agency")
    qtbot.addWidget(employer)
    qtbot.addWidget(agency)
    assert employer.add_button.text() == "New employer…"
    assert agency.add_button.text() == "New agency…"
