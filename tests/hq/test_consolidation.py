"""HQ's views across missions, on bundles really exported by two missions and imported."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.db.models import Case, Employer, Person
from app.domain.codes import Urgency
from app.domain.matching import organisation_key
from app.errors import PermissionDenied
from app.exchange.fastcheck import compile_record
from app.exchange.records import BY_NAME, Codec, record_schema
from app.services.case_json import case_from_json
from app.services.consolidation import ConsolidationService
from app.services.installation import unlock
from app.services.organisations import OrganisationService
from app.services.records import CaseFilter, OrganisationInput
from app.services.stats import Drilldown, StatsFilter, StatsService
from app.services.users import UserService
from tests.builders import ASSEL_JSON
from tests.conftest import PASSWORD
from tests.hq.seed import add_case
from tests.integration.test_exchange import Site, dxb, hq, link, sel, sites  # noqa: F401

# How the repeats list names the worker both missions opened a case for: her IIN and name.
ASSELS_ROW = f"{ASSEL_JSON['iin']} ({ASSEL_JSON['surname']} {ASSEL_JSON['given_names']})"
SCAN = b"%PDF-1.4 scanned contract " + bytes(range(256)) * 8


def _open_case(site: Site, employer: str, country: str, received: date) -> str:
    data = case_from_json(
        {
            "person": ASSEL_JSON,
            "employer": {"name": employer, "country": country},
            "host_country": country,
            "categories": ["unpaid_wages"],
            "description": "Wages unpaid.",
            "received_at": received.isoformat(),
        }
    )
    return site.cases.create_case(data, allow_duplicate_person=True).number


# On SQLCipher the three sites as ``consolidated`` leaves them, by day: made by the session's
# first test to ask (its exports and imports cost about a second) and copied for the others.
# The sites are copies of the same templates (tests/conftest.py ``install_site``) holding the
# same seeded demo cases, so every test of the day would build the same.
_CONSOLIDATED: dict[str, dict[str, Path]] = {}


@pytest.fixture
def consolidated(
    sel: Site,  # noqa: F811
    dxb: Site,  # noqa: F811
    hq: Site,  # noqa: F811
    tmp_path: Path,
    engine: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Site:
    """HQ after importing a bundle of SEL (its demo cases and a case overdue since 400 days,
    with a scan) and one of DXB (its demo cases and an overdue case)."""
    if engine != "sqlite":
        return _consolidate(sel, dxb, hq, tmp_path)
    three = {"AST": hq, "SEL": sel, "DXB": dxb}
    today = date.today().isoformat()
    saved = _CONSOLIDATED.get(today)
    if saved is None:
        _consolidate(sel, dxb, hq, tmp_path)
        folder = tmp_path_factory.mktemp("consolidated")
        saved = {code: folder / code for code in three}
        for code, site in three.items():
            _reopened_from(site, site.paths.data_dir, saved[code])
        _CONSOLIDATED[today] = saved
        return hq
    for code, site in three.items():
        _reopened_from(site, saved[code], site.paths.data_dir)
    return hq


def _reopened_from(site: Site, source: Path, target: Path) -> None:
    """``site`` closed, ``source`` copied over ``target``, and ``site`` signed in again."""
    site.ws.close()
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    site.ws = unlock(site.paths, "admin", PASSWORD)


def _consolidate(sel: Site, dxb: Site, hq: Site, tmp_path: Path) -> Site:  # noqa: F811
    long_ago = date.today() - timedelta(days=400)
    number = _open_case(sel, "Global Staffing Ltd", "KR", long_ago)
    case_id = next(r.id for r in sel.cases.list_cases(CaseFilter(text=number)))
    sel.cases.add_attachment(case_id, "contract.pdf", SCAN, "application/pdf")
    # Overdue at both missions, whatever the demo gives (its open cases are few and recent).
    _open_case(dxb, "GLOBAL STAFFING CO., LTD. ", "KR", long_ago + timedelta(days=200))
    sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])
    dxb.exchange.export_cases(tmp_path / "dxb.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "sel.qbundle")
    hq.exchange.import_bundle(tmp_path / "dxb.qbundle")
    return hq


def test_missions_show_last_bundle_and_case_counts(consolidated: Site) -> None:
    found = {m.code: m for m in ConsolidationService(consolidated.ws).missions()}
    assert set(found) == {"SEL", "DXB"}
    assert found["SEL"].cases == 7 and found["DXB"].cases == 5  # demo cases + one each
    assert found["SEL"].bundles == 1 and found["SEL"].last_bundle_at is not None
    assert found["SEL"].country == "KR" and found["DXB"].city == "Dubai"
    assert found["SEL"].open_cases <= found["SEL"].cases


def test_overdue_lists_open_cases_past_due_across_missions(consolidated: Site) -> None:
    service = ConsolidationService(consolidated.ws)
    overdue = service.overdue()
    assert overdue, "the case received 400 days ago is past its due date"
    assert all(c.days_overdue > 0 for c in overdue)
    # The most urgent first (a life at risk), then the longest overdue.
    rank = {code.value: n for n, code in enumerate(Urgency)}
    keys = [(-rank[c.urgency], c.due_date) for c in overdue]
    assert keys == sorted(keys)
    assert service.count_overdue() == len(overdue)
    only_sel = service.overdue(mission="SEL")
    assert only_sel and {c.mission for c in only_sel} == {"SEL"}
    per_mission = {m.code: m.overdue_cases for m in service.missions()}
    assert per_mission["SEL"] == len(only_sel)


def test_repeats_find_the_same_worker_and_employer_at_two_missions(consolidated: Site) -> None:
    repeats = ConsolidationService(consolidated.ws).repeats()
    person = [r for r in repeats if r.kind == "person" and r.key == ASSEL_JSON["iin"]]
    assert len(person) == 1 and person[0].missions == ("DXB", "SEL")
    # The two missions wrote the employer each its own way ("Global Staffing Ltd",
    # "GLOBAL STAFFING CO., LTD. "): one employer, found in the case list by its own words.
    employer = [r for r in repeats if r.kind == "employer" and "STAFFING" in r.key.upper()]
    assert [(r.key, r.search) for r in employer] == [
        ("KR: GLOBAL STAFFING CO., LTD.", "global staffing")
    ]
    assert employer[0].missions == ("DXB", "SEL") and employer[0].cases == 2
    assert employer[0].who() == "GLOBAL STAFFING CO., LTD. (South Korea)"  # CLDR's, not "KR"
    assert person[0].who() == ASSELS_ROW  # the IIN alone told the analyst nothing
    assert len(employer[0].case_numbers) == 2
    assert person[0].search == ASSEL_JSON["iin"]
    assert all(len(r.missions) > 1 for r in repeats)


def test_a_repeated_iin_is_named_as_most_cases_name_it_never_from_an_anonymised_one(
    hq: Site,  # noqa: F811
) -> None:
    """The name an anonymised case (or person) still held at HQ, from before its own
    nameless person, is not shown, though two of the IIN's three cases write it."""
    iin, received = "900101300111", date(2026, 3, 1)
    with hq.ws.write() as session:
        cases = [
            add_case(session, mission, seq, iin=iin, employer=None, received=received)
            for mission, seq in (("SEL", 1), ("SEL", 2), ("DXB", 1))
        ]
        people = [case.person_id for case in cases]
        anonymised = cases[0].id
        # As the rows stand in the database, past the guard that keeps HQ from editing them.
        for person, name in zip(people, ("Жасырын", "Жасырын", "Ахметова"), strict=True):
            session.execute(update(Person).where(Person.id == person).values(surname=name))
        now = datetime.now(UTC)
        session.execute(update(Case).where(Case.id == anonymised).values(anonymised_at=now))
        session.execute(update(Person).where(Person.id == people[1]).values(anonymised_at=now))
    [repeat] = [r for r in ConsolidationService(hq.ws).repeats() if r.kind == "person"]
    assert repeat.cases == 3 and repeat.name == "Ахметова Given"
    assert repeat.who() == f"{iin} (Ахметова Given)"


