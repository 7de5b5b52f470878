"""Letters render in every kind and language, and the text reads back exactly."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from app.domain.claims import Claim
from app.errors import QorgauError, ValidationError
from app.letters import (
    LETTER_KINDS,
    Addressee,
    Citation,
    EmployerInfo,
    Executor,
    LetterContext,
    MissionInfo,
    PersonInfo,
    Signatory,
    content_digest,
    kind_label,
    render_letter,
    with_qr_digest,
)
from app.letters.fonts import FONT_DIR, FONT_FILES
from app.letters.phrases import claim_text
from app.letters.renderer import (
    DocumentBuilder,
    date_long,
    date_numeric,
    money_text,
    short_name,
)
from app.letters.states import body
from app.letters.templates import parse_blocks
from tests.conftest import MISSION_NAME

LANGS = ("kk", "ru", "en")
HOSTILE = 'Kim & Sons <Ltd> "Best"'
# The worker of the design's example, with her documents (a person record's fields).
ASSEL_DOCUMENTED: dict[str, Any] = {
    "surname": "Құрманғалиқызы",
    "given_names": "Әсел",
    "surname_latin": "KURMANGALIKYZY",
    "given_names_latin": "ASSEL",
    "iin": "940315400123",
    "birth_date": date(1994, 3, 15),
    "passport_no": "N12345678",
}
KAZAKH_SAMPLE = "Әә Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі"
MISSION = MissionInfo(
    code="SEL",
    name=MISSION_NAME,
    address={
        "kk": "Корея Республикасы, Сеул, Ханнам-даэро, 100",
        "ru": "Республика Корея, Сеул, Ханнам-дэро, 100",
        "en": "100 Hannam-daero, Seoul, Republic of Korea",
    },
    phone="+82 2 379 9714",
    email="seoul@mfa.kz",
    city={"kk": "Сеул", "ru": "Сеул", "en": "Seoul"},
    country="KR",
)
# The facts paragraph is the letter's own field, written in its language (with the amount).
FACTS = {
    "kk": "Оның айтуынша, жұмыс беруші оған жалақы төлемейді. Талап: 4\u00a0500\u00a0000 KRW.",
    "ru": "По её словам, работодатель не выплачивает ей заработную плату: 4\u00a0500\u00a0000 KRW.",
    "en": "According to her, the employer does not pay her her wages: 4,500,000 KRW.",
}
SUBJECTS = {
    "kk": "Жалақыны төлеу туралы",
    "ru": "О выплате заработной платы",
    "en": "Unpaid wages of a Kazakhstani worker",
}


def make_context(
    kind: str = "employer_letter", lang: str = "kk", **changes: object
) -> LetterContext:
    context = LetterContext(
        kind=kind,
        lang=lang,
        mission=MISSION,
        outgoing_number="236",
        letter_date=date(2026, 11, 24),
        incoming_ref=("15-02/311", date(2026, 11, 15)),
        addressee=Addressee(
            name="Kim Min-jun",
            organisation=HOSTILE,
            address="12 Sejong-daero, Seoul",
            position="Chief Executive Officer",
        ),
        subject=SUBJECTS.get(lang, "Subject"),
        case_number="SEL-2026-0042",
        case_categories=("Жалақы төленбеген", "Құжаттар ұсталып отыр"),
        case_description="Үш ай бойы жалақы төленбеген.",
        person=PersonInfo(**ASSEL_DOCUMENTED, phone="+82 10 0000 0000"),
        employer=EmployerInfo(name=HOSTILE, country="KR", city="Incheon"),
        agency_name="Ұлы Дала Һоризонт",
        partner_name="Korea Migrant Workers Centre",
        amount_owed=(Decimal("4500000"), "KRW"),
        facts=FACTS.get(lang, ""),
        share_identity=True,
        free_text=f"Қосымша мәлімет: {KAZAKH_SAMPLE}.\n\nA & B < C > D \"E\" 'F'.",
        citations=(
            Citation("ILO C181", "Art. 7", "No fees charged to workers", True),
            Citation("EPS MoU", "§ 3", "Wage protection", False),
        ),
        attachments=("паспорт көшірмесі, 1 п.",),
        signatory=Signatory(position="Елші", name="Нұрлан Серікұлы Әбдірахманов"),
        executor=Executor(name="Ж. Сәрсенбаева", phone="+82 2 379 9715"),
    )
    return dataclasses.replace(context, **changes)  # type: ignore[arg-type]


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


EXPECTED_DATE = {"kk": "2026 жылғы 24 қараша", "ru": "24.11.2026", "en": "24 November 2026"}
EXPECTED_AMOUNT = {"kk": "4 500 000 KRW", "ru": "4 500 000 KRW", "en": "4,500,000 KRW"}
EXPECTED_NUMBER = {"kk": "№ 236", "ru": "№ 236", "en": "No. 236"}
UNVERIFIED = {"kk": "(тексерілмеген)", "ru": "(не проверено)", "en": "(unverified)"}
PRINTS_AMOUNT = {
    "note_verbale_labour_authority",
    "employer_letter",
    "agency_report",
    "hq_case_report",
}
PRINTS_CITATIONS = PRINTS_AMOUNT | {"referral"}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_every_kind_and_language_reads_back(kind: str, lang: str) -> None:
    text = text_of(render_letter(make_context(kind, lang)))
    # Cyrillic name in kk/ru letters; the passport's Latin name where the letter goes abroad
    # and in every English letter (which prints no Cyrillic name).
    if lang != "en":
        assert "Құрманғалиқызы Әсел" in text
    if lang == "en":
        assert "Assel Kurmangalikyzy" in text
    elif kind not in {"agency_report", "hq_case_report"}:
        assert "KURMANGALIKYZY ASSEL" in text
    # A note verbale's foot is the seal and initials: no executor, no file reference.
    unsigned = kind == "note_verbale_labour_authority"
    assert ("SEL-2026-0042" in text) != unsigned
    assert EXPECTED_NUMBER[lang] in text
    expected_date = EXPECTED_DATE[lang]
    if kind == "note_verbale_labour_authority" and lang == "ru":
        expected_date = "24 ноября 2026 г."  # a note is dated in words under its text
    assert expected_date in text
    assert KAZAKH_SAMPLE in text
    assert HOSTILE in text
    assert "A & B < C > D \"E\" 'F'." in text
    assert "&amp;" not in text and "&#34;" not in text
    assert ("Ж. Сәрсенбаева" in text) != unsigned and ("+82 2 379 9715" in text) != unsigned
    assert ("Н.С. Әбдірахманов" in text) != unsigned
    if kind in PRINTS_AMOUNT:
        assert EXPECTED_AMOUNT[lang] in text
    if kind in PRINTS_CITATIONS:
        assert f"Wage protection {UNVERIFIED[lang]}" in text
        assert f"No fees charged to workers {UNVERIFIED[lang]}" not in text


@pytest.mark.parametrize(
    ("lang", "opening", "closing", "seal"),
    [
        (
            "en",
            "presents its compliments to the Ministry of Foreign Affairs of the Republic of Korea",
            "The Embassy avails itself of this opportunity "
            "to renew to the Ministry the assurances of its highest consideration.",
            "L.S.",
        ),
        (
            "ru",
            "свидетельствует своё уважение Министерству иностранных дел Республики Корея",
            "Посольство пользуется случаем, "
            "чтобы возобновить Министерству уверения в своём высоком уважении.",
            "М.П.",
        ),
        (
            "kk",
            "Корея Республикасының Сыртқы істер министрлігіне өзінің құрметін білдіреді",
            "Елшілік осы мүмкіндікті пайдалана "
            "отырып, Министрлікке өзінің жоғары құрметін тағы да растайды.",
            "М.О.",
        ),
    ],
)
def test_note_verbale_formulas(lang: str, opening: str, closing: str, seal: str) -> None:
    ministry = body("KR", "mfa", lang)
    addressee = Addressee("", ministry.nominative, "Seoul", organisation_dative=ministry.dative)
    context = make_context("note_verbale_labour_authority", lang, addressee=addressee)
    text = text_of(render_letter(context))
    assert opening in text and closing in text and seal in text
    assert "Н.С.Ә." in text  # initials instead of a signature


def test_kazakh_note_template_is_marked_for_review() -> None:
    template = Path(FONT_DIR.parent / "letters/note_verbale_labour_authority/kk.j2").read_text()
    assert "{# REVIEW: native speaker of the ministry #}" in template


def test_incoming_reference_in_each_language() -> None:
    assert "2026 жылғы 15 қарашадағы № 15-02/311 хатқа" in text_of(render_letter(make_context()))
    assert "На № 15-02/311 от 15.11.2026" in text_of(render_letter(make_context(lang="ru")))
    en = text_of(render_letter(make_context(lang="en")))
    assert "Ref.: your letter No. 15-02/311 of 15 November 2026" in en


def test_draft_is_watermarked_and_unnumbered() -> None:
    for lang, mark in (("kk", "ЖОБА"), ("ru", "ПРОЕКТ"), ("en", "DRAFT")):
        text = text_of(render_letter(make_context(lang=lang, outgoing_number=None)))
        assert mark in text
        assert "236" not in text


def test_long_free_text_flows_over_pages_with_numbers() -> None:
    paragraph = "Жұмыс беруші жалақыны уақытылы төлемеді, құжаттарды қайтармады. " * 6
    monster_word = "Ә" * 3000  # no break opportunity at all
    free_text = "\n\n".join([paragraph] * 1200 + [monster_word])
    pdf = render_letter(make_context("hq_case_report", free_text=free_text))
    reader = PdfReader(io.BytesIO(pdf))
    pages = len(reader.pages)
    assert pages >= 100
    assert not reader.pages[0].extract_text().lstrip().startswith("1")
    for number in (2, pages // 2, pages):
        assert reader.pages[number - 1].extract_text().lstrip().startswith(str(number))
    assert "Ж. Сәрсенбаева" in reader.pages[-1].extract_text()
    assert "ӘӘӘӘӘӘӘӘӘӘ" in text_of(pdf)


def test_metadata_and_language() -> None:
    reader = PdfReader(io.BytesIO(render_letter(make_context(lang="ru"))))
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "№\u00a0236 — Письмо работодателю"  # number and kind, never a name
    assert meta.author == MISSION.name["ru"]
    assert meta.subject == "Письмо работодателю"
    assert meta.creator == "Qorgau"
    assert reader.trailer["/Root"]["/Lang"] == "ru"


def _base_fonts(pdf: bytes) -> set[str]:
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def test_only_embedded_pt_fonts_no_helvetica() -> None:
    pdf = render_letter(with_qr_digest(make_context("note_verbale_labour_authority")))
    fonts = _base_fonts(pdf)
    assert fonts and all(re.fullmatch(r"/[A-Z]{6}\+PT(Serif|Sans)-\w+", name) for name in fonts)
    assert not any("Helvetica" in name for name in fonts)


@pytest.mark.skipif(
    shutil.which("pdffonts") is None, reason="pdffonts (poppler-utils) not installed"
)
def test_pdffonts_shows_every_font_embedded(tmp_path: Path) -> None:
    out = tmp_path / "letter.pdf"
    out.write_bytes(render_letter(with_qr_digest(make_context(outgoing_number=None))))
    listing = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True)
    rows = listing.stdout.splitlines()[2:]
    assert len(rows) >= 3
    for row in rows:
        assert row.split()[-5] == "yes", row  # the "emb" column


def test_missing_font_at_render_time(tmp_path: Path) -> None:
    shutil.copy(FONT_DIR / FONT_FILES["QorgauSerif"], tmp_path / FONT_FILES["QorgauSerif"])
    with pytest.raises(QorgauError, match="font file"):
        render_letter(make_context(), font_dir=tmp_path)


def test_content_digest_ignores_the_hash_field_and_tracks_content() -> None:
    context = make_context()
    digest = content_digest(context)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert content_digest(with_qr_digest(context)) == digest
    assert content_digest(make_context(free_text="other")) != digest
    assert content_digest(make_context(amount_owed=(Decimal("4500000.00"), "KRW"))) == digest


def test_qr_is_drawn_only_with_a_matching_digest() -> None:
    context = make_context()
    plain = render_letter(context)
    with_qr = render_letter(with_qr_digest(context))
    assert len(with_qr) > len(plain) + 500  # the QR modules
    with pytest.raises(ValidationError, match="check code does not match"):
        render_letter(dataclasses.replace(context, letter_hash_for_qr="0" * 64))


def test_bad_kind_and_language_are_validation_errors() -> None:
    with pytest.raises(ValidationError, match="Unknown letter kind: memo"):
        make_context(kind="memo")
    with pytest.raises(ValidationError, match="not de"):
        make_context(lang="de")
    with pytest.raises(ValidationError):
        kind_label("memo", "en")


def test_helpers_format_in_the_letters_language() -> None:
    assert date_long(date(2026, 11, 24), "kk") == "2026 жылғы 24 қараша"
    assert date_long(date(2026, 11, 24), "ru") == "24 ноября 2026 г."
    assert date_long(date(2026, 11, 24), "en") == "24 November 2026"
    assert money_text(Decimal("1250.5"), "usd", "ru") == "1\u00a0250,50\u00a0USD"
    assert money_text(Decimal("1250.5"), "USD", "en") == "1,250.50\u00a0USD"
    assert short_name("Нұрлан Серікұлы Әбдірахманов") == "Н.С.\u00a0Әбдірахманов"
    assert kind_label("referral", "kk") == "Қолдау ұйымына жолдама"  # the register's name


def test_stray_template_text_is_an_error() -> None:
    assert [b.style for b in parse_blocks('<p style="body">a</p>\n<p style="plain">b</p>')] == [
        "body",
        "plain",
    ]
    with pytest.raises(QorgauError, match="text outside a block: oops"):
        parse_blocks('<p style="body">a</p> oops')


def test_document_builder_for_reports() -> None:
    builder = DocumentBuilder("en", MISSION, "Statistics 2026", subject="Statistics")
    builder.heading("Cases by category").table(
        [("Category", "Cases"), ("Unpaid wages & <fees>", "12")], col_widths=(120, 40)
    )
    builder.paragraph("Closing remark.")
    pdf = builder.build()
    text = text_of(pdf)
    assert "Cases by category" in text and "Unpaid wages & <fees> 12" in text
    assert not any("Helvetica" in name for name in _base_fonts(pdf))


def test_a_long_note_keeps_its_addressee_at_the_foot_of_page_one() -> None:
    long_text = "\n\n".join(f"Абзац {n}. " + "Мән-жай сипатталады. " * 25 for n in range(12))
    ministry = Addressee("", "Министерство иностранных дел Республики Корея", "Сеул")
    context = make_context(
        "note_verbale_labour_authority", "ru", free_text=long_text, addressee=ministry
    )
    reader = PdfReader(io.BytesIO(render_letter(context)))
    assert len(reader.pages) >= 3
    pages = [page.extract_text() for page in reader.pages]
    assert "Министерство иностранных дел Республики" in pages[0]
    assert all("Министерство иностранных дел" not in page for page in pages[1:])


@pytest.mark.parametrize("paragraphs", range(8, 20))
def test_the_executor_never_stands_alone_on_a_page(paragraphs: int) -> None:
    text = "\n\n".join("Жұмыс беруші жалақыны төлемеген. " * 6 for _ in range(paragraphs))
    reader = PdfReader(io.BytesIO(render_letter(make_context(lang="kk", free_text=text))))
    last = reader.pages[-1].extract_text()
    assert "Орынд.:" in last
    assert "Әбдірахманов" in last  # the signature came along with it


@pytest.mark.parametrize("lang", LANGS)
def test_the_officer_can_replace_the_standard_request(lang: str) -> None:
    standard = text_of(render_letter(make_context("note_verbale_labour_authority", lang)))
    own = "Особая просьба Посольства: обеспечить консульский доступ."
    changed = text_of(
        render_letter(make_context("note_verbale_labour_authority", lang, requests=own))
    )
    assert own in changed and own not in standard
    assert len(changed) < len(standard) + len(own)  # it replaced, not added to, the standard


def test_a_closing_keeps_the_last_paragraph_with_the_signature() -> None:
    """The fault: the signature kept only the block before it, which with a closing is
    «С уважением,» (before it, an enclosure note): the letter's last paragraph could end one
    page and the enclosure, the closing and the signature stand without it on the next."""
    apart = []
    for paragraphs in range(8, 20):
        text = "\n\n".join("Работодатель не выплачивал зарплату. " * 6 for _ in range(paragraphs))
        pdf = render_letter(make_context("employer_letter", "ru", free_text=text))
        last = PdfReader(io.BytesIO(pdf)).pages[-1].extract_text()
        assert "С уважением," in last
        if "благодарим за сотрудничество" not in last:
            apart.append(paragraphs)
    assert not apart


# What follows the text: the enclosure note, else the closing formula.
AFTER_TEXT = {
    "ru": ("Приложение", "С уважением,"),
    "kk": ("Қосымша", "Құрметпен,"),
    "en": ("Enclosure", "Yours faithfully,"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_signature_goes_over_with_two_lines_of_text_at_least(lang: str) -> None:
    """The fault: a letter to an employer with many requests ended page 1 with its last
    request and opened page 2 with the one-line «Рассчитываем на урегулирование вопроса и
    благодарим за сотрудничество.» and the signature: a page a signature could be put to
    with almost nothing of the letter on it."""
    thin = []
    for paragraphs in range(4, 24):
        text = "\n\n".join("Работодатель не выплачивал зарплату. " * 3 for _ in range(paragraphs))
        pages = PdfReader(io.BytesIO(render_letter(make_context(lang=lang, free_text=text)))).pages
        if len(pages) == 1:
            continue
        lines = [line for line in pages[-1].extract_text().split("\n") if line.strip()]
        end = next(n for n, line in enumerate(lines) if line.startswith(AFTER_TEXT[lang]))
        before = lines[:end]
        if len([line for line in before if not line.strip().isdigit()]) < 2:  # not the page no.
            thin.append(paragraphs)
    assert not thin


@pytest.mark.parametrize("lang", LANGS)
def test_a_phone_number_never_breaks_across_lines(lang: str) -> None:
    """The fault: a referral printed "(tel. +82 10" at the end of one line and "6323 4741)"
    at the start of the next."""
    broken = []
    for extra in range(0, 40, 2):
        partner = "Centre " + "x" * extra
        pdf = render_letter(make_context("referral", lang, partner_name=partner))
        pages = PdfReader(io.BytesIO(pdf)).pages
        lines = "\n".join(page.extract_text() for page in pages).replace("\u00a0", " ")
        lines = lines.splitlines()
        if not any("+82 10 0000 0000" in line for line in lines):
            broken.append(extra)
    assert not broken


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_a_name_with_its_own_quotes_takes_no_second_pair(lang: str) -> None:
    """The fault: an employer on file as АО «Агрохолдинг Заречье» (every firm in Russia or
    Kyrgyzstan is written so) was «АО «Агрохолдинг Заречье»» in the note, and ТОО "Алма"
    kept its straight quotes in a letter that uses «»."""
    for name, printed in (
        ("АО «Агрохолдинг Заречье»", "АО «Агрохолдинг Заречье»"),
        ('ТОО "Алма"', "ТОО «Алма»"),
        ("Daesung Precision Co., Ltd", "«Daesung Precision Co., Ltd»"),
    ):
        employer = EmployerInfo(name=name, country="RU", city="Omsk")
        context = make_context("note_verbale_labour_authority", lang, employer=employer)
        text = text_of(render_letter(context))
        assert printed in text, (name, text)
        assert "»»" not in text and "««" not in text and '"' not in printed


@pytest.mark.parametrize("lang", LANGS)
def test_a_line_announcing_the_citations_never_ends_a_page_without_them(lang: str) -> None:
    """The fault: «Посольство позволяет себе обратить внимание на следующие положения:» (and
    its kk and en forms) could be the last line of a page, the provisions it announces all on
    the next; the line now goes over with the first of them."""
    announced_alone = []
    for paragraphs in range(16, 26):
        text = "\n\n".join("Жұмыс беруші жалақыны төлемеген. " * 2 for _ in range(paragraphs))
        pdf = render_letter(make_context("note_verbale_labour_authority", lang, free_text=text))
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
        if any(page.rstrip().endswith(":") for page in pages[:-1]):
            announced_alone.append(paragraphs)
    assert not announced_alone


NOTE_CLOSING = {
    "kk": "мүмкіндікті пайдалана отырып",
    "ru": "пользуется случаем",
    "en": "avails itself of this opportunity",
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_note_s_place_date_and_seal_never_stand_on_a_page_without_its_closing(
    lang: str,
) -> None:
    """The fault: a note one page long but for its last lines put «Сеул, 2026 жылғы
    7 желтоқсан» and the seal place (М.О., initials) alone on page 2, the closing compliment
    left on page 1; they now go over together."""
    alone = []
    for paragraphs in range(6, 20):
        text = "\n\n".join("Жұмыс беруші жалақыны төлемеген. " * 4 for _ in range(paragraphs))
        pdf = render_letter(make_context("note_verbale_labour_authority", lang, free_text=text))
        last = PdfReader(io.BytesIO(pdf)).pages[-1].extract_text().replace("\n", " ")
        if NOTE_CLOSING[lang] not in last:
            alone.append(paragraphs)
    assert not alone


@pytest.mark.parametrize(
    ("lang", "both", "employer", "agency"),
    [
        ("ru", "2. Работодатель и посредник", "2. Работодатель", "2. Посредник"),
        ("kk", "2. Жұмыс беруші және делдал", "2. Жұмыс беруші", "2. Делдал"),
        ("en", "2. Employer and intermediary", "2. Employer", "2. Intermediary"),
    ],
)
def test_the_hq_report_heads_its_second_section_with_the_parties_it_names(
    lang: str, both: str, employer: str, agency: str
) -> None:
    """The fault: «2. Работодатель и посредник» headed a section that named the employer only,
    as most cases have no recruitment agency on file."""
    lines = {
        name: [
            line.strip()
            for line in text_of_lines(render_letter(make_context("hq_case_report", lang, **kw)))
        ]
        for name, kw in (
            ("both", {}),
            ("employer", {"agency_name": None}),
            ("agency", {"employer": None}),
        )
    }
    assert both in lines["both"]
    assert employer in lines["employer"] and both not in lines["employer"]
    assert agency in lines["agency"] and both not in lines["agency"]


def text_of_lines(pdf: bytes) -> list[str]:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return "\n".join(page.extract_text() for page in pages).replace("\u00a0", " ").splitlines()


def test_english_letters_write_dates_with_the_month_in_words() -> None:
    """The fault: a note to the US Department of State said "born 01.07.1996" and "unpaid
    wages for the period 01.06.2026 to 31.08.2026", which an American reads as 7 January and
    6 January; the letter's own date was already "24 November 2026"."""
    person = PersonInfo(**(ASSEL_DOCUMENTED | {"birth_date": date(1996, 7, 1)}))
    note = text_of(
        render_letter(make_context("note_verbale_labour_authority", "en", person=person))
    )
    assert "born 1 July 1996" in note and "01.07.1996" not in note
    claim = Claim(Decimal("9000"), "USD", "wages", date(2026, 6, 1), date(2026, 8, 31))
    text = claim_text(claim, "en", "9,000 USD", date_numeric)
    assert text == "9,000 USD (unpaid wages for the period from 1 June 2026 to 31 August 2026)"
    # Russian keeps its numeric form («за период с 01.06.2026 по 31.08.2026»).
    assert "с 01.06.2026 по 31.08.2026" in claim_text(claim, "ru", "9 000 USD", date_numeric)
