"""Creating an installation, unlocking it, and the mission's own signing and age keys."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Paths
from app.db.engine import Database
from app.db.migrate import current_revision, ensure_schema
from app.db.models import LocalSecret, Mission, Setting, User
from app.db.postgres import ServerConfig, ServerDatabase
from app.db.raw import open_raw
from app.domain.cities import known_city
from app.domain.codes import Role
from app.domain.mission_record import MISSION_TEXT_LIMITS
from app.domain.roles import ALL_ROLES
from app.errors import (
    AuthError,
    DatabaseError,
    InstallationExists,
    SetupCutShort,
    ValidationError,
)
from app.i18n import _
from app.os_errors import os_error_text
from app.security import audit
from app.security.hq_secrets import (
    SECRET_NAMES,
    SecretPlace,
    entry_name,
    keep_on_workstation,
    secrets_file,
    workstation_secret,
)
from app.security.keyring_store import SecretStore, unlock_entry_name
from app.security.keyslots import (
    KEY_BYTES,
    KeySlotStore,
    account_signing_key,
    check_password_strength,
    new_database_key,
    signing_public,
)
from app.security.login_guard import LoginGuard
from app.security.private_files import make_private_dir, touch_private
from app.security.recovery_key import create_recovery_slot
from app.security.rekey import key_opens
from app.security.user_ledger import RECOVERY_KEY as RECOVERY_KEY_DETAIL
from app.security.user_ledger import SIGNING_KEY as SIGNING_KEY_DETAIL
from app.security.user_ledger import account_findings
from app.services.rows import copied
from app.services.server_hq import refuse_on_server, unlock_message
from app.services.sign_in import (
    RECOVERY_KEY_UNSEEN,  # set by the commit of a setup that shows its recovery key
    act_on_sign_in_marks,
    open_counted,
    refused,
    require_installation,
)

# Signing in lives in app.services.sign_in (it imports no SQLAlchemy until the key is being
# derived); its callers have long named it here.
from app.services.sign_in import prove_password as prove_password
from app.services.sign_in import unlock as unlock
from app.services.validation import bounded_text
from app.services.workspace import Actor, MissionSummary, Workspace

USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
MISSION_CODE_RE = re.compile(r"^[A-Z]{2,8}$")
SIGNING_KEY = "signing_key"
AGE_IDENTITY = "age_identity"


@dataclass(frozen=True)
class MissionSetup:
    code: str
    country: str
    city: str  # in English
    is_hq: bool = False
    city_kk: str = ""
    city_ru: str = ""
    name_kk: str = ""
    name_ru: str = ""
    name_en: str = ""
    address_kk: str = ""
    address_ru: str = ""
    address_en: str = ""
    phone: str = ""
    email: str = ""


def check_username(username: str) -> None:
    if not USERNAME_RE.match(username):
        raise ValidationError(
            lambda: _(
                "A user name is 2–32 characters: lower-case Latin letters, digits, '.', '_' "
                "or '-', starting with a letter."
            ),
            field="username",
        )


def check_role(role: str) -> None:
    if role not in ALL_ROLES:
        raise ValidationError(
            _("Unknown role {role}; use one of: {roles}.").format(
                role=role, roles=", ".join(ALL_ROLES)
            ),
            field="role",
        )


def validate_mission(setup: MissionSetup) -> None:
    if not MISSION_CODE_RE.match(setup.code):
        raise ValidationError(
            _("The mission code is 2–8 capital Latin letters, for example SEL."), field="code"
        )
    if not re.match(r"^[A-Z]{2}$", setup.country):
        raise ValidationError(
            _("The country is a two-letter ISO code, for example KR."), field="country"
        )
    if not setup.city.strip():
        raise ValidationError(_("The city must not be empty."), field="city")
    labels = {"city": _("City"), "name": _("Name"), "address": _("Address")}
    labels |= {"phone": _("Phone"), "email": _("E-mail")}
    for name, limit in MISSION_TEXT_LIMITS.items():
        label = labels[name.split("_")[0]]
        bounded_text(getattr(setup, name), name, label, limit)


def _generate_mission_keys() -> tuple[bytes, str, str, str]:
    """(signing private key PEM, signing public key b64, age identity, age recipient)."""
    # Imported here: only a new installation makes keys, and every sign-in imports this module.
    import pyrage
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    signing = Ed25519PrivateKey.generate()
    private_pem = signing.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_raw = signing.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    identity = pyrage.x25519.Identity.generate()
    return (
        private_pem,
        base64.b64encode(public_raw).decode("ascii"),
        str(identity),
        str(identity.to_public()),
    )


def _make_data_dir(paths: Paths) -> None:
    try:
        make_private_dir(paths.data_dir)
    except OSError as exc:
        raise DatabaseError(
            _("The data folder cannot be created: {error}").format(error=os_error_text(exc))
        ) from None


def init_installation(
    paths: Paths,
    setup: MissionSetup,
    admin_username: str,
    admin_password: str,
    shown: Callable[[str], bool] | None = None,
) -> str:
    """Create the data dir, the key file, the database and the mission with its administrator.

    Returns the recovery key: shown once to be printed for the mission's safe, never stored
    unwrapped (``app.services.recovery``). ``shown``, for a setup that shows the key (the
    CLI, the wizard): the commit records the key as not yet seen, then ``shown(key)`` is
    called and returns whether the key was shown (printed), which clears the record. Killed
    before it was, the administrator's next sign-in offers to make a new key
    (``note_unseen_recovery_key``); the wizard, which shows it later, clears the record with
    ``recovery_key_shown``.
    """
    validate_mission(setup)
    check_username(admin_username)
    check_password_strength(admin_password)
    if paths.db.exists() or paths.keyslots.exists():
        if not _left_by_a_killed_setup(paths, admin_username, admin_password):
            raise InstallationExists(
                _("A Qorgau installation already exists in {path}.").format(
                    path=str(paths.data_dir)
                )
            )
        _remove_setup(paths)  # its key opens nothing but an empty file: made again
    _make_data_dir(paths)
    key = new_database_key()
    slots = KeySlotStore(paths.keyslots)
    db: Database | None = None
    try:
        private = X25519PrivateKey.generate()
        slots.create(admin_username, admin_password, key, private)
        recovery_pair = X25519PrivateKey.generate()
        admin_key = signing_public(account_signing_key(private))
        recovery_signing = signing_public(account_signing_key(recovery_pair))
        # Written directly, not staged (``stage_slot``): the history cannot lack its key. The
        # one transaction that writes the mission, the first account and the audit log's
        # first entry also records this slot's signing key; killed before it, there is no
        # history at all (and no installation: ``_left_by_a_killed_setup``), after it, the key
        # is on record (tests/reliability/test_crash_setup.py).
        recovery_key = create_recovery_slot(slots, key, private=recovery_pair)
        touch_private(paths.db)  # personal data: readable by this account only
        db = Database(paths.db, key)
        ensure_schema(db, backup_dir=None)
        keys = {SIGNING_KEY_DETAIL: admin_key, RECOVERY_KEY_DETAIL: recovery_signing}
        unseen = shown is not None
        _create_mission(db, setup, admin_username, account_keys=keys, key_unseen=unseen)
    except BaseException:
        if db is not None:
            db.dispose()
        # Leave nothing half-made behind: a second `init` must start clean.
        _remove_setup(paths)
        raise
    try:
        # After the commit, outside the clean-up above: a failure to show the key (a closed
        # terminal) must not remove a working installation; its next sign-in says it.
        if shown is not None and shown(recovery_key):
            _forget_unseen_key(db)
    finally:
        db.dispose()
    return recovery_key


def _forget_unseen_key(db: Database) -> None:
    with db.write() as session:
        row = session.get(Setting, RECOVERY_KEY_UNSEEN)
        if row is not None:
            session.delete(row)


def recovery_key_shown(workspace: Workspace) -> None:
    """The setup's recovery key is on screen (the wizard): no sign-in need offer another."""
    _forget_unseen_key(workspace.db)


