"""``qorgau returnee add | list | export`` end to end (issue 24 part 2)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.config import Paths
from app.db.models import AuditEntry, Returnee
from app.domain import occupations as isco
from app.services.installation import unlock
from app.services.records import PersonInput
from tests.builders import closed_with_worker_home
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_cli

TODAY = date.today()


@pytest.fixture
def closed_case(installation: Paths, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("QORGAU_DATA_DIR", str(installation.data_dir))
    monkeypatch.setenv("QORGAU_USER", "aigul")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    ws = unlock(installation, "serik", PASSWORD)
    try:
        worker = PersonInput(surname="Сейітов", given_names="Бақыт", phone_home="8 701")
        return closed_with_worker_home(ws, worker, TODAY - timedelta(days=30)).number
    finally:
        ws.close()


def returnee_json(tmp_path: Path, number: str, **extra: object) -> Path:
    data = {
        "case_number": number,
        "occupation": "7212",
        "years_abroad": 4,
        "certificates": ["Welder, level 2"],
        "languages": ["ko"],
        "work_country": "KR",
        "region": "KZ-62",
        "wants_referral": True,
        "consent_reference": "form 3/2026",
        "consent_date": (TODAY - timedelta(days=1)).isoformat(),
        **extra,
    }
    path = tmp_path / "returnee.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_add_list_and_export(
    capsys: pytest.CaptureFixture[str], closed_case: str, tmp_path: Path
) -> None:
    added = run_cli(capsys, "returnee", "add", "--json", str(returnee_json(tmp_path, closed_case)))
    assert added.code == 0, added.err
    record_id = added.out.strip()
    listed = run_cli(capsys, "returnee", "list", "--occupation", "7", "--json")
    assert listed.code == 0, listed.err
    data = json.loads(listed.out)
    assert data["total"] == 1
    assert data["returnees"][0]["id"] == record_id
    assert data["returnees"][0]["case_number"] == closed_case
    assert data["returnees"][0]["region"] == "KZ-62"
    assert (
        json.loads(run_cli(capsys, "returnee", "list", "--region", "KZ-71", "--json").out)["total"]
        == 0
    )
    table = run_cli(capsys, "--lang", "kk", "returnee", "list")
    assert "Ұлытау облысы" in table.out and "Дәнекерлеушілер" in table.out
    out = tmp_path / "register.xlsx"
    exported = run_cli(capsys, "returnee", "export", "--out", str(out))
    assert exported.code == 0, exported.err
    sheet = load_workbook(out).active
    assert sheet is not None and sheet.max_row == 3  # title, headers, one record
    csv_out = tmp_path / "register.csv"
    assert run_cli(capsys, "returnee", "export", "--out", str(csv_out)).code == 0
    assert "Сейітов" in csv_out.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"iin": "900504400123"}, "Unknown field “iin” in returnee"),
        ({"occupation": "12345"}, "“12345” is not an ISCO-08 occupation code"),
        ({"region": "KZ-AST"}, "“KZ-AST” is not a region of Kazakhstan"),
        ({"consent_date": None}, "“consent_date” is required"),
    ],
)
def test_bad_json_is_refused_and_changes_nothing(
    capsys: pytest.CaptureFixture[str],
    closed_case: str,
    installation: Paths,
    tmp_path: Path,
    extra: dict[str, object],
    message: str,
) -> None:
    path = returnee_json(tmp_path, closed_case, **extra)
    result = run_cli(capsys, "returnee", "add", "--json", str(path))
    assert result.code == 1 and message in result.err
    assert len(result.err.strip().splitlines()) == 1
    # Signing in stamps the user's last login; the register and its audit stay untouched.
    ws = unlock(installation, "admin", PASSWORD)
    try:
        with ws.read() as session:
            assert session.execute(select(func.count(Returnee.id))).scalar_one() == 0
            written = select(func.count(AuditEntry.seq)).where(AuditEntry.action == "returnee.add")
            assert session.execute(written).scalar_one() == 0
    finally:
        ws.close()


def test_a_second_record_for_the_same_case_is_refused(
    capsys: pytest.CaptureFixture[str], closed_case: str, installation: Paths, tmp_path: Path
) -> None:
    """The fault: `returnee add --json r.json` run twice for one case made two records, and
    the register, its export and the statistics counted the worker twice."""
    path = returnee_json(tmp_path, closed_case)
    first = run_cli(capsys, "returnee", "add", "--json", str(path))
    assert first.code == 0, first.err
    again = run_cli(capsys, "returnee", "add", "--json", str(path))
    assert again.code == 1
    assert again.err.strip() == (
        f"qorgau: Case {closed_case} already has a record in the returnees' register; change that "
        "record (“Record skills on return…” in the case) instead of adding another."
    )
    listed = json.loads(run_cli(capsys, "returnee", "list", "--json").out)
    assert listed["total"] == 1 and listed["returnees"][0]["id"] == first.out.strip()
    ws = unlock(installation, "admin", PASSWORD)
    try:
        with ws.read() as session:
            added = select(func.count(AuditEntry.seq)).where(AuditEntry.action == "returnee.add")
            assert session.execute(added).scalar_one() == 1
    finally:
        ws.close()


def test_export_refuses_another_format(
    capsys: pytest.CaptureFixture[str], closed_case: str, tmp_path: Path
) -> None:
    result = run_cli(capsys, "returnee", "export", "--out", str(tmp_path / "register.pdf"))
    assert result.code == 1 and "Export to a .csv or .xlsx file" in result.err
    assert not (tmp_path / "register.pdf").exists()


def test_hq_statistics_count_returns_by_country_and_occupation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services.returnees import ReturneeInput, ReturneeService
    from tests.integration.test_exchange import make_site

    hq = make_site(tmp_path, "AST", "KZ", "Astana", True)
    try:
        analyst = unlock(hq.paths, "astana", PASSWORD)
        service = ReturneeService(analyst)
        for surname, occupation, country, returned in (
            ("Омаров", "7112", "KR", TODAY),
            ("Ахметов", "8332", "KR", TODAY - timedelta(days=3)),
            ("Серікова", "5322", "TR", TODAY),
            ("Бекова", "2221", "TR", TODAY - timedelta(days=800)),  # before the period
            ("Нұрланов", "9313", "AE", None),  # no day of return: in no period
        ):
            service.add(
                ReturneeInput(
                    occupation=occupation,
                    work_country=country,
                    region="KZ-75",
                    consent_reference="form",
                    consent_date=TODAY,
                    returned_on=returned,
                    person=PersonInput(surname=surname, given_names="Test"),
                )
            )
        analyst.close()
    finally:
        hq.ws.close()
    monkeypatch.setenv("QORGAU_DATA_DIR", str(hq.paths.data_dir))
    monkeypatch.setenv("QORGAU_USER", "astana")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    result = run_cli(capsys, "stats", "--json")
    assert result.code == 0, result.err
    figures = json.loads(result.out)["returnees"]
    # The fault: the returnees' figures ignored the period (all five counted in any period).
    assert figures["total"] == 3
    assert figures["undated"] == 1
    assert figures["by_country"] == [
        {"key": "KR", "n": 2, "wants_referral": 0},
        {"key": "TR", "n": 1, "wants_referral": 0},
    ]
    assert [(c["key"], c["n"]) for c in figures["by_major_group"]] == [
        ("5", 1),
        ("7", 1),
        ("8", 1),
    ]
    from app.letters.states import official_name

    printed = run_cli(capsys, "--lang", "ru", "stats")
    # Countries by their official names, as in the report's other tables.
    assert re.search(rf"{official_name('KR', 'ru')} +2 +0\n", printed.out)
    assert f"8 {isco.occupation_title('8', 'ru')}" in printed.out
    assert f"2 {isco.occupation_title('2', 'ru')}" not in printed.out
    # A longer period takes in the earlier return; the undated one is never placed in one.
    earlier = TODAY - timedelta(days=1000)
    longer = run_cli(capsys, "stats", "--from", earlier.isoformat(), "--json")
    figures = json.loads(longer.out)["returnees"]
    assert (figures["total"], figures["undated"]) == (4, 1)
    assert ("2", 1) in [(c["key"], c["n"]) for c in figures["by_major_group"]]


def test_the_list_takes_what_a_figure_counts(
    capsys: pytest.CaptureFixture[str], closed_case: str, tmp_path: Path
) -> None:
    """The fault: `stats` counted returnees by day of return, country of work and wish for a
    referral, but `returnee list` could not list the records behind such a figure."""
    returned = TODAY - timedelta(days=20)
    record = returnee_json(tmp_path, closed_case, returned_on=returned.isoformat())
    assert run_cli(capsys, "returnee", "add", "--json", str(record)).code == 0

    def total(*args: str) -> int:
        listed = run_cli(capsys, "returnee", "list", "--json", *args)
        assert listed.code == 0, listed.err
        return int(json.loads(listed.out)["total"])

    day = returned.isoformat()
    assert total("--returned-from", day, "--returned-to", day) == 1
    assert total("--returned-from", (returned + timedelta(days=1)).isoformat()) == 0
    assert total("--undated") == 0
    assert total("--work-country", "KR", "--wants-referral") == 1
    assert total("--work-country", "TR") == 0
    bad = run_cli(capsys, "returnee", "list", "--returned-from", "20.11.2026")
    assert bad.code == 2 and "is not a date (YYYY-MM-DD)" in bad.err
    backwards = run_cli(
        capsys, "returnee", "list", "--returned-from", day, "--returned-to", "2000-01-01"
    )
    assert backwards.code == 1 and "is after its end" in backwards.err


def test_withdraw_takes_the_record_out_of_the_register_audited(
    capsys: pytest.CaptureFixture[str], closed_case: str, installation: Paths, tmp_path: Path
) -> None:
    """`returnee withdraw ID` does what the window's "Consent withdrawn…" does."""
    added = run_cli(capsys, "returnee", "add", "--json", str(returnee_json(tmp_path, closed_case)))
    record_id = added.out.strip()
    unknown = run_cli(capsys, "returnee", "withdraw", "no-such-record")
    assert unknown.code == 1 and len(unknown.err.strip().splitlines()) == 1
    withdrawn = run_cli(capsys, "returnee", "withdraw", record_id)
    assert withdrawn.code == 0, withdrawn.err
    assert withdrawn.out.strip() == "Consent withdrawn: Сейітов Бақыт left the returnees' register."
    assert json.loads(run_cli(capsys, "returnee", "list", "--json").out)["total"] == 0
    again = run_cli(capsys, "returnee", "withdraw", record_id)  # refused, not audited twice
    assert again.code == 1 and again.out == ""
    assert again.err.strip() == (
        "qorgau: Сейітов Бақыт has already withdrawn their consent: the record is not in the "
        "returnees' register."
    )
    ws = unlock(installation, "admin", PASSWORD)
    try:
        with ws.read() as session:
            entries = session.execute(
                select(AuditEntry.entity_id).where(
                    AuditEntry.action == "returnee.consent_withdrawn"
                )
            ).all()
            assert [e.entity_id for e in entries] == [record_id]
    finally:
        ws.close()


