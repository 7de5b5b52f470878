"""What an HQ on a database server leaves to the server, and what to use instead.

Such an HQ has no key file: nothing to back up into a ZIP, no recovery key, no database key to
keep in this computer's keyring. Each refusal says what to use instead, so that neither the
CLI nor the desktop offers an action that can only fail.
"""

from __future__ import annotations

from app.errors import QorgauError
from app.i18n import _


class ServerHandles(QorgauError):
    """An action an HQ on a database server leaves to the server (CLI exit status 1)."""


def backups_message() -> str:
    return _(
        "An HQ on a database server is backed up by the server: pg_dump and point-in-time "
        "recovery, as its deployment guide describes. Qorgau's own backups are for a mission "
        "or an HQ kept in a file."
    )


def recovery_message() -> str:
    return _(
        "An HQ on a database server has no recovery key: a user who forgot their password "
        "asks the server's administrator (or an HQ administrator) to set a new one."
    )


def unlock_message() -> str:
    return _(
        "At an HQ on a database server each user signs in with their own server account "
        "every time; this computer keeps no key to unlock it."
    )


def refuse_on_server(on_server: bool, message: str) -> None:
    if on_server:
        raise ServerHandles(message)


def sessions_ended_message(ended: int | None) -> str:
    """What revoking a server account did to the sessions its user had open."""
    if ended is None:
        # Qorgau's own windows re-read the account before each transaction and stop; a
        # session opened outside Qorgau (psql, a report tool) stays connected, but the
        # account left its group (``disable_login``), so it may read and write nothing.
        return _(
            "Their Qorgau windows still open refuse their next action. Sessions they opened "
            "with other programs (psql, a report tool) stay connected until they close, but "
            "may no longer read or change anything; ending them needs the server role "
            "pg_signal_backend for qorgau_admin, which the server's administrator grants "
            "(see the HQ deployment guide)."
        )
    return _("Open sessions of theirs ended: {count}.").format(count=ended)
