"""Two HQ users on one PostgreSQL server acting on the same record at the same moment: the
second is told who changed it meanwhile, and the first one's change stands whole."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.config import Paths
from app.db.models import Case, CaseEvent, User
from app.errors import ConflictError, ValidationError
from app.i18n import set_language
from app.services.agreements import AgreementService
from app.services.demo import fill_demo
from app.services.exchange import ExchangeService
from app.services.installation import unlock
from app.services.returnees import ReturneeService
from app.services.users import UserService
from app.services.workspace import Workspace
from tests.conftest import PASSWORD, OpenWs
from tests.hq.pg import PASSWORD as HQ_PASSWORD
from tests.hq.pg import DocumentedTemplate, documented_hq
from tests.integration.test_exchange import Site, link, make_site
from tests.pg_cluster import Cluster
from tests.unit.test_returnees import closed_case, record


def wait_for_a_waiting_lock(ws: Workspace, seconds: float = 20) -> None:
    """Until another connection waits for a lock a write of the test holds: the second user's
    action has reached the record (a fixed sleep missed it on a busy machine)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with ws.read() as session:
            waiting = session.execute(
                text("SELECT count(*) FROM pg_locks WHERE NOT granted")
            ).scalar_one()
        if waiting:
            return
        time.sleep(0.05)
    raise AssertionError("the second user's action never reached the locked record")


MISSIONS = (("SEL", "KR", "Seoul"), ("DXB", "AE", "Dubai"), ("IST", "TR", "Istanbul"))


@pytest.fixture
def server_hq(pg_cluster: Cluster, pg_template: Paths, tmp_path: Path) -> Iterator[Site]:
    """HQ on the test server (its users ``admin`` and the HQ operator ``astana``, both on the
    workstation that keeps HQ's keys), holding SEL's cases; DXB and IST registered."""
    hq = make_site(tmp_path, "AST", "KZ", "Astana", True, pg_cluster)
    missions = [make_site(tmp_path, *place) for place in MISSIONS]
    try:
        for mission in missions:
            link(hq, mission)
        fill_demo(missions[0].ws, 3, seed=5)
        missions[0].exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])
        hq.exchange.import_bundle(tmp_path / "sel.qbundle")
        yield hq
    finally:
        for site in (hq, *missions):
            site.ws.close()


def test_two_users_transferring_one_case_at_once_send_it_to_one_mission(
    server_hq: Site, tmp_path: Path
) -> None:
    """The administrator transfers a case to DXB; while that transfer is being packed, the HQ
    operator transfers the same case to IST. Before, both went ahead: DXB and IST each
    received the case as theirs (both at version 2). Now the second is refused, naming who
    moved it and where, and writes nothing."""
    with server_hq.ws.read() as session:
        number = session.execute(select(Case.number).order_by(Case.number)).scalars().first()
    assert number is not None
    operator = unlock(server_hq.paths, "astana", PASSWORD)
    refused: list[BaseException] = []

    def second_transfer() -> None:
        try:
            ExchangeService(operator).transfer_cases([number], "IST", tmp_path / "ist.qbundle")
        except BaseException as exc:  # noqa: BLE001 - asserted below
            refused.append(exc)

    second = threading.Thread(target=second_transfer)

    def first_packs(_done: int, _total: int, _what: str) -> None:
        # The first transfer has moved the case and packs it: the second starts meanwhile.
        if second.ident is None:
            second.start()
            wait_for_a_waiting_lock(server_hq.ws)

    try:
        server_hq.exchange.transfer_cases(
            [number], "DXB", tmp_path / "dxb.qbundle", progress=first_packs
        )
        second.join(timeout=30)
        assert len(refused) == 1 and isinstance(refused[0], ConflictError), refused
        assert str(refused[0]) == (
            f"admin changed case {number} meanwhile: it is now handled by DXB. "
            "Look at it again, and transfer it again if it should still go."
        )
        assert not (tmp_path / "ist.qbundle").exists()
        with server_hq.ws.read() as session:
            case = session.execute(select(Case).where(Case.number == number)).scalar_one()
            moves = [
                event.data["transfer"]["to"]
                for event in session.execute(
                    select(CaseEvent).where(CaseEvent.case_id == case.id)
                ).scalars()
                if "transfer" in (event.data or {})
            ]
        assert (case.holder_mission, case.version) == ("DXB", 2)
        assert moves == ["DXB"]
    finally:
        operator.close()


