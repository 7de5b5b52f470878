"""A signed-in officer whose account the administrator revokes, or whose role is lowered,
while her window stays open: the command line (or another window) beside it does that, and
her open session reads and saves nothing more.

Two workspaces on one installation stand for the two processes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.config import Paths
from app.db.models import AuditEntry, Case, Letter, User
from app.errors import AccountChanged, AuthError
from app.security.keyslots import KeySlotStore
from app.security.login_guard import LoginGuard
from app.security.rekey import key_opens
from app.services.cases import CaseService
from app.services.letters import LetterService
from app.services.sign_in import unlock_again
from app.services.users import UserService
from app.services.workspace import Workspace
from tests.builders import new_case
from tests.conftest import PASSWORD, OpenWs, count


def _state(ws: Workspace) -> tuple[Any, ...]:
    """What the officer's refused actions could have changed, as the administrator reads it."""
    with ws.read() as session:
        users = session.execute(select(User.username, User.role, User.active)).all()
        letters = session.execute(select(Letter.id, Letter.status, Letter.approved_by)).all()
    return (
        sorted(tuple(u) for u in users),
        sorted(tuple(letter) for letter in letters),
        count(ws, Case),
        count(ws, AuditEntry),
    )


def test_a_revoked_officers_open_window_reads_and_saves_nothing(
    installation: Paths, open_ws: OpenWs
) -> None:
    """The fault: the role and the account were read once, at sign-in. An attaché revoked by
    the administrator at the command line while her window was open went on saving cases and
    reading the mission's new ones (her open window also kept the re-key from happening).
    Now her next read or write is refused in words, her session is over, and once her window
    has closed the re-key is finished."""
    aigul = open_ws("aigul")
    cases = CaseService(aigul)
    cases.create_case(new_case())  # her window at work: its connections are open
    her_old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    told: list[str] = []
    aigul.watch_account(lambda exc: told.append(str(exc)))
    admin = open_ws("admin")
    # Her open window holds the file: the re-key waits for it.
    assert UserService(admin).revoke("aigul").rekey_waiting
    before = _state(admin)

    with pytest.raises(AccountChanged, match="revoked your account"):
        cases.create_case(new_case())
    with pytest.raises(AccountChanged, match="revoked your account"):
        cases.list_cases(None, 0, 50)
    with pytest.raises(AccountChanged, match="revoked your account"):
        UserService(aigul).change_password("aigul", "her own new password")

    assert _state(admin) == before
    assert len(told) == 1 and "this session has ended" in told[0]  # the window is told once
    aigul.close()
    admin.close()  # the last window, and it knows the new key: it finishes the re-key
    open_ws("serik")
    assert not key_opens(installation.db, her_old_key)


def test_a_consul_made_attache_approves_nothing_in_her_open_window(open_ws: OpenWs) -> None:
    """The fault: a consul whose duties were handed over (made attaché) kept approving letters
    in the window she had open: the role checked was the one she signed in with. Refused now,
    the letter still a draft; signing in again gives her the attaché's role."""
    aigul, serik, admin = open_ws("aigul"), open_ws("serik"), open_ws("admin")
    case = CaseService(aigul).create_case(new_case())
    draft = LetterService(aigul).draft(case.id, "employer_letter", "ru")
    LetterService(serik).get(draft.id)  # her window has read it and shows Approve
    assert UserService(admin).set_role("serik", "attache") == ()
    before = _state(admin)

    with pytest.raises(AccountChanged, match="made you Labour attaché"):
        LetterService(serik).approve(draft.id)

    assert _state(admin) == before
    assert open_ws("serik").actor.role == "attache"


def test_an_administrator_made_attache_adds_no_user_in_her_open_window(
    ws: Workspace, open_ws: OpenWs, installation: Paths
) -> None:
    """The fault: an administrator lowered to attaché by another administrator could still
    add users (and reset passwords) from the window she had open. Refused now; the users and
    their key slots are unchanged."""
    UserService(ws).add("dana", "admin", PASSWORD)
    dana = open_ws("dana")
    UserService(ws).set_role("dana", "attache")
    before = (_state(ws), installation.keyslots.read_bytes())

    with pytest.raises(AccountChanged, match="made you Labour attaché"):
        UserService(dana).add("eve", "admin", PASSWORD)
    with pytest.raises(AccountChanged):
        UserService(dana).change_password("aigul", "taken over by dana")

    assert (_state(ws), installation.keyslots.read_bytes()) == before


def test_a_revoked_officer_cannot_unlock_her_locked_window(
    installation: Paths, open_ws: OpenWs
) -> None:
    """The fault: the lock screen proved the password against her key slot only. A revoked
    officer was told "Wrong password" and left before a window that still held the database
    key; now she is told her account was revoked, and the window's session ends."""
    aigul = open_ws("aigul")
    admin = open_ws("admin")
    assert UserService(admin).revoke("aigul").rekey_waiting  # her window holds the file
    before = _state(admin)
    with pytest.raises(AccountChanged, match="revoked your account"):
        unlock_again(aigul, PASSWORD)
    assert _state(admin) == before
    assert LoginGuard(installation.data_dir).failures("aigul") == 0


def test_wrong_passwords_at_the_lock_screen_count_as_at_the_sign_in_window(
    installation: Paths, open_ws: OpenWs
) -> None:
    """The fault: the lock screen tried any number of passwords with no delay and no trace,
    the guessing the sign-in window slows down and audits. Now each wrong one counts (the
    same growing delay) and the right one moves them into the audit log."""
    aigul = open_ws("aigul")
    guard = LoginGuard(installation.data_dir)
    for guess in ("guess one", "guess two"):
        with pytest.raises(AuthError):
            unlock_again(aigul, guess, guard)
    assert guard.failures("aigul") == 2
    assert guard.remaining_wait("aigul") > 0  # the next try waits, as at sign-in
    unlock_again(aigul, PASSWORD, LoginGuard(installation.data_dir, _NoWait()))
    assert guard.failures("aigul") == 0
    with aigul.read() as session:
        failed = session.execute(
            select(AuditEntry.actor).where(AuditEntry.action == "user.login_failed")
        ).all()
    assert [tuple(row) for row in failed] == [("aigul",), ("aigul",)]


class _NoWait:
    """A clock whose waits pass at once: the test need not sit out the delay."""

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(minutes=5)

    def sleep(self, seconds: float) -> None:
        pass
