"""The agreements library: seed data, validation of library files, applicability, citations."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.agreements import (
    Basis,
    InstrumentKind,
    InstrumentStatus,
    Library,
    Provision,
    Ratification,
    applicable_instruments,
    article_text,
    citation_text,
    expired_instruments,
    is_verified,
    load_library,
    parse_library,
    parse_library_bytes,
    pending_instruments,
    relevant_provisions,
    status_label,
)
from app.agreements.library import DEFAULT_LIBRARY_PATH, status_text
from app.domain.codes import Category
from app.domain.kk_dates import KK_MONTHS_LOCATIVE
from app.errors import NotFound, ValidationError
from tests.builders import with_the_kyrgyz_agreement_expired

SCHEMA_PATH = DEFAULT_LIBRARY_PATH.with_name("library.schema.json")
KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
DEMO_HOSTS = ("KR", "TR", "AE", "RU", "DE", "GB", "US", "IL", "QA", "KG")


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


@pytest.fixture()
def document() -> dict[str, Any]:
    return json.loads(DEFAULT_LIBRARY_PATH.read_text(encoding="utf-8"))


def bases(library: Library, country: str) -> dict[str, Basis]:
    return {item.instrument.id: item.basis for item in applicable_instruments(library, country)}


# --- seed data ---------------------------------------------------------------------------------


def test_seed_library_loads_with_the_expected_instruments(library: Library) -> None:
    ids = {instrument.id for instrument in library.instruments}
    assert {
        "eaeu-treaty-2014",
        "cis-labour-migration-1994",
        "kz-by-labour-1997",
        "kz-kg-migrant-workers-2006",
        "kz-tj-migrant-workers-2006",
        "kz-uz-migrant-workers-2019",
        "kz-qa-employment-2024",
        "kz-gb-glaa-seasonal-mou-2025",
        "kz-kr-eps-memorandum",
        "ilo-c029",
        "ilo-p029",
        "ilo-c105",
        "ilo-c097",
        "ilo-c143",
        "ilo-c181",
        "ilo-c189",
    } <= ids
    for country in ("TR", "AE", "DE", "IL", "US"):
        # A paper recommends them (research, correction 4); only the UAE's is in the labour
        # ministry's list of memoranda in preparation (section A), a government plan.
        proposed = library.instrument(f"kz-{country.lower()}-recommended")
        expected = InstrumentStatus.PLANNED if country == "AE" else InstrumentStatus.RECOMMENDED
        assert proposed.status is expected
        assert not proposed.is_binding
        assert proposed.provisions == ()


def test_eaeu_treaty_facts(library: Library) -> None:
    eaeu = library.instrument("eaeu-treaty-2014")
    assert eaeu.signed_on == date(2014, 5, 29)
    assert eaeu.in_force_on == date(2015, 1, 1)
    assert eaeu.parties == ("AM", "BY", "KG", "KZ", "RU")
    assert eaeu.status is InstrumentStatus.IN_FORCE
    articles = [provision.article for provision in eaeu.provisions]
    assert "Art. 96" in articles and "Art. 97(1)" in articles
    assert any(article.startswith("Art. 98") for article in articles)


def test_unsure_items_are_not_presented_as_settled(library: Library) -> None:
    for instrument_id in (
        "cis-labour-migration-1994",
        "kz-by-labour-1997",
        "kz-tj-migrant-workers-2006",
        "kz-kr-eps-memorandum",
        "kz-uz-migrant-workers-2019",
        "ilo-c097",
        "ilo-c143",
        "ilo-c181",
        "ilo-c189",
    ):
        instrument = library.instrument(instrument_id)
        assert instrument.verified is False, instrument_id
        assert instrument.note is not None, instrument_id
    uz = library.instrument("kz-uz-migrant-workers-2019")
    assert uz.status is InstrumentStatus.IN_FORCE
    assert "314-VI" in uz.note_in("en")  # type: ignore[operator]
    assert "not confirmed" in uz.note_in("en")  # type: ignore[operator]


def test_ilo_ratification_by_kazakhstan(library: Library) -> None:
    assert library.instrument("ilo-c029").ratification("KZ") is Ratification.RATIFIED
    assert library.instrument("ilo-c105").ratification("KZ") is Ratification.RATIFIED
    # C097: Kazakhstan has not ratified it, and NORMLEX says so (research, correction 5).
    c097_kz = library.instrument("ilo-c097").ratification_entry("KZ")
    assert c097_kz is not None and not c097_kz.ratified and c097_kz.verified
    assert "normlex" in c097_kz.source
    for instrument_id in ("ilo-p029", "ilo-c189"):
        assert library.instrument(instrument_id).ratification("KZ") is Ratification.UNKNOWN


def test_every_title_and_summary_is_written_in_all_three_languages(library: Library) -> None:
    for instrument in library.instruments:
        texts = [instrument.title] + [provision.summary for provision in instrument.provisions]
        if instrument.note:
            texts.append(instrument.note)
        for text in texts:
            assert text.kk and text.ru and text.en
            assert len({text.kk, text.ru, text.en}) == 3, instrument.id
            assert re.search("[А-Яа-яЁё]", text.ru), text.ru
            assert not re.search("[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]", text.en), text.en


def test_kazakh_texts_use_kazakh_letters(library: Library) -> None:
    for instrument in library.instruments:
        assert KAZAKH_LETTERS & set(instrument.title.kk), instrument.title.kk
        for provision in instrument.provisions:
            assert KAZAKH_LETTERS & set(provision.summary.kk), provision.summary.kk
            # No Russian words carried into Kazakh text.
            assert not re.search(r"\b(и|или|не|для|от)\b", provision.summary.kk)


def test_ilo_provisions_carry_valid_categories(library: Library) -> None:
    c181 = library.instrument("ilo-c181")
    fees = c181.provision("art-7-1")
    assert fees.categories == (Category.RECRUITMENT_FEES,)
    assert "fees" in fees.summary_in("en")
    with pytest.raises(NotFound, match="has no provision art-99"):
        c181.provision("art-99")


def test_schema_lists_the_same_codes_as_the_code(document: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    defs = schema["$defs"]
    props = defs["instrument"]["properties"]
    assert props["kind"]["enum"] == [kind.value for kind in InstrumentKind]
    assert props["status"]["enum"] == [status.value for status in InstrumentStatus]
    assert defs["category"]["enum"] == [category.value for category in Category]
    optional = {"note", "ratified_by", "not_ratified_by", "expired_on"}
    assert set(defs["instrument"]["required"]) | optional == set(props)
    assert set(defs["provision"]["required"]) == set(defs["provision"]["properties"])
    assert schema["properties"]["format"]["const"] == document["format"]


# --- lookup and search -------------------------------------------------------------------------


def test_instrument_lookup_and_titles(library: Library) -> None:
    eaeu = library.instrument("eaeu-treaty-2014")
    assert eaeu.title_in("en") == "Treaty on the Eurasian Economic Union"
    assert eaeu.title_in("ru") == "Договор о Евразийском экономическом союзе"
    assert eaeu.title_in("kk") == "Еуразиялық экономикалық одақ туралы шарт"
    with pytest.raises(NotFound, match="No instrument nope in the agreement library"):
        library.instrument("nope")
    with pytest.raises(ValidationError, match="Unsupported language: de"):
        eaeu.title_in("de")


def test_search_is_case_insensitive_in_every_language(library: Library) -> None:
    assert [i.id for i in library.search("ЕУРАЗИЯЛЫҚ")] == [
        "eaeu-treaty-2014",
        "eaeu-pension-agreement-2019",
    ]
    assert "eaeu-treaty-2014" in [i.id for i in library.search("евразийском")]
    assert "ilo-c181" in [i.id for i in library.search("ANY FEES OR COSTS")]
    assert "ilo-c181" in [i.id for i in library.search("агентства занятости")]
    assert [i.id for i in library.search("домашних работников")] == ["ilo-c189"]
    assert library.search("no such words anywhere") == []
    assert len(library.search("  ")) == len(library.instruments)


def test_search_puts_matches_in_the_chosen_language_first(document: dict[str, Any]) -> None:
    # The first instrument has the word in Russian only, the second in Kazakh and Russian.
    document["instruments"][0]["title"]["ru"] += " (Зебра)"
    document["instruments"][1]["title"]["ru"] += " (Зебра)"
    document["instruments"][1]["title"]["kk"] += " (Зебра)"
    marked = parse_library(document)
    in_kazakh_first = ["eaeu-pension-agreement-2019", "eaeu-treaty-2014"]
    file_order = ["eaeu-treaty-2014", "eaeu-pension-agreement-2019"]
    assert [i.id for i in marked.search("ЗЕБРА", "kk")] == in_kazakh_first
    assert [i.id for i in marked.search("зебра", "ru")] == file_order
    assert [i.id for i in marked.search("зебра", "en")] == file_order
    assert [i.id for i in marked.search("зебра")] == file_order


def test_status_label_is_a_readable_text() -> None:
    assert status_label("in_force") == "In force"
    assert status_label(InstrumentStatus.NEGOTIATING) == "Under negotiation"


# --- applicability -----------------------------------------------------------------------------


def test_eaeu_member_russia(library: Library) -> None:
    found = applicable_instruments(library, "RU")
    assert found[0].instrument.id == "eaeu-treaty-2014"
    assert found[0].basis is Basis.EAEU
    by_id = bases(library, "RU")
    assert by_id["cis-labour-migration-1994"] is Basis.CIS
    assert by_id["ilo-c029"] is Basis.ILO
    assert by_id["ilo-c181"] is Basis.STANDARD
    assert not any(basis is Basis.BILATERAL for basis in by_id.values())
    assert pending_instruments(library, "RU") == []


def test_kyrgyzstan_is_bilateral_and_eaeu(library: Library) -> None:
    found = applicable_instruments(library, "kg")
    assert [(item.instrument.id, item.basis) for item in found[:5]] == [
        ("kz-kg-migrant-workers-2006", Basis.BILATERAL),
        ("kz-kg-stay-of-citizens-2012", Basis.BILATERAL),
        ("eaeu-treaty-2014", Basis.EAEU),
        ("eaeu-pension-agreement-2019", Basis.EAEU),
        ("cis-labour-migration-1994", Basis.CIS),
    ]


def test_uzbekistan_is_bilateral_and_cis_but_not_eaeu(library: Library) -> None:
    by_id = bases(library, "UZ")
    assert by_id["kz-uz-migrant-workers-2019"] is Basis.BILATERAL
    assert by_id["cis-labour-migration-1994"] is Basis.CIS
    assert "eaeu-treaty-2014" not in by_id


def test_tajikistan_s_agreement_signed_not_in_force_binds_no_one(library: Library) -> None:
    """The fault: the 2006 agreement with Tajikistan, whose entry into force no source
    confirms (status "signed"), was listed as a bilateral agreement binding Tajikistan, first of
    all; the contract review, letters and briefing sheets then cited it as law in force."""
    found = applicable_instruments(library, "TJ")
    assert "kz-tj-migrant-workers-2006" not in {item.instrument.id for item in found}
    assert found[0].basis is Basis.CIS
    (signed,) = pending_instruments(library, "TJ")
    assert signed.id == "kz-tj-migrant-workers-2006" and not signed.is_binding
    assert status_label(signed.status) == "Signed, not in force"


def test_qatar_has_a_bilateral_agreement_only(library: Library) -> None:
    by_id = bases(library, "QA")
    assert by_id["kz-qa-employment-2024"] is Basis.BILATERAL
    agreements = [i for i, basis in by_id.items() if basis is Basis.BILATERAL]
    assert agreements == ["kz-qa-employment-2024"]
    # Kazakhstan's own law is listed, but never as binding on the host.
    assert by_id["kz-law-human-trafficking-2024"] is Basis.HOME_LAW


def test_turkiye_has_only_ilo_and_un_conventions_and_a_planned_agreement(
    library: Library,
) -> None:
    found = applicable_instruments(library, "TR")
    assert found and all(
        item.instrument.is_multilateral or item.basis is Basis.HOME_LAW for item in found
    )
    assert {item.basis for item in found} == {
        Basis.TREATY,
        Basis.ILO,
        Basis.STANDARD,
        Basis.HOME_LAW,
    }
    ratified = [item.instrument.id for item in found if item.basis is Basis.ILO]
    assert ratified == ["ilo-c029", "ilo-c105"]
    # Türkiye is a party to the UN migrant workers' convention (2004), which binds it.
    treaties = [item.instrument.id for item in found if item.basis is Basis.TREATY]
    assert treaties == ["un-migrant-workers-convention-1990"]
    # Ratified conventions come before mere standards.
    assert [item.binding for item in found] == sorted(
        (item.binding for item in found), reverse=True
    )
    assert [i.id for i in pending_instruments(library, "TR")] == ["kz-tr-recommended"]


def test_ilo_ratified_and_unknown_are_kept_apart(library: Library) -> None:
    us = {item.instrument.id: item for item in applicable_instruments(library, "US")}
    assert us["ilo-c105"].basis is Basis.ILO
    assert us["ilo-c029"].basis is Basis.STANDARD
    assert us["ilo-c029"].ratification is Ratification.NOT_RATIFIED
    ir = {item.instrument.id: item for item in applicable_instruments(library, "IR")}
    assert ir["ilo-c029"].basis is Basis.STANDARD
    assert ir["ilo-c029"].ratification is Ratification.UNKNOWN
    assert ir["ilo-c029"].binding is False


def test_korea_and_uk(library: Library) -> None:
    assert [i.id for i in pending_instruments(library, "KR")] == ["kz-kr-eps-memorandum"]
    assert "kz-kr-eps-memorandum" not in bases(library, "KR")
    gb = bases(library, "GB")
    # The memorandum with the GLAA is signed, not in force: information, never law.
    assert "kz-gb-glaa-seasonal-mou-2025" not in gb
    assert [i.id for i in pending_instruments(library, "GB")] == ["kz-gb-glaa-seasonal-mou-2025"]
    assert gb["ilo-p029"] is Basis.ILO


def test_only_an_instrument_in_force_binds(library: Library) -> None:
    """Every status but "in force" leaves an instrument out of what applies, wherever the
    host is a party; the signed ones are listed as pending, with their status."""
    for instrument in library.instruments:
        if instrument.is_multilateral or instrument.is_national_law:
            continue
        for host in set(instrument.parties) - {"KZ"}:
            applies = {item.instrument.id for item in applicable_instruments(library, host)}
            pending = {item.id for item in pending_instruments(library, host)}
            in_force = instrument.status is InstrumentStatus.IN_FORCE
            assert (instrument.id in applies) == in_force, (instrument.id, host)
            assert (instrument.id in pending) == (not in_force), (instrument.id, host)


def test_every_demo_host_gets_an_answer(library: Library) -> None:
    for country in DEMO_HOSTS:
        found = applicable_instruments(library, country)
        assert any(item.instrument.id == "ilo-c029" for item in found), country


def test_bad_country_code_is_refused(library: Library) -> None:
    with pytest.raises(ValidationError, match="“Turkey” is not a known two-letter country code"):
        applicable_instruments(library, "Turkey")
    with pytest.raises(ValidationError, match="is not a known two-letter country code"):
        pending_instruments(library, "")
    with pytest.raises(ValidationError, match="“XX” is not a known two-letter country code"):
        applicable_instruments(library, "XX")


# --- relevant provisions and citations ----------------------------------------------------------


def test_unpaid_wages_in_russia_cite_eaeu_article_98(library: Library) -> None:
    found = relevant_provisions(library, "RU", ["unpaid_wages"])
    first_instrument, first_provision = found[0]
    assert first_instrument.id == "eaeu-treaty-2014"
    assert first_provision.article == "Art. 98"
    assert all(Category.UNPAID_WAGES in provision.categories for _i, provision in found)
    assert ("ilo-c189", "art-12-1") in [(i.id, p.id) for i, p in found]


def test_provisions_for_several_categories_follow_the_instrument_order(library: Library) -> None:
    found = relevant_provisions(library, "TR", ["recruitment_fees", "documents_withheld"])
    pairs = [(i.id, p.id) for i, p in found]
    assert ("ilo-c181", "art-7-1") in pairs
    assert ("ilo-c189", "art-9") in pairs
    assert pairs.index(("ilo-c181", "art-7-1")) < pairs.index(("ilo-c189", "art-9"))
    assert relevant_provisions(library, "TR", []) == []


def test_unknown_category_is_refused(library: Library) -> None:
    with pytest.raises(ValidationError, match="unpaid_wages") as info:
        relevant_provisions(library, "RU", ["wages"])
    assert info.value.field == "categories"


def test_citation_in_three_languages(library: Library) -> None:
    eaeu = library.instrument("eaeu-treaty-2014")
    art_97_1 = eaeu.provision("art-97-1")
    assert not is_verified(eaeu, art_97_1)  # read in an unofficial copy
    assert citation_text(eaeu, art_97_1, "en").endswith("Art. 97(1) (unverified)")
    assert (
        citation_text(eaeu, art_97_1, "en", mark_unverified=False)
        == "Treaty on the Eurasian Economic Union of 29 May 2014, Art. 97(1)"
    )
    assert (
        citation_text(eaeu, art_97_1, "ru", mark_unverified=False)
        # babel keeps "2014 г." together with a no-break space, as Russian typography wants.
        == "Договор о Евразийском экономическом союзе от 29 мая 2014\u00a0г., п. 1 ст. 97"
    )
    assert (
        citation_text(eaeu, art_97_1, "kk", mark_unverified=False)
        == "2014 жылғы 29 мамырдағы Еуразиялық экономикалық одақ туралы шарт, 97-баптың 1-тармағы"
    )


def test_ilo_citation_has_no_extra_date(library: Library) -> None:
    c029 = library.instrument("ilo-c029")
    article = c029.provision("art-2-1")
    assert (
        citation_text(c029, article, "en") == "Forced Labour Convention, 1930 (No. 29), Art. 2(1)"
    )


def test_unverified_citations_are_flagged(library: Library) -> None:
    eaeu = library.instrument("eaeu-treaty-2014")
    unsure_article = eaeu.provision("art-98-labour-rights")
    assert not is_verified(eaeu, unsure_article)
    assert citation_text(eaeu, unsure_article, "en").endswith(", Art. 98 (unverified)")
    assert not citation_text(eaeu, unsure_article, "en", mark_unverified=False).endswith(
        "(unverified)"
    )
    # A verified provision of an unverified instrument is still an unverified citation.
    c181 = library.instrument("ilo-c181")
    fees = c181.provision("art-7-1")
    assert fees.verified and not c181.verified
    assert not is_verified(c181, fees)
    assert citation_text(c181, fees, "en").endswith("(unverified)")


def test_article_forms_in_each_language() -> None:
    assert article_text("Art. 15(1)(e)", "ru") == "подп. «e» п. 1 ст. 15"
    assert article_text("Art. 15(1)(e)", "kk") == "15-баптың 1-тармағының e) тармақшасы"
    assert article_text("Art. 2(d)", "kk") == "2-баптың d) тармақшасы"
    assert article_text("Art. 25", "kk") == "25-бап"
    assert article_text("Art. 25", "ru") == "ст. 25"
    assert article_text("Annex I, Art. 5", "ru") == "Annex I, Art. 5"


def test_kazakh_citation_dates_for_every_month(library: Library) -> None:
    uz = library.instrument("kz-uz-migrant-workers-2019")
    provision = Provision("art-1", "Art. 1", uz.title, (Category.OTHER,), True)
    text = citation_text(uz, provision, "kk", mark_unverified=False)
    assert text.startswith(
        "2019 жылғы 15 сәуірдегі Қазақстан Республикасының Үкіметі мен Өзбекстан"
    )
    assert text.endswith("келісім, 1-бап")
    months = [
        citation_text(replace(uz, signed_on=date(2020, month, 1)), provision, "kk").split()[3]
        for month in range(1, 13)
    ]
    assert months == list(KK_MONTHS_LOCATIVE)
    assert months[4] == "мамырдағы" and months[10] == "қарашадағы"
    undated = replace(uz, signed_on=None)
    assert (
        citation_text(undated, provision, "en", mark_unverified=False) == f"{uz.title.en}, Art. 1"
    )
    with pytest.raises(ValidationError, match="Unsupported language: fr"):
        citation_text(uz, provision, "fr")


# --- validation of library files ---------------------------------------------------------------


def refused(document: object) -> str:
    with pytest.raises(ValidationError) as info:
        parse_library(document)
    return str(info.value)


def test_a_valid_copy_parses_to_the_same_library(
    document: dict[str, Any], library: Library
) -> None:
    assert parse_library(copy.deepcopy(document)) == library


def test_missing_kazakh_title_is_refused(document: dict[str, Any]) -> None:
    del document["instruments"][0]["title"]["kk"]
    assert refused(document) == (
        "Invalid agreement library at instruments[0] (eaeu-treaty-2014).title: missing kk."
    )


def test_empty_summary_is_refused(document: dict[str, Any]) -> None:
    document["instruments"][0]["provisions"][1]["summary"]["ru"] = "   "
    message = refused(document)
    assert "instruments[0] (eaeu-treaty-2014).provisions[1].summary.ru" in message
    assert "must be a non-empty text" in message


def test_unknown_category_in_file_is_refused(document: dict[str, Any]) -> None:
    document["instruments"][0]["provisions"][0]["categories"] = ["wages"]
    assert "unknown category code wages" in refused(document)


def test_bad_codes_and_values_are_refused(document: dict[str, Any]) -> None:
    cases: list[tuple[str, Any, str]] = [
        ("kind", "pact", "pact is not one of: treaty, agreement"),
        ("status", "valid", "valid is not one of: in_force, signed"),
        ("signed_on", "29.05.2014", "must be a date written as YYYY-MM-DD, or null"),
        ("in_force_on", "2013-01-01", "is earlier than signed_on"),
        ("parties", ["RU", "ru"], "ru is not a two-letter country code"),
        ("parties", ["AM", "BY"], "must include KZ and at least one other country"),
        ("verified", "yes", "must be true or false"),
        ("id", "EAEU Treaty", "must be a lower-case slug"),
        (
            "ratified_by",
            {"TJ": {"date": None, "source": "", "checked_on": None, "verified": False}},
            "ratified_by.TJ: TJ is not one of the parties",
        ),
    ]
    for key, value, expected in cases:
        broken = copy.deepcopy(document)
        broken["instruments"][0][key] = value
        assert expected in refused(broken), key


def test_unknown_and_missing_keys_are_refused(document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    broken["instruments"][1]["ratified"] = True
    assert "instruments[1]: unknown ratified" in refused(broken)
    broken = copy.deepcopy(document)
    del broken["instruments"][1]["status"]
    assert "instruments[1]: missing status" in refused(broken)


def test_duplicate_ids_are_refused(document: dict[str, Any]) -> None:
    document["instruments"].append(copy.deepcopy(document["instruments"][0]))
    last = len(document["instruments"]) - 1
    assert f"instruments[{last}].id: duplicate id eaeu-treaty-2014" in refused(document)


def test_ilo_ratification_lists_must_not_overlap(document: dict[str, Any]) -> None:
    c029 = next(item for item in document["instruments"] if item["id"] == "ilo-c029")
    c029["not_ratified_by"]["RU"] = {"source": "", "checked_on": None, "verified": False}
    assert "also listed in ratified_by: RU" in refused(document)


def test_wrong_format_or_version_is_refused(document: dict[str, Any]) -> None:
    assert "format" in refused({**document, "format": "something-else"})
    assert "unsupported version 1" in refused({**document, "version": 1})
    assert "unsupported version True" in refused({**document, "version": True})
    assert "instruments: must be a non-empty list" in refused({**document, "instruments": []})
    assert "Invalid agreement library at $: must be an object" in refused([1, 2])


def test_malformed_files_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    broken = tmp_path / "library.json"
    broken.write_text('{"format": "qorgau-agreements", "version": 1,', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"not valid JSON \(line 1, column 46\)"):
        load_library(broken)
    with pytest.raises(ValidationError, match="cannot be read"):
        load_library(tmp_path / "missing.json")
    with pytest.raises(ValidationError, match="not UTF-8"):
        parse_library_bytes(b"\xff\xfe{}")


def test_library_from_bytes(document: dict[str, Any], library: Library) -> None:
    raw = json.dumps(document, ensure_ascii=False).encode("utf-8")
    assert parse_library_bytes(raw) == library


def test_an_expired_agreement_is_listed_apart_never_as_binding() -> None:
    """The fault: an agreement whose status is "expired" was neither applicable nor pending,
    so it vanished from the host country's view; it is now listed apart, with until when."""
    library = with_the_kyrgyz_agreement_expired(date(2024, 3, 31))
    (expired,) = expired_instruments(library, "KG")
    assert expired.id == "kz-kg-migrant-workers-2006" and not expired.is_binding
    assert expired.id not in {a.instrument.id for a in applicable_instruments(library, "KG")}
    assert expired.id not in {i.id for i in pending_instruments(library, "KG")}
    cited = relevant_provisions(library, "KG", [Category.DOCUMENTS_WITHHELD.value])
    assert cited and all(instrument.id != expired.id for instrument, _provision in cited)
    assert status_text(expired.status, expired.in_force_on, expired.expired_on) == (
        "Expired: in force until 31 Mar 2024"
    )
    assert status_text(expired.status, expired.in_force_on) == "Expired (until when not recorded)"
    assert expired_instruments(library, "TJ") == []


