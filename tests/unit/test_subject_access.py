"""Subject access: one person's data, with consent, cases, files and who touched them."""

from __future__ import annotations

import base64
import io
import json
import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.config import Paths
from app.db.models import AuditEntry
from app.errors import NotFound, PermissionDenied, ValidationError
from app.letters.renderer import MARGIN_LEFT, MARGIN_RIGHT, PAGE_WIDTH, date_long
from app.services.cases import CaseService
from app.services.records import CaseChanges, OrganisationInput
from app.services.subject_access import collect, export_subject_access
from app.services.workspace import Workspace
from tests.builders import ASSEL, wage_case
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_cli
from tests.pdf_geometry import drawn_line_xs, drawn_text_starts

IIN = "940315400123"
PERSON = replace(
    ASSEL,
    iin=IIN,
    birth_date=date(1994, 3, 15),
    phone_abroad="+82 10 1234 5678",
    consent_date=date(2026, 11, 2),
    consent_scope=("case_handling", "share_with_hq"),
    consent_note="Жазбаша келісім берді",
)


@pytest.fixture
def case_id(ws: Workspace) -> str:
    service = CaseService(ws)
    case = wage_case(
        ws,
        PERSON,
        date(2026, 11, 2),
        employer=OrganisationInput(name="Daesung Metal Co", country="KR", city="Ansan"),
        description="Үш ай бойы жалақы төленбеген.",
    )
    service.add_event(case.id, "call", "Жұмыс берушімен сөйлестік.")
    service.add_attachment(case.id, "contract.pdf", b"%PDF contract", "application/pdf")
    return case.id


def test_the_export_holds_the_person_consent_cases_files_and_audit(
    ws: Workspace, case_id: str
) -> None:
    export = collect(ws, iin=IIN)
    assert len(export.persons) == 1
    person = export.persons[0]
    assert person["surname"] == "Құрманғалиқызы" and person["iin"] == IIN
    assert person["consent_date"] == "2026-11-02"
    assert person["consent_scope"] == ["case_handling", "share_with_hq"]
    assert person["consent_note"] == "Жазбаша келісім берді"
    (case,) = person["cases"]
    assert case["categories"] == ["unpaid_wages"] and case["employer"] == "Daesung Metal Co"
    assert "Жұмыс берушімен сөйлестік." in [e["text"] for e in case["timeline"]]
    (attachment,) = case["attachments"]
    assert base64.b64decode(attachment["content_base64"]) == b"%PDF contract"
    actions = [a["action"] for a in person["audit"]]
    assert actions[:3] == ["case.create", "case.event", "attachment.add"]
    with ws.read() as session:
        made = session.execute(
            select(AuditEntry).where(AuditEntry.action == "person.subject_access")
        ).scalar_one()
    assert made.entity_id == person["id"] and made.details == {"persons": 1, "files": True}


def test_who_opened_or_copied_their_files_is_in_the_export(ws: Workspace, case_id: str) -> None:
    service = CaseService(ws)
    (attachment,) = service.get_case(case_id).attachments
    service.attachment_content(attachment.id)
    service.attachment_content(attachment.id, saved_copy=True)
    audit = collect(ws, iin=IIN).persons[0]["audit"]
    opened = [(a["action"], a["entity_id"]) for a in audit if a["entity"] == "attachment"]
    assert opened == [
        ("attachment.open", attachment.id),
        ("attachment.copy", attachment.id),
    ]


def test_json_and_pdf_files(ws: Workspace, case_id: str, tmp_path: Path) -> None:
    as_json = tmp_path / "assel.json"
    export = export_subject_access(ws, as_json, iin=IIN)
    data = json.loads(as_json.read_text(encoding="utf-8"))
    assert data["format"] == "qorgau-subject-access" and data["version"] == 1
    assert data["persons"][0]["id"] == export.persons[0]["id"]
    as_pdf = tmp_path / "assel.pdf"
    export_subject_access(ws, as_pdf, person_id=export.persons[0]["id"], lang="en")
    reader = PdfReader(io.BytesIO(as_pdf.read_bytes()))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    for expected in ("Personal data held about you", "Құрманғалиқызы", IIN, "contract.pdf"):
        assert expected in text
    assert "Жазбаша келісім берді" in text


