"""Who may do what: the groups of roles the services check, each defined once.

A user's role is stored as a ``Role`` value ("attache", "consul", "admin", "hq"). Services
check a group with ``Workspace.require_role(*GROUP)``; the UI hides what the group forbids, but
the service's check is the one that counts.
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
# Keys, the legal library and tables, escrow and imports: the administrator, or HQ.
ADMIN_OR_HQ: frozenset[Role] = frozenset({Role.ADMIN, Role.HQ})
# Sending bundles and resolving conflicts: those who may also be the mission's voice to HQ.
EXCHANGE_ROLES: frozenset[Role] = frozenset({Role.ADMIN, Role.CONSUL, Role.HQ})
