"""Statistical disclosure control for case-level data given to partners.

Every combination of quasi-identifiers (what someone who knows the person could know: the year,
gender, citizenship, country, industry...) must be shared by at least ``k`` released rows
(k-anonymity). Rows in smaller groups are generalised first, one quasi-identifier after the
other in the order given (its value withheld, written as empty); rows still in a group smaller
than ``k`` once every quasi-identifier is withheld are suppressed; values are then given back
wherever k still holds (``_restore``). The released rows are then shuffled with the operating
system's random source, so the position of a row says nothing about the case (the database
gives cases in the order they were entered).
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from app.domain.coarse import Coarse

Row = dict[str, str]
WITHHELD = ""
Key = tuple[str, ...]


@dataclass(frozen=True)
class DisclosureSummary:
    k: int
    quasi_identifiers: tuple[str, ...]
    rows_in: int
    rows_released: int
    rows_suppressed: int
    # (column, values withheld in the released rows), in the order the columns are given up
    generalised: tuple[tuple[str, int], ...]
    smallest_group: int  # of the released rows; 0 when nothing is released


def k_anonymise(
    rows: Sequence[Mapping[str, str]], steps: Sequence[Sequence[str]], k: int
) -> tuple[list[Row], DisclosureSummary]:
    """Rows in which every quasi-identifier group has at least ``k`` members, shuffled.

    ``steps`` lists the quasi-identifiers in the order they are given up; columns of one step
    are withheld together (a referral's date and its reason: one without the other still tells).
    """
    if k < 2:
        raise ValueError("k-anonymity needs k >= 2")
    columns = tuple(c for step in steps for c in step)
    work = [dict(row) for row in rows]

    def key(row: Row) -> Key:
        return tuple(row[c] for c in columns)

    for step in steps:
        sizes = Counter(key(row) for row in work)
        small = [row for row in work if sizes[key(row)] < k]
        if not small:
            break
        if len({tuple(row[c] for c in step) for row in work}) < 2:
            continue  # one value for all (every citizenship KZ): withholding it hides nothing
        for row in small:
            for column in step:
                row[column] = WITHHELD
    sizes = Counter(key(row) for row in work)
    kept = [index for index, row in enumerate(work) if sizes[key(row)] >= k]
    sizes = _restore([(rows[i], work[i]) for i in kept], steps, key, k)
    withheld = Counter(
        c for i in kept for c in columns if rows[i][c] != WITHHELD and work[i][c] == WITHHELD
    )
    released = [work[i] for i in kept]
    secrets.SystemRandom().shuffle(released)
    summary = DisclosureSummary(
        k=k,
        quasi_identifiers=columns,
        rows_in=len(work),
        rows_released=len(released),
        rows_suppressed=len(work) - len(released),
        generalised=tuple((c, withheld[c]) for c in columns if withheld[c]),
        smallest_group=min((sizes[key(row)] for row in released), default=0),
    )
    return released, summary


def _restore(
    pairs: Sequence[tuple[Mapping[str, str], Row]],
    steps: Sequence[Sequence[str]],
    key: Callable[[Row], Key],
    k: int,
) -> Counter[Key]:
    """Give withheld values back where k still holds: withholding went by whole small groups,
    then merged them, and the merged group can often be split again. For each group and each
    step (the most useful values first), the rows sharing an original value get it back when
    they are at least k, as long as the rows left withheld are none or at least k.
    Returns the group sizes of the released rows."""
    for step in reversed(steps):
        groups: dict[Key, list[tuple[Mapping[str, str], Row]]] = {}
        for pair in pairs:
            groups.setdefault(key(pair[1]), []).append(pair)
        for members in groups.values():
            by_value: dict[Key, list[tuple[Mapping[str, str], Row]]] = {}
            for original, row in members:
                if any(row[c] != original[c] for c in step):
                    by_value.setdefault(tuple(original[c] for c in step), []).append(
                        (original, row)
                    )
            parts = sorted((p for p in by_value.values() if len(p) >= k), key=len)
            left = len(members) - sum(len(p) for p in parts)
            while parts and 0 < left < k:
                left += len(parts.pop(0))  # the smallest part stays withheld with the rest
            for part in parts:
                for original, row in part:
                    row.update({c: original[c] for c in step})
    return Counter(key(row) for _original, row in pairs)


# Counts of cases given to a partner are rounded to this base (the statistics' small-count rule).
COUNT_ROUNDING = 5


def published_count(count: int, k: int) -> str | int:
    """A count of cases as a partner gets it: 0, "<k" below k, else rounded to five (at
    least the first multiple of five from k).

    Exact, a small count is a small cell: "1 possible victim, suppressed" in a country's
    export, or "Türkiye: 1 case" in a statistical report, says that one worker there was one,
    and two such figures a period apart subtract to the cases between them.
    """
    if count == 0:
        return 0
    if count < k:
        return f"<{k}"
    rounded = (count + COUNT_ROUNDING // 2) // COUNT_ROUNDING * COUNT_ROUNDING
    # Never below k: with k = 11, "10" for 11 and 12 would say "11 or 12", finer than five.
    lowest = -(-k // COUNT_ROUNDING) * COUNT_ROUNDING
    return max(rounded, lowest)


# The k of the HTCDS export (CTDC's): the statistics' small cells are the export's.
PUBLISHED_K = 11


def coarse(count: int, k: int = PUBLISHED_K) -> Coarse:
    shown = published_count(count, k)
    return Coarse(shown, str(shown)) if isinstance(shown, int) else Coarse(0, shown)
