"""The HQ analyst on a mission's case: "Review contract" led to a form she could not save."""

from __future__ import annotations

from pathlib import Path

from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.integration.test_exchange import Site, first_case_id, hq, sel, sites  # noqa: F401


def test_the_hq_analyst_is_told_who_reviews_a_contract_instead_of_being_offered_it(
    qtbot,
    make_window,
    hq: Site,  # noqa: F811
    sel: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "sel.qbundle")
    analyst = unlock(hq.paths, "astana", PASSWORD)
    try:
        window = make_window(analyst)
        cases = window.show_area("cases")
        cases.open_case(first_case_id(sel))
        editor = cases.editor
        # Offered, it opened a form with no Save: the terms typed into it were lost.
        assert not editor.review_button.isHidden() and not editor.review_button.isEnabled()
        assert editor.review_button.toolTip() == (
            "Contracts are reviewed at the mission that handles the case, by its attachés, "
            "consuls and administrator. Reviews saved there open from the timeline."
        )
    finally:
        analyst.close()
