"""The agreements library in the database: seeding, updates, applicability, citations, letters."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.agreements import load_library
from app.agreements.library import DEFAULT_LIBRARY_PATH
from app.db.models import Agreement, AgreementProvision, AuditEntry, CaseCitation, CaseEvent
from app.domain.events import compose
from app.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.i18n import set_language
from app.letters import render_letter
from app.services.agreements import (
    AgreementService,
    agreement_row_id,
    apply_library_update,
    facts_period,
    letter_citations,
    library_from_db,
    provision_row_id,
    sync_library,
)
from app.services.cases import CaseService
from app.services.contracts import ContractReviewService
from app.services.records import CaseChanges, CaseInput
from app.services.workspace import Workspace
from tests.builders import ASSEL, with_the_kyrgyz_agreement_expired
from tests.conftest import OpenWs, count
from tests.integration.test_exchange import Site, hq, sites  # noqa: F401 - fixtures
from tests.unit.test_letters_render import make_context, text_of


def new_case(ws: Workspace, country: str, categories: tuple[str, ...]) -> str:
    detail = CaseService(ws).create_case(
        CaseInput(
            host_country=country,
            categories=categories,
            received_at=date.today() - timedelta(days=1),
            person=ASSEL,
            description="Wages unpaid for three months.",
        ),
        allow_duplicate_person=True,
    )
    return detail.id


def audit_actions(ws: Workspace) -> list[str]:
    with ws.read() as session:
        return list(session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())


def document() -> dict[str, Any]:
    return json.loads(DEFAULT_LIBRARY_PATH.read_text(encoding="utf-8"))


# --- seeding and updates -----------------------------------------------------------------------


def test_library_is_seeded_on_first_use_and_matches_the_file(ws: Workspace) -> None:
    assert count(ws, Agreement) == 0
    listed = AgreementService(ws).list()
    shipped = load_library()
    assert [item.slug for item in listed] == [i.id for i in shipped.instruments]
    assert count(ws, Agreement) == len(shipped.instruments)
    assert count(ws, AgreementProvision) == sum(len(i.provisions) for i in shipped.instruments)
    assert audit_actions(ws).count("agreements.sync") == 1
    with ws.read() as session:
        rebuilt, ids = library_from_db(session)
    # The database round trip loses nothing the rules use.
    assert rebuilt.instruments == shipped.instruments
    assert rebuilt.updated_on == shipped.updated_on
    assert len(ids) == count(ws, AgreementProvision)
    # A second look does not seed again.
    AgreementService(ws).list()
    assert audit_actions(ws).count("agreements.sync") == 1


def test_sync_is_idempotent_and_keeps_mission_notes(open_ws: OpenWs) -> None:
    consul = open_ws("serik")
    service = AgreementService(consul)
    eaeu = service.get("eaeu-treaty-2014")
    service.set_mission_notes(eaeu.id, "Migration office: Sadovnicheskaya 6, room 12.")
    with consul.read() as session:
        version = session.get(Agreement, eaeu.id).version  # type: ignore[union-attr]
    report = sync_library(consul, load_library())
    assert not report.changed
    assert len(report.unchanged) == len(load_library().instruments)
    with consul.read() as session:
        row = session.get(Agreement, eaeu.id)
        assert row is not None and row.version == version
    assert service.get(eaeu.id).mission_notes == "Migration office: Sadovnicheskaya 6, room 12."


def test_hq_update_changes_adds_and_withdraws_by_slug(hq: Site) -> None:  # noqa: F811
    ws = hq.ws  # HQ edits the library; missions receive it in its signed bundle
    service = AgreementService(ws)
    service.set_mission_notes("kz-qa-employment-2024", "Ask for the Arabic text.")
    old_qa_id = service.get("kz-qa-employment-2024").id
    doc = document()
    doc["updated_on"] = "2027-06-01"
    qatar = next(i for i in doc["instruments"] if i["id"] == "kz-qa-employment-2024")
    qatar["verified"] = True
    qatar["in_force_on"] = "2025-03-01"
    qatar["provisions"] = [
        {
            "id": "art-5",
            "article": "Art. 5",
            "summary": {
                "kk": "Жұмыс беруші жалақыны уақытылы және толық төлейді.",
                "ru": "Работодатель выплачивает заработную плату своевременно и полностью.",
                "en": "The employer pays wages on time and in full.",
            },
            "categories": ["unpaid_wages"],
            "source": "https://adilet.zan.kz/",
            "checked_on": "2027-05-30",
            "verified": True,
        }
    ]
    doc["instruments"] = [i for i in doc["instruments"] if i["id"] != "kz-us-recommended"]
    report = apply_library_update(ws, json.dumps(doc).encode())
    assert "kz-qa-employment-2024" in report.updated
    # Instruments before the withdrawn one keep their place and their version.
    assert {"eaeu-treaty-2014", "kz-kg-migrant-workers-2006"} <= set(report.unchanged)
    assert report.removed == ("kz-us-recommended",)
    assert report.added == ()
    qa = service.get("kz-qa-employment-2024")
    assert qa.id == old_qa_id and qa.verified is True and qa.in_force_on == date(2025, 3, 1)
    assert qa.mission_notes == "Ask for the Arabic text."
    assert [p.article for p in qa.provisions] == ["Art. 5"]
    assert "kz-us-recommended" not in [i.slug for i in service.list()]
    assert service.pending("US") == []
    with pytest.raises(NotFound):
        service.get("kz-us-recommended")
    # The same bundle again changes nothing.
    assert not apply_library_update(ws, json.dumps(doc).encode()).changed


def test_bad_or_older_updates_are_refused_and_change_nothing(
    hq: Site,  # noqa: F811
    open_ws: OpenWs,
) -> None:
    ws = hq.ws
    attache = open_ws("aigul")
    AgreementService(ws).list()
    before = count(ws, AuditEntry)
    doc = document()
    doc["instruments"][0]["title"].pop("kk")
    with pytest.raises(ValidationError, match="missing kk"):
        apply_library_update(ws, json.dumps(doc).encode())
    with pytest.raises(ValidationError, match="not valid JSON"):
        apply_library_update(ws, b"{not json")
    older = document()
    older["updated_on"] = "2020-01-01"
    with pytest.raises(ConflictError, match="older than the one in use"):
        apply_library_update(ws, json.dumps(older).encode())
    with pytest.raises(PermissionDenied):
        apply_library_update(attache, json.dumps(document()).encode())
    assert count(ws, AuditEntry) == before


# --- applicability through the service ---------------------------------------------------------


def bases(service: AgreementService, country: str) -> dict[str, str]:
    return {item.instrument.slug: item.basis for item in service.applicable(country)}


def test_russia_is_covered_by_the_eaeu_treaty(ws: Workspace) -> None:
    service = AgreementService(ws)
    found = service.applicable("RU")
    assert found[0].instrument.slug == "eaeu-treaty-2014"
    assert found[0].basis == "eaeu" and found[0].basis_label == "Eurasian Economic Union"
    # Binding; its text was read in unofficial copies only, so it is shown as not verified.
    assert found[0].verified is False and found[0].binding is True
    by_slug = bases(service, "RU")
    assert by_slug["cis-labour-migration-1994"] == "cis"
    assert "bilateral" not in by_slug.values()
    assert service.pending("RU") == []


def test_cis_member_uzbekistan(ws: Workspace) -> None:
    by_slug = bases(AgreementService(ws), "UZ")
    assert by_slug["cis-labour-migration-1994"] == "cis"
    assert by_slug["kz-uz-migrant-workers-2019"] == "bilateral"
    assert "eaeu-treaty-2014" not in by_slug


def test_bilateral_agreements_with_kyrgyzstan_and_qatar(ws: Workspace) -> None:
    service = AgreementService(ws)
    kg = service.applicable("KG")
    assert [(a.instrument.slug, a.basis) for a in kg[:4]] == [
        ("kz-kg-migrant-workers-2006", "bilateral"),
        ("kz-kg-stay-of-citizens-2012", "bilateral"),
        ("eaeu-treaty-2014", "eaeu"),
        ("eaeu-pension-agreement-2019", "eaeu"),
    ]
    qa = [a for a in service.applicable("QA") if a.basis == "bilateral"]
    assert [a.instrument.slug for a in qa] == ["kz-qa-employment-2024"]
    assert qa[0].verified is False  # in force per a news agency's report; the text not read


def test_turkiye_has_no_agreement_only_conventions_and_a_planned_one(ws: Workspace) -> None:
    service = AgreementService(ws)
    found = service.applicable("TR")
    assert found and {a.basis for a in found} == {"treaty", "ilo", "standard", "home_law"}
    assert all(a.instrument.kind != "agreement" for a in found)
    assert not any(a.binding for a in found if a.basis not in ("ilo", "treaty"))
    standard = next(a for a in found if a.basis == "standard")
    assert standard.binding is False
    assert [i.slug for i in service.pending("TR")] == ["kz-tr-recommended"]
    assert service.pending("TR")[0].status_label.startswith("Recommended by a study")


def test_list_filters_and_searches(ws: Workspace) -> None:
    service = AgreementService(ws)
    memoranda = service.list(kind="memorandum")
    assert {"kz-gb-glaa-seasonal-mou-2025", "kz-kr-eps-memorandum"} < {i.slug for i in memoranda}
    assert [i.slug for i in service.list(status="negotiating")] == ["kz-kr-eps-memorandum"]
    tr = {i.slug for i in service.list(country="TR")}
    assert "kz-tr-recommended" in tr and "ilo-c029" in tr and "eaeu-treaty-2014" not in tr
    found = service.list(text="евразийском")
    assert [i.slug for i in found][0] == "eaeu-treaty-2014"
    kk = service.list(text="Еуразиялық", lang="kk")
    assert kk[0].slug == "eaeu-treaty-2014" and kk[0].title.startswith("Еуразиялық")
    with pytest.raises(ValidationError, match="Unknown kind law"):
        service.list(kind="law")
    with pytest.raises(ValidationError, match="not a known two-letter country code"):
        service.applicable("Turkey")


def test_instrument_record_carries_titles_dates_and_provisions(ws: Workspace) -> None:
    eaeu = AgreementService(ws).get("eaeu-treaty-2014", lang="ru")
    assert eaeu.title == "Договор о Евразийском экономическом союзе"
    assert eaeu.titles["en"] == "Treaty on the Eurasian Economic Union"
    assert eaeu.signed_on == date(2014, 5, 29) and eaeu.in_force_on == date(2015, 1, 1)
    assert eaeu.parties == ("AM", "BY", "KG", "KZ", "RU")
    shipped = load_library().instrument("eaeu-treaty-2014")
    assert [p.slug for p in eaeu.provisions] == [p.id for p in shipped.provisions]
    art98 = next(p for p in eaeu.provisions if "unpaid_wages" in p.categories)
    assert art98.article_label == "ст. 98" and art98.article.startswith("Art. 98")
    source = shipped.provision(art98.slug)
    assert art98.provision_verified is source.verified
    assert art98.verified is (shipped.verified and source.verified)


# --- citations ---------------------------------------------------------------------------------


def test_relevant_provisions_and_citing(open_ws: OpenWs) -> None:
    ws = open_ws("aigul")
    case_id = new_case(ws, "RU", ("unpaid_wages",))
    service = AgreementService(ws)
    relevant = service.relevant_for_case(case_id)
    assert relevant[0].instrument_slug == "eaeu-treaty-2014"
    assert all("unpaid_wages" in p.categories for p in relevant)
    art98 = next(p for p in relevant if p.instrument_slug == "eaeu-treaty-2014")
    expected = "Treaty on the Eurasian Economic Union of 29 May 2014, Art. 98"
    if not art98.verified:
        expected += " (unverified)"
    assert art98.citation == expected
    cited = service.cite(case_id, art98.id, "Wages under Art. 98(3)")
    assert cited.provision.id == art98.id and cited.note == "Wages under Art. 98(3)"
    assert [c.id for c in service.citations(case_id)] == [cited.id]
    with pytest.raises(ConflictError, match="already cites"):
        service.cite(case_id, art98.id)
    with ws.read() as session:
        notes = session.execute(
            select(CaseEvent.data, CaseEvent.text).where(
                CaseEvent.case_id == case_id, CaseEvent.kind == "note"
            )
        ).all()
        assert f"Cited: {art98.citation}" in [compose(d, t, "en") for d, t in notes]
    service.uncite(cited.id)
    assert service.citations(case_id) == []
    with pytest.raises(NotFound, match="No such citation"):
        service.uncite(cited.id)
    actions = audit_actions(ws)
    assert actions.index("case.cite") < actions.index("case.uncite")
    # A tombstone stays for the bundle to carry the withdrawal.
    assert count(ws, CaseCitation) == 1


def test_citing_refuses_bad_input_and_roles(open_ws: OpenWs) -> None:
    ws = open_ws("aigul")
    # (Documents withheld alone finds only C189 in the library, which needs domestic work.)
    case_id = new_case(ws, "TR", ("unpaid_wages",))
    service = AgreementService(ws)
    provision = service.relevant_for_case(case_id)[0]
    with pytest.raises(NotFound, match="No such provision"):
        service.cite(case_id, "no-such-id")
    with pytest.raises(NotFound, match="No such case"):
        service.cite("no-such-case", provision.id)
    with pytest.raises(PermissionDenied):
        AgreementService(open_ws("astana")).cite(case_id, provision.id)
    assert count(ws, CaseCitation) == 0


def test_mission_notes_are_for_consuls_and_admins(open_ws: OpenWs) -> None:
    with pytest.raises(PermissionDenied):
        AgreementService(open_ws("aigul")).set_mission_notes("ilo-c029", "x")
    admin = AgreementService(open_ws("admin"))
    updated = admin.set_mission_notes("ilo-c029", "  Cite with C105.  ")
    assert updated.mission_notes == "Cite with C105."
    assert "agreement.notes" in audit_actions(open_ws("admin"))
    with pytest.raises(NotFound):
        admin.set_mission_notes("no-such-treaty", "x")


# --- letters -----------------------------------------------------------------------------------


def test_letter_cites_the_chosen_provisions_with_the_unverified_mark(open_ws: OpenWs) -> None:
    ws = open_ws("aigul")
    case_id = new_case(ws, "GB", ("recruitment_fees",))
    service = AgreementService(ws)
    relevant = service.relevant_for_case(case_id)
    unverified = next(p for p in relevant if not p.verified)
    service.cite(case_id, unverified.id)
    citations = letter_citations(ws, case_id, "en")
    assert len(citations) == 1
    assert citations[0].verified is False
    assert citations[0].article == unverified.article_label
    assert (
        citations[0].instrument
        == unverified.citation.removesuffix(" (unverified)").rsplit(
            ", " + unverified.article_label, 1
        )[0]
    )
    text = text_of(render_letter(make_context(lang="en", citations=citations)))
    assert f"{citations[0].instrument}, {citations[0].article}" in text
    assert "(unverified)" in text


def test_letter_without_chosen_citations_uses_binding_relevant_ones(open_ws: OpenWs) -> None:
    ws = open_ws("aigul")
    case_id = new_case(ws, "RU", ("unpaid_wages",))
    citations = letter_citations(ws, case_id, "ru")
    assert citations and citations[0].instrument.replace("\u00a0", " ") == (
        "Договор о Евразийском экономическом союзе от 29 мая 2014 г."
    )
    assert citations[0].article == "ст. 98"
    eaeu = AgreementService(ws).relevant_for_case(case_id)[0]
    assert citations[0].verified is eaeu.verified
    # Standards Russia has not ratified are not quoted as law by default.
    standard = {
        a.instrument.titles["ru"] for a in AgreementService(ws).applicable("RU") if not a.binding
    }
    assert not any(c.instrument in standard for c in citations)
    text = text_of(render_letter(make_context(lang="ru", citations=citations)))
    assert "Договор о Евразийском экономическом союзе от 29 мая 2014 г., ст. 98" in text
    assert ("(не проверено)" in text) is not all(c.verified for c in citations)


def test_kazakh_letter_marks_an_unverified_citation(open_ws: OpenWs) -> None:
    ws = open_ws("aigul")
    case_id = new_case(ws, "GB", ("recruitment_fees",))
    unverified = next(p for p in AgreementService(ws).relevant_for_case(case_id) if not p.verified)
    AgreementService(ws).cite(case_id, unverified.id)
    set_language("kk")
    citations = letter_citations(ws, case_id, "kk")
    text = text_of(render_letter(make_context(lang="kk", citations=citations)))
    assert citations[0].summary[:30] in text
    assert "(тексерілмеген)" in text


def test_row_ids_are_the_same_in_every_installation(ws: Workspace) -> None:
    # HQ sends library rows in bundles; they must meet the mission's own rows by id.
    eaeu = AgreementService(ws).get("eaeu-treaty-2014")
    assert eaeu.id == agreement_row_id("eaeu-treaty-2014")
    first = eaeu.provisions[0]
    assert first.id == provision_row_id("eaeu-treaty-2014", first.slug)


def test_letter_citations_inside_the_letter_registers_transaction(open_ws: OpenWs) -> None:
    ws = open_ws("aigul")
    case_id = new_case(ws, "KG", ("unpaid_wages",))
    with ws.write() as session:  # as the letter register numbers and stores a letter
        inside = letter_citations(ws, case_id, "en", session)
    assert inside == letter_citations(ws, case_id, "en")
    assert inside and all(c.instrument and c.article for c in inside)


def test_letter_citations_refuse_an_unknown_case_or_language(ws: Workspace) -> None:
    with pytest.raises(NotFound):
        letter_citations(ws, "no-such-case", "en")
    with pytest.raises(ValidationError, match="Unsupported language"):
        letter_citations(ws, "no-such-case", "de")


def test_the_library_is_read_once_until_it_changes_in_any_process(open_ws: OpenWs) -> None:
    """The Agreements area read the whole library six times as it opened; the read is kept
    now, and a change written by another process (its own connection) is still seen."""
    here, elsewhere = open_ws("admin"), open_ws("admin")  # two processes on one file
    service = AgreementService(here)
    first = service._read()
    assert service._read() is first
    AgreementService(elsewhere).set_mission_notes("kz-qa-employment-2024", "Ask in Arabic.")
    assert service.get("kz-qa-employment-2024").mission_notes == "Ask in Arabic."
    assert service._read() is not first


def test_applicable_law_of_a_domestic_work_case_leaves_out_laws_that_exclude_it(
    open_ws: OpenWs,
) -> None:
    """The fault: once a housemaid's contract was reviewed, the review set the UAE's Labour Law
    aside (its Art. 3 excludes domestic workers), but the case's Applicable law, and so the
    letter to her employer, still listed its articles on hours, leave and passports."""
    from app.services.contracts import ContractReviewService

    ws = open_ws("aigul")
    service = AgreementService(ws)

    def listed(case_id: str) -> list[str]:
        return [p.citation for p in service.host_law_for_case(case_id, "en").provisions]

    driver = new_case(ws, "AE", ("excessive_hours",))
    ContractReviewService(ws).save({"position": "driver"}, case_id=driver)
    assert any("Decree-Law No. 33 of 2021" in text for text in listed(driver))

    maid = new_case(ws, "AE", ("excessive_hours",))
    ContractReviewService(ws).save({"position": "housemaid"}, case_id=maid)
    assert listed(maid) == ["Cabinet decision of 18 March 2024 on health insurance"]


def test_domestic_workers_convention_only_for_domestic_work(open_ws: OpenWs) -> None:
    """The fault: the case's Applicable law listed the Domestic Workers Convention (C189) for
    any case whose categories it covers, while the contract review cites it only for domestic
    work; the two now follow one rule (app.domain.domestic_work)."""
    from app.contracts import parse_terms
    from app.db.models import Case, Employer
    from app.services.contracts import ContractReviewService
    from app.services.records import OrganisationInput

    ws = open_ws("aigul")
    service = AgreementService(ws)

    def c189(case_id: str) -> list[str]:
        return [
            p.citation
            for p in service.relevant_for_case(case_id)
            if p.instrument_slug == "ilo-c189"
        ]

    welder = new_case(ws, "KR", ("documents_withheld",))
    assert c189(welder) == []
    reviews = ContractReviewService(ws)
    reviews.save({"position": "welder", "passport_held_by": "employer"}, case_id=welder)
    assert c189(welder) == []
    # The review of the same contract agrees: no C189 either.
    _terms, result = reviews.preview(
        parse_terms({"position": "welder", "passport_held_by": "employer"}), "KR"
    )
    assert not any("C189" in r for f in result.findings for r in f.reference_labels)

    # A contract for a housemaid makes it domestic work: Art. 9 (documents) is listed.
    maid = new_case(ws, "KR", ("documents_withheld",))
    reviews.save({"position": "Housemaid", "passport_held_by": "employer"}, case_id=maid)
    assert len(c189(maid)) == 1 and "Art. 9" in c189(maid)[0]

    # So does an employer recorded as a household (ISIC section T).
    household = CaseService(ws).create_case(
        CaseInput(
            host_country="KR",
            categories=("documents_withheld",),
            received_at=date.today() - timedelta(days=1),
            person=ASSEL,
            employer=OrganisationInput(name="Kim household", country="KR"),
        ),
        allow_duplicate_person=True,
    )
    with ws.write() as session:
        case = session.get(Case, household.id)
        assert case is not None and case.employer_id is not None
        employer = session.get(Employer, case.employer_id)
        assert employer is not None
        employer.sector = "T"
    assert len(c189(household.id)) == 1


def test_an_expired_agreement_is_listed_apart_and_never_cited(open_ws: OpenWs) -> None:
    """The fault: an expired agreement vanished from the host country's view (neither
    applicable nor pending). It is listed apart, with until when, and letters never cite it,
    even where the officer cited it."""
    sync_library(open_ws("admin"), with_the_kyrgyz_agreement_expired(date(2024, 3, 31)))
    ws = open_ws("aigul")
    service = AgreementService(ws)
    (expired,) = service.expired("KG")
    assert expired.slug == "kz-kg-migrant-workers-2006"
    assert expired.status_label == "Expired: in force until 31 Mar 2024"
    assert expired.expired_on == date(2024, 3, 31)
    assert expired.slug in {i.slug for i in service.list(country="KG")}
    assert expired.slug not in {a.instrument.slug for a in service.applicable("KG")}
    case_id = new_case(ws, "KG", ("documents_withheld",))
    assert expired.slug not in {p.instrument_slug for p in service.relevant_for_case(case_id)}
    service.cite(case_id, expired.provisions[0].id)
    citations = letter_citations(ws, case_id, "en")
    assert citations and not any("Kyrgyz" in c.instrument for c in citations)


def test_the_facts_period_comes_from_the_claims_and_the_contracts_reviewed(
    open_ws: OpenWs,
) -> None:
    """Letters date their citations by this period (not by their own date): the earliest
    start and the latest end the case records; no end while anything recorded is open; with
    nothing dated, up to the day the complaint was received."""
    ws = open_ws("aigul")
    case_id = new_case(ws, "KR", ("unpaid_wages",))
    received = CaseService(ws).get_case(case_id).received_at
    with ws.read() as session:
        assert facts_period(session, case_id) == (None, received)
    ContractReviewService(ws).save(
        {"signed_on": "2019-01-10", "term_months": 12}, case_id=case_id, host_country="KR"
    )
    with ws.read() as session:
        assert facts_period(session, case_id) == (date(2019, 1, 10), date(2020, 1, 10))
    detail = CaseService(ws).get_case(case_id)
    claim = {"amount": "900", "currency": "KRW", "what": "wages", "period_from": "2020-02-01"}
    CaseService(ws).update_case(
        case_id, CaseChanges(claims=(claim | {"period_to": "2020-05-31"},)), detail.version
    )
    with ws.read() as session:
        assert facts_period(session, case_id) == (date(2019, 1, 10), date(2020, 5, 31))
    detail = CaseService(ws).get_case(case_id)
    CaseService(ws).update_case(case_id, CaseChanges(claims=(claim,)), detail.version)
    with ws.read() as session:  # wages unpaid since February 2020, still: no end
        assert facts_period(session, case_id) == (date(2019, 1, 10), None)
