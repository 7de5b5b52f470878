"""The event-codes migration: sentences older versions stored become codes, in any language,
and the audit chain still verifies afterwards."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from app.config import Paths
from app.db import migrate
from app.db.engine import Database
from app.db.models import Case, CaseEvent
from app.domain.events import compose
from app.services.demo import fill_demo
from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_cli
from tests.integration.migration_helpers import downgraded

# What versions before 0010 wrote, in the language of whoever was signed in.
OLD_SENTENCES = {
    "e-registered-en": ("system", "Case registered."),
    "e-registered-kk": ("system", "Іс тіркелді."),
    "e-assigned-ru": ("assignment", "Исполнитель: aigul."),
    "e-letter-en": (
        "letter_sent",
        "Letter SEL-2026/0001 issued: Letter to the employer. Unpaid wages of Assel",
    ),
    "e-review-en": (
        "system",
        "Contract reviewed: risk critical. ILO forced-labour indicators flagged: "
        "deception, debt_bondage.",
    ),
    "e-typed-note": ("note", "Spoke with the worker."),
}


def _old_database(installation: Paths) -> tuple[bytes, str]:
    """A database at revision 0007 with old sentences on a case's timeline."""
    ws = unlock(installation, "admin", PASSWORD)
    fill_demo(ws, 2, seed=1)
    with ws.write() as session:
        case = session.execute(select(Case).order_by(Case.number).limit(1)).scalar_one()
        for event_id, (kind, sentence) in OLD_SENTENCES.items():
            session.add(
                CaseEvent(id=event_id, case_id=case.id, kind=kind, author="admin", text=sentence)
            )
        case_id = case.id
    key = ws.db.key
    downgraded(installation, ws, "0007").dispose()
    return key, case_id


def test_old_sentences_become_codes_and_the_audit_chain_verifies(
    installation: Paths, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key, _case_id = _old_database(installation)
    db = Database(installation.db, key)
    try:
        with db.engine.begin() as connection:
            migrate.upgrade_to(connection, "head")
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, text, data FROM case_event WHERE id LIKE 'e-%'")
            ).all()
    finally:
        db.dispose()
    stored = {row[0]: (row[1], json.loads(row[2])) for row in rows}
    assert stored["e-registered-en"] == ("", {"event": "case_registered", "params": {}})
    assert stored["e-registered-kk"] == stored["e-registered-en"]
    assert stored["e-assigned-ru"][1] == {"event": "assigned", "params": {"user": "aigul"}}
    letter_text, letter = stored["e-letter-en"]
    assert letter_text == "Unpaid wages of Assel"
    assert letter["params"] == {"number": "SEL-2026/0001", "kind": "employer_letter"}
    assert stored["e-review-en"][1]["params"] == {
        "risk": "critical",
        "indicators": ["deception", "debt_bondage"],
    }
    assert stored["e-typed-note"] == ("Spoke with the worker.", {})
    # Shown in the reader's language, whatever language the writer had.
    assert compose(stored["e-registered-en"][1], "", "kk") == "Іс тіркелді."
    assert compose(letter, letter_text, "ru").startswith("Письмо SEL-2026/0001")
    # The audit chain of the old database still verifies.
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    result = run_cli(capsys, "--data-dir", str(installation.data_dir), "audit", "verify")
    assert result.code == 0 and "intact" in result.out