def test_bad_requests(ws: Workspace, open_ws: object, tmp_path: Path) -> None:
    with pytest.raises(NotFound) as none:
        collect(ws, iin=IIN)
    assert str(none.value) == "No person with this IIN or id is on file."
    with pytest.raises(ValidationError):
        collect(ws, iin="940315400124")  # wrong check digit
    with pytest.raises(ValidationError) as both:
        collect(ws)
    assert str(both.value) == "Give either an IIN or a person id."
    with pytest.raises(ValidationError) as suffix:
        export_subject_access(ws, tmp_path / "x.txt", iin=IIN)
    assert str(suffix.value) == "The output file must end in .json or .pdf."
    assert not (tmp_path / "x.txt").exists()
    hq = open_ws("astana")  # type: ignore[operator]
    with pytest.raises(PermissionDenied):
        collect(hq, iin=IIN)


def test_cli(
    installation: Paths,
    case_id: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    out = tmp_path / "sar.json"
    base = ("--data-dir", str(installation.data_dir))
    result = run_cli(capsys, *base, "subject-access", "--iin", IIN, "--out", str(out))
    assert result.code == 0, result.err
    assert result.out.strip() == f"Wrote {out}: 1 person record(s), 1 case(s)."
    assert json.loads(out.read_text(encoding="utf-8"))["query"] == {"iin": IIN}
    missing = run_cli(capsys, *base, "subject-access", "--iin", "850101300015", "--out", str(out))
    assert missing.code == 1
    assert missing.err.strip() == "qorgau: No person with this IIN or id is on file."
    assert run_cli(capsys, *base, "subject-access", "--out", str(out)).code == 2
    retention = run_cli(capsys, *base, "retention", "run", "--dry-run")
    assert retention.code == 0, retention.err
    assert "0 cases are past the retention period of 5 years." in retention.out
    policy = run_cli(capsys, *base, "retention", "policy", "--years", "7")
    assert policy.out.strip() == "Personal data is anonymised 7 years after a case is closed."


def test_the_pdf_prints_labels_names_and_sentences_in_its_own_language(
    ws: Workspace, case_id: str, tmp_path: Path
) -> None:
    from app.db.models import User

    with ws.write() as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        admin.full_name = "Серік Сейітов"
    CaseService(ws).assign(case_id, "admin")
    out = tmp_path / "assel.pdf"
    export_subject_access(ws, out, iin=IIN, lang="kk")
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    # Labels, the state's official name, the officer's name and the entries in Kazakh.
    for expected in ("Әйел", "Қазақстан Республикасы", "Корея Республикасы", "Жаңа"):
        assert expected in text
    assert "Серік Сейітов" in text
    # The entry headed by what it records (it read «Жүйе»), its sentence not said twice.
    assert "Іс тіркелді" in text and "Іс тіркелді." not in text and "Жүйе" not in text
    for raw in (
        "female",
        " new ",
        "unpaid_wages",
        "case_handling",
        "case.create",
        "Case registered",
    ):
        assert raw not in text
    assert " admin " not in f" {text} "


def test_a_description_longer_than_a_page_and_a_status_change_are_printed_whole(
    ws: Workspace, case_id: str, tmp_path: Path
) -> None:
    """A cell taller than a page failed the whole report (LayoutError) once a description
    passed about 6,000 characters; the status change's arrow is not in the PDF's fonts and
    printed nothing ("Жаңа Жұмыс үстінде")."""
    sentence = "Жұмыс беруші <төлқұжатты> & жалақыны үш ай бойы ұстап отыр. "
    description = (sentence * 3300)[:199_000].rstrip() + " СОҢЫ"
    service = CaseService(ws)
    service.update_case(case_id, CaseChanges(description=description))
    service.set_status(case_id, "in_progress", "Өтініш қабылданды")
    out = tmp_path / "assel.pdf"
    export_subject_access(ws, out, iin=IIN, lang="kk")
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) > 40
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "<төлқұжатты> &" in text and "СОҢЫ" in text  # escaped, and to its last word
    assert text.count("Жұмыс беруші") >= 3000
    assert "«Жаңа» мәртебесінен «Жұмыс үстінде» мәртебесіне. Өтініш қабылданды" in text


