"""Translations (gettext catalogs compiled by babel) and locale-aware formatting.

Import ``_``, ``ngettext`` and ``pgettext`` explicitly. Messages are looked up at call time,
so a language switch applies to every string produced after it.
"""

from __future__ import annotations

import gettext
import math
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from app.resources import translations_dir

# Babel (CLDR) is imported by the functions that format, not here: every command translates
# its messages, but only some format a date or a name (``case show --json`` formats none).
if TYPE_CHECKING:
    from babel import Locale

LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "kk"
DOMAIN = "messages"
# The words of printed documents (statistical report, contract review), which are rendered in
# the document's language, not the interface's: a catalog of their own for translators.
DOCUMENTS_DOMAIN = "documents"
LOCALE_DIR = translations_dir()
# A developer's and translator's layout check, not a user setting: QORGAU_PSEUDO=1 shows every
# text longer and accented, so clipped labels stand out.
PSEUDO_ENV_NAME = "QORGAU_PSEUDO"


class _State:
    """The active language and catalog; one instance, replaced only through set_language."""

    language: str = "en"
    catalog: gettext.NullTranslations = gettext.NullTranslations()
    pseudo: bool = bool(os.environ.get(PSEUDO_ENV_NAME))


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
    catalog = _override.catalog or _State.catalog
    return PseudoTranslations(catalog) if _State.pseudo else catalog


# -- pseudo-locale: longer, accented text to find clipped layouts -------------------------------

_PSEUDO_LETTERS = str.maketrans("aceinorsuyAEIOU", "àçëíñøŕšüÿÀÉÎÖÜ")
# Placeholders ({name}), accelerators (&) and line breaks must survive untouched.
_PSEUDO_KEEP = re.compile(r"(\{[^{}]*\}|&&|&.|\n|%\(?\w*\)?[sd])")


