"""The pseudo-language and the per-thread language override."""

from __future__ import annotations

import threading

from app.i18n import (
    _,
    current_language,
    language_override,
    pseudo,
    pseudo_locale_enabled,
    set_language,
    set_pseudo_locale,
)


def test_pseudo_text_is_longer_and_keeps_placeholders_and_accelerators() -> None:
    text = "Host &country: {name} took {n} days (%s)"
    out = pseudo(text)
    assert len(out) >= len(text) * 1.3
    for kept in ("{name}", "{n}", "&c", "%s"):
        assert kept in out
    assert out.format(name="X", n=3)  # still a valid format string
    assert "ø" in out  # letters are accented, so untranslated text stands out


def test_pseudo_locale_wraps_every_message_until_switched_off() -> None:
    try:
        set_pseudo_locale(True)
        assert pseudo_locale_enabled()
        assert _("Settings").startswith("⟦") and _("Settings").endswith("⟧")
    finally:
        set_pseudo_locale(False)
    assert _("Settings") == "Settings"


def test_language_override_is_per_thread() -> None:
    set_language("en")
    seen: dict[str, str] = {}

    def other_thread() -> None:
        seen["other"] = current_language()

    with language_override("kk"):
        assert current_language() == "kk"
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
    assert seen["other"] == "en"
    assert current_language() == "en"


def test_a_mission_city_in_the_interface_language_falls_back_to_the_one_set_up() -> None:
    from app.services.workspace import MissionSummary, city_in

    gwangju = MissionSummary("GWJ", "KR", "Gwangju", False, "", "", "", city_kk="Кванджу")
    assert gwangju.city_in("kk") == "Кванджу"
    assert gwangju.city_in("ru") == "Gwangju"  # no Russian spelling set up, none known
    assert gwangju.city_in("en") == "Gwangju"
    assert city_in("ru", "Dubai", city_ru=" Дубай ") == "Дубай"


def test_a_known_city_set_up_in_english_only_is_named_in_the_interface_language() -> None:
    """HQ set up with ``--city Astana`` alone read «AST, Astana, Қазақстан» in Kazakh."""
    from app.services.workspace import MissionSummary

    astana = MissionSummary("AST", "KZ", "Astana", True, "", "", "")
    assert (astana.city_in("kk"), astana.city_in("ru"), astana.city_in("en")) == (
        "Астана",
        "Астана",
        "Astana",
    )
    moscow = MissionSummary("MOW", "RU", " moscow ", False, "", "", "")
    assert moscow.city_in("kk") == "Мәскеу"
    # What was set up for the language wins over the list.
    assert (
        MissionSummary("SEL", "KR", "Seoul", False, "", "", "", city_ru="Сеул (Корея)").city_in(
            "ru"
        )
        == "Сеул (Корея)"
    )
