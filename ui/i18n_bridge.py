"""Switching the interface language at once: gettext, Qt's own translations, widgets' texts.

Widgets connect ``language_changed`` to their ``retranslate_ui()``; Qt disconnects a slot by
itself when its widget is destroyed, so nothing here needs to be reset between windows. Every
switch also reaches each widget as Qt's LanguageChange event, so a widget that keeps its own
text (``ErrorLabel``'s refusal) re-says it without its page's help.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLibraryInfo,
    QLocale,
    QObject,
    QTranslator,
    Signal,
)

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
        if not self._install_qt_translator(language):
            self._post_language_change()
        QLocale.setDefault(QLocale(QT_LOCALES[language]))
        self.language_changed.emit(language)

    def _install_qt_translator(self, language: str) -> bool:
        """Qt's translator for ``language``; whether one was removed or installed (Qt then
        posts LanguageChange to every window itself)."""
        app = QCoreApplication.instance()
        if app is None:
            return False
        changed = False
        if self._qt_translator is not None:
            app.removeTranslator(self._qt_translator)
            self._qt_translator = None
            changed = True
        if language == "en":
            return changed  # Qt's source strings are English
        translator = QTranslator(self)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load(f"qtbase_{language}", folder):
            app.installTranslator(translator)
            self._qt_translator = translator
            changed = True
        return changed

    @staticmethod
    def _post_language_change() -> None:
        """LanguageChange to every window where no translator changed (English from English
        at start, a Qt without the language's catalog): the application passes it on."""
        app = QCoreApplication.instance()
        if app is not None:
            QCoreApplication.postEvent(app, QEvent(QEvent.Type.LanguageChange))