def _remove_setup(paths: Paths) -> None:
    for leftover in (paths.db, paths.keyslots):
        leftover.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        paths.db.with_name(paths.db.name + suffix).unlink(missing_ok=True)


def _left_by_a_killed_setup(paths: Paths, username: str, password: str) -> bool:
    """Whether the data folder holds only what an ``init`` killed before its mission was
    written leaves: a key file, and a database that is missing, empty or has no mission.
    Sign-in then said "run init first" and ``init`` "already exists", for good. Only the
    same administrator with the same password may start it again: her slot must open the
    key file, so a key file whose database was moved away is never thrown out by someone
    else's ``init``."""
    if not paths.keyslots.exists():
        return False  # a database without its key file: not a setup's leftover, never removed
    try:
        key = KeySlotStore(paths.keyslots).unlock(username, password)
    except (AuthError, DatabaseError):
        return False
    if not paths.db.exists() or paths.db.stat().st_size == 0:
        return True
    try:
        conn = open_raw(paths.db, key)
    except DatabaseError:
        return False
    try:
        tables = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'mission'").fetchall()
        return not tables or not conn.execute("SELECT 1 FROM mission LIMIT 1").fetchall()
    finally:
        conn.close()


def _create_mission(
    db: Database,
    setup: MissionSetup,
    admin_username: str,
    keep_private_keys: Callable[[dict[str, bytes]], None] | None = None,
    account_keys: dict[str, str] | None = None,
    key_unseen: bool = False,
) -> None:
    """The installation's first write: its mission, keys, administrator and audit entry.

    ``account_keys``, the administrator's and the recovery slot's signing keys, are the root
    every later account change is checked back to (``app.security.user_ledger``).

    The private keys go into the (encrypted, single-user) database, unless
    ``keep_private_keys`` is given: then it keeps them elsewhere before anything is written,
    so that a failure to keep them leaves no mission behind.
    """
    signing_pem, signing_pub, age_identity, age_recipient = _generate_mission_keys()
    private = {SIGNING_KEY: signing_pem, AGE_IDENTITY: age_identity.encode("ascii")}
    if keep_private_keys is not None:
        keep_private_keys(private)
    with db.write() as session:
        session.info["mission_code"] = setup.code
        session.add(
            Mission(
                code=setup.code,
                is_local=True,
                is_hq=setup.is_hq,
                country=setup.country,
                city=setup.city,
                # Not given: the name each language uses, when the city is known (letters and
                # the missions HQ's bundles reach read it).
                city_kk=setup.city_kk.strip() or known_city(setup.city, "kk"),
                city_ru=setup.city_ru.strip() or known_city(setup.city, "ru"),
                name_kk=setup.name_kk,
                name_ru=setup.name_ru,
                name_en=setup.name_en,
                address_kk=setup.address_kk,
                address_ru=setup.address_ru,
                address_en=setup.address_en,
                phone=setup.phone,
                email=setup.email,
                signing_public_key=signing_pub,
                age_recipient=age_recipient,
                trusted_at=datetime.now(UTC),
            )
        )
        if keep_private_keys is None:
            for name, value in private.items():
                session.add(LocalSecret(name=name, value=value))
        session.add(User(username=admin_username, role=Role.ADMIN, full_name=""))
        if key_unseen:
            # In the commit itself: killed before the key is shown, the sign-in finds it.
            session.add(Setting(key=RECOVERY_KEY_UNSEEN, value=True))
        audit.record(
            session,
            admin_username,
            "installation.init",
            "mission",
            setup.code,
            {
                "country": setup.country,
                "city": setup.city,
                "hq": setup.is_hq,
                **(account_keys or {}),
            },
        )
        if keep_private_keys is not None:
            # An HQ on a server: its analysts may not write the library when first reading it.
            from app.services.agreements import seed_library

            seed_library(admin_username, session)


