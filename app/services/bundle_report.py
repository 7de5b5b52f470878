"""The words of a bundle import's outcome shared by the command line and the window."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.services.exchange import ImportReport


def import_counts(report: ImportReport) -> dict[str, str | int]:
    """The placeholders of the messages that sum an import up: the sending mission
    (``source``) and the records ``new``, ``updated``, ``unchanged``, ``newer`` here, and in
    ``conflicts``."""
    return {
        "source": report.source_mission,
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "newer": report.local_newer,
        "conflicts": report.conflicts,
    }
