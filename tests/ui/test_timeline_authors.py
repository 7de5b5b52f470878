"""A case's timeline names its authors as the case list names officers: by full name."""

from __future__ import annotations

from datetime import date, timedelta

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.cli.cases import _timeline_line, detail_json
from app.db.models import CaseEvent, User
from app.i18n import format_datetime
from app.services.cases import CaseService
from app.services.partners import PartnerInput, PartnerService
from app.services.workspace import Workspace
from tests.builders import ASSEL, wage_case
from tests.conftest import OpenWs
from ui.cases.area import CasesArea

AIGUL_NAME = "Айгүл Сәрсенбаева"


def test_the_timeline_names_the_officer_not_their_login(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace, open_ws: OpenWs
) -> None:
    """The fault: entries read «· aigul» (the login) where the case list reads her name; an
    author with no account here (a case from another mission) keeps the login."""
    with ws.write() as session:
        user = session.execute(select(User).where(User.username == "aigul")).scalar_one()
        user.full_name = AIGUL_NAME
    partner = PartnerService(ws).create(
        PartnerInput(name="Ansan Migrant Shelter", kind="shelter", country="KR")
    )
    case = wage_case(ws, ASSEL, date.today() - timedelta(days=2))
    PartnerService(open_ws("aigul")).refer(case.id, partner.id, "She has nowhere to sleep.")
    with ws.write() as session:  # as an entry written at another mission arrives
        event = session.execute(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.author == "admin")
        ).scalar_one()
        event.author = "daulet"

    cases_area.open_case(case.id)
    shown = cases_area.editor.timeline.events.toPlainText()
    assert f"· {AIGUL_NAME}\nReferral" in shown
    assert "· aigul" not in shown
    assert "· daulet\nCase registered" in shown

    events = CaseService(ws).get_case(case.id).events
    # Its time as the window writes it (not ISO): «7 Dec 2026, 09:05», «07.12.2026, 09:05».
    assert _timeline_line(events[0]).startswith(
        format_datetime(events[0].occurred_at.astimezone()) + "  "
    )
    lines = [_timeline_line(e).split("  ", 1)[1] for e in events]
    assert lines[0].startswith("daulet  Case registered")
    assert lines[1].startswith(f"{AIGUL_NAME}  Referral")
    # The JSON keeps the login under "author" (scripts match on it) and adds the name.
    timeline = detail_json(CaseService(ws).get_case(case.id))["timeline"]
    assert [(e["author"], e["author_name"]) for e in timeline] == [
        ("daulet", None),
        ("aigul", AIGUL_NAME),
    ]


def test_an_entry_from_another_installation_is_not_given_a_namesake_here(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace, open_ws: OpenWs
) -> None:
    """Logins are each installation's own: a case HQ transferred from Seoul to Dubai showed
    Seoul's "admin" under the name of Dubai's "admin", who never touched it. An entry written
    elsewhere (here: a case from Istanbul at Seoul) keeps its author's login, with the mission
    it was written at."""
    with ws.write() as session:
        user = session.execute(select(User).where(User.username == "aigul")).scalar_one()
        user.full_name = AIGUL_NAME
    case = wage_case(ws, ASSEL, date.today() - timedelta(days=2))
    CaseService(open_ws("aigul")).set_status(case.id, "in_progress", "Called the employer.")
    with ws.write() as session:  # the registration arrived from Istanbul, by its "aigul"
        event = session.execute(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.author == "admin")
        ).scalar_one()
        event.author, event.origin_mission = "aigul", "IST"

    events = CaseService(ws).get_case(case.id).events
    assert [(e.by, e.author_name) for e in events] == [
        ("aigul (IST)", ""),
        (AIGUL_NAME, AIGUL_NAME),  # written here, by this installation's Aigul
    ]
    cases_area.open_case(case.id)
    shown = cases_area.editor.timeline.events.toPlainText()
    assert "· aigul (IST)\nCase registered" in shown
    assert f"· {AIGUL_NAME}\nStatus changed" in shown
    assert shown.count(AIGUL_NAME) == 1
