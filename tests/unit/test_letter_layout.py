"""What the layout does with an officer's lists, a host's bracketed title and a long piece
that cannot be broken at the end of a justified line."""

from __future__ import annotations

import re

import pytest
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from app.contracts.reference import Statute, StatuteCite
from app.contracts.rules import statute_citation
from app.letters import render_letter
from app.letters.context import LETTER_KINDS, Addressee
from app.letters.lines import MAX_GAP_GROWTH, LetterParagraph, field_blocks, request_items
from app.letters.renderer import (
    NO_ADDRESSEE,
    _template_functions,
    _template_variables,
    addressee_lines,
)
from app.letters.templates import render_markup
from tests.unit.test_letters_render import make_context, text_of, text_of_lines

FACTS = "Работодатель нарушил:\n- не выплатил зарплату;\n–\n• удерживает паспорт.\n\n—\n\nДругое."
REQUESTS = "выплатить зарплату;\n-\n• вернуть паспорт\n  —  \n- сообщить о мерах"


def test_a_line_of_a_dash_or_a_bullet_alone_is_no_item() -> None:
    assert field_blocks(FACTS) == [
        ("body", "Работодатель нарушил:"),
        ("item", "не выплатил зарплату;"),
        ("item", "удерживает паспорт."),
        ("body", "Другое."),
    ]
    assert request_items(REQUESTS) == ["выплатить зарплату", "вернуть паспорт", "сообщить о мерах"]


def test_a_minus_sign_or_a_dash_inside_a_line_is_no_list_mark() -> None:
    text = "-5 °C в общежитии\nзарплата — 300 000 KRW"
    assert field_blocks(text) == [("body", "-5 °C в общежитии зарплата — 300 000 KRW")]


def test_an_officer_s_list_prints_one_bullet_per_item_and_no_empty_one() -> None:
    """The fault: a facts line of "-" printed a bullet followed by a dash, a request line of
    "-" an item "-;", and "• вернуть паспорт" two bullets."""
    context = make_context("employer_letter", "ru", facts=FACTS, requests=REQUESTS, citations=())
    body = text_of(render_letter(context))
    assert body.count("•") == 5, body  # two facts, three requests
    for empty in ("• -", "• –", "• —", "• •", "-;", "—;"):
        assert empty not in body
    assert "• не выплатил зарплату;" in body
    assert "• сообщить о мерах." in body


def test_a_host_s_title_with_its_abbreviation_has_no_bracket_inside_a_bracket() -> None:
    bgb = Statute(
        id="de-bgb",
        country="DE",
        titles={"ru": "Гражданское уложение", "en": "Civil Code"},
        original="Bürgerliches Gesetzbuch (BGB)",
    )
    cite = StatuteCite(bgb, "622")
    assert statute_citation(cite, "ru").startswith(
        "Гражданское уложение (Bürgerliches Gesetzbuch, BGB), "
    )
    assert "((" not in statute_citation(cite, "en") and "))" not in statute_citation(cite, "en")


STYLE = ParagraphStyle("body", fontName="Helvetica", fontSize=12, leading=15, alignment=TA_JUSTIFY)
IBAN = "The employer paid the wages into the account KZ86125KZT5004100100123456789 last week."


def _slack_before(paragraph: Paragraph, piece: str) -> float:
    """The extra space spread over the line before the one that starts with ``piece``."""
    paragraph.wrap(300, 1000)
    lines = paragraph.blPara.lines
    for before, line in zip(lines, lines[1:], strict=False):
        if line[1] and str(line[1][0]).startswith(piece):
            return float(before[0])
    raise AssertionError(f"no line starts with {piece}")


def test_a_line_before_an_unbreakable_number_is_not_stretched() -> None:
    """reportlab spreads the line's slack over its few spaces (gaps of 15 points and more);
    the letter leaves that line ragged instead."""
    assert _slack_before(Paragraph(IBAN, STYLE), "KZ86") > 50  # the fault, as reportlab has it
    assert _slack_before(LetterParagraph(IBAN, STYLE), "KZ86") == 0


