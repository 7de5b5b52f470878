"""The Help menu: the manual in the interface's language, the keyboard shortcuts, About.

The manual is Markdown under ``resources/help/<language>.md``, written by task ("register a
complaint"), not by screen. The shortcut list is read from the window's actual QActions and
QShortcuts when it opens, so it cannot drift from what the keys do.
"""

from __future__ import annotations

import html
import platform
from pathlib import Path

import PySide6
from PySide6.QtCore import QObject, QSize, Qt, QUrl, qVersion
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import text

from app import __version__
from app.config import RESOURCES_DIR
from app.i18n import DEFAULT_LANGUAGE, _, current_language, pgettext
from app.services.workspace import Workspace
from ui.widgets.common import chars_wide, open_at, word_wrapped
from ui.widgets.fields import CALENDAR_KEYS
from ui.widgets.file_dialogs import documents_folder

HELP_DIR = RESOURCES_DIR / "help"


def manual_path(language: str | None = None) -> Path:
    """The manual in ``language`` (the interface's), or in Kazakh when there is none."""
    path = HELP_DIR / f"{language or current_language()}.md"
    return path if path.is_file() else HELP_DIR / f"{DEFAULT_LANGUAGE}.md"


def _plain(action_text: str) -> str:
    """An action's menu text as a sentence: no accelerator ampersand, no trailing dots."""
    return action_text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".…")


def _native(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def shortcut_rows(window: QObject) -> list[tuple[str, str]]:
    """(keys, what they do) for every shortcut of ``window`` and its children, sorted."""
    rows: set[tuple[str, str]] = set()
    # The primary key only: a standard key also binds media keys (Save) no keyboard here has.
    for action in window.findChildren(QAction):
        description = _plain(action.text())
        if not action.shortcut().isEmpty() and description:
            rows.add((_native(action.shortcut()), description))
    for shortcut in window.findChildren(QShortcut):
        # The shortcut's whatsThis is its description's msgid (marked N_ where it is made).
        if not shortcut.key().isEmpty() and shortcut.whatsThis():
            rows.add((_native(shortcut.key()), _(shortcut.whatsThis())))
    # Keys of every date field, not actions of the window.
    rows.add((", ".join(CALENDAR_KEYS), _("Open the calendar of a date field")))
    # And of every list: its menu, which also reaches the columns a header's menu offers.
    menu_keys = ", ".join(_native(QKeySequence(k)) for k in (Qt.Key.Key_Menu, "Shift+F10"))
    rows.add((menu_keys, _("Open a list's menu: the row's actions, the columns shown")))
    return sorted(rows, key=lambda row: (row[1].casefold(), row[0]))


def _lay_out_with_close(dialog: QDialog, content: QWidget, width: int, height: int) -> None:
    """Lay ``dialog`` out as ``content`` above a Close button, at ``width`` × ``height``."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(content)
    layout.addWidget(buttons)
    open_at(dialog, QSize(width, height))


class HelpDialog(QDialog):
    """The manual: Markdown in a browser that opens links to the web outside."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        _lay_out_with_close(self, self.browser, 760, 620)
        self.retranslate_ui()

    def retranslate_ui(self, _language: str | None = None) -> None:
        self.setWindowTitle(_("Qorgau manual"))
        self.browser.setMarkdown(manual_path().read_text(encoding="utf-8"))


class ShortcutsDialog(QDialog):
    """The keyboard shortcuts of ``window``, as it has them now."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle(_("Keyboard shortcuts"))
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels([pgettext("keyboard", "Keys"), _("Action")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (keys, description) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(description))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        _lay_out_with_close(self, self.table, 560, 460)


def sqlcipher_version(workspace: Workspace) -> str:
    with workspace.read() as session:
        return str(session.execute(text("PRAGMA cipher_version")).scalar() or "?")


def versions(workspace: Workspace) -> list[tuple[str, str]]:
    """(component, version) of what this copy of Qorgau runs on."""
    return [
        ("Qorgau", __version__),
        ("Python", platform.python_version()),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("SQLCipher", sqlcipher_version(workspace)),
    ]


def about_text() -> str:
    return _(
        "Qorgau helps the labour attachés and consular officers of the Republic of "
        "Kazakhstan protect Kazakhstani labour emigrants."
    )


def about_html(workspace: Workspace) -> str:
    """What About shows: the purpose, the versions, the data folder and the files' folder."""
    data_dir = workspace.paths.data_dir
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(version)}</td></tr>"
        for name, version in versions(workspace)
    )
    folder_url = QUrl.fromLocalFile(str(data_dir)).toString()
    # Translated outside the f-string: the message extractor does not look inside one.
    data_label = _("Data folder:")
    files_label = _("Files are saved to and opened from:")
    return (
        f"<h3>Qorgau {html.escape(__version__)}</h3>"
        f"<p>{html.escape(about_text())}</p>"
        f"<table cellspacing='0' cellpadding='2'>{rows}</table>"
        f"<p>{html.escape(data_label)} "
        f"<a href='{html.escape(folder_url)}'>{html.escape(str(data_dir))}</a></p>"
        f"<p>{html.escape(files_label)} "
        f"{html.escape(str(documents_folder()))}</p>"
    )


class AboutDialog(QDialog):
    """What Qorgau is, the versions it runs on, and where this installation keeps its data."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("About Qorgau"))
        self.text = word_wrapped(QLabel(about_html(workspace)))
        self.text.setOpenExternalLinks(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.setMinimumWidth(chars_wide(self, 77))  # 460 pixels at 9 pt
