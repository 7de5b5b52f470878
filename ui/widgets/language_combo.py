"""A language chooser: CLDR names in the interface language, stored as ISO 639-1 codes."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QCollator, QLocale, Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from app.domain.iso import language_codes
from app.domain.occupations import language_name, language_of
from app.i18n import current_language
from ui.widgets.common import keep_narrow

NAME_CHARS = 14
# First in the list, above a separator: the interface's languages, then those of the host
# countries our missions work in (Korea, Türkiye, the Gulf, Germany, Israel, Kyrgyzstan):
# found among some 184 names, a contract's language took a long scroll or a typed name.
OWN_LANGUAGES = ("kk", "ru", "en")
HOST_LANGUAGES = ("ko", "tr", "ar", "de", "he", "ky")


@lru_cache(maxsize=8)
def sorted_languages(language: str, locale: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of every language, named in ``language`` in its alphabetical order."""
    collator = QCollator(QLocale(locale))
    named = [(code, language_name(code, language)) for code in language_codes()]
    named.sort(key=lambda pair: collator.sortKey(pair[1]))
    return tuple(named)


def common_languages(language: str, locale: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of the languages listed first: kk, ru, en in that order, then the host
    countries' languages in ``language``'s alphabetical order."""
    named = dict(sorted_languages(language, locale))
    hosts = [(code, name) for code, name in named.items() if code in HOST_LANGUAGES]
    return (*((code, named[code]) for code in OWN_LANGUAGES), *hosts)


class LanguageCombo(QComboBox):
    """Pick a language by name, or type its name in Kazakh, Russian or English (корей тілі,
    корейский, Korean) or its code: the field asked for «ko», and refused a name."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        # Enter on a typed name chooses it; it must not add the typed text to the list.
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        keep_narrow(self, NAME_CHARS)
        completer = QCompleter(self.model(), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.refill()

    def code(self) -> str | None:
        """The chosen or typed language's code; None for an empty field; a text that names
        no language as typed, for the review to refuse in the form's words."""
        text = self.currentText().strip()
        if not text:
            return None
        index = self.findText(text, Qt.MatchFlag.MatchFixedString)
        if index > 0:
            return str(self.itemData(index))
        return language_of(text) or text

    def set_code(self, code: str | None) -> None:
        index = self.findData(code) if code else 0
        if index >= 0:
            self.setCurrentIndex(index)
        else:  # a code CLDR does not name: shown as stored
            self.setEditText(code or "")

    def refill(self) -> None:
        """The names in the interface language (after a switch), keeping the chosen one."""
        chosen, typed = self.code(), self.currentText()
        blocked = self.blockSignals(True)
        self.clear()
        self.addItem("", "")
        language, locale = current_language(), QLocale().name()
        first = common_languages(language, locale)
        for code, name in first:
            self.addItem(name, code)
        self.insertSeparator(self.count())
        listed = {code for code, _name in first}
        for code, name in sorted_languages(language, locale):
            if code not in listed:
                self.addItem(name, code)
        self.blockSignals(blocked)
        if chosen and self.findData(chosen) > 0:
            self.set_code(chosen)
        else:
            self.setEditText(typed)  # left as typed, to be corrected
