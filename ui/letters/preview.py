"""A PDF preview (QtPdf); a plain notice where QtPdf is missing. Printing: ``printing.py``."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QStackedLayout, QWidget

from app.i18n import _
from ui.palette import WARNING_STYLE
from ui.widgets.common import word_wrapped
from ui.widgets.plain import plain_label

try:  # QtPdf may be missing from a Qt build; the rest of the app works without it.
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPdfWidgets import QPdfView

    HAVE_QTPDF = True
except ImportError:  # pragma: no cover - depends on the installation
    HAVE_QTPDF = False


def approval_checks() -> QLabel:
    """Below a letter not yet issued: what the consul is asked to check before approving it
    (no facts, the Latin spelling, consent, sex), so its drafter sees it too. Hidden until
    ``show_checks`` has something to say."""
    checks = word_wrapped(plain_label())
    checks.setObjectName("letter_checks")
    checks.hide()
    return checks


def show_checks(checks: QLabel | ChecksPane, found: list[str]) -> None:
    checks.setText(_("Before approval, check:") + "\n" + "\n".join(f"• {w}" for w in found))
    checks.setVisible(bool(found))


class ChecksPane(QScrollArea):
    """The checks before approval across the register's width, above its buttons: beside the
    preview they were a column 150 pixels wide and 180 high, four words a line. As tall as its
    text at the width it has, up to ``max_lines`` lines; more scroll, so the register keeps
    its rows. Shown and hidden with its label (``show_checks``)."""

    def __init__(self, max_lines: int = 8) -> None:
        super().__init__()
        self.label = word_wrapped(plain_label())
        self.label.setObjectName("letter_checks")
        self.label.setStyleSheet(WARNING_STYLE)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.max_lines = max_lines
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.hide()

    def setText(self, text: str) -> None:  # noqa: N802 - as QLabel's, for ``show_checks``
        self.label.setText(text)
        self._fit_height()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        whole = self.label.heightForWidth(self.viewport().width())
        cap = self.max_lines * self.label.fontMetrics().lineSpacing()
        height = max(whole, self.label.minimumSizeHint().height())
        self.setFixedHeight(min(height, cap) + 2 * self.frameWidth())

    def text(self) -> str:
        return self.label.text()

    def needs_scrolling(self) -> bool:
        return self.label.height() > self.viewport().height()


class PdfPreview(QWidget):
    """Shows PDF bytes page after page; keeps the bytes for saving and printing."""

    def __init__(
        self, parent: QWidget | None = None, empty_hint: Callable[[], str] | None = None
    ) -> None:
        super().__init__(parent)
        self.content: bytes = b""
        # What to say while nothing is shown; a callable, so it follows the language.
        self.empty_hint = empty_hint or (lambda: _("Choose Preview to see the letter."))
        self._refusal: Callable[[], str] | None = None  # why nothing is shown, if refused
        self.notice = word_wrapped(plain_label())  # a refusal may quote what was typed
        self.notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout = QStackedLayout(self)
        self._layout.addWidget(self.notice)
        self._buffer: QBuffer | None = None
        if HAVE_QTPDF:
            self.document = QPdfDocument(self)
            self.view = QPdfView(self)
            self.view.setPageMode(QPdfView.PageMode.MultiPage)
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            self.view.setDocument(self.document)
            self._layout.addWidget(self.view)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        if not self.content:
            self.notice.setText((self._refusal or self.empty_hint)())
        elif not HAVE_QTPDF:
            self.notice.setText(
                _("The preview needs the PySide6-Pdf package; save the PDF to view it.")
            )

    def set_pdf(self, content: bytes) -> None:
        self.content = content
        self._refusal = None
        if not HAVE_QTPDF:
            self.retranslate_ui()
            return
        self.document.close()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(content))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(buffer)
        if self._buffer is not None:
            self._buffer.deleteLater()
        self._buffer = buffer  # the document reads from it for as long as it is shown
        self._layout.setCurrentWidget(self.view)

    def clear(self, refusal: Callable[[], str] | None = None) -> None:
        """Show nothing; ``refusal`` says why (else the empty hint), in the language of the
        moment."""
        self.content = b""
        self._refusal = refusal
        if HAVE_QTPDF:
            self.document.close()
        self._layout.setCurrentWidget(self.notice)
        self.retranslate_ui()

    def page_count(self) -> int:
        return self.document.pageCount() if HAVE_QTPDF and self.content else 0
