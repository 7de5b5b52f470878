"""Whether a case or contract is domestic work, and which instruments only such work invokes.

One rule for the contract review and the case's Applicable law (and the letters' default
citations), so that they never disagree on whether the Domestic Workers Convention applies.
"""

from __future__ import annotations

from collections.abc import Iterable

# The library's instruments only for domestic work (ILO C189): never cited for other jobs.
DOMESTIC_ONLY_INSTRUMENTS = frozenset({"ilo-c189"})
# ISIC Rev. 4 section T, "activities of households as employers" (Employer.sector).
DOMESTIC_SECTOR = "T"
# Words in a position that mean domestic work (English, Russian and Kazakh stems).
DOMESTIC_WORDS: tuple[str, ...] = (
    "domestic",
    "housemaid",
    "maid",
    "nanny",
    "housekeeper",
    "caregiver",
    "домработ",
    "домашн",
    "няня",
    "сиделк",
    "үй қызмет",
    "күтуші",
)


def is_domestic_work(positions: Iterable[str | None] = (), employer_sector: str = "") -> bool:
    """True when a position names domestic work or the employer is a household."""
    if employer_sector.strip().upper() == DOMESTIC_SECTOR:
        return True
    return any(
        word in (position or "").lower() for position in positions for word in DOMESTIC_WORDS
    )


def cited_for_work(instrument: str, domestic: bool) -> bool:
    """Whether an instrument of the library may be cited for this kind of work."""
    return domestic or instrument not in DOMESTIC_ONLY_INSTRUMENTS
