"""The terms of a labour emigrant's employment contract, and their parser.

Terms arrive as JSON (``qorgau contract review --json``) or from the contract form. Every field
is optional, because an attaché often has only part of a contract; what is given must be right,
and a key we do not know is an error rather than something silently dropped.
"""

from __future__ import annotations

import math
from calendar import monthrange
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation

from app.domain.iso import UNKNOWN_COUNTRY, country_codes, current_currencies, language_codes
from app.domain.occupations import language_of
from app.domain.text import quoted
from app.errors import ValidationError
from app.i18n import N_, _, format_number

WAGE_PERIODS: tuple[str, ...] = ("hour", "day", "week", "month", "year")
RETURN_TICKET_PAYERS: tuple[str, ...] = ("employer", "worker", "none")
PASSPORT_HOLDERS: tuple[str, ...] = ("worker", "employer", "agency")

HOURS_IN_WEEK = 168
# Above this a stated week is a typing error or a description of abuse, not contract terms.
MAX_PLAUSIBLE_HOURS = 120
MAX_TEXT_LENGTH = 300
MAX_TERM_MONTHS = 240
MAX_LEAVE_DAYS = 366
# No wage or fee comes near this; a larger figure is a typing error (and would overflow tables).
MAX_AMOUNT = Decimal("1e12")


@dataclass(frozen=True)
class ContractTerms:
    employer_name: str | None = None
    host_country: str | None = None
    position: str | None = None
    workplace: str | None = None
    wage_amount: Decimal | None = None
    wage_currency: str | None = None
    wage_period: str | None = None
    hours_per_week: Decimal | None = None
    overtime_paid: bool | None = None
    rest_days_per_week: int | None = None
    paid_leave_days_per_year: int | None = None
    term_months: int | None = None
    probation_months: int | None = None
    housing_provided: bool | None = None
    meals_provided: bool | None = None
    insurance_provided: bool | None = None
    return_ticket_paid_by: str | None = None
    passport_held_by: str | None = None
    recruitment_fee_paid_by_worker: Decimal | None = None
    recruitment_fee_currency: str | None = None
    deductions_described: bool | None = None
    deductions_percent: Decimal | None = None
    contract_language: str | None = None
    contract_language_understood: bool | None = None
    termination_clause_present: bool | None = None
    dispute_clause_present: bool | None = None
    signed_copy_held: bool | None = None
    # The date the contract was signed: the review judges it by the figures valid then.
    signed_on: date | None = None


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(ContractTerms))


# --- value parsers: each takes (field, value) and raises ValidationError naming the field ---


def _text(field: str, value: object) -> str | None:
    if not isinstance(value, str):
        raise ValidationError(_("{field} must be text.").format(field=field), field=field)
    text = " ".join(value.split())
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationError(
            _("{field} is too long: at most {limit} characters.").format(
                field=field, limit=MAX_TEXT_LENGTH
            ),
            field=field,
        )
    return text or None


