"""Translations (gettext catalogs compiled by babel) and locale-aware formatting.

Import ``_``, ``ngettext`` and ``pgettext`` explicitly. Messages are looked up at call time,
so a language switch applies to every string produced after it.
"""

from __future__ import annotations

import gettext
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.numbers import format_currency as _babel_format_currency
from babel.numbers import format_decimal as _babel_format_decimal

LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "kk"
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "translations"


class _State:
    """The active language and catalog; one instance, replaced only through set_language."""

    language: str = "en"
    catalog: gettext.NullTranslations = gettext.NullTranslations()
    listeners: list[Callable[[str], None]] = []


class _Override(threading.local):
    """A language for the current thread only (a PDF in Kazakh while the UI speaks Russian)."""

    language: str | None = None
    catalog: gettext.NullTranslations | None = None


_override = _Override()


@contextmanager
def language_override(language: str) -> Iterator[None]:
    """Translate in ``language`` inside the block, in this thread only; the UI is untouched."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language}")
    previous = (_override.language, _override.catalog)
    _override.language, _override.catalog = language, _catalog_cached(language)
    try:
        yield
    finally:
        _override.language, _override.catalog = previous


@cache
def _catalog_cached(language: str) -> gettext.NullTranslations:
    return load_catalog(language)


def _catalog() -> gettext.NullTranslations:
    return _override.catalog or _State.catalog


def available_languages() -> tuple[str, ...]:
    return LANGUAGES


def load_catalog(language: str) -> gettext.NullTranslations:
    """The compiled catalog for ``language``; English source strings when there is none."""
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def set_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language}")
    _State.language = language
    _State.catalog = load_catalog(language)
    for listener in list(_State.listeners):
        listener(language)


def current_language() -> str:
    return _override.language or _State.language


def on_language_changed(listener: Callable[[str], None]) -> None:
    """Call ``listener(language)`` after every switch (the UI re-translates its widgets)."""
    _State.listeners.append(listener)


def _(message: str) -> str:
    return _catalog().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _catalog().pgettext(context, message)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (module-level tables)."""
    return message


def locale_for(language: str | None = None) -> Locale:
    return Locale.parse(language or current_language())


def format_date(value: date, fmt: str = "medium", language: str | None = None) -> str:
    return _babel_format_date(value, format=fmt, locale=locale_for(language))


def format_datetime(value: datetime, fmt: str = "medium", language: str | None = None) -> str:
    return _babel_format_datetime(value, format=fmt, locale=locale_for(language))


def format_number(value: int | float | Decimal, language: str | None = None) -> str:
    return _babel_format_decimal(value, locale=locale_for(language))


def format_money(amount: int | float | Decimal, currency: str, language: str | None = None) -> str:
    return _babel_format_currency(amount, currency, locale=locale_for(language))


def country_name(iso2: str, language: str | None = None) -> str:
    """The country's name from CLDR in the given language; the code itself if CLDR lacks it."""
    return locale_for(language).territories.get(iso2.upper(), iso2.upper())
