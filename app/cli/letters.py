"""letter kinds|render|draft|approve|issue|list|pdf|verify|reply: the outgoing-letter register."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from app.cli.common import (
    add_actions,
    day_argument,
    json_help,
    pdf_out_argument,
    print_json,
    print_table,
    warn,
    workspace,
)
from app.domain import labels
from app.domain.codes import LetterKind, label
from app.errors import IntegrityError, ValidationError
from app.i18n import LANGUAGES, _, format_date
from app.letters import LETTER_KINDS, Addressee
from app.os_errors import os_error_reason
from app.reports.export import replace_file
from app.services import settings as domain_settings
from app.services.cases import CaseService, read_attachment
from app.services.letters import (
    APPROVERS,
    LETTER_STATUSES,
    LetterFields,
    LetterFilter,
    LetterInfo,
    LetterService,
    VerifyResult,
    kinds,
)

T = TypeVar("T")


def register(commands: Any) -> None:
    actions = add_actions(
        commands.add_parser("letter", help=_("official letters and the outgoing register"))
    )

    listing = actions.add_parser("kinds", help=_("list the letter kinds"))
    listing.add_argument("--json", action="store_true", help=json_help())
    listing.set_defaults(handler=cmd_kinds)

    render = actions.add_parser(
        "render",
        help=_("render a draft of a letter for a case, without registering it"),
        description=_(
            "Renders the letter for the case NUMBER as a draft: watermarked, without an outgoing "
            "number or check code, and not entered in the register. Use draft, approve and "
            "issue to register a letter."
        ),
    )
    render.add_argument("number", help=_("the case number"))
    _letter_options(render)
    render.add_argument(
        "--out",
        required=True,
        type=pdf_out_argument,
        metavar="FILE.pdf",
        help=_("where to write the PDF"),
    )
    render.set_defaults(handler=cmd_render)

    draft = actions.add_parser("draft", help=_("draft a letter for a case; prints its id"))
    draft.add_argument("number", help=_("the case number"))
    _letter_options(draft)
    draft.set_defaults(handler=cmd_draft)

    approve = actions.add_parser("approve", help=_("approve drafted letters (consul)"))
    approve.add_argument("ids", nargs="+", metavar="ID")
    approve.set_defaults(handler=cmd_approve)

    issue = actions.add_parser(
        "issue", help=_("number and register approved letters; prints their numbers")
    )
    issue.add_argument("ids", nargs="+", metavar="ID")
    issue.set_defaults(handler=cmd_issue)

    register_list = actions.add_parser("list", help=_("list the register"))
    register_list.add_argument(
        "--kind", choices=LETTER_KINDS, help=_("only the letters of this kind")
    )
    register_list.add_argument(
        "--status", choices=LETTER_STATUSES, help=_("only the letters in this status")
    )
    register_list.add_argument("--year", type=int, help=_("only the letters of this year"))
    register_list.add_argument("--case", metavar="NUMBER", help=_("only the letters of this case"))
    register_list.add_argument(
        "--unanswered",
        action="store_true",
        help=_("only the letters still awaiting a reply past the mission's wait (Settings)"),
    )
    register_list.add_argument("--json", action="store_true", help=json_help())
    register_list.set_defaults(handler=cmd_list)

    pdf = actions.add_parser("pdf", help=_("write an issued letter's registered PDF"))
    pdf.add_argument("number", help=_("the outgoing number, e.g. SEL-2026/0042"))
    pdf.add_argument(
        "--out",
        required=True,
        type=pdf_out_argument,
        metavar="FILE.pdf",
        help=_("where to write the PDF"),
    )
    pdf.set_defaults(handler=cmd_pdf)

    verify = actions.add_parser(
        "verify",
        help=_(
            "check that a PDF file is an unchanged letter of the register, or that a printed "
            "letter's code is one of its letters"
        ),
    )
    checked = verify.add_mutually_exclusive_group(required=True)
    checked.add_argument("file", type=Path, nargs="?", help=_("the letter's PDF file"))
    checked.add_argument(
        "--code",
        metavar="TEXT",
        help=_("the text of the code printed on the letter's first page, as a scanner reads it"),
    )
    verify.add_argument("--json", action="store_true", help=json_help())
    verify.set_defaults(handler=cmd_verify)

    reply = actions.add_parser(
        "reply", help=_("record the reply to an issued letter on its case's timeline")
    )
    reply.add_argument("number", help=_("the outgoing number, e.g. SEL-2026/0042"))
    reply.add_argument(
        "--received",
        type=day_argument,
        default=None,
        metavar="YYYY-MM-DD",
        help=_("when the reply came (default: today)"),
    )
    reply.add_argument(
        "--from", dest="sender", required=True, metavar="TEXT", help=_("who answered")
    )
    reply.add_argument(
        "--summary", required=True, metavar="TEXT", help=_("what the reply says, briefly")
    )
    reply.add_argument(
        "--file", type=Path, metavar="FILE", help=_("the reply's scan, stored on the case")
    )
    reply.set_defaults(handler=cmd_reply)


def _letter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kind",
        required=True,
        choices=LETTER_KINDS,
        help=_("the kind of letter ('qorgau letter kinds' lists them)"),
    )
    parser.add_argument(
        "--lang",
        required=True,
        choices=LANGUAGES,
        dest="letter_lang",
        help=_("the letter's language"),
    )
    parser.add_argument(
        "--subject", default="", help=_("the subject line, if not the one made from the case")
    )
    parser.add_argument("--text", default="", help=_("the officer's own paragraphs"))
    parser.add_argument("--to", default=None, help=_("the organisation the letter goes to"))
    parser.add_argument("--to-name", default="", help=_("the person the letter goes to"))
    parser.add_argument(
        "--to-sex",
        choices=("female", "male"),
        default="",
        help=_(
            "the sex of the person named by --to-name, for the salutation (“Dear Ms …”, "
            "“Dear Mr …”); without it the letter greets the person by name, without Mr or Ms "
            "(a Russian letter: «Уважаемые господа!»)"
        ),
    )
    parser.add_argument(
        "--to-surname",
        default="",
        help=_(
            "the surname alone of the person named by --to-name, for the salutation (“Dear "
            "Mr …”); without it the salutation names the person in full, without Mr or Ms"
        ),
    )
    parser.add_argument(
        "--to-address", default="", help=_("the addressee's address, if not the one on file")
    )
    parser.add_argument("--incoming-number", default="", help=_("the number of their letter"))
    parser.add_argument(
        "--incoming-date", default="", metavar="YYYY-MM-DD", help=_("the date of their letter")
    )
    parser.add_argument("--enclosure", action="append", default=[], help=_("may repeat"))


def _addressee_options(args: argparse.Namespace) -> bool:
    """Whether the options change part of the addressee (without naming the organisation)."""
    return bool(args.to_name or args.to_sex or args.to_address or args.to_surname)


def _fields(args: argparse.Namespace, default: Addressee | None = None) -> LetterFields:
    """The letter's fields from the options; ``--to-name``, ``--to-sex`` and ``--to-address``
    without ``--to`` change the ``default`` addressee (the partner of a referral, the employer),
    which they were silently dropped from."""
    addressee = None
    if args.to is not None:
        addressee = Addressee(
            args.to_name, args.to, args.to_address, sex=args.to_sex, surname=args.to_surname
        )
    elif default is not None and _addressee_options(args):
        addressee = dataclasses.replace(
            default,
            name=args.to_name or default.name,
            address=args.to_address or default.address,
            sex=args.to_sex or default.sex,
            surname=args.to_surname or default.surname,
        )
    incoming = None
    if args.incoming_number or args.incoming_date:
        try:
            when = date.fromisoformat(args.incoming_date)
        except ValueError:
            raise ValidationError(
                _("Give the date of their letter as YYYY-MM-DD."), "incoming_date"
            ) from None
        incoming = (args.incoming_number, when)
    return LetterFields(
        addressee=addressee,
        subject=args.subject,
        free_text=args.text,
        incoming_ref=incoming,
        attachments=tuple(args.enclosure),
    )


def cmd_kinds(args: argparse.Namespace) -> int:
    found = kinds()
    if args.json:
        print_json([{"code": k.code, "label": k.label, "names": k.names} for k in found])
    else:
        print_table([_("Code"), _("Kind")], [[k.code, k.label] for k in found])
    return 0


def _letter_for_case(
    args: argparse.Namespace, make: Callable[[LetterService, str, str, str, LetterFields], T]
) -> T:
    """``make`` (``LetterService.preview_for_case`` or ``.draft``) for the numbered case, with
    the kind, language and fields the options give."""
    fields = _fields(args)  # bad options are refused before the password is asked
    with workspace(args) as ws:
        case = CaseService(ws).get_by_number(args.number)
        letters = LetterService(ws)
        if args.to is None and _addressee_options(args):
            default = letters.defaults(case.id, args.kind, args.letter_lang).addressee
            fields = _fields(args, default)
        return make(letters, case.id, args.kind, args.letter_lang, fields)


def cmd_render(args: argparse.Namespace) -> int:
    pdf, warnings = _letter_for_case(args, _preview_and_checks)
    _write(args.out, pdf)
    print(_("Draft written to {path}.").format(path=args.out))
    # What the desktop's Approve would show of this letter: a draft sent on from here was
    # otherwise never checked (the exit status stays 0: nothing here blocks approval either).
    for warning in warnings:
        warn(warning)
    return 0


def _preview_and_checks(
    service: LetterService, case_id: str, kind: str, lang: str, fields: LetterFields
) -> tuple[bytes, list[str]]:
    return (
        service.preview_for_case(case_id, kind, lang, fields),
        service.checks_for_case(case_id, kind, lang, fields),
    )


def cmd_draft(args: argparse.Namespace) -> int:
    # Refused now, not only when the consul approves it (nothing is written).
    draft = _letter_for_case(
        args,
        lambda service, case_id, kind, lang, fields: service.draft(
            case_id, kind, lang, fields, addressed=True
        ),
    )
    print(draft.id)
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        service = LetterService(ws)
        ws.require_role(*APPROVERS)
        for letter_id in args.ids:
            # What the app shows the approver before signing goes to stderr here.
            for warning in service.warnings(letter_id):
                print(_("Warning: {text}").format(text=warning), file=sys.stderr)
            service.approve(letter_id)
    return 0


def cmd_issue(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        service = LetterService(ws)
        for letter_id in args.ids:
            print(service.issue(letter_id).outgoing_number, flush=True)
    return 0


def _row_json(info: LetterInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "number": info.outgoing_number,
        "date": info.letter_date.isoformat() if info.letter_date else None,
        "status": info.status,
        "kind": info.kind,
        "lang": info.lang,
        "case": info.case_number,
        "subject": info.subject,
        "addressee": info.addressee.organisation,
        "sha256": info.pdf_sha256,
        "content_digest": info.content_digest,
        "drafted_by": info.drafted_by,
        "approved_by": info.approved_by,
        "issued_by": info.issued_by,
        "reply": (
            {
                "received_on": info.reply.received_on.isoformat(),
                "from": info.reply.sender,
                "summary": info.reply.summary,
                "attachment_id": info.reply.attachment_id,
            }
            if info.reply
            else None
        ),
    }


def cmd_list(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        wait = domain_settings.reply_wait_days(ws) if args.unanswered else None
        flt = LetterFilter(
            kind=args.kind,
            status=args.status,
            year=args.year,
            case_number=args.case,
            unanswered_for=wait,
        )
        rows = LetterService(ws).list_letters(flt)
    if args.json:
        print_json([_row_json(r) for r in rows])
        return 0
    print_table(
        [_("Number"), _("Date"), _("Status"), _("Case"), _("Kind"), _("Addressee")],
        [
            [
                r.outgoing_number or "—",
                format_date(r.letter_date) if r.letter_date else "",
                labels.letter_status(r.status),
                r.case_number,
                label(LetterKind(r.kind)),
                r.addressee_text,
            ]
            for r in rows
        ],
    )
    return 0


def cmd_reply(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        service = LetterService(ws)
        letter = service.get_by_number(args.number)
        scan = (args.file.name, read_attachment(args.file)) if args.file else None
        service.record_reply(
            letter.id, args.received or service.today, args.sender, args.summary, scan
        )
    return 0


def cmd_pdf(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        service = LetterService(ws)
        letter_id = service.get_by_number(args.number).id
        _write(args.out, service.pdf(letter_id))
        service.record_copy(letter_id)  # a copy outside the encrypted database now exists
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        letters = LetterService(ws)
        result = letters.verify_code(args.code) if args.code else letters.verify_file(args.file)
    if args.json:
        print_json(_verify_json(result))
        return 0 if result.matched else 1
    if not result.matched:
        raise IntegrityError(result.message)
    print(result.message)
    return 0


def _verify_json(result: VerifyResult) -> dict[str, Any]:
    letter = result.letter
    return {
        "matched": result.matched,
        "sha256": result.sha256,
        "message": result.message,
        "number": letter.outgoing_number if letter else None,
        "date": letter.letter_date.isoformat() if letter and letter.letter_date else None,
        "case": letter.case_number if letter else None,
        "kind": letter.kind if letter else None,
    }


def _write(path: Path, content: bytes) -> None:
    try:
        replace_file(path, content)  # a full disk leaves no half PDF, nor a lost old copy
    except OSError as exc:
        raise ValidationError(
            _("{path} cannot be written: {error}").format(path=path, error=os_error_reason(exc))
        ) from None
