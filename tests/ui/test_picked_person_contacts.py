"""A person picked from the file for a new case: a new phone abroad is typed before the save,
their names and identifiers stay as stored."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.db.models import AuditEntry
from app.errors import ValidationError
from app.services.cases import CaseService
from app.services.people import PersonService
from app.services.workspace import Workspace
from tests.builders import new_case
from tests.ui.press import press_save, type_into
from ui.cases.area import CasesArea

NEW_PHONE = "+90 532 000 11 22"


def person_edits(ws: Workspace) -> list[tuple[str, dict[str, object]]]:
    with ws.read() as session:
        rows = session.execute(
            select(AuditEntry.entity_id, AuditEntry.details).where(
                AuditEntry.action == "person.update"
            )
        ).all()
    return [(r.entity_id, r.details) for r in rows]


def test_a_new_phone_is_typed_for_a_person_picked_for_a_new_case(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace, tmp_path: Path
) -> None:
    """The fault: every field of a picked person was disabled, so the worker's new SIM
    abroad could be recorded only after the case was saved."""
    first = CaseService(ws).create_case(new_case())
    cases_area.new_case()
    editor = cases_area.editor
    form = editor.person
    form.use_existing(first.person.id)
    assert form.locked
    for field in ("surname", "given_names", "surname_latin", "iin", "birth_date", "passport_no"):
        assert not form.boxes[field].widget.isEnabled(), field
    assert not form.boxes["sex"].widget.isEnabled()
    for field in ("phone_abroad", "messenger", "address_abroad", "consent_date", "consent_scope"):
        assert form.boxes[field].widget.isEnabled(), field

    type_into(qtbot, form.phone, NEW_PHONE)
    form.show_details(True)
    type_into(qtbot, form.details["messenger"], "WhatsApp " + NEW_PHONE)
    editor.categories.set_checked(("unpaid_wages",))
    editor.window().resize(1366, 768)
    editor.grab().save(str(tmp_path / "picked-person.png"))
    assert press_save(qtbot, editor)

    second = editor.case
    assert second is not None and second.person.id == first.person.id
    person = PersonService(ws).get(first.person.id)
    assert person.phone_abroad == NEW_PHONE
    assert person.messenger == "WhatsApp " + NEW_PHONE
    assert (person.surname, person.iin) == (first.person.surname, first.person.iin)
    assert person_edits(ws) == [(first.person.id, {"fields": ["phone_abroad", "messenger"]})]


def test_only_contacts_and_consent_of_a_picked_person_are_saved(ws: Workspace) -> None:
    """The service takes the contact fields and leaves names and identifiers as stored,
    whatever the input says; an unchanged person is not recorded as edited."""
    service = CaseService(ws)
    first = service.create_case(new_case())
    stored = first.person
    typed = replace(new_case().person, surname="Someone Else", iin=None, phone_abroad=NEW_PHONE)
    assert typed is not None
    service.create_case(new_case(person=None, person_id=stored.id, person_update=typed))
    person = PersonService(ws).get(stored.id)
    assert (person.surname, person.iin, person.phone_abroad) == (
        stored.surname,
        stored.iin,
        NEW_PHONE,
    )
    assert person.version == stored.version + 1
    unchanged = replace(typed, phone_abroad=NEW_PHONE)
    service.create_case(new_case(person=None, person_id=stored.id, person_update=unchanged))
    assert len(person_edits(ws)) == 1
    assert PersonService(ws).get(stored.id).version == person.version

    with pytest.raises(ValidationError, match="either a new person or an existing one"):
        service.create_case(new_case(person_update=typed))
