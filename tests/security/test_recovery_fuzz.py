"""What recovery takes from outside, fuzzed: a recovery key typed by hand, and HQ's escrow
policy file, both as anyone may damage or forge it and as HQ's own key signs it in odd shapes.
A key is read or refused naming what is wrong; a policy is applied or refused in words, and a
refused one changes nothing; no other exception comes out.

The plain tests below the fuzzing are the cases it found."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyrage
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.config import Paths
from app.db.models import AuditEntry, Setting
from app.errors import IntegrityError, QorgauError, ValidationError
from app.security.recovery_key import ALPHABET, new_recovery_key, parse_recovery_key
from app.services.keys import KeyService
from app.services.recovery import (
    POLICY_FORMAT,
    POLICY_SETTING,
    RecoveryService,
    read_policy_file,
)
from app.services.workspace import Workspace
from tests.conftest import PASSWORD
from tests.fuzz_json import FUZZ, damaged_documents, damaged_files
from tests.security.folder import cli_as

# -- the recovery key -----------------------------------------------------------------------

_KEY_CHARACTERS = st.one_of(
    st.characters(),
    st.sampled_from([*ALPHABET, *"oilOIL-– \t\u00a0", "ß", "ﬁ", "ı", "\u0301", "\u200f", "Ѕ"]),
)


@settings(max_examples=300, deadline=None, database=None)
@given(st.one_of(st.text(_KEY_CHARACTERS, max_size=60), st.text(max_size=200)))
def test_anything_typed_as_a_recovery_key_is_read_or_refused_naming_the_problem(
    typed: str,
) -> None:
    try:
        key = parse_recovery_key(typed)
    except ValidationError as exc:
        assert exc.field == "recovery_key"
        assert "recovery key" in str(exc)
    else:
        assert parse_recovery_key(key) == key


@settings(max_examples=100, deadline=None, database=None)
@given(data=st.data())
def test_a_key_typed_loosely_reads_and_one_wrong_character_is_caught(data: st.DataObject) -> None:
    """Case, spaces, dashes and the look-alikes O, I, L do not matter; any one character
    changed to another of the alphabet is caught, in the group it is in."""
    key = new_recovery_key()
    loose = data.draw(st.sampled_from([key.lower(), key.replace("-", " "), key.replace("-", "")]))
    assert parse_recovery_key(loose.replace("0", "O").replace("1", "l")) == key
    position = data.draw(st.sampled_from([i for i, c in enumerate(key) if c != "-"]))
    other = data.draw(st.sampled_from([c for c in ALPHABET if c != key[position]]))
    with pytest.raises(ValidationError, match=f"Group {position // 6 + 1} .* typing error"):
        parse_recovery_key(key[:position] + other + key[position + 1 :])


# -- the escrow policy ----------------------------------------------------------------------


class Hq:
    """Headquarters as the mission knows it: a signing key it trusts."""

    def __init__(self, ws: Workspace) -> None:
        self.key = Ed25519PrivateKey.generate()
        public = base64.b64encode(self.key.public_key().public_bytes_raw()).decode("ascii")
        self.recipient = str(pyrage.x25519.Identity.generate().to_public())
        KeyService(ws).trust("HQ", public, self.recipient, is_hq=True)

    def policy(self, escrow: bool = True) -> dict[str, Any]:
        return {
            "format": POLICY_FORMAT,
            "version": 1,
            "mission_code": "SEL",
            "escrow": escrow,
            "recipient": self.recipient,
            "issued_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        }

    def signed(self, policy: Any) -> bytes:
        body = json.dumps(policy, sort_keys=True).encode()
        signature = base64.b64encode(self.key.sign(body)).decode("ascii")
        return json.dumps({"policy": policy, "signature": signature}).encode()


@pytest.fixture
def hq(ws: Workspace) -> Hq:
    return Hq(ws)


def escrow_state(ws: Workspace) -> tuple[bytes, str | None, int]:
    """What applying a policy changes: the key file (the escrow slot), the date of the policy
    applied last, and the audit entries of policies applied."""
    with ws.read() as session:
        applied = session.get(Setting, POLICY_SETTING)
        entries = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "escrow.policy")
        )
    return ws.paths.keyslots.read_bytes(), applied.value if applied else None, int(entries or 0)


def apply_or_refuse(ws: Workspace, path: Path, signed: bytes) -> bool | None:
    """Whether escrow is on after the policy file, or None when it was refused (and then
    nothing changed)."""
    path.write_bytes(signed)
    before = escrow_state(ws)
    try:
        return RecoveryService(ws).apply_policy(read_policy_file(path))
    except (ValidationError, IntegrityError) as exc:
        assert str(exc)
        assert escrow_state(ws) == before
        return None


@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_a_damaged_or_forged_policy_file_is_refused_in_words(
    ws: Workspace, hq: Hq, tmp_path: Path, data: st.DataObject
) -> None:
    good = json.loads(hq.signed(hq.policy()))
    raw = data.draw(st.one_of(damaged_files(good), st.binary(max_size=300)))
    if raw == hq.signed(hq.policy()):
        return
    assert apply_or_refuse(ws, tmp_path / "policy.json", raw) in (None, True, False)


@settings(FUZZ, max_examples=40)
@given(data=st.data())
def test_a_policy_signed_by_hq_in_any_shape_is_applied_or_refused_in_words(
    ws: Workspace, hq: Hq, tmp_path: Path, data: st.DataObject
) -> None:
    """HQ's key signs only what HQ's Qorgau writes; still, a signed policy of another shape
    (another version's, a hand-made one) must not break the mission's settings."""
    policy = data.draw(damaged_documents(hq.policy(data.draw(st.booleans()))))
    try:
        signed = hq.signed(policy)
    except (ValueError, RecursionError):  # a value json.dumps cannot write: nothing to sign
        return
    apply_or_refuse(ws, tmp_path / "policy.json", signed)


# -- what the fuzzing found -------------------------------------------------------------------


def test_a_policy_file_nested_30000_deep_is_refused_in_words(
    ws: Workspace, hq: Hq, tmp_path: Path
) -> None:
    """RecursionError came out of reading it (it fits the 64 KiB a policy file may have)."""
    assert apply_or_refuse(ws, tmp_path / "policy.json", b"[" * 30_000 + b"]" * 30_000) is None


@pytest.mark.parametrize(
    "change",
    [
        {"recipient": None},
        {"escrow": "yes"},
        {"recipient": ["age1..."]},
        {"issued_at": {"at": "2026"}},
    ],
    ids=["no-recipient", "escrow-text", "recipient-list", "date-an-object"],
)
def test_a_signed_policy_of_another_shape_is_refused_and_changes_nothing(
    ws: Workspace, hq: Hq, tmp_path: Path, change: dict[str, Any]
) -> None:
    """A signed policy without its recipient raised KeyError; one whose date was an object
    reached the database as one (a programming error); "yes" for escrow was taken as on."""
    policy = {k: v for k, v in {**hq.policy(), **change}.items() if v is not None}
    with pytest.raises(QorgauError):
        RecoveryService(ws).apply_policy(hq.signed(policy))
    assert apply_or_refuse(ws, tmp_path / "policy.json", hq.signed(policy)) is None


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"[" * 30_000 + b"]" * 30_000, 1), (b" " * (1024 * 1024), 2)],
    ids=["nested-30000-deep", "a-megabyte"],
)
def test_escrow_apply_on_the_command_line_refuses_a_file_that_is_no_policy_in_one_line(
    installation: Paths,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    content: bytes,
    code: int,
) -> None:
    """The command read a file of any size whole (the window read 64 KiB at most), and the
    deep one ended in "internal error"."""
    path = tmp_path / "policy.json"
    path.write_bytes(content)
    run = cli_as(
        capsys, monkeypatch, installation.data_dir, "admin", PASSWORD, "escrow", "apply", str(path)
    )
    assert run.code == code
    assert run.err.strip().endswith("This is not an escrow policy signed by headquarters.")
    assert "internal error" not in run.err
