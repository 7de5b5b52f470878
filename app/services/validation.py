"""Checks shared by the services: countries, currencies, texts, dates."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AuditEntry
from app.domain.iso import country_codes, current_currencies
from app.domain.text import clean_text, direction_control, quoted
from app.errors import ConflictError, ValidationError
from app.i18n import LANGUAGES, N_, _, format_date, lazy

MAX_TEXT = 200_000  # a description or note; a 200-page paste is refused, not truncated
MAX_NAME = 200
# A number as people write it: digits, spaces and + ( ) - . (a plus only first). At most 15
# digits make a number (ITU-T E.164, 6.1: https://www.itu.int/rec/T-REC-E.164-201011-I/en),
# and "00", the international prefix dialled before it, two more.
_PHONE = re.compile(r"\+?[0-9 ().-]*")
PHONE_DIGITS = (3, 17)
_WHITESPACE = re.compile(r"\s+")


def country(value: str, field: str = "country") -> str:
    code = (value or "").strip().upper()
    if code not in country_codes():
        raise ValidationError(
            lazy(
                N_("“{value}” is not a two-letter ISO country code, such as KR or TR."), value=value
            ),
            field=field,
        )
    return code


def currency(value: str, field: str = "currency") -> str:
    code = (value or "").strip().upper()
    if code not in current_currencies():
        raise ValidationError(
            _("“{value}” is not an ISO currency code, such as USD or KRW.").format(value=value),
            field=field,
        )
    return code


def language(lang: str, field: str | None = "lang") -> str:
    """One of the languages Qorgau writes in."""
    if lang not in LANGUAGES:
        raise ValidationError(
            _("Unknown language {lang}; use one of: {langs}.").format(
                lang=lang, langs=", ".join(LANGUAGES)
            ),
            field=field,
        )
    return lang


def required_text(value: str, field: str, label: str, limit: int = MAX_NAME) -> str:
    # Checked once cleaned: a zero-width space alone is no name.
    return _not_empty(bounded_text(value, field, label, limit), field, label)


def _not_empty(text: str, field: str, label: str) -> str:
    if not text:
        raise ValidationError(_("{label} must not be empty.").format(label=label), field=field)
    return text


def name_text(value: str, field: str, label: str, limit: int = MAX_NAME) -> str:
    """A name (a person's, an employer's or agency's) as ``bounded_text`` checks it, on one
    line: a line break or tab, which a name pasted from a two-line cell or a PDF brings, is the
    space a reader sees there. Folded rather than refused: the officer could not see it to
    delete it, and a name on two lines broke the list, the letters and a CSV export's row."""
    return _WHITESPACE.sub(" ", bounded_text(value, field, label, limit))


def required_name(value: str, field: str, label: str, limit: int = MAX_NAME) -> str:
    return _not_empty(name_text(value, field, label, limit), field, label)


def phone(value: str, field: str, label: str) -> str:
    """A phone number: digits, spaces and + ( ) - ., with 3 to 17 digits (``PHONE_DIGITS``);
    "" when empty. Anything else ("WhatsApp only", two numbers, a name in the wrong column)
    is refused with the field named: no one could dial it, and a letter would print it."""
    text = name_text(value, field, label, 60)
    digits = sum(c.isdigit() for c in text)
    low, high = PHONE_DIGITS
    if text and (_PHONE.fullmatch(text) is None or not low <= digits <= high):
        raise ValidationError(
            _(
                "{label}: “{value}” is not a phone number: {low} to {high} digits, with only "
                "spaces and + ( ) - . between them."
            ).format(label=label, value=quoted(text), low=low, high=high),
            field=field,
        )
    return text


def bounded_text(value: str, field: str, label: str, limit: int = MAX_TEXT) -> str:
    """``value`` trimmed, cleaned (``clean_text``: no control or invisible character, NFC), at
    most ``limit`` long. A direction control is refused, not dropped: the field showed the text
    reordered by it, and without it the text stored would not be the text the officer saw."""
    text = clean_text((value or "").strip()).strip()
    char = direction_control(text)
    if char is not None:
        raise ValidationError(
            _(
                "{label} holds an invisible character ({char}) that reverses the text: what is "
                "shown is not what is written. Type it again rather than paste it."
            ).format(label=label, char=f"U+{ord(char):04X}"),
            field=field,
        )
    if len(text) > limit:
        raise ValidationError(
            _("{label} is too long: {n} characters, at most {limit}.").format(
                label=label, n=len(text), limit=limit
            ),
            field=field,
        )
    return text


def not_future(value: date | None, field: str, label: str, today: date | None = None) -> None:
    if value is not None and value > (today or date.today()):
        raise ValidationError(
            _("{label} cannot be in the future.").format(label=label), field=field
        )


# The first day a case can have been received: the Republic's independence, and with it its
# citizenship and missions (Constitutional Law «On the State Independence of the Republic of
# Kazakhstan» of 16 December 1991, No. 1007-XII; Adilet Z910004400_). An earlier date is a
# mistyped year (1924 for 2024), which made a case decades old: overdue, counted in no period
# anyone reads, anonymised by the retention policy at the next sign-in if closed.
FIRST_RECEIVED = date(1991, 12, 16)


def received_plausible(received: date, birth: date | None) -> None:
    if received < FIRST_RECEIVED:
        raise ValidationError(
            _(
                "The date received ({date}) is before the Republic's independence: check the year."
            ).format(date=format_date(received)),
            field="received_at",
        )
    if birth is not None and received < birth:
        raise ValidationError(
            _(
                "The date received ({date}) is before the worker's date of birth: check the year."
            ).format(date=format_date(received)),
            field="received_at",
        )


def due_after_receipt(due: date | None, received: date) -> None:
    """A follow-up date before the case came in (a mistyped year) made it overdue and
    escalated the moment it was saved."""
    if due is not None and due < received:
        message = _("The follow-up date cannot be before the date the case was received ({date}).")
        raise ValidationError(message.format(date=format_date(received)), field="due_date")


def version(current: int, expected: int | None, changed_by: str | None = None) -> None:
    """Optimistic locking: refuse to save over a change someone else made meanwhile."""
    if expected is None or current == expected:
        return
    # Lazy: the refusal stays on the form and follows a language switch.
    if changed_by:
        raise ConflictError(
            lazy(
                N_(
                    "{user} changed this record while you were editing it; reopen it and make "
                    "your change again."
                ),
                user=changed_by,
            )
        )
    raise ConflictError(
        lazy(
            N_(
                "Someone else changed this record while you were editing it; reopen it and "
                "make your change again."
            )
        )
    )


def record_version(session: Session, row: Any, expected: int | None) -> None:
    """``version`` for a row about to be saved in a write session.

    The row is read again locked (``FOR UPDATE``; a no-op under SQLCipher's write lock): on a
    server, a save running at the same moment is waited for and then seen, never overwritten.
    On a conflict the message names who last recorded a change to it, from the audit log.
    """
    if expected is None:
        return
    session.refresh(row, with_for_update=True)
    if row.version == expected:
        return
    version(row.version, expected, last_actor(session, row))


def last_actor(session: Session, row: Any) -> str | None:
    """Who last recorded a change to ``row``, from the audit log: its entries name a record by
    its id, or by what users know it by (a case's number, an instrument's slug)."""
    names = [str(row.id)] + [
        str(value) for key in ("number", "slug") if (value := getattr(row, key, None))
    ]
    actor: str | None = session.execute(
        select(AuditEntry.actor)
        .where(AuditEntry.entity_id.in_(names))
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).scalar_one_or_none()
    return actor
