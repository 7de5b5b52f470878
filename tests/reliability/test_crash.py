"""Crash safety: SIGKILL at random moments during case edits, CSV and bundle imports and letter
issue; then the file is sound, every reported commit is there, nothing is half-applied, and
the interrupted work runs again to completion.

Each scenario runs a few times in ``make test`` and 25 times (QORGAU_STRESS=full) in
``make stress``. A child (tests/reliability/crash_worker.py) prints a line after each commit;
the parent kills it after a random delay, reopens the database and checks.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import Paths
from app.db.models import Case, CaseEvent, Counter, ExchangeLog, Letter, User
from app.errors import DatabaseError
from app.services.backup import (
    RESTORE_STAGING_PREFIX,
    create_backup,
    restore_backup,
    rotate_backups,
)
from app.services.cases import CaseService
from app.services.installation import MissionSetup, unlock
from app.services.keys import KeyService
from app.services.records import OrganisationInput, PersonInput
from app.services.workspace import Workspace
from tests.builders import wage_case
from tests.conftest import PASSWORD, install_site
from tests.integration.cli_helpers import run_python
from tests.reliability.crash_worker import CRASH_BATCH_ROWS
from tests.reliability.harness import (
    Tally,
    full_run,
    kill_delay,
    open_checked,
    run_child,
    run_to_end,
)

SHORT = 2
FULL = 25


def iterations(slow: bool) -> int:
    if not slow:
        return SHORT
    return FULL if full_run() else 5


SHORT_AND_SLOW = pytest.mark.parametrize(
    "slow",
    [
        pytest.param(False, id="short"),
        pytest.param(True, id="full", marks=(pytest.mark.slow, pytest.mark.timeout(1800))),
    ],
)
"""Each scenario: a few runs in ``make test``, more in the slow pass (and ``make stress``)."""


def new_case(ws: Workspace, surname: str = "Сәрсенбаев", note: str = "") -> str:
    return wage_case(
        ws,
        PersonInput(surname=surname, given_names="Нұрлан"),
        employer=OrganisationInput(name="Daesung Metal Co", country="KR"),
        description=note,
        allow_duplicate_person=True,
    ).id


# -- case edits ----------------------------------------------------------------------------------


def crash_edits(installation: Paths, runs: int) -> Tally:
    tally = Tally("case edits")
    rng = random.Random(11)
    ws = unlock(installation, "admin", PASSWORD)
    case_id = new_case(ws)
    ws.close()
    start = 0
    while tally.wants_more(runs):
        run = run_child(
            ["edits", str(installation.data_dir), "aigul", case_id, str(start), "100000"],
            kill_after=kill_delay(rng, 1.5),
        )
        tally.record(run)
        ws = open_checked(installation)
        with ws.read() as session:
            texts = session.execute(
                select(CaseEvent.text).where(CaseEvent.case_id == case_id, CaseEvent.kind == "note")
            ).scalars()
            notes = sorted(int(t.split()[1]) for t in texts)
            description = session.get(Case, case_id).description  # type: ignore[union-attr]
        ws.close()
        reported = [int(c) for c in run.committed()]
        missing = set(reported) - set(notes)
        tally.lost += len(missing)
        assert not missing, f"reported but lost: {missing}"
        # One unit is two transactions: the edit, then the note. Both or only the edit of
        # the unit that was cut; no gaps, no duplicates.
        assert notes == list(range(len(notes))), notes
        last = notes[-1] if notes else -1
        assert description in {f"crash-edit {last}", f"crash-edit {last + 1}", ""}
        start = last + 1  # the interrupted unit is simply done again
    tally.report()
    return tally


@SHORT_AND_SLOW
def test_crash_during_case_edits(installation: Paths, slow: bool) -> None:
    assert crash_edits(installation, iterations(slow)).lost == 0


# -- CSV import ----------------------------------------------------------------------------------

ROWS = 120


def write_csv(folder: Path, tag: str, rows: int = ROWS) -> Path:
    lines = ["surname;given_names;country;category;received;description"]
    for i in range(rows):
        lines.append(f"Тест{tag}x{i};Айгүл;KR;unpaid_wages;2026-01-15;batch {tag}")
    path = folder / f"{tag}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def batch_size(ws: Workspace, tag: str) -> int:
    with ws.read() as session:
        return len(session.execute(select(Case.id).where(Case.description == f"batch {tag}")).all())


def numbering_is_gapless(ws: Workspace) -> None:
    with ws.read() as session:
        seqs = sorted(session.execute(select(Case.seq).where(Case.mission_code == "SEL")).scalars())
        counters = session.execute(select(Counter).where(Counter.name.like("case:SEL:%"))).scalars()
        total = sum(c.value for c in counters)
    assert len(seqs) == total, (len(seqs), total)


def crash_csv(installation: Paths, tmp_path: Path, runs: int) -> Tally:
    tally = Tally("CSV import")
    rng = random.Random(12)
    folder = tmp_path / "csv"
    folder.mkdir()
    calibration = run_to_end(
        ["csv", str(installation.data_dir), "aigul", str(write_csv(folder, "warm"))]
    )
    window = calibration.seconds * 1.3
    while tally.wants_more(runs):
        tag = f"b{tally.runs}"
        args = ["csv", str(installation.data_dir), "aigul", str(write_csv(folder, tag))]
        run = run_child(args, kill_after=kill_delay(rng, window))
        tally.record(run)
        ws = open_checked(installation)
        found = batch_size(ws, tag)
        assert found in (0, ROWS), f"half an import: {found} of {ROWS} rows"
        if tag in run.committed() and found != ROWS:
            tally.lost += 1
        assert found == ROWS or tag not in run.committed()
        numbering_is_gapless(ws)
        ws.close()
        if found == 0:
            run_to_end(args)
            tally.reruns += 1
            ws = open_checked(installation)
            assert batch_size(ws, tag) == ROWS
            numbering_is_gapless(ws)
            ws.close()
    tally.report()
    return tally


@SHORT_AND_SLOW
def test_crash_during_csv_import(installation: Paths, tmp_path: Path, slow: bool) -> None:
    assert crash_csv(installation, tmp_path, iterations(slow)).lost == 0


BATCHED_ROWS = 10 * CRASH_BATCH_ROWS  # writing, not starting, fills most of a run


def crash_csv_batches(installation: Paths, tmp_path: Path, runs: int) -> Tally:
    """A file of ten batches, killed at any moment: whole batches only, none said to be
    committed is missing, the numbering gapless; run again, it writes the rest and no row
    twice (the rows written before are rejected as repeats)."""
    tally = Tally("CSV import in batches")
    rng = random.Random(14)
    folder = tmp_path / "csv-batches"
    folder.mkdir()
    user = [str(installation.data_dir), "aigul"]
    warm = ["csv_batches", *user, str(write_csv(folder, "warm", BATCHED_ROWS))]
    window = run_to_end(warm).seconds * 1.3
    while tally.wants_more(runs):
        tag = f"c{tally.runs}"
        args = ["csv_batches", *user, str(write_csv(folder, tag, BATCHED_ROWS))]
        run = run_child(args, kill_after=kill_delay(rng, window))
        tally.record(run)
        said = [int(line.split()[-1]) for line in run.lines if line.startswith(f"batch {tag} ")]
        ws = open_checked(installation)
        found = batch_size(ws, tag)
        assert found % CRASH_BATCH_ROWS == 0, f"half a batch: {found} rows"
        if found < max(said, default=0):
            tally.lost += 1
        assert found >= max(said, default=0), (found, said)
        numbering_is_gapless(ws)
        ws.close()
        if found < BATCHED_ROWS:
            run_to_end(args)
            tally.reruns += 1
            ws = open_checked(installation)
            assert batch_size(ws, tag) == BATCHED_ROWS  # the rest, and nothing twice
            numbering_is_gapless(ws)
            ws.close()
    tally.report()
    return tally


@SHORT_AND_SLOW
def test_crash_during_a_csv_import_of_several_batches(
    installation: Paths, tmp_path: Path, slow: bool
) -> None:
    assert crash_csv_batches(installation, tmp_path, iterations(slow)).lost == 0


# -- letter issue --------------------------------------------------------------------------------

LETTERS_PER_RUN = 4


def letters_available() -> bool:
    return importlib.util.find_spec("app.services.letters") is not None


def check_letters(ws: Workspace, ids: list[str]) -> dict[str, str]:
    """Every letter is wholly issued or wholly not; numbers stay gapless."""
    import hashlib

    statuses = {}
    with ws.read() as session:
        for letter_id in ids:
            row = session.get(Letter, letter_id)
            assert row is not None
            events = [
                e
                for e in session.execute(
                    select(CaseEvent).where(
                        CaseEvent.case_id == row.case_id, CaseEvent.kind == "letter_sent"
                    )
                ).scalars()
                if e.data.get("letter_id") == letter_id
            ]
            if row.status == "issued":
                assert row.outgoing_number and row.seq and row.pdf is not None
                assert hashlib.sha256(row.pdf).hexdigest() == row.pdf_sha256
                assert len(events) == 1
            else:
                assert row.status == "approved", row.status
                assert (row.outgoing_number, row.seq, row.pdf, row.pdf_sha256) == (
                    None,
                    None,
                    None,
                    None,
                )
                assert events == []
            statuses[letter_id] = row.status
        seqs = sorted(
            session.execute(select(Letter.seq).where(Letter.status == "issued")).scalars()
        )
        counters = session.execute(select(Counter).where(Counter.name.like("letter:SEL:%")))
        total = sum(c.value for c in counters.scalars())
    assert seqs == list(range(1, len(seqs) + 1)) and total == len(seqs), (seqs, total)
    return statuses


def crash_letters(installation: Paths, runs: int) -> Tally:
    from app.letters import Addressee
    from app.services.letters import LetterFields, LetterService

    tally = Tally("letter issue")
    rng = random.Random(13)
    admin = unlock(installation, "admin", PASSWORD)
    with admin.write() as session:
        for username, name in (("serik", "Серік Жақсыбеков"), ("aigul", "Айгүл Сәрсенбаева")):
            user = session.execute(select(User).where(User.username == username)).scalar_one()
            user.full_name, user.phone = name, "+82 2 000 0001"
    admin.close()
    aigul = unlock(installation, "aigul", PASSWORD)
    serik = unlock(installation, "serik", PASSWORD)
    case_id = new_case(aigul)
    fields = LetterFields(
        addressee=Addressee("Kim Min-jun", "Daesung Metal Co", "Ansan", "Director"),
        subject="Жалақы туралы",
        free_text="Үш айлық жалақыны төлеуді сұраймыз.",
    )

    def approved_batch() -> list[str]:
        ids = []
        for _ in range(LETTERS_PER_RUN):
            draft = LetterService(aigul).draft(case_id, "employer_letter", "kk", fields)
            LetterService(serik).approve(draft.id)
            ids.append(draft.id)
        return ids

    try:
        calibration = run_to_end(
            ["letters", str(installation.data_dir), "serik", *approved_batch()]
        )
        window = calibration.seconds * 1.3
        while tally.wants_more(runs):
            ids = approved_batch()
            args = ["letters", str(installation.data_dir), "serik", *ids]
            run = run_child(args, kill_after=kill_delay(rng, window))
            tally.record(run)
            ws = open_checked(installation)
            statuses = check_letters(ws, ids)
            lost = [i for i in run.committed() if statuses.get(i) != "issued"]
            tally.lost += len(lost)
            assert not lost
            ws.close()
            run_to_end(args)  # the rerun issues what is left, and only that
            tally.reruns += 1
            ws = open_checked(installation)
            assert set(check_letters(ws, ids).values()) == {"issued"}
            ws.close()
    finally:
        aigul.close()
        serik.close()
    tally.report()
    return tally


@SHORT_AND_SLOW
@pytest.mark.skipif(not letters_available(), reason="app.services.letters is not there yet")
def test_crash_during_letter_issue(installation: Paths, slow: bool) -> None:
    assert crash_letters(installation, iterations(slow)).lost == 0


# -- bundle import -------------------------------------------------------------------------------

CASES_PER_BUNDLE = 15


def exchange_available() -> bool:
    return (
        importlib.util.find_spec("app.services.exchange") is not None
        and importlib.util.find_spec("app.exchange") is not None
    )


def make_site(root: Path, code: str, country: str, city: str, is_hq: bool = False) -> Paths:
    paths = Paths(root / code.lower())
    install_site(paths, MissionSetup(code, country, city, is_hq=is_hq))
    return paths


def crash_bundles(tmp_path: Path, runs: int) -> Tally:
    from app.services.exchange import ExchangeService

    tally = Tally("bundle import")
    rng = random.Random(14)
    hq_paths = make_site(tmp_path, "AST", "KZ", "Astana", is_hq=True)
    sel_paths = make_site(tmp_path, "SEL", "KR", "Seoul")
    hq, sel = unlock(hq_paths, "admin", PASSWORD), unlock(sel_paths, "admin", PASSWORD)
    for here, there in ((hq, sel), (sel, hq)):
        keys = KeyService(there).own_keys()
        KeyService(here).trust(keys.mission_code, keys.signing_key, keys.age_recipient)
    recipient = KeyService(hq).own_keys().age_recipient
    hq.close()
    counter = iter(range(10**6))

    def next_bundle() -> tuple[Path, list[str]]:
        numbers = []
        for _ in range(CASES_PER_BUNDLE):
            case_id = new_case(sel, f"Бандл{next(counter)}", "from Seoul")
            numbers.append(CaseService(sel).get_case(case_id).number)
        out = tmp_path / f"bundle-{numbers[0]}.qbundle"
        ExchangeService(sel).export_cases(out, [recipient])
        return out, numbers

    def present(ws: Workspace, numbers: list[str]) -> int:
        with ws.read() as session:
            return len(session.execute(select(Case.id).where(Case.number.in_(numbers))).all())

    try:
        file, numbers = next_bundle()
        window = run_to_end(["bundles", str(hq_paths.data_dir), "admin", str(file)]).seconds
        window *= 1.3
        while tally.wants_more(runs):
            file, numbers = next_bundle()
            args = ["bundles", str(hq_paths.data_dir), "admin", str(file)]
            run = run_child(args, kill_after=kill_delay(rng, window))
            tally.record(run)
            ws = open_checked(hq_paths)
            found = present(ws, numbers)
            with ws.read() as session:
                logged = session.execute(
                    select(ExchangeLog).where(ExchangeLog.direction == "in")
                ).scalars()
                log_count = len(list(logged))
            assert found in (0, CASES_PER_BUNDLE), f"half a bundle: {found}"
            if file.stem in run.committed() and found != CASES_PER_BUNDLE:
                tally.lost += 1
            ws.close()
            run_to_end(args)  # again: imports it, or recognises it as already imported
            tally.reruns += 1
            ws = open_checked(hq_paths)
            assert present(ws, numbers) == CASES_PER_BUNDLE
            with ws.read() as session:
                after = len(
                    list(
                        session.execute(
                            select(ExchangeLog).where(ExchangeLog.direction == "in")
                        ).scalars()
                    )
                )
            assert after == log_count + (0 if found else 1)
            ws.close()
    finally:
        sel.close()
    tally.report()
    return tally


@SHORT_AND_SLOW
@pytest.mark.skipif(not exchange_available(), reason="the exchange package is not there yet")
def test_crash_during_bundle_import(tmp_path: Path, slow: bool) -> None:
    assert crash_bundles(tmp_path, iterations(slow)).lost == 0


# -- restore -------------------------------------------------------------------------------------

_RESTORE_KILLED = """
import os, signal, sys
os.environ["QORGAU_KDF_PROFILE"] = "test"
from pathlib import Path
from app.config import Paths
from app.services import backup
real_prepare = backup._prepare
def dies(*args, **kwargs):  # the backup is unpacked and checked; the copy is re-keyed, then
    real_prepare(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)  # the power is cut
