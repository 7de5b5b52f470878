"""init, user, keys, backup, restore, audit."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.cli.common import (
    add_actions,
    credentials,
    day_argument,
    json_help,
    new_password,
    paths_of,
    print_json,
    print_listing,
    workspace,
)
from app.cli.recovery import print_recovery_key
from app.config import Paths
from app.db.postgres import parse_server_url
from app.domain import labels
from app.domain.roles import ALL_ROLES
from app.domain.translit import latin_name
from app.errors import IntegrityError, NotFound, UsageError, ValidationError
from app.i18n import _, current_language, format_datetime, format_number, format_size
from app.os_errors import os_error_text
from app.security.hq_secrets import place_message
from app.security.keyring_store import SecretStore
from app.services.audit_log import AuditLogService, tampered_message
from app.services.backup import (
    ConfirmationRequired,
    create_backup,
    created_text,
    restore_backup,
)
from app.services.installation import (
    MissionSetup,
    init_installation,
    init_server_installation,
    unlock,
)
from app.services.key_review import key_review_message
from app.services.keys import (
    IdentityMove,
    KeyRotation,
    KeyService,
    escrow_replaced_advice,
    fingerprint,
    hq_new_key_advice,
    identity_move_message,
    new_key_advice,
    replaced_key_message,
    rotated_message,
    rotation_failed_message,
    store_identity_in_keyring,
)
from app.services.recovery_sheet import check_sheet_place, sheet_facts, write_recovery_sheet
from app.services.server_hq import sessions_ended_message
from app.services.users import (
    SignatureDetails,
    UserService,
    hq_keys_advice,
    recovery_key_advice,
    released_message,
    reset_rekey_waiting_message,
    role_changed_message,
    shared_os_account_message,
    unapproved_message,
)


def register(commands: Any) -> None:
    _register_init(commands)
    _register_user(commands)
    _register_keys(commands)
    _register_backup(commands)
    _register_audit(commands)


def _register_init(commands: Any) -> None:
    """``init``: a new installation."""
    init = commands.add_parser("init", help=_("create a new installation"))
    init.add_argument("--hq", action="store_true", help=_("headquarters installation"))
    init.add_argument("--mission-code", required=True, help=_("e.g. SEL"))
    init.add_argument("--country", required=True, help=_("ISO 3166 two-letter code, e.g. KR"))
    init.add_argument("--city", required=True, help=_("the city in English"))
    init.add_argument("--city-kk", default="", help=_("the city as Kazakh letters write it"))
    init.add_argument("--city-ru", default="", help=_("the city as Russian letters write it"))
    init.add_argument("--admin", required=True, help=_("the administrator's user name"))
    init.add_argument("--name-kk", default="", help=_("the mission's name in Kazakh"))
    init.add_argument("--name-ru", default="", help=_("the mission's name in Russian"))
    init.add_argument("--name-en", default="", help=_("the mission's name in English"))
    init.add_argument(
        "--recovery-sheet", type=Path, help=_("also write the printable recovery sheet (PDF)")
    )
    init.add_argument(
        "--database",
        metavar="URL",
        help=_(
            "headquarters only: keep the data on a PostgreSQL server, "
            "postgresql://server:5432/database (no user name or password in it)"
        ),
    )
    init.add_argument(
        "--sslmode",
        default="",
        help=_("with --database: TLS check of the server, e.g. verify-full (libpq's sslmode)"),
    )
    init.add_argument(
        "--sslrootcert",
        default="",
        help=_("with --database: the CA certificate the server's certificate must chain to"),
    )
    init.set_defaults(handler=cmd_init)


def _register_user(commands: Any) -> None:
    """``user``: the users, their roles and signatures."""
    user_cmds = add_actions(commands.add_parser("user", help=_("manage users")))
    add = user_cmds.add_parser("add", help=_("add a user (administrator)"))
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ALL_ROLES, help=_("the user's role"))
    add.add_argument("--full-name", default="", help=_("the user's full name, as letters sign it"))
    add.set_defaults(handler=cmd_user_add)
    passwd = user_cmds.add_parser("passwd", help=_("change or reset a password"))
    passwd.add_argument("username")
    passwd.set_defaults(handler=cmd_user_passwd)
    revoke = user_cmds.add_parser("revoke", help=_("revoke a user (administrator)"))
    revoke.add_argument("username")
    revoke.set_defaults(handler=cmd_user_revoke)
    set_role = user_cmds.add_parser(
        "set-role",
        help=_("give a user another role; their open window signs them out (administrator)"),
    )
    set_role.add_argument("username")
    set_role.add_argument("role", choices=ALL_ROLES, help=_("the user's role"))
    set_role.set_defaults(handler=cmd_user_set_role)
    signature = user_cmds.add_parser(
        "signature", help=_("the name and position a user signs letters with")
    )
    signature.add_argument("username")
    signature.add_argument("--full-name", help=_("the name in Cyrillic"))
    signature.add_argument("--latin-name", help=_("the name in Latin letters"))
    signature.add_argument("--position-kk", help=_("the position in Kazakh"))
    signature.add_argument("--position-ru", help=_("the position in Russian"))
    signature.add_argument("--position-en", help=_("the position in English"))
    signature.set_defaults(handler=cmd_user_signature)
    listing = user_cmds.add_parser("list", help=_("list users"))
    listing.add_argument("--json", action="store_true", help=json_help())
    listing.set_defaults(handler=cmd_user_list)


def _register_keys(commands: Any) -> None:
    """``keys``: this installation's public keys and the ones it trusts."""
    keys_cmds = add_actions(commands.add_parser("keys", help=_("this installation's public keys")))
    show = keys_cmds.add_parser("show", help=_("show the signing key and age recipient"))
    show.add_argument("--json", action="store_true", help=json_help())
    show.set_defaults(handler=cmd_keys_show)
    trust = keys_cmds.add_parser("trust", help=_("register another installation's signing key"))
    trust.add_argument("code")
    trust.add_argument("signing_key")
    trust.add_argument(
        "--age-recipient", default=None, help=_("its age public key, to encrypt bundles for it")
    )
    trust.add_argument("--hq", action="store_true", help=_("these are headquarters' keys"))
    trust.add_argument(
        "--review-since",
        type=day_argument,
        metavar="DATE",
        help=_(
            "when it replaces a key: count the cases held from bundles signed with the old key "
            "since this day (the day the old key may have been copied); default: since it was "
            "trusted"
        ),
    )
    trust.set_defaults(handler=cmd_keys_trust)
    rotate = keys_cmds.add_parser(
        "rotate",
        help=_("replace this installation's signing key and age recipient (administrator)"),
    )
    rotate.add_argument(
        "--keys-lost",
        action="store_true",
        help=_(
            "headquarters: make new keys on this computer, the import workstation that kept "
            "them being lost"
        ),
    )
    rotate.set_defaults(handler=cmd_keys_rotate)