def add_hanil_cases(hq: Site) -> None:  # noqa: F811
    """27 cases of one employer at SEL (15) and DXB (12), each mission writing its name its
    own way."""
    with hq.ws.write() as session:
        written = {"SEL": "Hanil Co., Ltd.", "DXB": "HANIL CO LTD"}
        for mission, count in (("SEL", 15), ("DXB", 12)):
            employer = Employer(name=written[mission], country="KR", origin_mission=mission)
            session.add(employer)
            session.flush()
            for seq in range(count, 0, -1):  # written newest first: the order is the query's
                add_case(
                    session, mission, seq, iin=None, employer=employer, received=date(2026, 3, 1)
                )


def test_an_employer_with_many_cases_shows_its_count_and_first_cases(hq: Site) -> None:  # noqa: F811
    """Counted in the database: 27 cases at two missions, the first 20 by mission and number
    shown, the name as most of its cases write it."""
    add_hanil_cases(hq)
    [hanil] = [r for r in ConsolidationService(hq.ws).repeats() if r.kind == "employer"]
    assert (hanil.key, hanil.search, hanil.missions) == (
        "KR: Hanil Co., Ltd.",
        "hanil",
        ("DXB", "SEL"),
    )
    assert hanil.cases == 27
    expected = [f"DXB-2026-{n:04d}" for n in range(1, 13)] + [
        f"SEL-2026-{n:04d}" for n in range(1, 9)
    ]
    assert list(hanil.case_numbers) == expected
    # Said beside the 20 numbers: 27 cases over a list of 20 read as the whole list.
    assert hanil.numbers_listed() == ", ".join(expected) + ", … (7 more)"


