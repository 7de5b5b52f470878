"""What HQ says of the missions it knows: the statistics' "missions here" and the Missions
list, as the analyst reads them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.errors import NotFound
from app.i18n import format_datetime
from app.services import exchange
from app.services.cases import CaseService
from app.services.consolidation import ConsolidationService
from app.services.stats import StatsFilter, StatsService
from tests.conftest import PASSWORD
from tests.integration import test_exchange as shared
from tests.integration.cli_helpers import run_cli
from tests.integration.test_exchange import Site

sites, hq, sel = shared.sites, shared.hq, shared.sel


def test_an_unknown_mission_at_hq_names_the_missions_with_cases_not_hq(
    sel: Site, hq: Site, tmp_path: Path
) -> None:
    bundle = sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])
    hq.exchange.import_bundle(bundle.path)
    with pytest.raises(NotFound) as refused:
        StatsService(hq.ws).check_names(StatsFilter(mission="DXB"))
    # HQ's own code (AST) holds no cases: listing it sent the analyst looking for its figures.
    assert str(refused.value) == "No cases of mission DXB here; the missions here: SEL."
    # The case list's filter said the same of HQ's own code: "the missions here: AST, SEL".
    with pytest.raises(NotFound) as listed:
        CaseService(hq.ws).check_mission("DXB")
    assert str(listed.value) == str(refused.value)


def test_hq_set_up_with_its_city_in_english_only_keeps_its_kazakh_and_russian_names(
    hq: Site,
) -> None:
    """``init --hq --city Astana`` without ``--city-kk``: the status bar read "Astana" in a
    Kazakh window, and HQ's letterhead and the record its bundles carry had no Kazakh city."""
    from app.services.letterhead import letterhead

    mission = hq.ws.mission
    assert (mission.city, mission.city_kk, mission.city_ru) == ("Astana", "Астана", "Астана")
    with hq.ws.read() as session:
        assert letterhead(session).city == {"kk": "Астана", "ru": "Астана", "en": "Astana"}


class _FortyDaysAgo(datetime):
    @classmethod
    def now(cls, tz: object = None) -> _FortyDaysAgo:  # type: ignore[override]
        return super().now(tz) - timedelta(days=40)  # type: ignore[arg-type,return-value]


def test_an_old_bundle_imported_today_leaves_its_mission_as_silent_as_it_was(
    sel: Site,
    hq: Site,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The fault: "Last bundle" and "Days since" were the time of the import, so a bundle SEL
    made forty days ago and carried in today showed SEL as current (0 days)."""
    with monkeypatch.context() as then:
        then.setattr(exchange, "datetime", _FortyDaysAgo)
        sel.exchange.export_cases(tmp_path / "old.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "old.qbundle")

    (seoul,) = (m for m in ConsolidationService(hq.ws).missions() if m.code == "SEL")
    now = datetime.now(UTC)
    assert seoul.last_bundle_at is not None and seoul.last_received_at is not None
    assert seoul.days_silent(now) == 40
    assert now - seoul.last_received_at < timedelta(minutes=5)  # received: today

    # ``hq missions`` says the same, under a heading that says which time it is.
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    folder = str(hq.paths.data_dir)
    table = run_cli(capsys, "--data-dir", folder, "hq", "missions")
    assert table.code == 0, table.err
    assert "Last bundle made" in table.out.splitlines()[0]
    row = next(line for line in table.out.splitlines() if line.startswith("SEL"))
    assert format_datetime(seoul.last_bundle_at.astimezone()) in row and " 40 " in row
    listed = run_cli(capsys, "--data-dir", folder, "hq", "missions", "--json")
    (as_json,) = (m for m in json.loads(listed.out) if m["code"] == "SEL")
    assert datetime.fromisoformat(as_json["last_bundle_at"]) == seoul.last_bundle_at
