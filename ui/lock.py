"""Locking the window after a period without input, and unlocking it with the user's password.

``IdleLock`` watches input events application-wide (an event filter on QApplication) and
fires ``timed_out`` after the configured delay. ``LockScreen`` is what the main window shows
instead of its content until the logged-in user types their password again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.config import Paths
from app.errors import AuthError, QorgauError
from app.i18n import _
from app.security.keyslots import KeySlotStore
from app.security.login_guard import with_wait
from ui.i18n_bridge import LanguageBridge
from ui.tasks import BackgroundTask, show_error
from ui.widgets.common import ErrorLabel, chars_wide, word_wrapped
from ui.widgets.plain import plain_label
from ui.widgets.text_size import heading

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleLock(QObject):
    """Emits ``timed_out`` when no key, mouse or touch input arrived for ``timeout_ms``."""

    timed_out = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # A coarse timer may be off by 5%, half a minute on a 10-minute lock.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self.timed_out)
        self._installed = False

    @property
    def timeout_ms(self) -> int:
        return self._timer.interval()

    def set_timeout_ms(self, timeout_ms: int) -> None:
        self._timer.setInterval(timeout_ms)
        if self._timer.isActive():
            self._timer.start()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() in INPUT_EVENTS and self._timer.isActive():
            self._timer.start()
        return False


class LockScreen(QWidget):
    """Asks the logged-in user for their password; ``unlocked`` once it is right."""

    unlocked = Signal()

    def __init__(
        self,
        paths: Paths,
        username: str,
        bridge: LanguageBridge,
        prove: Callable[[str], object] | None = None,
    ) -> None:
        """``prove(password)`` raises unless the window may unlock (the main window's checks
        the account again and counts wrong passwords); by default the key slot alone."""
        super().__init__()
        self.paths = paths
        self.username = username
        self._prove = prove or (
            lambda password: KeySlotStore(paths.keyslots).unlock(username, password)
        )
        self._task: BackgroundTask[object] | None = None

        icon = QLabel()
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(48, 48)
        )
        icon.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.title = QLabel()
        heading(self.title)
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.explanation = word_wrapped(plain_label())
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.try_unlock)
        self.unlock_button = QPushButton()
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.try_unlock)
        self.error = ErrorLabel()
        self.error.setAlignment(Qt.AlignmentFlag.AlignHCenter)

        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.unlock_button)
        box = QWidget()
        # A fixed width: given only a maximum, the centred box took its narrower size hint and
        # the wrapped explanation lost its last line ("…Enter the password of" and no name).
        # Counted in characters, so that a larger text size gets a wider box, not more lines.
        box.setFixedWidth(chars_wide(box, 70))
        inner = QVBoxLayout(box)
        for widget in (icon, self.title, self.explanation):
            inner.addWidget(widget)
        inner.addLayout(row)
        inner.addWidget(self.error)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        bridge.language_changed.connect(self.retranslate_ui)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.title.setText(_("Qorgau is locked"))
        self.explanation.setText(
            _(
                "The window was locked to protect personal data. Enter the password of {user}."
            ).format(user=self.username)
        )
        self.password.setPlaceholderText(_("Password"))
        self.unlock_button.setText(_("&Unlock"))
        self.error.retranslate()

    def prepare(self) -> None:
        """Called each time the window locks: an empty field with the focus."""
        self.password.clear()
        self.error.clear_message()
        self.password.setEnabled(True)
        self.unlock_button.setEnabled(True)
        self.password.setFocus()

    def say_sign_in_to_close(self) -> None:
        """The window was asked to close while work in it is unsaved: not asked about here."""
        self.error.show_message(
            lambda: _(
                "Sign in to close Qorgau: the work open in it is not saved yet, and only you "
                "may save or discard it."
            )
        )
        self.password.setFocus()

    def try_unlock(self) -> None:
        if self._task is not None and self._task.running:
            return
        password = self.password.text()
        if not password:
            self.error.show_message(lambda: _("Enter your password."))
            return
        self.password.setEnabled(False)
        self.unlock_button.setEnabled(False)
        prove = self._prove
        # Key derivation takes a noticeable moment on purpose: keep it off the GUI thread.
        self._task = (
            BackgroundTask(self, lambda _ctx: prove(password))
            .success(lambda _key: self._succeeded())
            .failure(self._failed)
            .run_in_background()
        )

    def _succeeded(self) -> None:
        self.password.clear()
        self.error.clear_message()
        self.unlocked.emit()

    def _failed(self, exc: BaseException) -> None:
        self.password.setEnabled(True)
        self.unlock_button.setEnabled(True)
        self.password.clear()
        self.password.setFocus()
        if isinstance(exc, AuthError):
            # The growing delay after wrong passwords is said: else the next try just hangs.
            wait_s = exc.wait_s
            self.error.show_message(
                lambda: with_wait(_("Wrong password. The window stays locked."), wait_s)
            )
        elif isinstance(exc, QorgauError):
            self.error.show_message(lambda: str(exc))
        else:
            show_error(self, exc)