def _register_backup(commands: Any) -> None:
    """``backup`` and ``restore``."""
    backup = commands.add_parser("backup", help=_("write an encrypted backup"))
    backup.add_argument("--out", required=True, type=Path, help=_("where to write the backup"))
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser("restore", help=_("restore a backup into the data folder"))
    restore.add_argument(
        "file",
        type=Path,
        help=_("the backup file (.qbackup); the data it replaces is kept under backups/"),
    )
    restore.add_argument(
        "--yes", action="store_true", help=_("confirm going back to the backup's state")
    )
    restore.set_defaults(handler=cmd_restore)


def _register_audit(commands: Any) -> None:
    """``audit``: the chain, its entries and the heads from missions."""
    audit_cmds = add_actions(commands.add_parser("audit", help=_("the audit log")))
    verify = audit_cmds.add_parser("verify", help=_("check the audit chain"))
    verify.add_argument(
        "--head",
        type=Path,
        default=None,
        help=_("a signed head file from headquarters ('qorgau audit head CODE --out FILE')"),
    )
    verify.add_argument("--json", action="store_true", help=json_help())
    verify.set_defaults(handler=cmd_audit_verify)
    listing = audit_cmds.add_parser(
        "list", help=_("who did what, the latest entries first (administrator)")
    )
    listing.add_argument("--user", help=_("only this user's entries"))
    listing.add_argument(
        "--record",
        help=_("only the entries about this record (a case or letter number, a user name)"),
    )
    listing.add_argument(
        "--before", type=int, metavar="SEQ", help=_("only entries before this one")
    )
    listing.add_argument("--limit", type=int, default=50, help=_("list at most this many entries"))
    listing.add_argument("--json", action="store_true", help=json_help())
    listing.set_defaults(handler=cmd_audit_list)
    head = audit_cmds.add_parser(
        "head", help=_("the latest signed audit head received from a mission")
    )
    head.add_argument("code")
    head.add_argument(
        "--out",
        type=Path,
        default=None,
        help=_("write the signed head to this file instead of printing it"),
    )
    head.set_defaults(handler=cmd_audit_head)
    forget = audit_cmds.add_parser(
        "forget-head",
        help=_("accept that a mission's audit history starts again (administrator)"),
    )
    forget.add_argument("code")
    forget.set_defaults(handler=cmd_audit_forget_head)


