"""``qorgau hq …`` end to end: the views as JSON and tables, and refusals in one line."""

from __future__ import annotations

import json
import os
import time
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from app.cli.hq import next_addresses
from app.domain.labels import urgency
from app.i18n import _, format_datetime, set_language
from app.letters.renderer import date_attributive, date_long
from app.reports.texts import text as report_text
from app.services.consolidation import ConsolidationService
from app.services.stats import StatsService
from tests.conftest import PASSWORD
from tests.hq.pg import PASSWORD as HQ_PASSWORD
from tests.hq.pg import drop_database, unique
from tests.hq.test_consolidation import ASSELS_ROW, consolidated  # noqa: F401
from tests.integration.cli_helpers import run_cli
from tests.integration.test_exchange import Site, dxb, hq, link, sel, sites  # noqa: F401
from tests.pg_cluster import Cluster


@pytest.fixture
def as_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)


def test_views_print_json_and_tables(consolidated: Site, as_admin, capsys) -> None:  # noqa: F811
    folder = str(consolidated.paths.data_dir)
    missions = run_cli(capsys, "--data-dir", folder, "hq", "missions", "--json")
    assert missions.code == 0, missions.err
    assert {m["code"]: m["cases"] for m in json.loads(missions.out)} == {"SEL": 7, "DXB": 5}
    overdue = run_cli(capsys, "--data-dir", folder, "hq", "overdue", "--mission", "SEL", "--json")
    assert overdue.code == 0 and {c["mission"] for c in json.loads(overdue.out)} == {"SEL"}
    repeats = run_cli(capsys, "--data-dir", folder, "hq", "repeats")
    assert repeats.code == 0 and ASSELS_ROW in repeats.out and "DXB, SEL" in repeats.out
    # The rule the window gives on its Missions column, under the table; not in the JSON.
    rule = "A case counts at the mission that opened it, also after a transfer."
    assert repeats.out.splitlines()[-1] == rule
    russian = run_cli(capsys, "--lang", "ru", "--data-dir", folder, "hq", "repeats")
    assert russian.out.splitlines()[-1].startswith("Дело учитывается в загранучреждении")
    as_json = run_cli(capsys, "--data-dir", folder, "hq", "repeats", "--json")
    assert as_json.code == 0 and rule not in as_json.out
    assert {r["key"] for r in json.loads(as_json.out)} >= {"940315400123"}
    named = {r["key"]: r["name"] for r in json.loads(as_json.out)}
    assert named["940315400123"] == "Құрманғалиқызы Әсел"
    table = run_cli(capsys, "--data-dir", folder, "hq", "missions")
    assert table.code == 0 and table.out.splitlines()[0].startswith("Mission")
    assert "South Korea" in table.out and "Seoul" in table.out
    # In Russian the table names the country as the window does (it gave KR), and the city
    # in Russian where the mission recorded one; --json keeps the codes.
    russian = run_cli(capsys, "--lang", "ru", "--data-dir", folder, "hq", "missions")
    assert "Республика Корея" in russian.out and " KR " not in russian.out


