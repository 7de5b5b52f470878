"""Every legal fact keeps its source: the published JSON Schemas and the loaders enforce that
an entry marked verified names a source and the date it was checked (issue 16)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from app.agreements import Basis, Ratification, applicable_instruments, load_library
from app.agreements.library import DEFAULT_LIBRARY_PATH, InstrumentStatus, parse_library
from app.contracts.reference import REFERENCE_FILE as HOST_COUNTRIES_PATH
from app.errors import ValidationError

LIBRARY_SCHEMA = DEFAULT_LIBRARY_PATH.with_name("library.schema.json")


def _validator(path: Path) -> Draft202012Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _library_document() -> dict[str, Any]:
    return json.loads(DEFAULT_LIBRARY_PATH.read_text(encoding="utf-8"))


def test_shipped_library_matches_its_schema() -> None:
    errors = list(_validator(LIBRARY_SCHEMA).iter_errors(_library_document()))
    assert errors == []


@pytest.mark.parametrize(
    "path",
    [
        ("instruments", "ilo-c029"),
        ("instruments", 0, "provisions", 0),
        ("instruments", "ilo-c029", "ratified_by", "KR"),
    ],
)
def test_verified_without_a_source_is_refused_by_schema_and_loader(path: tuple[Any, ...]) -> None:
    document = _library_document()
    entry: Any = document
    for step in path:
        if isinstance(step, str) and isinstance(entry, list):
            entry = next(item for item in entry if item["id"] == step)
        else:
            entry = entry[step]
    assert entry["verified"] is True
    for broken_field, value in (("source", ""), ("checked_on", None)):
        broken = copy.deepcopy(entry)
        broken[broken_field] = value
        entry_backup = dict(entry)
        entry.clear()
        entry.update(broken)
        assert list(_validator(LIBRARY_SCHEMA).iter_errors(document)), broken_field
        with pytest.raises(ValidationError, match="a verified entry must"):
            parse_library(document)
        entry.clear()
        entry.update(entry_backup)
    # Unverified, the same empty source is accepted: "not known" is a fact worth keeping.
    entry["source"] = ""
    entry["verified"] = False
    assert list(_validator(LIBRARY_SCHEMA).iter_errors(document)) == []
    parse_library(document)


def test_every_entry_carries_source_checked_on_and_verified() -> None:
    library = load_library()
    for instrument in library.instruments:
        assert not instrument.verified or (instrument.source and instrument.checked_on)
        for provision in instrument.provisions:
            assert not provision.verified or (provision.source and provision.checked_on)
        for entry in instrument.ratifications:
            assert not entry.verified or (entry.source and entry.checked_on), instrument.id


# --- corrected facts (research file, section D) ------------------------------------------------


# How each language's note says that the date of entry into force is not known.
DATE_UNKNOWN = {
    "kk": "күшіне енген күні",
    "ru": "вступления в силу",
    "en": "date of entry into force",
}


def _undated_without_a_note(document: dict[str, Any]) -> list[str]:
    """In-force instruments with no date whose note does not say, in each language, that the
    date of entry into force is not known."""
    return [
        item["id"]
        for item in document["instruments"]
        if item["status"] == "in_force"
        and item["in_force_on"] is None
        and not all(
            phrase in ((item.get("note") or {}).get(lang) or "").lower()
            for lang, phrase in DATE_UNKNOWN.items()
        )
    ]


def test_an_instrument_in_force_with_no_date_says_the_date_is_not_known() -> None:
    """The fault: eleven instruments were "in_force" with "in_force_on": null, five of them
    with no word on the date, and the app showed "In force" beside "In force: —", as if the
    date had been checked and left out. No source in the research gives these dates, so each
    entry's note says in every language that it is not known (the app says so wherever it
    shows the status); an entry without the date and without that note fails here."""
    document = _library_document()
    assert _undated_without_a_note(document) == []
    undated = [i for i in load_library().instruments if i.in_force_date_unknown]
    assert len(undated) >= 5
    eaeu = next(item for item in document["instruments"] if item["id"] == "eaeu-treaty-2014")
    eaeu["in_force_on"] = None  # dated, but its note says nothing of an unknown date
    assert _undated_without_a_note(document) == ["eaeu-treaty-2014"]


def test_belarus_agreement_is_of_1997_between_governments_and_doubtful() -> None:
    belarus = load_library().instrument("kz-by-labour-1997")
    assert belarus.signed_on is not None and belarus.signed_on.isoformat() == "1997-09-23"
    assert belarus.title_in("en").startswith("Agreement between the Government of")
    assert belarus.status is InstrumentStatus.DOUBTFUL and not belarus.is_binding
    assert "adilet.zan.kz/rus/docs/P000001503_" in belarus.source


def test_eaeu_diplomas_include_legal_work_and_social_security_is_98_3() -> None:
    eaeu = load_library().instrument("eaeu-treaty-2014")
    assert "teaching, legal, medical and pharmaceutical" in eaeu.provision("art-97-3").summary.en
    assert "2024 protocol" in eaeu.provision("art-97-3").summary.en
    assert eaeu.provision("art-98-3").article == "Art. 98(3)"
    pension = load_library().instrument("eaeu-pension-agreement-2019")
    assert pension.signed_on is not None and pension.signed_on.isoformat() == "2019-12-20"


def test_korea_eps_memorandum_is_reported_not_verified() -> None:
    eps = load_library().instrument("kz-kr-eps-memorandum")
    assert eps.verified is False and "(reported)" in eps.title_in("en")


def test_only_the_uae_memorandum_is_planned_the_other_papers_proposals_stay_recommended() -> None:
    """The research notes: the five agreements an academic paper proposes are recommendations,
    except the UAE's, which the labour ministry's list of November 2025 has in preparation; it
    was still "recommended" and titled as the paper's proposal."""
    library = load_library()
    statuses = {
        country: library.instrument(f"kz-{country}-recommended").status
        for country in ("tr", "ae", "de", "il", "us")
    }
    assert statuses.pop("ae") is InstrumentStatus.PLANNED
    assert set(statuses.values()) == {InstrumentStatus.RECOMMENDED}
    uae = library.instrument("kz-ae-recommended")
    assert uae.source.startswith("https://www.inform.kz/") and uae.verified is False
    assert "Recommended" not in uae.title_in("en")


