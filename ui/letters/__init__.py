"""The Letters area: the outgoing register, the letter editor with its PDF preview."""

from __future__ import annotations

from PySide6.QtWidgets import QStyle, QWidget

from app.i18n import _
from ui.main_window import MainWindow


def register(window: MainWindow) -> None:
    """Add the Letters area; its page (and QtPdf, reportlab) loads when first shown."""

    def page(main: MainWindow) -> QWidget:
        from ui.letters.page import LettersPage

        letters = LettersPage(main.workspace, main.bridge)
        # Approving, issuing, discarding and replies say what they did, as saving a case does.
        letters.status_message.connect(lambda text: main.statusBar().showMessage(text, 5000))
        return letters

    window.register_area(
        "letters",
        lambda: _("Letters"),
        page,
        QStyle.StandardPixmap.SP_FileDialogContentsView,
    )