def test_a_line_before_an_ordinary_word_stays_justified() -> None:
    text = "The employer paid the wages into the account of the extraordinarily-conscientious "
    text += "worker last week."
    plain, ours = Paragraph(text, STYLE), LetterParagraph(text, STYLE)
    plain.wrap(300, 1000)
    ours.wrap(300, 1000)
    assert [line[0] for line in ours.blPara.lines] == [line[0] for line in plain.blPara.lines]


def test_a_line_before_a_word_that_ends_a_sentence_stays_justified() -> None:
    """The first rule took "результатах." for a piece by its full stop and left ragged a line
    of an ordinary paragraph."""
    text = (
        "Посольство будет признательно за рассмотрение данного вопроса, принятие мер, "
        "предусмотренных законодательством, и информирование Посольства о результатах."
    )
    plain, ours = Paragraph(text, STYLE), LetterParagraph(text, STYLE)
    plain.wrap(300, 1000)
    ours.wrap(300, 1000)
    # Stretched as any line is (up to the bound on a space's growth), not left ragged.
    bound = MAX_GAP_GROWTH * STYLE.fontSize
    expected = [min(line[0], bound * (len(line[1]) - 1)) for line in plain.blPara.lines[:-1]]
    assert [line[0] for line in ours.blPara.lines[:-1]] == expected
    assert all(slack > 0 for slack in expected)


ADDRESSEES = {
    "organisation only": Addressee("", "Ansan Migrant Shelter", ""),
    "named, no organisation": Addressee("Kim Min-jun", "", "", position="Director"),
    "address only": Addressee("", "", "45 Wongok-ro\nAnsan"),
    "nobody": Addressee("", "", ""),
}


@pytest.mark.parametrize("kind", LETTER_KINDS)
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_an_addressee_without_an_address_leaves_no_empty_line(kind: str, lang: str) -> None:
    """The fault: with no address, no organisation or no name, the addressee block (and a
    note's addressee at the foot of its first page) printed empty lines for what was not
    there."""
    for shape, addressee in ADDRESSEES.items():
        context = make_context(kind, lang, addressee=addressee)
        markup = render_markup(kind, lang, _template_variables(context), _template_functions(lang))
        for empty in ("<cell><br/>", "<br/></cell>", "<br/><br/>", '"first_page_bottom"></p>'):
            assert empty not in markup, (shape, empty)
    lines = addressee_lines(Addressee("Kim", "Org", "45 Wongok-ro\n Ansan ", position="CEO"))
    assert lines == ["CEO", "Kim", "Org", "45 Wongok-ro", "Ansan"]
    assert addressee_lines(ADDRESSEES["named, no organisation"], whole=False) == []


LONG_WORDS = (
    "Жұмыскерге ұсталып отырған жеке басын куәландыратын құжаттарын қайтаруды, "
    "ұйымдастырушылық жауапкершіліктерін қамтамасыз етуді сұраймыз."
)


def _widest_growth(paragraph: Paragraph) -> float:
    """How much the spaces of the paragraph's most stretched justified line grow, each."""
    paragraph.wrap(300, 1000)
    lines = paragraph.blPara.lines[:-1]  # the last line is never stretched
    return max(float(line[0]) / (len(line[1]) - 1) for line in lines if len(line[1]) > 1)


def test_no_justified_line_of_long_words_opens_gaps_past_the_bound() -> None:
    """The fault: a Kazakh line of a few long words spread its slack over three or four
    spaces, each grown to five spaces wide; they now grow no more than the bound, the rest
    of the line left short of the margin."""
    bound = MAX_GAP_GROWTH * STYLE.fontSize
    assert _widest_growth(Paragraph(LONG_WORDS, STYLE)) > 2 * bound  # reportlab's own
    assert _widest_growth(LetterParagraph(LONG_WORDS, STYLE)) == pytest.approx(bound)


