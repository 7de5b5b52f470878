"""What an import says of exports in parts (``parts_news``), and the manifest's ``part``."""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from app.exchange.parts import PartOf, Received, part_path, part_schema, parts_news

SET = "3f2a9c1e-0000-4000-8000-000000000001"
LATER_SET = "7b1d0e44-0000-4000-8000-000000000002"


def part(number: int, count: int = 3, set_id: str = SET, start: int = 0, end: int = 90) -> Received:
    return Received(PartOf(set_id, number, count), start, end)


def test_each_part_names_the_parts_still_to_import_then_says_the_export_is_whole() -> None:
    first = parts_news([], part(1), "SEL")
    second = parts_news([part(1)], part(3), "SEL")
    last = parts_news([part(1), part(3)], part(2), "SEL")

    assert first == (
        ["This bundle is part 1 of 3 of one export from SEL; still to import here: parts 2, 3."],
        [],
    )
    assert second[0] == [
        "This bundle is part 3 of 3 of one export from SEL; still to import here: part 2."
    ]
    assert last == (["All 3 parts of this export from SEL are imported."], [])


def test_a_later_bundle_warns_of_an_earlier_export_with_a_part_never_imported() -> None:
    following = Received(None, 90, 120)  # the next weekly export

    notes, warnings = parts_news([part(1), part(2)], following, "SEL")

    assert notes == []
    assert len(warnings) == 1
    assert "(bundle 3f2a9c1e) came in 3 parts; part 3 has not been imported" in warnings[0]
    assert "“-3-of-3”" in warnings[0]


@pytest.mark.parametrize(
    "resent",
    [
        pytest.param(Received(None, 0, 130), id="sent-again-in-one-bundle"),
        pytest.param(part(1, 2, LATER_SET, 0, 130), id="sent-again-in-parts"),
        pytest.param(Received(None, 0, 90), id="the-same-range"),
    ],
)
def test_an_export_sent_again_over_the_same_changes_ends_the_warning(resent: Received) -> None:
    _notes, warnings = parts_news([part(1), part(2)], resent, "SEL")
    _notes, later = parts_news([part(1), part(2), resent], Received(None, 130, 150), "SEL")

    assert not [w for w in warnings if "3f2a9c1e" in w]
    assert not [w for w in later if "3f2a9c1e" in w]


def test_a_bundle_over_only_part_of_the_changes_does_not_end_it() -> None:
    _notes, warnings = parts_news([part(1), part(2)], Received(None, 40, 150), "SEL")

    assert len(warnings) == 1


def test_a_hostile_count_lists_no_more_than_ten_numbers() -> None:
    """A mission signs what it likes: a count of 1,000 must not put 999 numbers in every
    report and log entry of its bundles at HQ."""
    notes, _warnings = parts_news([], part(1, 1_000), "SEL")
    _notes, warnings = parts_news([part(1, 1_000)], Received(None, 90, 99), "SEL")

    assert "parts 2, 3, 4, 5, 6, 7, 8, 9, 10 … 1000 (999 in all)." in notes[0]
    assert "parts 2, 3, 4, 5, 6, 7, 8, 9, 10 … 1000 (999 in all) have not" in warnings[0]


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ({"set": SET, "number": 2, "count": 3}, True),
        ({"set": SET, "number": 1, "count": 1}, False),  # one part is not an export in parts
        ({"set": SET, "number": 1, "count": 1_001}, False),
        ({"set": SET, "number": 0, "count": 3}, False),
        ({"set": "not-a-uuid", "number": 1, "count": 3}, False),
        ({"set": SET, "number": 1, "count": 3, "of": "x"}, False),
    ],
)
def test_the_manifest_part_is_checked(value: dict[str, object], valid: bool) -> None:
    assert Draft202012Validator(part_schema()).is_valid(value) is valid


def test_parts_are_named_after_the_file_asked_for() -> None:
    assert part_path(Path("out/SEL-2026-12-06.qbundle"), 2, 3) == Path(
        "out/SEL-2026-12-06-2-of-3.qbundle"
    )