def init_server_installation(
    paths: Paths,
    config: ServerConfig,
    setup: MissionSetup,
    admin_username: str,
    password: str,
    store: SecretStore | None = None,
) -> SecretPlace:
    """An HQ whose data lives on a PostgreSQL server (``config``); missions stay on SQLCipher.

    ``admin_username`` and ``password`` are the administrator's own PostgreSQL account, which
    must be able to create tables in the (empty) database. HQ's age identity and signing key
    never reach the shared database: they are kept on this (the import) workstation before
    the mission is written (``app.security.hq_secrets``); returns where. The data folder keeps
    the server's address and TLS settings, written last; a second try after a failed step
    carries on from an empty schema.
    """
    if not setup.is_hq:
        raise ValidationError(
            _("Only headquarters can keep its data on a database server; a mission cannot."),
            field="database",
        )
    validate_mission(setup)
    check_username(admin_username)
    if paths.is_initialised() or paths.db.exists():
        raise DatabaseError(
            _("A Qorgau installation already exists in {path}.").format(path=str(paths.data_dir))
        )
    db = ServerDatabase(config, admin_username, password, paths.data_dir)
    try:
        with db.engine.connect() as connection:
            # A schema without a mission is an init that stopped half-way: carry on with it.
            if (
                current_revision(connection) is not None
                and connection.execute(select(Mission.code).where(Mission.is_local)).first()
            ):
                raise DatabaseError(
                    _(
                        "The database {name} on {server} already holds a Qorgau installation; "
                        "sign in to it instead, or give an empty database."
                    ).format(name=config.database, server=config.host)
                )
        ensure_schema(db, backup_dir=None)
        store = store if store is not None else SecretStore()
        database_id = server_database_id(config)
        places: list[SecretPlace] = []

        def keep(secrets: dict[str, bytes]) -> None:
            _make_data_dir(paths)
            places.append(_keep_secrets_here(paths.data_dir, database_id, secrets, store))

        try:
            _create_mission(db, setup, admin_username, keep_private_keys=keep)
        except BaseException:
            _forget_secrets_here(paths.data_dir, database_id, store)
            raise
    finally:
        db.dispose()
    try:
        config.save(paths.data_dir)
    except OSError as exc:
        raise DatabaseError(
            _("The data folder cannot be created: {error}").format(error=os_error_text(exc))
        ) from None
    return places[0]


