"""A recovery (``recover``: the recovery key or HQ's code) killed between the key file and
the database.

Its new slot was written after the transaction that makes the account an administrator with
a new signing key had committed. Killed in between, a taken-over account kept its old slot,
opened by the password nobody remembered, while the history gave it a key no password opened:
the users an administrator added after it could not sign in and ``audit verify`` reported
tampering. A new administrator's account was left with no slot at all. The slot is now staged
beside the old one, as a new password's is (``test_crash_key_file.py``): the next sign-in keeps
it if the history gives its key, else drops it and says to recover again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Paths
from app.errors import AuthError
from app.security.keyring_store import SecretStore
from app.security.keyslots import KeySlotStore
from app.security.rekey import key_opens
from app.services.after_crash import Found, FoundAfterCrash, take_found
from app.services.installation import (
    MissionSetup,
    init_installation,
    remember_unlock,
    unlock,
    unlock_with_keyring,
)
from app.services.recovery import RecoveryService, recover
from app.services.users import UserService
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_python
from tests.reliability.test_crash_key_file import (
    COMMITTED,
    DIES_AT_KEY_FILE_STEP,
    NEW_PASSWORD,
    STAGED,
    audit_clean,
)
from tests.security.test_recovery import _issue, _policy, _trust_hq

_KILLED = (
    DIES_AT_KEY_FILE_STEP
    + """
