"""contract review NUMBER --json FILE|-, contract report REVIEW_ID|NUMBER --lang L --out FILE."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.common import (
    add_actions,
    add_json_input,
    print_json,
    read_json_argument,
    warn,
    workspace,
)
from app.contracts import result_to_json
from app.domain import labels
from app.errors import ValidationError
from app.i18n import LANGUAGES, _
from app.os_errors import os_error_reason
from app.reports.export import replace_file
from app.services.contracts import ContractReviewService, level_label, risk_label

MAX_INPUT_BYTES = 1_000_000


def register(commands: Any) -> None:
    actions = add_actions(commands.add_parser("contract", help=_("review employment contracts")))

    review = actions.add_parser(
        "review", help=_("review a contract's terms for a case and save the contract review")
    )
    review.add_argument("number", help=_("the case number"))
    add_json_input(review, _("the contract's terms as a JSON file (- for standard input)"))
    review.add_argument(
        "--no-save", action="store_true", help=_("print the findings without saving them")
    )
    review.add_argument(
        "--text", action="store_true", help=_("print the findings as text instead of JSON")
    )
    review.set_defaults(handler=cmd_review)

    report = actions.add_parser("report", help=_("write a saved contract review as PDF"))
    report.add_argument(
        "review_id",
        help=_("the contract review's id (contract review prints it), or a case number"),
    )
    report.add_argument(
        "--lang",
        dest="report_lang",
        required=True,
        choices=LANGUAGES,
        help=_("the report's language"),
    )
    report.add_argument("--out", required=True, type=Path, help=_("where to write the PDF"))
    report.set_defaults(handler=cmd_report)


def cmd_review(args: argparse.Namespace) -> int:
    data = read_json_argument(
        args.json_file, MAX_INPUT_BYTES, _("The contract terms are too large (at most 1 MB).")
    )
    with workspace(args) as ws:
        service = ContractReviewService(ws)
        if args.no_save:
            subject = service.subject_for_case(service.case_id_for_number(args.number))
            _terms, result = service.preview(data, subject.host_country)
            output: dict[str, object] = {**result_to_json(result), "id": None, "saved": False}
        else:
            info = service.save(data, case_id=service.case_id_for_number(args.number))
            output = {**info.to_json(), "saved": True}
            result = info.result
    if args.text:
        print(_("Risk: {risk}").format(risk=risk_label(result.risk)))
        for finding in result.findings:
            judged = labels.review_rule(finding.rule)
            print(f"[{level_label(finding.level)}] {judged}: {finding.reason}")
        if output.get("id"):
            print(_("Contract review saved: {id}.").format(id=output["id"]))
    else:
        print_json(output)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        service = ContractReviewService(ws)
        pdf = service.report_pdf(service.review_id_for(args.review_id), args.report_lang)
    try:
        replace_file(args.out, pdf)
    except OSError as exc:
        raise ValidationError(
            _("{path} cannot be written: {error}").format(path=args.out, error=os_error_reason(exc))
        ) from None
    print(_("Wrote {path}.").format(path=args.out))
    warn(pdf.warning())
    return 0
