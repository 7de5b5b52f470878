"""recover, recovery rotate, escrow: when every password is lost (app.services.recovery)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from app.cli.common import add_actions, new_password, paths_of, read_file_argument, workspace
from app.errors import UsageError
from app.i18n import _, current_language
from app.security.keyring_store import SecretStore
from app.security.private_files import open_private
from app.services.recovery import (
    POLICY_MAX_BYTES,
    RecoveryService,
    ensure_escrow_identity,
    issue_code,
    recover,
    recovered_message,
    sign_policy,
)
from app.services.recovery_sheet import check_sheet_place, sheet_facts, write_recovery_sheet

RECOVERY_KEY_ENV = "QORGAU_RECOVERY_KEY"
NEW_PASSWORD_ENV = "QORGAU_NEW_PASSWORD"


def register(commands: Any) -> None:
    rec = commands.add_parser(
        "recover", help=_("make a new administrator with the recovery key or HQ's code")
    )
    rec.add_argument(
        "--new-admin",
        required=True,
        metavar="NAME",
        help=_(
            "the administrator's user name: a new account, or an existing one to take over "
            "(its password is replaced and it becomes an administrator)"
        ),
    )
    rec.set_defaults(handler=cmd_recover)

    recovery_cmds = add_actions(
        commands.add_parser("recovery", help=_("the recovery key (administrator)"))
    )
    rotate = recovery_cmds.add_parser("rotate", help=_("replace the recovery key"))
    rotate.add_argument("--sheet", type=Path, help=_("also write the printable sheet (PDF)"))
    rotate.set_defaults(handler=cmd_recovery_rotate)

    escrow_cmds = add_actions(
        commands.add_parser("escrow", help=_("escrow of the database key at headquarters"))
    )
    recipient = escrow_cmds.add_parser("recipient", help=_("HQ: show the escrow recipient"))
    recipient.set_defaults(handler=cmd_escrow_recipient)
    issue = escrow_cmds.add_parser(
        "issue", help=_("HQ: read a mission's one-time recovery code from its key file")
    )
    issue.add_argument("key_file", type=Path)
    issue.set_defaults(handler=cmd_escrow_issue)
    policy = escrow_cmds.add_parser("policy", help=_("HQ: sign a mission's escrow policy"))
    policy.add_argument("mission_code")
    policy.add_argument("--off", action="store_true", help=_("no escrow for this mission"))
    policy.add_argument(
        "--out", required=True, type=Path, help=_("where to write the signed policy")
    )
    policy.set_defaults(handler=cmd_escrow_policy)
    apply = escrow_cmds.add_parser("apply", help=_("apply HQ's signed escrow policy"))
    apply.add_argument("file", type=Path, help=_("the policy file headquarters signed"))
    apply.set_defaults(handler=cmd_escrow_apply)


def _typed_recovery_key() -> str:
    from_env = os.environ.get(RECOVERY_KEY_ENV)
    if from_env:
        return from_env
    if not sys.stdin or not sys.stdin.isatty():
        raise UsageError(
            _("No terminal to ask for the recovery key; set {env}.").format(env=RECOVERY_KEY_ENV)
        )
    return input(_("Recovery key") + ": ")


def cmd_recover(args: argparse.Namespace) -> int:
    paths = paths_of(args)
    typed = _typed_recovery_key()
    password = new_password(_("The new administrator's password"), env=NEW_PASSWORD_ENV)
    result = recover(paths, typed, args.new_admin, password, store=SecretStore())
    print(recovered_message(result))
    return 0


def print_recovery_key(recovery_key: str) -> None:
    """The key alone on its own line (scripts read it), after one line of explanation."""
    print(_("Recovery key (shown once; print it and keep it in the mission's safe):"))
    print(recovery_key)


def cmd_recovery_rotate(args: argparse.Namespace) -> int:
    if args.sheet:
        check_sheet_place(args.sheet)
    lang = current_language()
    with workspace(args) as ws:
        service = RecoveryService(ws, SecretStore())
        had_one = service.has_recovery_key()  # none after a rotation killed half-way
        recovery_key = service.rotate()
        facts = sheet_facts(ws, lang)
    # The key first: the old one opens nothing now, so a sheet that fails must not hide it.
    if had_one:
        print(_("The recovery key was replaced; the old one opens nothing."))
    else:
        print(_("A recovery key was made: the mission had none."))
    print_recovery_key(recovery_key)
    if args.sheet:
        write_recovery_sheet(args.sheet, recovery_key, facts, lang)
    return 0


def cmd_escrow_recipient(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        print(ensure_escrow_identity(ws))
    return 0


def cmd_escrow_issue(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        mission_code, code = issue_code(ws, args.key_file)
    print(
        _("One-time recovery code for {code} (read it to the mission's administrator):").format(
            code=mission_code
        )
    )
    print(code)
    return 0


def cmd_escrow_policy(args: argparse.Namespace) -> int:
    if args.out.exists():
        raise UsageError(
            _("{path} already exists; choose another file name.").format(path=args.out)
        )
    with workspace(args) as ws:
        signed = sign_policy(ws, args.mission_code.upper(), escrow=not args.off)
    with open_private(args.out, exclusive=True) as handle:
        handle.write(signed)
    print(_("Escrow policy written to {path}.").format(path=args.out))
    return 0


def cmd_escrow_apply(args: argparse.Namespace) -> int:
    signed = read_file_argument(
        args.file,
        UsageError,
        POLICY_MAX_BYTES,
        _("This is not an escrow policy signed by headquarters."),
    )
    with workspace(args) as ws:
        on = RecoveryService(ws, SecretStore()).apply_policy(signed)
    print(_("Escrow at headquarters is on.") if on else _("Escrow at headquarters is off."))
    return 0
