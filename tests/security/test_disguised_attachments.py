"""An attachment whose name lies about its content, or a PDF that carries a script.

Opening an attachment asked only its name: a ``.docx`` that was an old Word file with macros,
an RTF or a web page, a ``.pdf`` that was a program, and a real PDF whose opening runs
JavaScript or starts a program (``/Launch``) were all written to the temporary folder and
handed to the desktop, which picks the program by the name and lets it read what it finds.
Such a file is now not written and not opened; the officer is told why and may save a copy.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from reportlab.pdfgen import canvas
from sqlalchemy import select

from app.db.models import Attachment
from app.domain.file_content import NotViewable, not_viewable, pdf_may_run_something
from app.services.cases import CaseService
from app.services.workspace import Workspace
from tests.builders import new_case
from tests.security.test_ui_leaks import MakeWindow, files_under
from tests.ui import conftest as ui_fixtures
from ui.cases import attachments as attachments_module
from ui.cases.area import CasesArea
from ui.cases.attachments import AttachmentsPanel

isolated_qsettings = ui_fixtures.isolated_qsettings
discard_unsaved_on_teardown = ui_fixtures.discard_unsaved_on_teardown
bridge = ui_fixtures.bridge
make_window = ui_fixtures.make_window

OLE2_WITH_MACROS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old Word file, AutoOpen macro"
RTF = b"{\\rtf1\\ansi {\\object\\objautlink the exploit}}"
WEB_PAGE = b"<html><script>location='http://x'</script></html>"
PROGRAM = b"MZ\x90\x00 the sender's program"


def a_pdf(catalog_extra: bytes = b"") -> bytes:
    """A real one-page PDF (reportlab's), with ``catalog_extra`` added to its catalog."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(100, 700, "Employment contract")
    page.save()
    return buffer.getvalue().replace(b"/Type /Catalog", b"/Type /Catalog " + catalog_extra)


def packed_pdf(objects: bytes) -> bytes:
    """A PDF whose objects are packed in a compressed object stream."""
    return (
        b"%PDF-1.7\n5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>\nstream\n"
        + zlib.compress(objects)
        + b"\nendstream\nendobj\n"
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("contract.docx", OLE2_WITH_MACROS),
        ("contract.docx", RTF),
        ("payslip.xlsx", OLE2_WITH_MACROS),
        ("contract.pdf", WEB_PAGE),
        ("contract.pdf", PROGRAM),
        ("passport.jpg", PROGRAM),
        ("photo.png", b"PK\x03\x04 a ZIP"),
        ("scan.heic", WEB_PAGE),
        ("letter.odt", RTF),
    ],
)
def test_a_document_or_picture_whose_content_lies_is_not_viewable(
    name: str, content: bytes
) -> None:
    assert not_viewable(name, content) is NotViewable.DISGUISED


