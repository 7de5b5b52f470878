"""Text larger than the body's (titles, the navigation, a key to copy) sized relative to the
application's font, so that it follows the system's text size.

A style sheet's ``font-size: 16pt`` stayed 16 points when an officer set the system's text to
150 %, while the text around it grew: titles ended smaller than the fields under them. The
scales below are the old point sizes over Windows' usual 9 pt, so nothing changes at 100 %.
"""

from __future__ import annotations

import gc
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import isValid

GREETING = 18 / 9  # the start page's greeting
PAGE_TITLE = 16 / 9  # an area's or a screen's title (Cases, Settings, sign-in)
RECORD_TITLE = 15 / 9  # the open record's heading (a case, an agreement, a register)
KEY_TEXT = 14 / 9  # a recovery key or code to copy down by hand
SUBTITLE = 11 / 9  # a line under a title (the mission under the greeting)
NAVIGATION = 10.5 / 9  # the areas' list

USUAL_POINTS = 9.0  # Windows' usual body text, the size every scale here is measured from

W = TypeVar("W", bound=QWidget)


def text_scale() -> float:
    """How much larger than the usual 9 pt the application's text is (1 at most sizes under
    it): widths made for the usual text (the navigation's) grow by as much."""
    return max(1.0, QApplication.font().pointSizeF() / USUAL_POINTS)


class ApplicationFontWatch(QObject):
    """Says when the application's font changed. Qt sends that event to the application and
    its windows only, and a widget whose size is set (such as a title in a page) hears
    nothing, its font masking the application's. The application's own signal is used, not
    an event filter: a filter on the application is a Python call for every event of every
    widget."""

    changed = Signal()


def application_font_watch(app: QCoreApplication) -> ApplicationFontWatch:
    """The one watch on ``app``, made by the first caller."""
    watch = app.findChild(ApplicationFontWatch, "", Qt.FindChildOption.FindDirectChildrenOnly)
    if watch is None:
        watch = ApplicationFontWatch(app)
        if isinstance(app, QGuiApplication):
            app.fontChanged.connect(watch.changed)
        # From the event loop, not while the change is said: a window being destroyed can
        # hear it (a font event sent while its widgets go), and listing every widget then
        # wrapped a half-destroyed one (a crash). One restyle for a burst of changes.
        restyle = QTimer(watch)
        restyle.setSingleShot(True)
        restyle.setInterval(0)
        restyle.timeout.connect(restyle_sheeted_widgets)
        watch.changed.connect(restyle.start)
    return watch


def restyle_sheeted_widgets() -> None:
    """Widgets with a style sheet of their own (a warning's colours, a muted date) keep the
    font they had when the application's font changes: Qt resolved it with their sheet and
    does not again. Polished anew, they take the new size; a font set on the widget (a
    title's) stays its own.

    No garbage collection while the list is wrapped: ``allWidgets`` hands over C++ pointers
    that are wrapped one by one, and a collection in between that frees a Python-owned widget
    deletes its children, still in the list (a crash)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        widgets = QApplication.allWidgets()
    finally:
        if collecting:
            gc.enable()
    for widget in widgets:
        # One freed meanwhile (by a collection once the list was whole) is passed over.
        if isValid(widget) and widget.styleSheet():
            style = widget.style()
            style.unpolish(widget)
            style.polish(widget)


class RelativeFont(QObject):
    """Keeps its widget's font ``scale`` times the application's (for the widget's class),
    again whenever the application's font changes; other attributes stay the widget's."""

    def __init__(self, widget: QWidget, scale: float, weight: QFont.Weight | None) -> None:
        super().__init__(widget)
        self.widget = widget
        self.scale = scale
        self.weight = weight
        app = QCoreApplication.instance()
        if app is not None:  # gone with this object (a child of the widget): no dangling slot
            application_font_watch(app).changed.connect(self.apply)
        self.apply()

    def apply(self) -> None:
        font = self.widget.font()
        font.setPointSizeF(QApplication.font(self.widget).pointSizeF() * self.scale)
        if self.weight is not None:
            font.setWeight(self.weight)
        self.widget.setFont(font)


def sized_text(widget: W, scale: float, weight: QFont.Weight | None = None) -> W:
    """``widget`` with its text ``scale`` times the application's, following its changes."""
    RelativeFont(widget, scale, weight)
    return widget


def heading(widget: W, scale: float = PAGE_TITLE) -> W:
    """``widget`` as a title: semi-bold, ``scale`` times the application's text."""
    return sized_text(widget, scale, QFont.Weight.DemiBold)