def server_database_id(config: ServerConfig) -> str:
    """The name an HQ on a server goes by in this workstation's keyring."""
    return f"server:{config.display}"


def _keep_secrets_here(
    folder: Path, database_id: str, secrets: dict[str, bytes], store: SecretStore
) -> SecretPlace:
    """Keep HQ's private keys on this workstation, checked by reading every one back."""
    place = keep_on_workstation(folder, database_id, secrets, store)
    for name, value in secrets.items():
        if workstation_secret(folder, database_id, name, store) != value:
            raise DatabaseError(
                _("HQ's private keys could not be kept on this computer; nothing was created.")
            )
    return place


def _forget_secrets_here(folder: Path, database_id: str, store: SecretStore) -> None:
    """An init that failed after keeping the keys: keys of no HQ only confuse a retry."""
    for name in SECRET_NAMES:
        store.delete(entry_name(database_id, name))
    secrets_file(folder).unlink(missing_ok=True)


def check_server(config: ServerConfig, username: str, password: str, folder: Path) -> str:
    """Connect once as ``username`` (the wizard's "Test the connection"); the server's name."""
    ServerDatabase(config, username, password, folder).dispose()
    return config.display


def open_workspace(paths: Paths, username: str, key: bytes, database_id: str) -> Workspace:
    return _open_workspace_on(Database(paths.db, key), paths, username, database_id)


def _open_workspace_on(db: Database, paths: Paths, username: str, database_id: str) -> Workspace:
    """Sign ``username`` in on an open database: the app's own ``user`` row gives the role."""
    try:
        ensure_schema(db, backup_dir=paths.backups)
        with db.write() as session:
            user = session.execute(
                select(User).where(User.username == username)
            ).scalar_one_or_none()
            if user is None and _no_mission(session):
                raise SetupCutShort(setup_cut_short_message())
            if user is None or not user.active:
                raise AuthError(lambda: _("Wrong user name or password."))
            if db.dialect != "postgresql" and account_findings(session, username):
                # A row written into the file directly (see app.security.user_ledger); at an
                # HQ on a server the grants keep the user table from its users instead.
                raise AuthError(lambda: not_set_up_by_an_administrator_message())
            user.last_login_at = datetime.now(UTC)
            user.failed_attempts = 0
            mission = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
            summary = copied(MissionSummary, mission)
            actor = Actor(user.username, user.role, user.full_name)
            session.info["mission_code"] = mission.code
            audit.record(session, username, "user.login", "user", username)
    except BaseException:
        db.dispose()
        raise
    return Workspace(paths, db, actor, summary, database_id)


def _no_mission(session: Session) -> bool:
    return session.execute(select(Mission.code).where(Mission.is_local)).first() is None


def setup_cut_short_message() -> str:
    """A sign-in into the database of an ``init`` killed before its mission was written: her
    password opened the key file, and "wrong password" sent her to try others."""
    return _(
        "The setup of this installation was stopped before it finished, so nothing was saved "
        "in it. Set it up again (qorgau init) with the same administrator name and password."
    )


