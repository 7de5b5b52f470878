"""Checks shared by the services: countries, currencies, texts, dates."""

from __future__ import annotations

from datetime import date

from app.domain.iso import country_codes, current_currencies
from app.errors import ConflictError, ValidationError
from app.i18n import _

MAX_TEXT = 200_000  # a description or note; a 200-page paste is refused, not truncated
MAX_NAME = 200


def country(value: str, field: str = "country") -> str:
    code = (value or "").strip().upper()
    if code not in country_codes():
        raise ValidationError(
            _("“{value}” is not a two-letter ISO country code, such as KR or TR.").format(
                value=value
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


def required_text(value: str, field: str, label: str, limit: int = MAX_NAME) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(_("{label} must not be empty.").format(label=label), field=field)
    return bounded_text(text, field, label, limit)


def bounded_text(value: str, field: str, label: str, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise ValidationError(
            _("{label} contains a character that cannot be stored.").format(label=label), field
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


def version(current: int, expected: int | None) -> None:
    """Optimistic locking: refuse to save over a change someone else made meanwhile."""
    if expected is not None and current != expected:
        raise ConflictError(
            _(
                "Someone else changed this record while you were editing it; reopen it and "
                "make your change again."
            )
        )
