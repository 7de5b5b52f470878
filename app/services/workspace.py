"""An unlocked installation: the open database, who is working, and the mission they work for.

Every service takes a ``Workspace``. Sessions are opened per action (``read``/``write``) and
closed before the service returns, so nothing outside ``app.services`` holds a live ORM row.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.config import Paths
from app.db import sync  # also registers the flush hooks
from app.db.engine import Database, Listening, Pinned
from app.db.models import User
from app.domain import labels
from app.domain.cities import known_city
from app.domain.codes import Role
from app.errors import AccountChanged, DatabaseError, PermissionDenied
from app.i18n import N_, Said, _, lazy
from app.security import audit
from app.security.keyslots import KeySlotStore, PendingKey
from app.security.rekey import finish_waiting
from app.security.user_ledger import SIGNED_ACTIONS, signer
from app.services.changes import (
    ChangeHub,
    DataChanged,
    anything_changed,
    notice,
    read_notice,
)

if TYPE_CHECKING:
    from app.services.after_crash import FoundAfterCrash


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    full_name: str = ""


def city_in(language: str, city: str, city_kk: str = "", city_ru: str = "") -> str:
    """A mission's city in ``language`` (Сеул, not Seoul, in Kazakh): as set up for that
    language, else the name that language uses for a city known here (an HQ set up with
    ``--city Astana`` alone read "Astana, Қазақстан" in Kazakh), else the city as set up,
    the one name there is: better a name in another script than none."""
    given = {"kk": city_kk, "ru": city_ru}.get(language, "").strip()
    return given or known_city(city, language) or city


@dataclass(frozen=True)
class MissionSummary:
    code: str
    country: str
    city: str
    is_hq: bool
    name_kk: str
    name_ru: str
    name_en: str
    city_kk: str = ""
    city_ru: str = ""

    def city_in(self, language: str) -> str:
        return city_in(language, self.city, self.city_kk, self.city_ru)


def account_changed(role_now: str | None) -> AccountChanged:
    """What the person is told when their account changed under their open session:
    ``role_now`` None for a revoked (or deleted) account."""
    if role_now is None:
        return AccountChanged(
            lambda: _(
                "An administrator revoked your account while you were signed in; nothing was "
                "saved, and this session has ended."
            )
        )
    return AccountChanged(
        lambda: _(
            "An administrator made you {role} while you were signed in; nothing was saved. "
            "Sign in again to work as {role}."
        ).format(role=labels.role(role_now))
    )


AccountListener = Callable[[AccountChanged], None]
# How a server refuses the account's own row once a revocation took the account out of its
# group: no privilege on the schema (the table is then not found) or on the table.
ACCOUNT_LEFT_ITS_GROUP = frozenset({"42P01", "42501"})


class Workspace:
    def __init__(
        self,
        paths: Paths,
        db: Database,
        actor: Actor,
        mission: MissionSummary,
        database_id: str,
        *,
        check_account: bool = True,
    ) -> None:
        self.paths = paths
        self.db = db
        self.actor = actor
        self.mission = mission
        self.database_id = database_id
        # The one change signal: every committed write is published here (see changes.py).
        self.changes = ChangeHub()
        # Names this workspace's notices to the other desktops, so it ignores its own.
        self.source = uuid.uuid4().hex
        self._listening: Listening | None = None
        # False only for a workspace the demo makes to sign as an officer nobody signed in as.
        self._check_account = check_account
        self._account_lock = threading.Lock()
        self.role_now: str | None = actor.role  # None once the account is found revoked
        self._account_listeners: list[AccountListener] = []
        # The key a re-key waits to give the file while other windows hold it (this window
        # began it, or signed in since): new key slots get it too, and closing finishes it.
        self.pending_key: PendingKey | None = None
        # Her account signing key (from her key slot, at a sign-in with her password or from
        # "unlock on this computer"): account changes she makes are signed with it.
        self.signing_key: Ed25519PrivateKey | None = None
        # What this start found left by Qorgau stopped half-way and put right, to be said
        # once (``app.services.after_crash``).
        self.after_crash: list[FoundAfterCrash] = []

    @property
    def mission_code(self) -> str:
        return self.mission.code

    @property
    def mission_here(self) -> str | None:
        """A mission's code, whose work lists, reports and retention leave out its copies of
        cases HQ moved away; None at HQ, which lists every mission's cases."""
        return None if self.mission.is_hq else self.mission.code

    @property
    def on_server(self) -> bool:
        """An HQ whose data is on a PostgreSQL server: no key file, no key slots; each user
        signs in with their own server account, and the server's backups restore it."""
        return self.db.dialect == "postgresql"

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reading(self.db.read()) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self._writing(self.db.write()) as session:
            yield session

    @contextmanager
    def _reading(self, opened: AbstractContextManager[Session]) -> Iterator[Session]:
        with opened as session:
            self._recheck_account(session)
            session.info["mission_code"] = self.mission.code
            yield session

    @contextmanager
    def _writing(self, opened: AbstractContextManager[Session]) -> Iterator[Session]:
        with opened as session:
            self._recheck_account(session)
            session.info["mission_code"] = self.mission.code
            session.info[sync.HELD_HERE] = self.mission.code
            session.info[sync.AT_HQ] = self.mission.is_hq
            session.info.pop(sync.CHANGED_KEY, None)
            yield session
            self._announce(session)
        # Reached only once the transaction committed: a rolled-back write changed nothing.
        found = sync.take_changes(session)
        if found is not None:
            self.changes.publish(DataChanged(*found))

    def _announce(self, session: Session) -> None:
        """Tell the other desktops on the same database (an HQ on a server) what this write
        changed, in its own transaction: the flush first, so that its rows are counted."""
        if not self.db.shared:
            return
        session.flush()
        found = sync.peek_changes(session)
        if found is not None:
            message = notice(DataChanged(*found), self.actor.username, self.source)
            self.db.announce(session, message)

    def hear_other_desktops(self) -> None:
        """Publish the other desktops' changes on ``changes`` too, from now until ``close``
        (the desktop app; a command that ends at once needs no news). Nothing on a file."""
        if self._listening is None:
            self._listening = self.db.listen(self._heard)

    def _heard(self, message: str | None, sender: str) -> None:
        if message is None:
            change: DataChanged | None = anything_changed()
        else:
            change = read_notice(message, self.source, sender)
        if change is not None:
            self.changes.publish(change)

    @contextmanager
    def staged(self) -> Iterator[Staged]:
        """A read, then a write, on one connection with a private staging schema
        (``Database.pinned``): work staged while reading is applied in a short write."""
        with self.db.pinned() as pinned:
            yield Staged(self, pinned)

    @property
    def account_ended(self) -> bool:
        return self.role_now != self.actor.role

    def _account_row(self, session: Session) -> Any:
        """The account's (role, active), None where it is gone: on a server a revoked account
        has left its group, so the read itself is refused (no privilege on the schema)."""
        query = select(User.role, User.active).where(User.username == self.actor.username)
        try:
            return session.execute(query).one_or_none()
        except DBAPIError as exc:
            if self.db.shared and getattr(exc.orig, "sqlstate", None) in ACCOUNT_LEFT_ITS_GROUP:
                return None
            raise

    def watch_account(self, listener: AccountListener) -> None:
        """``listener`` is called once (on the thread that found it) when this session finds
        its account revoked or given another role."""
        with self._account_lock:
            self._account_listeners.append(listener)

    def _recheck_account(self, session: Session) -> None:
        """The role was checked against the actor fixed at sign-in, and an administrator may
        have revoked the account or changed its role since (the CLI, or another window, beside
        this one): every session re-reads the account's row first, one indexed read in the
        transaction already open, and refuses to go on when it changed. The session ends for
        good; a changed role is taken up by signing in again, which rebuilds the window."""
        if not self._check_account:
            return
        if not self.account_ended:
            found = self._account_row(session)
            if found is not None and found.active and found.role == self.actor.role:
                return
            with self._account_lock:
                first = not self.account_ended
                self.role_now = found.role if found is not None and found.active else None
                listeners = list(self._account_listeners) if first else []
            for listener in listeners:
                listener(account_changed(self.role_now))
        raise account_changed(self.role_now)

    def check_account(self) -> None:
        """AccountChanged when the account was revoked or given another role since sign-in."""
        with self.read():
            pass

    def require_role(self, *roles: Role, refusal: str | None = None) -> None:
        """Services call this before acting; the UI hiding a button is not enough.
        ``refusal``: what the refused user is told (an ``N_`` text with ``{role}``), where the
        general sentence would leave them asking what they may not do and who may."""
        if self.actor.role not in roles:
            role = self.actor.role  # the role's name too is said in the language of the moment
            raise PermissionDenied(
                lazy(
                    refusal or N_("Your role ({role}) does not allow this action."),
                    role=Said(lambda: labels.role(role)),
                )
            )

    def audit(
        self,
        session: Session,
        action: str,
        entity: str = "",
        entity_id: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        sign = None
        if self.signing_key is not None and action in SIGNED_ACTIONS:
            sign = signer(self.signing_key)
        audit.record(session, self.actor.username, action, entity, entity_id, details, sign)

    def close(self) -> None:
        if self._listening is not None:
            self._listening.stop()
            self._listening = None
        self.db.dispose()
        if self.pending_key is not None and not self.on_server:
            # Kept when still waiting: the command line tells the administrator so.
            try:
                if finish_waiting(
                    self.paths.db, KeySlotStore(self.paths.keyslots), self.db.key, self.pending_key
                ):
                    self.pending_key = None
            except DatabaseError:
                pass  # closing must not fail: the next sign-in finishes it and says why not


class DatedService:
    """A service over one workspace whose "today" can be fixed (tests, reports of a past day)."""

    def __init__(self, workspace: Workspace, today: date | None = None) -> None:
        self.ws = workspace
        self._today = today

    @property
    def today(self) -> date:
        return self._today or self.current_date()

    @staticmethod
    def current_date() -> date:
        """The date "today" stands for when none is fixed: the computer's local date."""
        return date.today()


class Staged:
    """``Workspace.read`` and ``write`` on one pinned connection; ``schema`` is where the
    job stages its tables."""

    def __init__(self, ws: Workspace, pinned: Pinned) -> None:
        self._ws = ws
        self._pinned = pinned
        self.schema = pinned.schema
        self.dialect = pinned.connection.dialect.name  # "sqlite" (SQLCipher) or "postgresql"

    def read(self) -> AbstractContextManager[Session]:
        return self._ws._reading(self._pinned.read())

    def write(self) -> AbstractContextManager[Session]:
        return self._ws._writing(self._pinned.write())
