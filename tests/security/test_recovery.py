"""When every password is lost: the recovery key and HQ's escrow (issue 25).

A mission that forgot every password gets its data back with the recovery key from its safe,
or with a one-time code HQ reads from its escrow; a mistyped group is named; a rotated key,
a used code and a retired escrow open nothing; revocations re-seal both slots.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import Paths
from app.db.models import AuditEntry
from app.errors import AuthError, IntegrityError, ValidationError
from app.security.keyslots import ESCROW_SLOT, RECOVERY_SLOT, KeySlotStore, signing_public
from app.security.recovery_key import GROUPS, parse_recovery_key
from app.security.rekey import key_opens
from app.services.installation import MissionSetup, init_installation, unlock
from app.services.keys import KeyService
from app.services.recovery import (
    RecoveryService,
    ensure_escrow_identity,
    issue_code,
    recover,
    sign_policy,
)
from app.services.users import UserService
from app.services.workspace import Workspace
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_cli
from tests.security.folder import add_case, folder_bytes

Capsys = pytest.CaptureFixture[str]
NEW_PASSWORD = "a brand new password"
KEY_LINE = re.compile(r"^(?:[0-9A-HJKMNP-TV-Z]{5}-){7}[0-9A-HJKMNP-TV-Z]{5}$")


def _audit(ws: Workspace, action: str) -> list[AuditEntry]:
    with ws.read() as session:
        return list(
            session.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars()
        )


def _mistype(key: str, group: int) -> str:
    groups = key.split("-")
    first = groups[group][0]
    groups[group] = ("1" if first != "1" else "2") + groups[group][1:]
    return "-".join(groups)


def test_init_prints_the_recovery_key_on_its_own_line_and_recover_works_from_the_cli(
    tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "ist"
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    sheet = tmp_path / "sheet.pdf"
    made = run_cli(
        capsys,
        *("--data-dir", str(data), "init", "--mission-code", "IST", "--country", "TR"),
        *("--city", "Istanbul", "--admin", "admin", "--recovery-sheet", str(sheet)),
    )
    assert made.code == 0, made.err
    keys = [line for line in made.out.splitlines() if KEY_LINE.match(line)]
    assert len(keys) == 1 and len(keys[0].split("-")) == GROUPS
    assert sheet.read_bytes().startswith(b"%PDF") and sheet.stat().st_mode & 0o077 == 0
    number = add_case(capsys, monkeypatch, data, tmp_path, PASSWORD)
    # Every password is lost: the key from the safe makes a new administrator.
    monkeypatch.setenv("QORGAU_RECOVERY_KEY", keys[0].lower().replace("-", " "))
    monkeypatch.setenv("QORGAU_NEW_PASSWORD", NEW_PASSWORD)
    recovered = run_cli(capsys, "--data-dir", str(data), "recover", "--new-admin", "dana")
    assert recovered.code == 0, recovered.err
    ws = unlock(Paths(data), "dana", NEW_PASSWORD)
    try:
        assert ws.actor.role == "admin"
        entries = _audit(ws, "installation.recover")
        assert [(e.actor, e.details["method"]) for e in entries] == [("dana", "recovery_key")]
    finally:
        ws.close()
    monkeypatch.setenv("QORGAU_USER", "dana")
    monkeypatch.setenv("QORGAU_PASSWORD", NEW_PASSWORD)
    listed = run_cli(capsys, "--data-dir", str(data), "case", "list")
    assert number in listed.out


def test_the_administrator_who_forgot_his_password_is_reinstated(
    mission: tuple[Paths, str],
) -> None:
    paths, recovery_key = mission
    result = recover(paths, recovery_key, "admin", NEW_PASSWORD)
    assert (result.username, result.method) == ("admin", "recovery_key")
    with pytest.raises(AuthError):
        unlock(paths, "admin", PASSWORD)
    unlock(paths, "admin", NEW_PASSWORD).close()


def test_a_mistyped_group_is_named_and_nothing_changes(mission: tuple[Paths, str]) -> None:
    paths, recovery_key = mission
    before = folder_bytes(paths.data_dir)
    with pytest.raises(ValidationError, match=r"Group 3 of the recovery key"):
        recover(paths, _mistype(recovery_key, 2), "dana", NEW_PASSWORD)
    with pytest.raises(ValidationError, match="8 groups of 5 characters"):
        recover(paths, recovery_key[:-6], "dana", NEW_PASSWORD)
    assert folder_bytes(paths.data_dir) == before


def test_every_single_typing_error_is_caught(mission: tuple[Paths, str]) -> None:
    _paths, recovery_key = mission
    for i, char in enumerate(recovery_key):
        if char == "-":
            continue
        for other in "0123456789ABCDEFGHJKMNPQRSTVWXYZ":
            if other != char:
                typo = recovery_key[:i] + other + recovery_key[i + 1 :]
                with pytest.raises(ValidationError):
                    parse_recovery_key(typo)


def test_a_rotated_key_opens_nothing_even_with_an_old_key_file(
    mission: tuple[Paths, str],
) -> None:
    paths, old_key = mission
    old_file = paths.keyslots.read_bytes()
    ws = unlock(paths, "admin", PASSWORD)
    try:
        new_key = RecoveryService(ws).rotate()
        assert len(_audit(ws, "recovery.rotate")) == 1
    finally:
        ws.close()
    assert new_key != old_key
    before = folder_bytes(paths.data_dir)
    with pytest.raises(AuthError, match="opens nothing"):
        recover(paths, old_key, "dana", NEW_PASSWORD)
    assert folder_bytes(paths.data_dir) == before
    current_file = paths.keyslots.read_bytes()
    paths.keyslots.write_bytes(old_file)  # the old key with the key file of its time
    before = folder_bytes(paths.data_dir)
    with pytest.raises(Exception, match="damaged|does not open"):
        recover(paths, old_key, "dana", NEW_PASSWORD)
    assert folder_bytes(paths.data_dir) == before
    paths.keyslots.write_bytes(current_file)
    recover(paths, new_key, "dana", NEW_PASSWORD)


def test_rotation_is_for_administrators(mission: tuple[Paths, str]) -> None:
    paths, _key = mission
    ws = unlock(paths, "aigul", PASSWORD)
    try:
        with pytest.raises(Exception, match="does not allow"):
            RecoveryService(ws).rotate()
    finally:
        ws.close()


# -- escrow at HQ ---------------------------------------------------------------------------


@pytest.fixture
def hq(tmp_path: Path) -> Paths:
    paths = Paths(tmp_path / "hq")
    setup = MissionSetup(code="HQ", country="KZ", city="Astana", is_hq=True)
    init_installation(paths, setup, "admin", PASSWORD)
    return paths


def _trust_hq(mission_paths: Paths, hq_paths: Paths) -> None:
    hq_ws = unlock(hq_paths, "admin", PASSWORD)
    try:
        hq_keys = KeyService(hq_ws).own_keys()
    finally:
        hq_ws.close()
    ws = unlock(mission_paths, "admin", PASSWORD)
    try:
        KeyService(ws).trust("HQ", hq_keys.signing_key, hq_keys.age_recipient, is_hq=True)
    finally:
        ws.close()


def _policy(hq_paths: Paths, escrow: bool) -> bytes:
    ws = unlock(hq_paths, "admin", PASSWORD)
    try:
        return sign_policy(ws, "SEL", escrow)
    finally:
        ws.close()


def _apply(mission_paths: Paths, signed: bytes) -> bool:
    ws = unlock(mission_paths, "admin", PASSWORD)
    try:
        return RecoveryService(ws).apply_policy(signed)
    finally:
        ws.close()


def _issue(hq_paths: Paths, key_file: Path) -> str:
    ws = unlock(hq_paths, "admin", PASSWORD)
    try:
        mission_code, code = issue_code(ws, key_file)
        assert mission_code == "SEL"
        assert len(_audit(ws, "escrow.issue")) >= 1
        return code
    finally:
        ws.close()


def test_escrow_recovers_once_with_hqs_code(
    mission: tuple[Paths, str], hq: Paths, tmp_path: Path
) -> None:
    paths, _key = mission
    _trust_hq(paths, hq)
    assert _apply(paths, _policy(hq, escrow=True)) is True
    escrow = KeySlotStore(paths.keyslots).escrow()
    hq_ws = unlock(hq, "admin", PASSWORD)
    try:
        # A separate age recipient from the one bundles are encrypted to.
        assert escrow is not None and escrow["recipient"] == ensure_escrow_identity(hq_ws)
        assert escrow["recipient"] != KeyService(hq_ws).own_keys().age_recipient
    finally:
        hq_ws.close()
    # The mission lost every password and sends its keyslots.json to HQ.
    sent = tmp_path / "sent-keyslots.json"
    sent.write_bytes(paths.keyslots.read_bytes())
    code = _issue(hq, sent)
    result = recover(paths, code, "dana", NEW_PASSWORD)
    assert result.method == "escrow"
    ws = unlock(paths, "dana", NEW_PASSWORD)
    try:
        assert [e.details["method"] for e in _audit(ws, "installation.recover")] == ["escrow"]
    finally:
        ws.close()
    # One-time: the database was re-keyed and the escrow renewed; the code opens nothing.
    before = folder_bytes(paths.data_dir)
    with pytest.raises(AuthError, match="opens nothing"):
        recover(paths, code, "eve", NEW_PASSWORD)
    assert folder_bytes(paths.data_dir) == before
    renewed = KeySlotStore(paths.keyslots).escrow()
    assert renewed is not None and renewed["box"] != escrow["box"]
    fresh = tmp_path / "fresh-keyslots.json"
    fresh.write_bytes(paths.keyslots.read_bytes())
    assert _issue(hq, fresh) != code


def test_revocation_reseals_the_recovery_and_escrow_slots(
    mission: tuple[Paths, str], hq: Paths, tmp_path: Path
) -> None:
    paths, recovery_key = mission
    _trust_hq(paths, hq)
    _apply(paths, _policy(hq, escrow=True))
    ws = unlock(paths, "admin", PASSWORD)
    try:
        UserService(ws).revoke("aigul")
    finally:
        ws.close()
    slots = KeySlotStore(paths.keyslots)
    assert slots.state().key_epoch == 1
    sent = tmp_path / "sent.json"
    sent.write_bytes(paths.keyslots.read_bytes())
    code = _issue(hq, sent)
    assert recover(paths, code, "dana", NEW_PASSWORD).method == "escrow"
    assert recover(paths, recovery_key, "erlan", NEW_PASSWORD).method == "recovery_key"
    unlock(paths, "erlan", NEW_PASSWORD).close()


def test_hq_can_switch_escrow_off_and_a_mission_cannot_forge_or_replay_it(
    mission: tuple[Paths, str], hq: Paths, tmp_path: Path
) -> None:
    paths, _key = mission
    _trust_hq(paths, hq)
    on = _policy(hq, escrow=True)
    _apply(paths, on)
    sent = tmp_path / "sent.json"
    sent.write_bytes(paths.keyslots.read_bytes())
    code = _issue(hq, sent)
    assert _apply(paths, _policy(hq, escrow=False)) is False
    slots = KeySlotStore(paths.keyslots)
    assert slots.escrow() is None and not slots.has_slot(ESCROW_SLOT)
    assert slots.has_slot(RECOVERY_SLOT)
    with pytest.raises(AuthError):
        recover(paths, code, "dana", NEW_PASSWORD)
    # The old "on" statement cannot be replayed, and the mission cannot sign its own.
    unlock(paths, "admin", PASSWORD).close()  # his slot takes the new key at this sign-in
    before = folder_bytes(paths.data_dir)
    with pytest.raises(ValidationError, match="newer escrow policy"):
        _apply(paths, on)
    ws = unlock(paths, "admin", PASSWORD)
    try:
        forged = on.replace(b'"escrow": true', b'"escrow": false')
        with pytest.raises(
            IntegrityError, match="does not match the registered key of headquarters"
        ):
            RecoveryService(ws).apply_policy(forged)
    finally:
        ws.close()
    # Signing in writes the database (last sign-in, audit); the key file is untouched.
    assert folder_bytes(paths.data_dir)["keyslots.json"] == before["keyslots.json"]


def test_a_policy_with_no_hq_key_trusted_says_to_trust_it_first(
    mission: tuple[Paths, str], hq: Paths
) -> None:
    """The fault: with HQ's keys trusted as a mission's (the "headquarters' keys" box left
    unticked), HQ's genuine policy was "not an escrow policy signed by headquarters", and the
    administrator asked HQ for another file instead of ticking the box."""
    paths, _key = mission
    hq_ws = unlock(hq, "admin", PASSWORD)
    try:
        hq_keys = KeyService(hq_ws).own_keys()
    finally:
        hq_ws.close()
    ws = unlock(paths, "admin", PASSWORD)
    try:
        KeyService(ws).trust("HQ", hq_keys.signing_key, hq_keys.age_recipient, is_hq=False)
    finally:
        ws.close()
    signed = _policy(hq, escrow=True)
    before = folder_bytes(paths.data_dir)["keyslots.json"]
    with pytest.raises(IntegrityError, match="No headquarters' signing key is trusted here"):
        _apply(paths, signed)
    assert folder_bytes(paths.data_dir)["keyslots.json"] == before
    _trust_hq(paths, hq)
    assert _apply(paths, signed) is True


def test_hq_refuses_a_key_file_escrowed_elsewhere(
    mission: tuple[Paths, str], hq: Paths, tmp_path: Path
) -> None:
    paths, _key = mission
    other_hq = Paths(tmp_path / "other-hq")
    init_installation(
        other_hq,
        MissionSetup(code="HQ", country="KZ", city="Astana", is_hq=True),
        "admin",
        PASSWORD,
    )
    _trust_hq(paths, other_hq)
    _apply(paths, _policy(other_hq, escrow=True))
    sent = tmp_path / "sent.json"
    sent.write_bytes(paths.keyslots.read_bytes())
    ws = unlock(hq, "admin", PASSWORD)
    try:
        ensure_escrow_identity(ws)
        with pytest.raises(IntegrityError, match="not made for this headquarters"):
            issue_code(ws, sent)
    finally:
        ws.close()


def test_the_recovery_slot_is_not_an_account_to_sign_in_with(mission: tuple[Paths, str]) -> None:
    paths, recovery_key = mission
    before = folder_bytes(paths.data_dir)
    with pytest.raises(AuthError, match="Wrong user name or password"):
        unlock(paths, RECOVERY_SLOT, recovery_key)
    assert folder_bytes(paths.data_dir) == before


def test_a_sheet_that_cannot_be_written_stops_the_rotation_before_the_old_key_goes(
    mission: tuple[Paths, str], capsys: Capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`recovery rotate --sheet` into a folder that does not exist replaced the key, then
    failed on the sheet before printing the new one: the old key opened nothing and the new
    one was never shown. The place is checked first; nothing changes."""
    paths, old_key = mission
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    key_file = paths.keyslots.read_bytes()
    refused = run_cli(
        capsys,
        *("--data-dir", str(paths.data_dir), "recovery", "rotate"),
        *("--sheet", str(tmp_path / "no such folder" / "sheet.pdf")),
    )
    assert refused.code != 0 and "no such folder" in refused.err
    assert paths.keyslots.read_bytes() == key_file
    assert KeySlotStore(paths.keyslots).has_slot(RECOVERY_SLOT)
    recover(paths, old_key, "dana", NEW_PASSWORD)  # the key in the safe still works


