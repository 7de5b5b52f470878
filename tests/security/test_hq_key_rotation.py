"""Headquarters replaces its own keys after an operator who held them left, or a computer was
lost (``qorgau keys rotate`` at HQ).

A copy of HQ's old signing key signs library updates and transfers every mission accepted;
once a mission trusts HQ's new key (``keys trust AST KEY --hq --age-recipient …``, after the
fingerprints were compared by telephone) that copy signs nothing it accepts. Bundles the
missions encrypted to HQ's old recipient still open at HQ. HQ runs on both engines: on
PostgreSQL its keys live on the import workstation, never in the shared database.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keyring.backends.fail
import pyrage
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.db.models import Agreement, AuditEntry, Case, LocalSecret, User
from app.errors import AuthError, DatabaseError, IntegrityError, PermissionDenied, ValidationError
from app.exchange.package import BundleRefused, parse_identities
from app.security.hq_secrets import (
    ESCROW_IDENTITY,
    SecretPlace,
    entry_name,
    forget_on_workstation,
    keep_on_workstation,
    secrets_file,
    workstation_secret,
)
from app.security.keyring_store import SecretStore
from app.security.keyslots import ESCROW_SLOT, KeySlotStore
from app.security.recovery_key import parse_recovery_key
from app.services.exchange import ExchangeService
from app.services.installation import AGE_IDENTITY, SIGNING_KEY, unlock
from app.services.keys import (
    IdentityMove,
    KeyService,
    fingerprint,
    private_key,
    store_identity_in_keyring,
)
from app.services.recovery import (
    POLICY_FORMAT,
    RecoveryService,
    ensure_escrow_identity,
    issue_code,
    sign_policy,
)
from app.services.users import UserService
from app.services.workspace import Workspace
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_cli
from tests.integration.test_exchange import (  # noqa: F401 - fixtures
    Site,
    first_case_id,
    hq,
    sel,
    sites,
)
from tests.security.forge import Forger, changed, record_of, unchanged

pytestmark = pytest.mark.both_engines(slow=True)

TREATY = "eaeu-treaty-2014"


def hq_private(site: Site, name: str) -> bytes:
    """One of HQ's private keys, read where HQ keeps it (database file or workstation)."""
    with site.ws.read() as session:
        value = private_key(site.ws, session, name, site.exchange.store)
    assert value is not None
    return value


def refused_at(site: Site, bundle: Path) -> str:
    # A first read after a write moves SQLite's read mark in the shm file: done before the
    # snapshot, so that only the import is compared.
    treaty_title(site)
    with unchanged(site), pytest.raises(BundleRefused) as refused:
        ExchangeService(site.ws).import_bundle(bundle)
    return str(refused.value)


def treaty_title(site: Site) -> str:
    with site.ws.read() as session:
        return session.execute(
            select(Agreement.title_en).where(Agreement.slug == TREATY)
        ).scalar_one()


