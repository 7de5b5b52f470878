"""A letter brought back on paper or as a file, checked against the register from the Letters page.

The fault: every issued letter carries a code (``QORGAU|number|digest``) whose check the
service had and nothing offered: no window or command read a scanned code, so a forged letter
on the mission's letterhead could not be told from a real one without the file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from app.services import letters as letters_module
from app.services.letters import LetterInfo, LetterService
from app.services.records import CaseDetail
from tests.builders import hanil_steel_case, issued_letter
from tests.conftest import OpenWs
from tests.keyboards import KAZAKH, RUSSIAN, typed_on
from ui.i18n_bridge import LanguageBridge
from ui.letters.check import LetterCheckDialog
from ui.letters.page import LettersPage


@pytest.fixture
def case(open_ws: OpenWs) -> CaseDetail:
    return hanil_steel_case(open_ws("aigul"), description="Үш ай бойы жалақы төленбеген.")


def issue(open_ws: OpenWs, case_id: str) -> LetterInfo:
    return issued_letter(open_ws("aigul"), open_ws("serik"), case_id)


def type_as_a_scanner(widget: QWidget, text: str) -> None:
    """Key events carrying each character (``QTest.keyClicks`` takes ASCII only)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            QApplication.sendEvent(widget, event)


def code_of(letter: LetterInfo, digest: str | None = None) -> str:
    return f"QORGAU|{letter.outgoing_number}|{digest or letter.content_digest}"


def tampered_copy(registered: Path) -> Path:
    """``registered`` with one byte changed near its end, beside it."""
    changed = registered.with_name("changed.pdf")
    content = registered.read_bytes()
    changed.write_bytes(content[:-200] + content[-200:].replace(b"0", b"1", 1))
    return changed