def test_a_pdf_that_leaves_out_characters_says_which_and_the_json_keeps_them(
    ws: Workspace,
    installation: Paths,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The employer's name and a note typed in Hangul: the PDF's fonts have no glyph for them
    and print nothing in their place. The export says so; the JSON keeps every character."""
    case = wage_case(
        ws,
        PERSON,
        date(2026, 11, 2),
        employer=OrganisationInput(name="(주)대성금속", country="KR", city="Ansan"),
    )
    CaseService(ws).add_event(case.id, "call", "사장님과 통화했습니다.")
    export = export_subject_access(ws, tmp_path / "assel.pdf", iin=IIN, lang="kk")
    left_out = sorted(set("주대성금속사장님과통화했습니다"))
    assert f"print: {' '.join(left_out[:12])} …. " in export.warning  # the first dozen
    assert "Hangul" in export.warning
    as_json = export_subject_access(ws, tmp_path / "assel.json", iin=IIN)
    assert as_json.warning == ""
    assert "(주)대성금속" in (tmp_path / "assel.json").read_text(encoding="utf-8")
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    out = tmp_path / "cli.pdf"
    base = ("--data-dir", str(installation.data_dir))
    said = run_cli(capsys, *base, "subject-access", "--iin", IIN, "--out", str(out))
    assert said.code == 0 and said.out.startswith(f"Wrote {out}")
    assert said.err.startswith("Warning: The PDF leaves out characters its fonts cannot print")


def test_a_pdf_the_fonts_print_whole_warns_of_nothing(
    ws: Workspace, case_id: str, tmp_path: Path
) -> None:
    for lang in ("kk", "ru", "en"):
        export = export_subject_access(ws, tmp_path / f"assel-{lang}.pdf", iin=IIN, lang=lang)
        assert export.warning == "", lang


def test_the_pdf_s_tables_keep_within_the_margins(
    ws: Workspace, case_id: str, tmp_path: Path
) -> None:
    """The fault: the report's tables were laid out 170 mm wide in the 165 mm between the
    margins, and stood 2.5 mm past the letterhead's rule on both sides of every page."""
    out = tmp_path / "assel.pdf"
    export_subject_access(ws, out, iin=IIN, lang="ru")
    pages = drawn_line_xs(out.read_bytes())
    assert len(pages) >= 1 and all(pages)
    for xs in pages:
        assert min(xs) >= MARGIN_LEFT - 0.5
        assert max(xs) <= PAGE_WIDTH - MARGIN_RIGHT + 0.5


HEADING = {"kk": "Сіз туралы", "ru": "Ваши персональные", "en": "Personal data held"}
PREPARED = {"kk": "{date} күні", "ru": "Подготовлено {date};", "en": "Prepared on {date} by"}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_report_dates_itself_long_and_flush_under_its_heading(
    ws: Workspace, case_id: str, tmp_path: Path, lang: str
) -> None:
    """The fault: the report said "Prepared on 6 Dec 2026, 19:54" (in Kazakh «06.12.2026,
    19:54 күні»): not the long date documents write, on a line indented as a body
    paragraph's first line right under its heading, while the tables stand flush."""
    out = tmp_path / f"assel-{lang}.pdf"
    export_subject_access(ws, out, iin=IIN, lang=lang)
    pdf = out.read_bytes()
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(out).pages))
    prepared = PREPARED[lang].format(date=date_long(datetime.now().date(), lang))
    assert prepared.replace("\u00a0", " ") in text.replace("\u00a0", " ")
    runs = drawn_text_starts(pdf)[0]
    heading_x = next(x for t, x in runs if t.startswith(HEADING[lang]))
    line_x = next(x for t, x in runs if t.startswith(prepared[:8]))
    assert line_x == pytest.approx(heading_x, abs=0.5)


OFFICER = {"kk": "Серік Сейітов", "ru": "Серік Сейітов", "en": "Serik Seiitov"}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_pdf_names_an_officer_with_no_latin_name_as_the_letters_do(
    ws: Workspace, case_id: str, tmp_path: Path, lang: str
) -> None:
    """The fault: an officer with no Latin name on file was «Серік Сейітов» in Cyrillic in the
    English report, where an English letter spells the name in Latin letters."""
    from app.db.models import User

    with ws.write() as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        admin.full_name, admin.full_name_latin = "Серік Сейітов", ""
    CaseService(ws).assign(case_id, "admin")
    out = tmp_path / "assel.pdf"
    export_subject_access(ws, out, iin=IIN, lang=lang)
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert OFFICER[lang] in text
    if lang == "en":
        assert "Сейітов" not in text
