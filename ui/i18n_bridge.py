"""Switching the interface language at once: gettext, Qt's own translations, widgets' texts.

Widgets connect ``language_changed`` to their ``retranslate_ui()``; Qt disconnects a slot by
itself when its widget is destroyed, so nothing here needs to be reset between windows.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator, Signal

from app.i18n import LANGUAGES, current_language, set_language

# Each language's name written in that language, so a user can always find their own.
LANGUAGE_NAMES: dict[str, str] = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
QT_LOCALES: dict[str, str] = {"kk": "kk_KZ", "ru": "ru_RU", "en": "en_GB"}


class LanguageBridge(QObject):
    """Owns Qt's translator for stock dialogs and tells widgets when the language changes."""

    language_changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._qt_translator: QTranslator | None = None

    @property
    def language(self) -> str:
        return current_language()

    def set_language(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language: {language}")
        set_language(language)
        self._install_qt_translator(language)
        QLocale.setDefault(QLocale(QT_LOCALES[language]))
        self.language_changed.emit(language)

    def _install_qt_translator(self, language: str) -> None:
        app = QCoreApplication.instance()
        if app is None:
            return
        if self._qt_translator is not None:
            app.removeTranslator(self._qt_translator)
            self._qt_translator = None
        if language == "en":
            return  # Qt's source strings are English
        translator = QTranslator(self)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load(f"qtbase_{language}", folder):
            app.installTranslator(translator)
            self._qt_translator = translator
