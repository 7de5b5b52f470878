from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry
from app.errors import PermissionDenied, ValidationError
from app.services.settings import (
    DEFAULT_IDLE_MINUTES,
    idle_lock_minutes,
    set_idle_lock_minutes,
)
from tests.conftest import OpenWs


def test_idle_lock_is_a_mission_policy_set_by_the_administrator(
    open_ws: OpenWs,
) -> None:
    admin, attache = open_ws("admin"), open_ws("aigul")
    assert idle_lock_minutes(attache) == DEFAULT_IDLE_MINUTES
    set_idle_lock_minutes(admin, 5)
    assert idle_lock_minutes(attache) == 5  # every computer, every user
    with pytest.raises(PermissionDenied):
        set_idle_lock_minutes(attache, 60)
    with pytest.raises(ValidationError, match="1 to 240"):
        set_idle_lock_minutes(admin, 0)
    assert idle_lock_minutes(admin) == 5
    with admin.read() as session:
        actions = session.execute(select(AuditEntry.action, AuditEntry.details)).all()
    assert ("settings.idle_lock", {"from": DEFAULT_IDLE_MINUTES, "to": 5}) in actions
