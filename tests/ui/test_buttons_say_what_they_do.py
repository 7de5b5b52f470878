"""The dialogs of an officer's day confirm with a button that names what it does.

The fault: changing a case's status, referring the worker, recording a referral's outcome,
adding or correcting an employer or a partner and removing an attachment were all confirmed
with a bare «OK», which says nothing of the write that follows.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from app.i18n import _
from app.services.cases import CaseService
from app.services.organisations import OrganisationService
from app.services.partners import PartnerInput, PartnerService
from app.services.records import OrganisationInput
from tests.builders import ASSEL, wage_case
from tests.conftest import OpenWs
from tests.ui.press import choose, click, click_item, modal_dialog, on_screen, show_tab
from ui.cases.editor import CaseEditor
from ui.cases.org_picker import OrganisationDialog
from ui.i18n_bridge import LanguageBridge
from ui.partners.dialogs import OutcomeDialog, PartnerDialog
from ui.widgets.dialogs import ValidatingDialog

SHELTER = PartnerInput(name="Ansan Migrant Shelter", kind="shelter", country="KR", city="Ansan")


def confirms_with(dialog: QDialog) -> str:
    assert isinstance(dialog, ValidatingDialog)
    text = dialog.ok_button().text()
    dialog.reject()
    return text


def test_the_case_dialogs_name_their_act(qtbot: QtBot, open_ws: OpenWs) -> None:
    PartnerService(open_ws("serik")).create(SHELTER)
    ws = open_ws("aigul")
    case = wage_case(ws, ASSEL)
    CaseService(ws).add_attachment(case.id, "contract.pdf", b"%PDF-1.4 contract")
    editor = on_screen(qtbot, CaseEditor(ws, [("aigul", "Aigul")]))
    editor.open_case(case.id)

    timeline = editor.timeline
    choose(qtbot, timeline.target, timeline.target.itemData(0))
    click(qtbot, timeline.status_button)
    assert confirms_with(modal_dialog(qtbot)) == "Change the status"

    click(qtbot, editor.refer_button)
    assert confirms_with(modal_dialog(qtbot)) == "Refer"

    editor.form_scroll.ensureWidgetVisible(editor.employer)
    click(qtbot, editor.employer.add_button)
    assert confirms_with(modal_dialog(qtbot)) == "Add"

    attachments = editor.attachments
    show_tab(qtbot, editor.tabs, attachments)
    click_item(qtbot, attachments.tree, attachments.tree.topLevelItem(0))
    click(qtbot, attachments.remove_button)
    assert confirms_with(modal_dialog(qtbot)) == "Remove"


def test_records_on_file_are_saved_and_new_ones_added(qtbot: QtBot, open_ws: OpenWs) -> None:
    ws = open_ws("serik")
    partners = PartnerService(ws)
    shelter = partners.create(SHELTER)
    employers = OrganisationService(ws, "employer")
    hanil = employers.create(OrganisationInput(name="Hanil Steel", country="KR"))
    case = wage_case(ws, ASSEL)
    partners.refer(case.id, shelter.id, "Nowhere to sleep")
    [referral] = partners.referrals(case.id)
    parent = on_screen(qtbot, QDialog())
    assert confirms_with(PartnerDialog(parent, ws)) == "Add"
    assert confirms_with(PartnerDialog(parent, ws, shelter)) == "Save changes"
    assert (
        confirms_with(OrganisationDialog(parent, employers, "KR", existing=hanil)) == "Save changes"
    )
    assert confirms_with(OutcomeDialog(parent, ws, referral)) == "Record the outcome"


def test_the_named_button_keeps_its_name_when_the_language_changes(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    """The button box gives its standard buttons Qt's own words on a language change: a
    dialog opened as the language changed (or open while it did) read «OK» again."""
    ws = open_ws("serik")
    parent = on_screen(qtbot, QDialog())
    dialog = OrganisationDialog(parent, OrganisationService(ws, "employer"), "KR")
    dialog.show()
    bridge.set_language("ru")
    for _round in range(3):
        QApplication.processEvents()
    assert dialog.ok_button().text() == _("Add") != "OK"
    dialog.reject()
