"""The failed-sign-in record ``login_attempts.json``, fuzzed: any value at any place, in a file
with its seal (anyone who can read ``keyslots.json`` can reseal one), without it, or with a
stale one, or cut short. The right password still signs in, after at most the longest delay
(30 s, on a clock that does not really sleep), and clears the delay; a wrong one is refused
as wrong. No other exception comes out, and nobody is locked out.

The plain tests below the fuzzing are the cases it found."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.config import Paths
from app.errors import AuthError
from app.security.login_guard import FILENAME, MAX_DELAY_S, LoginGuard
from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.fuzz_json import FUZZ as SHARED_FUZZ
from tests.fuzz_json import as_text, damaged_documents

FUZZ = settings(SHARED_FUZZ, max_examples=40)
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.current = NOW
        self.slept = 0.0

    def now(self) -> datetime:
        return self.current

    def sleep(self, seconds: float) -> None:
        assert self.slept + seconds <= MAX_DELAY_S + 1, "a damaged record locked the user out"
        self.slept += seconds
        self.current += timedelta(seconds=seconds)


def _unsealed() -> dict[str, Any]:
    """A record as the format before the seal wrote it."""
    last = (NOW - timedelta(seconds=5)).isoformat()
    return {
        "users": {"admin": {"count": 3, "last": last}, "aigul": {"count": 1, "last": last}},
        "pending": [
            {"id": "a1", "username": "admin", "at": last, "seq": 1, "prev": None},
            {"id": "a2", "username": "admin", "at": last, "seq": 2, "prev": {"count": 1}},
        ],
    }


def _sealed(installation: Paths) -> dict[str, Any]:
    """A record as this version writes it, after two wrong passwords of admin."""
    guard = LoginGuard(installation.data_dir, FakeClock())
    for _ in range(2):
        guard.record_failure("admin")
    sealed: dict[str, Any] = json.loads((installation.data_dir / FILENAME).read_text("utf-8"))
    return sealed


def _write(installation: Paths, document: Any, seal: str) -> None:
    guard = LoginGuard(installation.data_dir)
    if seal == "resealed" and isinstance(document, dict):
        with contextlib.suppress(UnicodeEncodeError):  # text with a lone surrogate: no seal
            document = {**document, "mac": guard._mac(document)}
    (installation.data_dir / FILENAME).write_text(as_text(document), encoding="utf-8")


@st.composite
def damaged_records(draw: st.DrawFn, sealed: dict[str, Any]) -> tuple[Any, str]:
    good = draw(st.sampled_from([sealed, _unsealed()]))
    return draw(damaged_documents(good)), draw(st.sampled_from(["resealed", "as is"]))


@pytest.fixture
def sealed(installation: Paths) -> dict[str, Any]:
    return _sealed(installation)


@FUZZ
@given(data=st.data())
def test_the_right_password_signs_in_whatever_the_record_holds(
    installation: Paths, sealed: dict[str, Any], data: st.DataObject
) -> None:
    document, seal = data.draw(damaged_records(sealed))
    _write(installation, document, seal)
    clock = FakeClock()
    guard = LoginGuard(installation.data_dir, clock)
    workspace = unlock(installation, "admin", PASSWORD, guard=guard)
    workspace.close()
    assert guard.failures("admin") == 0
    assert guard.remaining_wait("admin") == 0


@FUZZ
@given(data=st.data())
def test_a_wrong_password_is_refused_as_wrong_whatever_the_record_holds(
    installation: Paths, sealed: dict[str, Any], data: st.DataObject
) -> None:
    document, seal = data.draw(damaged_records(sealed))
    _write(installation, document, seal)
    guard = LoginGuard(installation.data_dir, FakeClock())
    with pytest.raises(AuthError, match="Wrong user name or password"):
        unlock(installation, "aigul", "not the password", guard=guard)
    assert guard.failures("aigul") >= 1


# -- what the fuzzing found -------------------------------------------------------------------

_LAST = (NOW - timedelta(seconds=5)).isoformat()


def _resealed(installation: Paths, change: dict[str, Any]) -> dict[str, Any]:
    return {**_sealed(installation), **change}


@pytest.mark.parametrize(
    ("record", "seal"),
    [
        pytest.param("[" * 50_000 + "]" * 50_000, "as is", id="nested-50000-deep"),
        pytest.param({"users": {"admin": {"count": None, "last": _LAST}}}, "as is", id="no-count"),
        pytest.param(
            {"users": {"admin": {"count": 3, "last": "2026-11-24T08:59:55"}}},
            "as is",
            id="time-without-zone",
        ),
        pytest.param({"users": {"admin": "three"}, "pending": []}, "as is", id="entry-text"),
        pytest.param({"users": {"\ud800": {"count": 1, "last": _LAST}}}, "as is", id="surrogate"),
        pytest.param(
            {"users": {"admin": {"count": "x", "last": _LAST}}}, "resealed", id="sealed-count"
        ),
        pytest.param({"dropped": "many"}, "resealed", id="sealed-dropped"),
        pytest.param({"mac": "é"}, "as is", id="seal-not-ascii"),
    ],
)
def test_signing_in_over_a_damaged_attempts_record_works_and_clears_it(
    installation: Paths, record: Any, seal: str
) -> None:
    """Each of these ended the sign-in with the right password in an exception (RecursionError,
    TypeError subtracting a time without a zone, int(None), compare_digest of text that is not
    ASCII, UnicodeEncodeError): the person could not sign in until the file was deleted."""
    path = installation.data_dir / FILENAME
    if isinstance(record, str):
        path.write_text(record, encoding="utf-8")
    else:
        if seal == "resealed" or "mac" in record:
            record = _resealed(installation, record)
        _write(installation, record, seal)
    guard = LoginGuard(installation.data_dir, FakeClock())
    unlock(installation, "admin", PASSWORD, guard=guard).close()
    assert guard.failures("admin") == 0
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "qorgau-login-attempts"