def test_the_list_names_the_country_of_work_and_json_keeps_its_code(
    capsys: pytest.CaptureFixture[str], closed_case: str, tmp_path: Path
) -> None:
    """The table showed "KR" where the window and the export name the country."""
    added = run_cli(capsys, "returnee", "add", "--json", str(returnee_json(tmp_path, closed_case)))
    assert added.code == 0, added.err
    for lang, name in (("kk", "Оңтүстік Корея"), ("ru", "Республика Корея"), ("en", "South Korea")):
        table = run_cli(capsys, "--lang", lang, "returnee", "list")
        assert table.code == 0, table.err
        assert name in table.out
        assert not re.search(r"\bKR\b", table.out)
    listed = json.loads(run_cli(capsys, "returnee", "list", "--json").out)
    assert listed["returnees"][0]["work_country"] == "KR"


def test_export_takes_the_filters_of_the_list(
    capsys: pytest.CaptureFixture[str], closed_case: str, tmp_path: Path
) -> None:
    """'returnee export' wrote the whole register: the employment centre of one region was
    sent every region's workers. It takes the list's filters, under the same names."""
    added = run_cli(capsys, "returnee", "add", "--json", str(returnee_json(tmp_path, closed_case)))
    assert added.code == 0, added.err
    filters = {
        "--region": ("KZ-62", "KZ-71"),
        "--occupation": ("7", "2"),
        "--work-country": ("KR", "RU"),
        "--language": ("ko", "ru"),
        "--skill": ("Welder", "Cook"),
    }
    for flag, (matching, other) in filters.items():
        for value, records in ((matching, 1), (other, 0)):
            out = tmp_path / f"register{flag}-{value}.csv"
            exported = run_cli(capsys, "returnee", "export", "--out", str(out), flag, value)
            assert exported.code == 0, exported.err
            listed = run_cli(capsys, "returnee", "list", "--json", flag, value)
            assert json.loads(listed.out)["total"] == records
            text = out.read_text(encoding="utf-8-sig")
            assert ("Сейітов" in text) == bool(records), (flag, value)
    out = tmp_path / "referrals.xlsx"
    exported = run_cli(capsys, "returnee", "export", "--out", str(out), "--wants-referral")
    assert exported.code == 0 and "(1 record)" in exported.out
    dated = ("--returned-from", "2000-01-01", "--returned-to", "2000-12-31")
    exported = run_cli(capsys, "returnee", "export", "--out", str(out), *dated)
    assert exported.code == 0 and "(0 records)" in exported.out