def pseudo(text: str) -> str:
    """``text`` about 40 % longer with accented letters, its placeholders intact."""
    if not text:
        return text
    parts = _PSEUDO_KEEP.split(text)
    out = [p if _PSEUDO_KEEP.fullmatch(p) else p.translate(_PSEUDO_LETTERS) for p in parts]
    padding = "·" * max(2, len(text) * 2 // 5)
    return f"⟦{''.join(out)}{padding}⟧"


class PseudoTranslations(gettext.NullTranslations):
    """Wraps a catalog so every message comes out in the pseudo-locale."""

    def __init__(self, inner: gettext.NullTranslations) -> None:
        super().__init__()
        self.inner = inner

    def gettext(self, message: str) -> str:
        return pseudo(self.inner.gettext(message))

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(self.inner.ngettext(msgid1, msgid2, n))

    def pgettext(self, context: str, message: str) -> str:
        return pseudo(self.inner.pgettext(context, message))


def set_pseudo_locale(enabled: bool) -> None:
    """Show every interface text in the pseudo-locale (a check for clipped layouts); the UI
    re-translates its widgets through ``ui.i18n_bridge.LanguageBridge``."""
    _State.pseudo = enabled


def pseudo_locale_enabled() -> bool:
    return _State.pseudo


def available_languages() -> tuple[str, ...]:
    return LANGUAGES


def load_catalog(language: str) -> gettext.NullTranslations:
    """The compiled catalog for ``language``; English source strings when there is none."""
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


@cache
def translator(domain: str, language: str) -> gettext.NullTranslations:
    """The compiled catalog of ``domain`` in ``language`` (cached: catalogs do not change while
    the app runs); English source strings when there is none."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language}")
    return gettext.translation(domain, LOCALE_DIR, languages=[language], fallback=True)


def set_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language}")
    _State.language = language
    _State.catalog = load_catalog(language)


def current_language() -> str:
    return _override.language or _State.language


def _(message: str) -> str:
    return _catalog().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _catalog().pgettext(context, message)


class Said(str):
    """A message composed now, in the current language, that can be composed again later:
    what a service returns for a window to show (an import's warnings), which must follow a
    language switch while it is on screen. It is the text itself wherever a ``str`` is used
    (the command line, JSON, comparisons); ``say_again`` makes it anew."""

    make: Callable[[], str]

    def __new__(cls, make: Callable[[], str], said: str | None = None) -> Said:
        """``said``: the text as already composed now, where making it costs (a row checked
        again), so that it is made only when said again."""
        text = super().__new__(cls, make() if said is None else said)
        text.make = make
        return text

    # Immutable like any str: copies (dataclasses.asdict deep-copies) are the same object,
    # and a pickled one is its text.
    def __copy__(self) -> Said:
        return self

    def __deepcopy__(self, _memo: object) -> Said:
        return self

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        return str, (str.__str__(self),)


def say_again(text: str) -> str:
    """``text`` in the current language if it was ``Said``, else as it is."""
    return text.make() if isinstance(text, Said) else text


def lazy(message: str, **values: object) -> Callable[[], str]:
    """``_(message).format(**values)`` composed each time it is called, in the language of
    that moment: an error's message that stays on screen across a language switch
    (``QorgauError`` takes it). The values are bound now; a ``Said`` one is said again.
    Mark ``message`` with ``N_`` for extraction; without values it is not formatted."""

    def make() -> str:
        if not values:
            return _(message)
        said = {k: say_again(v) if isinstance(v, str) else v for k, v in values.items()}
        return _(message).format(**said)

    return make


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (module-level tables)."""
    return message


def label_from(table: Mapping[str, str], key: str) -> str:
    """``key``'s label from a table of ``N_``-marked texts, translated now; the key itself
    when the table has none (a code from a newer version reads as it came)."""
    return _(table[key]) if key in table else key


def D_(message: str) -> str:
    """Mark a document word (``documents`` catalog) for extraction; translated at use."""
    return message


def DP_(context: str, message: str) -> tuple[str, str]:
    """A document word with a context, for ``pgettext`` of the ``documents`` catalog."""
    return context, message


def DN_(singular: str, plural: str) -> tuple[str, str]:
    """A document word with a plural, for ``ngettext`` of the ``documents`` catalog."""
    return singular, plural


def locale_for(language: str | None = None) -> Locale:
    return parsed_locale(language or current_language())


@cache
def parsed_locale(name: str) -> Locale:
    """One Locale per name: parsing one each call made every date and country name in a list
    page (hundreds per page) pay for parsing the locale and wrapping its data again."""
    from babel import Locale

    return Locale.parse(name)


# The one way the interface writes a date in each language: a CLDR skeleton and the locale
# whose pattern for it is wanted. kk and ru give 01.12.2026; plain "en" (US) would give
# 12/1/2026, which an officer abroad misreads, so English takes the British 1 Dec 2026.
UI_DATE_SKELETONS: dict[str, tuple[str, str]] = {
    "kk": ("kk", "yMd"),
    "ru": ("ru", "yMd"),
    "en": ("en_GB", "yMMMd"),
}


def ui_date_pattern(language: str | None = None) -> str:
    """The CLDR pattern of the interface's date format (``dd.MM.y``, ``d MMM y``)."""
    locale_name, skeleton = UI_DATE_SKELETONS[language or current_language()]
    return str(parsed_locale(locale_name).datetime_skeletons[skeleton].pattern)


def format_date(value: date, fmt: str | None = None, language: str | None = None) -> str:
    """``value`` in the interface's date format, or in the CLDR format ``fmt`` when given."""
    from babel.dates import format_date as babel_format_date

    pattern = ui_date_pattern(language) if fmt is None else fmt
    return babel_format_date(value, format=pattern, locale=locale_for(language))


def format_datetime(value: datetime, fmt: str | None = None, language: str | None = None) -> str:
    """Date and time: the interface's date and the hour (01.12.2026, 09:05) unless ``fmt``."""
    from babel.dates import format_datetime as babel_format_datetime

    if fmt is None:
        locale = locale_for(language)
        day = format_date(value.date(), None, language)
        hour = babel_format_datetime(value, format="HH:mm", locale=locale)
        return str(locale.datetime_formats["short"]).format(hour, day)
    return babel_format_datetime(value, format=fmt, locale=locale_for(language))


# babel rounds in the decimal context (28 digits): a larger number raised InvalidOperation,
# and one of a million digits would be a page of them. None that large is a real figure.
_LARGEST_WRITTEN_OUT = 10**24


def format_number(value: int | float | Decimal, language: str | None = None) -> str:
    from babel.numbers import format_decimal

    if _is_finite(value) and abs(Decimal(value)) >= _LARGEST_WRITTEN_OUT:
        return format(value, ".3E")  # 1.000E+30, in any language
    return format_decimal(value, locale=locale_for(language))


def _is_finite(value: int | float | Decimal) -> bool:
    return isinstance(value, int) or (
        value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
    )


def format_size(size: int, language: str | None = None) -> str:
    """A file's or a disk's size as the user reads it: bytes, KB, MB or GB, one decimal."""
    if size < 1024:
        return _("{n} bytes").format(n=format_number(size, language))
    for unit, power in ((_("{n} KB"), 1), (_("{n} MB"), 2)):
        if size < 1024 ** (power + 1):
            return unit.format(n=format_number(round(size / 1024**power, 1), language))
    return _("{n} GB").format(n=format_number(round(size / 1024**3, 1), language))


# Currencies a document names by a word (the national currency); others print their ISO code.
CURRENCY_UNITS = (DP_("currency unit", "KZT"),)


def format_amount(amount: int | float | Decimal, currency: str, language: str | None = None) -> str:
    """An amount as a document writes it: «2 500 000 теңге», «4 400 000 KRW», «1 250,50 USD».

    Babel's digits for the language; kopecks and cents only when the amount has them (no
    «,00» on a 2.5 million wage), and never rounded away (KRW has no minor unit, but a
    «1 234 567,5 KRW» on file is printed so); the currency as its unit word where the language
    writes one (the ``documents`` catalog's "currency unit" entries: теңге, тенге), else its
    ISO code.
    The code rather than a symbol, because ₩, ₸, ₺ are not in the PDF fonts and an official
    demand for payment must not be ambiguous between dollars.
    """
    from babel.numbers import format_decimal, get_currency_precision

    lang = language or current_language()
    code = currency.upper()
    value = Decimal(str(amount))
    whole = value == value.to_integral_value()
    # Never round what is recorded: an amount finer than the currency's unit (refused at entry
    # since, but on file from before) prints as it is, so a demand and its record agree.
    # (A float is a computed sum, not a record: its binary noise is rounded as before.)
    exponent = value.normalize().as_tuple().exponent
    finer = -exponent if isinstance(amount, Decimal) and isinstance(exponent, int) else 0
    digits = 0 if whole else max(get_currency_precision(code), min(finer, 4))
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    number = format_decimal(
        value, format=pattern, locale=locale_for(lang), decimal_quantization=True
    )
    unit = translator(DOCUMENTS_DOMAIN, lang).pgettext("currency unit", code)
    return f"{number}\u00a0{unit}"


def country_name(iso2: str, language: str | None = None) -> str:
    """The country's name from CLDR in the given language; the code itself if CLDR lacks it."""
    return locale_for(language).territories.get(iso2.upper(), iso2.upper())
