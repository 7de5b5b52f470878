from __future__ import annotations

from datetime import date
from pathlib import Path

import keyring.backends.fail
import pytest
from sqlalchemy import select

from app.config import Paths
from app.errors import AuthError, PermissionDenied, ValidationError
from app.security.keyring_store import SecretStore
from app.services.installation import remember_unlock, unlock, unlock_with_keyring
from app.services.users import UserService, released_message, unapproved_message
from app.services.workspace import Workspace
from tests.conftest import PASSWORD, OpenWs
from tests.integration.test_exchange import make_site
from tests.keyring_double import LossyKeyring


def test_admin_adds_user_who_can_then_log_in(ws: Workspace, installation: Paths) -> None:
    UserService(ws).add("dana", "attache", "dana's password", "Дана Оспанова")
    other = unlock(installation, "dana", "dana's password")
    try:
        assert other.actor.role == "attache"
        assert other.actor.full_name == "Дана Оспанова"
    finally:
        other.close()


@pytest.mark.parametrize("role", ["attache", "consul", "hq"])
def test_only_admin_adds_users(open_ws: OpenWs, role: str) -> None:
    username = {"attache": "aigul", "consul": "serik", "hq": "astana"}[role]
    service = UserService(open_ws(username))
    with pytest.raises(PermissionDenied, match="does not allow"):
        service.add("dana", "attache", "dana's password")
    assert "dana" not in [u.username for u in service.list()]


@pytest.mark.parametrize(
    ("username", "role", "password", "message"),
    [
        ("Dana", "attache", "long enough", "user name"),
        ("d", "attache", "long enough", "user name"),
        ("dana", "chief", "long enough", "Unknown role"),
        ("dana", "attache", "short", "at least 8"),
        # Long enough, but among the first a guesser tries: common, a run, a repeated group.
        ("dana", "attache", "12345678", "first that anyone guessing tries"),
        ("dana", "attache", "Password1", "first that anyone guessing tries"),
        ("dana", "attache", "qwertyuiop", "first that anyone guessing tries"),
        ("dana", "attache", "йцукенгш", "first that anyone guessing tries"),
        ("dana", "attache", "87654321", "first that anyone guessing tries"),
        ("dana", "attache", "aaaaaaaaaa", "first that anyone guessing tries"),
        ("dana", "attache", "abcabcabc", "first that anyone guessing tries"),
        ("aigul", "attache", "long enough", "already exists"),
        # A mission's user cannot be given a role of headquarters.
        ("dana", "hq", "long enough", "does not fit"),
        ("dana", "hq_analyst", "long enough", "does not fit"),
    ],
)
def test_bad_new_user_changes_nothing(
    ws: Workspace, installation: Paths, username: str, role: str, password: str, message: str
) -> None:
    service = UserService(ws)
    before = (service.list(), installation.keyslots.read_bytes())
    with pytest.raises(ValidationError, match=message):
        service.add(username, role, password)
    assert (service.list(), installation.keyslots.read_bytes()) == before


def test_only_the_roles_that_fit_the_installation_are_given(ws: Workspace, tmp_path: Path) -> None:
    assert UserService(ws).roles_to_give() == ("attache", "consul", "admin")
    hq = make_site(tmp_path, "AST", "KZ", "Astana", is_hq=True)
    try:
        service = UserService(hq.ws)
        assert service.roles_to_give() == ("hq", "admin")
        for role in ("consul", "hq_importer"):  # a mission's, a server HQ's
            with pytest.raises(ValidationError, match="does not fit"):
                service.add("dana", role, PASSWORD)
            with pytest.raises(ValidationError, match="does not fit"):
                service.set_role("astana", role)
        assert {u.username: u.role for u in service.list()} == {"admin": "admin", "astana": "hq"}
        service.add("dana", "hq", PASSWORD)
    finally:
        hq.ws.close()


def test_user_changes_own_password(open_ws: OpenWs, installation: Paths) -> None:
    UserService(open_ws("aigul")).change_password("aigul", "a brand new one")
    with pytest.raises(AuthError):
        unlock(installation, "aigul", PASSWORD)
    unlock(installation, "aigul", "a brand new one").close()


def test_attache_cannot_reset_someone_else(open_ws: OpenWs) -> None:
    with pytest.raises(PermissionDenied):
        UserService(open_ws("aigul")).change_password("serik", "a brand new one")


def test_admin_resets_and_revokes(ws: Workspace, installation: Paths) -> None:
    users = UserService(ws)
    users.change_password("aigul", "reset by admin")
    unlock(installation, "aigul", "reset by admin").close()
    users.revoke("aigul")
    with pytest.raises(AuthError):
        unlock(installation, "aigul", "reset by admin")
    assert [u.active for u in users.list() if u.username == "aigul"] == [False]


def test_last_admin_is_kept(ws: Workspace) -> None:
    with pytest.raises(ValidationError, match="at least one administrator"):
        UserService(ws).set_role("admin", "attache")
    with pytest.raises(ValidationError, match="your own account"):
        UserService(ws).revoke("admin")


