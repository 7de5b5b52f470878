"""Record ids: version 7 UUIDs (RFC 9562), so that new rows sit side by side in every index."""

from __future__ import annotations

import re
import time
import uuid

from app.db.models import new_id
from app.exchange.fastcheck import is_uuid
from app.exchange.records import UUID_PATTERN


def test_an_id_is_a_version_7_uuid_in_the_form_bundles_require() -> None:
    text = new_id()
    parsed = uuid.UUID(text)
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122
    assert str(parsed) == text  # lowercase, hyphenated
    assert re.match(UUID_PATTERN, text) and is_uuid(text)


def test_its_first_48_bits_are_the_milliseconds_it_was_made() -> None:
    before = time.time_ns() // 1_000_000
    made = uuid.UUID(new_id()).int >> 80
    after = time.time_ns() // 1_000_000
    assert before <= made <= after


def test_ids_made_later_sort_after_the_earlier_ones() -> None:
    earlier = [new_id() for _ in range(100)]
    time.sleep(0.002)
    later = [new_id() for _ in range(100)]
    assert max(earlier) < min(later)


def test_ids_made_in_the_same_millisecond_still_differ() -> None:
    many = [new_id() for _ in range(20_000)]
    assert len(set(many)) == len(many)
