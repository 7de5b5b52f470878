from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.config import Paths
from app.db.models import (
    Case,
    CaseCategory,
    CaseEvent,
    Employer,
    PartnerOrganisation,
    PartnerReferral,
    Person,
    RecruitmentAgency,
)
from app.domain.codes import CaseStatus
from app.domain.iin import is_valid_iin
from app.errors import UsageError
from app.services import demo, demo_data
from app.services.demo import DEMO_PASSWORD, fill_demo, run_demo
from app.services.installation import unlock
from app.services.returnees import ReturneeService, most_years_abroad
from app.services.workspace import Workspace
from tests.builders import ASSEL, closed_with_worker_home
from tests.conftest import PASSWORD, OpenWs, demo_paths_fixture

TODAY = date(2026, 11, 24)


def demo_snapshot(target: Path, seed: int) -> dict[str, object]:
    paths = Paths(target)
    run_demo(paths, 400, seed, today=TODAY)
    ws = unlock(paths, "admin", DEMO_PASSWORD)
    try:
        with ws.read() as session:
            cases = session.execute(
                select(
                    Case.number,
                    Case.status,
                    Case.host_country,
                    Person.surname,
                    Person.surname_latin,
                    Person.iin,
                )
                .join(Person, Person.id == Case.person_id)
                .order_by(Case.number)
            ).all()
            return {
                "cases": [tuple(row) for row in cases],
                "categories": session.execute(
                    select(CaseCategory.code, func.count()).group_by(CaseCategory.code)
                ).all(),
                "events": session.execute(select(func.count()).select_from(CaseEvent)).scalar(),
            }
    finally:
        ws.close()


