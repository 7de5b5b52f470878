"""Country lists: names in the interface language, in its alphabetical order, sorted once."""

from __future__ import annotations

from ui.i18n_bridge import LanguageBridge
from ui.widgets.country_combo import CountryCombo, sorted_countries

CODES = ("DE", "KR", "AE", "TR")


def test_names_and_order_follow_the_language_each_time(bridge: LanguageBridge) -> None:
    bridge.set_language("en")
    english = sorted_countries(list(CODES))
    bridge.set_language("kk")
    kazakh = sorted_countries(list(CODES))
    bridge.set_language("en")
    assert sorted_countries(list(CODES)) == english  # the memo keeps each language's own
    assert [code for code, _name in english] == ["DE", "KR", "TR", "AE"]
    assert dict(english)["AE"] == "United Arab Emirates"
    assert dict(kazakh)["DE"] == "Германия"
    assert [name for _code, name in kazakh] == sorted(
        (name for _code, name in kazakh), key=lambda n: n.casefold()
    )


def test_a_combo_shows_the_interface_language(bridge: LanguageBridge) -> None:
    bridge.set_language("kk")
    combo = CountryCombo(codes=list(CODES))
    assert combo.itemText(combo.findData("DE")) == "Германия"
    bridge.set_language("en")
    combo.refill()
    assert combo.itemText(combo.findData("DE")) == "Germany"


def test_a_callers_signal_blocking_outlasts_a_refill(bridge: LanguageBridge) -> None:
    from PySide6.QtCore import QSignalBlocker

    combo = CountryCombo(codes=list(CODES))
    combo.setCurrentIndex(combo.findData("TR"))
    changed: list[int] = []
    combo.currentIndexChanged.connect(changed.append)
    with QSignalBlocker(combo):
        combo.refill()
        combo.setCurrentIndex(combo.findData("KR"))
    assert changed == []
    assert combo.code() == "KR"