def test_expired_on_is_refused_unless_the_status_is_expired() -> None:
    document = json.loads(DEFAULT_LIBRARY_PATH.read_text(encoding="utf-8"))
    (kg,) = [i for i in document["instruments"] if i["id"] == "kz-kg-migrant-workers-2006"]
    kg["expired_on"] = "2024-03-31"
    with pytest.raises(ValidationError, match="expired_on: is set but the status is in_force"):
        parse_library(document)
    kg["status"] = "expired"
    assert parse_library(document).instrument(kg["id"]).expired_on == date(2024, 3, 31)


def test_each_eaeu_member_is_bound_from_its_own_day(library: Library) -> None:
    """The fault: the EAEU Treaty was dated from 1 January 2015 for every member, although
    Armenia was bound from 2 January 2015 and Kyrgyzstan, which acceded later, from
    6 August 2015 (the days the library's sources give, each marked unverified)."""
    days = {
        country: next(
            a.binds_from
            for a in applicable_instruments(library, country)
            if a.instrument.id == "eaeu-treaty-2014"
        )
        for country in ("AM", "BY", "KG", "RU")
    }
    assert days == {
        "AM": date(2015, 1, 2),
        "BY": date(2015, 1, 1),
        "KG": date(2015, 8, 6),
        "RU": date(2015, 1, 1),
    }
    treaty = library.instrument("eaeu-treaty-2014")
    kg = treaty.ratification_entry("KG")
    assert kg is not None and kg.source == "https://tass.com/economy/812859" and not kg.verified
    # A party with no day recorded is bound from no day the library claims.
    without_kg = replace(
        treaty, ratifications=tuple(e for e in treaty.ratifications if e.state != "KG")
    )
    (kg_bound,) = [
        a for a in applicable_instruments(replace(library, instruments=(without_kg,)), "KG")
    ]
    assert kg_bound.binding and kg_bound.binds_from is None