@pytest.mark.both_engines
def test_notes_another_user_saved_meanwhile_are_not_written_over(open_ws: OpenWs) -> None:
    """The consul and the administrator open the same instrument; the consul saves notes
    first. Before, the administrator's save, started from the notes before, silently replaced
    them; now it is refused in the user's language, naming the consul, and both keep theirs
    (the consul's stored, the administrator's still in their form)."""
    consul, admin = AgreementService(open_ws("serik")), AgreementService(open_ws("admin"))
    opened = admin.get("ilo-c029")
    consul.set_mission_notes(
        "ilo-c029", "Hotline 1-800-000.", expected_version=consul.get("ilo-c029").version
    )
    set_language("kk")
    with pytest.raises(ConflictError) as refused:
        admin.set_mission_notes("ilo-c029", "Cite with C105.", expected_version=opened.version)
    assert str(refused.value) == (
        "Сіз өңдеп жатқанда бұл жазбаны serik өзгертті; оны қайта ашып, өзгерісті қайтадан "
        "енгізіңіз."
    )
    assert admin.get("ilo-c029").mission_notes == "Hotline 1-800-000."
    # Reopened, the administrator's change goes through.
    again = admin.get("ilo-c029")
    saved = admin.set_mission_notes(
        "ilo-c029", "Hotline 1-800-000. Cite with C105.", expected_version=again.version
    )
    assert saved.mission_notes == "Hotline 1-800-000. Cite with C105."


@pytest.mark.both_engines
def test_a_returnee_record_changed_meanwhile_names_who_changed_it(open_ws: OpenWs) -> None:
    """Two officers have the same returnee's record open; the first saves. The second was
    told only "someone else" changed it (and on a server, saving at the same moment, both
    went ahead); now they are told who, and the first one's change stands."""
    attache, consul = open_ws("aigul"), open_ws("serik")
    added = ReturneeService(attache).add(record(closed_case(attache, consul)))
    ReturneeService(attache).update(added.id, record(note="Welder, ready in May."), added.version)
    set_language("ru")
    with pytest.raises(ConflictError) as refused:
        ReturneeService(consul).update(added.id, record(note="Wants Almaty."), added.version)
    assert "aigul" in str(refused.value) and str(refused.value).startswith("Пока вы")
    set_language("en")
    assert str(refused.value) == (
        "aigul changed this record while you were editing it; reopen it and make your change again."
    )
    (kept,) = ReturneeService(consul).list()
    assert kept.note == "Welder, ready in May."


def test_two_administrators_adding_one_name_at_once_are_told_in_words(
    pg_cluster: Cluster, documented_hq_template: DocumentedTemplate, tmp_path: Path
) -> None:
    """Two HQ administrators add the same new user at the same moment. The second's insert
    waited for the first's and then failed with the database's own error (in English, its
    SQL and parameters shown as "an internal error"); now it is refused as a name that
    exists, in the user's language, and the first one's user stands."""
    with documented_hq(pg_cluster, documented_hq_template, tmp_path / "hq") as hq:
        name = hq.names["dana"]
        other = hq.sign_in("gulnar")
        refused: list[BaseException] = []

        def second_adds() -> None:
            try:
                UserService(other).add(name, "hq_importer", HQ_PASSWORD)
            except BaseException as exc:  # noqa: BLE001 - asserted below
                refused.append(exc)

        second = threading.Thread(target=second_adds)
        try:
            with hq.admin.write() as session:  # the first administrator's add, under way
                session.add(User(username=name, role="hq_analyst", full_name=""))
                session.flush()
                second.start()
                wait_for_a_waiting_lock(hq.admin)
            second.join(timeout=30)
            set_language("ru")
            assert len(refused) == 1 and isinstance(refused[0], ValidationError), refused
            assert str(refused[0]) == f"Пользователь с именем {name} уже существует."
            users = {user.username: user.role for user in UserService(hq.admin).list()}
            assert users[name] == "hq_analyst"
        finally:
            other.close()