backup._prepare = dies
backup.restore_backup(Paths(Path(sys.argv[1])), Path(sys.argv[2]), "admin", sys.argv[3], True)
"""


@pytest.mark.parametrize("into", ["this installation", "an empty folder"])
def test_a_restore_killed_half_way_changes_nothing_and_its_copy_goes(
    installation: Paths, tmp_path: Path, into: str
) -> None:
    """A restore unpacks the backup into a folder beside the data; killed there, it left that
    whole copy of the database in the data folder for good (another at each try)."""
    ws = unlock(installation, "admin", PASSWORD)
    made = create_backup(ws, tmp_path / "night.qbackup").path
    saved = new_case(ws, note="saved after the backup")
    ws.close()
    paths = installation if into == "this installation" else Paths(tmp_path / "new laptop")
    child = run_python(["-c", _RESTORE_KILLED, str(paths.data_dir), str(made), PASSWORD])
    assert child.code == -9, child.err
    left = list(paths.data_dir.glob(f"{RESTORE_STAGING_PREFIX}*"))
    assert len(left) == 1 and (left[0] / "qorgau.db").exists()  # the crash's copy

    if into == "this installation":
        ws = unlock(installation, "admin", PASSWORD)  # nothing changed: what was saved is there
        try:
            assert CaseService(ws).get_case(saved).description == "saved after the backup"
            rotate_backups(installation)  # the next sign-in's backup rotation clears it
        finally:
            ws.close()
        assert not left[0].exists()
    restore_backup(paths, made, "admin", PASSWORD, confirmed=True)  # and a new try works
    assert not list(paths.data_dir.glob(f"{RESTORE_STAGING_PREFIX}*"))
    unlock(paths, "admin", PASSWORD).close()


# -- a backup to a folder of the user's choice ---------------------------------------------------

_BACKUP_KILLED = """
import os, signal, sys, zipfile
os.environ["QORGAU_KDF_PROFILE"] = "test"
from pathlib import Path
from app.config import Paths
from app.services import backup
from app.services.installation import unlock
def dies(self, *args, **kwargs):  # every member written, the archive not finished
    os.kill(os.getpid(), signal.SIGKILL)  # the task manager ends Qorgau