def a_document(*parts: tuple[str, bytes]) -> bytes:
    """A minimal Word document (a ZIP of XML) with ``parts`` added."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><w:body>Contract</w:body></w:document>")
        for name, data in parts:
            archive.writestr(name, data)
    return buffer.getvalue()


def relationship(kind: str, target: str) -> tuple[str, bytes]:
    """``word/_rels/settings.xml.rels`` with one relationship to ``target``, outside the file."""
    return (
        "word/_rels/settings.xml.rels",
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        + f'officeDocument/2006/relationships/{kind}" Target="{target}" '.encode()
        + b'TargetMode="External"/></Relationships>',
    )


def a_workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "Wages"
    sheet["A2"].hyperlink = "https://www.enbek.kz"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        # A remote template (CVE-2017-0199) and an object fetched as it opens ("Follina").
        ("contract.docx", a_document(relationship("attachedTemplate", "http://x/t.dotm"))),
        ("contract.docx", a_document(relationship("oleObject", "http://x/a.html!"))),
        ("contract.docx", a_document(("word/vbaProject.bin", b"macros"))),
        (
            "contract.docx",
            a_document(("word/footer1.xml", b"<w:instrText>DDEAUTO c:\\x</w:instrText>")),
        ),
        ("payslip.xlsx", a_document(("xl/externalLinks/externalLink1.xml", b"<ddeLink/>"))),
        ("letter.odt", a_document(("Basic/Standard/Module1.xml", b"<script:module/>"))),
        ("contract.docx", b"PK\x03\x04 a ZIP that cannot be read"),
        # Parts that unpack to more than any document's XML: slow to search, not searched.
        (
            "contract.docx",
            a_document(*[(f"word/p{n}.xml", b" " * (4 * 2**20)) for n in range(17)]),
        ),
    ],
)
def test_a_document_with_macros_or_links_outside_is_not_viewable(name: str, content: bytes) -> None:
    assert not_viewable(name, content) is NotViewable.ACTIVE_DOCUMENT


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("contract.docx", a_document()),
        ("contract.docx", a_document(relationship("hyperlink", "https://www.enbek.kz"))),
        ("payslip.xlsx", a_workbook()),
        ("contract.PDF", a_pdf()),
        ("contract.pdf", b"\r\n%PDF-1.4 header after a line, as readers accept"),
        ("passport.jpg", b"\xff\xd8\xff\xe0 a photo"),
        ("photo.png", b"\x89PNG\r\n\x1a\n a picture"),
        ("scan.heic", b"\x00\x00\x00\x18ftypheic a phone photo"),
        # A picture under another picture's name (a phone's PNG saved as .jpg): a viewer
        # runs nothing, and the officer must see the scan.
        ("scan.jpg", b"\x89PNG\r\n\x1a\n a picture"),
        ("photo.png", b"\x00\x00\x00\x18ftypheic a phone photo"),
        ("voice.ogg", b"anything: a player runs nothing"),
        ("notes.txt", PROGRAM),  # a text editor shows it
    ],
)
def test_a_file_that_is_what_its_name_says_is_viewable(name: str, content: bytes) -> None:
    assert not_viewable(name, content) is None


@pytest.mark.parametrize(
    "content",
    [
        a_pdf(b"/OpenAction << /S /JavaScript /JS (app.launchURL('http://x')) >>"),
        a_pdf(b"/OpenAction << /S /J#61vaScript /J#53 (this.exportDataObject()) >>"),
        a_pdf(b"/OpenAction << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) >> >>"),
        packed_pdf(b"1 0 << /S /Launch /F (calc.exe) >>"),
        # The same, its type written "/Obj#53tm", or left out (readers find it by the xref).
        packed_pdf(b"1 0 << /S /Launch /F (calc.exe) >>").replace(b"/ObjStm", b"/Obj#53tm"),
        packed_pdf(b"1 0 << /S /Launch /F (calc.exe) >>").replace(b"/Type /ObjStm ", b""),
        # Packed by another filter, or encrypted: nothing to check it by.
        b"%PDF-1.7\n5 0 obj\n<< /Type /ObjStm /Filter /ASCIIHexDecode >>\nstream\n4a53\n"
        b"endstream\nendobj\n",
        # Packed objects that unpack to more than any real file's: a bomb.
        packed_pdf(b" " * (40 * 1024 * 1024)),
    ],
)
def test_a_pdf_with_a_script_or_an_action_is_not_viewable(content: bytes) -> None:
    assert not_viewable("contract.pdf", content) is NotViewable.ACTIVE_PDF


def test_a_scan_whose_picture_holds_the_letters_of_a_script_name_is_viewable() -> None:
    """Bytes of a stream are data (a JPEG's pixels), never searched: "/JS" in them by chance
    (about once in 20 MB of a scan) does not stop a scan from opening."""
    picture = b"\xff\xd8\xff /JS /Launch /JavaScript \xff\xd9"
    scan = (
        b"%PDF-1.4\n1 0 obj\n<< /Type /XObject /Subtype /Image /Filter /DCTDecode >>\nstream\n"
        + picture
        + b"\nendstream\nendobj\n"
    )
    assert not pdf_may_run_something(scan)
    # Names that only begin like one: a font, a custom key.
    assert not pdf_may_run_something(b"%PDF-1.4\n1 0 obj << /JSX 1 /Launcher /F#4A#53X >>")
    assert not pdf_may_run_something(packed_pdf(b"1 0 << /Type /Page /Parent 2 0 R >>"))


def _chosen(make_window: MakeWindow, ws: Workspace, name: str, content: bytes) -> AttachmentsPanel:
    service = CaseService(ws)
    case = service.create_case(new_case())
    service.add_attachment(case.id, name, content)
    area = make_window(ws).show_area("cases")
    assert isinstance(area, CasesArea)
    area.open_case(case.id)
    panel = area.editor.attachments
    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
    return panel


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("contract.docx", OLE2_WITH_MACROS, "what the file holds is not what its name says"),
        ("contract.pdf", PROGRAM, "what the file holds is not what its name says"),
        (
            "contract.pdf",
            a_pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
            "this PDF holds a script or an action",
        ),
        (
            "contract.docx",
            a_document(relationship("attachedTemplate", "http://x/t.dotm")),
            "this document holds macros, or fetches or starts something from outside",
        ),
    ],
)
def test_opening_it_hands_nothing_to_the_desktop_and_offers_a_copy(
    qtbot: QtBot,
    make_window: MakeWindow,
    ws: Workspace,
    private_tmp: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    content: bytes,
    said: str,
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(attachments_module, "open_with_system", opened.append)
    panel = _chosen(make_window, ws, name, content)

    assert panel.open_selected() is not None
    qtbot.waitUntil(lambda: isinstance(panel.dialog, QMessageBox), timeout=5000)
    box = panel.dialog
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.text().startswith(f"“{name}” is not opened from Qorgau: {said}")
    assert opened == []
    # Not even written for a viewer (the run's lock file alone is there).
    assert {p.name for p in files_under(private_tmp)} <= {".in-use"}

    copy = tmp_path / "kept" / "copy.bin"
    copy.parent.mkdir()
    monkeypatch.setattr(attachments_module, "save_path", lambda *_args: copy)
    (save,) = [b for b in box.buttons() if b.text() == "Save a copy…"]
    save.click()
    qtbot.waitUntil(lambda: copy.exists() and copy.read_bytes() == content, timeout=5000)
    assert opened == []
    with ws.read() as session:  # the stored file is as it was
        assert session.execute(select(Attachment.content)).scalar_one() == content