def test_ratifications_are_dated_and_sourced_per_state() -> None:
    library = load_library()
    korea = library.instrument("ilo-c029").ratification_entry("KR")
    assert korea is not None and korea.ratified_on is not None
    assert korea.ratified_on.isoformat() == "2021-04-20" and korea.verified
    assert {"RU", "KG"} <= library.instrument("ilo-p029").ratified_by
    assert {"KG", "TJ"} <= library.instrument("ilo-c097").ratified_by
    assert "KZ" in library.instrument("ilo-c097").not_ratified_by
    assert "TJ" in library.instrument("ilo-c143").ratified_by
    assert "IL" in library.instrument("ilo-c181").ratified_by
    palermo = library.instrument("un-palermo-protocol-2000").ratification_entry("KZ")
    assert palermo is not None and palermo.law == "Law No. 37-IV of 4 June 2008"
    assert library.instrument("un-migrant-workers-convention-1990").ratification("KZ") is (
        Ratification.NOT_RATIFIED
    )
    qatar = library.instrument("kz-qa-employment-2024")
    # Its dates rest on a news agency's report: kept, shown as not verified.
    assert not qatar.verified and "20 October 2025" in (qatar.note_in("en") or "")


def test_qatar_agreement_carries_its_dates_in_the_fields() -> None:
    """The fault: the KZ–Qatar agreement had status "in force" and in_force_on null, its dates
    only in the note, so the app showed "In force" beside "In force: —" (research A)."""
    qatar = load_library().instrument("kz-qa-employment-2024")
    assert qatar.status.value == "in_force"
    assert (qatar.signed_on, qatar.in_force_on) == (date(2024, 2, 14), date(2025, 12, 18))
    assert "qazinform.com" in qatar.source and "baq.kz" in qatar.source
    assert "18 December 2025" in (qatar.note_in("en") or "")


def test_applicability_follows_the_ratifications() -> None:
    document = _library_document()
    c097 = next(i for i in document["instruments"] if i["id"] == "ilo-c097")
    # Korea is not known to have ratified C097: a standard, never "applies".
    korea = {a.instrument.id: a for a in applicable_instruments(parse_library(document), "KR")}
    assert korea["ilo-c097"].basis is Basis.STANDARD and not korea["ilo-c097"].binding
    assert korea["ilo-c029"].basis is Basis.ILO and korea["ilo-c029"].binding
    # Record a Korean ratification, and C097 applies there.
    c097["not_ratified_by"].pop("KR", None)
    c097["ratified_by"]["KR"] = {
        "date": "2030-01-01",
        "source": "https://normlex.ilo.org/",
        "checked_on": "2030-01-02",
        "verified": True,
    }
    korea = {a.instrument.id: a for a in applicable_instruments(parse_library(document), "KR")}
    assert korea["ilo-c097"].basis is Basis.ILO and korea["ilo-c097"].binding
    # The UN Migrant Workers Convention binds neither Kazakhstan nor (as far as known) Korea.
    mwc = korea["un-migrant-workers-convention-1990"]
    assert mwc.basis is Basis.STANDARD and not mwc.binding
    assert mwc.home_ratification is Ratification.NOT_RATIFIED


# --- host-country figures are dated -----------------------------------------------------------


def test_host_country_table_matches_its_schema_and_refuses_unsourced_verified() -> None:
    from app.contracts.reference import REFERENCE_FILE, ReferenceFileError, parse_reference

    validator = _validator(REFERENCE_FILE.with_name("host_countries.schema.json"))
    document = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    assert list(validator.iter_errors(document)) == []
    figure = document["countries"]["KR"]["hours"][0]
    assert figure["verified"] is True
    figure["source"] = ""
    assert list(validator.iter_errors(document))
    with pytest.raises(ReferenceFileError, match="verified figure must name its source"):
        parse_reference(document)