def test_adding_again_after_a_withdrawal_says_how_to_record_the_new_consent(
    capsys: pytest.CaptureFixture[str], closed_case: str, tmp_path: Path
) -> None:
    """The fault: the worker withdrew consent, then gave it again; `returnee add` with the new
    form was refused as a second record, pointing to "the register's list", which a mission
    has not, and saying nothing of the withdrawal or of the new consent."""
    added = run_cli(capsys, "returnee", "add", "--json", str(returnee_json(tmp_path, closed_case)))
    assert added.code == 0, added.err
    withdrawn = run_cli(capsys, "returnee", "withdraw", added.out.strip())
    assert withdrawn.code == 0, withdrawn.err
    again = returnee_json(tmp_path, closed_case, consent_reference="form 9/2026")
    refused = run_cli(capsys, "returnee", "add", "--json", str(again))
    assert refused.code == 1
    assert refused.err.strip() == (
        f"qorgau: Case {closed_case} already has a record in the returnees' register, which the "
        "worker withdrew their consent from. To record them again, open “Record skills on "
        "return…” in the case and give the reference and date of their new consent."
    )
    assert json.loads(run_cli(capsys, "returnee", "list", "--json").out)["total"] == 0


def test_a_minor_is_recorded_with_a_warning_that_a_parent_consents(
    capsys: pytest.CaptureFixture[str], installation: Paths, tmp_path: Path, closed_case: str
) -> None:
    """The fault: a 16-year-old's record was taken on the worker's own consent with nothing
    said, and their data went to employment centres; a minor's consent is a parent's or
    guardian's. An adult's record says nothing more (the fixture's case)."""
    adult = run_cli(capsys, "returnee", "add", "--json", str(returnee_json(tmp_path, closed_case)))
    assert adult.code == 0 and adult.err == ""
    ws = unlock(installation, "serik", PASSWORD)
    try:
        born = TODAY.replace(year=TODAY.year - 16, day=1)
        minor = PersonInput(surname="Нұрланов", given_names="Ерасыл", birth_date=born)
        number = closed_with_worker_home(ws, minor, TODAY - timedelta(days=30)).number
    finally:
        ws.close()
    path = returnee_json(tmp_path, number, years_abroad=1)
    added = run_cli(capsys, "returnee", "add", "--json", str(path))
    assert added.code == 0 and len(added.out.split()) == 1  # the id, as for anyone
    assert added.err.strip() == (
        "Warning: Нұрланов Ерасыл was under 18 on the day of consent: the consent to the "
        "returnees' register must be given by a parent or guardian. Give the reference of "
        "their consent form."
    )