def test_a_copy_of_hqs_old_key_signs_nothing_a_mission_accepts_once_it_trusts_the_new_one(
    sel: Site,  # noqa: F811 - the fixture
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    # The library reaches SEL once, signed with HQ's first key.
    hq.exchange.export_agreements(tmp_path / "library.qbundle")
    sel.exchange.import_bundle(tmp_path / "library.qbundle")
    # The operator who held HQ's keys copied the signing key before leaving.
    stolen = hq_private(hq, SIGNING_KEY)
    old = KeyService(hq.ws).own_keys()
    # SEL encrypted a bundle to HQ's old recipient before HQ replaced its keys.
    sent_before = tmp_path / "sent-before.qbundle"
    sel.exchange.export_cases(sent_before, [old.age_recipient])

    rotation = KeyService(hq.ws).rotate(store=hq.exchange.store)

    assert rotation.is_hq and rotation.old_key == old.signing_key
    new = KeyService(hq.ws).own_keys()
    assert (new.signing_key, new.age_recipient) == (rotation.new_key, rotation.new_recipient)
    assert new.signing_key != old.signing_key and new.age_recipient != old.age_recipient
    assert hq_private(hq, SIGNING_KEY) != stolen  # the old private key is overwritten
    identities = parse_identities(hq_private(hq, AGE_IDENTITY).decode("ascii"))
    assert str(identities[0].to_public()) == new.age_recipient  # newest first, the old kept
    assert [str(i.to_public()) for i in identities[1:]] == [old.age_recipient]
    with hq.ws.read() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "keys.rotate")
        ).scalar_one()
        if hq.ws.on_server:  # never in the shared database, whoever reads it
            names = session.execute(select(LocalSecret.name)).scalars().all()
            assert not {SIGNING_KEY, AGE_IDENTITY} & set(names)
    assert entry.details["replaced"] == old.signing_key
    assert entry.details["replaced_fingerprint"] == fingerprint(old.signing_key)
    assert entry.details["fingerprint"] == rotation.fingerprint
    assert entry.details["age_recipient_replaced"] == old.age_recipient
    assert entry.details["age_recipient_fingerprint"] == rotation.recipient_fingerprint

    # What SEL encrypted to HQ's old recipient still opens and imports at HQ.
    assert hq.exchange.import_bundle(sent_before).source_mission == "SEL"

    # Before SEL trusts the new key, HQ's genuine library update is refused, saying why.
    genuine = tmp_path / "genuine.qbundle"
    hq.exchange.export_agreements(genuine)
    message = refused_at(sel, genuine)
    assert "does not match the registered key of headquarters (AST)" in message
    assert "Headquarters may have replaced its signing key and age recipient" in message
    assert "qorgau keys trust AST KEY --hq --age-recipient RECIPIENT" in message
    assert "forged" in message

    # SEL's administrator compared the fingerprints by telephone and trusts the new keys.
    replaced = KeyService(sel.ws).trust("AST", rotation.new_key, rotation.new_recipient, is_hq=True)
    assert replaced == old.signing_key

    # The old key's copy signs a library update and a transfer: both refused, SEL unchanged.
    treaty = record_of(sel, "agreement", Agreement.slug == TREATY)
    library = Forger(hq, signing_pem=stolen).bundle(
        tmp_path / "forged-library.qbundle",
        {"agreement": [changed(treaty, title_en="Treaty on the EAEU (forged)")]},
        [sel.recipient],
        kind="agreements",
    )
    assert "registered key of headquarters (AST)" in refused_at(sel, library)
    case = record_of(hq, "case", Case.id == first_case_id(hq))
    transfer = Forger(hq, signing_pem=stolen).bundle(
        tmp_path / "forged-transfer.qbundle",
        {"case": [changed(case, holder_mission="SEL", description="Closed, nothing owed.")]},
        [sel.recipient],
        kind="transfer",
        target="SEL",
    )
    assert "registered key of headquarters (AST)" in refused_at(sel, transfer)
    assert "forged" not in treaty_title(sel)

    # HQ's genuine update goes in; SEL's next bundle goes to the new recipient and opens.
    assert sel.exchange.import_bundle(genuine).source_mission == "AST"
    after = tmp_path / "after.qbundle"
    sel.exchange.export_cases(after, [hq.recipient], all_changes=True)
    assert hq.recipient == rotation.new_recipient
    assert hq.exchange.import_bundle(after).source_mission == "SEL"


