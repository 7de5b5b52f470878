"""Errors that reach someone: the desktop's ``sys.excepthook`` and its log file.

An exception nobody caught (in a slot, a timer, a paint event) would otherwise vanish into a
console nobody looks at. The hook writes it to a rotating log in the platform's log folder
(``app.config.resolve_log_dir``) and shows one dialog with a report the user can copy into a
message to their administrator. Only the desktop installs it (``ui.app.run_desktop``); the CLI
prints one line per error and a traceback for a bug, as a command-line tool should.

What the log and the report hold, so that they can be sent anywhere: the exception's type, its
frames as ``file:line in function`` (project files relative to the project, libraries relative
to site-packages, so no home folder and no account name) and the same for each exception in its
chain; the Qorgau, Python, Qt and OS versions. What they never hold: exception messages (they
quote names, IINs, free text and SQL parameters), local variables, and the arguments of log
calls (the log keeps each call's fixed message template only). The dialog itself shows a
QorgauError's message: it is written for the user, who is looking at their own data.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import platform
import sys
import traceback
from datetime import UTC, datetime
from io import TextIOWrapper
from pathlib import Path
from types import TracebackType

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from app import __version__
from app.errors import QorgauError
from app.i18n import _
from app.resources import install_root
from app.security.private_files import FILE_MODE, make_private_dir

LOG_FILENAME = "qorgau.log"
MAX_LOG_BYTES = 1024 * 1024
LOG_BACKUPS = 4  # qorgau.log.1 … .4: about a month of a normal office's warnings
PROJECT_ROOT = install_root()
log = logging.getLogger(__name__)

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _short_path(filename: str) -> str:
    """A frame's file without the folders above the project or site-packages (which may name
    the user's account)."""
    path = Path(filename)
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except (ValueError, OSError):
        pass
    parts = path.parts
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            return "/".join(parts[parts.index(marker) + 1 :])
    return path.name


def _type_name(exc: BaseException) -> str:
    kind = type(exc)
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )


def describe(exc: BaseException) -> list[str]:
    """The exception and its chain as types and frames only: no message, no locals."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        lines.append(("caused by " if lines else "") + _type_name(current))
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"  {_short_path(frame.filename)}:{frame.lineno} in {frame.name}")
        cause = current.__cause__
        if cause is None and not current.__suppress_context__:
            cause = current.__context__
        current = cause
    return lines


def report_text(exc: BaseException) -> str:
    """What the dialog shows and the user copies: versions, time and ``describe(exc)``."""
    head = [
        f"Qorgau {__version__}",
        f"Python {platform.python_version()}, Qt {qVersion()}, PySide6 {pyside_version}, "
        f"{platform.system()} {platform.release()}",
        datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    ]
    return "\n".join([*head, *describe(exc)])


class PrivateFormatter(logging.Formatter):
    """A log line with the call's message template, never its arguments or the exception's
    message: ``log.warning("keyring read failed: %s", exc)`` is logged as written."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%d %H:%M:%S")
        line = f"{stamp} {record.levelname} {record.name}: {record.msg}"
        if record.exc_info and record.exc_info[1] is not None:
            line += "\n" + "\n".join(describe(record.exc_info[1]))
        return line


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every log file, the rotated ones too, created readable by the user only."""

    def _open(self) -> TextIOWrapper:
        return open(  # the handler owns the stream and closes it
            self.baseFilename,
            "a",
            encoding=self.encoding,
            errors=self.errors,
            opener=lambda path, flags: os.open(path, flags, FILE_MODE),
        )


class ErrorDialog(QDialog):
    """One uncaught error: what happened in words, and the report to copy."""

    def __init__(self, exc: BaseException, report: str, log_file: Path) -> None:
        super().__init__(None)
        self.setWindowTitle(_("Qorgau"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if isinstance(exc, QorgauError):
            text = str(exc)
        else:
            text = _(
                "Something went wrong inside Qorgau, and the last action may not have "
                "finished. Please copy the report below and send it to your administrator. "
                "It holds no names or other personal data; it is also kept in {path}."
            ).format(path=str(log_file))
        self.message = QLabel(text)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # a message may quote a name
        self.message.setWordWrap(True)
        self.report = QPlainTextEdit(report)
        self.report.setReadOnly(True)
        self.report.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("&Close"))
        self.copy_button = QPushButton(_("&Copy the report"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_report)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.report)
        layout.addWidget(buttons)
        self.resize(640, 360)

    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self.report.toPlainText())


class ErrorReporter:
    """The installed hook: logs every uncaught exception, shows at most one dialog at a time
    (an error repeating in a paint event must not bury the window under dialogs)."""

    def __init__(self, log_dir: Path) -> None:
        make_private_dir(log_dir)
        self.log_file = log_dir / LOG_FILENAME
        self.handler = PrivateRotatingFileHandler(
            self.log_file, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
        self.handler.setFormatter(PrivateFormatter())
        self.handler.setLevel(logging.WARNING)
        self.dialog: ErrorDialog | None = None
        self._previous_hook = sys.excepthook

    def __call__(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        log.error("uncaught exception", exc_info=(kind, exc, tb))
        if QApplication.instance() is None or self.dialog is not None:
            return
        self.dialog = ErrorDialog(exc, report_text(exc), self.log_file)
        self.dialog.destroyed.connect(self._dialog_closed)
        self.dialog.open()

    def _dialog_closed(self, _obj: object = None) -> None:
        self.dialog = None

    def install(self) -> ErrorReporter:
        root = logging.getLogger()
        root.addHandler(self.handler)
        if root.level == logging.NOTSET or root.level > logging.WARNING:
            root.setLevel(logging.WARNING)
        sys.excepthook = self
        return self

    def uninstall(self) -> None:
        sys.excepthook = self._previous_hook
        logging.getLogger().removeHandler(self.handler)
        self.handler.close()


def install(log_dir: Path) -> ErrorReporter:
    """Route uncaught exceptions to the log in ``log_dir`` and to one dialog."""
    return ErrorReporter(log_dir).install()