def test_statistics_across_missions_take_a_mission_filter(consolidated: Site) -> None:
    stats = StatsService(consolidated.ws)
    period = StatsFilter(date_from=date.today() - timedelta(days=3650), date_to=date.today())
    everything = stats.indicators(period).opened
    only_dxb = stats.indicators(StatsFilter(period.date_from, period.date_to, mission="DXB"))
    assert everything == 12 and only_dxb.opened == 5


def test_an_attache_sees_no_consolidation(sel: Site) -> None:  # noqa: F811
    UserService(sel.ws).add("aigul", "attache", PASSWORD)
    attache = unlock(sel.paths, "aigul", PASSWORD)
    try:
        with pytest.raises(PermissionDenied):
            ConsolidationService(attache).missions()
    finally:
        attache.close()


def test_hq_keys_the_employers_names_itself_and_follows_a_renaming(
    consolidated: Site,
    sel: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Bundles do not carry the key names are matched on (a sender's would be trusted, and
    a record holding one is refused by the schema): HQ keys each employer it receives, and
    keys it again when a mission renames it."""
    employer = BY_NAME["employer"]
    assert "name_key" not in {c.name for c in employer.columns}
    codec, accepted = Codec(employer), compile_record(record_schema(employer))
    with sel.ws.read() as session:
        record = codec.to_record(session.execute(select(*codec.select_columns())).first())
    assert accepted(record) and not accepted({**record, "name_key": "hanil"})
    with consolidated.ws.read() as session:
        held = session.execute(select(Employer.name, Employer.name_key)).all()
    assert held and all(key == organisation_key(name) != "" for name, key in held)

    service = OrganisationService(sel.ws)
    staffing = next(o for o in service.list() if o.name == "Global Staffing Ltd")
    service.update(staffing.id, OrganisationInput("Staffing Global LLC", "KR"))
    sel.exchange.export_cases(tmp_path / "again.qbundle", [consolidated.recipient])
    consolidated.exchange.import_bundle(tmp_path / "again.qbundle")
    with consolidated.ws.read() as session:
        renamed = session.get(Employer, staffing.id)
        assert renamed is not None and renamed.name_key == "staffing global"


def test_employers_combined_at_a_mission_are_one_at_hq(
    sel: Site,  # noqa: F811
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The cases moved and the records removed travel in the mission's next bundle, which HQ
    accepts as the mission's own changes."""
    first = _open_case(sel, "Global Staffing Ltd", "KR", date.today())
    with sel.ws.write() as session:  # entered again, as an older version let it be
        twin = Employer(name="GLOBAL STAFFING", country="KR", city="")
        session.add(twin)
        session.flush()
        twin_id = twin.id
    second = sel.cases.create_case(
        case_from_json(
            {
                "person": ASSEL_JSON,
                "employer_id": twin_id,
                "host_country": "KR",
                "categories": ["violence"],
                "received_at": date.today().isoformat(),
            }
        ),
        allow_duplicate_person=True,
    ).number
    sel.exchange.export_cases(tmp_path / "one.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "one.qbundle")
    kept = next(o for o in OrganisationService(sel.ws).list() if o.name == "Global Staffing Ltd")
    assert OrganisationService(sel.ws).combine(kept.id).cases_moved == 1
    sel.exchange.export_cases(tmp_path / "two.qbundle", [hq.recipient])
    report = hq.exchange.import_bundle(tmp_path / "two.qbundle")
    assert report.updated >= 2  # the case moved and the record removed
    with hq.ws.read() as session:
        owners = dict(
            session.execute(
                select(Case.number, Case.employer_id).where(Case.number.in_([first, second]))
            ).all()
        )
        assert owners == {first: kept.id, second: kept.id}
        removed = session.get(Employer, twin_id)
        assert removed is not None and removed.deleted_at is not None


@pytest.mark.parametrize("category", [None, "unpaid_wages"])  # day counts, then the cases
def test_an_employer_two_missions_wrote_each_their_way_counts_once_in_the_statistics(
    consolidated: Site, category: str | None
) -> None:
    """The fault: HQ's "Employers with the most complaints" counted each mission's own record
    of an employer apart ("Global Staffing Ltd" at Seoul, "GLOBAL STAFFING CO., LTD." at
    Dubai): the same employer, or agency, stood twice in the top ten with part of its cases
    each, and a click on either listed only that mission's."""
    stats = StatsService(consolidated.ws)
    period = StatsFilter(
        date_from=date.today() - timedelta(days=3650), date_to=date.today(), category=category
    )
    figures = stats.indicators(period)
    staffing = [o for o in figures.top_employers if organisation_key(o.name) == "global staffing"]
    assert len(staffing) == 1 and staffing[0].count == 2 and staffing[0].country == "KR"
    behind = stats.ids_behind(Drilldown(figures.scope, "employer", staffing[0].id))
    numbers = {row.number.split("-")[0] for row in stats.rows_of(behind)}
    assert numbers == {"SEL", "DXB"}