@pytest.fixture(scope="module")
def seed_5(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A 400-case demo of seed 5, made once for the module: two tests compare with it."""
    return demo_snapshot(tmp_path_factory.mktemp("demo-seed-5") / "data", seed=5)


# The four tests that only read a 300-case demo of seed 2 share one, filled once.
demo_paths = demo_paths_fixture("demo-seed-2", 300, 2, TODAY)


@pytest.fixture
def seed_2_ws(demo_paths: Paths) -> Iterator[Workspace]:
    """The administrator's workspace on the module's 300-case demo of seed 2 (read only)."""
    ws = unlock(demo_paths, "admin", PASSWORD)
    try:
        yield ws
    finally:
        ws.close()


def test_demo_is_deterministic_and_realistic(tmp_path: Path, seed_5: dict[str, object]) -> None:
    first = seed_5
    second = demo_snapshot(tmp_path / "b", seed=5)
    other = demo_snapshot(tmp_path / "c", seed=6)
    assert first == second
    assert first["cases"] != other["cases"]
    cases = first["cases"]
    assert isinstance(cases, list) and len(cases) == 400
    assert {row[1] for row in cases} == {s.value for s in CaseStatus}
    countries = [row[2] for row in cases]
    # The Seoul embassy's workers are in Korea, but for a few who write from elsewhere.
    assert 0.94 <= countries.count("KR") / len(countries) < 1
    assert all(is_valid_iin(row[5]) for row in cases)
    assert all(row[4].isascii() and row[4].isupper() for row in cases)
    assert any(ch in row[3] for row in cases for ch in "әғқңөұүһі")
    numbers = [row[0] for row in cases]
    assert len(set(numbers)) == len(numbers)
    by_year: dict[str, list[int]] = {}
    for number in numbers:
        _mission, year, seq = number.split("-")
        by_year.setdefault(year, []).append(int(seq))
    for seqs in by_year.values():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))  # gapless per year
    assert isinstance(first["events"], int) and first["events"] > 400


def test_demo_generated_early_in_the_day_dates_nothing_in_the_future(ws: Workspace) -> None:
    """Generated at 06:10 UTC, before the 08:30 at which a case received that day is
    registered (and before the later steps of yesterday's cases): every date the generator
    gives still lies before the moment of generation, each timeline in its own order."""
    now = datetime(2026, 11, 24, 6, 10, tzinfo=UTC)
    clock = datetime.now(UTC)
    fill_demo(ws, 600, seed=3, today=now.date(), now=now)
    with ws.read() as session:
        events = (
            session.execute(
                select(CaseEvent)
                .where(CaseEvent.occurred_at < clock)
                .order_by(CaseEvent.occurred_at)
            )
            .scalars()
            .all()
        )
        cases = session.execute(select(Case)).scalars().all()
    # The letters' events, left out above, are written by the letter service at the clock's time.
    assert len(events) > 1000
    assert max(e.occurred_at for e in events) <= now
    assert max(e.updated_at for e in events) <= now
    for case in cases:
        assert all(s is None or s <= now for s in (case.resolved_at, case.closed_at))
        # Overdue cases, yes; one due before it came in (the rule an officer's form keeps), no.
        assert case.due_date is None or case.due_date >= case.received_at, case.number
    assert any(c.due_date and c.due_date < now.date() for c in cases if c.status == "in_progress")
    received_today = {c.id for c in cases if c.received_at == now.date()}
    assert received_today, "the seed gives cases received on the day the demo is generated"
    status: dict[str, str] = {}
    for event in events:
        if event.kind == "status_change":
            assert status.get(event.case_id, "new") == event.status_from
            status[event.case_id] = event.status_to
        elif event.case_id in received_today:
            assert event.occurred_at.date() == now.date()


def test_a_workers_phone_abroad_is_of_the_country_they_work_in(seed_2_ws: Workspace) -> None:
    """It was any eleven digits ("+40924256622" for a worker in Korea)."""
    from app.services.demo import MOBILE_FORMS

    with seed_2_ws.read() as session:
        rows = session.execute(
            select(Person.phone_abroad, Case.host_country)
            .join(Case, Case.person_id == Person.id)
            .order_by(Case.received_at)
        ).all()
    latest = {phone: country for phone, country in rows}
    assert len(latest) > 250
    for phone, country in latest.items():
        code = MOBILE_FORMS[country].split()[0]
        assert phone.startswith(code + " "), (phone, country)
        assert len(phone) == len(MOBILE_FORMS[country])


def test_a_referred_demo_case_names_the_partner_it_went_to(seed_2_ws: Workspace) -> None:
    """The demo's "Referred" cases named no one: the Partners area read 0 referrals."""
    with seed_2_ws.read() as session:
        referred = session.execute(
            select(Case.id, Case.host_country, Case.received_at).where(
                Case.status == CaseStatus.REFERRED.value
            )
        ).all()
        referrals = session.execute(
            select(
                PartnerReferral.case_id, PartnerOrganisation.country, PartnerReferral.referred_at
            ).join(PartnerOrganisation, PartnerOrganisation.id == PartnerReferral.partner_id)
        ).all()
    countries = set(demo_data_partner_countries())
    assert {c.id for c in referred if c.host_country in countries} == {r.case_id for r in referrals}
    by_case = {c.id: c for c in referred}
    for case_id, country, day in referrals:
        assert country == by_case[case_id].host_country
        assert by_case[case_id].received_at <= day <= TODAY


def demo_data_partner_countries() -> list[str]:
    """The countries of the partners Seoul's demo (the one these tests fill) makes."""
    return [partner.country for partner in demo.demo_partners("KR")]


def test_three_demo_missions_make_each_partner_once_each_its_own_countrys() -> None:
    """Each demo mission made every partner: HQ listed the Korean ones three times."""
    made = {code: demo.demo_partners(m.setup.country) for code, m in demo.DEMO_MISSIONS.items()}
    every = [partner.name for partners in made.values() for partner in partners]
    assert sorted(every) == sorted(partner.name for partner in demo_data.PARTNERS)
    assert {p.country for p in made["IST"]} == {"TR"} and {p.country for p in made["DXB"]} == {"AE"}
    assert {p.country for p in made["SEL"]} == {"KR", "RU"}  # Russia: no demo mission there


def test_notes_verbales_go_to_the_state_the_mission_is_in(ws: Workspace) -> None:
    """The Seoul embassy's notes were addressed to the ministries of Türkiye, Russia, Germany…
    (two thirds of its cases were there). A worker writing from another state is reported to
    HQ instead: a note to that state goes through the mission accredited there."""
    import random

    from app.db.models import Letter
    from app.services.demo import _letter_plan

    fill_demo(ws, 1000, seed=4, today=TODAY)
    with ws.read() as session:
        notes = session.execute(
            select(Case.host_country)
            .join(Letter, Letter.case_id == Case.id)
            .where(Letter.kind.startswith("note_verbale"))
        ).all()
    assert notes and {country for (country,) in notes} == {ws.mission.country}
    awaiting = {"status": "awaiting_response", "employer_id": None, "received_at": TODAY}
    for seed in range(20):
        kind, lang, _day = _letter_plan(
            {**awaiting, "host_country": "TR"}, random.Random(seed), TODAY, "KR"
        )
        assert (kind, lang in ("kk", "ru")) == ("hq_case_report", True)
        kind, lang, _day = _letter_plan(
            {**awaiting, "host_country": "KR"}, random.Random(seed), TODAY, "KR"
        )
        assert (kind, lang) == ("note_verbale_labour_authority", "en")


def test_a_large_demo_has_the_long_tail_of_employers_a_large_mission_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed_5: dict[str, object]
) -> None:
    """A demo of 300,000 cases had six employers in Korea, which hid what listing a real
    mission's thousands costs (the pickers at each case opened). From ``TAIL_FROM_CASES`` on
    it adds one employer of the host country per ``TAIL_CASES_PER_EMPLOYER`` cases, each its
    own name as matched, and leaves every other row as a smaller demo makes it."""
    without = seed_5
    monkeypatch.setattr(demo_data, "TAIL_FROM_CASES", 400)
    monkeypatch.setattr(demo_data, "TAIL_CASES_PER_EMPLOYER", 8)
    paths = Paths(tmp_path / "b")
    assert demo_snapshot(paths.data_dir, seed=5) == without
    ws = unlock(paths, "admin", DEMO_PASSWORD)
    try:
        with ws.read() as session:
            tail = session.execute(
                select(Employer.name, Employer.country, Employer.name_key).where(
                    Employer.id.not_in(
                        select(Case.employer_id).where(Case.employer_id.is_not(None))
                    )
                )
            ).all()
    finally:
        ws.close()
    tail = [row for row in tail if row.name.endswith(demo_data.TAIL_NAME_PARTS["KR"][3])]
    assert len(tail) == 400 // 8
    assert {row.country for row in tail} == {"KR"}
    assert len({row.name_key for row in tail}) == len(tail)  # no two taken for one


def test_a_second_fill_adds_cases_and_keeps_one_of_each_organisation(ws: Workspace) -> None:
    """The fault: ``qorgau demo`` run again on its mission with the same seed failed with an
    internal error (the employers' ids again), and with another seed inserted every employer,
    agency and partner a second time."""

    def held() -> tuple[int, int, int, int]:
        with ws.read() as session:
            return tuple(  # type: ignore[return-value]
                session.scalar(select(func.count()).select_from(model)) or 0
                for model in (Case, Employer, RecruitmentAgency, PartnerOrganisation)
            )

    fill_demo(ws, 40, seed=2, today=TODAY)
    cases, employers, agencies, partners = held()
    fill_demo(ws, 40, seed=2, today=TODAY)
    fill_demo(ws, 30, seed=5, today=TODAY)
    assert held() == (cases + 70, employers, agencies, partners)
    with ws.read() as session:
        numbers = session.scalars(select(Case.number)).all()
        without_employer = session.scalar(
            select(func.count())
            .select_from(Case)
            .where(Case.employer_id.is_not(None), ~Case.employer_id.in_(select(Employer.id)))
        )
    assert len(set(numbers)) == len(numbers) == cases + 70
    assert without_employer == 0


def test_a_referral_to_a_demo_partner_is_addressed_to_its_street_and_city(
    seed_2_ws: Workspace,
) -> None:
    """The demo's partners had no address: a referral letter to one printed the partner's
    name over an address of the state alone."""
    from app.services.letters import LetterService

    with seed_2_ws.read() as session:
        partners = session.execute(select(PartnerOrganisation)).scalars().all()
        referred = session.execute(
            select(PartnerReferral.case_id, PartnerOrganisation.name)
            .join(PartnerOrganisation, PartnerOrganisation.id == PartnerReferral.partner_id)
            .where(PartnerOrganisation.country == "KR")
        ).first()
    assert partners and all(p.city and p.phone for p in partners)
    assert referred is not None
    case_id, name = referred
    demo = next(p for p in demo_data.PARTNERS if p.name == name)
    addressee = LetterService(seed_2_ws, today=TODAY).defaults(case_id, "referral", "en").addressee
    assert addressee.organisation == name
    assert addressee.address.startswith(demo.address), addressee.address
    assert addressee.address.endswith("Republic of Korea")


def test_the_demo_s_letters_abroad_are_covered_where_it_records_consent(
    seed_2_ws: Workspace,
) -> None:
    """The demo recorded consent to the purpose alone: every one of its employer letters and
    notes verbales, which take the worker's data abroad, warned of a missing consent to the
    cross-border transfer, where the mission's consent form would have asked for it."""
    from app.db.models import Letter
    from app.services.letters import LetterService

    with seed_2_ws.read() as session:
        abroad = session.execute(
            select(Letter.id, Person.consent_scope)
            .join(Case, Case.id == Letter.case_id)
            .join(Person, Person.id == Case.person_id)
            .where(Letter.kind.in_(("employer_letter", "note_verbale_labour_authority")))
        ).all()
    consented = [letter_id for letter_id, scopes in abroad if scopes]
    assert consented, "the demo writes letters abroad for workers who consented"
    letters = LetterService(seed_2_ws, today=TODAY)
    for letter_id in consented:
        assert not any("out of Kazakhstan" in w for w in letters.warnings(letter_id))


def _mission_rows(target: Path) -> tuple[str, set[str], set[str], set[str]]:
    """The demo mission in ``target``: its code, its cases' host countries, its people's
    ids and IINs."""
    ws = unlock(Paths(target), "admin", DEMO_PASSWORD)
    try:
        with ws.read() as session:
            countries = set(session.scalars(select(Case.host_country)))
            people = session.execute(select(Person.id, Person.iin)).all()
        return ws.mission.country, countries, {p.id for p in people}, {p.iin for p in people}
    finally:
        ws.close()


def test_demo_missions_istanbul_and_dubai_have_their_own_country_and_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every worker one traveller: the two missions must name them under the same IIN
    # (HQ's repeats across missions), yet each in a row of its own.
    monkeypatch.setattr(demo, "TRAVELLER_SHARE", 1.0)
    monkeypatch.setattr(demo, "TRAVELLERS", 1)
    run_demo(Paths(tmp_path / "ist"), 8, 1, today=TODAY, mission="IST")
    run_demo(Paths(tmp_path / "dxb"), 8, 1, today=TODAY, mission="DXB")
    ist, dxb = _mission_rows(tmp_path / "ist"), _mission_rows(tmp_path / "dxb")
    assert ist[0] == "TR" and "TR" in ist[1]
    assert dxb[0] == "AE" and "AE" in dxb[1]
    assert ist[3] == dxb[3] and len(ist[3]) == 1
    assert not ist[2] & dxb[2]
    for folder, country in (("ist", "TR"), ("dxb", "AE")):
        ws = unlock(Paths(tmp_path / folder), "admin", DEMO_PASSWORD)
        try:
            with ws.read() as session:
                made = set(session.scalars(select(PartnerOrganisation.country)))
        finally:
            ws.close()
        assert made == {country}


def test_demo_of_another_mission_in_a_folder_that_holds_one_is_refused(tmp_path: Path) -> None:
    paths = Paths(tmp_path)
    run_demo(paths, 3, 1, today=TODAY)
    with pytest.raises(UsageError, match="holds mission SEL, not DXB"):
        run_demo(paths, 3, 1, today=TODAY, mission="DXB")
    assert len(_mission_rows(tmp_path)[2]) == 3  # no worker added


class _Highest(random.Random):
    """Draws the largest number each ``randrange`` allows."""

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:  # type: ignore[override]
        return start - 1 if stop is None else stop - 1


def test_a_young_demo_returnee_has_no_more_years_abroad_than_his_age_allows(
    open_ws: OpenWs,
) -> None:
    """The demo of Dubai stopped half-way: a worker born in 2004 was drawn 7 years abroad,
    which the returnees' register refuses. The years drawn are capped by the worker's age."""
    consul = open_ws("serik")
    today = date.today()
    born = date(today.year - 20, 1, 1) if today.month > 1 else date(today.year - 21, 1, 1)
    case = closed_with_worker_home(
        consul, replace(ASSEL, birth_date=born), today - timedelta(days=30)
    )
    row = {
        "number": case.number,
        "status": case.status,
        "host_country": case.host_country,
        "person_id": case.person.id,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
    }
    others = [{"status": CaseStatus.NEW.value}] * (demo.RETURNEE_EVERY - 1)  # one is drawn
    demo._add_returnees(consul, [row, *others], {case.person.id: born}, _Highest(), today)
    (added,) = ReturneeService(consul).list()
    assert added.years_abroad == most_years_abroad(born, today) < 7