def test_the_missions_last_bundle_is_in_the_readers_time_and_format(
    consolidated: Site,  # noqa: F811
    as_admin,
    capsys,
) -> None:
    """The fault: ``hq missions`` printed the last bundle in UTC's ISO form while ``bundle
    log`` and the window gave this computer's time in the language's format: in Astana the
    same import read five hours apart."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Almaty"
    time.tzset()
    try:
        folder = str(consolidated.paths.data_dir)
        last = {m.code: m for m in ConsolidationService(consolidated.ws).missions()}[
            "SEL"
        ].last_bundle_at
        assert last is not None
        set_language("ru")
        local = format_datetime(last.astimezone())
        russian = run_cli(capsys, "--lang", "ru", "--data-dir", folder, "hq", "missions")
        row = next(line for line in russian.out.splitlines() if line.startswith("SEL"))
        assert local in row and last.strftime("%Y-%m-%d") not in row
    finally:
        set_language("en")
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_missions_headings_are_the_windows(
    consolidated: Site,  # noqa: F811
    as_admin,
    capsys,
    lang: str,
) -> None:
    """The fault: beside «Соңғы пакет жасалған күн» the terminal headed the days since with
    «Күн» alone ("Day"), where the window says «Жасалғаннан бері, күн»."""
    folder = str(consolidated.paths.data_dir)
    table = run_cli(capsys, "--lang", lang, "--data-dir", folder, "hq", "missions")
    assert table.code == 0, table.err
    try:
        set_language(lang)
        since = _("Days since made")
    finally:
        set_language("en")
    assert since in table.out.splitlines()[0]
    assert lang == "en" or since != "Days since made"  # in the reader's language


def test_a_mission_cannot_migrate(sel: Site, as_admin, capsys, tmp_path: Path) -> None:  # noqa: F811
    run = run_cli(
        capsys,
        "--data-dir",
        str(sel.paths.data_dir),
        "hq",
        "migrate",
        "--to",
        "postgresql://nobody@127.0.0.1:1/none",
        "--workstation",
        str(tmp_path / "new"),
    )
    assert run.code == 1 and "only headquarters" in run.err and "Traceback" not in run.err
    assert not (tmp_path / "new").exists()


def test_bad_database_name_is_one_line(capsys) -> None:
    run = run_cli(
        capsys,
        "hq",
        "setup-database",
        "--server",
        "postgresql://x@127.0.0.1:1/postgres",
        "--database",
        "Bad-Name",
    )
    assert run.code == 1 and "database name" in run.err and len(run.err.splitlines()) == 1


def test_an_officer_name_at_several_missions_needs_a_mission(
    consolidated: Site,  # noqa: F811
    as_admin,
    capsys,
    tmp_path: Path,
) -> None:
    """The fault: `stats --officer aigerim` at HQ added up the cases of every mission's
    aigerim, different people, as one officer's figures. Now it asks for the mission; with
    one, it counts that mission's officer."""
    folder = str(consolidated.paths.data_dir)
    choices = StatsService(consolidated.ws).filter_choices()
    shared = sorted(set(choices.officers_of("SEL")) & set(choices.officers_of("DXB")))[0]
    out = tmp_path / "never.csv"
    run = run_cli(capsys, "--data-dir", folder, "stats", "--officer", shared, "--csv", str(out))
    assert (run.code, run.out) == (1, "") and not out.exists()
    assert run.err.strip().endswith(
        f"{shared} is the user name of an officer at each of DXB, SEL, each a different "
        "person: choose one of these missions."
    )
    assert len(run.err.strip().splitlines()) == 1
    one = run_cli(
        capsys, "--data-dir", folder, "stats", "--officer", shared, "--mission", "SEL", "--json"
    )
    assert one.code == 0, one.err
    with consolidated.ws.read() as session:
        opened = session.execute(
            text(
                'SELECT count(*) FROM "case" WHERE deleted_at IS NULL AND origin_mission = '
                "'SEL' AND assigned_to = :o"
            ),
            {"o": shared},
        ).scalar_one()
    assert opened > 0 and json.loads(one.out)["scope"]["officer"] == shared


def test_a_workbook_of_one_missions_figures_says_so(
    consolidated: Site,  # noqa: F811
    as_admin,
    capsys,
    tmp_path: Path,
) -> None:
    """The fault: the PDF said its period and selection, the workbook of the same figures
    did not: Seoul's tables, forwarded, read as every mission's, of no stated period. Its first
    sheet now says them, in the report's words."""
    folder = str(consolidated.paths.data_dir)
    out = tmp_path / "sel.xlsx"
    args = ["stats", "--mission", "SEL", "--from", "2026-01-01", "--to", "2026-06-30"]
    run = run_cli(capsys, "--data-dir", folder, *args, "--xlsx", str(out))
    assert run.code == 0, run.err
    book = load_workbook(out)
    title = "Statistical report on the protection of labour emigrants"
    lines = [row[0] for row in book.worksheets[0].iter_rows(values_only=True)]
    # Whose figures and of which day: HQ's, written today (the letterhead is the PDF's alone).
    source = lines.pop(1)
    assert source.startswith("Source: ") and date_long(date.today(), "en") in source
    assert lines == [
        title,
        "Reporting period: 1 January 2026 – 30 June 2026",
        "Selection: Mission: SEL.",
        # The day the open cases are counted on (the period's last), as the PDF says it.
        report_text("as_of", "en").format(
            date=date_attributive(min(date(2026, 6, 30), date.today()), "en")
        ),
        # At HQ: where a transferred case counts (it counted silently before).
        report_text("counted_where", "en"),
        # A workbook is handed on: it says its counts are published ones.
        report_text("small_counts", "en").format(k=11),
    ]
    assert book.sheetnames[1] == "Key figures" and book["Key figures"]["A3"].value == "Cases opened"


