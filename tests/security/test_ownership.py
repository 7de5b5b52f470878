"""Issue 14, items 1–3: a mission with a real, trusted signing key tries to write what it does
not own. Every bundle below is signed by the named installation's own key and passes the
signature, hash and schema checks; each is refused by the ownership rule it targets
(docs/bundle-format.md, "Who owns a record"), with a message naming the record, and HQ's data
folder stays byte for byte the same. The genuine flows still work.

The sites are shared by the module: a refused import changes nothing, which each test proves.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from app.db.models import (
    Agreement,
    AgreementProvision,
    AuditEntry,
    Case,
    CaseEvent,
    Employer,
    ExchangeLog,
    Mission,
    PartnerOrganisation,
    Person,
)
from app.exchange.ownership import MAX_VERSION_STEP
from app.exchange.package import BundleRefused
from app.services.agreements import ensure_library
from app.services.demo import fill_demo
from app.services.exchange import ExchangeService
from app.services.keys import KeyService
from app.services.records import CaseChanges
from tests.integration.test_exchange import Site, hq_sel_dxb, make_site
from tests.security.forge import (
    Forger,
    Records,
    changed,
    complete_record,
    file_digest,
    new_id,
    record_of,
    records_of,
    unchanged,
)
from ui.exchange.page import _import_summary


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Site]]:
    root = tmp_path_factory.mktemp("ownership")
    with hq_sel_dxb(root) as (hq, sel, dxb):
        _send_demo_cases(root, hq, sel, dxb)
        yield {"hq": hq, "sel": sel, "dxb": dxb}


def _send_demo_cases(root: Path, hq: Site, sel: Site, dxb: Site) -> None:
    """SEL and DXB each send HQ their demo cases (and library)."""
    # SEL also trusts DXB's key, as it would after any key exchange: the signature is not what
    # stops DXB, ownership is.
    keys = KeyService(dxb.ws).own_keys()
    KeyService(sel.ws).trust(keys.mission_code, keys.signing_key, keys.age_recipient)
    fill_demo(sel.ws, 3, seed=5)
    fill_demo(dxb.ws, 2, seed=7)
    for mission in (sel, dxb):
        ensure_library(mission.ws)
        out = root / f"{mission.ws.mission_code}.qbundle"
        ExchangeService(mission.ws).export_cases(out, [hq.recipient])
        ExchangeService(hq.ws).import_bundle(out)


def sel_case(site: Site) -> dict[str, Any]:
    """Site's copy of SEL's first case (HQ's copy is what a thief at HQ's level would see)."""
    number = sorted(records_of(site, "case", Case.mission_code == "SEL"), key=lambda r: r["number"])
    return number[0]


def refused_at(site: Site, bundle: Path, message: str) -> None:
    with unchanged(site), pytest.raises(BundleRefused, match=message):
        ExchangeService(site.ws).import_bundle(bundle)


def to_hq(
    w: dict[str, Site], sender: str, out: Path, records: dict[str, list[Any]], **more: Any
) -> Path:
    """``records`` in a bundle signed with ``sender``'s real key and sent to HQ."""
    return Forger(w[sender]).bundle(out, records, [w["hq"].recipient], **more)


def changed_to_hq(
    w: dict[str, Site],
    sender: str,
    out: Path,
    entity: str,
    record: dict[str, Any],
    *,
    step: int = 1,
    **values: Any,
) -> Path:
    """``record`` of ``entity`` with ``values`` changed (``step`` versions on), in a bundle
    ``sender`` sends to HQ."""
    return to_hq(w, sender, out, {entity: [changed(record, step=step, **values)]})


def sel_case_changed_by(
    w: dict[str, Site], sender: str, out: Path, *, step: int = 1, **values: Any
) -> tuple[Path, dict[str, Any]]:
    """HQ's copy of SEL's case changed as ``changed_to_hq`` says: the bundle, and the case as
    HQ holds it."""
    case = sel_case(w["hq"])
    return changed_to_hq(w, sender, out, "case", case, step=step, **values), case


# -- the attacks: each returns the bundle and what the refusal must say -------------------------

Attack = Callable[[dict[str, Site], Path], tuple[Path, str]]