def test_review_uses_the_figure_valid_on_the_contract_date() -> None:
    from datetime import date

    from app.contracts.reference import reference_for

    korea_2025 = reference_for("KR", on=date(2025, 6, 1))
    korea_2026 = reference_for("KR", on=date(2026, 6, 1))
    assert korea_2025 is not None and korea_2025.minimum_wage is not None
    assert korea_2026 is not None and korea_2026.minimum_wage is not None
    assert str(korea_2025.minimum_wage.amount) == "10030"
    assert str(korea_2026.minimum_wage.amount) == "10320"
    israel = reference_for("IL", on=date(2026, 5, 1))
    assert israel is not None and israel.minimum_wage is not None
    assert str(israel.minimum_wage.amount) == "6443.85"
    # After its valid_to, with no successor, the figure is flagged for an update from HQ.
    korea_2028 = reference_for("KR", on=date(2028, 1, 1))
    assert korea_2028 is not None and korea_2028.minimum_wage is None
    assert "minimum_wage" in korea_2028.outdated


def test_corrected_host_country_facts() -> None:
    from datetime import date

    from app.contracts.reference import reference_for

    day = date(2026, 6, 1)
    uae, russia, qatar, kz, gb = (reference_for(c, on=day) for c in ("AE", "RU", "QA", "KZ", "GB"))
    assert uae and uae.passport and "Art. 13(2)" in (uae.passport.law or "")
    assert uae.recruitment_fees and "Art. 6(4)" in (uae.recruitment_fees.law or "")
    assert russia and russia.passport and "theft" in (russia.passport.law or "")
    assert qatar and qatar.passport and "written permission" in (qatar.passport.law or "")
    assert kz and kz.hours and kz.hours.max_overtime_per_year == 120
    assert "Art. 78" in [cite.article for cite in kz.hours.provenance.cites]
    assert gb and gb.recruitment_fees and "s. 6(1)" in (gb.recruitment_fees.law or "")


# --- the contract review's references ---------------------------------------------------------

KOREAN_FACTORY_CONTRACT = {
    "host_country": "KR",
    "position": "Factory worker",
    "wage_amount": "2100000",
    "wage_currency": "KRW",
    "wage_period": "month",
    "hours_per_week": "52",
    "rest_days_per_week": 1,
    "paid_leave_days_per_year": 15,
    "passport_held_by": "employer",
    "recruitment_fee_paid_by_worker": "1500",
    "recruitment_fee_currency": "USD",
    "deductions_described": False,
    "deductions_percent": "35",
    "dispute_clause_present": True,
    "insurance_provided": True,
    "signed_on": "2026-03-01",
}


def _korean_review(lang: str) -> Any:
    from app.contracts import parse_terms, review
    from app.i18n import language_override
    from app.services.contracts import applicable_provisions

    terms = parse_terms(KOREAN_FACTORY_CONTRACT)
    with language_override(lang):
        return review(terms, applicable_provisions("KR", lang))


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_review_cites_each_provision_once(lang: str) -> None:
    result = _korean_review(lang)
    for finding in result.findings:
        keys = [r.key for r in finding.references]
        assert len(keys) == len(set(keys)), finding.rule
    everything = [r for f in result.findings for r in f.references]
    texts = {r.key: r.text for r in everything}
    # One text per provision across the whole review (the PDF lists it once).
    assert len(texts) == len({(r.key, r.text) for r in everything})
    # C189 is for domestic work only; this is a factory worker.
    assert not any(r.key.startswith("lib:ilo-c189") for r in everything)


def test_korean_statutes_are_cited_in_the_documents_language() -> None:
    kk = {r.text for f in _korean_review("kk").findings for r in f.references}
    ru = {r.text for f in _korean_review("ru").findings for r in f.references}
    en = {r.text for f in _korean_review("en").findings for r in f.references}
    assert "Еңбек стандарттары туралы заң (Labor Standards Act), 50-бап" in kk
    assert "Закон о трудовых стандартах (Labor Standards Act), ст. 50" in ru
    assert "Labor Standards Act, Art. 50" in en
    assert not any("Labor Standards Act, Art." in text for text in kk | ru)


def test_c097_is_cited_as_a_standard_with_the_hosts_ratification_status() -> None:
    result = _korean_review("en")
    c097 = [r for f in result.findings for r in f.references if r.key.startswith("lib:ilo-c097")]
    assert c097
    for reference in c097:
        assert reference.standing.startswith("international standard")
        assert "neither the host country nor Kazakhstan" in reference.standing


def test_deduction_finding_reads_the_percentage_entered() -> None:
    deductions = next(f for f in _korean_review("en").findings if f.rule == "deductions")
    assert "35" in deductions.reason
    assert "how much" not in deductions.reason


def test_three_working_weeks_depend_on_the_working_week() -> None:
    from app.contracts import ContractTerms
    from app.contracts.rules import ilo_minimum_leave_days

    assert ilo_minimum_leave_days(ContractTerms(rest_days_per_week=2)) == 15
    assert ilo_minimum_leave_days(ContractTerms(rest_days_per_week=1)) == 18
    assert ilo_minimum_leave_days(ContractTerms()) == 15


def test_every_rule_reference_outside_the_library_has_a_source() -> None:
    from app.contracts.rules import STANDARD_SOURCES

    for key, standard in STANDARD_SOURCES.items():
        assert standard.source, key
        assert not standard.verified or standard.checked_on is not None, key
    # Only what the research confirmed is presented as verified.
    assert {k for k, s in STANDARD_SOURCES.items() if s.verified} == {"c001/2", "c158/2-2-b"}


# --- what "verified" may rest on (docs/legal-sources.md) ---------------------------------------