def not_set_up_by_an_administrator_message() -> str:
    """A sign-in refused because the account's row is not the one the audit log made."""
    return _(
        "This account was not set up by an administrator through Qorgau, or its role was "
        "changed outside Qorgau, so it cannot sign in. Ask the administrator to look at "
        "Settings → Users."
    )


def unlock_on_server(paths: Paths, username: str, password: str, guard: LoginGuard) -> Workspace:
    """``app.services.sign_in.unlock`` for an HQ whose data lives on a PostgreSQL server."""
    config = ServerConfig.load(paths.data_dir)
    if config is None:
        raise DatabaseError(
            _("No Qorgau database in {path}; run 'qorgau init' first.").format(
                path=str(paths.data_dir)
            )
        )
    return _unlock_on_server(paths, config, username, password, guard)


def _unlock_on_server(
    paths: Paths, config: ServerConfig, username: str, password: str, guard: LoginGuard
) -> Workspace:
    """Sign in to an HQ on a server: connect as the person's own PostgreSQL account.

    The server checks the password (or libpq's password file, or a client certificate); the
    same growing delay as on a laptop answers wrong ones, counted in this data folder."""
    if username.startswith("@") or not USERNAME_RE.match(username):
        raise AuthError(lambda: _("Wrong user name or password."))
    attempt = guard.begin(username)
    try:
        db = ServerDatabase(config, username, password, paths.data_dir)
    except AuthError as exc:
        raise refused(guard, username, exc) from None
    except BaseException:
        guard.withdraw(attempt)  # the server is unreachable: no guess was made
        raise
    # A server account the app does not know (or revoked) is a failed sign-in (AuthError).
    database_id = server_database_id(config)
    return open_counted(
        guard, attempt, lambda: _open_workspace_on(db, paths, username, database_id)
    )


def unlock_with_keyring(paths: Paths, username: str, store: SecretStore) -> Workspace | None:
    """'Unlock on this computer': the key from the OS keyring, or None when not remembered."""
    if paths.server.exists():
        return None  # on a server each person signs in with their own account, every time
    require_installation(paths)
    slots = KeySlotStore(paths.keyslots)
    if slots.state().rekey_to is not None:
        # A re-key was left unfinished (the window was busy, or it crashed): the kept key
        # still opens the file, but only a password reaches the new key and finishes it.
        return None
    database_id = slots.database_id()
    entry = unlock_entry_name(database_id, username)
    kept = store.get(entry)
    if kept is None:
        return None
    key, public, seed = kept[:KEY_BYTES], kept[KEY_BYTES : 2 * KEY_BYTES], kept[2 * KEY_BYTES :]
    if public != slots.public_key(username) or not key_opens(paths.db, key):
        # Kept for a password that is no longer the account's (an administrator reset it, a
        # recovery took the account over), from before a re-key (revocation) or a restore,
        # or by a version that did not record the password's key pair: forget it.
        store.delete(entry)
        return None
    workspace = open_workspace(paths, username, key, database_id)
    if len(seed) == KEY_BYTES:  # kept by an older version without it: account changes ask
        workspace.signing_key = Ed25519PrivateKey.from_private_bytes(seed)
    try:
        LoginGuard(paths.data_dir).succeeded(workspace)
        from app.services.users import finish_cut_short_revocations

        finish_cut_short_revocations(workspace, store)
        act_on_sign_in_marks(workspace, store=store)
    except BaseException:
        workspace.close()
        raise
    return workspace


def remember_unlock(workspace: Workspace, store: SecretStore, key: bytes | None = None) -> bool:
    """Keep the database key (``key``, else the open one) for "unlock on this computer",
    bound to the public key of the user's slot: a new password for the account (a reset, a
    takeover by recovery) makes a new key pair, and the entry then opens nothing. Her account
    signing key is kept with it, so that a window unlocked so can still sign account changes
    (whoever uses this OS account as her can make them in Qorgau anyway)."""
    refuse_on_server(workspace.on_server, unlock_message())
    username = workspace.actor.username
    public = KeySlotStore(workspace.paths.keyslots).public_key(username)
    if public is None:
        return False
    entry = unlock_entry_name(workspace.database_id, username)
    signing = workspace.signing_key
    seed = signing.private_bytes_raw() if signing is not None else b""
    return store.set(entry, (key or workspace.db.key) + public + seed)


def forget_unlock(workspace: Workspace, store: SecretStore) -> None:
    store.delete(unlock_entry_name(workspace.database_id, workspace.actor.username))
