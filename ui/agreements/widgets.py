"""Pieces the agreements pages share: the verified badge and a provision's card."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.agreements import unverified_marker
from app.i18n import _, current_language
from app.services.agreements import ProvisionInfo, category_labels

VERIFIED_STYLE = "color: #1b5e20; font-weight: bold;"
UNVERIFIED_STYLE = "color: #b3261e; font-weight: bold;"
CHIP_STYLE = "background: #e8eef7; color: #1f3b63; border-radius: 8px; padding: 1px 8px;"


def verified_text(verified: bool) -> str:
    if verified:
        return _("Verified against an official text")
    return _("Not verified: check the official text before relying on it")


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
        head = QHBoxLayout()
        self.article = QLabel(f"<b>{provision.article_label}</b>")
        head.addWidget(self.article)
        self.mark = QLabel()
        self.mark.setStyleSheet(UNVERIFIED_STYLE)
        self.mark.setVisible(not provision.verified)
        self.mark.setText(unverified_marker(current_language()))
        self.mark.setToolTip(verified_text(False))
        head.addWidget(self.mark)
        head.addStretch(1)
        layout.addLayout(head)
        self.summary = QLabel(provision.summary)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        chips = QHBoxLayout()
        self.chips: list[QLabel] = []
        for text in category_labels(provision.categories):
            chip = QLabel(text)
            chip.setStyleSheet(CHIP_STYLE)
            chips.addWidget(chip)
            self.chips.append(chip)
        chips.addStretch(1)
        layout.addLayout(chips)


def top_items(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    """The tree's top-level rows, in order."""
    items = (tree.topLevelItem(index) for index in range(tree.topLevelItemCount()))
    return [item for item in items if item is not None]
