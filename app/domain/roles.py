"""Who may do what: the groups of roles the services check, each defined once.

A user's role is stored as a ``Role`` value ("attache", "consul", "admin", "hq", and at a
headquarters on a database server "hq_analyst", "hq_importer", "hq_admin"). Services check a
group with ``Workspace.require_role(*GROUP)``; the UI hides what the group forbids, but the
service's check is the one that counts. At HQ on PostgreSQL the database's own grants
(``app/services/hq_database.py``) refuse the same writes a second time.
"""

from __future__ import annotations

from app.domain.codes import Role

ALL_ROLES: tuple[Role, ...] = tuple(Role)
# The mission's staff who work on cases, contracts, letters and people. HQ analysts read
# imported copies of missions' cases and change none of them.
CASE_WORKERS: frozenset[Role] = frozenset({Role.ATTACHE, Role.CONSUL, Role.ADMIN})
# Decisions of the head of section: close, reject or reopen a case, approve a letter, the
# watchlist, notes on agreements, backups and retention.
SENIOR_ROLES: frozenset[Role] = frozenset({Role.CONSUL, Role.ADMIN})
# Keys, the legal library and tables, escrow: the administrator, or HQ ("hq" is the single
# operator of an HQ file installation; "hq_admin" the administrator of an HQ on a server).
ADMIN_OR_HQ: frozenset[Role] = frozenset({Role.ADMIN, Role.HQ, Role.HQ_ADMIN})
# Importing bundles: besides the above, HQ's import operator (PostgreSQL role qorgau_importer).
# An HQ analyst reads and reports, and imports nothing.
BUNDLE_IMPORTERS: frozenset[Role] = ADMIN_OR_HQ | {Role.HQ_IMPORTER}
# Those who work with HQ's private keys (the signing key, the age identity): they sign HQ's
# bundles or open the missions' with them, at an HQ on a server on the import workstation.
HQ_KEY_USERS: frozenset[Role] = BUNDLE_IMPORTERS
# Sending bundles and resolving conflicts: those who may also be the mission's voice to HQ,
# and at HQ those who import (a conflict comes from an import).
EXCHANGE_ROLES: frozenset[Role] = frozenset(
    {Role.ADMIN, Role.CONSUL, Role.HQ, Role.HQ_IMPORTER, Role.HQ_ADMIN}
)
# Adding, revoking and changing users: the administrator of the installation.
USER_MANAGERS: frozenset[Role] = frozenset({Role.ADMIN, Role.HQ_ADMIN})
# The installation's policies (idle lock, retention period, days to wait for a reply): its
# administrator, and at an HQ on a server every HQ administrator, not only the first one init
# made ("admin"), who may leave (the server lets each of them write the settings).
POLICY_SETTERS: frozenset[Role] = frozenset({Role.ADMIN, Role.HQ_ADMIN})
# The roles of headquarters: they see the consolidation views (every mission's cases).
HQ_ROLES: frozenset[Role] = frozenset({Role.HQ, Role.HQ_ANALYST, Role.HQ_IMPORTER, Role.HQ_ADMIN})
# HQ staff who may write personal records of HQ's own (the returnees' register, answering a
# subject's request): not an analyst, whose database role reads and reports only.
HQ_RECORD_WRITERS: frozenset[Role] = HQ_ROLES - {Role.HQ_ANALYST}
# The roles a user may be given, by kind of installation: a mission's staff; an HQ file's
# operator and administrator; an HQ on a server, whose roles each match a PostgreSQL group
# (its first administrator, made by init, keeps "admin").
MISSION_STAFF_ROLES: tuple[Role, ...] = (Role.ATTACHE, Role.CONSUL, Role.ADMIN)
HQ_FILE_ROLES: tuple[Role, ...] = (Role.HQ, Role.ADMIN)
HQ_SERVER_ROLES: tuple[Role, ...] = (Role.HQ_ANALYST, Role.HQ_IMPORTER, Role.HQ_ADMIN)


def roles_to_give(is_hq: bool, on_server: bool) -> tuple[Role, ...]:
    """The roles a new user of this kind of installation may have, in the order offered."""
    if on_server:
        return HQ_SERVER_ROLES
    return HQ_FILE_ROLES if is_hq else MISSION_STAFF_ROLES
