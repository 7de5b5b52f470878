"""Print… in the Letters register, walked to what comes out of the printer.

The print dialog is answered by the test (``QPrintDialog.exec`` replaced) and Qt's PDF printer
stands for the office's: "Print to file" as Qt's own dialog offers it, or, with a range of
pages chosen, the pages as they go to paper, inside the margins a printer cannot print.

The faults: each page went out as an image at the printer's resolution (1,200 dpi: 0.5 GB and
5.6 s on the GUI thread for one page, a 5 MB file without a word of text), shrunk into the
page's default margins and set in its top-left corner; a printer that refused the job said
nothing; pages chosen in the dialog were all printed; and an issued letter whose PDF
retention had blanked was rendered again and printed as a draft dated today.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PageObject, PdfReader
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QSize
from PySide6.QtGui import QImage, QPageLayout, QPageRanges, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.db.models import AuditEntry
from app.services.letters import LetterFields, LetterInfo, LetterService
from app.services.records import CaseDetail
from app.services.retention import anonymise_case
from app.services.workspace import Workspace
from tests.builders import hanil_steel_case
from tests.conftest import OpenWs, count
from tests.ui.press import WAIT_MS, click, on_screen
from ui.i18n_bridge import LanguageBridge
from ui.letters import page as letters_page
from ui.letters.page import LettersPage
from ui.letters.preview import HAVE_QTPDF

pytestmark = pytest.mark.skipif(not HAVE_QTPDF, reason="printing needs QtPdf")

FACTS = (
    "Работник три месяца не получал заработную плату, его паспорт удерживается работодателем. " * 40
)
MM = 72 / 25.4  # points in a millimetre


@pytest.fixture
def case(open_ws: OpenWs) -> CaseDetail:
    return hanil_steel_case(open_ws("aigul"), description="Үш ай бойы жалақы төленбеген.")


def long_letter(open_ws: OpenWs, case_id: str, issue: bool = True) -> LetterInfo:
    """A letter to the employer, in Russian, whose facts run it onto a second page; approved
    by the consul and issued by the attaché unless ``issue`` is False."""
    fields = LetterFields(subject="Задолженность по заработной плате", facts=FACTS)
    draft = LetterService(open_ws("aigul")).draft(case_id, "employer_letter", "ru", fields)
    approved = LetterService(open_ws("serik")).approve(draft.id)
    return LetterService(open_ws("aigul")).issue(draft.id) if issue else approved


@dataclass
class PrintDialogAnswer:
    """What the officer chooses in the print dialog: the file Qt's PDF printer writes, the
    pages (none: all), and the margins the printer cannot print on (millimetres)."""

    path: Path
    pages: tuple[int, ...] = ()
    hardware_margin_mm: float = 0
    offered: list[tuple[int, int, str]] = field(default_factory=list)  # min, max, job name

    def exec(self, dialog: QPrintDialog) -> int:
        printer = dialog.printer()
        self.offered.append((dialog.minPage(), dialog.maxPage(), printer.docName()))
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(self.path))
        ranges = QPageRanges()
        for page in self.pages:
            ranges.addPage(page)
        printer.setPageRanges(ranges)
        margins = QMarginsF(*[self.hardware_margin_mm] * 4)
        printer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                margins,
                QPageLayout.Unit.Millimeter,
                margins,  # the minimum: what this printer cannot print
            )
        )
        return QPrintDialog.DialogCode.Accepted.value


def answer_print_dialog(monkeypatch: pytest.MonkeyPatch, answer: PrintDialogAnswer) -> None:
    monkeypatch.setattr(QPrintDialog, "exec", lambda dialog: answer.exec(dialog))


def register_on(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, letter_id: str
) -> LettersPage:
    """The consul's register with ``letter_id`` chosen and its preview shown."""
    page = on_screen(qtbot, LettersPage(open_ws("serik"), bridge))
    page.select_letter(letter_id)
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)
    return page


def page_text(path: Path, page: int) -> str:
    """The text of one page of the PDF at ``path``, whitespace squeezed."""
    if shutil.which("pdftotext"):
        raw = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    else:  # pypdf reads the same text where poppler is missing
        raw = PdfReader(path).pages[page - 1].extract_text()
    return " ".join(raw.split())


def _drawn_images(page: PageObject) -> list[tuple[float, float, float, float]]:
    found: list[tuple[float, float, float, float]] = []

    def drawn(op: bytes, _args: object, cm: list[float], _tm: object) -> None:
        if op == b"Do":
            found.append((cm[4], cm[5], cm[4] + cm[0], cm[5] + cm[3]))

    page.extract_text(visitor_operand_before=drawn)
    return found


def image_boxes(path: Path) -> list[list[tuple[float, float, float, float]]]:
    """Per page, where each image is drawn: left, bottom, right, top in points."""
    return [_drawn_images(page) for page in PdfReader(path).pages]