def test_hqs_keys_are_replaced_where_hq_keeps_them(
    hq: Site,  # noqa: F811 - the fixture
) -> None:
    """An HQ file keeps them in its database file, as a mission does. An HQ on a server keeps
    them on the import workstation: a second workstation holds none, and rotating there would
    leave the import workstation signing with keys the missions are told to drop;
    ``--keys-lost`` is for a lost one."""
    folder, database_id, store = hq.paths.data_dir, hq.ws.database_id, hq.exchange.store
    old = KeyService(hq.ws).own_keys()
    if not hq.ws.on_server:
        rotation = KeyService(hq.ws).rotate(store=store)
        with hq.ws.read() as session:
            row = session.get(LocalSecret, SIGNING_KEY)
            assert row is not None and bytes(row.value) == hq_private(hq, SIGNING_KEY)
        assert workstation_secret(folder, database_id, SIGNING_KEY, store) is None
        assert not secrets_file(folder).exists()
        assert rotation.new_key != old.signing_key
        return
    for name in (SIGNING_KEY, AGE_IDENTITY):  # the import workstation, lost
        store.delete(entry_name(database_id, name))
    secrets_file(folder).unlink(missing_ok=True)

    with pytest.raises(ValidationError, match="--keys-lost"):
        KeyService(hq.ws).rotate(store=store)
    assert KeyService(hq.ws).own_keys() == old

    rotation = KeyService(hq.ws).rotate(store=store, keys_lost=True)

    identity = workstation_secret(folder, database_id, AGE_IDENTITY, store)
    assert identity is not None and len(parse_identities(identity.decode("ascii"))) == 1
    assert workstation_secret(folder, database_id, SIGNING_KEY, store) is not None
    assert KeyService(hq.ws).own_keys().signing_key == rotation.new_key != old.signing_key


def policy_signed_with(signing_pem: bytes, mission_code: str, recipient: str) -> bytes:
    """An escrow policy (escrow on, sealed to ``recipient``) signed as ``sign_policy`` signs
    one, with whatever key the signer holds."""
    private = load_pem_private_key(signing_pem, password=None)
    assert isinstance(private, Ed25519PrivateKey)
    policy = {
        "format": POLICY_FORMAT,
        "version": 1,
        "mission_code": mission_code,
        "escrow": True,
        "recipient": recipient,
        "issued_at": datetime.now(UTC).isoformat(timespec="microseconds"),
    }
    signature = private.sign(json.dumps(policy, sort_keys=True).encode())
    return json.dumps(
        {"policy": policy, "signature": base64.b64encode(signature).decode()}
    ).encode()


def escrow_code(hq: Site, key_file: Path) -> str:  # noqa: F811 - not the fixture
    """The one-time recovery code HQ reads from a mission's key file."""
    mission_code, code = issue_code(hq.ws, key_file, hq.exchange.store)
    assert mission_code == "SEL"
    return code


def refused_policy(site: Site, signed: bytes) -> str:
    KeyService(site.ws).own_keys()  # moves SQLite's read mark before the snapshot (see above)
    with unchanged(site), pytest.raises(IntegrityError) as refused:
        RecoveryService(site.ws).apply_policy(signed)
    return str(refused.value)


