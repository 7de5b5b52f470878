"""An export in parts: when its files are more than one bundle may hold.

A bundle holds at most 4 GiB (``Limits.max_bundle_bytes``) and 250,000 members, and an issued
letter's PDF alone is some 100 KB: a mission's first export, or ``--all`` after years of
scanned documents, can be larger. Such an export is written as consecutive bundles of one
change range, each a whole bundle of its own, signed and checked as any other: part 1 carries
every record without a file, the later parts the attachments and letters with their files,
cut by size. Each manifest names its place (``part``: the first part's bundle id, its number
and how many there are), and every part carries the same signed audit head. The receiver
imports part 1 first (the later parts' records hang off its cases), the others in any order,
and says which parts of an export it has not received yet, at every import from that
installation until they arrive: the audit chain alone would not notice a lost part.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from app.exchange.records import UUID_PATTERN, Entity
from app.i18n import Said, _, ngettext

PART_FIELD = "part"
# What one part's files may weigh, and how many there may be: the rest of the 4 GiB and of the
# 250,000 members is room for the records and the ZIP, and keeps the manifest (each file's
# hash and size) some 8 MB.
PART_FILE_BYTES = 3 * 1024**3
PART_FILES = 50_000
PREFIX_CHARS = 8  # how many of a bundle id's first characters name it, as the log shows them

# Which records of an entity go into a part: (entity, the condition on its table's columns).
Segment = tuple[Entity, Any]


@dataclass(frozen=True)
class PartOf:
    """A bundle's place in an export written in parts."""

    set_id: str  # the bundle id of part 1
    number: int
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"set": self.set_id, "number": self.number, "count": self.count}

    @classmethod
    def of(cls, data: Any) -> PartOf | None:
        """From a manifest's or a log's ``part``, if there is one."""
        if not isinstance(data, dict):
            return None
        return cls(str(data["set"]), int(data["number"]), int(data["count"]))


def part_schema() -> dict[str, Any]:
    number = {"type": "integer", "minimum": 1, "maximum": 1_000}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["set", "number", "count"],
        "properties": {
            "set": {"type": "string", "format": "uuid", "pattern": UUID_PATTERN},
            "number": number,
            "count": {**number, "minimum": 2},  # 1,000 parts: 3 TB of files
        },
    }


def file_parts(connection: Connection, segments: Sequence[Segment]) -> list[list[Segment]]:
    """The records of ``segments`` (entities with files) cut, in id order, into parts whose
    files stay within ``PART_FILE_BYTES`` and ``PART_FILES``. One part when all fit.
    ``length()`` reads no content, but on SQLite an attachment's id, stored after its
    content, is reached through the file's overflow pages: the caller reads through a small
    page cache (``read_once``)."""
    parts: list[list[Segment]] = [[]]
    weight = files = 0
    for entity, where in segments:
        assert entity.blob_column
        columns: Any = entity.model.__table__.c  # type: ignore[attr-defined]
        size = func.coalesce(func.length(columns[entity.blob_column]), 0)
        rows = connection.execute(select(columns.id, size).where(where).order_by(columns.id))
        first = last = None
        for row_id, row_size in rows:
            if files and (weight + row_size > PART_FILE_BYTES or files >= PART_FILES):
                if first is not None:
                    parts[-1].append((entity, where & columns.id.between(first, last)))
                parts.append([])
                weight = files = 0
                first = None
            first = first or row_id
            last = row_id
            weight += row_size
            files += 1 if row_size else 0
        if first is not None:
            parts[-1].append((entity, where & columns.id.between(first, last)))
    return parts


def part_path(out: Path, number: int, count: int) -> Path:
    """``SEL-2026-12-06.qbundle`` → ``SEL-2026-12-06-2-of-3.qbundle``."""
    return out.with_name(f"{out.stem}-{number}-of-{count}{out.suffix}")


@dataclass(frozen=True)
class Received:
    """A bundle received from a source: its place in an export in parts, if any, and the
    source's change range it carries (``change_range``: after ``start``, up to ``end``)."""

    part: PartOf | None
    start: int
    end: int

    def covers(self, other: Received) -> bool:
        return self.start <= other.start and self.end >= other.end


