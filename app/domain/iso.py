"""ISO code sets from CLDR (babel): countries, currencies in use, languages.

One place for them, so a contract review, a case and a statistic accept the same codes.
"""

from __future__ import annotations

from functools import cache

# CLDR regions with two-letter codes that are not countries (unknown region, EU, UN, ...).
NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"})


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes of countries and territories."""
    from babel import Locale  # here: importing babel is paid when a code is first checked

    codes = {str(code) for code in Locale("en").territories if str(code).isalpha()}
    return frozenset(code for code in codes - NOT_COUNTRIES if len(code) == 2)


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


@cache
def language_codes() -> frozenset[str]:
    """ISO 639-1 two-letter language codes."""
    from babel import Locale

    return frozenset(str(code) for code in Locale("en").languages if len(str(code)) == 2)
