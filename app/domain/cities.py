"""Cities where missions are, as Kazakh and Russian write them.

An installation set up with its city in English only (``init --hq --city Astana`` without
``--city-kk``) read «AST, Astana, Қазақстан» in a Kazakh window: an English city beside a
Kazakh country name. For the cities missions are in, the name each language uses is known
here; the same list as migration 0007 filled in for installations made before these fields.
"""

from __future__ import annotations

# English name → (Kazakh, Russian).
KNOWN_CITIES: dict[str, tuple[str, str]] = {
    "Seoul": ("Сеул", "Сеул"),
    "Busan": ("Пусан", "Пусан"),
    "Ankara": ("Анкара", "Анкара"),
    "Istanbul": ("Ыстамбұл", "Стамбул"),
    "Abu Dhabi": ("Әбу-Даби", "Абу-Даби"),
    "Dubai": ("Дубай", "Дубай"),
    "Moscow": ("Мәскеу", "Москва"),
    "Saint Petersburg": ("Санкт-Петербург", "Санкт-Петербург"),
    "Berlin": ("Берлин", "Берлин"),
    "Frankfurt": ("Франкфурт", "Франкфурт"),
    "London": ("Лондон", "Лондон"),
    "Washington": ("Вашингтон", "Вашингтон"),
    "New York": ("Нью-Йорк", "Нью-Йорк"),
    "Tel Aviv": ("Тель-Авив", "Тель-Авив"),
    "Doha": ("Доха", "Доха"),
    "Bishkek": ("Бішкек", "Бишкек"),
    "Tashkent": ("Ташкент", "Ташкент"),
    "Dushanbe": ("Душанбе", "Душанбе"),
    "Minsk": ("Минск", "Минск"),
    "Astana": ("Астана", "Астана"),
}
_BY_KEY = {name.casefold(): names for name, names in KNOWN_CITIES.items()}


def known_city(city: str, language: str) -> str:
    """``city`` (as set up, in English) as ``language`` writes it; "" when not known here."""
    names = _BY_KEY.get(" ".join(city.split()).casefold())
    if names is None:
        return ""
    return {"kk": names[0], "ru": names[1]}.get(language, "")