NUMBERS_SHOWN = 10  # a signed but hostile count must not put 999 numbers in every report


def _numbers(numbers: Iterable[int]) -> str:
    listed = sorted(numbers)
    if len(listed) <= NUMBERS_SHOWN:
        return ", ".join(str(n) for n in listed)
    return _("{first} … {last} ({count} in all)").format(
        first=", ".join(str(n) for n in listed[: NUMBERS_SHOWN - 1]),
        last=listed[-1],
        count=len(listed),
    )


def parts_news(
    received: Sequence[Received], current: Received, source: str
) -> tuple[list[str], list[str]]:
    """What an import says of exports in parts: ``received`` are the bundles from ``source``
    imported before, ``current`` this one. Notes: this export's parts still to import, or that
    it is whole. Warnings: earlier exports with parts never imported, unless a bundle imported
    since covers their changes (the source sent them again, after an earlier bundle or all)."""
    held: dict[str, set[int]] = {}
    counts: dict[str, int] = {}
    ranges: dict[str, Received] = {}
    for bundle in [*received, current]:
        if bundle.part is not None:
            held.setdefault(bundle.part.set_id, set()).add(bundle.part.number)
            counts[bundle.part.set_id] = bundle.part.count
            ranges.setdefault(bundle.part.set_id, bundle)
    missing = {
        set_id: set(range(1, counts[set_id] + 1)) - numbers for set_id, numbers in held.items()
    }
    # Said, not str: a window showing them follows a language switch.
    notes: list[str] = []
    here = current.part
    if here is not None and missing[here.set_id]:
        notes.append(Said(partial(_parts_to_come, here, source, missing[here.set_id])))
    elif here is not None:
        notes.append(Said(partial(_all_parts_in, here.count, source)))
    warnings: list[str] = []
    for set_id, absent in missing.items():
        others = [b for b in [*received, current] if b.part is None or b.part.set_id != set_id]
        covered = any(b.covers(ranges[set_id]) for b in others)
        if not absent or (here is not None and set_id == here.set_id) or covered:
            continue
        warnings.append(Said(partial(_parts_missing, source, set_id, counts[set_id], absent)))
    return notes, warnings


def _parts_to_come(here: PartOf, source: str, missing: set[int]) -> str:
    return ngettext(
        "This bundle is part {number} of {count} of one export from {code}; still "
        "to import here: part {missing}.",
        "This bundle is part {number} of {count} of one export from {code}; still "
        "to import here: parts {missing}.",
        len(missing),
    ).format(number=here.number, count=here.count, code=source, missing=_numbers(missing))


def _all_parts_in(count: int, source: str) -> str:
    return _("All {count} parts of this export from {code} are imported.").format(
        count=count, code=source
    )


def _parts_missing(source: str, set_id: str, count: int, absent: set[int]) -> str:
    return ngettext(
        "An earlier export from {code} (bundle {bundle}) came in {count} parts; part "
        "{missing} has not been imported here, so letters and documents it carries are "
        "missing. Import it (its file name ends in “-{first}-of-{count}”), or ask "
        "{code} to send again after bundle {bundle}: the export is sent again whole.",
        "An earlier export from {code} (bundle {bundle}) came in {count} parts; parts "
        "{missing} have not been imported here, so letters and documents they carry "
        "are missing. Import them (the file names end in “-{first}-of-{count}” and so "
        "on), or ask {code} to send again after bundle {bundle}: the export is sent "
        "again whole.",
        len(absent),
    ).format(
        code=source,
        bundle=set_id[:PREFIX_CHARS],
        count=count,
        missing=_numbers(absent),
        first=min(absent),
    )


def in_parts_advice(count: int) -> str:
    """What the officer who exported in parts does with them."""
    return _(
        "The export was more than one bundle may hold, so it was written in {count} parts. "
        "Send all of them; headquarters imports part 1 first."
    ).format(count=count)


def first_part_missing(part: PartOf) -> str:
    """Why a later part is refused before its first: its records hang off part 1's cases."""
    return _(
        "This bundle is part {number} of {count} of one export; import part 1 first (its "
        "file name ends in “-1-of-{count}”): the letters and documents here belong to the "
        "cases it carries. Nothing was imported."
    ).format(number=part.number, count=part.count)