zipfile.ZipFile._write_end_record = dies
ws = unlock(Paths(Path(sys.argv[1])), "admin", sys.argv[3])
backup.create_backup(ws, Path(sys.argv[2]))
"""


def test_a_backup_killed_half_way_leaves_its_part_only_until_the_next_backup_there(
    installation: Paths, tmp_path: Path
) -> None:
    """A backup writes ``OUT.part`` and renames it when whole; killed before, the part (the
    database's size) stayed in the folder the user chose, and nothing ever removed it."""
    stick = tmp_path / "stick"
    stick.mkdir()
    killed = stick / "monday.qbackup"
    child = run_python(["-c", _BACKUP_KILLED, str(installation.data_dir), str(killed), PASSWORD])
    assert child.code == -9, child.err
    part = stick / "monday.qbackup.part"
    assert part.stat().st_size > 0 and not killed.exists()
    theirs = stick / "notes.docx.part"  # another program's download: not ours to remove
    theirs.write_bytes(b"PK\x03\x04" + os.urandom(2000))
    elsewhere = stick / "other-laptop.qbackup.part"  # another installation's killed backup
    with zipfile.ZipFile(elsewhere, "w") as archive:
        manifest = {"format": "qorgau-backup", "version": 1, "database_id": "another"}
        archive.writestr("manifest.json", json.dumps(manifest))

    ws = unlock(installation, "admin", PASSWORD)
    try:
        create_backup(ws, stick / "tuesday.qbackup")
    finally:
        ws.close()
    assert sorted(p.name for p in stick.iterdir()) == [
        "notes.docx.part",
        "other-laptop.qbackup.part",
        "tuesday.qbackup",
    ]


_RESTORE_KILLED_BETWEEN_ITS_FILES = """
import os, signal, sys
os.environ["QORGAU_KDF_PROFILE"] = "test"
from pathlib import Path
from app.config import Paths
from app.services import backup
real_private = backup.make_private
def dies(path):  # the first of the two files moved into place; the power is cut
    real_private(path)
    os.kill(os.getpid(), signal.SIGKILL)
backup.make_private = dies
backup.restore_backup(Paths(Path(sys.argv[1])), Path(sys.argv[2]), "admin", sys.argv[3], True)
"""


def test_a_restore_into_an_empty_folder_killed_between_its_two_files_is_finished_by_the_next(
    installation: Paths, tmp_path: Path
) -> None:
    """The new laptop: the database was moved into place before the key file. Killed in
    between, the folder held a database nobody could open ("the key file is missing; restore
    it from a backup") and the restore refused it ("incomplete; move its files elsewhere")."""
    ws = unlock(installation, "admin", PASSWORD)
    made = create_backup(ws, tmp_path / "night.qbackup").path
    ws.close()
    laptop = Paths(tmp_path / "new laptop")
    child = run_python(
        ["-c", _RESTORE_KILLED_BETWEEN_ITS_FILES, str(laptop.data_dir), str(made), PASSWORD]
    )
    assert child.code == -9, child.err
    assert laptop.keyslots.exists() and not laptop.db.exists()

    restore_backup(laptop, made, "admin", PASSWORD, confirmed=True)  # the next try finishes
    assert not list(laptop.data_dir.glob(f"{RESTORE_STAGING_PREFIX}*"))
    open_checked(laptop).close()


def test_a_key_file_of_another_installation_alone_is_not_replaced_by_a_restore(
    installation: Paths, tmp_path: Path
) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    made = create_backup(ws, tmp_path / "night.qbackup").path
    ws.close()
    other = make_site(tmp_path, "DXB", "AE", "Dubai")
    other.db.unlink()
    kept = other.keyslots.read_bytes()
    with pytest.raises(DatabaseError, match="incomplete"):
        restore_backup(other, made, "admin", PASSWORD, confirmed=True)
    assert other.keyslots.read_bytes() == kept and not other.db.exists()
