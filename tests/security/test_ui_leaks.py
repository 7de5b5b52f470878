"""Small leaks in the desktop app (issue 14, items 4, 11 and 13), replayed on real widgets.

- The case list's search text (names, IINs) never reaches the QSettings file.
- A person named ``<b>x</b><img src=…>`` is shown literally wherever the name appears: the
  case editor heading, its tooltip, every label and tooltip of the window.
- An attachment whose stored name is a path is opened from inside the app's private temp
  folder; nothing is written anywhere else, a ``../`` name does not crash the editor, and the
  folder is gone once the window closes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import Qt as QtGui
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from app.db.models import Attachment, AuditEntry
from app.services.cases import CaseService
from app.services.organisations import OrganisationService
from app.services.records import OrganisationInput
from app.services.workspace import Workspace
from tests.builders import ASSEL_IDENTIFIED, new_case
from tests.integration.test_exchange import first_case_id, hq_and_sel
from tests.ui import conftest as ui_fixtures
from tests.ui.press import WAIT_MS
from ui.cases import attachments as attachments_module
from ui.cases.area import CasesArea
from ui.cases.attachments import AttachmentsPanel
from ui.cases.list_view import FILTER_KEY, CaseListView
from ui.cases.org_picker import OrganisationDialog
from ui.main_window import MainWindow
from ui.widgets.plain import plain_tooltip

MakeWindow = Callable[..., MainWindow]
# The widget fixtures of tests/ui (isolated QSettings among them, autouse) serve here too.
isolated_qsettings = ui_fixtures.isolated_qsettings
discard_unsaved_on_teardown = ui_fixtures.discard_unsaved_on_teardown
bridge = ui_fixtures.bridge
make_window = ui_fixtures.make_window
HOSTILE_NAME = '<b>x</b><img src="file:///etc/passwd">'


def shown(text: str, text_format: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What a label or tooltip displays for ``text``: Qt's own markup guess applied."""
    if text_format == Qt.TextFormat.PlainText:
        return text
    if text_format == Qt.TextFormat.RichText or QtGui.mightBeRichText(text):
        document = QTextDocument()
        document.setHtml(text)
        return document.toPlainText()
    return text


def settings_bytes(folder: Path) -> bytes:
    QSettings().sync()
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


# -- item 11: the search text ------------------------------------------------------------------


def test_search_text_is_never_written_to_qsettings(
    qtbot: QtBot, ws: Workspace, isolated_qsettings: Path
) -> None:
    view = CaseListView(ws)
    qtbot.addWidget(view)
    view.filters.overdue.setChecked(True)
    view.filters.search.setText("Құрманғалиқызы 940315400123")
    view.filters._emit_now()
    view.save_state()
    view.hide()

    stored = settings_bytes(isolated_qsettings)
    assert b"940315400123" not in stored
    assert "Құрманғалиқызы".encode() not in stored
    assert b"overdue" in stored  # the filters themselves are remembered
    again = CaseListView(ws)
    qtbot.addWidget(again)
    assert again.filters.search.text() == ""
    assert again.filters.overdue.isChecked()


def test_search_text_left_by_an_older_version_is_erased(
    qtbot: QtBot, ws: Workspace, isolated_qsettings: Path
) -> None:
    QSettings().setValue(f"values/{FILTER_KEY}", '{"text": "940315400123", "overdue": true}')
    QSettings().sync()
    assert b"940315400123" in settings_bytes(isolated_qsettings)
    view = CaseListView(ws)
    qtbot.addWidget(view)
    assert view.filters.search.text() == ""
    assert view.filters.overdue.isChecked()
    assert b"940315400123" not in settings_bytes(isolated_qsettings)


# -- item 13: markup in a person's name --------------------------------------------------------


def _open_case(make_window: MakeWindow, ws: Workspace, case_id: str) -> CasesArea:
    window = make_window(ws)
    area = window.show_area("cases")
    assert isinstance(area, CasesArea)
    area.open_case(case_id)
    return area