def test_a_consul_cannot_make_herself_administrator_nor_a_revoked_user_anything(
    ws: Workspace, open_ws: OpenWs, installation: Paths
) -> None:
    """The attack: a consul (or an attaché) gives herself the administrator's role, or wakes a
    revoked account by giving it one. Refused, the users and their key slots unchanged."""
    UserService(ws).revoke("aigul")
    consul = UserService(open_ws("serik"))  # signed in before the snapshot: her last sign-in
    before = (UserService(ws).list(), installation.keyslots.read_bytes())
    for target, role in (("serik", "admin"), ("astana", "consul")):
        with pytest.raises(PermissionDenied):
            consul.set_role(target, role)
    with pytest.raises(ValidationError, match="aigul is revoked"):
        UserService(ws).set_role("aigul", "consul")
    assert (UserService(ws).list(), installation.keyslots.read_bytes()) == before
    assert UserService(ws).set_role("serik", "consul") == ()  # the same role: nothing written
    assert (UserService(ws).list(), installation.keyslots.read_bytes()) == before


def test_keyring_unlock_on_this_computer(ws: Workspace, installation: Paths) -> None:
    store = SecretStore(LossyKeyring())
    assert store.is_system
    assert unlock_with_keyring(installation, "admin", store) is None
    assert remember_unlock(ws, store)
    again = unlock_with_keyring(installation, "admin", store)
    assert again is not None
    again.close()


def test_no_keyring_backend_falls_back_to_passwords(ws: Workspace, installation: Paths) -> None:
    store = SecretStore(keyring.backends.fail.Keyring())
    assert not store.is_system
    assert "No system keyring" in store.unavailable_message()
    assert remember_unlock(ws, store) is False
    assert unlock_with_keyring(installation, "admin", store) is None


def test_a_revoked_officers_open_cases_go_to_nobody(ws: Workspace) -> None:
    """An attaché leaves the mission and is revoked: her open cases stayed hers, in a list
    nobody opens any more, and the officer filter no longer offered her name."""
    from dataclasses import replace as replaced

    from app.services.cases import CaseService
    from app.services.records import CaseFilter
    from tests.builders import new_case

    cases = CaseService(ws)
    open_one = cases.create_case(replaced(new_case(), assigned_to="aigul"))
    same = {"person": None, "person_id": open_one.person.id}  # the same worker, three cases
    ended = cases.create_case(replaced(new_case(), assigned_to="aigul", **same))
    cases.set_status(ended.id, "rejected", "Not a labour matter.")
    others = cases.create_case(replaced(new_case(), assigned_to="serik", **same))

    result = UserService(ws).revoke("aigul")

    assert result.released == [open_one.number]
    after = cases.get_case(open_one.id)
    assert after.assigned_to is None and after.version > open_one.version  # travels to HQ
    assert after.events[-1].text == "Assignment removed."
    assert cases.get_case(ended.id).assigned_to == "aigul"  # who handled it stays
    assert cases.get_case(others.id).assigned_to == "serik"
    waiting = cases.list_cases(CaseFilter(unassigned=True, open_only=True), 0, 50)
    assert open_one.id in {row.id for row in waiting}
    assert "1 open case of aigul is now assigned to nobody" in released_message(
        "aigul", result.released
    )


def test_a_revoked_consuls_approvals_not_yet_issued_go_back_to_draft(
    open_ws: OpenWs, installation: Paths
) -> None:
    """Approved on Friday by a consul revoked over the weekend, a letter issued on Monday
    carried her name and position as its signatory. (On a file: at a server HQ the test
    installation's administrator may not end a server account.)"""
    from app.db.models import User
    from app.services.cases import CaseService
    from app.services.letters import LetterService
    from app.services.records import CaseInput, OrganisationInput, PersonInput
    from tests.unit.test_letters_render import ASSEL_DOCUMENTED

    today = date(2026, 11, 24)

    def service(ws: Workspace) -> LetterService:
        return LetterService(ws, today=today)

    people = {name: open_ws(name) for name in ("aigul", "serik")}
    with people["aigul"].write() as session:
        serik = session.execute(select(User).where(User.username == "serik")).scalar_one()
        serik.full_name = "Серік Болатұлы Жақсыбеков"
    case = CaseService(people["aigul"], today=today).create_case(
        CaseInput(
            host_country="KR",
            categories=("unpaid_wages",),
            received_at=date(2026, 11, 2),
            person=PersonInput(**ASSEL_DOCUMENTED),
            employer=OrganisationInput(name="Jeil Food", country="KR", city="Incheon"),
            description="Үш ай бойы жалақы төленбеген.",
        )
    )
    done = service(people["aigul"]).draft(case.id, "employer_letter", "en")
    service(people["serik"]).approve(done.id)
    service(people["aigul"]).issue(done.id)
    waiting = service(people["aigul"]).draft(case.id, "employer_letter", "kk")
    service(people["serik"]).approve(waiting.id)
    assert "Жақсыбеков" in service(people["aigul"]).get(waiting.id).signatory
    for ws in people.values():  # the database is re-keyed: no other window may be open
        ws.close()
    admin = unlock(installation, "admin", PASSWORD)
    try:
        result = UserService(admin).revoke("serik")
        assert result.unapproved == [case.number]
        again = service(admin).get(waiting.id)
        assert again.status == "draft" and again.approved_by is None
        assert "Жақсыбеков" not in again.signatory  # nobody's name until a consul approves
        kept = service(admin).get(done.id)
        assert kept.status == "issued" and kept.approved_by == "serik"  # what was sent stays
    finally:
        admin.close()
    assert unapproved_message(result.unapproved).startswith("1 letter this user approved")