def cmd_init(args: argparse.Namespace) -> int:
    paths = paths_of(args)
    setup = MissionSetup(
        code=args.mission_code.upper(),
        country=args.country.upper(),
        city=args.city,
        city_kk=args.city_kk,
        city_ru=args.city_ru,
        is_hq=args.hq,
        name_kk=args.name_kk,
        name_ru=args.name_ru,
        name_en=args.name_en,
    )
    if args.database:
        return _init_on_server(args, paths, setup)
    if args.sslmode or args.sslrootcert:
        raise UsageError(_("--sslmode and --sslrootcert go with --database."))
    if args.recovery_sheet:
        check_sheet_place(args.recovery_sheet)
    password = new_password(_("Administrator's password"))

    def shown(recovery_key: str) -> bool:
        print(
            _("Created {kind} {code} in {path}; administrator: {admin}.").format(
                kind=_("headquarters") if args.hq else _("mission"),
                code=setup.code,
                path=paths.data_dir,
                admin=args.admin,
            )
        )
        # At once: whatever fails after (the keyring, the sheet) must not hide the only key.
        print_recovery_key(recovery_key)
        sys.stdout.flush()  # on the terminal before the record that it was not is cleared
        return True

    recovery_key = init_installation(paths, setup, args.admin, password, shown=shown)
    if args.hq:
        _keep_hq_identity_in_keyring(paths, args.admin, password)
    if args.recovery_sheet:
        ws = unlock(paths, args.admin, password)
        try:
            lang = current_language()
            write_recovery_sheet(args.recovery_sheet, recovery_key, sheet_facts(ws, lang), lang)
        finally:
            ws.close()
    return 0


def _init_on_server(args: argparse.Namespace, paths: Paths, setup: MissionSetup) -> int:
    """``init --hq --database``: the administrator signs in with their PostgreSQL account."""
    if not args.hq:
        raise UsageError(
            _("Only headquarters can keep its data on a database server (--hq --database).")
        )
    if args.recovery_sheet:
        raise UsageError(
            _("An HQ on a database server has no recovery key: the server's backups restore it.")
        )
    config = parse_server_url(args.database, args.sslmode, args.sslrootcert)
    _user, password = credentials(username=args.admin)
    place = init_server_installation(paths, config, setup, args.admin, password, SecretStore())
    print(
        _(
            "Created headquarters {code} on {server}; settings in {path}; administrator: {admin}."
        ).format(code=setup.code, server=config.display, path=paths.data_dir, admin=args.admin)
    )
    print(place_message(place, paths.data_dir))
    return 0


def _keep_hq_identity_in_keyring(paths: Paths, admin: str, password: str) -> None:
    """HQ decrypts every mission's bundles: its age identity belongs in the OS keyring, when
    there is one that keeps it; otherwise it stays in the encrypted database, said once."""
    store = SecretStore()
    ws = unlock(paths, admin, password)
    try:
        outcome = store_identity_in_keyring(ws, store)
    finally:
        ws.close()
    if outcome is not IdentityMove.MOVED:
        print(identity_move_message(outcome, store), file=sys.stderr)