def rewrite_with_huge_version(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """Item 1: DXB sends HQ's copy of SEL's case with version 2**63-1 and new text."""
    case = sel_case(w["hq"])
    bundle = changed_to_hq(
        w, "dxb", out, "case", case, step=2**63 - 1 - case["version"], description="Case closed."
    )
    return bundle, rf"case {case['number']} jumps from version \d+ to version {2**63 - 1}"


def rewrite_with_next_version(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """Item 1 without the huge version: the next version of SEL's case, signed by DXB."""
    bundle, case = sel_case_changed_by(w, "dxb", out, description="Case closed.")
    return bundle, f"case {case['number']} is held by SEL; a bundle from DXB may change only"


def conflict_on_equal_version(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """The same version with other content would become a conflict someone may accept."""
    case = sel_case(w["hq"])
    forged = dict(case, description="Case closed.")
    bundle = to_hq(w, "dxb", out, {"case": [forged]})
    return bundle, f"case {case['number']} is held by SEL"


def version_within_own_case(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """Even the holder may not jump its own record's version past the bound."""
    bundle, _case = sel_case_changed_by(
        w, "sel", out, step=MAX_VERSION_STEP + 1, description="Edited."
    )
    return bundle, f"at most {MAX_VERSION_STEP}"


def _new_case(template: dict[str, Any], number: str, code: str, **values: Any) -> dict[str, Any]:
    record = dict(
        template,
        id=new_id(),
        number=number,
        mission_code=code,
        origin_mission=code,
        holder_mission=code,
        year=int(number.split("-")[1]),
        seq=int(number.split("-")[2]),
        version=1,
    )
    record.update(values)
    return record


def insert_case_claiming_sel(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """Item 1: DXB inserts SEL-2026-9999, claiming SEL as its origin."""
    forged = _new_case(sel_case(w["hq"]), "SEL-2026-9999", "SEL")
    bundle = to_hq(w, "dxb", out, {"case": [forged]})
    return bundle, "case SEL-2026-9999 is new here and claims to come from SEL"


def insert_case_numbered_for_sel(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """DXB as origin, but a case number of SEL's series."""
    forged = _new_case(sel_case(w["hq"]), "SEL-2026-9999", "DXB", mission_code="DXB")
    bundle = to_hq(w, "dxb", out, {"case": [forged]})
    return bundle, "the number of case SEL-2026-9999 names mission SEL"


def insert_case_held_by_sel(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """A DXB case that DXB says SEL holds: a mission cannot hand cases over."""
    forged = _new_case(sel_case(w["hq"]), "DXB-2026-9999", "DXB", holder_mission="SEL")
    bundle = to_hq(w, "dxb", out, {"case": [forged]})
    return bundle, "case DXB-2026-9999 is new here and held by SEL"


def hand_own_case_away(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """SEL moves its own case to DXB by itself; only an HQ transfer moves a case."""
    bundle, case = sel_case_changed_by(w, "sel", out, holder_mission="DXB")
    return bundle, f"case {case['number']} would be handed to DXB; only a transfer"


def renumber_own_case(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    bundle, case = sel_case_changed_by(w, "sel", out, number="SEL-2026-7777", seq=7777)
    return bundle, f"case {case['number']} would change its number, mission or origin"


def forged_treaty_in_cases_bundle(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """Item 2: a forged EAEU Treaty in a cases bundle, for HQ to pass on to every mission."""
    treaty = record_of(w["dxb"], "agreement", Agreement.slug == "eaeu-treaty-2014")
    bundle = changed_to_hq(
        w,
        "dxb",
        out,
        "agreement",
        treaty,
        step=50,
        title_en="Treaty on the EAEU (forged: no rights)",
    )
    return bundle, "A bundle of kind cases may not carry agreement records"


def forged_provision_in_cases_bundle(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    provision = records_of(w["dxb"], "agreement_provision", AgreementProvision.slug != "")[0]
    bundle = changed_to_hq(
        w, "dxb", out, "agreement_provision", provision, summary_en="Workers have no rights."
    )
    return bundle, "A bundle of kind cases may not carry agreement_provision records"


def library_from_a_mission(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """Item 2 by the other door: an agreements bundle signed by a mission, sent to SEL."""
    treaty = record_of(w["dxb"], "agreement", Agreement.slug == "eaeu-treaty-2014")
    forged = changed(treaty, title_en="Treaty on the EAEU (forged)")
    bundle = Forger(w["dxb"]).bundle(
        out, {"agreement": [forged]}, [w["sel"].recipient], kind="agreements"
    )
    return bundle, "bundles of kind agreements may come only from headquarters, and DXB is not"


def transfer_made_by_a_mission(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """Item 3: DXB makes a transfer bundle handing SEL's case to itself, addressed to HQ."""
    case = sel_case(w["hq"])
    forged = changed(case, holder_mission="DXB", transferred_from="SEL")
    bundle = to_hq(w, "dxb", out, {"case": [forged]}, kind="transfer", target="AST")
    return bundle, "bundles of kind transfer may come only from headquarters, and DXB is not"


def event_on_sel_case(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """A new timeline event on SEL's case, made and signed by DXB."""
    event = records_of(w["hq"], "case_event", CaseEvent.origin_mission == "SEL")[0]
    forged = dict(event, id=new_id(), origin_mission="DXB", text="Worker withdrew the complaint.")
    bundle = to_hq(w, "dxb", out, {"case_event": [forged]})
    return bundle, f"case_event {forged['id']} hangs off a case held by SEL"


def rewrite_sel_event(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    event = records_of(w["hq"], "case_event", CaseEvent.origin_mission == "SEL")[0]
    bundle = changed_to_hq(w, "dxb", out, "case_event", event, text="Nothing happened.")
    return bundle, f"case_event {event['id']} hangs off a case held by SEL"


def move_dxb_event_onto_sel_case(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """DXB re-parents its own event onto SEL's case."""
    event = records_of(w["hq"], "case_event", CaseEvent.origin_mission == "DXB")[0]
    bundle = changed_to_hq(w, "dxb", out, "case_event", event, case_id=sel_case(w["hq"])["id"])
    return bundle, f"case_event {event['id']} hangs off a case held by SEL"


def attachment_on_sel_case(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    content = b"%PDF-1.4 forged power of attorney"
    digest = file_digest(content)
    attachment = dxb_record_on_sel_case(
        w,
        "attachment",
        filename="power-of-attorney.pdf",
        mime_type="application/pdf",
        size=len(content),
        sha256=digest,
        added_by="admin",
    )
    bundle = to_hq(w, "dxb", out, {"attachment": [attachment]}, files={digest: content})
    return bundle, f"attachment {attachment['id']} hangs off a case held by SEL"


def letter_on_sel_case(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    letter = dxb_record_on_sel_case(
        w, "letter", mission_code="DXB", kind="employer_letter", lang="en", status="draft"
    )
    bundle = to_hq(w, "dxb", out, {"letter": [letter]})
    return bundle, f"letter {letter['id']} hangs off a case held by SEL"


def dxb_record_on_sel_case(w: dict[str, Site], entity: str, **values: Any) -> dict[str, Any]:
    """A new ``entity`` record DXB made on SEL's case, with ``values``."""
    made = {
        "id": new_id(),
        "origin_mission": "DXB",
        "version": 1,
        "updated_at": "2026-11-20T10:00:00+00:00",
        "deleted_at": None,
        "case_id": sel_case(w["hq"])["id"],
    }
    return complete_record(entity, made | values)


def rewrite_sel_person(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """A person SEL's cases refer to, changed by DXB (say, to redirect a phone number)."""
    person = records_of(w["hq"], "person", Person.origin_mission == "SEL")[0]
    bundle = changed_to_hq(w, "dxb", out, "person", person, phone_abroad="+971 50 000 0000")
    return bundle, f"person {person['id']} belongs to SEL"


def rewrite_sel_employer(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """Taking an employer off the watchlist from another mission."""
    used = {c["employer_id"] for c in records_of(w["hq"], "case", Case.mission_code == "SEL")}
    employer = next(
        r
        for r in records_of(w["hq"], "employer", Employer.origin_mission == "SEL")
        if r["id"] in used
    )
    bundle = changed_to_hq(w, "dxb", out, "employer", employer, watchlist=False, notes="Reliable.")
    return bundle, f"employer {employer['id']} belongs to SEL"


def person_claiming_sel(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    person = records_of(w["hq"], "person", Person.origin_mission == "SEL")[0]
    forged = dict(person, id=new_id(), iin=None, version=1)
    bundle = to_hq(w, "dxb", out, {"person": [forged]})
    return bundle, f"person {forged['id']} is new here and claims to come from SEL"


def other_missions_details(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """DXB rewrites SEL's letterhead address at HQ."""
    mission = record_of(w["sel"], "mission", Mission.code == "SEL")
    bundle = changed_to_hq(w, "dxb", out, "mission", mission, address_en="Somewhere else")
    return bundle, "it carries the details of mission SEL; a mission may send only its own"


# -- a reference as the way in: a record of the signer's pointed at another mission's person or
# organisation made the signer one of its owners, free to rewrite it in the next bundle.


def _dxb_case(w: dict[str, Site]) -> dict[str, Any]:
    return sorted(
        records_of(w["hq"], "case", Case.mission_code == "DXB"), key=lambda r: r["number"]
    )[0]


def _sel_shared(w: dict[str, Site], entity: str, column: str) -> str:
    """The id of a record of ``entity`` that SEL's cases at HQ point at by ``column``."""
    return next(
        c[column] for c in records_of(w["hq"], "case", Case.mission_code == "SEL") if c[column]
    )


def new_case_of_sel_worker(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """The fault: DXB's new case pointing at SEL's worker was accepted, and with it DXB's
    next bundle rewriting that worker (say, the phone an officer calls)."""
    person = _sel_shared(w, "person", "person_id")
    forged = _new_case(_dxb_case(w), "DXB-2026-9998", "DXB", person_id=person)
    bundle = to_hq(w, "dxb", out, {"case": [forged]})
    return bundle, f"case DXB-2026-9998 refers to person {person}, which belongs to SEL"


def own_case_moved_to_sel_employer(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """The fault: DXB's own case re-pointed at SEL's employer made DXB an owner of the
    employer, so that it could take it off the watchlist."""
    employer = _sel_shared(w, "employer", "employer_id")
    case = _dxb_case(w)
    bundle = changed_to_hq(w, "dxb", out, "case", case, employer_id=employer)
    return bundle, f"case {case['number']} refers to employer {employer}, which belongs to SEL"


def own_case_moved_to_sel_agency(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """The fault: as for the employer, with SEL's recruitment agency."""
    agency = _sel_shared(w, "recruitment_agency", "agency_id")
    case = _dxb_case(w)
    bundle = changed_to_hq(w, "dxb", out, "case", case, agency_id=agency)
    return bundle, f"refers to recruitment_agency {agency}, which belongs to SEL"


def contract_review_of_sel_worker(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """The fault: a review without a case, DXB's own, pointing at SEL's worker."""
    person = _sel_shared(w, "person", "person_id")
    review = complete_record(
        "contract_review",
        {
            "id": new_id(),
            "origin_mission": "DXB",
            "version": 1,
            "updated_at": "2026-11-20T10:00:00+00:00",
            "deleted_at": None,
            "case_id": None,
            "person_id": person,
            "risk": "low",
            "host_country": "AE",
            "reviewed_at": "2026-11-20T10:00:00+00:00",
        },
    )
    bundle = to_hq(w, "dxb", out, {"contract_review": [review]})
    return bundle, f"contract_review {review['id']} refers to person {person}, which belongs to SEL"


def referral_to_sel_partner(w: dict[str, Site], out: Path) -> tuple[Path, str]:
    """The fault: DXB's referral, on DXB's own case, to a partner organisation SEL made."""
    partner = next(
        r["id"]
        for r in records_of(
            w["hq"], "partner_organisation", PartnerOrganisation.origin_mission == "SEL"
        )
    )
    referral = complete_record(
        "partner_referral",
        {
            "id": new_id(),
            "origin_mission": "DXB",
            "version": 1,
            "updated_at": "2026-11-20T10:00:00+00:00",
            "deleted_at": None,
            "case_id": _dxb_case(w)["id"],
            "partner_id": partner,
            "referred_at": "2026-11-20",
        },
    )
    bundle = to_hq(w, "dxb", out, {"partner_referral": [referral]})
    return bundle, f"refers to partner_organisation {partner}, which belongs to SEL"


ATTACKS: list[Attack] = [
    rewrite_with_huge_version,
    rewrite_with_next_version,
    conflict_on_equal_version,
    version_within_own_case,
    insert_case_claiming_sel,
    insert_case_numbered_for_sel,
    insert_case_held_by_sel,
    hand_own_case_away,
    renumber_own_case,
    forged_treaty_in_cases_bundle,
    forged_provision_in_cases_bundle,
    transfer_made_by_a_mission,
    event_on_sel_case,
    rewrite_sel_event,
    move_dxb_event_onto_sel_case,
    attachment_on_sel_case,
    letter_on_sel_case,
    rewrite_sel_person,
    rewrite_sel_employer,
    person_claiming_sel,
    other_missions_details,
    new_case_of_sel_worker,
    own_case_moved_to_sel_employer,
    own_case_moved_to_sel_agency,
    contract_review_of_sel_worker,
    referral_to_sel_partner,
]


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.__name__ for a in ATTACKS])
def test_attack_on_hq_is_refused_and_nothing_changes(
    world: dict[str, Site], tmp_path: Path, attack: Attack
) -> None:
    bundle, message = attack(world, tmp_path / "forged.qbundle")
    refused_at(world["hq"], bundle, message)


def test_a_library_signed_by_a_mission_is_refused_at_a_mission(
    world: dict[str, Site], tmp_path: Path
) -> None:
    bundle, message = library_from_a_mission(world, tmp_path / "lib.qbundle")
    refused_at(world["sel"], bundle, message)


def test_a_transfer_signed_by_a_mission_is_refused_at_a_mission(
    world: dict[str, Site], tmp_path: Path
) -> None:
    """DXB 'transfers' one of its cases, with a new event, into SEL's database."""
    dxb = world["dxb"]
    case = records_of(dxb, "case", Case.mission_code == "DXB")[0]
    person = record_of(dxb, "person", Person.id == case["person_id"])
    records: Records = {
        "person": [person],
        "case": [changed(case, holder_mission="SEL", transferred_from="DXB")],
    }
    bundle = Forger(dxb).bundle(
        tmp_path / "t.qbundle", records, [world["sel"].recipient], kind="transfer", target="SEL"
    )
    refused_at(world["sel"], bundle, "bundles of kind transfer may come only from headquarters")


def test_a_transfer_must_hand_cases_to_its_addressee(
    world: dict[str, Site], tmp_path: Path
) -> None:
    """Even HQ's own key cannot make a transfer that hands a case to someone else."""
    hq, sel = world["hq"], world["sel"]
    case = records_of(hq, "case", Case.mission_code == "DXB")[0]
    person = record_of(hq, "person", Person.id == case["person_id"])
    records: Records = {"person": [person], "case": [changed(case, holder_mission="DXB")]}
    bundle = Forger(hq).bundle(
        tmp_path / "t.qbundle", records, [sel.recipient], kind="transfer", target="SEL"
    )
    refused_at(sel, bundle, f"case {case['number']} is handed to DXB, but a transfer")


def test_a_notice_tells_only_the_mission_the_case_leaves(
    world: dict[str, Site], tmp_path: Path
) -> None:
    """A transfer may also tell its addressee that a case moved away from it; a case that
    moved from someone else is still not its business."""
    hq, sel = world["hq"], world["sel"]
    case = records_of(hq, "case", Case.mission_code == "DXB")[0]
    person = record_of(hq, "person", Person.id == case["person_id"])
    moved = changed(case, holder_mission="TUR", transferred_from="DXB")
    bundle = Forger(hq).bundle(
        tmp_path / "t.qbundle",
        {"person": [person], "case": [moved]},
        [sel.recipient],
        kind="transfer",
        target="SEL",
    )
    refused_at(sel, bundle, f"case {case['number']} is handed to TUR, but a transfer")


def test_hq_without_the_hq_mark_cannot_send_the_library(
    world: dict[str, Site], tmp_path: Path
) -> None:
    """A mission that registered HQ's key without --hq refuses HQ's library bundle."""
    hq = world["hq"]
    tas = make_site(tmp_path, "TAS", "UZ", "Tashkent")
    try:
        for here, there in ((hq, tas), (tas, hq)):
            keys = KeyService(there.ws).own_keys()
            KeyService(here.ws).trust(keys.mission_code, keys.signing_key, keys.age_recipient)
        treaty = record_of(world["dxb"], "agreement", Agreement.slug == "eaeu-treaty-2014")
        bundle = Forger(hq).bundle(
            tmp_path / "lib.qbundle",
            {"agreement": [changed(treaty, origin_mission="AST")]},
            [tas.recipient],
            kind="agreements",
        )
        refused_at(tas, bundle, "--hq")
    finally:
        tas.ws.close()


def test_a_bundle_signed_with_a_replaced_key_is_refused(
    world: dict[str, Site], tmp_path: Path
) -> None:
    """Replay after a key change: SEL's laptop was stolen and HQ registered SEL's new key. A
    bundle signed with the old key (valid when it was signed) is refused, nothing changed."""
    hq = world["hq"]
    stolen, _case = sel_case_changed_by(world, "sel", tmp_path / "old.qbundle", description="X")
    keys = KeyService(hq.ws)
    old = next(k for k in keys.trusted() if k.code == "SEL")
    new_key = base64.b64encode(
        Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    ).decode()
    keys.trust("SEL", new_key)
    assert new_key in {k.signing_key for k in keys.trusted()}
    try:
        refused_at(hq, stolen, "signature does not match the registered key of SEL")
    finally:
        keys.trust("SEL", old.signing_key)


# -- the genuine flows ------------------------------------------------------------------------


def test_sels_genuine_update_is_accepted_after_the_attacks(
    world: dict[str, Site], tmp_path: Path
) -> None:
    hq, sel = world["hq"], world["sel"]
    case_id = sel_case(sel)["id"]
    forged, _message = rewrite_with_huge_version(world, tmp_path / "forged.qbundle")
    with pytest.raises(BundleRefused):
        ExchangeService(hq.ws).import_bundle(forged)
    sel.cases.update_case(case_id, CaseChanges(description="Employer paid the wages."))
    out = tmp_path / "sel-update.qbundle"
    ExchangeService(sel.ws).export_cases(out, [hq.recipient])

    report = ExchangeService(hq.ws).import_bundle(out)

    assert report.per_entity["case"]["updated"] == 1
    assert hq.cases.get_case(case_id).description == "Employer paid the wages."
    assert hq.cases.get_case(case_id).version == sel.cases.get_case(case_id).version


def test_a_record_without_a_case_cannot_be_taken_over_by_hanging_it_on_a_case(
    world: dict[str, Site], tmp_path: Path
) -> None:
    """The fault: a record without a case belongs to its maker, but that was judged only while
    the bundle's copy stayed without a case too: DXB hanging SEL's review (made without a case)
    on a case of DXB's own was accepted, and the review was DXB's from then on."""
    hq = world["hq"]
    review = complete_record(
        "contract_review",
        {
            "id": new_id(),
            "origin_mission": "SEL",
            "version": 1,
            "updated_at": "2026-11-20T10:00:00+00:00",
            "case_id": None,
            "person_id": None,
            "risk": "high",
            "host_country": "KR",
            "reviewed_at": "2026-11-20T10:00:00+00:00",
        },
    )
    made = to_hq(world, "sel", tmp_path / "sel-review.qbundle", {"contract_review": [review]})
    assert ExchangeService(hq.ws).import_bundle(made).per_entity["contract_review"]["new"] == 1

    taken = changed(review, case_id=_dxb_case(world)["id"], risk="low")
    bundle = to_hq(world, "dxb", tmp_path / "taken.qbundle", {"contract_review": [taken]})
    refused_at(hq, bundle, f"contract_review {review['id']} was made by SEL")


def test_a_new_case_of_a_workers_own_mission_is_accepted(
    world: dict[str, Site], tmp_path: Path
) -> None:
    """The references rule leaves the genuine flow alone: DXB opens a second case for a
    worker, employer and agency of its own."""
    hq = world["hq"]
    own = next(c for c in records_of(hq, "case", Case.mission_code == "DXB") if c["agency_id"])
    second = _new_case(own, "DXB-2026-9997", "DXB")
    report = ExchangeService(hq.ws).import_bundle(
        to_hq(world, "dxb", tmp_path / "second.qbundle", {"case": [second]})
    )
    assert report.per_entity["case"]["new"] == 1


def test_the_mission_holding_a_transferred_case_updates_it(
    world: dict[str, Site], tmp_path: Path
) -> None:
    """After HQ transfers SEL's case to DXB, DXB's changes are accepted and SEL's left out:
    not written, named in the report and the audit, while the rest of SEL's bundle goes in
    (refused whole, one officer's note on a case SEL was never told had moved stopped every
    later bundle of SEL's, its full export included)."""
    hq, sel, dxb = world["hq"], world["sel"], world["dxb"]
    case = sorted(records_of(sel, "case", Case.mission_code == "SEL"), key=lambda r: r["number"])[
        -1
    ]
    ExchangeService(hq.ws).transfer_cases([case["number"]], "DXB", tmp_path / "t.qbundle")
    ExchangeService(dxb.ws).import_bundle(tmp_path / "t.qbundle")
    with dxb.ws.read() as session:
        assert session.get(Case, case["id"]).holder_mission == "DXB"

    dxb.cases.update_case(case["id"], CaseChanges(description="Now handled in Dubai."))
    ExchangeService(dxb.ws).export_cases(tmp_path / "dxb.qbundle", [hq.recipient])
    report = ExchangeService(hq.ws).import_bundle(tmp_path / "dxb.qbundle")
    assert report.per_entity["case"]["updated"] == 1

    # SEL's full export still carries its old copy and events of the case: they change
    # nothing at HQ, so they are left alone and the bundle is accepted.
    ExchangeService(sel.ws).export_cases(tmp_path / "all.qbundle", [hq.recipient], True)
    report = ExchangeService(hq.ws).import_bundle(tmp_path / "all.qbundle")
    assert (report.new, report.updated, report.conflicts) == (0, 0, 0)
    assert report.per_entity["case"]["local_newer"] == 1

    sel.cases.update_case(case["id"], CaseChanges(description="Still ours."))
    stale = sel.cases.get_case(case["id"])
    forged = changed(record_of(sel, "case", Case.id == case["id"]), step=10)
    event = records_of(sel, "case_event", CaseEvent.case_id == case["id"])[0]
    note = {**event, "id": new_id(), "text": "Called the employer again.", "version": 1}
    bundle = Forger(sel).bundle(
        tmp_path / "stale.qbundle", {"case": [forged], "case_event": [note]}, [hq.recipient]
    )
    report = ExchangeService(hq.ws).import_bundle(bundle)
    assert report.per_entity["case"]["left_out"] == 1
    assert report.per_entity["case_event"]["left_out"] == 1
    assert (report.new, report.updated) == (0, 0)
    # The summary adds up to the records the bundle carried: the two left out were counted
    # apart, in a warning only, and the summary read "0 new, 0 updated, 0 unchanged…".
    parts = (report.new, report.updated, report.unchanged, report.local_newer)
    assert report.left_out == 2 and sum(parts) + report.conflicts + report.left_out == 2
    assert "0 conflicts, 2 left out (cases transferred away)." in _import_summary(report)
    with hq.ws.read() as session:
        logged = session.execute(
            select(ExchangeLog.report).where(ExchangeLog.bundle_id == report.bundle_id)
        ).scalar_one()
    assert logged["left_out"] == 2
    (warning,) = report.warnings
    assert "Changes from SEL left out: 2, to a case HQ transferred away" in warning
    assert f"{stale.number} (now held by DXB)" in warning
    with hq.ws.read() as session:
        assert session.execute(select(Case.description).where(Case.id == case["id"])).scalar() == (
            "Now handled in Dubai."
        )
        assert session.get(CaseEvent, note["id"]) is None
        audited = session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "bundle.left_out")
        ).scalar_one()
        assert audited == {"records": 2, "cases": {stale.number: "DXB"}}


def test_a_mission_that_never_held_a_case_is_still_refused_after_a_transfer(
    world: dict[str, Site], tmp_path: Path
) -> None:
    """Only a former holder's changes are left out: DXB, which never held SEL's case, writing
    on it is refused whole, as before."""
    hq = world["hq"]
    target = sel_case(hq)
    forged = changed(target, step=1)
    bundle = to_hq(world, "dxb", tmp_path / "dxb-on-sel.qbundle", {"case": [forged]})
    refused_at(hq, bundle, f"case {target['number']} is held by SEL")