def test_only_a_union_s_parties_carry_their_own_days(document: dict[str, Any]) -> None:
    entry = {"date": None, "source": "", "checked_on": None, "verified": False}
    qatar = next(i for i in document["instruments"] if i["id"] == "kz-qa-employment-2024")
    qatar["ratified_by"] = {"QA": entry}
    assert "ratified_by: is for ILO and UN instruments only" in refused(document)
    del qatar["ratified_by"]
    document["instruments"][0]["not_ratified_by"] = {
        "UZ": {"source": "", "checked_on": None, "verified": False}
    }
    assert "not_ratified_by: is for ILO and UN instruments only" in refused(document)


# The Russian titles ILO conventions give themselves in their Russian texts (the ILO's Russian
# text of Protocol P029 names C029 and C105 so; C097 names itself in its preamble).
OFFICIAL_RUSSIAN_TITLES = {
    "ilo-c029": "Конвенция 1930 года о принудительном труде (№ 29)",
    "ilo-c105": "Конвенция 1957 года об упразднении принудительного труда (№ 105)",
    "ilo-c097": "Конвенция (пересмотренная) 1949 года о трудящихся-мигрантах (№ 97)",
    "ilo-p029": "Протокол 2014 года к Конвенции 1930 года о принудительном труде",
}


@pytest.mark.parametrize("slug", sorted(OFFICIAL_RUSSIAN_TITLES))
def test_ilo_instruments_have_their_official_russian_titles(slug: str) -> None:
    """The fault: C097 was «Конвенция 1949 года о трудящихся-мигрантах (пересмотренная)», and
    C029 «…о принудительном или обязательном труде», forms no official text uses."""
    instrument = load_library().instrument(slug)
    assert instrument.title_in("ru") == OFFICIAL_RUSSIAN_TITLES[slug]
    if slug == "ilo-c097":  # unverified: the copies it rests on are its source
        assert "Russian title" in instrument.source
    if slug == "ilo-c029":  # verified on NORMLEX: the title's copies are named in the docs
        sources = (Path(__file__).parents[2] / "docs" / "legal-sources.md").read_text("utf-8")
        assert "Конвенцией 1930 года о принудительном труде" in sources
