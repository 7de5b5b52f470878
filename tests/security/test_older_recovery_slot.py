"""A recovery slot an older version made: its signing key is not on record.

``installation.recover`` is signed by the slot that opened the file, whose key the history
records from setup on (``app.security.user_ledger``). An installation set up by an older
version has a recovery slot and no key on record for it; that key is derived from the slot's
X25519 private key, which only the recovery key unwraps, so no sign-in can put it on record.
Until the administrator replaces the recovery key, a recovery Aigul forges with the database
key passes as before: Settings tells the administrator so, and the replacement closes it.
"""

from __future__ import annotations

from sqlalchemy import select

from app.config import Paths
from app.db.models import AuditEntry
from app.security import audit
from app.security.keyslots import KeySlotStore
from app.security.user_ledger import RECOVERY_KEY, account_findings
from app.services.recovery import RecoveryService
from app.services.users import UserService
from tests.conftest import PASSWORD, OpenWs
from tests.security.test_signed_account_changes import (
    Entry,
    _her_signing_key,
    _rewrite_history,
    aigul_forges_a_recovery,
)

NOTE = (
    "The recovery key was made by an older version of Qorgau: a recovery with it cannot be "
    "told apart from one forged by someone holding the database key. Replace the recovery key "
    "once to close this gap."
)


def _setup_without_the_recovery_slots_key(entry: Entry) -> Entry | None:
    """Setup as a version before signed recoveries wrote it (accounts' keys kept)."""
    actor, action, entity, entity_id, details = entry
    details = {k: v for k, v in details.items() if k not in (RECOVERY_KEY, audit.SIGNATURE)}
    return actor, action, entity, entity_id, details


def _aigul_is_administrator(admin_ws: OpenWs) -> bool:
    admin = admin_ws("admin")
    with admin.read() as session:
        return account_findings(session, "aigul") == []


def _set_up_by_an_older_version(installation: Paths) -> None:
    key = KeySlotStore(installation.keyslots).unlock("admin", PASSWORD)
    # Each entry moves, so the administrator's are signed again at their new place.
    admin = ("admin", _her_signing_key(installation, "admin"))
    _rewrite_history(installation, key, _setup_without_the_recovery_slots_key, sign_as=admin)


def test_a_recovery_forged_through_an_older_slot_passes_as_before(
    installation: Paths, open_ws: OpenWs
) -> None:
    """The limit, as stated: no key on record, the recovery is judged as before."""
    _set_up_by_an_older_version(installation)
    aigul_forges_a_recovery(installation)
    assert _aigul_is_administrator(open_ws)


def test_an_older_recovery_slot_is_named_in_settings_until_the_key_is_replaced(
    installation: Paths, open_ws: OpenWs
) -> None:
    _set_up_by_an_older_version(installation)
    admin = open_ws("admin")
    assert RecoveryService(admin).unsigned_slots_note() == NOTE

    RecoveryService(admin).rotate()  # the new slot's key goes on record, signed by her
    assert RecoveryService(admin).unsigned_slots_note() == ""
    with admin.read() as session:
        rotated = session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "recovery.rotate")
        ).scalar_one()
    assert rotated[RECOVERY_KEY]

    aigul_forges_a_recovery(installation)  # now refused: not signed by the slot's key
    assert not _aigul_is_administrator(open_ws)
    assert (
        "the role was changed in the database directly"
        in ({u.username: u.finding for u in UserService(open_ws("admin")).list()}["aigul"])
    )


def test_a_recovery_slot_this_version_made_needs_no_note(
    installation: Paths, open_ws: OpenWs
) -> None:
    assert RecoveryService(open_ws("admin")).unsigned_slots_note() == ""
