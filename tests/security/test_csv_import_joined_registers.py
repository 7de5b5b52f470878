"""A hostile or careless CSV: two registers joined, the second with its own byte-order mark.

Excel writes a BOM at the start of every "CSV UTF-8" file; joined (``copy /b a.csv+b.csv``,
or by hand) the second one's mark sat inside the text, at the start of its first row, and
became part of the surname: "\\ufeffСидоров" is not "Сидоров" to the duplicate check, nor to a
reader comparing names, and shows as nothing. The mark is dropped wherever it stands.
"""

from __future__ import annotations

from sqlalchemy import select

from app.db.models import Case, Person
from app.services.csv_import import import_csv
from app.services.workspace import Workspace

HEAD = "surname,given_names,birth_date,host_country,categories,received_at,description\r\n"
ROW = "Сидоров,Әсел,1994-03-15,TR,unpaid_wages,2026-11-22,Wages unpaid.\r\n"


def test_a_mark_inside_a_joined_register_is_no_part_of_a_name(ws: Workspace) -> None:
    joined = ("\ufeff" + HEAD + ROW + "\ufeff" + ROW).encode("utf-8")
    report = import_csv(ws, joined, skip_rejected=True)
    assert report.rows == 2 and report.imported == 1
    assert [r.line for r in report.rejected] == [3]  # the same case as line 2
    with ws.read() as session:
        surnames = session.execute(select(Person.surname)).scalars().all()
    assert surnames == ["Сидоров"]


def test_a_mark_inside_a_cell_is_dropped(ws: Workspace) -> None:
    report = import_csv(ws, (HEAD + ROW.replace("Wages", "Wa\ufeffges")).encode("utf-8"))
    assert report.imported == 1
    with ws.read() as session:
        assert session.execute(select(Case.description)).scalar_one() == "Wages unpaid."
