"""Make the English catalog complete: each message's translation is its source text.

Run by ``make translations`` after the catalogs are updated. English is the source language,
so this only records that every message has been seen; other languages are translated by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGS = [
    Path(__file__).resolve().parent / "en" / "LC_MESSAGES" / f"{domain}.po"
    for domain in ("messages", "documents")
]


def main() -> int:
    for path in CATALOGS:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale="en")
        for message in catalog:
            if not message.id:
                continue
            message.string = message.id if isinstance(message.id, str) else tuple(message.id)
            message.flags.discard("fuzzy")
        with path.open("wb") as handle:
            write_po(handle, catalog, omit_header=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
