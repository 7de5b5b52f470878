"""Pieces the agreements pages share: the verified badge and a provision's card."""

from __future__ import annotations

import html
import re
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.agreements import unverified_marker
from app.i18n import _, current_language, format_date
from app.services.agreements import ProvisionInfo, category_labels
from ui.palette import ACCENT, ACCENT_SOFT, ERROR_TEXT, SUCCESS_TEXT
from ui.widgets.common import word_wrapped
from ui.widgets.flow import FlowLayout
from ui.widgets.plain import plain_label

VERIFIED_STYLE = f"color: {SUCCESS_TEXT}; font-weight: bold;"
UNVERIFIED_STYLE = f"color: {ERROR_TEXT}; font-weight: bold;"
CHIP_STYLE = f"background: {ACCENT_SOFT}; color: {ACCENT}; border-radius: 8px; padding: 1px 8px;"


def verified_text(verified: bool) -> str:
    if verified:
        return _("Verified against an official text")
    return _("Not verified: check the official text before relying on it")


# A web address in a source: up to a space or the ";" that separates two sources.
_ADDRESS = re.compile(r"https?://[^\s;]+")


def source_html(source: str, checked_on: date | None = None) -> str:
    """A source as rich text: its web addresses as links, with the date it was checked."""
    if not source:
        return html.escape(_("No source recorded."))
    # Addresses are found in the plain text, then each piece escaped: found after escaping,
    # an address with "&" in its query would be cut at "&amp".
    pieces: list[str] = []
    end = 0
    for found in _ADDRESS.finditer(source):
        address = html.escape(found.group(0))
        pieces += [html.escape(source[end : found.start()]), f'<a href="{address}">{address}</a>']
        end = found.end()
    linked = "".join(pieces) + html.escape(source[end:])
    if checked_on is not None:
        linked += " " + html.escape(_("(checked on {date})").format(date=format_date(checked_on)))
    return linked


class SourceLabel(QLabel):
    """Where a fact can be checked, with clickable links (opened in the browser)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setOpenExternalLinks(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)

    def set_source(self, source: str, checked_on: date | None = None) -> None:
        self.setText(source_html(source, checked_on))


class VerifiedBadge(QLabel):
    """Says, in words and colour, whether an item was checked against an official text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verified_badge")
        self.verified = False
        self.setWordWrap(True)

    def set_verified(self, verified: bool) -> None:
        self.verified = verified
        self.setText(("✔ " if verified else "⚠ ") + verified_text(verified))
        self.setStyleSheet(VERIFIED_STYLE if verified else UNVERIFIED_STYLE)


class ProvisionCard(QFrame):
    """One provision: its article, the unverified mark, its summary and category chips."""

    def __init__(self, provision: ProvisionInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.provision = provision
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        # The mark under the article where the pane is narrow: side by side they kept the
        # document's pane 341 pixels wide in Kazakh («97-баптың 3-тармағы (тексерілмеген)»).
        head = FlowLayout()
        self.article = plain_label(provision.article_label)
        self.article.setStyleSheet("font-weight: bold;")
        head.addWidget(self.article)
        self.mark = QLabel()
        self.mark.setStyleSheet(UNVERIFIED_STYLE)
        if provision.verified:
            self.mark.hide()
        self.mark.setText(unverified_marker(current_language()))
        self.mark.setToolTip(verified_text(False))
        head.addWidget(self.mark)
        layout.addLayout(head)
        self.summary = word_wrapped(plain_label(provision.summary))
        layout.addWidget(self.summary)
        self.source = SourceLabel()
        self.source.setObjectName("provision_source")
        self.source.setText(
            html.escape(_("Source:")) + " " + source_html(provision.source, provision.checked_on)
        )
        layout.addWidget(self.source)
        chips = FlowLayout()
        self.chips: list[QLabel] = []
        for text in category_labels(provision.categories):
            # On two lines where the pane is narrower: one line of the longest (325 pixels in
            # Kazakh at 150 %) kept the library wider than a 1366 screen.
            chip = word_wrapped(plain_label(text))
            chip.setStyleSheet(CHIP_STYLE)
            chips.addWidget(chip)
            self.chips.append(chip)
        layout.addLayout(chips)


def top_items(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    """The tree's top-level rows, in order."""
    items = (tree.topLevelItem(index) for index in range(tree.topLevelItemCount()))
    return [item for item in items if item is not None]
