"""A refusal on screen follows a language switch, whether or not its page re-says it.

The fault: ``show_refusal`` and the pages' error lines took the refusal's text, composed when
it was raised, and only the few pages that called ``ErrorLabel.retranslate()`` said it again:
the case editor's refusal beside a field stayed in English under a Kazakh or Russian form.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.errors import ValidationError
from app.i18n import N_, lazy
from tests.ui.new_case import fill_new_case
from tests.ui.press import press_save
from ui.cases.area import CasesArea
from ui.i18n_bridge import LanguageBridge
from ui.tasks import show_refusal
from ui.widgets.common import ErrorLabel

CHOOSE_A_CATEGORY = {
    "en": "Choose at least one complaint category.",
    "kk": "Кемінде бір шағым санатын таңдаңыз.",
    "ru": "Выберите хотя бы одну категорию жалобы.",
}


def test_the_case_editors_refusal_follows_kk_ru_en(
    qtbot: QtBot, cases_area: CasesArea, bridge: LanguageBridge
) -> None:
    fill_new_case(cases_area)
    editor = cases_area.editor
    editor.categories.set_checked(())
    assert not press_save(qtbot, editor)
    error = editor.boxes["categories"].error
    assert error.text() == CHOOSE_A_CATEGORY["en"]
    for language in ("kk", "ru", "en"):
        bridge.set_language(language)
        qtbot.waitUntil(lambda lang=language: error.text() == CHOOSE_A_CATEGORY[lang], timeout=2000)
        assert error.isVisible()


def test_a_refusal_follows_a_switch_where_qt_has_no_catalog(
    qtbot: QtBot, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Qt posts LanguageChange only when a translator is installed or removed; a Qt without
    the language's own catalog installs none, so the bridge posts it itself."""
    monkeypatch.setattr(QTranslator, "load", lambda *_args: False)
    page = QWidget()
    qtbot.addWidget(page)
    error = ErrorLabel(page)
    refusal = ValidationError(lazy(N_("Choose at least one complaint category.")))
    show_refusal(page, error, refusal)
    for language in ("kk", "ru", "en"):
        bridge.set_language(language)
        qtbot.waitUntil(lambda lang=language: error.text() == CHOOSE_A_CATEGORY[lang], timeout=2000)