def test_a_scanned_code_finds_its_letter_and_shows_it_in_the_register(
    qtbot: QtBot, open_ws: OpenWs, case: CaseDetail, bridge: LanguageBridge
) -> None:
    letter = issue(open_ws, case.id)
    other = hanil_steel_case(open_ws("aigul"), description="Паспорт ұсталған.")
    issue(open_ws, other.id)
    page = LettersPage(open_ws("serik"), bridge)
    qtbot.addWidget(page)
    assert page.check_button.isEnabled()
    dialog = page.check_letter()
    qtbot.waitUntil(dialog.isVisible, timeout=2000)

    # A scanner typing as a keyboard with the Russian layout on, then Enter.
    typed = typed_on(RUSSIAN, code_of(letter))
    assert typed.startswith("ЙЩКПФГ/")
    type_as_a_scanner(dialog.code, typed)
    QTest.keyClick(dialog.code, Qt.Key.Key_Return)
    assert dialog.verdict.text().startswith(f"✓ The code matches letter {letter.outgoing_number}")
    assert "Compare the paper with the registered letter" in dialog.verdict.text()
    assert dialog.show_button.isVisibleTo(dialog)

    qtbot.mouseClick(dialog.show_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    selected = page.selected()
    assert selected is not None and selected.id == letter.id
    assert page.case_filter.text() == letter.case_number


def test_a_code_that_is_not_the_registers_is_refused_and_says_why(
    qtbot: QtBot, open_ws: OpenWs, case: CaseDetail, bridge: LanguageBridge
) -> None:
    letter = issue(open_ws, case.id)
    page = LettersPage(open_ws("serik"), bridge)
    qtbot.addWidget(page)
    dialog = page.check_letter()
    number = letter.outgoing_number
    for text, said in (
        (code_of(letter, "0" * 64), f"does not match the register's letter {number}"),
        (f"QORGAU|SEL-2020/0999|{letter.content_digest}", "holds no issued letter SEL-2020/0999"),
        ("https://example.org/letter", "This is not a Qorgau letter code"),
    ):
        dialog.code.setText(text)
        dialog.check_button.click()
        assert dialog.verdict.text().startswith("✗ "), text
        assert said in dialog.verdict.text()
        assert not dialog.show_button.isVisibleTo(dialog)
    # Caps Lock on: the same code in the other case is still the letter's.
    dialog.code.setText(code_of(letter).swapcase())
    dialog.check_button.click()
    assert dialog.verdict.text().startswith("✓ ")
    # The Kazakh layout has letters where the digits are; with Caps Lock, capital ones.
    for caps_lock in (False, True):
        typed = typed_on(KAZAKH, code_of(letter), caps_lock=caps_lock)
        assert "ә" in typed.lower()
        dialog.code.setText(typed)
        dialog.check_button.click()
        assert dialog.verdict.text().startswith("✓ "), typed


def test_a_pdf_file_is_checked_whole(
    qtbot: QtBot,
    open_ws: OpenWs,
    case: CaseDetail,
    bridge: LanguageBridge,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    letter = issue(open_ws, case.id)
    ws = open_ws("serik")
    page = LettersPage(ws, bridge)
    qtbot.addWidget(page)
    dialog = page.check_letter()
    registered = tmp_path / "letter.pdf"
    registered.write_bytes(LetterService(ws).pdf(letter.id))
    dialog.check_file(registered)
    assert dialog.verdict.text().startswith(f"✓ The file matches letter {letter.outgoing_number}")
    assert dialog.show_button.isVisibleTo(dialog)

    dialog.check_file(tampered_copy(registered))
    assert "does not match any letter in the register" in dialog.verdict.text()
    assert not dialog.show_button.isVisibleTo(dialog)

    dialog.check_file(tmp_path / "nowhere.pdf")
    assert "does not exist" in dialog.verdict.text()
    monkeypatch.setattr(letters_module, "MAX_VERIFY_BYTES", 100)
    dialog.check_file(registered)
    assert "is too large to be a letter" in dialog.verdict.text()


def band_above_buttons(dialog: LetterCheckDialog) -> int:
    """Pixels between the last thing shown above the buttons and the buttons, less the
    layout's spacing: 0 when nothing but the spacing parts them."""
    above = dialog.verdict if dialog.verdict.isVisibleTo(dialog) else dialog.file_button
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    spacing = dialog.layout().spacing()
    return buttons.geometry().top() - above.geometry().bottom() - 1 - spacing


def assert_fits(dialog: LetterCheckDialog) -> None:
    """As tall as its contents at its width: no band above the buttons, the verdict's lines
    whole and no more."""
    assert band_above_buttons(dialog) == 0
    assert dialog.height() == dialog.layout().totalHeightForWidth(dialog.width())
    verdict = dialog.verdict
    if verdict.isVisibleTo(dialog):
        assert verdict.height() == verdict.heightForWidth(verdict.width())


def test_the_check_window_is_as_tall_as_what_it_shows_before_and_after_a_check(
    qtbot: QtBot, open_ws: OpenWs, case: CaseDetail, bridge: LanguageBridge, tmp_path: Path
) -> None:
    """The fault: a stretch between the fields and the buttons, and a window that only ever
    grew, left an empty band above Close before the first check and after a shorter verdict
    than the one before; "Show it in the register" stood there before anything was found."""
    letter = issue(open_ws, case.id)
    ws = open_ws("serik")
    registered = tmp_path / "letter.pdf"
    registered.write_bytes(LetterService(ws).pdf(letter.id))
    changed = tampered_copy(registered)
    page = LettersPage(ws, bridge)
    qtbot.addWidget(page)
    for lang in ("kk", "ru"):
        bridge.set_language(lang)
        dialog = page.check_letter()
        qtbot.waitUntil(dialog.isVisible, timeout=2000)
        assert_fits(dialog)
        assert not dialog.verdict.isVisibleTo(dialog)
        assert not dialog.show_button.isVisibleTo(dialog)
        before = dialog.height()

        dialog.code.setText(code_of(letter))
        dialog.check_button.click()
        assert_fits(dialog)
        assert dialog.show_button.isVisibleTo(dialog)
        assert dialog.height() > before
        dialog.code.setText(f"QORGAU|SEL-2020/0999|{letter.content_digest}")
        dialog.check_button.click()
        assert_fits(dialog)
        assert not dialog.show_button.isVisibleTo(dialog)
        dialog.check_file(changed)
        assert_fits(dialog)
        dialog.check_file(registered)
        assert_fits(dialog)
        two_lines = dialog.height()
        dialog.code.setText("x")  # "not a Qorgau letter code": one line, the window shrinks
        dialog.check_button.click()
        assert_fits(dialog)
        assert dialog.height() < two_lines

        dialog.resize(dialog.width() + 300, dialog.height())  # wider: the height follows
        assert_fits(dialog)
        dialog.close()