# The official text: on the state's, the EAEU's or the UN's own site, or the ILO's NORMLEX for a
# ratification. A news report or an unofficial copy of a law is a secondary source: an entry
# checked only against one stays unverified. (A source without an address names an official
# publication: "Labour Code of the Republic of Kazakhstan (2015), Art. 88".)
OFFICIAL_HOSTS = (
    "adilet.zan.kz",
    "eaeunion.org",
    "legislation.gov.uk",
    "gov.uk",
    "go.kr",
    "un.org",
)
ILO_HOSTS = ("ilo.org", "ilo.int", "oit.org")


def _on(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def checked_officially(source: str) -> bool:
    if re.search(r"unofficial|\bdoi\b|journal", source, re.IGNORECASE):
        return False  # an unofficial copy, or an academic paper
    addresses = re.findall(r"https?://[^\s;)]+", source)
    return not addresses or any(
        _on(urlparse(url).netloc.lower(), OFFICIAL_HOSTS)
        or (_on(urlparse(url).netloc.lower(), ILO_HOSTS) and "normlex" in url.lower())
        for url in addresses
    )


def verified_entries(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        if node.get("verified") is True and isinstance(node.get("source"), str):
            yield where, node["source"]
        for key, value in node.items():
            yield from verified_entries(value, f"{where}/{node.get('id', key)}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from verified_entries(value, f"{where}[{index}]")


@pytest.mark.parametrize("path", [DEFAULT_LIBRARY_PATH, HOST_COUNTRIES_PATH])
def test_nothing_checked_only_against_a_news_report_or_an_unofficial_copy_is_verified(
    path: Path,
) -> None:
    """The EAEU Treaty's Art. 97 was "verified" on a credit broker's copy, Turkey's minimum wage
    on a sports site, Kazakhstan's working hours on an essay site."""
    document = json.loads(path.read_text(encoding="utf-8"))
    secondary = [
        (where, source)
        for where, source in verified_entries(document)
        if not checked_officially(source)
    ]
    assert secondary == []


def test_the_rule_tells_official_texts_from_secondary_sources() -> None:
    assert checked_officially("https://adilet.zan.kz/rus/docs/P000001503_")
    assert checked_officially("https://www.moel.go.kr/english/poli/poliNewsnews_view.jsp?idx=1")
    assert checked_officially("http://oit.org/dyn/normlex/en/f?p=1000")
    assert checked_officially("Labour Law No. 4857, Art. 53")
    assert not checked_officially("https://www.sporx.com/2026-yili-asgari-ucreti")
    assert not checked_officially("http://www.ilo.org/beirut/projects/qatar-office/x.htm")
    assert not checked_officially("docs.eaeunion.org text (unofficial copy: https://buada.ru/)")
    assert not checked_officially("Khamzin et al., Journal of …, DOI 10.36941/jesr-2023-0092")


def test_no_note_calls_a_checked_kazakh_ratification_status_unconfirmed() -> None:
    """The fault: C097's note said Kazakhstan's non-ratification was "not confirmed, check
    NORMLEX", beside an entry verified against NORMLEX (the CEACR's comment), so the
    Agreements area said both."""
    unconfirmed = ("not confirmed", "не подтверждено", "расталмаған")
    for instrument in load_library().instruments:
        entry = instrument.ratification_entry("KZ")
        if entry is None or not entry.verified or instrument.note is None:
            continue
        for text in instrument.note.all():
            assert not any(word in text for word in unconfirmed), (instrument.id, text)


def test_eaeu_social_security_article_is_cited_on_insurance_not_on_wages() -> None:
    """The fault: Art. 98(3) of the EAEU Treaty (social security, except pensions, as for
    nationals) was filed under wage discrimination, so a review in Russia cited it under
    "Minimum wage" and a note on unequal pay proposed it; it provides no rule on pay."""
    from app.contracts import parse_terms, review
    from app.services.contracts import applicable_provisions

    art_98_3 = load_library().instrument("eaeu-treaty-2014").provision("art-98-3")
    assert art_98_3.categories == ("illness_injury",)
    terms = parse_terms(
        KOREAN_FACTORY_CONTRACT
        | {"host_country": "RU", "wage_amount": "100", "wage_currency": "RUB"}
        | {"insurance_provided": False}
    )
    cited = {
        f.rule: {r.text for r in f.references}
        for f in review(terms, applicable_provisions("RU", "en")).findings
    }
    assert not any("Art. 98(3)" in text for text in cited["minimum_wage"])
    assert any("Art. 98(3)" in text for text in cited["insurance"])


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_us_overtime_section_is_named_overtime_pay_not_a_limit_on_hours(lang: str) -> None:
    """The fault: an employer letter on excessive hours in the United States named FLSA
    29 U.S.C. § 207 "working hours", as if it capped them; it sets no maximum and requires one
    and a half times the regular rate after forty hours a week."""
    from app.contracts.reference import load_reference
    from app.contracts.report import rule_label
    from app.services.legal_tables import host_law_from

    provisions = host_law_from(load_reference(), "US", lang, on=date(2026, 6, 1)).provisions
    section_207 = next(p for p in provisions if p.citation.endswith("§ 207"))
    assert section_207.subject == "hours"
    assert section_207.subject_label == rule_label("overtime_pay", lang)
    assert section_207.subject_label != rule_label("weekly_hours", lang)
    if lang == "en":
        assert section_207.subject_label == "Overtime pay"


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_no_statute_is_cited_with_its_own_title_again_in_brackets(lang: str) -> None:
    """The fault: a letter in Russian named Kyrgyzstan's code «Трудовой кодекс Кыргызской
    Республики (2025) (Трудовой кодекс Кыргызской Республики)»: the Russian title is the one
    the host publishes, so the original in brackets only repeated it."""
    from app.contracts.reference import StatuteCite, load_reference
    from app.contracts.rules import statute_citation

    for key, statute in load_reference().statutes.items():
        text = statute_citation(StatuteCite(statute, None), lang)
        if statute.original:
            # Printed in brackets, the original's own abbreviation follows after a comma
            # ("Mindestlohngesetz, MiLoG"): its name before any bracket is there once.
            name = statute.original.split(" (")[0]
            assert text.count(name) == 1, (key, text)


# --- what a kk or ru reader is shown is in kk or ru --------------------------------------------


def test_the_minimum_wage_note_a_review_quotes_is_in_every_language() -> None:
    """The fault: Kyrgyzstan's note ("Statutory minimum wage not confirmed; not used for
    comparison.") was one English string, quoted as is inside a Kazakh or Russian review."""
    from app.contracts import parse_terms, review
    from app.contracts.reference import ReferenceFileError, parse_reference
    from app.i18n import language_override

    terms = parse_terms(
        KOREAN_FACTORY_CONTRACT
        | {"host_country": "KG", "wage_amount": "20000", "wage_currency": "KGS"}
    )
    for lang in ("kk", "ru"):
        with language_override(lang):
            wage = next(f for f in review(terms).findings if f.rule == "minimum_wage")
        assert "not confirmed" not in wage.reason, lang
    with language_override("kk"):
        wage = next(f for f in review(terms).findings if f.rule == "minimum_wage")
    assert "расталмаған" in wage.reason
    document = json.loads(HOST_COUNTRIES_PATH.read_text(encoding="utf-8"))
    document["countries"]["KG"]["minimum_wage_note"] = "English only"
    with pytest.raises(ReferenceFileError, match="minimum_wage_note must give kk, ru and en"):
        parse_reference(document)


def _review_pdf_text(terms: dict[str, Any], lang: str, table: Any = None) -> str:
    import io

    from pypdf import PdfReader

    from app.contracts import parse_terms
    from app.contracts.reference import reference_for
    from app.contracts.report import ReviewReport, render_review_report
    from app.services.contracts import applicable_provisions

    contract = parse_terms(terms)
    report = ReviewReport(
        mission=None,
        terms=contract,
        provisions=applicable_provisions(contract.host_country or "", lang),
        worker_name="Test Worker",
        case_number=None,
        officer_name="Officer",
        reviewed_on=date(2026, 12, 7),
        printed_on=date(2026, 12, 7),
        reference=reference_for(contract.host_country, table, on=contract.signed_on),
    )
    pdf = render_review_report(report, lang)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_a_kazakh_or_russian_review_prints_no_english_source_prose(lang: str) -> None:
    """The fault: the review PDF printed "Source: Labor Standards Act, Art. 60(1) (after one
    year with at least 80% attendance)" under the Korean paid-leave citation in a Kazakh or
    Russian review: the table's English prose, beside the statute already cited in the
    review's language. An address to check stays; in English the prose stays."""
    contract = KOREAN_FACTORY_CONTRACT | {"paid_leave_days_per_year": 10}
    text = _review_pdf_text(contract, lang)
    assert "attendance" not in text and "Art.60(1)" not in text
    assert "m.easylaw.go.kr" in text  # the hours' source, an address
    statute = {"kk": "Еңбекстандарттарытуралызаң", "ru": "Законотрудовыхстандартах"}
    assert statute[lang] in text
    assert "attendance" in _review_pdf_text(contract, "en")


def test_every_verified_host_figure_names_the_address_it_was_checked_at() -> None:
    """The fault: twenty figures (Korea's 15 days of leave, Germany's and the UK's hours and
    leave, 18 U.S.C. § 1592, ...) were "verified" on 1 January 2026 with only a law's name as
    source; the December 2026 source check did not cover them (some it lists as "not
    checked"), yet the briefing sheet printed them to workers as checked. A verified figure
    now names the official page it was read on."""
    document = json.loads(HOST_COUNTRIES_PATH.read_text(encoding="utf-8"))
    unaddressed = [
        (where, source)
        for where, source in verified_entries(document["countries"])
        if not source.startswith(("http://", "https://"))
    ]
    assert unaddressed == []
    korea = document["countries"]["KR"]
    assert korea["paid_leave"][0]["verified"] is False
    assert "not verified" in korea["paid_leave"][0]["note"]


# --- the host's law on paying wages -------------------------------------------------------------

WAGE_PAYMENT_ARTICLES = {
    "KR": ("kr-labor-standards-act", ("Art. 43", "Art. 36", "Art. 37", "Art. 56", "Art. 109")),
    "TR": ("tr-labour-law-4857", ("Art. 32", "Art. 34")),
    "RU": ("ru-labour-code", ("Art. 136", "Art. 140", "Art. 142", "Art. 236")),
}


@pytest.mark.parametrize("country", sorted(WAGE_PAYMENT_ARTICLES))
def test_the_host_law_on_paying_wages_says_where_it_was_read_and_is_not_verified(
    country: str,
) -> None:
    """The fault: Korea's table cited the minimum wage and the working week, nothing on paying
    wages, so a letter on unpaid wages (the most common complaint) cited no host law on it. Each
    entry was read in a translation or an unofficial copy: sourced, dated, not verified."""
    from datetime import date

    from app.contracts.reference import reference_for

    statute, articles = WAGE_PAYMENT_ARTICLES[country]
    reference = reference_for(country, on=date(2026, 12, 7))
    assert reference is not None and reference.wage_payment is not None
    provenance = reference.wage_payment.provenance
    assert [(c.statute.id, c.article) for c in provenance.cites] == [(statute, a) for a in articles]
    assert provenance.source.startswith(("https://", "http://"))
    assert provenance.checked_on == date(2026, 12, 7) and provenance.verified is False
    assert "not verified" in provenance.note
    # Each article it names is one the note says what it provides.
    assert all(f"{a}:" in provenance.note for a in articles)


def test_a_wage_payment_entry_is_refused_as_any_figure_when_broken() -> None:
    """The new subject is held to the table's rules: the schema and the loader refuse a
    verified entry without a source, and the loader a cite of a statute the table lacks."""
    from app.contracts.reference import REFERENCE_FILE, ReferenceFileError, parse_reference

    validator = _validator(REFERENCE_FILE.with_name("host_countries.schema.json"))
    document = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    entry = document["countries"]["KR"]["wage_payment"][0]
    entry |= {"verified": True, "source": ""}
    assert list(validator.iter_errors(document))
    with pytest.raises(ReferenceFileError, match="verified figure must name its source"):
        parse_reference(document)
    entry |= {"verified": False, "source": "https://k-labor.co.kr/"}
    assert list(validator.iter_errors(document)) == []
    entry["cites"][0]["statute"] = "kr-wage-act"
    with pytest.raises(ReferenceFileError, match="unknown statute"):
        parse_reference(document)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_applicable_law_lists_korea_s_article_43_with_its_source_unverified(lang: str) -> None:
    """A Korean case's Applicable law names the Act's Art. 43 on paying wages with where it
    was read, unverified; Art. 56 is named by what it is about (overtime pay); a domestic
    worker, whom the Act leaves out (Art. 11), is not told of it."""
    from datetime import date

    from app.contracts.reference import default_reference
    from app.domain.labels import review_rule
    from app.services.legal_tables import host_law_from

    law = host_law_from(default_reference(), "KR", lang, date(2026, 12, 7))
    article = {"kk": "43-бап", "ru": "ст. 43", "en": "Art. 43"}[lang]
    (art43,) = [p for p in law.provisions if p.citation.endswith(article)]
    assert "Labor Standards Act" in art43.citation
    assert art43.subject == "wage_payment" and art43.verified is False
    assert art43.source.startswith("https://k-labor.co.kr/")
    assert art43.subject_label == review_rule("wage_payment", lang)
    (art56,) = [p for p in law.provisions if p.citation.endswith(article.replace("43", "56"))]
    assert art56.about == "overtime_pay"
    # Each article links to the page it was read at: Art. 43 to the Act's chapter on wages.
    assert "chapter_idx=11" in art43.source and "items_idx=5613" in art56.source
    domestic = host_law_from(default_reference(), "KR", lang, date(2026, 12, 7), domestic=True)
    assert not [p for p in domestic.provisions if p.subject == "wage_payment"]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_korean_contract_without_overtime_pay_is_told_of_article_56_unverified(
    lang: str,
) -> None:
    """The review of unpaid overtime cited only ILO C001; Korea's own rate (at least 50 per cent
    extra, Labor Standards Act Art. 56) is now beside it, marked as read in a translation. A
    contract in Türkiye, whose table has no such article, cites C001 alone."""
    from app.contracts import parse_terms, review
    from app.i18n import language_override
    from app.services.contracts import applicable_provisions

    def overtime_refs(country: str) -> list[Any]:
        terms = parse_terms(
            KOREAN_FACTORY_CONTRACT | {"host_country": country, "overtime_paid": False}
        )
        with language_override(lang):
            findings = review(terms, applicable_provisions(country, lang)).findings
        (finding,) = [f for f in findings if f.rule == "overtime_pay"]
        assert finding.level == "violation"
        return list(finding.references)

    article = {"kk": "56-бап", "ru": "ст. 56", "en": "Art. 56"}[lang]
    (art56,) = [r for r in overtime_refs("KR") if r.text.endswith(article)]
    assert "Labor Standards Act" in art56.text and art56.verified is False
    # Its own page (the entry's source is the Act's chapter on wages, which has no Art. 56).
    assert art56.source.startswith("https://k-labor.co.kr/") and "items_idx=5613" in art56.source
    assert not any("Art. 43" in r.text or "43-бап" in r.text for r in overtime_refs("KR"))
    assert not any("4857" in r.text for r in overtime_refs("TR"))


# --- late wages (Korea Art. 37, Russia Art. 142) and the start of each wording ------------------


def _host_document() -> dict[str, Any]:
    from app.contracts.reference import REFERENCE_FILE

    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


def _host_versions(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for country, subjects in document["countries"].items():
        for subject, versions in subjects.items():
            if isinstance(versions, list):
                for version in versions:
                    yield country, subject, version


def test_no_entry_starts_on_the_unresearched_first_of_january_2025() -> None:
    """The fault: sixteen entries valid until further notice started on 1 January 2025, a day
    nobody had researched, so a review of a 2023 contract found no Korean law on paying wages.
    Such an entry now records no start; one that keeps 1 January 2025 says why (the UAE's
    health insurance is mandatory from that day)."""
    placeholders = [
        (country, subject)
        for country, subject, version in _host_versions(_host_document())
        if version["valid_from"] == "2025-01-01"
        and version["valid_to"] is None
        and "1 January 2025" not in f"{version.get('law')} {version['note']}"
    ]
    assert placeholders == []


def test_every_host_entry_that_states_law_names_its_source_and_an_unknown_start_says_so() -> None:
    """Every version that names a law or a figure says where it was read; one with no start
    says in its note that the start was not researched, and only the oldest version lacks it."""
    document = _host_document()
    for country, subject, version in _host_versions(document):
        states_law = bool(version.get("law") or version.get("cites") or subject == "minimum_wage")
        assert not states_law or version["source"].strip(), (country, subject)
        if version["valid_from"] is None:
            assert "not researched" in version["note"], (country, subject)
            oldest = document["countries"][country][subject][0]
            assert version is oldest, (country, subject)
        if version["valid_to"] is not None and version["valid_from"] is not None:
            assert version["valid_from"] <= version["valid_to"], (country, subject)


@pytest.mark.parametrize(
    ("subject", "index", "problem"),
    [
        ("wage_payment", 1, "only the oldest version may lack valid_from"),
        ("minimum_wage", 0, "a minimum wage must give the day it applies from"),
    ],
)
def test_a_missing_start_is_refused_where_it_cannot_be(
    subject: str, index: int, problem: str
) -> None:
    """A version after another cannot reach back before it, and a minimum wage is always set
    from a day (the briefing sheet tells workers since when)."""
    from app.contracts.reference import ReferenceFileError, parse_reference

    document = _host_document()
    document["countries"]["KR"][subject][index]["valid_from"] = None
    with pytest.raises(ReferenceFileError, match=problem):
        parse_reference(document)


def test_korea_s_article_37_changed_on_23_october_2025() -> None:
    """Korea's interest on late wages (Labor Standards Act Art. 37, 20 per cent a year) covered
    only money unpaid 14 days after leaving until the amendment in force on 23 October 2025,
    which extends it to wages unpaid on the pay day: each day finds the wording then in force,
    each with the page it was read at, unverified."""
    from app.contracts.reference import reference_for

    def article_37(day: date) -> tuple[str, str]:
        reference = reference_for("KR", on=day)
        assert reference is not None and reference.wage_payment is not None
        provenance = reference.wage_payment.provenance
        (cite,) = [c for c in provenance.cites if c.article == "Art. 37"]
        assert provenance.verified is False and "20 per cent a year" in provenance.note
        return cite.source, provenance.note

    before, note_before = article_37(date(2025, 10, 22))
    after, note_after = article_37(date(2025, 10, 23))
    assert before.startswith("https://a-ha.io/") and after.startswith("https://laboryulgok.com/")
    assert "within 14 days" in note_before and "still employed" not in note_before
    assert "still employed" in note_after and "23 October 2025" in note_after


def test_russia_s_article_142_lets_the_worker_suspend_work_after_15_days() -> None:
    from app.contracts.reference import reference_for

    reference = reference_for("RU", on=date(2026, 12, 7))
    assert reference is not None and reference.wage_payment is not None
    provenance = reference.wage_payment.provenance
    (cite,) = [c for c in provenance.cites if c.article == "Art. 142"]
    assert cite.source == "https://sttkrf.ru/142" and provenance.verified is False
    assert "more than 15 days late" in provenance.note and "in writing" in provenance.note


@pytest.mark.parametrize(("country", "article"), [("KR", "37-бап"), ("RU", "ст. 142")])
def test_the_case_s_applicable_law_lists_the_provisions_on_late_wages(
    country: str, article: str
) -> None:
    """A case's Applicable law, in the officer's language, lists each with the page it was
    read at, unverified, under the payment of wages."""
    from app.contracts.reference import default_reference
    from app.domain.labels import review_rule
    from app.services.legal_tables import host_law_from

    lang = "kk" if country == "KR" else "ru"
    law = host_law_from(default_reference(), country, lang, date(2026, 12, 7))
    (listed,) = [p for p in law.provisions if p.citation.endswith(article)]
    assert listed.verified is False and listed.source.startswith("https://")
    assert listed.subject_label == review_rule("wage_payment", lang)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_2023_korean_contract_is_told_of_article_56_with_its_start_not_recorded(
    lang: str,
) -> None:
    """The fault: the law on paying wages started on a made-up 1 January 2025, so a contract
    of 2023 without overtime pay was judged by ILO C001 alone, as if Korea's Art. 56 had not
    applied then. It is cited now, saying that the table does not record since when; a
    contract signed after the day it was checked is told no such thing."""
    from app.contracts import parse_terms, review
    from app.i18n import language_override
    from app.services.contracts import applicable_provisions

    article = {"kk": "56-бап", "ru": "ст. 56", "en": "Art. 56"}[lang]

    def article_56(signed_on: str) -> Any:
        terms = parse_terms(
            KOREAN_FACTORY_CONTRACT | {"overtime_paid": False, "signed_on": signed_on}
        )
        with language_override(lang):
            findings = review(terms, applicable_provisions("KR", lang)).findings
            (finding,) = [f for f in findings if f.rule == "overtime_pay"]
            (reference,) = [r for r in finding.references if r.text.endswith(article)]
            return reference, reference.label()

    old, label = article_56("2023-05-01")
    assert old.verified is False and old.standing, lang
    assert old.standing in label
    new, _label = article_56("2026-12-08")
    assert new.standing == ""


# --- no host-country fact without its source ---------------------------------------------------

NATLEX_ISRAEL = "www.ilo.org/dyn/natlex/natlex4.listResults?p_lang=en&p_country=ISR"


def test_israel_s_hours_and_leave_laws_name_where_they_were_read() -> None:
    """The fault: the Hours of Work and Rest Law and the Annual Leave Law had an empty source,
    and the 42-hour week and the 12 days of leave named only the laws, so a review citing them
    could not say where to check. Each now names ILO NATLEX's list of Israel's laws on
    conditions of work, and the figures the summaries they were read in; still unverified."""
    from app.contracts.reference import reference_for

    document = json.loads(HOST_COUNTRIES_PATH.read_text(encoding="utf-8"))
    for statute in ("il-hours-of-work-law", "il-annual-leave-law"):
        entry = document["statutes"][statute]
        assert NATLEX_ISRAEL in entry["source"] and entry["verified"] is False, statute
        assert entry["title"]["en"].endswith(", 5711-1951"), statute
    israel = reference_for("IL", on=date(2026, 12, 8))
    assert israel is not None and israel.hours is not None and israel.paid_leave is not None
    hours, leave = israel.hours.provenance, israel.paid_leave.provenance
    assert israel.hours.normal_weekly == 42 and israel.hours.max_weekly is None
    assert hours.source.startswith("https://") and "in force 1 April 2018" in hours.note
    assert israel.paid_leave.min_days == 12 and NATLEX_ISRAEL in leave.source
    assert "Amendment No. 15" in leave.note and "16 days" in leave.note
    assert not (hours.verified or leave.verified)


def _unsourced(document: dict[str, Any]) -> list[str]:
    """Every statute and every dated host figure whose source is empty."""
    places = [(f"statutes/{key}", entry) for key, entry in document["statutes"].items()]
    places += [
        (f"countries/{country}/{subject}/{index}", version)
        for country, subjects in document["countries"].items()
        for subject, versions in subjects.items()
        if isinstance(versions, list)
        for index, version in enumerate(versions)
    ]
    return [where for where, entry in places if not entry["source"].strip()]


def test_every_host_statute_and_figure_says_where_it_was_read_or_looked_for() -> None:
    """The fault: two Israeli statutes and the passport entries of Türkiye, Germany, the UK,
    Kyrgyzstan and Kazakhstan had an empty source, the last five saying only "no provision
    found": not found where? A provision found is now cited with the page it was read at; a
    provision not found names the texts it was looked for in."""
    document = json.loads(HOST_COUNTRIES_PATH.read_text(encoding="utf-8"))
    assert _unsourced(document) == []
    document["countries"]["KZ"]["passport"][0]["source"] = " "
    assert _unsourced(document) == ["countries/KZ/passport/0"]


@pytest.mark.parametrize(
    ("country", "statute", "article"),
    [("TR", "tr-penal-code-5237", "Art. 205"), ("DE", "de-stgb", "§ 274")],
)
def test_a_passport_provision_found_but_not_shown_to_reach_an_employer_is_never_cited(
    country: str, statute: str, article: str
) -> None:
    """Türkiye's offence of concealing an official document and Germany's suppression of
    documents punish keeping a document from the person entitled to use it; no source found
    applies either to an employer keeping a passport, so the table records them with their
    page and the review cites neither against a held passport."""
    from app.contracts import parse_terms, review
    from app.contracts.reference import reference_for

    reference = reference_for(country, on=date(2026, 12, 8))
    assert reference is not None and reference.passport is not None
    passport = reference.passport
    assert [(c.statute.id, c.article) for c in passport.provenance.cites] == [(statute, article)]
    assert passport.provenance.source.startswith("https://") and not passport.provenance.verified
    assert passport.cite_for_retention == "never" and not passport.bears_on_retention
    terms = parse_terms({"host_country": country, "passport_held_by": "employer"})
    (finding,) = [f for f in review(terms, ()).findings if f.rule == "passport_retention"]
    assert finding.level == "violation"
    assert not [r for r in finding.references if r.key.startswith("host:")]


@pytest.mark.parametrize("country", ["GB", "KG", "KZ"])
def test_no_passport_provision_found_names_the_texts_it_was_looked_for_in(country: str) -> None:
    from app.contracts.reference import reference_for

    reference = reference_for(country, on=date(2026, 12, 8))
    assert reference is not None and reference.passport is not None
    provenance = reference.passport.provenance
    assert reference.passport.law is None and not provenance.verified
    assert provenance.source.startswith("https://")
    assert provenance.note.startswith("No provision found") and "Looked for in" in provenance.note
