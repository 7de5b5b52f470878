"""What HQ says of the missions it knows: the statistics' "missions here" and the Missions
list, as the analyst reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import NotFound
from app.services.stats import StatsFilter, StatsService
from tests.integration import test_exchange as shared
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
