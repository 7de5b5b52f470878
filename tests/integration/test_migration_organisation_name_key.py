"""Migration 0022: employers and agencies on file get the key their names are matched on,
indexed with the country; taken back down, the column and its indexes go. Migration 0023: the
keys of Turkish trade titles ("… San. ve Tic. Ltd. Şti.") are written again without the
title's boilerplate, and only theirs."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection, inspect

from app.config import Paths
from app.db import migrate
from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.integration.migration_helpers import (
    assert_at_head_as_the_models,
    downgrade,
    downgraded,
    indexed_columns,
)

OLD_ROWS = (
    ("employer", "e1", "Hanil Co., Ltd."),
    ("employer", "e2", "HANIL CO LTD"),
    ("employer", "e3", "ТОО «Алем»"),
    ("recruitment_agency", "a1", "Global Staffing L.L.C."),
)


def _insert_as_at_0021(
    connection: Connection, table: str, row_id: str, name: str, **more: str
) -> None:
    values = {
        "id": row_id,
        "origin_mission": "SEL",
        "version": 1,
        "updated_at": datetime(2026, 1, 1),
        "change_seq": 0,
        "name": name,
        "country": "KR",
        "city": "",
        "address": "",
        "phone": "",
        "email": "",
        "watchlist": False,
        "watchlist_reason": "",
        "notes": "",
        **({"registration_no": "", "sector": ""} if table == "employer" else {"licence_no": ""}),
        **more,
    }
    rows = sa.table(table, *(sa.column(name) for name in values))
    connection.execute(sa.insert(rows).values(values))


def _columns(connection: Connection, table: str) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns(table)}


def test_down_to_0021_and_up_again_keys_the_names_on_file(installation: Paths) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    db = downgraded(installation, ws, "0021")
    try:
        with db.engine.begin() as connection:
            assert "name_key" not in _columns(connection, "employer")
            for row in OLD_ROWS:
                _insert_as_at_0021(connection, *row)
            migrate.upgrade_to(connection, "head")
        with db.engine.connect() as connection:
            assert_at_head_as_the_models(connection)
            held = connection.execute(
                sa.text("SELECT id, name_key FROM employer WHERE id LIKE 'e_'")
            )
            keys = {row_id: key for row_id, key in held}
            assert keys == {"e1": "hanil", "e2": "hanil", "e3": "алем"}
            agency = connection.execute(
                sa.text("SELECT name_key FROM recruitment_agency WHERE id = 'a1'")
            ).scalar_one()
            assert agency == "global staffing"
            for table in ("employer", "recruitment_agency"):
                index = f"ix_{table}_country_key"
                assert indexed_columns(connection, index) == ["country", "name_key"]
        with db.engine.begin() as connection:
            downgrade(connection, "0021")
            assert "name_key" not in _columns(connection, "recruitment_agency")
            assert "name_key" not in _columns(connection, "employer")
    finally:
        db.dispose()


def test_up_from_0022_keys_turkish_trade_titles_again(installation: Paths) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    db = downgraded(installation, ws, "0022")
    # The keys as 0022's function gave them: the trade title's boilerplate kept.
    at_0022 = (
        ("t1", "Yıldız İnşaat San. ve Tic. Ltd. Şti.", "yildiz insaat san ve tic"),
        (
            "t2",
            "Yildiz Insaat Sanayi ve Ticaret Limited Sirketi",
            "yildiz insaat sanayi ve ticaret",
        ),
        ("t3", "Yıldız İnşaat", "yildiz insaat"),
        ("t4", "Hanil Co., Ltd.", "hanil"),
    )
    try:
        with db.engine.begin() as connection:
            for row_id, name, key in at_0022:
                _insert_as_at_0021(connection, "employer", row_id, name, name_key=key)
            stamped = sa.text("SELECT updated_at, change_seq FROM employer WHERE id = 't4'")
            before = connection.execute(stamped).one()
            migrate.upgrade_to(connection, "head")
        with db.engine.connect() as connection:
            assert_at_head_as_the_models(connection)
            held = connection.execute(
                sa.text("SELECT id, name_key FROM employer WHERE id LIKE 't_'")
            )
            assert dict(held.all()) == {
                "t1": "yildiz insaat",
                "t2": "yildiz insaat",
                "t3": "yildiz insaat",
                "t4": "hanil",
            }
            # A key is this installation's own: the record's version and change number stay.
            assert connection.execute(stamped).one() == before
    finally:
        db.dispose()
