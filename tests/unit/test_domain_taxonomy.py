from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from app.domain import taxonomy
from app.domain.codes import (
    CaseStatus,
    Category,
    Channel,
    EventKind,
    IloIndicator,
    LetterKind,
    Role,
    Urgency,
    label,
    parse_code,
)
from app.errors import NotFound, ValidationError
from app.i18n import LANGUAGES, set_language

KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


def test_codes_match_the_design() -> None:
    assert [c.value for c in CaseStatus] == [
        "new", "in_progress", "awaiting_response", "referred", "resolved", "closed", "rejected",
    ]  # fmt: skip
    assert [u.value for u in Urgency] == ["low", "normal", "high", "critical"]
    # HQ on a database server adds three roles matching its PostgreSQL groups (issue 22).
    assert [r.value for r in Role] == [
        "attache", "consul", "admin", "hq", "hq_analyst", "hq_importer", "hq_admin",
    ]  # fmt: skip
    assert len(Category) == 18 and len(LetterKind) == 6 and len(IloIndicator) == 11
    # 12th: status_undone (issue 18); 13th: reply_received (a reply to a letter, recorded).
    assert len(Channel) == 8 and len(EventKind) == 13


def test_every_category_present_once_in_order() -> None:
    assert [info.code for info in taxonomy.categories()] == list(Category)