def test_a_copy_of_hqs_old_key_signs_no_escrow_policy_a_mission_applies(
    sel: Site,  # noqa: F811 - the fixture
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The attack: whoever copied HQ's old signing key signs a policy that seals SEL's escrow
    secret to their own recipient, and so reads SEL's one-time recovery code from its key
    file. Once SEL trusts HQ's new key, refused, SEL's folder byte for byte unchanged.

    HQ's escrow key is replaced with the others (whoever copied them reached it too); the old
    one is kept, so that HQ still reads the code of a mission sealed to it."""
    store = hq.exchange.store
    assert RecoveryService(sel.ws).apply_policy(sign_policy(hq.ws, "SEL", True, store))
    sealed_before = tmp_path / "sel-keyslots-before.json"
    sealed_before.write_bytes(sel.paths.keyslots.read_bytes())
    old_escrow = KeySlotStore(sealed_before).escrow()
    assert old_escrow is not None
    stolen = hq_private(hq, SIGNING_KEY)
    rotation = KeyService(hq.ws).rotate(store=store)
    genuine = sign_policy(hq.ws, "SEL", True, store)

    new_escrow = rotation.new_escrow_recipient
    assert new_escrow and new_escrow != old_escrow["recipient"]
    assert json.loads(genuine)["policy"]["recipient"] == new_escrow
    kept = [str(i.to_public()) for i in parse_identities(hq_private(hq, ESCROW_IDENTITY).decode())]
    assert kept == [new_escrow, old_escrow["recipient"]]
    with hq.ws.read() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "keys.rotate")
        ).scalar_one()
    assert entry.details["escrow_recipient"] == new_escrow
    assert entry.details["escrow_recipient_replaced"] == old_escrow["recipient"]
    # A mission that lost every password before applying a new policy is still recovered.
    old_code = escrow_code(hq, sealed_before)
    KeySlotStore(sealed_before).open_slot(ESCROW_SLOT, parse_recovery_key(old_code))

    # SEL still trusts HQ's old key: HQ's genuine policy is refused, saying what may be why.
    message = refused_policy(sel, genuine)
    assert "does not match the registered key of headquarters (AST)" in message
    assert "Headquarters may have replaced its signing key and age recipient" in message
    assert "separate channel (telephone, diplomatic mail) for the fingerprints" in message
    assert "qorgau keys trust AST KEY --hq --age-recipient RECIPIENT" in message
    assert "the policy is forged: do not apply it" in message

    # SEL's administrator compared the fingerprints by telephone and trusts the new keys.
    KeyService(sel.ws).trust("AST", rotation.new_key, rotation.new_recipient, is_hq=True)
    thief = pyrage.x25519.Identity.generate()
    forged = policy_signed_with(stolen, "SEL", str(thief.to_public()))
    assert "the policy is forged" in refused_policy(sel, forged)
    escrow = KeySlotStore(sel.paths.keyslots).escrow()
    assert escrow is not None and escrow["recipient"] != str(thief.to_public())

    # HQ's genuine policy, signed with the new key, goes in: SEL's escrow is sealed to HQ's new
    # escrow key, and the old escrow secret (a copy of HQ's old escrow key reads it) opens none.
    assert RecoveryService(sel.ws).apply_policy(genuine)
    escrow = KeySlotStore(sel.paths.keyslots).escrow()
    assert escrow is not None and escrow["recipient"] == new_escrow
    with pytest.raises(AuthError):
        KeySlotStore(sel.paths.keyslots).open_slot(ESCROW_SLOT, parse_recovery_key(old_code))
    new_code = escrow_code(hq, sel.paths.keyslots)
    KeySlotStore(sel.paths.keyslots).open_slot(ESCROW_SLOT, parse_recovery_key(new_code))


class _LosesTheNewIdentity(SecretStore):
    """A keyring that keeps what it is given, but a fresh process reads the age identity's
    entry back wrong (a misconfigured store)."""

    def __init__(self, identity_entry: str) -> None:
        super().__init__()
        self.identity_entry = identity_entry

    def readable_by_fresh_process(self, name: str, secret: bytes) -> bool:
        return name != self.identity_entry and super().readable_by_fresh_process(name, secret)


def test_a_keyring_that_loses_hqs_new_keys_leaves_the_old_ones_working(
    hq: Site,  # noqa: F811 - the fixture
) -> None:
    """HQ's age identity in the keyring (an HQ file moves it there on request; an HQ on a
    server keeps it there): the rotation stops, the workstation holds the old keys again and
    the database still names them."""
    folder, database_id = hq.paths.data_dir, hq.ws.database_id
    if not hq.ws.on_server:
        assert store_identity_in_keyring(hq.ws, hq.exchange.store) is IdentityMove.MOVED
    old = KeyService(hq.ws).own_keys()
    signing, identity = hq_private(hq, SIGNING_KEY), hq_private(hq, AGE_IDENTITY)
    store = _LosesTheNewIdentity(entry_name(database_id, AGE_IDENTITY))

    with pytest.raises(DatabaseError, match="did not give HQ's new keys back"):
        KeyService(hq.ws).rotate(store=store)

    assert KeyService(hq.ws).own_keys() == old
    assert (hq_private(hq, SIGNING_KEY), hq_private(hq, AGE_IDENTITY)) == (signing, identity)
    assert workstation_secret(folder, database_id, AGE_IDENTITY, store) == identity
    with hq.ws.read() as session:
        actions = session.execute(select(AuditEntry.action)).scalars().all()
    assert "keys.rotate" not in actions


def keep_hqs_keys(hq: Site, place: str) -> None:  # noqa: F811 - not the fixture
    """HQ's keys where ``place`` says. An HQ file keeps them in its database ("file"), or its
    age identity in the keyring on request; an HQ on a server keeps both on the import
    workstation, in its keyring or in its private file."""
    folder, database_id, store = hq.paths.data_dir, hq.ws.database_id, hq.exchange.store
    if not hq.ws.on_server:
        if place == "keyring":
            assert store_identity_in_keyring(hq.ws, store) is IdentityMove.MOVED
        return
    if place == "file":
        keys = {name: hq_private(hq, name) for name in (SIGNING_KEY, AGE_IDENTITY)}
        for name in keys:
            forget_on_workstation(folder, database_id, name, store)
        no_keyring = SecretStore(keyring.backends.fail.Keyring())
        assert keep_on_workstation(folder, database_id, keys, no_keyring) is SecretPlace.FILE
    for name in (SIGNING_KEY, AGE_IDENTITY):
        in_keyring = store.get(entry_name(database_id, name)) is not None
        assert in_keyring is (place == "keyring")


@pytest.mark.parametrize("place", ["keyring", "file"])
def test_a_database_write_that_fails_during_the_rotation_puts_hqs_old_keys_back(
    hq: Site,  # noqa: F811 - the fixture
    place: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The new keys are written on the workstation first, then the database: when its write
    fails, the workstation holds the old keys again where it held them, the database still
    names them, nothing is audited, and a second rotation works."""
    keep_hqs_keys(hq, place)
    folder, database_id, store = hq.paths.data_dir, hq.ws.database_id, hq.exchange.store
    old = KeyService(hq.ws).own_keys()
    signing, identity = hq_private(hq, SIGNING_KEY), hq_private(hq, AGE_IDENTITY)
    kept_file = secrets_file(folder).read_bytes() if secrets_file(folder).exists() else None
    audit = hq.ws.audit

    def fails_at_the_rotation(session: Session, action: str, *args: Any, **kwargs: Any) -> None:
        audit(session, action, *args, **kwargs)
        if action == "keys.rotate":  # after the new public keys were written in the session
            raise DatabaseError("the server went away")

    with monkeypatch.context() as patched, pytest.raises(DatabaseError, match="went away"):
        patched.setattr(hq.ws, "audit", fails_at_the_rotation)
        KeyService(hq.ws).rotate(store=store)

    assert KeyService(hq.ws).own_keys() == old
    assert (hq_private(hq, SIGNING_KEY), hq_private(hq, AGE_IDENTITY)) == (signing, identity)
    for name, value in ((SIGNING_KEY, signing), (AGE_IDENTITY, identity)):
        on_workstation = workstation_secret(folder, database_id, name, store)
        assert on_workstation in (None, value)  # None: in the database file
        if hq.ws.on_server:
            assert on_workstation == value
            assert (store.get(entry_name(database_id, name)) is not None) is (place == "keyring")
    if kept_file is None:
        assert not secrets_file(folder).exists()  # nothing new left behind in a file
    else:
        assert parse_identities(identity.decode("ascii"))  # the file holds the old keys again
    with hq.ws.read() as session:
        actions = session.execute(select(AuditEntry.action)).scalars().all()
    assert "keys.rotate" not in actions

    rotation = KeyService(hq.ws).rotate(store=store)
    assert KeyService(hq.ws).own_keys().signing_key == rotation.new_key != old.signing_key
    assert hq_private(hq, SIGNING_KEY) != signing


