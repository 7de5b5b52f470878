"""The Kazakhstani individual identification number (IIN, ЖСН/ИИН).

Twelve digits: YYMMDD of birth, a digit for century and sex, a four-digit serial and a
check digit. The check digit is the weighted sum of the first eleven digits modulo 11 with
weights 1..11; when that gives 10, weights 3..11, 1, 2 are tried; when that gives 10 too, no
IIN is issued with those eleven digits.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from app.errors import ValidationError
from app.i18n import _

Sex = Literal["male", "female"]

_FIRST_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
# Seventh digit → (first year of the century, sex).
_CENTURY_SEX: dict[int, tuple[int, Sex]] = {
    1: (1800, "male"),
    2: (1800, "female"),
    3: (1900, "male"),
    4: (1900, "female"),
    5: (2000, "male"),
    6: (2000, "female"),
}
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")  # ASCII only: str.isdigit accepts other scripts


def check_digit(first_eleven: str) -> int | None:
    """The check digit for eleven digits, or None when no valid IIN can end them."""
    digits = [int(c) for c in first_eleven]
    s = sum(d * w for d, w in zip(digits, _FIRST_WEIGHTS, strict=True)) % 11
    if s == 10:
        s = sum(d * w for d, w in zip(digits, _SECOND_WEIGHTS, strict=True)) % 11
    return None if s == 10 else s


def validate_iin(iin: str) -> None:
    """Raise ValidationError (field ``iin``) saying what is wrong with ``iin``."""
    if not _TWELVE_DIGITS.fullmatch(iin):
        raise ValidationError(_("An IIN has exactly 12 digits."), field="iin")
    if int(iin[6]) not in _CENTURY_SEX:
        raise ValidationError(
            _("The 7th digit of an IIN (century and sex) must be from 1 to 6."), field="iin"
        )
    try:
        _birth_date(iin)
    except ValueError:
        raise ValidationError(
            _("The first six digits of the IIN are not a real date of birth."), field="iin"
        ) from None
    expected = check_digit(iin[:11])
    if expected is None or expected != int(iin[11]):
        raise ValidationError(
            _("The IIN's check digit does not match; check the number for a typing error."),
            field="iin",
        )


def is_valid_iin(iin: str) -> bool:
    try:
        validate_iin(iin)
    except ValidationError:
        return False
    return True


def clean_iin(text: str) -> str:
    """``text`` without spaces or hyphens, validated: how users paste IINs from documents."""
    iin = re.sub(r"[\s\-]", "", text)
    validate_iin(iin)
    return iin


def _birth_date(iin: str) -> date:
    century, _sex = _CENTURY_SEX[int(iin[6])]
    return date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))


def iin_birth_date(iin: str) -> date:
    validate_iin(iin)
    return _birth_date(iin)


def iin_sex(iin: str) -> Sex:
    validate_iin(iin)
    return _CENTURY_SEX[int(iin[6])][1]


def make_iin(birth_date: date, sex: Sex, serial: int) -> str:
    """A valid IIN; when ``serial`` admits no check digit the next serial is used."""
    if not 1800 <= birth_date.year <= 2099:
        raise ValueError(f"no IIN century digit for year {birth_date.year}")
    if sex not in ("male", "female"):
        raise ValueError(f"sex must be 'male' or 'female', not {sex!r}")
    if not 0 <= serial <= 9999:
        raise ValueError(f"serial must be 0..9999, not {serial}")
    century = (birth_date.year // 100 - 18) * 2 + (1 if sex == "male" else 2)
    prefix = f"{birth_date:%y%m%d}{century}"
    # At most a few consecutive serials lack a check digit, so this ends quickly; it wraps
    # past 9999 to keep the result twelve digits.
    for offset in range(10000):
        first_eleven = f"{prefix}{(serial + offset) % 10000:04d}"
        digit = check_digit(first_eleven)
        if digit is not None:
            return f"{first_eleven}{digit}"
    raise AssertionError("unreachable: some serial always has a check digit")