def _flag(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(_("{field} must be true or false.").format(field=field), field=field)
    return value


def _decimal(field: str, value: object) -> Decimal:
    """A number given as a JSON number or as a numeric string ("12000.50")."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValidationError(_("{field} must be a number.").format(field=field), field=field)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError(_("{field} must be a number.").format(field=field), field=field)
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValidationError(
            _("{field} must be a number.").format(field=field), field=field
        ) from None
    if not number.is_finite():
        raise ValidationError(_("{field} must be a number.").format(field=field), field=field)
    return number


def _amount(field: str, value: object) -> Decimal:
    number = _decimal(field, value)
    if number < 0:
        raise ValidationError(
            _("{field} cannot be negative ({value}).").format(
                field=field, value=format_number(number)
            ),
            field=field,
        )
    if number > MAX_AMOUNT:
        raise ValidationError(
            _("{field} is too large ({value}).").format(field=field, value=format_number(number)),
            field=field,
        )
    return number


def _whole(field: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ValidationError(
                _("{field} must be a whole number.").format(field=field), field=field
            )
    if not low <= value <= high:
        raise ValidationError(
            _("{field} must be between {low} and {high}, not {value}.").format(
                field=field, low=low, high=high, value=quoted(value)
            ),
            field=field,
        )
    return value


def _choice(choices: tuple[str, ...]) -> Callable[[str, object], str]:
    def parse(field: str, value: object) -> str:
        if not isinstance(value, str) or value.strip().lower() not in choices:
            raise ValidationError(
                _("{field} must be one of: {choices}.").format(
                    field=field, choices=", ".join(choices)
                ),
                field=field,
            )
        return value.strip().lower()

    return parse


def _code(
    known: Callable[[], frozenset[str]], upper: bool, unknown: str
) -> Callable[[str, object], str]:
    """A parser of an ISO code among ``known()``; ``unknown`` (marked with ``N_``) is the
    refusal, translated when given."""

    def parse(field: str, value: object) -> str:
        code = None
        if isinstance(value, str):
            code = value.strip().upper() if upper else value.strip().lower()
        if code not in known():
            raise ValidationError(_(unknown).format(field=field, value=quoted(value)), field=field)
        return code

    return parse


_currency = _code(
    current_currencies, True, N_("{field}: “{value}” is not a known ISO 4217 currency code.")
)
_country = _code(country_codes, True, UNKNOWN_COUNTRY)
_language_code = _code(
    language_codes,
    False,
    N_(
        "{field}: “{value}” names no language known here; write its name (Korean) or its "
        "two-letter code (ko)."
    ),
)


def _language(field: str, value: object) -> str:
    """A code, or a language's name in Kazakh, Russian or English («корейский», "Korean"):
    an officer types the language as they say it, and the review stores its code."""
    named = language_of(value) if isinstance(value, str) else None
    return _language_code(field, named or value)


def _hours(field: str, value: object) -> Decimal:
    hours = _amount(field, value)
    if hours == 0:
        raise ValidationError(
            _("{field} must be more than 0; leave it out if the contract does not say.").format(
                field=field
            ),
            field=field,
        )
    if hours > HOURS_IN_WEEK:
        raise ValidationError(
            _("{hours} hours a week is not possible: a week has only 168 hours.").format(
                hours=format_number(hours)
            ),
            field=field,
        )
    if hours > MAX_PLAUSIBLE_HOURS:
        raise ValidationError(
            _(
                "{hours} hours a week leaves no time for sleep; a contract review accepts "
                "at most {limit}. Record such treatment in the case description."
            ).format(hours=format_number(hours), limit=MAX_PLAUSIBLE_HOURS),
            field=field,
        )
    return hours


def _percent(field: str, value: object) -> Decimal:
    number = _amount(field, value)
    if number > 100:
        raise ValidationError(
            _("{field} is a percentage of the wage: at most 100, not {value}.").format(
                field=field, value=format_number(number)
            ),
            field=field,
        )
    return number


def _int_range(low: int, high: int) -> Callable[[str, object], int]:
    return lambda field, value: _whole(field, value, low, high)


_PARSERS: dict[str, Callable[[str, object], object]] = {
    "employer_name": _text,
    "host_country": _country,
    "position": _text,
    "workplace": _text,
    "wage_amount": _amount,
    "wage_currency": _currency,
    "wage_period": _choice(WAGE_PERIODS),
    "hours_per_week": _hours,
    "overtime_paid": _flag,
    "rest_days_per_week": _int_range(0, 7),
    "paid_leave_days_per_year": _int_range(0, MAX_LEAVE_DAYS),
    "term_months": _int_range(1, MAX_TERM_MONTHS),
    "probation_months": _int_range(0, MAX_TERM_MONTHS),
    "housing_provided": _flag,
    "meals_provided": _flag,
    "insurance_provided": _flag,
    "return_ticket_paid_by": _choice(RETURN_TICKET_PAYERS),
    "passport_held_by": _choice(PASSPORT_HOLDERS),
    "recruitment_fee_paid_by_worker": _amount,
    "recruitment_fee_currency": _currency,
    "deductions_described": _flag,
    "deductions_percent": _percent,
    "contract_language": _language,
    "contract_language_understood": _flag,
    "termination_clause_present": _flag,
    "dispute_clause_present": _flag,
    "signed_copy_held": _flag,
    "signed_on": lambda field, value: _contract_date(field, value),
}
assert set(_PARSERS) == set(FIELD_NAMES)  # a new field without a parser is a bug


def parse_terms(
    data: Mapping[str, object],
    host_country: str | None = None,
    names: Mapping[str, str] | None = None,
) -> ContractTerms:
    """Contract terms from JSON-like data; ``host_country`` is the case's, used when absent.

    Raises ValidationError (with ``field``, the code) on the first unknown key or bad value;
    its message names a field as ``names`` does (a form's labels), else by its code (the CLI).
    """

    def shown(field: str) -> str:
        return (names or {}).get(field, field)

    if not isinstance(data, Mapping):
        raise ValidationError(_("Contract terms must be a JSON object."))
    for key in data:
        if key not in _PARSERS:
            raise ValidationError(
                _("Unknown contract term “{key}”.").format(key=quoted(key)), field=str(key)
            )
    values: dict[str, object] = {}
    for name, parse in _PARSERS.items():
        raw = data.get(name)
        if raw is not None:
            try:
                values[name] = parse(shown(name), raw)
            except ValidationError as exc:  # worded with the name shown; the field is the code
                raise ValidationError(str(exc), field=name) from None
    _check_consistency(values, shown)
    if host_country is not None:
        case_country = _country("host_country", host_country)
        given = values.setdefault("host_country", case_country)
        if given != case_country:
            raise ValidationError(
                _("host_country {given} differs from the case's host country {case}.").format(
                    given=given, case=case_country
                ),
                field="host_country",
            )
    return ContractTerms(**values)  # type: ignore[arg-type]


def _check_consistency(values: Mapping[str, object], shown: Callable[[str], str]) -> None:
    """Rules between fields: a wage needs its currency and period; probation fits the term.
    ``shown`` names a field in a message."""
    if "wage_amount" in values:
        for needed in ("wage_currency", "wage_period"):
            if needed not in values:
                raise ValidationError(
                    _("{field} is required when {amount} is given.").format(
                        field=shown(needed), amount=shown("wage_amount")
                    ),
                    field=needed,
                )
    probation, term = values.get("probation_months"), values.get("term_months")
    if isinstance(probation, int) and isinstance(term, int) and probation > term:
        raise ValidationError(
            _(
                "{field} ({probation}) cannot be longer than the contract term ({term} months)."
            ).format(field=shown("probation_months"), probation=probation, term=term),
            field="probation_months",
        )
    fee = values.get("recruitment_fee_paid_by_worker")
    if isinstance(fee, Decimal) and fee > 0 and "recruitment_fee_currency" not in values:
        raise ValidationError(
            _("{field} is required when a recruitment fee is given.").format(
                field=shown("recruitment_fee_currency")
            ),
            field="recruitment_fee_currency",
        )


def _contract_date(field: str, value: object) -> date:
    try:
        day = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None or not date(1990, 1, 1) <= day <= date(2100, 12, 31):
        raise ValidationError(
            _("The contract date must be a date written as YYYY-MM-DD."), field=field
        )
    return day


def terms_to_dict(terms: ContractTerms) -> dict[str, object]:
    """JSON-ready terms: every field, decimals as exact strings; parse_terms reads it back."""
    result: dict[str, object] = {}
    for name in FIELD_NAMES:
        value = getattr(terms, name)
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, date):
            value = value.isoformat()
        result[name] = value
    return result


def term_end(terms: ContractTerms) -> date | None:
    """The last day of a fixed-term contract, when its date and term are both given."""
    if terms.signed_on is None or terms.term_months is None:
        return None
    months = terms.signed_on.month - 1 + terms.term_months
    year, month = terms.signed_on.year + months // 12, months % 12 + 1
    day = min(terms.signed_on.day, monthrange(year, month)[1])
    return date(year, month, day)
