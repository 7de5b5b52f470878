"""Domain settings of the installation, kept in the database (not per computer).

The idle-lock time is a security policy of the mission, so it is set by an administrator and
applies on every computer that opens the database; window state stays in QSettings.
"""

from __future__ import annotations

from app.db.models import Setting
from app.domain.codes import Role
from app.errors import ValidationError
from app.i18n import _
from app.services.workspace import Workspace

IDLE_LOCK = "idle_lock_minutes"
DEFAULT_IDLE_MINUTES = 10
MIN_IDLE_MINUTES = 1
MAX_IDLE_MINUTES = 240


def idle_lock_minutes(workspace: Workspace) -> int:
    with workspace.read() as session:
        row = session.get(Setting, IDLE_LOCK)
    value = row.value if row is not None else None
    if isinstance(value, int) and MIN_IDLE_MINUTES <= value <= MAX_IDLE_MINUTES:
        return value
    return DEFAULT_IDLE_MINUTES


def set_idle_lock_minutes(workspace: Workspace, minutes: int) -> None:
    workspace.require_role(Role.ADMIN)
    if not MIN_IDLE_MINUTES <= minutes <= MAX_IDLE_MINUTES:
        raise ValidationError(
            _("The idle lock is {low} to {high} minutes.").format(
                low=MIN_IDLE_MINUTES, high=MAX_IDLE_MINUTES
            ),
            field=IDLE_LOCK,
        )
    with workspace.write() as session:
        row = session.get(Setting, IDLE_LOCK)
        previous = row.value if row is not None else DEFAULT_IDLE_MINUTES
        if row is None:
            session.add(Setting(key=IDLE_LOCK, value=minutes))
        else:
            row.value = minutes
        workspace.audit(
            session, "settings.idle_lock", "setting", IDLE_LOCK, {"from": previous, "to": minutes}
        )
