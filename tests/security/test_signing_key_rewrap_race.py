"""A format 1 slot's first key pair, when the slot was written again while her sign-in ran.

An installation from before key pairs: Aigul's slot holds the database key alone, her history
no signing key. Her sign-in makes her a pair and rewraps the slot with it; if her other
sign-in (a second window, a command) rewrapped the slot first, this one leaves the slot as it
is. It used to keep the pair it made, stored nowhere, and publish its signing key: first come,
first kept, so every later sign-in, opening the slot's own pair, recorded a key that differs
(``user.signing_key_differs``) until an administrator reset her password.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.config import Paths
from app.db.models import AuditEntry
from app.security.keyslots import KeySlotStore, OpenedSlot, signing_public
from app.security.user_ledger import KEY_DIFFERS, signing_key_of
from app.services.audit_log import AuditLogService
from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.security.test_revocation import _downgrade_to_format_1
from tests.security.test_signed_account_changes import _rewrite_history, _unsigned


def test_a_first_rewrap_lost_to_her_other_sign_in_publishes_the_slots_key(
    installation: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = KeySlotStore(installation.keyslots).unlock("admin", PASSWORD)
    _rewrite_history(installation, key, _unsigned)  # as an older version wrote it
    _downgrade_to_format_1(installation, key)

    opening = KeySlotStore.open_slot
    raced: list[OpenedSlot] = []

    def her_other_sign_in_rewraps_first(store: KeySlotStore, username: str, *args: Any) -> Any:
        opened = opening(store, username, *args)
        if username == "aigul" and not raced:
            other = opening(store, username, PASSWORD)
            assert store.rewrap(other, PASSWORD, 0)  # her other sign-in, a moment earlier
            raced.append(other)
        return opened

    monkeypatch.setattr(KeySlotStore, "open_slot", her_other_sign_in_rewraps_first)
    first = unlock(installation, "aigul", PASSWORD)
    monkeypatch.undo()
    try:
        assert raced and raced[0].private_key is not None
        slots_key = raced[0].signing_key()
        assert slots_key is not None and first.signing_key is not None
        assert signing_public(first.signing_key) == signing_public(slots_key)
        with first.read() as session:
            assert signing_key_of(session, "aigul") == (signing_public(slots_key), False)
    finally:
        first.close()

    again = unlock(installation, "aigul", PASSWORD)  # her next sign-in: nothing amiss
    try:
        with again.read() as session:
            differs = session.execute(
                select(AuditEntry.actor).where(AuditEntry.action == KEY_DIFFERS)
            ).all()
        assert differs == []
    finally:
        again.close()
    admin = unlock(installation, "admin", PASSWORD)
    try:
        assert AuditLogService(admin).verify().problems == []
    finally:
        admin.close()


def test_a_slot_reset_meanwhile_leaves_her_sign_in_nothing_to_sign_with(
    installation: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The administrator reset her password between the opening and the rewrap: the slot
    holds another password now, so this sign-in publishes no key (the reset gave one)."""
    key = KeySlotStore(installation.keyslots).unlock("admin", PASSWORD)
    _rewrite_history(installation, key, _unsigned)
    _downgrade_to_format_1(installation, key)

    opening = KeySlotStore.open_slot
    reset: list[bool] = []

    def reset_meanwhile(store: KeySlotStore, username: str, *args: Any) -> Any:
        opened = opening(store, username, *args)
        if username == "aigul" and not reset:
            store.set_slot("aigul", "another long password", key)
            reset.append(True)
        return opened

    monkeypatch.setattr(KeySlotStore, "open_slot", reset_meanwhile)
    first = unlock(installation, "aigul", PASSWORD)
    monkeypatch.undo()
    try:
        assert first.signing_key is None
        with first.read() as session:
            assert signing_key_of(session, "aigul") == ("", False)
    finally:
        first.close()
