"""Hypothesis strategies for JSON files from outside: a good document with any value put at
any place (wrong types, deep nesting, numbers of thousands of digits, NaN and Infinity,
base64 that is not), some keys dropped, and the text cut short."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# The fuzz tests' common settings: no deadline (a sign-in derives a key), no example database
# written into the tree, and fixtures shared across examples (each example restores what it
# changes). A test file narrows it with settings(FUZZ, max_examples=…).
FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# Markers replaced in the document's text by what json.dumps cannot write.
DEEP = "\x00deep"
LONG_NUMBER = "\x00long-number"
_RAW = {DEEP: "[" * 50_000 + "]" * 50_000, LONG_NUMBER: "9" * 5_000}


def json_values() -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.sampled_from([0, -1, 2**31, 2**63, 1 << 40, 8 * 1024 * 1024]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=20),
        st.binary(max_size=80).map(lambda raw: base64.b64encode(raw).decode("ascii")),
        st.sampled_from(
            [
                "not base64!",
                "====",
                "YQ",
                "\u0000",
                "\ud800",
                "2026-11-24T09:00:00",
                "é",
                DEEP,
                LONG_NUMBER,
            ]
        ),
    )
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=6,
    )


def places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every value in a document, the document itself first."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from places(item, (*path, index))


def replaced(document: Any, path: tuple[Any, ...], value: Any, drop: bool = False) -> Any:
    """A copy of ``document`` with ``value`` at ``path`` (or, with ``drop``, the key gone)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(document, dict):
        changed = dict(document)
        if drop and not rest:
            del changed[head]
        else:
            changed[head] = replaced(document[head], rest, value, drop)
        return changed
    items = list(document)
    items[head] = replaced(document[head], rest, value, drop)
    return items


@st.composite
def damaged_documents(draw: st.DrawFn, good: Any) -> Any:
    """``good`` with one to three values replaced or keys dropped."""
    document = good
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(list(places(document))))
        drop = bool(path) and draw(st.booleans())
        document = replaced(document, path, draw(json_values()), drop)
    return document


def as_text(document: Any) -> str:
    text = json.dumps(document)
    for marker, raw in _RAW.items():
        text = text.replace(json.dumps(marker), raw)
    return text


@st.composite
def damaged_files(draw: st.DrawFn, good: Any) -> bytes:
    """The bytes of a damaged ``good`` document, sometimes cut short."""
    data = as_text(draw(damaged_documents(good))).encode("utf-8")
    cut = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=len(data))))
    return data[:cut] if cut is not None else data