def test_rotate_on_a_mission_without_a_recovery_key_says_it_made_one(
    mission: tuple[Paths, str], capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No slot (a rotation killed after its re-key): "replaced; the old one opens nothing"
    spoke of a key the mission no longer had."""
    paths, _old_key = mission
    KeySlotStore(paths.keyslots).remove_slot(RECOVERY_SLOT)
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    made = run_cli(capsys, *("--data-dir", str(paths.data_dir), "recovery", "rotate"))
    assert made.code == 0, made.err
    said, key = made.out.splitlines()[0], made.out.splitlines()[-1]
    assert said == "A recovery key was made: the mission had none."
    assert recover(paths, key, "dana", NEW_PASSWORD).username == "dana"


def test_init_with_a_sheet_that_cannot_be_written_creates_nothing(
    tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The installation was made, then the sheet failed before the recovery key was printed:
    a mission whose only recovery key nobody ever saw."""
    data = tmp_path / "ist"
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    made = run_cli(
        capsys,
        *("--data-dir", str(data), "init", "--mission-code", "IST", "--country", "TR"),
        *("--city", "Istanbul", "--admin", "admin"),
        *("--recovery-sheet", str(tmp_path / "no such folder" / "sheet.pdf")),
    )
    assert made.code != 0 and "no such folder" in made.err
    assert not Paths(data).is_initialised() and not data.exists()


def test_escrow_and_the_recovery_key_set_while_a_rekey_waits_still_open_it_after(
    mission: tuple[Paths, str], hq: Paths, tmp_path: Path
) -> None:
    """Escrow switched on, and the recovery key rotated, while Aigul's revocation waited for
    another window (Serik's): both slots are written by a window that knows the waiting key,
    so once the file is re-keyed HQ's code and the new recovery key still open it, and the
    key Aigul held does not."""
    paths, _first_key = mission
    _trust_hq(paths, hq)
    setup = unlock(paths, "admin", PASSWORD)
    try:
        UserService(setup).add("serik", "attache", PASSWORD)
    finally:
        setup.close()
    her_old_key = KeySlotStore(paths.keyslots).unlock("aigul", PASSWORD)
    serik = unlock(paths, "serik", PASSWORD)
    admin = unlock(paths, "admin", PASSWORD)
    try:
        assert UserService(admin).revoke("aigul").rekey_waiting
        assert RecoveryService(admin).apply_policy(_policy(hq, escrow=True)) is True
        recovery_key = RecoveryService(admin).rotate()
    finally:
        serik.close()
        admin.close()  # the last window, knowing the new key: the re-key is finished
    slots = KeySlotStore(paths.keyslots)
    assert slots.state().rekey_to is None
    assert not key_opens(paths.db, her_old_key)

    sent = tmp_path / "sent.json"
    sent.write_bytes(paths.keyslots.read_bytes())
    assert recover(paths, _issue(hq, sent), "dana", NEW_PASSWORD).method == "escrow"
    assert recover(paths, recovery_key, "erlan", NEW_PASSWORD).method == "recovery_key"
    unlock(paths, "erlan", NEW_PASSWORD).close()


def test_recover_with_an_existing_name_says_the_account_is_taken_over_and_audits_it(
    mission: tuple[Paths, str], capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``recover --new-admin aigul`` made the attaché Aigul an administrator with a new
    password, and said so as if a new administrator had been made."""
    paths, recovery_key = mission
    monkeypatch.setenv("QORGAU_RECOVERY_KEY", recovery_key)
    monkeypatch.setenv("QORGAU_NEW_PASSWORD", NEW_PASSWORD)
    data = str(paths.data_dir)
    taken = run_cli(capsys, "--data-dir", data, "recover", "--new-admin", "aigul")
    assert taken.code == 0, taken.err
    assert "existing account aigul was taken over" in taken.out
    assert "password was replaced" in taken.out
    made = run_cli(capsys, "--data-dir", data, "recover", "--new-admin", "dana")
    assert made.code == 0, made.err
    assert "dana is a new administrator" in made.out and "taken over" not in made.out
    ws = unlock(paths, "aigul", NEW_PASSWORD)
    try:
        assert ws.actor.role == "admin"
        details = {e.entity_id: e.details for e in _audit(ws, "installation.recover")}
    finally:
        ws.close()
    # Each entry gives the account the signing key of its new password (user_ledger).
    for name, password in (("aigul", NEW_PASSWORD), ("dana", NEW_PASSWORD)):
        unlocked = KeySlotStore(paths.keyslots).open_slot(name, password).signing_key()
        assert unlocked is not None
        assert details[name].pop("signing_key") == signing_public(unlocked)
        assert details[name].pop("signature")  # by the recovery slot's key (user_ledger)
    assert details["aigul"] == {
        "method": "recovery_key",
        "existing_user": True,
        "previous_role": "attache",
        "was_revoked": False,
    }
    assert details["dana"] == {"method": "recovery_key", "existing_user": False}


def test_revoking_someone_who_may_have_seen_the_recovery_sheet_says_to_replace_the_key(
    mission: tuple[Paths, str], capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A revoked consul or administrator may have seen the sheet in the safe, and its key
    still made them an administrator; the revocation said nothing about it."""
    paths, recovery_key = mission
    ws = unlock(paths, "admin", PASSWORD)
    try:
        users = UserService(ws)
        users.add("timur", "consul", PASSWORD)
        users.add("serik", "consul", PASSWORD)
        users.set_role("timur", "attache")  # a consul once: he may have opened the safe
        assert users.revoke("timur").saw_recovery_key
        assert not users.revoke("aigul").saw_recovery_key  # an attaché, never more
    finally:
        ws.close()
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    revoked = run_cli(capsys, "--data-dir", str(paths.data_dir), "user", "revoke", "serik")
    assert revoked.code == 0, revoked.err
    assert "serik was an administrator or a consul" in revoked.out
    assert "replace the recovery key" in revoked.out
    assert "qorgau recovery rotate --sheet FILE.pdf" in revoked.out
    # The advice is true: until a rotation, the sheet's key still makes an administrator.
    assert recover(paths, recovery_key, "serik2", NEW_PASSWORD).method == "recovery_key"


def test_hq_told_of_a_missing_or_damaged_key_file_says_what_to_ask_the_mission_for(
    hq: Paths, tmp_path: Path
) -> None:
    """``escrow issue missing.json`` said "The key file keyslots.json is missing; restore it
    from a backup", a mission's advice about its own file, at HQ."""
    damaged = tmp_path / "damaged.json"
    damaged.write_text("{not json", encoding="utf-8")
    ws = unlock(hq, "admin", PASSWORD)
    try:
        ensure_escrow_identity(ws)
        for sent, reason in (
            (tmp_path / "missing.json", "no such file or folder"),
            (tmp_path, "it is a folder, not a file"),
            (damaged, "it is damaged, or it is not a Qorgau key file"),
        ):
            with pytest.raises(ValidationError) as refused:
                issue_code(ws, sent)
            message = str(refused.value)
            assert message.startswith(f"{sent} cannot be read as a mission's key file: {reason}.")
            assert "Ask the mission's administrator to send its keyslots.json again" in message
            assert "restore it from a backup" not in message
        assert _audit(ws, "escrow.issue") == []
    finally:
        ws.close()
