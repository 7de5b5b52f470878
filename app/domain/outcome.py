"""What the mission achieved for the worker: documents returned, repatriation, wages recovered.

The flags and the amount are columns of the case (the statistics count them); the days they
happened are kept in the case's ``outcome`` JSON, which every bundle already carries:
``{"documents_returned_on": "2026-11-30", "repatriated_on": "2026-12-02"}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from app.errors import ValidationError
from app.i18n import _, format_amount, format_date

DOCUMENTS_RETURNED_ON = "documents_returned_on"
REPATRIATED_ON = "repatriated_on"
# A recovery this many times what was claimed in its currency is asked about first: an extra
# zero typed by mistake would otherwise swell every report of wages recovered.
LARGE_RECOVERY_FACTOR = 10
MAX_AMOUNT = Decimal("1e12")  # the claims' bound (app.domain.claims)


class LargeRecoveryWarning(ValidationError):
    """The amount recovered is far above what was claimed; saved only once confirmed."""

    def __init__(self, amount: Decimal, owed: Decimal, currency: str) -> None:
        super().__init__(
            _(
                "{amount} recovered is more than {factor} times the {owed} claimed. "
                "Check the amount, or confirm it."
            ).format(
                amount=format_amount(amount, currency),
                owed=format_amount(owed, currency),
                factor=LARGE_RECOVERY_FACTOR,
            ),
            "wages_recovered_amount",
        )


def outcome_date(outcome: Mapping[str, Any], key: str) -> date | None:
    """A day stored in the case's ``outcome`` JSON; None when absent or not a date."""
    value = outcome.get(key)
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def check_outcome_date(day: date | None, received: date, today: date, field: str) -> None:
    """Not in the future, and not before the complaint came in."""
    if day is None:
        return
    if day > today:
        raise ValidationError(_("The date cannot be in the future."), field)
    if day < received:
        raise ValidationError(
            _("The date cannot be before the case was received ({date}).").format(
                date=format_date(received)
            ),
            field,
        )


def owed_in(claims: Iterable[Mapping[str, Any]], currency: str) -> Decimal:
    """What the case's claims add up to in ``currency``."""
    total = Decimal(0)
    for claim in claims:
        if claim.get("currency") == currency:
            total += Decimal(str(claim.get("amount", "0")))
    return total


def check_recovery(
    amount: Decimal,
    currency: str,
    claims: Iterable[Mapping[str, Any]],
    confirmed: bool,
) -> None:
    """No negative amount; one far above the claims in its currency only when confirmed."""
    if not amount.is_finite() or amount < 0:
        raise ValidationError(_("An amount cannot be negative."), "wages_recovered_amount")
    if amount >= MAX_AMOUNT:
        raise ValidationError(_("The amount is too large."), "wages_recovered_amount")
    owed = owed_in(claims, currency)
    if not confirmed and owed > 0 and amount > owed * LARGE_RECOVERY_FACTOR:
        raise LargeRecoveryWarning(amount, owed, currency)
