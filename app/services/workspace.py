"""An unlocked installation: the open database, who is working, and the mission they work for.

Every service takes a ``Workspace``. Sessions are opened per action (``read``/``write``) and
closed before the service returns, so nothing outside ``app.services`` holds a live ORM row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.config import Paths
from app.db import sync  # also registers the flush hooks
from app.db.engine import Database, Pinned
from app.domain import labels
from app.domain.codes import Role
from app.errors import PermissionDenied
from app.i18n import _
from app.security import audit
from app.services.changes import ChangeHub, DataChanged


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    full_name: str = ""


def city_in(language: str, city: str, city_kk: str = "", city_ru: str = "") -> str:
    """A mission's city in ``language`` (Сеул, not Seoul, in Kazakh), else as set up."""
    return {"kk": city_kk, "ru": city_ru}.get(language, "").strip() or city


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


class Workspace:
    def __init__(
        self,
        paths: Paths,
        db: Database,
        actor: Actor,
        mission: MissionSummary,
        database_id: str,
    ) -> None:
        self.paths = paths
        self.db = db
        self.actor = actor
        self.mission = mission
        self.database_id = database_id
        # The one change signal: every committed write is published here (see changes.py).
        self.changes = ChangeHub()

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
            session.info["mission_code"] = self.mission.code
            yield session

    @contextmanager
    def _writing(self, opened: AbstractContextManager[Session]) -> Iterator[Session]:
        with opened as session:
            session.info["mission_code"] = self.mission.code
            session.info[sync.HELD_HERE] = self.mission.code
            session.info[sync.AT_HQ] = self.mission.is_hq
            session.info.pop(sync.CHANGED_KEY, None)
            yield session
        # Reached only once the transaction committed: a rolled-back write changed nothing.
        found = sync.take_changes(session)
        if found is not None:
            self.changes.publish(DataChanged(*found))

    @contextmanager
    def staged(self) -> Iterator[Staged]:
        """A read, then a write, on one connection with a private staging schema
        (``Database.pinned``): work staged while reading is applied in a short write."""
        with self.db.pinned() as pinned:
            yield Staged(self, pinned)

    def require_role(self, *roles: Role) -> None:
        """Services call this before acting; the UI hiding a button is not enough."""
        if self.actor.role not in roles:
            raise PermissionDenied(
                _("Your role ({role}) does not allow this action.").format(
                    role=labels.role(self.actor.role)
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
        audit.record(session, self.actor.username, action, entity, entity_id, details)

    def close(self) -> None:
        self.db.dispose()


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