def _as(site: Site, role: str) -> Workspace:
    """A user of that role at this HQ (the role check in the service is under test). On a
    server, a login the test cluster already has (tests/conftest.py's USERS) with the test
    grants, as the ``hq`` fixture gives its operator (tests/pg_cluster.py)."""
    username = "aigul" if site.ws.on_server else "dana"
    with site.ws.write() as session:
        session.add(User(username=username, role=role, full_name=""))
        # Audited as HQ's administrator's act, as an account Qorgau made would be.
        site.ws.audit(session, "user.add", "user", username, {"role": role})
        if site.ws.on_server:
            session.execute(text(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {username}"))
            session.execute(text(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {username}"))
    if not site.ws.on_server:
        KeySlotStore(site.paths.keyslots).set_slot(username, PASSWORD, site.ws.db.key)
    return unlock(site.paths, username, PASSWORD)


@pytest.mark.parametrize("role", ["hq_analyst", "hq_importer"])
def test_only_hqs_operator_or_administrator_replaces_its_keys(
    hq: Site,  # noqa: F811 - the fixture
    role: str,
) -> None:
    user = _as(hq, role)
    assert user.actor.role == role
    try:
        before = KeyService(hq.ws).own_keys()  # also moves the shm's read mark (see above)
        with unchanged(hq), pytest.raises(PermissionDenied):
            KeyService(user).rotate(store=hq.exchange.store)
    finally:
        user.close()
    assert KeyService(hq.ws).own_keys() == before


def test_keys_rotate_at_hq_prints_what_every_mission_runs(
    sites: Callable[..., Site],  # noqa: F811 - the fixture
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headquarters = sites("AST", "KZ", "Astana", True)
    old_identity = hq_private(headquarters, AGE_IDENTITY)
    ensure_escrow_identity(headquarters.ws, headquarters.exchange.store)  # HQ escrows
    headquarters.ws.close()  # the command signs in on its own
    data_dir = str(headquarters.paths.data_dir)
    monkeypatch.setenv("QORGAU_USER", "astana")  # HQ's operator ("hq")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)

    rotated = run_cli(capsys, "--data-dir", data_dir, "keys", "rotate")
    shown = run_cli(capsys, "--data-dir", data_dir, "keys", "show", "--json")

    assert rotated.code == 0, rotated.err
    keys = json.loads(shown.out)
    assert set(keys) == {"mission_code", "signing_key", "age_recipient"}  # DESIGN.md's contract
    assert fingerprint(keys["signing_key"]) in rotated.out
    assert fingerprint(keys["age_recipient"]) in rotated.out
    command = f"qorgau keys trust AST {keys['signing_key']} --hq --age-recipient "
    assert command + keys["age_recipient"] in rotated.out.splitlines()
    assert "Headquarters' escrow key was replaced too. The old one is kept" in rotated.out
    assert "qorgau escrow policy CODE --out FILE" in rotated.out
    headquarters.ws = unlock(headquarters.paths, "admin", PASSWORD)  # closed again by the fixture
    kept = parse_identities(hq_private(headquarters, AGE_IDENTITY).decode("ascii"))
    assert [str(i) for i in kept[1:]] == old_identity.decode("ascii").split()


@pytest.mark.sqlcipher_only  # a server HQ's revocations: tests/hq/test_server_users.py
def test_revoking_hqs_operator_says_to_consider_replacing_hqs_keys_and_what_it_costs(
    sel: Site,  # noqa: F811 - the fixture
    hq: Site,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A revocation at HQ leaves HQ's keys as they were (replacing them would stop every
    mission at once); the administrator is told so, and what replacing them costs."""
    UserService(sel.ws).add("aigul", "attache", PASSWORD)
    old = KeyService(hq.ws).own_keys()
    for site in (hq, sel):
        site.ws.close()  # the commands sign in on their own
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)

    at_hq = run_cli(capsys, "--data-dir", str(hq.paths.data_dir), "user", "revoke", "astana")
    at_sel = run_cli(capsys, "--data-dir", str(sel.paths.data_dir), "user", "revoke", "aigul")

    assert at_hq.code == 0, at_hq.err
    assert "astana worked with headquarters' private keys" in at_hq.out
    assert "Revoking astana does not replace them" in at_hq.out
    assert "replace them with 'qorgau keys rotate' on the computer that keeps them" in at_hq.out
    assert "each refuses headquarters' bundles and escrow policies" in at_hq.out
    assert "compared the new keys' fingerprints" in at_hq.out
    assert at_sel.code == 0, at_sel.err
    assert "headquarters' private keys" not in at_sel.out  # a mission replaces its own key
    hq.ws = unlock(hq.paths, "admin", PASSWORD)
    sel.ws = unlock(sel.paths, "admin", PASSWORD)  # both closed again by the fixture
    assert KeyService(hq.ws).own_keys() == old