def test_every_indicator_numbered_in_ilo_order() -> None:
    infos = taxonomy.ilo_indicators()
    assert [(i.number, i.code) for i in infos] == [
        (n, code) for n, code in enumerate(IloIndicator, start=1)
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_all_texts_present_in_every_language(language: str) -> None:
    for cat in taxonomy.categories():
        assert cat.label(language).strip(), (cat.code, language)
        assert cat.description(language).strip().endswith("."), (cat.code, language)
    for ind in taxonomy.ilo_indicators():
        assert ind.label(language).strip(), (ind.code, language)
        assert ind.description(language).strip().endswith("."), (ind.code, language)
    for conv in taxonomy.conventions():
        assert conv.title(language).strip(), (conv.code, language)


def test_languages_really_differ() -> None:
    for cat in taxonomy.categories():
        assert len({cat.label(lang) for lang in LANGUAGES}) == 3, cat.code
    for ind in taxonomy.ilo_indicators():
        assert len({ind.label(lang) for lang in LANGUAGES}) == 3, ind.code


def test_kazakh_texts_use_kazakh_letters() -> None:
    kk_texts = [c.label("kk") + c.description("kk") for c in taxonomy.categories()]
    kk_texts += [i.label("kk") + i.description("kk") for i in taxonomy.ilo_indicators()]
    assert KAZAKH_LETTERS & set("".join(kk_texts))
    # Every description is a Kazakh sentence, not Russian: each has a Kazakh-specific letter.
    for text in kk_texts:
        assert KAZAKH_LETTERS & set(text), text


def test_russian_texts_have_no_kazakh_letters() -> None:
    for cat in taxonomy.categories():
        assert not KAZAKH_LETTERS & set(cat.label("ru") + cat.description("ru")), cat.code


def test_category_details() -> None:
    wages = taxonomy.category("unpaid_wages")
    assert wages.code is Category.UNPAID_WAGES
    assert wages.label("en") == "Unpaid or underpaid wages"
    assert wages.label("ru") == "Невыплата или неполная выплата заработной платы"
    assert wages.label("kk") == "Жалақының төленбеуі немесе толық төленбеуі"
    assert wages.ilo_indicators == (IloIndicator.WITHHOLDING_OF_WAGES,)
    docs = taxonomy.category(Category.DOCUMENTS_WITHHELD)
    assert IloIndicator.RETENTION_OF_IDENTITY_DOCUMENTS in docs.ilo_indicators


def test_life_or_liberty_categories_are_suggested_critical() -> None:
    critical = {c.code for c in taxonomy.categories() if c.life_or_liberty}
    assert critical == {
        Category.VIOLENCE,
        Category.SEXUAL_ABUSE,
        Category.RESTRICTION_OF_FREEDOM,
        Category.TRAFFICKING_FORCED_LABOUR,
        Category.DETENTION,
        Category.WHEREABOUTS_UNKNOWN,
    }
    for cat in taxonomy.categories():
        assert (cat.suggested_urgency is Urgency.CRITICAL) == cat.life_or_liberty, cat.code


def test_indicator_conventions_are_known_instruments() -> None:
    known = {c.code for c in taxonomy.conventions()}
    assert {"C029", "P029", "C105", "C097", "C143", "C181", "C189"} <= known
    for ind in taxonomy.ilo_indicators():
        assert "C029" in ind.conventions
        assert set(ind.conventions) <= known, ind.code
    assert taxonomy.convention("C181").title("en") == (
        "Private Employment Agencies Convention, 1997 (No. 181)"
    )


def test_unknown_codes_raise_not_found() -> None:
    with pytest.raises(NotFound, match="Unknown complaint category: salary"):
        taxonomy.category("salary")
    with pytest.raises(NotFound, match="Unknown ILO indicator: slavery"):
        taxonomy.ilo_indicator("slavery")
    with pytest.raises(NotFound, match="Unknown ILO instrument: C999"):
        taxonomy.convention("C999")


def test_label_follows_the_current_language() -> None:
    assert label(Category.DETENTION) == "Detention or court proceedings"
    assert label(Category.DETENTION, "kk") == "Ұсталу немесе сот ісі"
    assert label(IloIndicator.DEBT_BONDAGE, "ru") == "Долговая кабала"
    set_language("kk")
    assert label(Category.WHEREABOUTS_UNKNOWN) == "Тұрған жері белгісіз"
    assert label(IloIndicator.ISOLATION) == "Оқшаулау"


def test_gettext_labels_exist_for_every_other_code() -> None:
    for enum_type in (CaseStatus, Urgency, Role, LetterKind, Channel, EventKind):
        labels = [label(member) for member in enum_type]
        assert all(labels) and len(set(labels)) == len(labels), enum_type
    assert label(CaseStatus.AWAITING_RESPONSE) == "Awaiting response"
    assert label(Role.ATTACHE) == "Labour attaché"
    assert label(LetterKind.REFERRAL) == "Referral to a support organisation"


def test_parse_code() -> None:
    assert parse_code(Urgency, " high ") is Urgency.HIGH
    with pytest.raises(ValidationError) as caught:
        parse_code(Urgency, "urgent", field="urgency")
    assert str(caught.value) == (
        "Unknown code “urgent”; expected one of: low, normal, high, critical."
    )
    assert caught.value.field == "urgency"


def test_a_convention_has_one_title_wherever_qorgau_names_it() -> None:
    """The indicators' list of conventions and the agreements library titled C097, C143 and
    others differently in Russian and Kazakh («Еңбекші мигранттар» beside «Еңбекші
    көшіп-қонушылар»): one vocabulary, the library's."""
    from app.agreements.library import load_library

    library = {item.id: item.title for item in load_library().instruments}
    for conv in taxonomy.conventions():
        title = library[
            f"ilo-{conv.code.lower()}" if conv.code == "P029" else f"ilo-c{conv.number:03d}"
        ]
        for language in LANGUAGES:
            assert conv.title(language) == title.in_(language), (conv.code, language)
    # One place keeps a title: the indicators' file names its conventions by code only, so a
    # second wording cannot come back there.
    raw = json.loads((taxonomy.TAXONOMY_DIR / "ilo_indicators.json").read_text("utf-8"))
    assert all(set(item) == {"code", "number", "year"} for item in raw["conventions"])
    # Each convention an indicator cites is one the library titles.
    cited = {code for indicator in taxonomy.ilo_indicators() for code in indicator.conventions}
    assert cited <= {conv.code for conv in taxonomy.conventions()}