def test_a_name_with_markup_is_shown_literally_everywhere(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    person = replace(ASSEL_IDENTIFIED, surname=HOSTILE_NAME, given_names="<i>y</i>")
    case = CaseService(ws).create_case(new_case(person))
    area = _open_case(make_window, ws, case.id)
    heading = area.editor.heading
    assert HOSTILE_NAME in shown(heading.text(), heading.textFormat())
    assert HOSTILE_NAME in shown(heading.toolTip())

    window = area.window()
    assert isinstance(window, QWidget)
    checked = 0
    for label in window.findChildren(QLabel):
        if "<img" in label.text() or "<i>" in label.text():
            checked += 1
            assert "<img" in shown(label.text(), label.textFormat()) or "<i>" in shown(
                label.text(), label.textFormat()
            ), label.objectName() or label.text()
    for widget in window.findChildren(QWidget):
        tip = widget.toolTip()
        if "img" in tip:
            assert HOSTILE_NAME in shown(tip), tip
    assert checked >= 1

    area.show_list()
    model = area.list_view.model
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            tip = model.index(row, column).data(Qt.ItemDataRole.ToolTipRole)
            if tip and "img" in tip:
                assert HOSTILE_NAME in shown(tip)


def test_a_refusal_quoting_a_name_with_markup_shows_it_literally(
    qtbot: QtBot, ws: Workspace
) -> None:
    """A form's error line guessed markup: refusing an employer named like one on file
    printed the held name's ``<b>`` as bold and tried its ``<img>``."""
    service = OrganisationService(ws, "employer")
    service.create(OrganisationInput(HOSTILE_NAME, "KR", "Seoul"))
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = OrganisationDialog(parent, service, "KR")
    dialog.name.setText(HOSTILE_NAME.upper())
    dialog.open()
    dialog.accept()
    qtbot.waitUntil(dialog.error.isVisible, timeout=WAIT_MS)
    assert HOSTILE_NAME in shown(dialog.error.text(), dialog.error.textFormat())
    dialog.reject()


def test_plain_tooltip_leaves_plain_text_alone_and_escapes_markup() -> None:
    assert plain_tooltip("Overdue") == "Overdue"
    assert plain_tooltip("") == ""
    assert shown(plain_tooltip(HOSTILE_NAME)) == HOSTILE_NAME


# -- item 4: opening an attachment whose stored name is a path --------------------------------


def files_under(folder: Path, *skip: Path) -> set[Path]:
    return {
        p for p in folder.rglob("*") if p.is_file() and not any(p.is_relative_to(s) for s in skip)
    }


@pytest.mark.parametrize(
    "stored_name",
    ["../../../../outside.txt", "/tmp/qorgau-ui-evil/evil.pdf", "CON.pdf", "a\\..\\..\\b.txt"],
)
def test_a_hostile_attachment_name_opens_inside_the_temp_folder_only(
    qtbot: QtBot,
    make_window: MakeWindow,
    ws: Workspace,
    tmp_path: Path,
    private_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    stored_name: str,
) -> None:
    service = CaseService(ws)
    case = service.create_case(new_case())
    info = service.add_attachment(case.id, "scan.pdf", b"%PDF-1.4 the sender's content")
    # As if an older version had imported the name unchecked: the UI must still hold.
    with ws.write() as session:
        session.execute(
            update(Attachment).where(Attachment.id == info.id).values(filename=stored_name)
        )
    opened: list[QUrl] = []
    monkeypatch.setattr(attachments_module, "open_with_system", opened.append)
    area = _open_case(make_window, ws, case.id)
    window = area.window()
    assert isinstance(window, MainWindow)
    data_dir = ws.paths.data_dir
    before = files_under(tmp_path, data_dir, private_tmp)

    panel = area.editor.attachments
    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
    panel.open_selected()  # read and written off the GUI thread

    qtbot.waitUntil(lambda: len(opened) == 1, timeout=5000)
    written = Path(opened[0].toLocalFile())
    root = window.temp_folder.path.resolve()
    assert written.resolve().is_relative_to(root)
    assert root.is_relative_to(private_tmp.resolve())
    assert written.read_bytes() == b"%PDF-1.4 the sender's content"
    assert files_under(tmp_path, data_dir, private_tmp) == before
    assert not Path("/tmp/qorgau-ui-evil").exists()
    assert not (tmp_path.parent / "outside.txt").exists()

    window.close()
    assert not root.exists()
    assert files_under(private_tmp) == set()


# -- an attachment that is a program ----------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["contract.pdf.exe", "payslip.JS", "scan.lnk", "wages.hta", "photos.html", "x.docm"]
)
def test_an_attachment_that_could_run_as_a_program_is_never_opened(
    qtbot: QtBot,
    make_window: MakeWindow,
    tmp_path: Path,
    private_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    """A compromised mission sends a case whose "contract" is a program. At HQ, Open hands
    nothing to the desktop (Windows would run it): the analyst is warned, and may only save a
    copy, which is audited as one."""
    program = b"MZ\x90\x00 the sender's program"
    with hq_and_sel(tmp_path / "sites", 1, seed=4) as (hq, sel):
        case_id = first_case_id(sel)
        sel.cases.add_attachment(case_id, name, program)
        bundle = sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient]).path
        hq.exchange.import_bundle(bundle)
        opened: list[QUrl] = []
        monkeypatch.setattr(attachments_module, "open_with_system", opened.append)
        area = _open_case(make_window, hq.ws, case_id)
        panel = area.editor.attachments
        (info,) = [a for a in panel.case.attachments if a.filename == name]  # type: ignore[union-attr]
        row = [a.id for a in panel.case.attachments].index(info.id)  # type: ignore[union-attr]
        panel.tree.setCurrentItem(panel.tree.topLevelItem(row))

        assert panel.open_selected() is None
        box = panel.dialog
        assert isinstance(box, QMessageBox) and box.isVisible()
        assert f"“{name}” is not opened from Qorgau" in box.text()
        assert files_under(private_tmp) == set()  # not even written for a viewer

        copy = tmp_path / "kept" / "copy.bin"
        copy.parent.mkdir()
        monkeypatch.setattr(attachments_module, "save_path", lambda *_args: copy)
        (save,) = [b for b in box.buttons() if b.text() == "Save a copy…"]
        save.click()
        qtbot.waitUntil(copy.exists, timeout=5000)
        qtbot.waitUntil(lambda: copy.read_bytes() == program, timeout=5000)
        assert opened == []
        with hq.ws.read() as session:
            actions = session.execute(
                select(AuditEntry.action).where(AuditEntry.entity_id == info.id)
            ).scalars()
            assert list(actions) == ["attachment.copy"]