def rendered(pdf: bytes, index: int, size: QSize) -> QImage:
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    buffer = QBuffer(document)
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    page = QImage(size, QImage.Format.Format_RGB32)
    page.fill(0xFFFFFFFF)
    painter = QPainter(page)
    painter.drawImage(0, 0, document.render(index, size))
    painter.end()
    document.close()
    return page.convertToFormat(QImage.Format.Format_Grayscale8)


def difference(a: QImage, b: QImage) -> float:
    """Mean absolute difference of two grey images of one size, 0-255."""
    total = 0
    for y in range(a.height()):
        total += sum(
            abs(p - q) for p, q in zip(a.constScanLine(y), b.constScanLine(y), strict=True)
        )
    return total / (a.width() * a.height())


def test_printing_to_a_file_gives_the_registered_letter_with_its_text_on_every_page(
    qtbot: QtBot,
    open_ws: OpenWs,
    bridge: LanguageBridge,
    case: CaseDetail,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    letter = long_letter(open_ws, case.id)
    page = register_on(qtbot, open_ws, bridge, letter.id)
    assert page.preview.page_count() == 2
    answer = PrintDialogAnswer(tmp_path / "printed.pdf")
    answer_print_dialog(monkeypatch, answer)
    serik = open_ws("serik")
    audited = count(serik, AuditEntry)

    with qtbot.waitSignal(page.copy_recorded, timeout=WAIT_MS):  # audited off the GUI thread
        click(qtbot, page.print_button)

    assert answer.offered == [(1, 2, letter.outgoing_number)]  # its pages; its number queued
    printed = answer.path.read_bytes()
    assert printed == LetterService(serik).pdf(letter.id)  # the registered letter itself
    assert LetterService(serik).verify(printed).matched
    first, second = page_text(answer.path, 1), page_text(answer.path, 2)
    assert f"№ {letter.outgoing_number}" in first and "Уважаемые господа!" in first
    assert "Работник три месяца не получал заработную плату" in first
    assert "С уважением" in second and "Консул" in second
    # A printout is a copy outside the encrypted database: audited, as an attachment's saved
    # copy is; the letter itself is unchanged.
    assert count(serik, AuditEntry) == audited + 1
    entry = newest_audit(serik)
    assert (entry.action, entry.entity_id) == ("letter.print", letter.id)
    assert entry.details["number"] == letter.outgoing_number
    assert LetterService(serik).get(letter.id).version == letter.version


def test_pages_chosen_go_to_paper_whole_and_centred_inside_what_the_printer_can_print(
    qtbot: QtBot,
    open_ws: OpenWs,
    bridge: LanguageBridge,
    case: CaseDetail,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    letter = long_letter(open_ws, case.id)
    registered = LetterService(open_ws("serik")).pdf(letter.id)
    page = register_on(qtbot, open_ws, bridge, letter.id)

    # The second page only, on a printer that prints nothing within 5 mm of the paper's edge.
    answer = PrintDialogAnswer(tmp_path / "second.pdf", pages=(2,), hardware_margin_mm=5)
    answer_print_dialog(monkeypatch, answer)
    click(qtbot, page.print_button)
    (boxes,) = image_boxes(answer.path)
    ((left, bottom, right, top),) = boxes
    width, height = 595, 842  # Qt's A4, in whole points
    assert left >= 5 * MM - 0.5 and bottom >= 5 * MM - 0.5  # none of it where ink cannot go
    assert right <= width - 5 * MM + 0.5 and top <= height - 5 * MM + 0.5
    assert abs(left - (width - right)) < 0.5 and abs(bottom - (height - top)) < 0.5  # centred
    page_width, page_height = 595.276, 841.89  # the letter's A4
    assert abs((right - left) / (top - bottom) - page_width / page_height) < 0.001  # not cut
    assert abs((right - left) - 200 * MM) < 0.5  # shrunk only as far as the margins ask

    # All pages at full size where the printer prints to the edge: each page as the letter's.
    answer = PrintDialogAnswer(tmp_path / "both.pdf", pages=(1, 2))
    answer_print_dialog(monkeypatch, answer)
    click(qtbot, page.print_button)
    for ((left, bottom, right, top),) in image_boxes(answer.path):
        assert abs(left) < 0.5 and abs(right - width) < 0.5 and abs(bottom) < 1
        assert abs(top - height) < 1
    printed = answer.path.read_bytes()
    size = QSize(248, 351)  # 30 dpi: enough to tell the pages apart, quick to compare
    for index in (0, 1):
        same = difference(rendered(printed, index, size), rendered(registered, index, size))
        other = difference(rendered(printed, index, size), rendered(registered, 1 - index, size))
        assert 2 * same < other, (index, same, other)  # each page is the letter's own
    qr_corner = rendered(printed, 0, size).copy(200, 300, 48, 51)  # bottom right: the code
    assert min(qr_corner.constScanLine(y)[x] for y in range(51) for x in range(48)) < 64


def test_a_letter_not_issued_prints_as_a_draft_without_number_or_code(
    qtbot: QtBot,
    open_ws: OpenWs,
    bridge: LanguageBridge,
    case: CaseDetail,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    approved = long_letter(open_ws, case.id, issue=False)
    page = register_on(qtbot, open_ws, bridge, approved.id)
    answer = PrintDialogAnswer(tmp_path / "draft.pdf")
    answer_print_dialog(monkeypatch, answer)
    click(qtbot, page.print_button)
    assert answer.offered[0][2] == "draft"
    reader = PdfReader(answer.path)
    assert reader.metadata is not None and reader.metadata.title.startswith("ПРОЕКТ — ")
    text = page_text(answer.path, 1)
    assert "Уважаемые господа!" in text and "№ SEL-" not in text
    assert not LetterService(open_ws("serik")).verify(answer.path.read_bytes()).matched
    first = reader.pages[0]
    assert not first.images  # no code to scan: the check finds no letter in it
    # Printed as the register's approved letter, it stays approved and unnumbered.
    assert LetterService(open_ws("serik")).get(approved.id) == approved


def test_a_printer_or_folder_that_fails_says_so_and_nothing_is_written(
    qtbot: QtBot,
    open_ws: OpenWs,
    bridge: LanguageBridge,
    case: CaseDetail,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    letter = long_letter(open_ws, case.id)
    page = register_on(qtbot, open_ws, bridge, letter.id)
    shown: list[BaseException] = []
    monkeypatch.setattr(letters_page, "show_error", lambda _parent, exc: shown.append(exc))
    serik = open_ws("serik")
    audited = count(serik, AuditEntry)
    gone = tmp_path / "unplugged"  # a folder that is not there: the printer refuses the job

    answer_print_dialog(monkeypatch, PrintDialogAnswer(gone / "pages.pdf", pages=(1,)))
    click(qtbot, page.print_button)
    answer_print_dialog(monkeypatch, PrintDialogAnswer(gone / "letter.pdf"))
    click(qtbot, page.print_button)

    assert [str(exc) for exc in shown] == [
        f"The letter was not printed: {gone / 'pages.pdf'} did not take it. Check the "
        "printer (or the folder printed to) and print again.",
        f"{gone / 'letter.pdf'} cannot be written: no such file or folder",
    ]
    assert not gone.exists() and not list(tmp_path.rglob("*.pdf"))
    assert count(serik, AuditEntry) == audited
    assert page.selected() == LetterService(serik).get(letter.id)
    assert page.print_button.isEnabled()  # another printer may be chosen at once


def test_a_letter_whose_pdf_retention_removed_prints_nothing(
    qtbot: QtBot,
    open_ws: OpenWs,
    bridge: LanguageBridge,
    case: CaseDetail,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its preview says why (``test_letters``); Print, offered for it, printed a draft."""
    letter = long_letter(open_ws, case.id)
    with open_ws("admin").write() as session:
        anonymise_case(session, case.id, datetime.now(UTC))
    answer = PrintDialogAnswer(tmp_path / "printed.pdf")
    answer_print_dialog(monkeypatch, answer)

    page = register_on(qtbot, open_ws, bridge, letter.id)

    assert page.selected() is not None and page.selected().id == letter.id
    assert not page.preview.content and not page.print_button.isEnabled()
    page.print_letter()  # a stale click or a shortcut: no dialog, nothing printed
    assert not answer.offered and not answer.path.exists()


def test_a_saved_copy_is_audited_without_holding_the_window(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail, tmp_path: Path
) -> None:
    """The audit entry waits for the database's write lock, which another writer (an
    import's batch, an index merge step) may hold for seconds: not on the GUI thread."""
    letter = long_letter(open_ws, case.id)
    page = register_on(qtbot, open_ws, bridge, letter.id)
    lock_free, recorded = threading.Event(), []
    record_copy = page.service.record_copy

    def waits_for_the_lock(letter_id: str, printed: bool = False) -> None:
        assert lock_free.wait(WAIT_MS / 1000)
        record_copy(letter_id, printed)
        recorded.append(letter_id)

    page.service.record_copy = waits_for_the_lock  # type: ignore[method-assign]
    target = tmp_path / "saved.pdf"
    page.save_to(target)  # returns while the audit waits
    assert target.read_bytes() == LetterService(open_ws("serik")).pdf(letter.id)
    assert recorded == []
    with qtbot.waitSignal(page.copy_recorded, timeout=WAIT_MS):
        lock_free.set()
    assert recorded == [letter.id]
    with open_ws("serik").read() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "letter.copy")
        ).scalar_one()
    assert (entry.entity_id, entry.details["number"]) == (letter.id, letter.outgoing_number)


def newest_audit(ws: Workspace) -> AuditEntry:
    with ws.read() as session:
        return session.execute(
            select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)
        ).scalar_one()