def test_years_abroad_beyond_the_workers_age_are_refused(
    capsys: pytest.CaptureFixture[str], installation: Paths, tmp_path: Path, closed_case: str
) -> None:
    """The fault: a 20-year-old recorded with 12 years of experience abroad (a typo for 2) went
    to employment centres as a skilled worker of long standing."""
    ws = unlock(installation, "serik", PASSWORD)
    try:
        born = date(TODAY.year - 20, 1, 1)
        worker = PersonInput(surname="Әлиев", given_names="Тимур", birth_date=born)
        number = closed_with_worker_home(ws, worker, TODAY - timedelta(days=30)).number
    finally:
        ws.close()
    refused = run_cli(
        capsys, "returnee", "add", "--json", str(returnee_json(tmp_path, number, years_abroad=12))
    )
    assert refused.code == 1
    most = (TODAY - timedelta(days=1)).year - born.year - 14
    assert refused.err.strip() == (
        f"qorgau: Әлиев Тимур, born on {born.day} Jan {born.year}, cannot have 12 years of "
        f"experience abroad: at most {most}, counted from the age of 14."
    )
    assert json.loads(run_cli(capsys, "returnee", "list", "--json").out)["total"] == 0
    fine = run_cli(
        capsys, "returnee", "add", "--json", str(returnee_json(tmp_path, number, years_abroad=2))
    )
    assert fine.code == 0, fine.err
