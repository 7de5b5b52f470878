"""A register record without a case, anonymised on its own while another record keeps its
worker on file, replayed as someone who wants to know whose it was: at HQ (which records the
returnees who contact it) the record, its view, the person's export and the rows that refer to
the worker lead nowhere from it. The fault: the record kept its link to the worker, so its view
still showed her name and phone, as an anonymised case did before it got a person of its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from app.db.models import Person, Returnee
from app.domain.persons import own_person_id
from app.services.installation import unlock
from app.services.retention import leave_workers_sent_linked, run_retention
from app.services.returnees import ReturneeRow, ReturneeService
from app.services.subject_access import collect, to_json
from app.services.workspace import Workspace
from tests.conftest import PASSWORD, date_trusted
from tests.integration.test_exchange import make_site
from tests.unit.test_returnees import TODAY, WORKER, record

# Past the register's period for a return 400 days ago, not for one two days ago.
LATER = date(TODAY.year + 5, TODAY.month, 1) - timedelta(days=100)


@pytest.fixture
def at_hq(tmp_path: Path) -> Iterator[Workspace]:
    site = make_site(tmp_path, "AST", "KZ", "Astana", True)
    operator = unlock(site.paths, "astana", PASSWORD)
    yield operator
    operator.close()
    site.ws.close()


def _two_records(ws: Workspace) -> tuple[ReturneeRow, ReturneeRow]:
    """The worker's old record, past the period, and her recent one, which keeps her."""
    service = ReturneeService(ws)
    old = service.add(record(person=WORKER, returned_on=TODAY - timedelta(days=400)))
    recent = service.add(record(person_id=old.person_id, returned_on=TODAY - timedelta(days=2)))
    return old, recent


def _nothing_leads_to_her(ws: Workspace, old: ReturneeRow, worker: str) -> None:
    with ws.read() as session:
        assert session.execute(
            select(Returnee.person_id).where(Returnee.id == old.id)
        ).scalar() == (own_person_id(old.id))
        own = session.get(Person, own_person_id(old.id))
        assert own is not None and (own.surname, own.iin, own.phone_home) == ("", None, "")
        assert session.get(Person, worker).surname == WORKER.surname  # kept for her record
    view = ReturneeService(ws).get(old.id)
    assert (view.surname, view.given_names, view.phone_home, view.person_id) == (
        "",
        "",
        "",
        own_person_id(old.id),
    )
    export = to_json(collect(ws, iin=WORKER.iin)).decode()
    assert old.id not in export


def test_an_anonymised_register_record_leads_nowhere(at_hq: Workspace) -> None:
    old, recent = _two_records(at_hq)
    date_trusted(at_hq, LATER)
    report = run_retention(at_hq, today=LATER)
    assert (report.anonymised_returnees, report.anonymised_persons) == (1, 0)
    _nothing_leads_to_her(at_hq, old, recent.person_id)
    assert recent.id in to_json(collect(at_hq, iin=WORKER.iin)).decode()


def test_an_import_gives_its_own_person_to_a_record_sent_linked(at_hq: Workspace) -> None:
    """A record an installation on an earlier version anonymised, linked to its worker as
    retention left it then, written by an import: it is given its own person all the same."""
    old, recent = _two_records(at_hq)
    date_trusted(at_hq, LATER)
    run_retention(at_hq, today=LATER)
    with at_hq.write() as session:  # as the earlier version left it, then an import wrote it
        session.execute(
            update(Returnee).where(Returnee.id == old.id).values(person_id=recent.person_id)
        )
        session.execute(delete(Person).where(Person.id == own_person_id(old.id)))
        leave_workers_sent_linked(session, 0, ())
    _nothing_leads_to_her(at_hq, old, recent.person_id)
