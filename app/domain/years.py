"""A year written with two digits, read the same way by the forms and the spreadsheet import.

A birth date's year is the latest that leaves the worker of working age (Labour Code of the
Republic of Kazakhstan, art. 31: a contract from 14 with a parent's consent); any other date's
is the latest not more than ten years ahead (a follow-up, a contract's end).
"""

from __future__ import annotations

from datetime import date

YOUNGEST_WORKER = 14
YEARS_AHEAD = 10


def full_year(two_digits: int, birth: bool = False, today: date | None = None) -> int:
    """The four-digit year ``two_digits`` (0–99) stands for: 94 → 1994, 31 → 2031; for a
    birth date 30 → 1930 (read as 2030, «01.01.30» was refused as born in the future) and
    20 → 1920 (a child of six is no worker)."""
    this_year = (today or date.today()).year
    latest = this_year - YOUNGEST_WORKER if birth else this_year + YEARS_AHEAD
    candidate = latest // 100 * 100 + two_digits
    return candidate if candidate <= latest else candidate - 100
