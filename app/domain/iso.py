"""ISO code sets from CLDR (babel): countries, currencies in use, languages.

One place for them, so a contract review, a case and a statistic accept the same codes.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from app.errors import ValidationError
from app.i18n import N_, _

# CLDR regions with two-letter codes that are not countries (unknown region, EU, UN, ...).
NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"})
UNKNOWN_COUNTRY = N_("{field}: “{value}” is not a known two-letter country code.")


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes of countries and territories."""
    from babel import Locale  # here: importing babel is paid when a code is first checked

    codes = {str(code) for code in Locale("en").territories if str(code).isalpha()}
    return frozenset(code for code in codes - NOT_COUNTRIES if len(code) == 2)


def checked_country(field: str, value: object) -> str:
    """``value`` as an ISO 3166-1 alpha-2 code (upper case); a code no country has is refused
    with the message every parser of a country gives."""
    code = value.strip().upper() if isinstance(value, str) else None
    if code not in country_codes():
        raise ValidationError(_(UNKNOWN_COUNTRY).format(field=field, value=value), field=field)
    return code


@cache
def current_currencies() -> frozenset[str]:
    """ISO 4217 codes that are legal tender somewhere today (no ESP, no TRL)."""
    from babel.core import get_global

    codes: set[str] = set()
    for currencies in get_global("territory_currencies").values():
        for code, _start, end, tender in currencies:
            if end is None and tender:
                codes.add(code)
    return frozenset(codes)


def minor_digits(currency: str) -> int:
    """The ISO 4217 exponent: digits after the decimal point (KRW, JPY 0; USD 2; KWD 3)."""
    from babel.numbers import get_currency_precision

    return int(get_currency_precision(currency.upper()))


def check_minor_units(amount: Decimal, currency: str, field: str) -> None:
    """Refuse an amount finer than its currency's smallest unit (1 234 567,50 KRW): a letter
    would have to round a demand for payment, or print a sum no one can pay."""
    digits = minor_digits(currency)
    exponent = amount.normalize().as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= -digits:
        return
    code = currency.upper()
    if digits == 0:
        message = _(
            "{currency} has no minor unit: write the amount as a whole number, not {value}."
        )
    else:
        message = _(
            "An amount in {currency} has at most {digits} digits after the decimal point, "
            "not {value}."
        )
    raise ValidationError(message.format(currency=code, digits=digits, value=amount), field=field)


@cache
def language_codes() -> frozenset[str]:
    """ISO 639-1 two-letter language codes."""
    from babel import Locale

    return frozenset(str(code) for code in Locale("en").languages if len(str(code)) == 2)


# Names legacy spreadsheets use beside CLDR's own (which are taken in Kazakh, Russian and
# English): long official forms and short everyday ones. «Корея» is the South: no Kazakhstani
# labour emigrant goes to the North.
COUNTRY_ALIASES: dict[str, str] = {
    "корея": "KR",
    "южная корея": "KR",
    "корея республикасы": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "turkey": "TR",
    "түркия республикасы": "TR",
    "турецкая республика": "TR",
    "оаэ": "AE",
    "объединенные арабские эмираты": "AE",
    "uae": "AE",
    "бұаэ": "AE",
    "рф": "RU",
    "российская федерация": "RU",
    "ресей федерациясы": "RU",
    "russian federation": "RU",
    "германия федеративтік республикасы": "DE",
    "великобритания": "GB",
    "англия": "GB",
    "uk": "GB",
    "сша": "US",
    "usa": "US",
    "кыргызстан": "KG",
    "киргизия": "KG",
}


def _name_key(name: str) -> str:
    return " ".join(name.casefold().replace("ё", "е").split())


@cache
def _countries_by_name() -> dict[str, str]:
    from babel import Locale

    found: dict[str, str] = {}
    for language in ("en", "ru", "kk"):
        for code, name in Locale.parse(language).territories.items():
            if code in country_codes():
                found.setdefault(_name_key(name), str(code))
    for alias, code in COUNTRY_ALIASES.items():
        found.setdefault(_name_key(alias), code)
    return found


def country_by_name(value: str) -> str | None:
    """The ISO code of a country written as a code (``KR``) or by its name in Kazakh, Russian
    or English («Оңтүстік Корея», «Республика Корея», «Южная Корея», "South Korea"); None if
    neither."""
    text = value.strip()
    if text.upper() in country_codes():
        return text.upper()
    return _countries_by_name().get(_name_key(text))
