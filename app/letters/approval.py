"""What a consul's approval of a letter covers, and how issue finds it unchanged.

An approval records a digest of the letter's content (less its number and date); issue
recomputes it and sends the letter back to draft if the letter would now say something else.

The QR code's digest (``app.letters.qr``) covers every field of the context, so a release that
adds a field to the context changes it for every letter, though no letter reads differently.
An approval must not vanish for that: the approval digest leaves out every field still at its
default (rule 2), so a field added later changes it only for letters that use the field.

Approvals recorded by earlier releases (rule 1: the QR code's digest) are checked as those
releases computed them: the context less the fields added since, as long as each of those is
at its default here (the letter then prints what it printed when approved).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any

from app.letters.context import LetterContext
from app.letters.qr import DIGEST_FORMAT, canonical

APPROVAL_RULE = 2
APPROVAL_FORMAT = "qorgau-letter-approval/2"

# Fields added to the letter context since approvals first recorded a digest, newest first
# (class name, field name): a rule-1 approval was computed without the ones added after it.
# A field added to the context from now on needs no entry: rule 2 leaves it out at its default.
ADDED_SINCE_RULE_1: tuple[tuple[str, str], ...] = (
    ("Addressee", "surname"),
    ("LetterContext", "absent"),
    ("Citation", "in_force_since"),
    ("Citation", "later"),
)

_Omit = Callable[[Any, dataclasses.Field[Any]], bool]


def _at_default(value: Any, spec: dataclasses.Field[Any]) -> bool:
    if spec.default is not dataclasses.MISSING:
        return bool(getattr(value, spec.name) == spec.default)
    if spec.default_factory is not dataclasses.MISSING:
        return bool(getattr(value, spec.name) == spec.default_factory())
    return False


def _digest(context: LetterContext, fmt: str, omit: _Omit) -> str:
    fields = {
        spec.name: canonical(getattr(context, spec.name), omit)
        for spec in dataclasses.fields(context)
        if spec.name != "letter_hash_for_qr" and not omit(context, spec)
    }
    document = {"format": fmt, "context": fields}
    encoded = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def approval_digest(context: LetterContext) -> str:
    """The digest an approval records now (rule 2): fields at their default left out."""
    return _digest(context, APPROVAL_FORMAT, _at_default)


def rule_1_digests(context: LetterContext) -> Iterator[str]:
    """The digests releases before rule 2 would have recorded for this content: with every
    field, then less each field added since, newest first, while those left out are at their
    default (one that is not makes the letter read otherwise than any such release printed)."""
    dropped: set[tuple[str, str]] = set()

    def omit(value: Any, spec: dataclasses.Field[Any]) -> bool:
        return (type(value).__name__, spec.name) in dropped

    yield _digest(context, DIGEST_FORMAT, omit)
    for added in ADDED_SINCE_RULE_1:
        dropped.add(added)
        if not _all_at_default(context, dropped):
            return
        yield _digest(context, DIGEST_FORMAT, omit)


def _all_at_default(value: Any, fields: set[tuple[str, str]]) -> bool:
    """Whether every one of ``fields`` (class name, field name) is at its default in
    ``value`` and in every dataclass inside it."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for spec in dataclasses.fields(value):
            if (type(value).__name__, spec.name) in fields and not _at_default(value, spec):
                return False
            if not _all_at_default(getattr(value, spec.name), fields):
                return False
        return True
    if isinstance(value, dict):
        return all(_all_at_default(item, fields) for item in value.values())
    if isinstance(value, list | tuple):
        return all(_all_at_default(item, fields) for item in value)
    return True


def matches_approval(context: LetterContext, details: dict[str, Any]) -> bool:
    """Whether ``context`` (number and date cleared) says what the approval in ``details``
    (the ``letter.approve`` audit entry) covered."""
    recorded = details.get("content_digest")
    if details.get("digest_rule") == APPROVAL_RULE:
        return bool(approval_digest(context) == recorded)
    return any(digest == recorded for digest in rule_1_digests(context))
