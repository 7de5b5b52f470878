from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.iin import (
    check_digit,
    clean_iin,
    iin_birth_date,
    iin_sex,
    is_valid_iin,
    make_iin,
    validate_iin,
)
from app.errors import ValidationError
from app.i18n import set_language


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield


# Worked by hand: weights 1..11 over the first eleven digits, modulo 11.
VALID = [
    # 9·1+4·2+0·3+3·4+1·5+5·6+4·7+0+0+1·10+2·11 = 124; 124 mod 11 = 3
    ("940315400123", date(1994, 3, 15), "female"),
    # first sum 90 mod 11 = 2
    ("850702300012", date(1985, 7, 2), "male"),
    # first sum 65 mod 11 = 10; second weights 3..11,1,2 give 61 mod 11 = 6
    ("000101500206", date(2000, 1, 1), "male"),
    # 29 February of a leap year; first sum 125 mod 11 = 4
    ("000229600014", date(2000, 2, 29), "female"),
]


@pytest.mark.parametrize(("iin", "born", "sex"), VALID)
def test_valid_iin(iin: str, born: date, sex: str) -> None:
    validate_iin(iin)
    assert is_valid_iin(iin)
    assert iin_birth_date(iin) == born
    assert iin_sex(iin) == sex


def test_second_weights_used_when_first_sum_is_ten() -> None:
    assert check_digit("00010150020") == 6


def test_no_check_digit_when_both_sums_are_ten() -> None:
    # 8·1+7·2+1·3+2·4+2·5+4·6+3·7+0+0+1·10+5·11 = 153 and the second weights also give 153:
    # 153 mod 11 = 10 both times, so no IIN starts with these eleven digits.
    assert check_digit("87122430015") is None
    for last in "0123456789":
        assert not is_valid_iin("87122430015" + last)


@pytest.mark.parametrize(
    "iin",
    ["", "12345", "9403154001234", "94031540012a", "9403 1540 0123", " 940315400123",
     "９４０３１５４００１２３", "٩٤٠٣١٥٤٠٠١٢٣"],
)  # fmt: skip
def test_not_twelve_digits(iin: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_iin(iin)
    assert str(caught.value) == "An IIN has exactly 12 digits."
    assert caught.value.field == "iin"


@pytest.mark.parametrize("digit", "0789")
def test_bad_century_digit(digit: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_iin(f"940315{digit}00123")
    assert str(caught.value) == "The 7th digit of an IIN (century and sex) must be from 1 to 6."


@pytest.mark.parametrize("iin", ["940230400123", "941315400123", "940001400123", "010229500123"])
def test_impossible_date(iin: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_iin(iin)
    assert str(caught.value) == "The first six digits of the IIN are not a real date of birth."


@pytest.mark.parametrize("iin", ["940315400124", "940315400120", "871224300150"])
def test_bad_check_digit(iin: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_iin(iin)
    assert str(caught.value) == (
        "The IIN's check digit does not match; check the number for a typing error."
    )


def test_birth_date_and_sex_refuse_invalid_iin() -> None:
    with pytest.raises(ValidationError):
        iin_birth_date("940315400124")
    with pytest.raises(ValidationError):
        iin_sex("12")


def test_clean_iin_strips_spaces_and_hyphens() -> None:
    assert clean_iin(" 940315 400123 ") == "940315400123"
    assert clean_iin("940315-400-123") == "940315400123"
    with pytest.raises(ValidationError):
        clean_iin("940315 400124")


def test_make_iin_known_values() -> None:
    assert make_iin(date(1994, 3, 15), "female", 12) == "940315400123"
    assert make_iin(date(2000, 1, 1), "male", 20) == "000101500206"
    assert make_iin(date(1899, 12, 31), "female", 0)[6] == "2"


def test_make_iin_skips_serial_without_check_digit() -> None:
    iin = make_iin(date(1987, 12, 24), "male", 15)
    assert iin[:11] == "87122430016"
    validate_iin(iin)


def test_make_iin_wraps_after_last_serial() -> None:
    # Serial 9999 of 1987-12-24 (male): 8712243 9999 has a check digit or wraps to 0000.
    iin = make_iin(date(1987, 12, 24), "male", 9999)
    assert len(iin) == 12
    validate_iin(iin)


@pytest.mark.parametrize(
    ("born", "sex", "serial"),
    [(date(1799, 12, 31), "male", 1), (date(2100, 1, 1), "male", 1),
     (date(1990, 1, 1), "other", 1), (date(1990, 1, 1), "male", 10000),
     (date(1990, 1, 1), "male", -1)],
)  # fmt: skip
def test_make_iin_rejects_bad_arguments(born: date, sex: str, serial: int) -> None:
    with pytest.raises(ValueError):
        make_iin(born, sex, serial)  # type: ignore[arg-type]


@given(
    born=st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31)),
    sex=st.sampled_from(["male", "female"]),
    serial=st.integers(min_value=0, max_value=9999),
)
def test_make_iin_round_trip(born: date, sex: str, serial: int) -> None:
    iin = make_iin(born, sex, serial)  # type: ignore[arg-type]
    validate_iin(iin)
    assert iin_birth_date(iin) == born
    assert iin_sex(iin) == sex
    # The serial is kept unless it admits no check digit; then a following one is used.
    assert (int(iin[7:11]) - serial) % 10000 < 5