def _chosen_attachment(
    make_window: MakeWindow, ws: Workspace, name: str, content: bytes
) -> AttachmentsPanel:
    """A new case's attachments tab, its one file ``name`` chosen."""
    service = CaseService(ws)
    case = service.create_case(new_case())
    service.add_attachment(case.id, name, content)
    panel = _open_case(make_window, ws, case.id).editor.attachments
    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
    return panel


def test_a_document_still_opens_with_one_click(
    qtbot: QtBot,
    make_window: MakeWindow,
    ws: Workspace,
    private_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(attachments_module, "open_with_system", opened.append)
    panel = _chosen_attachment(make_window, ws, "Payslip March.JPG", b"\xff\xd8\xff a photo")
    assert panel.open_selected() is not None
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=5000)
    assert Path(opened[0].toLocalFile()).name == "Payslip March.JPG"


def test_a_full_disk_when_opening_an_attachment_says_it_cannot_be_opened(
    qtbot: QtBot,
    make_window: MakeWindow,
    ws: Workspace,
    private_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It said "The file cannot be read", about a file the database had just given."""
    import errno

    from ui import tasks
    from ui.private_temp import PrivateTempFolder

    def disk_full(*_args: object, **_kwargs: object) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    said: list[str] = []
    monkeypatch.setattr(PrivateTempFolder, "write", disk_full)
    monkeypatch.setattr(
        tasks, "plain_message", lambda _parent, _title, text, *_a: said.append(text)
    )
    monkeypatch.setattr(attachments_module, "open_with_system", lambda _url: pytest.fail("opened"))
    panel = _chosen_attachment(make_window, ws, "scan.pdf", b"%PDF-1.4 a scan")
    panel.open_selected()
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    assert said == ["The file cannot be opened: no space left on the disk"]
