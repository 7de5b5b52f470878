"""Issue 18 item 11: the employer's address and contacts, used by letters; the reason a scan of
an identity document is kept, asked for in a field, stored and audited.

The faults: the employer form had only name, country and city, so letters to employers had no
postal address; the identity-document warning said "say why" and gave nowhere to say it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.db.models import Attachment, AuditEntry
from app.errors import ValidationError
from app.services.cases import CaseService
from app.services.letters import LetterService
from app.services.organisations import OrganisationService
from app.services.records import CaseChanges, OrganisationInput, PersonInput
from app.services.workspace import Workspace
from tests.builders import wage_case
from tests.conftest import OpenWs
from tests.ui.press import WAIT_MS, click, modal_dialog, on_screen, wait_written
from ui.cases import attachments as attachments_module
from ui.cases.attachments import AttachmentsPanel
from ui.cases.org_picker import OrganisationDialog, OrganisationPicker
from ui.i18n_bridge import LanguageBridge
from ui.widgets.dialogs import ReasonDialog


def a_case(ws: Workspace) -> str:
    worker = PersonInput(surname="Abenov", given_names="Nurlan")
    return wage_case(ws, worker, date(2026, 11, 2), description="").id


def new_employer_form(
    qtbot: QtBot, service: OrganisationService
) -> tuple[OrganisationPicker, OrganisationDialog]:
    """The employer picker of a case in Korea, its New… form open."""
    picker = OrganisationPicker(service, "Employer")
    qtbot.addWidget(picker)
    picker.load("KR")
    picker.show()
    click(qtbot, picker.add_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, OrganisationDialog) and dialog is picker.dialog
    return picker, dialog


def test_the_employer_form_keeps_address_and_contacts_and_letters_use_them(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    ws = open_ws("aigul")
    service = OrganisationService(ws, "employer")
    picker, dialog = new_employer_form(qtbot, service)
    for edit, text in (
        (dialog.name, "Hanil Steel Co., Ltd"),
        (dialog.city, "Incheon"),
        (dialog.address, "45 Gajwa-ro, Seo-gu"),
        (dialog.postcode, "22689"),
        (dialog.contact_person, "Kim Min-jun, HR manager"),
        (dialog.phone, "+82 32 000 0000"),
        (dialog.email, "hr@hanil.example"),
    ):
        edit.setFocus()
        QTest.keyClicks(edit, text)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        click(qtbot, dialog.ok_button())  # written on a pool thread, then the dialog closes
    org = picker.selected()
    assert org is not None and org.name == "Hanil Steel Co., Ltd"
    assert (org.address, org.postcode, org.contact_person, org.phone, org.email) == (
        "45 Gajwa-ro, Seo-gu",
        "22689",
        "Kim Min-jun, HR manager",
        "+82 32 000 0000",
        "hr@hanil.example",
    )

    # Details… corrects the record on file.
    click(qtbot, picker.edit_button)
    edit = modal_dialog(qtbot)
    assert isinstance(edit, OrganisationDialog) and edit.postcode.text() == "22689"
    edit.postcode.selectAll()
    QTest.keyClicks(edit.postcode, "22690")
    with qtbot.waitSignal(edit.accepted, timeout=WAIT_MS):
        click(qtbot, edit.ok_button())
    assert service.get(org.id).postcode == "22690"
    assert picker.selected_id() == org.id

    # A letter to the employer is addressed to the contact at the full postal address.
    case_id = a_case(ws)
    CaseService(ws).update_case(case_id, CaseChanges(employer_id=org.id))
    addressee = LetterService(ws).defaults(case_id, "employer_letter", "en").addressee
    assert addressee is not None
    assert addressee.name == "Kim Min-jun, HR manager"
    assert addressee.organisation == "Hanil Steel Co., Ltd"
    assert addressee.address.startswith("45 Gajwa-ro, Seo-gu, 22690 Incheon, ")


def test_a_too_long_postcode_is_refused_and_nothing_changes(open_ws: OpenWs) -> None:
    service = OrganisationService(open_ws("aigul"), "employer")
    before = len(service.list())
    try:
        service.create(OrganisationInput("X Ltd", "KR", postcode="1" * 21))
    except ValidationError as exc:
        assert "Postcode is too long" in str(exc)
    else:
        raise AssertionError("a 21-character postcode was accepted")
    assert len(service.list()) == before


def test_an_identity_document_needs_its_reason_which_is_kept_and_audited(
    qtbot: QtBot, open_ws: OpenWs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = open_ws("aigul")
    service = CaseService(ws)
    case = service.get_case(a_case(ws))
    panel = AttachmentsPanel(service)
    qtbot.addWidget(panel)
    panel.set_case(case)
    panel.show()
    passport = tmp_path / "passport scan.jpg"
    passport.write_bytes(b"\xff\xd8 fake jpeg")
    monkeypatch.setattr(
        attachments_module.QFileDialog,
        "getOpenFileNames",
        lambda *_args: ([str(passport)], ""),
    )
    click(qtbot, panel.add_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, ReasonDialog)
    assert "say why" in dialog.intro.text()
    # The cursor starts in the field for the reason.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.reason, timeout=2000)
    assert not dialog.ok_button().isEnabled()  # no reason, no storing
    QTest.keyClicks(dialog.reason, "The employer disputes the worker's identity.")
    assert dialog.ok_button().isEnabled()
    qtbot.mouseClick(dialog.ok_button(), Qt.MouseButton.LeftButton)
    wait_written(qtbot, panel)
    assert panel.tree.topLevelItemCount() == 1
    info = service.get_case(case.id).attachments[0]
    assert info.is_identity_document
    assert info.identity_reason == "The employer disputes the worker's identity."
    assert "disputes" in panel.tree.topLevelItem(0).toolTip(0)
    with ws.read() as session:
        details = session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "attachment.add")
        ).scalar_one()
    assert details["identity_reason"] == "The employer disputes the worker's identity."


def test_the_service_refuses_an_identity_document_without_a_reason(open_ws: OpenWs) -> None:
    ws = open_ws("aigul")
    case_id = a_case(ws)
    try:
        CaseService(ws).add_attachment(
            case_id,
            "passport.jpg",
            b"jpeg",
            is_identity_document=True,
            identity_document_acknowledged=True,
            identity_reason="   ",
        )
    except ValidationError as exc:
        assert exc.field == "identity_reason"
    else:
        raise AssertionError("stored without a reason")
    with ws.read() as session:
        assert session.execute(select(Attachment)).first() is None


def test_an_employer_added_again_under_another_writing_is_refused_in_the_form(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    """ "HANIL CO LTD" added beside "Hanil Co., Ltd." became the one on file, silently: the
    address typed for it was dropped. The form says it is on file and stays open."""
    ws = open_ws("aigul")
    service = OrganisationService(ws, "employer")
    held = service.create(OrganisationInput("Hanil Co., Ltd.", "KR", "Seoul"))
    picker, dialog = new_employer_form(qtbot, service)
    QTest.keyClicks(dialog.name, "HANIL CO LTD")
    QTest.keyClicks(dialog.address, "45 Gajwa-ro")
    click(qtbot, dialog.ok_button())
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT_MS)
    assert "Hanil Co., Ltd. (Seoul) is already on file" in dialog.error.text()
    assert dialog.isVisible() and dialog.address.text() == "45 Gajwa-ro"  # nothing lost
    assert [o.id for o in service.list()] == [held.id] and service.get(held.id).address == ""
    dialog.reject()


def test_a_new_employers_examples_read_whole_in_kazakh(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    """The fault: in the dialog's 420 pixels the Kazakh examples read «Хат кімге
    жолданады, мысалы, …» and «Көше мен үй, хатта жазылатын…»."""
    bridge.set_language("kk")
    parent = on_screen(qtbot, QDialog())
    dialog = OrganisationDialog(parent, OrganisationService(open_ws("serik"), "employer"), "KR")
    dialog.show()
    qtbot.waitExposed(dialog)
    for edit in (dialog.contact_person, dialog.address):
        shown = edit.fontMetrics().horizontalAdvance(edit.placeholderText())
        assert shown < edit.width() - 2 * edit.fontMetrics().averageCharWidth()
    dialog.reject()