def cmd_user_add(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        password = new_password(_("New user's password"), env="QORGAU_NEW_PASSWORD")
        info = UserService(ws).add(args.username, args.role, password, args.full_name)
    print(_("Added {user} ({role}).").format(user=info.username, role=labels.role(info.role)))
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        password = new_password(_("New password"), env="QORGAU_NEW_PASSWORD")
        rekeyed = UserService(ws, SecretStore()).change_password(args.username, password)
    # Closing the workspace finished a re-key that waited if the other windows had gone.
    print(_("Password of {user} changed.").format(user=args.username))
    if rekeyed is not None and ws.pending_key is not None:
        print(reset_rekey_waiting_message(args.username))
    if rekeyed is not None:
        _print_users(
            _("Reset the passwords of: {users} (their key slots predate the new key)."),
            rekeyed.without_keys,
        )
    return 0


def cmd_user_revoke(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        result = UserService(ws, SecretStore()).revoke(args.username)
        on_server = ws.on_server
    # Closing the workspace finished a re-key that waited if the other windows had gone.
    if on_server:
        print(
            _("{user} revoked; their server account signs in no more.").format(user=args.username)
        )
        print(sessions_ended_message(result.sessions_ended))
    elif ws.pending_key is not None:
        print(
            _(
                "{user} revoked; their password opens nothing now. Another Qorgau window or "
                "command has the database open, so the file keeps its old key until it is "
                "closed: the next sign-in after that gives it the new key. Everyone else signs "
                "in as usual."
            ).format(user=args.username)
        )
    else:
        print(_("{user} revoked; the database has a new key.").format(user=args.username))
    _print_users(
        _("Reset the passwords of: {users} (their key slots predate the new key)."),
        result.need_password_reset,
    )
    if result.shared_os_account:
        print(shared_os_account_message(args.username))
    if result.released:
        print(released_message(args.username, result.released))
        print("  " + ", ".join(result.released))
    if result.unapproved:
        print(unapproved_message(result.unapproved))
    if result.saw_recovery_key:
        print(recovery_key_advice(args.username))
        print(_("To replace it: qorgau recovery rotate --sheet FILE.pdf"))
    if result.key_rotation is not None:
        _print_rotation(result.key_rotation)
    elif result.rotation_error:
        print(rotation_failed_message(result.rotation_error))
    if result.used_hq_keys:
        print(hq_keys_advice(args.username))
    return 0


def _print_rotation(rotation: KeyRotation) -> None:
    print(rotated_message(rotation))
    print(_("Signing key: {key}").format(key=rotation.new_key))
    print(_("Fingerprint: {fingerprint}").format(fingerprint=rotation.fingerprint))
    print(_("Age recipient: {key}").format(key=rotation.new_recipient))
    print(
        _("Age recipient's fingerprint: {fingerprint}").format(
            fingerprint=rotation.recipient_fingerprint
        )
    )
    advice = hq_new_key_advice if rotation.is_hq else new_key_advice
    print(advice(rotation.mission_code, rotation.new_key, rotation.new_recipient))
    if rotation.new_escrow_recipient:
        print(escrow_replaced_advice())


def cmd_user_set_role(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        unapproved = UserService(ws).set_role(args.username, args.role)
    print(role_changed_message(args.username, args.role))
    if unapproved:
        print(unapproved_message(list(unapproved)))
    return 0


def _print_users(message: str, users: list[str]) -> None:
    """``message`` naming the ``users``, if there are any."""
    if users:
        print(message.format(users=", ".join(users)))


def cmd_user_signature(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        service = UserService(ws)
        current = next((u for u in service.list() if u.username == args.username), None)
        if current is None:
            raise NotFound(_("No user named {name}.").format(name=args.username))

        def given(value: str | None, old: str) -> str:
            return old if value is None else value

        details = SignatureDetails(
            given(args.full_name, current.full_name),
            given(args.latin_name, current.full_name_latin or latin_name(current.full_name)),
            given(args.position_kk, current.positions[0]),
            given(args.position_ru, current.positions[1]),
            given(args.position_en, current.positions[2]),
        )
        service.set_signature(args.username, details)
    print(_("{user}: signature details saved.").format(user=args.username))
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        users = UserService(ws).list()
    return print_listing(
        args,
        users,
        [_("User"), _("Role"), _("Active"), _("Last login")],
        lambda u: [
            u.username,
            labels.role(u.role),
            _("yes") if u.active else _("no"),
            format_datetime(u.last_login_at) if u.last_login_at else "",
        ],
    )


def cmd_keys_show(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        keys = KeyService(ws).own_keys()
    if args.json:
        # DESIGN.md names these three keys: a contract for other tools (the fingerprint is
        # computed from the signing key, `app.services.keys.fingerprint`).
        print_json(
            {
                "mission_code": keys.mission_code,
                "signing_key": keys.signing_key,
                "age_recipient": keys.age_recipient,
            }
        )
    else:
        print(_("Mission: {code}").format(code=keys.mission_code))
        print(_("Signing key: {key}").format(key=keys.signing_key))
        print(_("Fingerprint: {fingerprint}").format(fingerprint=keys.signing_key_fingerprint))
        print(_("Age recipient: {key}").format(key=keys.age_recipient))
    return 0


def cmd_keys_trust(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        code = args.code.upper()
        keys = KeyService(ws)
        review = keys.review_of_current_key(code, args.review_since)  # before trust moves it
        previous = keys.trust(code, args.signing_key, args.age_recipient, is_hq=args.hq)
    print(_("The signing key of {code} is now trusted.").format(code=code))
    # Compared with the one the mission read out by telephone or sent by diplomatic mail.
    print(_("Fingerprint: {fingerprint}").format(fingerprint=fingerprint(args.signing_key)))
    if args.age_recipient:
        print(
            _("Age recipient's fingerprint: {fingerprint}").format(
                fingerprint=fingerprint(args.age_recipient)
            )
        )
    if previous:
        print(replaced_key_message(code, previous))
        if review is not None:
            print(key_review_message(review))
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        rotation = KeyService(ws).rotate(store=SecretStore(), keys_lost=args.keys_lost)
    _print_rotation(rotation)
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        info = create_backup(ws, args.out)
    print(
        _("Backup written to {path} ({size}).").format(path=info.path, size=format_size(info.size))
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    paths = paths_of(args)
    username, password = credentials()
    try:
        result = restore_backup(paths, args.file, username, password, confirmed=args.yes)
    except ConfirmationRequired as exc:
        raise UsageError(f"{exc} " + _("Run it again with --yes to restore it.")) from None
    print(
        _("Restored the backup of {created} into {path}.").format(
            created=created_text(result.created_at), path=paths.data_dir
        )
    )
    if result.replaced_in is not None:
        print(_("The files it replaced are kept in {folder}.").format(folder=result.replaced_in))
    _print_users(_("Revoked since the backup, kept out: {users}."), result.deactivated)
    _print_users(
        _("Added since the backup, without an account now: {users}."), result.without_account
    )
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        check = AuditLogService(ws).verify(args.head)
    if args.json:
        print_json(
            {
                "entries": check.entries,
                "ok": check.ok,
                "head": {"source": check.head_source, "seq": check.head_seq},
                "problems": [
                    {"seq": p.seq, "kind": p.kind, "message": p.message} for p in check.problems
                ],
            }
        )
        return 0 if check.ok else 1
    if check.problems:
        for problem in check.problems:
            print(problem.message)
        raise IntegrityError(tampered_message(len(check.problems)))
    print(_("The audit log is intact: {n} entries checked.").format(n=format_number(check.entries)))
    if check.head_source == "file":
        print(
            _("It contains the head signed by headquarters' copy (entry {seq}).").format(
                seq=check.head_seq
            )
        )
    elif check.head_source == "last_export":
        print(
            _(
                "It contains the head signed at the last export (entry {seq}); check against "
                "headquarters' copy with --head."
            ).format(seq=check.head_seq)
        )
    return 0


def cmd_audit_list(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        entries = AuditLogService(ws).entries(args.user, args.record, args.before, args.limit)
    if args.json:
        print_json(
            [
                {
                    "seq": e.seq,
                    "at": e.at.isoformat(),
                    "user": e.actor,
                    "action": e.action,
                    "entity": e.entity,
                    "record": e.entity_id,
                    "details": e.details,
                }
                for e in entries
            ]
        )
        return 0
    for e in entries:
        when = format_datetime(e.at.astimezone())
        print(f"{e.seq:>8}  {when}  {e.actor:<16} {e.label}  {e.record}".rstrip())
    return 0


def cmd_audit_head(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        head = AuditLogService(ws).held_head(args.code.upper())
    text = json.dumps(head, indent=1, sort_keys=True) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ValidationError(
            _("The head file cannot be written: {error}").format(error=os_error_text(exc)),
            field="out",
        ) from None
    print(
        _("Wrote the audit head of {code} (entry {seq}) to {path}.").format(
            code=head["mission"], seq=head["seq"], path=args.out
        )
    )
    return 0


def cmd_audit_forget_head(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        head = AuditLogService(ws).forget_head(args.code.upper())
    print(
        _(
            "Forgot the audit head of {code} (entry {seq}); its next bundle starts a new "
            "history. This is recorded in the audit log."
        ).format(code=head.mission, seq=head.seq)
    )
    return 0
