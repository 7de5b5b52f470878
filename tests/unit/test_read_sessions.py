"""A read session never writes: a change made in one is refused before it reaches the database.

A letter's preview once seeded the agreement library inside its read session (and rolled it
back at the end): while it held the write lock, the approver's window, reading the same
letter's warnings the same way, waited out the whole busy timeout and said "busy"."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.db.engine import WriteInRead
from app.db.models import Agreement, Setting
from app.db.raw import open_raw
from app.services.letters import LetterService
from app.services.workspace import Workspace
from tests.builders import hanil_steel_case
from tests.conftest import OpenWs, count


def test_a_change_in_a_read_session_is_refused_and_takes_no_lock(ws: Workspace) -> None:
    with ws.read() as session:
        session.add(Setting(key="written_in_a_read", value={"x": 1}))
        with pytest.raises(WriteInRead):
            session.flush()
        if ws.db.dialect == "sqlite":  # nobody else is kept waiting meanwhile
            other = open_raw(ws.db.path, ws.db.key)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
            finally:
                other.close()
    with ws.read() as session:
        assert session.get(Setting, "written_in_a_read") is None


def test_a_changed_row_in_a_read_session_is_refused_too(ws: Workspace) -> None:
    with ws.write() as session:
        session.add(Setting(key="kept", value={"x": 1}))
    with ws.read() as session:
        session.get_one(Setting, "kept").value = {"x": 2}
        with pytest.raises(WriteInRead):
            session.execute(select(Setting)).all()  # the query would have flushed it
    with ws.read() as session:
        assert session.get_one(Setting, "kept").value == {"x": 1}


def test_a_statement_written_by_hand_in_a_read_is_refused_and_the_next_write_is_not(
    ws: Workspace,
) -> None:
    with ws.read() as session, pytest.raises(WriteInRead):
        session.execute(text("INSERT INTO setting (key, value) VALUES ('by_hand', '1')"))
    with ws.write() as session:  # the same pooled connection, no longer a read's
        session.execute(text("INSERT INTO setting (key, value) VALUES ('by_hand', '2')"))
    with ws.read() as session:
        assert session.get_one(Setting, "by_hand").value == 2


def test_a_letter_previewed_before_anyone_seeded_the_library_seeds_it_in_a_write(
    open_ws: OpenWs,
) -> None:
    attache = open_ws("aigul")
    case = hanil_steel_case(attache)
    letters = LetterService(attache)
    letter = letters.draft(case.id, "employer_letter", "en")
    assert count(attache, Agreement) == 0  # nobody has opened Agreements or a review yet
    consul = LetterService(open_ws("serik"))
    assert consul.render_preview(letter.id).startswith(b"%PDF")
    assert consul.warnings(letter.id) is not None
    seeded = count(attache, Agreement)
    assert seeded > 0  # kept, not rolled back with the read
    assert letters.render_preview(letter.id).startswith(b"%PDF")
    assert count(attache, Agreement) == seeded  # seeded once