def test_overdue_of_a_mission_typed_in_small_letters_or_unknown(
    consolidated: Site,  # noqa: F811
    as_admin,
    capsys,
) -> None:
    """`hq overdue --mission sel` printed an empty table (the code is stored as SEL), as did a
    code that names no mission: read as a mission with no overdue case. Small letters now find
    it, as `case list --mission` does, and an unknown code is refused in the user's language."""
    folder = str(consolidated.paths.data_dir)
    upper = run_cli(capsys, "--data-dir", folder, "hq", "overdue", "--mission", "SEL", "--json")
    lower = run_cli(capsys, "--data-dir", folder, "hq", "overdue", "--mission", "sel", "--json")
    assert lower.code == 0 and json.loads(lower.out) == json.loads(upper.out) != []
    unknown = run_cli(
        capsys, "--lang", "kk", "--data-dir", folder, "hq", "overdue", "--mission", "DBX"
    )
    assert unknown.code == 1 and unknown.out == ""
    assert unknown.err.strip() == (
        "qorgau: Мұнда DBX өкілдігінің істері жоқ; мұндағы өкілдіктер: DXB, SEL."
    )


def test_overdue_table_names_each_cases_urgency(consolidated: Site, as_admin, capsys) -> None:  # noqa: F811
    """The table gave no urgency (the JSON did): a critical case read like any other."""
    folder = str(consolidated.paths.data_dir)
    table = run_cli(capsys, "--lang", "ru", "--data-dir", folder, "hq", "overdue")
    rows = json.loads(run_cli(capsys, "--data-dir", folder, "hq", "overdue", "--json").out)
    assert table.code == 0 and "Срочность" in table.out.splitlines()[0]
    for row in rows:
        line = next(x for x in table.out.splitlines() if x.startswith(row["number"]))
        assert urgency(row["urgency"], "ru") in line


def test_the_steps_setup_database_prints_next_work_as_written(
    pg_cluster: Cluster,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fault: setup-database said "Next: qorgau init --hq …"; done so, init met a server
    with no account for its administrator and said "Wrong user name or password". Now it
    names adding that account first; both printed commands, run as printed, make the HQ."""
    database, boss = unique("qorgau_n"), unique("boss")
    monkeypatch.setenv("QORGAU_PASSWORD", HQ_PASSWORD)
    monkeypatch.setenv("QORGAU_NEW_PASSWORD", HQ_PASSWORD)
    try:
        setup = run_cli(
            capsys,
            *("hq", "setup-database", "--server", pg_cluster.admin_url, "--database", database),
        )
        assert setup.code == 0, setup.err
        steps = [line.strip() for line in setup.out.splitlines() if line.startswith("  qorgau ")]
        assert len(steps) == 2 and "hq add-user NAME --role admin" in steps[0]
        add_user = steps[0].replace("NAME", boss).split()[1:]
        assert run_cli(capsys, *add_user).code == 0
        # Over the socket the administrator came in by, the server's network name is unknown.
        init = steps[1].replace("NAME", boss).replace("SERVER", f"127.0.0.1:{pg_cluster.port}")
        folder = str(tmp_path / "hq")
        made = run_cli(capsys, "--data-dir", folder, *init.split()[1:], "--sslmode", "disable")
        assert made.code == 0, made.err
        assert f"administrator: {boss}" in made.out
    finally:
        drop_database(pg_cluster.admin_url, database, (boss,))


def test_next_addresses_keep_the_server_and_leave_out_the_password() -> None:
    assert next_addresses("postgresql://postgres:secret@db.hq.example:5433/postgres", "hq") == (
        "postgresql://postgres@db.hq.example:5433/hq",
        "postgresql://db.hq.example:5433/hq",
    )
