"""Small dialogs shared by areas. All are opened with ``open()`` (window-modal, not a nested
event loop), so the caller continues in a callback and tests can drive them directly."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.i18n import _
from app.security.keyslots import check_password_strength
from ui.tasks import BackgroundTask, show_refusal
from ui.widgets.busy import BusyIndicator
from ui.widgets.common import ErrorLabel, lines_tall, screen_room, word_wrapped
from ui.widgets.plain import plain_label


def confirm(
    parent: QWidget,
    title: str,
    text: str,
    on_yes: Callable[[], object],
    yes_text: str = "",
    yes_default: bool = True,
    no_text: str = "",
) -> QMessageBox:
    """Ask a yes/no question without blocking; ``on_yes`` runs only on an explicit yes.
    ``yes_default=False`` where Enter pressed unread must not do it (throw work away);
    ``no_text`` where "Cancel" would seem to undo what was just done."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)  # the question may quote a name or file name
    yes = box.addButton(yes_text or _("Yes"), QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(no_text or _("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(yes if yes_default else cancel)

    def _answered() -> None:
        if box.clickedButton() is yes:
            on_yes()

    box.finished.connect(_answered)
    box.open()
    return box


def inform(parent: QWidget, title: str, text: str) -> QMessageBox:
    """Tell the user something without blocking the window (a nested event loop would)."""
    box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.open()
    return box


def focus_inputs(container: QWidget, include_disabled: bool = False) -> list[QWidget]:
    """The widgets in ``container`` that Tab can reach, in focus-chain order."""
    found: list[QWidget] = []
    widget = container.nextInFocusChain()
    while widget is not None and widget is not container and widget not in found:
        if (
            container.isAncestorOf(widget)
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and widget.isVisibleTo(container)
            and (include_disabled or widget.isEnabled())
        ):
            found.append(widget)
        widget = widget.nextInFocusChain()
    return found


class ShortScreenScroll(QScrollArea):
    """Its widget at full size wherever the screen has the room, scrolled where it has not.

    At 150 % display scaling a 1366×768 screen is 512 pixels high: the returnee's form
    (524) put the dialog's OK and Cancel below the screen's edge."""

    SHORTEST_LINES = 6  # how short the form may get before the dialog stops shrinking

    def __init__(self, layout: QFormLayout) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from field to field, as before
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        layout.setContentsMargins(0, 0, 0, 0)
        inner.setLayout(layout)
        self.setWidget(inner)
        # The dialog asks again for the sizes below when a label grows (a language switch, a
        # long error text): a scroll area tells its own layout nothing of its widget's changes.
        inner.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def _bar(self) -> int:
        return self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt name
        inner = self.widget()
        return inner.sizeHint() if inner is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt name
        inner = self.widget()
        if inner is None:
            return super().minimumSizeHint()
        needed = inner.minimumSizeHint()
        shortest = self.fontMetrics().lineSpacing() * self.SHORTEST_LINES
        return QSize(needed.width() + self._bar(), min(needed.height(), shortest))


def add_or_save_text(new: bool) -> Callable[[], str]:
    """The label of OK in a record's dialog: a new one is added, one on file saved."""
    return (lambda: _("Add")) if new else (lambda: _("Save changes"))


class ValidatingDialog(QDialog):
    """OK runs ``validate()``; a ValidationError is shown inside the dialog, which stays open.

    It opens with the cursor in its first field. The buttons are made before a subclass adds
    its fields, so they came first in the Tab order and OK had the focus: typing was lost
    and each Space confirmed the dialog again.
    """

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.form = QFormLayout()
        self.intro = word_wrapped(plain_label())  # may quote a file or person name
        self.intro.hide()
        self.error = ErrorLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(ShortScreenScroll(self.form), 1)
        layout.addWidget(self.error)
        self.busy = BusyIndicator()  # "Saving…" while the write runs (``writer``)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self._focus_placed = False
        self._write_task: BackgroundTask[object] | None = None
        self._ok_text: Callable[[], str] | None = None

    def set_ok_text(self, text: Callable[[], str]) -> None:
        """OK's label named for what it does (``text`` gives it in the current language)."""
        self._ok_text = text
        self._show_ok_text()

    def _show_ok_text(self) -> None:
        if self._ok_text is not None:
            self.ok_button().setText(self._ok_text())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt name
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange and self._ok_text is not None:
            # After the button box's own: it gives its standard buttons Qt's words again.
            QTimer.singleShot(0, self, self._show_ok_text)

    def set_intro(self, text: str) -> None:
        self.intro.setText(text)
        self.intro.setVisible(bool(text))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt name
        if not self._focus_placed:
            self._focus_placed = True
            self._buttons_last_and_first_field_focused()
            # As tall as the form needs, up to the screen (Qt opens a dialog at most two
            # thirds of the screen tall once its form can scroll); beyond, the form scrolls.
            # And as wide as its form's least: Qt also opens it at most two thirds of the
            # screen wide, and the fixed least width below keeps the layout from asking for
            # more, so the Kazakh reply dialog (625 pixels) was cut at the right on a screen
            # 910 wide (1366 at 150 %): its summary and its «remove the file» button.
            room = screen_room(self)
            # A least width set in characters (the returnee form's 117, 702 pixels in Kazakh)
            # gives way to a narrower screen: on a 1024 screen at 150 % (683 pixels) the
            # dialog's right edge, with Cancel, lay past it.
            self.setMinimumWidth(min(self.minimumWidth(), room.width()))
            width = min(max(self.width(), self.minimumSizeHint().width()), room.width())
            height = min(max(self.height(), self.sizeHint().height()), room.height())
            self.resize(width, height)
        super().showEvent(event)

    def _buttons_last_and_first_field_focused(self) -> None:
        # Disabled ones too: OK waits for a required field.
        buttons = [b for b in focus_inputs(self, True) if self.buttons.isAncestorOf(b)]
        fields = [w for w in focus_inputs(self) if not self.buttons.isAncestorOf(w)]
        if not fields:
            return
        chain = [fields[-1], *buttons]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        fields[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def ok_button(self) -> QPushButton:
        button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert button is not None
        return button

    def validate(self) -> None:
        """Raise ValidationError for bad input."""

    def writer(self) -> Callable[[], object] | None:
        """What OK writes once ``validate`` passed, made on the GUI thread from the fields and
        run on a pool thread (a busy database waits there, not in the window); the dialog
        waits for it and closes once it is on file. None: OK only checks."""
        return None

    def written(self, result: object) -> None:
        """What the write returned, on the GUI thread, before the dialog closes."""

    @property
    def writing(self) -> bool:
        return self._write_task is not None and self._write_task.running

    def accept(self) -> None:
        if self.writing or not self.error.passes(self.validate):
            return  # a second OK while the first is written, or bad input (said)
        write = self.writer()
        if write is None:
            super().accept()
            return
        items = (self.form.itemAt(i) for i in range(self.form.count()))
        fields = [w for item in items if item is not None and (w := item.widget()) is not None]
        task: BackgroundTask[object] = BackgroundTask(self, lambda _context: write())
        task.while_busy(*fields, self.buttons, indicator=self.busy, text=_("Saving…"))
        task.success(self._written).failure(self._refused)
        self._write_task = task.run_in_background()

    def _written(self, result: object) -> None:
        self.written(result)
        QDialog.accept(self)

    def _refused(self, exc: BaseException) -> None:
        show_refusal(self, self.error, exc)
        field = (
            self.field_widgets().get(exc.field or "") if isinstance(exc, ValidationError) else None
        )
        if field is not None:
            field.setFocus(Qt.FocusReason.OtherFocusReason)

    def field_widgets(self) -> dict[str, QWidget]:
        """The fields a refusal may name (``ValidationError.field``): it gets the focus."""
        return {}

    def typed(self) -> bool:
        """Whether the officer typed something Esc or Cancel would throw away (a dialog that
        takes free text says so); such a close is asked first."""
        return False

    def reject(self) -> None:
        if self.writing:  # the write goes on: the dialog closes when it is on file
            return
        if not self.typed():
            super().reject()
            return
        # Esc pressed by habit threw away a reason of a page: asked, Cancel the default.
        confirm(
            self,
            _("Discard what you typed?"),
            _("What you typed in this window is not saved. Close it and discard the text?"),
            lambda: QDialog.reject(self),
            _("Discard"),
            yes_default=False,
        )


class PasswordDialog(ValidatingDialog):
    """A new password typed twice."""

    def __init__(self, parent: QWidget | None, title: str, intro: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.set_intro(intro)
        self.password, self.repeat = password_field(), password_field()
        self.form.addRow(_("New &password:"), self.password)
        self.form.addRow(_("&Repeat it:"), self.repeat)

    def validate(self) -> None:
        check_passwords(self.password.text(), self.repeat.text())


def password_field() -> QLineEdit:
    """A line edit that hides what is typed (a password, a recovery key's new password)."""
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def check_passwords(password: str, repeat: str) -> None:
    check_password_strength(password)
    if password != repeat:
        raise ValidationError(lambda: _("The two passwords do not match."), field="password")


class ReasonDialog(ValidatingDialog):
    """A reason for a decision (status change, removal); required unless told otherwise.

    A required reason keeps OK disabled until one is typed: Enter or Space cannot confirm
    an empty one."""

    def __init__(
        self, parent: QWidget | None, title: str, intro: str = "", required: bool = True
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.set_intro(intro)
        self.required = required
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        lines_tall(self.reason, 5)
        self.form.addRow(_("&Reason:"), self.reason)
        if required:
            self.reason.textChanged.connect(self._allow_ok)
            self._allow_ok()

    def _allow_ok(self) -> None:
        self.ok_button().setEnabled(bool(self.text()))

    def text(self) -> str:
        return self.reason.toPlainText().strip()

    def validate(self) -> None:
        if self.required and not self.text():
            raise ValidationError(_("Give a reason."), field="reason")
