"""The case-holder migration: existing cases are held by their mission, transferred ones by the
mission the latest transfer event names (so ownership holds for data made before it)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import select, text

from app.config import Paths
from app.db import migrate
from app.db.models import Case, CaseEvent
from app.services.demo import fill_demo
from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.integration.migration_helpers import downgraded

MIGRATION = migrate.MIGRATIONS_DIR / "versions" / "0006_case_holder.py"


def _down_revision() -> str:
    spec = importlib.util.spec_from_file_location("case_holder_migration", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.down_revision)


def test_holders_are_recovered_from_transfer_events(installation: Paths, tmp_path: Path) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    fill_demo(ws, 3, seed=1)
    with ws.write() as session:
        moved, kept = session.execute(select(Case).order_by(Case.number).limit(2)).scalars()
        moved.transferred_from = "SEL"
        session.add(
            CaseEvent(
                case_id=moved.id,
                kind="system",
                author="astana",
                text="Case transferred from SEL to DXB by headquarters.",
                data={"transfer": {"from": "SEL", "to": "DXB"}},
            )
        )
        moved_id, kept_id = moved.id, kept.id
    db = downgraded(installation, ws, _down_revision())
    try:
        with db.engine.begin() as connection:
            migrate.upgrade_to(connection, "head")
        with db.engine.connect() as connection:
            holders = dict(connection.execute(text('SELECT id, holder_mission FROM "case"')).all())
    finally:
        db.dispose()
    assert holders[moved_id] == "DXB"
    assert holders[kept_id] == "SEL"
    assert set(holders.values()) == {"SEL", "DXB"}
