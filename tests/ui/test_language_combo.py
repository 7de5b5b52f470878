"""The language chooser lists the common languages first: kk, ru, en and the host countries'.

The fault: a contract's language was one of some 184 names in alphabetical order, Korean and
Turkish as far down as any other, English near the top only by its initial."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from app.domain.iso import language_codes
from ui.i18n_bridge import LanguageBridge
from ui.widgets.language_combo import HOST_LANGUAGES, OWN_LANGUAGES, LanguageCombo


def _codes(combo: QComboBox) -> list[str | None]:
    return [combo.itemData(i) for i in range(combo.count())]


def test_kazakh_russian_english_and_the_host_languages_come_first(
    qtbot: QtBot, bridge: LanguageBridge
) -> None:
    bridge.set_language("ru")
    combo = LanguageCombo()
    qtbot.addWidget(combo)
    common = len(OWN_LANGUAGES) + len(HOST_LANGUAGES)
    codes = _codes(combo)
    assert codes[0] == ""  # no language given
    assert codes[1:4] == ["kk", "ru", "en"]
    assert set(codes[4 : 1 + common]) == set(HOST_LANGUAGES)
    assert [combo.itemText(i) for i in range(1, 4)] == ["казахский", "русский", "английский"]
    hosts = [combo.itemText(i) for i in range(4, 1 + common)]
    assert hosts == sorted(hosts)  # арабский, иврит, киргизский, корейский…
    # Then a separator and the rest, none of the common ones twice.
    assert combo.itemData(1 + common) is None and combo.itemText(1 + common) == ""
    rest = codes[2 + common :]
    assert not set(rest) & {*OWN_LANGUAGES, *HOST_LANGUAGES}
    assert len(rest) + common == len(language_codes())


def test_a_typed_name_is_still_accepted_and_a_chosen_one_survives_a_switch(
    qtbot: QtBot, bridge: LanguageBridge
) -> None:
    bridge.set_language("kk")
    combo = LanguageCombo()
    qtbot.addWidget(combo)
    for typed, code in (("корей тілі", "ko"), ("Korean", "ko"), ("суахили", "sw"), ("tr", "tr")):
        combo.setEditText(typed)
        assert combo.code() == code, typed
    combo.set_code("ko")
    assert combo.currentIndex() < 1 + len(OWN_LANGUAGES) + len(HOST_LANGUAGES)
    bridge.set_language("en")
    combo.refill()
    assert combo.code() == "ko" and combo.currentText() == "Korean"
