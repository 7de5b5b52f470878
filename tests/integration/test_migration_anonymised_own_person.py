"""Migration 0032: a case anonymised before retention gave each its own person leaves its
worker, whom another, live case keeps, for a person of its own (sex, citizenship and consent
date only), with its register record and contract review; at a mission in a new version that
its next bundle carries, at headquarters in the version the mission sent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial

from sqlalchemy import Connection, insert, select

from app.config import Paths
from app.db import migrate
from app.db.models import Case, ContractReview, Person, Returnee, new_id
from app.domain.persons import own_person_id
from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.integration.migration_helpers import (
    assert_at_head_as_the_models,
    filled_and_upgraded,
    migrated_hq,
    scratch_database,
)
from tests.pg_cluster import Cluster

WORKER = {"surname": "Сейітова", "given_names": "Әсел", "iin": "900101400123"}
ANONYMISED_AT = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


def _old_anonymised_case(connection: Connection, mission: str) -> tuple[str, str, str]:
    """A worker with a live case and a case anonymised before 0032, which still refers to
    her, as do its register record and its contract review: (worker, anonymised, live)."""
    now = datetime.now(UTC)
    sync = {"origin_mission": mission, "version": 1, "updated_at": now, "change_seq": 0}
    worker, gone, live = new_id(), new_id(), new_id()
    connection.execute(
        insert(Person),
        [
            {"id": worker, **sync, **WORKER, "sex": "female", "citizenship": "KZ"}
            | {"consent_date": date(2020, 3, 2), "phone_abroad": "+82 10 1234 5678"}
        ],
    )
    connection.execute(
        insert(Case),
        [
            {"id": case_id, **sync, "number": f"{mission}-2020-{seq:06d}", "year": 2020}
            | {"mission_code": mission, "holder_mission": mission, "seq": seq}
            | {"person_id": worker, "host_country": "KR", "status": status}
            | {"received_at": date(2020, 3, seq), "anonymised_at": anonymised}
            for case_id, seq, status, anonymised in (
                (gone, 1, "closed", ANONYMISED_AT),
                (live, 2, "in_progress", None),
            )
        ],
    )
    connection.execute(
        insert(Returnee),
        [
            {"id": new_id(), **sync, "person_id": worker, "case_id": gone, "occupation": "7212"}
            | {"work_country": "KR", "region": "KZ-71", "consent_date": date(2020, 4, 1)}
        ],
    )
    connection.execute(
        insert(ContractReview),
        [
            {"id": new_id(), **sync, "person_id": worker, "case_id": gone, "host_country": "KR"}
            | {"risk": "low"}
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
    assert (stub.surname, stub.given_names, stub.iin, stub.birth_date) == ("", "", None, None)
    assert (stub.phone_abroad, stub.next_of_kin, stub.consent_scope) == ("", "", [])
    assert (stub.sex, stub.citizenship, stub.consent_date) == ("female", "KZ", date(2020, 3, 2))
    assert stub.anonymised_at == ANONYMISED_AT
    assert people[worker].surname == WORKER["surname"]  # kept for her live case
    person_of = dict(connection.execute(select(Case.id, Case.person_id)).all())
    assert person_of == {gone: own, live: worker}
    for model in (Returnee, ContractReview):
        assert connection.execute(select(model.person_id)).scalars().all() == [own]


def test_a_mission_gives_each_its_own_person_in_a_version_its_next_bundle_sends(
    installation: Paths,
) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    mission = ws.mission_code
    old = partial(_old_anonymised_case, mission=mission)
    with filled_and_upgraded(installation, ws, "0031", old) as (connection, filled):
        worker, gone, live = filled
        _assert_left_for_its_own(connection, worker, gone, live)
        versions = dict(connection.execute(select(Case.id, Case.version)).all())
        assert versions == {gone: 2, live: 1}
        changed = [
            connection.execute(select(model.change_seq).where(model.id == row)).scalar_one()
            for model, row in ((Case, gone), (Person, own_person_id(gone)))
        ] + [
            connection.execute(select(m.change_seq)).scalar_one()
            for m in (Returnee, ContractReview)
        ]
        assert all(seq > 0 for seq in changed) and len(set(changed)) == 4


def test_headquarters_on_postgresql_keeps_the_missions_versions(pg_cluster: Cluster) -> None:
    with scratch_database(pg_cluster, "own_person_check") as engine:
        with engine.begin() as connection:
            migrated_hq(connection, "0031")
            worker, gone, live = _old_anonymised_case(connection, "SEL")
        with engine.begin() as connection:
            migrate.upgrade_to(connection, "head")
        with engine.connect() as connection:
            assert_at_head_as_the_models(connection)
            _assert_left_for_its_own(connection, worker, gone, live)
            assert connection.execute(select(Case.version, Case.change_seq)).all() == [(1, 0)] * 2
            own = select(Person.origin_mission, Person.version, Person.change_seq)
            found = connection.execute(own.where(Person.id == own_person_id(gone))).one()
            assert tuple(found) == ("SEL", 1, 0)
