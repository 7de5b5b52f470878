"""Migration 0033: a register record without a case, anonymised before retention gave each its
own person, leaves its worker, whom another record keeps, for a person of its own (sex,
citizenship and consent date only); at a mission in a new version its next bundle carries, at
headquarters in the version it had."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial

from sqlalchemy import Connection, insert, select

from app.config import Paths
from app.db import migrate
from app.db.models import Person, Returnee, new_id
from app.domain.persons import own_person_id
from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.integration.migration_helpers import (
    assert_at_head_as_the_models,
    filled_and_upgraded,
    migrated_hq,
    scratch_database,
)
from tests.integration.test_migration_anonymised_own_person import ANONYMISED_AT, WORKER
from tests.pg_cluster import Cluster


def _old_anonymised_record(connection: Connection, mission: str) -> tuple[str, str, str]:
    """A worker with a live register record and one anonymised before 0033, which still
    refers to her: (worker, anonymised, live)."""
    sync = {"origin_mission": mission, "version": 1, "updated_at": datetime.now(UTC)}
    worker, gone, live = new_id(), new_id(), new_id()
    connection.execute(
        insert(Person),
        [
            {"id": worker, **sync, "change_seq": 0, **WORKER, "sex": "female"}
            | {"citizenship": "KZ", "consent_date": date(2020, 3, 2), "phone_home": "+7 701"}
        ],
    )
    connection.execute(
        insert(Returnee),
        [
            {"id": record_id, **sync, "change_seq": 0, "person_id": worker, "case_id": None}
            | {"occupation": "7212", "work_country": "KR", "region": "KZ-71"}
            | {"consent_date": date(2020, 4, 1), "anonymised_at": anonymised}
            for record_id, anonymised in ((gone, ANONYMISED_AT), (live, None))
        ],
    )
    return worker, gone, live


def _assert_left_for_its_own(connection: Connection, worker: str, gone: str, live: str) -> None:
    own = own_person_id(gone)
    people = {
        row.id: row
        for row in connection.execute(select(Person).where(Person.id.in_([worker, own])))
    }
    stub = people[own]
    assert (stub.surname, stub.iin, stub.phone_home, stub.consent_scope) == ("", None, "", [])
    assert (stub.sex, stub.citizenship, stub.consent_date) == ("female", "KZ", date(2020, 3, 2))
    assert stub.anonymised_at == ANONYMISED_AT
    assert people[worker].surname == WORKER["surname"]  # kept for her live record
    person_of = dict(connection.execute(select(Returnee.id, Returnee.person_id)).all())
    assert person_of == {gone: own, live: worker}


def test_a_mission_gives_each_its_own_person_in_a_version_its_next_bundle_sends(
    installation: Paths,
) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    mission = ws.mission_code
    old = partial(_old_anonymised_record, mission=mission)
    with filled_and_upgraded(installation, ws, "0032", old) as (connection, filled):
        worker, gone, live = filled
        _assert_left_for_its_own(connection, worker, gone, live)
        versions = dict(connection.execute(select(Returnee.id, Returnee.version)).all())
        assert versions == {gone: 2, live: 1}
        changed = [
            connection.execute(select(model.change_seq).where(model.id == row)).scalar_one()
            for model, row in ((Returnee, gone), (Person, own_person_id(gone)))
        ]
        assert all(seq > 0 for seq in changed) and len(set(changed)) == 2


def test_headquarters_on_postgresql_keeps_the_versions(pg_cluster: Cluster) -> None:
    with scratch_database(pg_cluster, "register_own_person_check") as engine:
        with engine.begin() as connection:
            migrated_hq(connection, "0032")
            worker, gone, live = _old_anonymised_record(connection, "HQ")
        with engine.begin() as connection:
            migrate.upgrade_to(connection, "head")
        with engine.connect() as connection:
            assert_at_head_as_the_models(connection)
            _assert_left_for_its_own(connection, worker, gone, live)
            kept = select(Returnee.version, Returnee.change_seq)
            assert connection.execute(kept).all() == [(1, 0)] * 2
            own = select(Person.origin_mission, Person.version, Person.change_seq)
            found = connection.execute(own.where(Person.id == own_person_id(gone))).one()
            assert tuple(found) == ("HQ", 1, 0)