from app.services.recovery import recover
recover(Paths(Path(sys.argv[1])), sys.argv[3], sys.argv[4], sys.argv[5])
"""
)


def recovery_key(paths: Paths) -> str:
    """A recovery key the test knows (the installation's own was shown once, at setup)."""
    ws = unlock(paths, "admin", PASSWORD)
    try:
        return RecoveryService(ws).rotate()
    finally:
        ws.close()


def recover_killed_at(paths: Paths, step: str, who: str) -> str:
    """A recovery making ``who`` an administrator, killed at ``step``; the key it used."""
    key = recovery_key(paths)
    child = run_python(["-c", _KILLED, str(paths.data_dir), step, key, who, NEW_PASSWORD])
    assert child.code == -9, child.err
    assert who in KeySlotStore(paths.keyslots).staged()  # the crash's leftover
    return key


def adds_a_user_who_signs_in(paths: Paths, admin: str) -> None:
    """Her signature counts: the account she adds can sign in."""
    ws = unlock(paths, admin, NEW_PASSWORD)
    try:
        UserService(ws).add("bolat", "attache", PASSWORD)
    finally:
        ws.close()
    unlock(paths, "bolat", PASSWORD).close()


def test_a_takeover_killed_before_the_database_recorded_it_says_to_recover_again(
    installation: Paths,
) -> None:
    key = recover_killed_at(installation, STAGED, "admin")
    with pytest.raises(AuthError, match="recover again with the recovery key"):
        unlock(installation, "admin", NEW_PASSWORD)
    assert KeySlotStore(installation.keyslots).staged() == {}
    # The key was not spent: the recovery is made again, and holds.
    assert recover(installation, key, "admin", NEW_PASSWORD).took_over
    adds_a_user_who_signs_in(installation, "admin")
    audit_clean(installation)


def test_a_takeover_killed_after_the_database_recorded_it_keeps_the_new_password(
    installation: Paths,
) -> None:
    recover_killed_at(installation, COMMITTED, "admin")
    ws = unlock(installation, "admin", NEW_PASSWORD)
    try:
        assert take_found(ws) == [
            FoundAfterCrash(Found.NEW_SLOT_KEPT, "admin"),
            FoundAfterCrash(Found.RECOVERY_REKEY_FINISHED),  # the takeover's, never made
        ]
    finally:
        ws.close()
    with pytest.raises(AuthError, match="Wrong user name or password"):
        unlock(installation, "admin", PASSWORD)
    adds_a_user_who_signs_in(installation, "admin")
    audit_clean(installation)


def test_a_new_administrator_killed_before_the_database_recorded_it_leaves_no_slot(
    installation: Paths,
) -> None:
    """Anyone's sign-in settles it and is told; the slot, holding the database key for an
    account the database never had, is gone."""
    recover_killed_at(installation, STAGED, "dana")
    ws = unlock(installation, "serik", PASSWORD)
    try:
        assert take_found(ws) == [FoundAfterCrash(Found.RECOVERY_DROPPED, "dana")]
    finally:
        ws.close()
    assert "dana" not in KeySlotStore(installation.keyslots).usernames()
    assert KeySlotStore(installation.keyslots).staged() == {}
    with pytest.raises(AuthError, match="Wrong user name or password"):
        unlock(installation, "dana", NEW_PASSWORD)
    audit_clean(installation)


def test_a_new_administrator_killed_after_the_database_recorded_it_can_sign_in(
    installation: Paths,
) -> None:
    recover_killed_at(installation, COMMITTED, "dana")
    ws = unlock(installation, "dana", NEW_PASSWORD)
    try:
        assert take_found(ws) == [FoundAfterCrash(Found.NEW_SLOT_KEPT, "dana")]
    finally:
        ws.close()
    assert "dana" in KeySlotStore(installation.keyslots).usernames()
    adds_a_user_who_signs_in(installation, "dana")
    audit_clean(installation)


# The administrator's side, killed at a key-file step: argv[4] "rotate" (a new recovery key)
# or the path of HQ's escrow policy to apply.
_SERVICE_KILLED = (
    DIES_AT_KEY_FILE_STEP
    + """
from app.services.installation import unlock
from app.services.recovery import RecoveryService
ws = unlock(Paths(Path(sys.argv[1])), "admin", sys.argv[3])
service = RecoveryService(ws)
if sys.argv[4] == "rotate":
    service.rotate()
else:
    service.apply_policy(Path(sys.argv[4]).read_bytes())
"""
)


def service_killed_at(paths: Paths, step: str, action: str) -> None:
    child = run_python(["-c", _SERVICE_KILLED, str(paths.data_dir), step, PASSWORD, action])
    assert child.code == -9, child.err


@pytest.mark.parametrize(
    ("step", "found"),
    [
        (STAGED, Found.RECOVERY_KEY_UNCHANGED),  # before the re-key
        ("after:finish_rekey", Found.RECOVERY_KEY_DROPPED),  # re-keyed, the new slot not written
        (COMMITTED, Found.RECOVERY_KEY_DROPPED),
    ],
)
def test_a_new_recovery_key_killed_before_it_was_shown_is_dropped_and_said(
    installation: Paths, step: str, found: Found
) -> None:
    """Killed before ``rotate`` returned, nobody saw the new key. Written straight into the
    key file, its slot stayed and Settings said nothing, while the mission's safe held a sheet
    that opened nothing. Killed after the re-key but before the slot was staged, the mission
    had no recovery key and nobody was told."""
    old_key = recovery_key(installation)
    service_killed_at(installation, step, "rotate")
    assert "@recovery" in KeySlotStore(installation.keyslots).staged()  # the crash's leftover
    ws = unlock(installation, "serik", PASSWORD)
    try:
        assert take_found(ws) == [FoundAfterCrash(found, "@recovery")]
    finally:
        ws.close()
    ws = unlock(installation, "admin", PASSWORD)
    try:
        assert take_found(ws) == []  # said once
        unchanged = found is Found.RECOVERY_KEY_UNCHANGED
        assert RecoveryService(ws).has_recovery_key() is unchanged
    finally:
        ws.close()
    slots = KeySlotStore(installation.keyslots)
    assert slots.staged() == {}
    if unchanged:
        assert key_opens(installation.db, slots.unlock("@recovery", old_key))
    else:
        with pytest.raises(AuthError, match="opens nothing"):
            recover(installation, old_key, "admin", NEW_PASSWORD)
    # The administrator replaces it, as she is told; the new key recovers.
    key = recovery_key(installation)
    ws = unlock(installation, "admin", PASSWORD)
    try:
        assert RecoveryService(ws).unsigned_slots_note() == ""
    finally:
        ws.close()
    assert recover(installation, key, "dana", NEW_PASSWORD).username == "dana"
    adds_a_user_who_signs_in(installation, "dana")
    audit_clean(installation)


@pytest.fixture
def hq(tmp_path: Path) -> Paths:
    paths = Paths(tmp_path / "hq")
    init_installation(
        paths, MissionSetup(code="HQ", country="KZ", city="Astana", is_hq=True), "admin", PASSWORD
    )
    return paths


@pytest.mark.parametrize(
    ("step", "found"),
    [("after:stage_escrow", Found.ESCROW_DROPPED), (COMMITTED, Found.ESCROW_KEPT)],
)
def test_escrow_killed_half_way_is_kept_or_dropped_by_the_history(
    installation: Paths, hq: Paths, tmp_path: Path, step: str, found: Found
) -> None:
    """Written straight into the key file before the commit, the escrow slot's key was not on
    record: HQ's code recovered, but the recovery was judged forged."""
    _trust_hq(installation, hq)
    policy = tmp_path / "policy.json"
    policy.write_bytes(_policy(hq, escrow=True))
    service_killed_at(installation, step, str(policy))
    ws = unlock(installation, "serik", PASSWORD)
    try:
        assert take_found(ws) == [FoundAfterCrash(found, "@escrow")]
    finally:
        ws.close()
    slots = KeySlotStore(installation.keyslots)
    assert slots.staged() == {}
    kept = found is Found.ESCROW_KEPT
    assert (slots.escrow() is not None) is kept
    assert slots.has_slot("@escrow") is kept
    ws = unlock(installation, "admin", PASSWORD)
    try:
        if not kept:  # as she is told: a new policy from HQ
            assert RecoveryService(ws).apply_policy(_policy(hq, escrow=True))
        assert RecoveryService(ws).unsigned_slots_note() == ""
    finally:
        ws.close()
    sent = tmp_path / "sent-keyslots.json"
    sent.write_bytes(installation.keyslots.read_bytes())
    assert recover(installation, _issue(hq, sent), "dana", NEW_PASSWORD).method == "escrow"
    adds_a_user_who_signs_in(installation, "dana")
    audit_clean(installation)


def test_a_takeover_killed_before_its_rekey_has_it_made_at_the_next_sign_in(
    installation: Paths, tmp_path: Path
) -> None:
    """The old password, with a copy of the key file from before, still yielded the database
    key: the takeover's re-key (which ends that) was never made."""
    key = recovery_key(installation)
    old_key_file = tmp_path / "keyslots-before.json"  # copied by whoever learnt her password
    old_key_file.write_bytes(installation.keyslots.read_bytes())
    old_database_key = KeySlotStore(old_key_file).unlock("admin", PASSWORD)
    child = run_python(
        [
            "-c",
            _KILLED,
            str(installation.data_dir),
            "after:confirm_staged",
            key,
            "admin",
            NEW_PASSWORD,
        ]
    )
    assert child.code == -9, child.err
    assert key_opens(installation.db, old_database_key)  # the crash's leftover
    ws = unlock(installation, "serik", PASSWORD)  # anyone's sign-in makes it
    try:
        assert take_found(ws) == [FoundAfterCrash(Found.RECOVERY_REKEY_FINISHED)]
    finally:
        ws.close()
    assert not key_opens(installation.db, old_database_key)
    ws = unlock(installation, "serik", PASSWORD)
    try:
        assert take_found(ws) == []  # made once
    finally:
        ws.close()
    adds_a_user_who_signs_in(installation, "admin")
    audit_clean(installation)


def test_unlock_on_this_computer_makes_a_takeovers_rekey_killed_before_it_too(
    installation: Paths,
) -> None:
    """The fault: only a password sign-in made it; at a mission whose officers unlock from
    the keyring the old password, with an older key file, went on opening the database."""
    key = recovery_key(installation)
    old_database_key = KeySlotStore(installation.keyslots).unlock("admin", PASSWORD)
    store = SecretStore()
    ws = unlock(installation, "serik", PASSWORD)
    try:
        assert remember_unlock(ws, store)
    finally:
        ws.close()
    args = [str(installation.data_dir), "after:confirm_staged", key, "admin", NEW_PASSWORD]
    child = run_python(["-c", _KILLED, *args])
    assert child.code == -9, child.err
    assert key_opens(installation.db, old_database_key)  # the crash's leftover
    ws = unlock_with_keyring(installation, "serik", store)
    assert ws is not None
    try:
        assert take_found(ws) == [FoundAfterCrash(Found.RECOVERY_REKEY_FINISHED)]
    finally:
        ws.close()
    assert not key_opens(installation.db, old_database_key)
    audit_clean(installation)


def test_a_recovery_with_hqs_code_killed_before_its_rekey_spends_the_code_at_the_next_sign_in(
    installation: Paths, hq: Paths, tmp_path: Path
) -> None:
    """HQ's code must work once: killed before its re-key, it went on opening the file."""
    _trust_hq(installation, hq)
    ws = unlock(installation, "admin", PASSWORD)
    try:
        assert RecoveryService(ws).apply_policy(_policy(hq, escrow=True))
    finally:
        ws.close()
    sent = tmp_path / "sent-keyslots.json"
    sent.write_bytes(installation.keyslots.read_bytes())
    code = _issue(hq, sent)
    child = run_python(
        ["-c", _KILLED, str(installation.data_dir), "after:confirm_staged", code, "dana"]
        + [NEW_PASSWORD]
    )
    assert child.code == -9, child.err
    ws = unlock(installation, "dana", NEW_PASSWORD)
    try:
        assert take_found(ws) == [FoundAfterCrash(Found.RECOVERY_ESCROW_RETIRED)]
        assert not RecoveryService(ws).escrow_on()  # as said: HQ is asked for a new policy
    finally:
        ws.close()
    with pytest.raises(AuthError, match="opens nothing"):
        recover(installation, code, "eve", NEW_PASSWORD)
    adds_a_user_who_signs_in(installation, "dana")
    audit_clean(installation)
