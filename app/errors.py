"""Exceptions with a message fit for the user.

Every error a user can cause is one of these; the CLI prints ``str(exc)`` on one line and the
UI shows it in a dialog. Messages are translated where they are raised, through ``_()``.
"""

from __future__ import annotations

from collections.abc import Callable


class QorgauError(Exception):
    """Base of every expected error; ``str()`` is the user-facing message.

    The message may be given as a function returning it: ``str()`` then translates it when it
    is shown, so a message still on screen follows a language switch (the sign-in error).
    """

    def __str__(self) -> str:
        message = self.args[0] if len(self.args) == 1 else None
        return str(message()) if callable(message) else super().__str__()


class UsageError(QorgauError):
    """The command was called the wrong way (CLI exit status 2)."""


class ValidationError(QorgauError):
    """Input that breaks a rule: a bad IIN, a negative wage, an unknown code."""

    def __init__(self, message: str | Callable[[], str], field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AuthError(QorgauError):
    """Wrong user name or password, or a revoked account.

    ``wait_s``: where the attempt was counted, the delay before the next one, so a window
    that says the refusal in its own words can still say how long to wait."""

    wait_s: int = 0


class PermissionDenied(QorgauError):
    """The user's role does not allow the action."""


class AccountChanged(PermissionDenied):
    """An administrator revoked the signed-in account, or gave it another role, while it was
    signed in: nothing more is read or saved in this session; the person signs in again."""


class NotFound(QorgauError):
    """A record that was asked for does not exist."""


class DatabaseError(QorgauError):
    """The database file is missing, not a Qorgau database, corrupt or too new."""


class SetupCutShort(DatabaseError):
    """The data folder holds what a first setup stopped before its commit left: a key file
    the administrator's password opens, and no mission. The same administrator sets it up
    again (``init``, the desktop's setup wizard)."""


class InstallationExists(DatabaseError):
    """A setup refused: the data folder holds an installation, or a setup stopped half-way
    that is not this administrator's to make again."""


class WrittenByNewerVersion(DatabaseError):
    """The database's schema is of a Qorgau newer than this one, which refuses to touch it."""


class DatabaseBusy(DatabaseError):
    """Another process held the database's lock for longer than the busy timeout."""


class FileInUse(DatabaseBusy):
    """Another Qorgau window or command has the database file open, so its key cannot be
    changed now (``PRAGMA rekey`` needs the only connection)."""


class StorageFull(DatabaseError):
    """The disk holding the database has no room left for the change."""


class StorageFailed(DatabaseError):
    """The disk or network drive failed to read or write the database (an I/O error)."""


class DatabaseDamaged(DatabaseError):
    """The database file is corrupt, or has been replaced by something that is not one."""


class SessionEnded(StorageFailed):
    """The database server ended this user's session or refuses their account now (revoked)."""


class IntegrityError(QorgauError):
    """Tampering detected: audit chain, bundle signature or hash mismatch."""


class ConflictError(QorgauError):
    """A concurrent change or a duplicate that needs a person's decision."""
