""" "Check a letter", fuzzed: a PDF file brought back (the issued one with bytes flipped, cut or
added, or any bytes at all) and a code typed or scanned (``QORGAU|number|digest`` misread in
every way). A file matches only when it is the issued one byte for byte, a code only when it
names the issued letter and its digest; anything else gets a message, a code that is not one a
ValidationError naming the code; no other exception comes out."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.errors import ValidationError
from app.services.letters import LetterInfo, LetterService
from tests.builders import hanil_steel_case, issued_letter
from tests.conftest import OpenWs
from tests.fuzz_json import FUZZ as SHARED_FUZZ

FUZZ = settings(SHARED_FUZZ, max_examples=100)


@pytest.fixture
def issued(open_ws: OpenWs) -> tuple[LetterService, LetterInfo, bytes]:
    case = hanil_steel_case(open_ws("aigul"))
    letter = issued_letter(open_ws("aigul"), open_ws("serik"), case.id)
    service = LetterService(open_ws("serik"))
    return service, letter, service.pdf(letter.id)


@FUZZ
@given(data=st.data())
def test_a_letter_file_matches_only_as_issued(
    issued: tuple[LetterService, LetterInfo, bytes], tmp_path: Path, data: st.DataObject
) -> None:
    service, letter, pdf = issued
    content = data.draw(
        st.one_of(
            st.binary(max_size=500),
            st.tuples(st.integers(min_value=0, max_value=len(pdf) - 1), st.integers(0, 255)).map(
                lambda flip: pdf[: flip[0]] + bytes([flip[1]]) + pdf[flip[0] + 1 :]
            ),
            st.integers(min_value=0, max_value=len(pdf)).map(lambda cut: pdf[:cut]),
            st.binary(min_size=1, max_size=50).map(lambda tail: pdf + tail),
        )
    )
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    result = service.verify_file(path)
    assert result.matched == (content == pdf)
    assert result.message
    if result.matched:
        assert result.letter is not None and result.letter.id == letter.id


_CODE_PIECES = ["QORGAU", "|", "qorgau", "ЙЩКПФГ", "0", "a", "Ф", " ", "\u200f", "!@#", "№"]


@FUZZ
@given(data=st.data())
def test_a_code_matches_only_as_printed_or_is_refused_naming_the_code(
    issued: tuple[LetterService, LetterInfo, bytes], data: st.DataObject
) -> None:
    service, letter, _pdf = issued
    printed = f"QORGAU|{letter.outgoing_number}|{letter.content_digest}"
    typed = data.draw(
        st.one_of(
            st.text(max_size=100),
            st.lists(st.sampled_from(_CODE_PIECES), max_size=12).map("".join),
            st.tuples(st.integers(0, len(printed) - 1), st.characters()).map(
                lambda change: printed[: change[0]] + change[1] + printed[change[0] + 1 :]
            ),
            st.integers(0, len(printed)).map(lambda cut: printed[:cut]),
        )
    )
    try:
        result = service.verify_code(typed)
    except ValidationError as exc:
        assert exc.field == "code"
        assert str(exc)
        return
    assert result.message
    if result.matched:
        assert result.letter is not None and result.letter.id == letter.id
