"""Domain settings of the installation, kept in the database (not per computer).

The idle-lock time is a security policy of the mission, so it is set by an administrator and
applies on every computer that opens the database; window state stays in QSettings.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.db.models import Setting
from app.domain.roles import POLICY_SETTERS
from app.errors import ValidationError
from app.i18n import _
from app.services.workspace import Workspace

IDLE_LOCK = "idle_lock_minutes"
# The last date a retention run trusted (ISO), its date guard's reference (app.services.retention).
RETENTION_TRUSTED_ON = "retention_trusted_on"
DEFAULT_IDLE_MINUTES = 10
MIN_IDLE_MINUTES = 1
MAX_IDLE_MINUTES = 240


@dataclass(frozen=True)
class WholeNumberSetting:
    """A whole-number policy an administrator sets, kept under ``key``, from ``low`` to ``high``."""

    key: str
    low: int
    high: int
    default: int
    action: str  # what the audit log calls a change

    def read(self, workspace: Workspace) -> int:
        """The value, or the default where it is unset or out of range."""
        with workspace.read() as session:
            row = session.get(Setting, self.key)
        value = row.value if row is not None else None
        return value if isinstance(value, int) and self.low <= value <= self.high else self.default

    def store(self, workspace: Workspace, value: int, out_of_range: str) -> None:
        """Sets the value (administrators only); ``out_of_range`` is the refusal, with {low} and
        {high} to fill in."""
        workspace.require_role(*POLICY_SETTERS)
        if not self.low <= value <= self.high:
            raise ValidationError(out_of_range.format(low=self.low, high=self.high), field=self.key)
        with workspace.write() as session:
            row = session.get(Setting, self.key)
            previous = row.value if row is not None else self.default
            if row is None:
                session.add(Setting(key=self.key, value=value))
            else:
                row.value = value
            workspace.audit(
                session, self.action, "setting", self.key, {"from": previous, "to": value}
            )


IDLE_LOCK_SETTING = WholeNumberSetting(
    IDLE_LOCK, MIN_IDLE_MINUTES, MAX_IDLE_MINUTES, DEFAULT_IDLE_MINUTES, "settings.idle_lock"
)


def idle_lock_minutes(workspace: Workspace) -> int:
    return IDLE_LOCK_SETTING.read(workspace)


def set_idle_lock_minutes(workspace: Workspace, minutes: int) -> None:
    IDLE_LOCK_SETTING.store(workspace, minutes, _("The idle lock is {low} to {high} minutes."))


# After how many days without an answer an issued letter is listed as awaiting a reply (the
# Start page, the letters register). A mission policy: the host ministry's habits set it.
REPLY_WAIT = "reply_wait_days"
DEFAULT_REPLY_WAIT_DAYS = 14
MIN_REPLY_WAIT_DAYS = 1
MAX_REPLY_WAIT_DAYS = 180

REPLY_WAIT_SETTING = WholeNumberSetting(
    REPLY_WAIT,
    MIN_REPLY_WAIT_DAYS,
    MAX_REPLY_WAIT_DAYS,
    DEFAULT_REPLY_WAIT_DAYS,
    "settings.reply_wait",
)


def reply_wait_days(workspace: Workspace) -> int:
    return REPLY_WAIT_SETTING.read(workspace)


def set_reply_wait_days(workspace: Workspace, days: int) -> None:
    REPLY_WAIT_SETTING.store(
        workspace, days, _("A letter awaits its reply for {low} to {high} days.")
    )
