"""A country chooser with CLDR names in the interface language, sorted as people read them."""

from __future__ import annotations

from functools import cache, lru_cache

from babel import Locale
from PySide6.QtCore import QCollator, QLocale
from PySide6.QtWidgets import QComboBox, QWidget

from app.i18n import country_name, current_language
from ui.widgets.common import keep_narrow

# CLDR territories that are not countries one can work in.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})
NAME_CHARS = 18


@cache
def all_country_codes() -> tuple[str, ...]:
    codes = [str(c) for c in Locale.parse("en").territories]
    return tuple(c for c in codes if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES)


def sorted_countries(codes: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    """(code, name) in the current language, in that language's alphabetical order."""
    return list(_sorted_countries(tuple(codes), current_language(), QLocale().name()))


# The main window fills four country lists as it opens, each sorting some 250 names by
# collation keys (7 ms): sorted once per language and list.
@lru_cache(maxsize=32)
def _sorted_countries(
    codes: tuple[str, ...], language: str, locale: str
) -> tuple[tuple[str, str], ...]:
    collator = QCollator(QLocale(locale))
    named = [(code, country_name(code, language)) for code in codes]
    named.sort(key=lambda pair: collator.sortKey(pair[1]))
    return tuple(named)


class CountryCombo(QComboBox):
    """``codes`` limits the choice (e.g. countries that have cases); ``any_text`` adds an
    "any country" first entry with the data ``""``."""

    def __init__(
        self,
        codes: list[str] | None = None,
        any_text: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        # Sized by a country name's usual length, not by the longest of some 250 (which made
        # the Agreements area wider than a 1366-pixel screen); the open list widens to fit.
        keep_narrow(self, NAME_CHARS)
        self._codes = list(codes) if codes is not None else list(all_country_codes())
        self._any_text = any_text
        self.refill()

    def set_codes(self, codes: list[str]) -> None:
        self._codes = list(codes)
        self.refill()

    def set_any_text(self, text: str) -> None:
        self._any_text = text
        if self.count() and self.itemData(0) == "":
            self.setItemText(0, text)

    def code(self) -> str:
        return str(self.currentData() or "")

    def set_code(self, code: str) -> None:
        index = self.findData(code.upper() if code else "")
        if index >= 0:
            self.setCurrentIndex(index)

    def refill(self) -> None:
        """Rebuild the names (after a language switch), keeping the chosen country."""
        chosen = self.code()
        blocked = self.blockSignals(True)  # a caller's own blocking outlasts the refill
        self.clear()
        if self._any_text is not None:
            self.addItem(self._any_text, "")
        for code, name in sorted_countries(self._codes):
            self.addItem(name, code)
        self.blockSignals(blocked)
        index = self.findData(chosen) if chosen or self._any_text is not None else -1
        self.setCurrentIndex(max(index, 0))