FREE = "Работник сообщил:\n- паспорт у работодателя;\n—\n• зарплата не выплачена"
NOTE_REQUEST = "Посольство просит:\n- провести проверку;\n- сообщить о результатах."
# The kinds whose standard request an officer's own replaces.
OWN_REQUEST = {"note_verbale_labour_authority", "agency_report", "referral"}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_free_text_and_a_note_s_request_bullet_a_dashed_line_as_the_facts_do(
    kind: str, lang: str
) -> None:
    """The fault: a dash typed at the start of a line of free text or of a note's request
    printed as typed, run together with the line before ("сообщил: - паспорт …")."""
    requests = NOTE_REQUEST if kind in OWN_REQUEST else ""
    context = make_context(kind, lang, facts="", free_text=FREE, requests=requests)
    body = text_of(render_letter(context))
    assert "• паспорт у работодателя;" in body
    assert "• зарплата не выплачена" in body
    assert "- паспорт" not in body and "—" not in body.split("Работник сообщил:")[1][:60]
    if requests:
        assert "• провести проверку;" in body and "• сообщить о результатах." in body
        assert "- провести" not in body


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_draft_note_to_no_one_shows_where_the_addressee_is_missing(lang: str) -> None:
    """The fault: the preview of a note with no addressee read «свидетельствует своё уважение
    и, ссылаясь …» ("presents its compliments to the and"). The draft marks the gap in the
    letter's language; an issued letter never prints the mark."""
    nobody = Addressee("", "", "")
    kind = "note_verbale_labour_authority"
    draft = text_of(render_letter(make_context(kind, lang, addressee=nobody, outgoing_number=None)))
    mark = NO_ADDRESSEE[lang].replace("\u00a0", " ")  # as text_of reads it
    assert draft.count(mark) == 2, draft  # the opening and the closing formula
    for broken in ("уважение и", "compliments to the and", "to the the", "renew to the assur"):
        assert broken not in draft
    issued = text_of(render_letter(make_context(kind, lang, addressee=nobody)))
    assert mark not in issued


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_draft_letter_to_no_one_shows_the_gap_in_its_addressee_block(lang: str) -> None:
    """The fault: the draft of an employer letter on a case that records no employer had a
    blank where the address block stands, and read as a letter ready to approve. The draft
    marks the gap; an issued letter, and a certificate "to whom it may concern", never do."""
    nobody = Addressee("", "", "")
    mark = NO_ADDRESSEE[lang].replace("\u00a0", " ")
    kind = "employer_letter"
    draft = text_of(render_letter(make_context(kind, lang, addressee=nobody, outgoing_number=None)))
    assert mark in draft[:400], draft[:400]  # the head, above the subject
    issued = text_of(render_letter(make_context(kind, lang, addressee=nobody)))
    assert mark not in issued
    certificate = make_context(
        "assistance_certificate", lang, addressee=nobody, outgoing_number=None
    )
    assert mark not in text_of(render_letter(certificate))


# A line of a Russian letter that ends with a one-letter preposition or conjunction.
HANGING_WORD = re.compile(r"(?:^|\s)[вскоуиаяВСКОУИАЯ]$")


@pytest.mark.parametrize("kind", ["note_verbale_labour_authority", "employer_letter"])
def test_a_russian_line_never_ends_with_a_one_letter_preposition(kind: str) -> None:
    """The fault: «…работающей в компании «Kim & Lee Co.» в» ended a line of a note, its
    «Республике Корея» on the next; «…и о результатах сообщить в» / «Министерство…»."""
    facts = " ".join(
        f"Работник {n} обратился в Посольство с жалобой и просьбой о помощи, а работодатель "
        "к нему с уважением не относится и у него удерживает паспорт."
        for n in range(1, 9)
    )
    lines = text_of_lines(render_letter(make_context(kind, "ru", free_text=facts)))
    hanging = [line for line in lines if HANGING_WORD.search(line.rstrip())]
    assert not hanging
