"""Amounts claimed for a worker on a case: how much, in which currency, what for, when.

Stored on the case as JSON (``Case.claims``), entered in the case editor or the case JSON,
and written out by letters in their language (app.letters.phrases).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from app.domain.iso import check_minor_units
from app.errors import ValidationError
from app.i18n import _

# What an amount is claimed for (stable codes; labels per language in app.letters.phrases).
CLAIM_KINDS: tuple[str, ...] = (
    "wages",
    "overtime",
    "severance",
    "deductions",
    "recruitment_fee",
    "compensation",
)
MAX_CLAIMS = 20


@dataclass(frozen=True)
class Claim:
    """An amount claimed for the worker: what for, over which period."""

    amount: Decimal
    currency: str  # ISO 4217
    what: str  # one of CLAIM_KINDS
    period_from: date | None = None
    period_to: date | None = None

    def as_json(self) -> dict[str, str]:
        data = {"amount": str(self.amount), "currency": self.currency, "what": self.what}
        if self.period_from:
            data["period_from"] = self.period_from.isoformat()
        if self.period_to:
            data["period_to"] = self.period_to.isoformat()
        return data


def parse_claims(data: Any) -> list[Claim]:
    """Claims as stored on a case (see ``Case.claims``); bad entries are a ValidationError."""
    if data is not None and not isinstance(data, list | tuple):
        raise ValidationError(_("The amounts claimed must be a list."), "claims")
    if len(data or ()) > MAX_CLAIMS:
        raise ValidationError(
            _("At most {n} amounts claimed can be recorded.").format(n=MAX_CLAIMS), "claims"
        )
    claims: list[Claim] = []
    for index, item in enumerate(data or []):
        name = f"claims[{index}]"
        if not isinstance(item, dict):
            raise ValidationError(_("Each amount claimed must be an object."), name)
        try:
            amount = Decimal(str(item.get("amount", "")))
        except (InvalidOperation, ValueError) as exc:
            raise ValidationError(_("An amount claimed must be a number."), name) from exc
        if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e12"):
            raise ValidationError(_("An amount claimed must be a positive number."), name)
        currency = str(item.get("currency", "")).upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise ValidationError(_("A currency is a three-letter ISO 4217 code."), name)
        what = str(item.get("what", ""))
        if what not in CLAIM_KINDS:
            raise ValidationError(
                _("Unknown kind of amount claimed: {what}.").format(what=what), name
            )
        start, end = (
            _claim_date(item.get("period_from"), name),
            _claim_date(item.get("period_to"), name),
        )
        if start and end and start > end:
            raise ValidationError(_("A claim's period ends before it starts."), name)
        claims.append(Claim(amount, currency, what, start, end))
    return claims


def _claim_date(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError(_("A claim's dates are written YYYY-MM-DD."), name) from exc


def claims_json(data: Any) -> list[dict[str, str]]:
    """The stored form of checked claims (what ``Case.claims`` holds); an amount finer than
    its currency's minor unit is refused here, at entry, not when reading what is stored."""
    claims = parse_claims(data)
    for index, claim in enumerate(claims):
        check_minor_units(claim.amount, claim.currency, f"claims[{index}]")
    return [claim.as_json() for claim in claims]
