"""``qorgau briefing``: country briefing sheets end to end, on a demo mission (issue 24)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.config import Paths
from app.contracts.reference import REFERENCE_FILE, default_reference
from app.db.models import Agreement, Case, Mission, Setting
from app.services.briefing import CONTACTS_KEY, contact_blocks
from app.services.stats import Count, StatsService
from app.services.workspace import Workspace
from tests.conftest import demo_paths_fixture, snapshot
from tests.integration.cli_helpers import run_cli, signed_in_cli

TODAY = date.today()
WORDS = json.loads(
    (Path(__file__).resolve().parents[2] / "resources" / "briefing" / "sheet.json").read_text(
        encoding="utf-8"
    )
)


demo_paths = demo_paths_fixture("briefing-cli", 200, 7, TODAY)


@pytest.fixture
def demo(demo_paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    # A copy per test: some tests change the mission's contacts.
    paths = Paths(tmp_path / "demo")
    shutil.copytree(demo_paths.data_dir, paths.data_dir)
    yield from signed_in_cli(monkeypatch, paths, "aigul")


def pdf_text(path: Path) -> str:
    """The sheet's text with all whitespace removed (lines wrap anywhere in a long URL)."""
    if shutil.which("pdftotext"):
        raw = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    else:
        raw = "".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return squeeze(raw)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("\u00a0", " "))


def render(capsys: pytest.CaptureFixture[str], out: Path, country: str, lang: str) -> str:
    result = run_cli(
        capsys, "briefing", "render", "--country", country, "--lang", lang, "--out", str(out)
    )
    assert result.code == 0, result.err
    assert "Warning" not in result.err  # every character of the sheet printed
    assert out.read_bytes().startswith(b"%PDF")
    assert len(PdfReader(out).pages) <= 2
    return pdf_text(out)


@pytest.mark.parametrize("country", ["KR", "RU"])
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_sheet_has_every_section_in_its_language(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path, country: str, lang: str
) -> None:
    text = render(capsys, tmp_path / f"{country}-{lang}.pdf", country, lang)
    words = WORDS[lang]
    for section in ("contacts", "rights", "agreements", "complaints", "checklist", "sources"):
        assert squeeze(words[section]) in text, section
    assert squeeze(words["check_passport_retention"]) in text
    assert squeeze(words["check_signed_copy"]) in text
    assert "+82200000" in text  # the mission's phone (contacts block)
    # The complaints are listed where the mission has enough cases of the last 12 months to
    # list a kind without pointing at a worker; where it has none or too few the sheet says so.
    cases = cases_of_the_year(demo, country)
    said = "complaints_after" if cases >= 11 else "few_complaints" if cases else "no_complaints"
    assert squeeze(words[said]) in text


def cases_of_the_year(ws: Workspace, country: str) -> int:
    with ws.read() as session:
        return session.execute(
            select(func.count(Case.id)).where(
                Case.host_country == country, Case.received_at >= date.today() - timedelta(days=365)
            )
        ).scalar_one()


def test_a_country_the_mission_had_no_complaint_from_says_so(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The Seoul demo mission's cases are nearly all in Korea: another country's sheet says
    that no complaint came from there, and Korea's counts its complaints."""
    quiet = next(c for c in ("US", "IL", "GB", "DE", "QA") if not cases_of_the_year(demo, c))
    text = render(capsys, tmp_path / "quiet.pdf", quiet, "en")
    assert squeeze(WORDS["en"]["no_complaints"]) in text
    assert cases_of_the_year(demo, "KR") > 0
    korea = render(capsys, tmp_path / "korea.pdf", "KR", "en")
    assert squeeze(WORDS["en"]["complaints_after"]) in korea


def counted(monkeypatch: pytest.MonkeyPatch, counts: dict[str, int]) -> None:
    """The complaints of the last 12 months the sheet is given, as the statistics count them."""
    given = tuple(Count(key, n) for key, n in counts.items())
    monkeypatch.setattr(StatsService, "category_counts", lambda _self, _flt=None: given)


def test_a_kind_of_complaint_received_a_few_times_is_not_printed_on_the_sheet(
    demo: Workspace,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fault: Germany's sheet, handed to anyone leaving, printed "Recruitment fees or
    illegal recruitment — 1 complaint", pointing at the one worker who complained there. A
    kind is listed from 11 complaints, its count rounded to five as the statistics are, and
    the sheet says so; "1 complaint" nowhere."""
    counted(
        monkeypatch, {"unpaid_wages": 13, "trafficking_forced_labour": 1, "recruitment_fees": 4}
    )
    text = render(capsys, tmp_path / "de.pdf", "DE", "en")
    assert squeeze("Unpaid or underpaid wages — 15 complaints") in text
    for label in ("Trafficking", "Recruitment fees", "13 complaints", "1 complaint"):
        assert squeeze(label) not in text, label
    assert squeeze(WORDS["en"]["complaints_rounded"]) in text


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_country_with_only_a_few_complaints_says_so_and_names_none(
    demo: Workspace,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
) -> None:
    """A few complaints are neither listed nor denied: "no complaints" would be untrue."""
    counted(monkeypatch, {"trafficking_forced_labour": 2, "other": 1})
    text = render(capsys, tmp_path / f"de-{lang}.pdf", "DE", lang)
    assert squeeze(WORDS[lang]["few_complaints"]) in text
    assert squeeze(WORDS[lang]["no_complaints"]) not in text
    assert squeeze(WORDS[lang]["complaints_intro"]) not in text


def test_a_russian_sheet_names_the_mission_without_bracketed_alternatives(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The fault: the Russian sheet told the worker to turn to «посольство (консульство)», an
    alternative in brackets that marks a document as machine-made; it names the mission as
    the Kazakh sheet does («өкілдік»), in the glossary's word: «загранучреждение Казахстана»."""
    quiet = next(c for c in ("US", "IL", "GB", "DE", "QA") if not cases_of_the_year(demo, c))
    for country in ("KR", quiet):
        text = render(capsys, tmp_path / f"{country}-ru.pdf", country, "ru")
        assert "(консульств" not in text and "загранучреждени" in text, country
    assert not re.search(r"\w\s?\(\w+\)", json.dumps(WORDS["ru"], ensure_ascii=False))


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_a_sheet_a_few_lines_too_long_is_set_tighter_on_one_page(
    demo: Workspace,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
) -> None:
    """The Korean sheet in Kazakh and Russian ran three or four source lines onto a second
    page: a worker got a page with nothing else on it. Set 5 % tighter it fits one; a sheet
    far longer (many agreements) still takes two."""
    from app.services import briefing

    one = tmp_path / f"KR-{lang}.pdf"
    text = render(capsys, one, "KR", lang)
    assert len(PdfReader(one).pages) == 1
    assert squeeze(WORDS[lang]["sources"]) in text and "NORMLEX" in text
    point = briefing.AgreementPoint("A right the agreement gives the worker. " * 8, "", None)
    many = tuple(
        briefing.AgreementFact(f"Agreement {n}", "bilateral", "", None, (point,) * 4)
        for n in range(4)
    )
    monkeypatch.setattr(briefing, "_agreements", lambda *_args: many)
    two = tmp_path / f"long-{lang}.pdf"
    render(capsys, two, "KR", lang)
    assert len(PdfReader(two).pages) == 2


@pytest.mark.parametrize("country", ["KR", "RU"])
def test_every_printed_figure_has_its_source_and_unverified_ones_are_absent(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path, country: str
) -> None:
    text = render(capsys, tmp_path / "sheet.pdf", country, "en")
    versions = default_reference().countries[country]
    for subject in ("minimum_wage", "hours", "paid_leave", "passport"):
        current = versions.on(TODAY)
        item = getattr(current, subject)
        if item is not None and item.provenance.verified:
            assert squeeze(item.provenance.source) in text, subject
    for version in versions.subjects["minimum_wage"]:
        amount = f"{int(version.amount):,}"
        if version.provenance.verified and version.provenance.valid_on(TODAY):
            # With its currency's code: the fonts have no ₩ or ₽, which printed as nothing.
            assert f"{amount}{version.currency}" in text  # (the text is squeezed)
        elif not version.provenance.verified:
            assert amount not in text  # e.g. last year's unchecked figure
    # Both countries' passport entries are unverified: the sheet says nothing about them.
    assert not versions.on(TODAY).passport.provenance.verified
    assert squeeze(WORDS["en"]["passport"]) not in text


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_a_kazakh_or_russian_sheet_cites_its_sources_in_its_language(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path, lang: str
) -> None:
    """The fault: a source the table writes as English prose ("Labor Standards Act, Art. 60(1)
    (after one year with at least 80% attendance)") was printed as it was in the Kazakh and
    Russian sheets, after the same statute cited in the sheet's language. Now such a sheet
    cites the statute in its language and adds an address to check, never the English prose.
    (The shipped table verifies no such figure since the December 2026 source check: here HQ
    has checked Korea's paid leave and sent its table.)"""
    from app.contracts.reference import parse_reference
    from app.services.legal_tables import _store

    document = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    document["edition"] = (TODAY + timedelta(days=1)).isoformat()
    document["countries"]["KR"]["paid_leave"][0]["verified"] = True
    table = parse_reference(document)
    with demo.write() as session:
        _store(demo, session, document, table)
    text = render(capsys, tmp_path / f"sheet-{lang}.pdf", "KR", lang)
    current = table.countries["KR"].on(TODAY)
    figures = [
        item
        for item in (current.minimum_wage, current.hours, current.paid_leave, current.passport)
        if item is not None and item.provenance.verified
    ]
    prose = [f.provenance for f in figures if not f.provenance.source.startswith("http")]
    addresses = [f.provenance for f in figures if f.provenance.source.startswith("http")]
    assert prose and addresses  # the table has both kinds, else this test proves nothing
    for provenance in prose:
        assert provenance.cites  # the statute is cited in the sheet's language instead
        assert squeeze(provenance.source) not in text
    for provenance in addresses:
        assert squeeze(provenance.source) in text
    statute = {"kk": "Еңбек стандарттары туралы заң", "ru": "Закон о трудовых стандартах"}
    assert squeeze(statute[lang]) in text
    assert "attendance" not in text


def test_russia_sheet_states_what_the_eaeu_treaty_gives_once_it_is_verified(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The treaty's Section XXVI was read in unofficial copies only: the sheet, which prints
    only what is checked against the official text, leaves it out until HQ verifies it (as
    here, in a library HQ sent)."""
    unchecked = render(capsys, tmp_path / "unchecked.pdf", "RU", "en")
    assert squeeze("Treaty on the Eurasian Economic Union") not in unchecked
    with demo.write() as session:
        treaty = session.execute(
            select(Agreement).where(Agreement.slug == "eaeu-treaty-2014")
        ).scalar_one()
        treaty.verified = True
        for provision in treaty.provisions:
            if provision.slug in ("art-97-1", "art-97-5"):
                provision.verified = True
    text = render(capsys, tmp_path / "ru.pdf", "RU", "en")
    assert squeeze("Treaty on the Eurasian Economic Union") in text
    assert squeeze("need no work permit") in text
    assert squeeze("exempt from registration for 30 days") in text
    # An unverified provision of the same treaty (social security, Art. 98(3)) is left out.
    assert squeeze("Social security (social insurance)") not in text
    # Korea is in no union with Kazakhstan.
    korea = render(capsys, tmp_path / "kr.pdf", "KR", "en")
    assert squeeze("Eurasian Economic Union") not in korea


def test_markup_characters_in_the_mission_address_print_as_written(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with demo.write() as session:
        mission = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
        mission.address_en = "Tower A&B <5th floor> & Co, Seoul"
    text = render(capsys, tmp_path / "sheet.pdf", "KR", "en")
    assert squeeze("Tower A&B <5th floor> & Co, Seoul") in text


def test_hotline_and_hours_are_set_by_an_administrator_and_printed(
    demo: Workspace,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refused = run_cli(capsys, "briefing", "contacts", "--hotline", "+82 10 1111 2222")
    assert refused.code == 1 and "role" in refused.err
    monkeypatch.setenv("QORGAU_USER", "admin")
    bad = run_cli(capsys, "briefing", "contacts", "--hotline", "call <me>")
    assert bad.code == 1 and "hotline" in bad.err.lower()
    with demo.read() as session:
        assert session.get(Setting, CONTACTS_KEY) is None  # nothing was stored
    ok = run_cli(
        capsys,
        "briefing",
        "contacts",
        "--hotline",
        "+82 10 1111 2222",
        "--hours-ru",
        "Пн–Пт 9:00–18:00",
        "--json",
    )
    assert ok.code == 0, ok.err
    assert json.loads(ok.out) == {
        "hotline": "+82 10 1111 2222",
        "hours": {"ru": "Пн–Пт 9:00–18:00"},
    }
    text = render(capsys, tmp_path / "sheet.pdf", "KR", "ru")
    assert squeeze("Горячая линия: +82 10 1111 2222") in text
    assert squeeze("Часы работы: Пн–Пт 9:00–18:00") in text
    # Only what is filled in is printed: no hours in English means none on the English sheet
    # but the fallback to another language.
    english = render(capsys, tmp_path / "sheet-en.pdf", "KR", "en")
    assert squeeze("Opening hours: Пн–Пт 9:00–18:00") in english


def test_hours_its_font_cannot_print_are_warned_of(
    demo: Workspace,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QORGAU_USER", "admin")
    hours = ("briefing", "contacts", "--hotline", "+82 2 1234 5678", "--hours-en", "월–금 9–18")
    assert run_cli(capsys, *hours).code == 0
    out = tmp_path / "sheet.pdf"
    result = run_cli(
        capsys, "briefing", "render", "--country", "KR", "--lang", "en", "--out", str(out)
    )
    assert result.code == 0 and out.read_bytes().startswith(b"%PDF")
    assert "Warning: The PDF leaves out characters its fonts cannot print: 금 월." in result.err


@pytest.mark.parametrize(
    ("country", "message"), [("XX", "ISO country code"), ("KZ", "Kazakhstan"), ("", "ISO")]
)
def test_bad_country_is_refused_and_no_file_is_written(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path, country: str, message: str
) -> None:
    out = tmp_path / "out" / "sheet.pdf"
    out.parent.mkdir()
    before = snapshot(Path(demo.paths.data_dir))
    result = run_cli(
        capsys, "briefing", "render", "--country", country, "--lang", "en", "--out", str(out)
    )
    assert result.code == 1
    assert message in result.err and result.err.count("\n") == 1
    assert not out.exists()
    assert snapshot(Path(demo.paths.data_dir)).keys() == before.keys()


def test_bad_language_is_a_usage_error(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "sheet.pdf"
    result = run_cli(
        capsys, "briefing", "render", "--country", "KR", "--lang", "de", "--out", str(out)
    )
    assert result.code == 2
    assert not out.exists()


def _moscow(**more: str) -> Mission:
    """Another mission HQ knows: the embassy in Russia."""
    return Mission(
        code="MOW",
        origin_mission="MOW",
        country="RU",
        city="Moscow",
        name_en="Embassy of Kazakhstan in Russia",
        phone="+7 495 000 0000",
        **more,
    )


def test_contacts_name_the_mission_in_the_country_when_one_is_known(demo: Workspace) -> None:
    with demo.write() as session:
        session.add(_moscow(address_en="Chistoprudny Blvd 3A, Moscow"))
    russia = contact_blocks(demo, "RU", "en")
    assert [block.name for block in russia] == ["Embassy of Kazakhstan in Russia"]
    assert russia[0].hotline == ""  # another mission's hotline is not known here
    turkey = contact_blocks(demo, "TR", "en")
    # No mission known in Türkiye: the installation's own contacts.
    assert [block.name for block in turkey] == [
        "Embassy of the Republic of Kazakhstan in the Republic of Korea"
    ]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_sheet_printing_another_countrys_office_says_there_is_none_there_yet(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path, lang: str
) -> None:
    """The fault: the Türkiye sheet printed the Seoul embassy and its Korean hotline under
    "Where to get help" with nothing more, and a worker in Istanbul took it for theirs."""
    elsewhere = squeeze(WORDS[lang]["contacts_elsewhere"])
    turkey = render(capsys, tmp_path / f"TR-{lang}.pdf", "TR", lang)
    assert elsewhere in turkey and "+82200000" in turkey  # still the number to call
    assert elsewhere not in render(capsys, tmp_path / f"KR-{lang}.pdf", "KR", lang)
    with demo.write() as session:
        session.add(_moscow(address_en="Chistoprudny Blvd 3A, Moscow"))
    assert elsewhere not in render(capsys, tmp_path / f"RU-{lang}.pdf", "RU", lang)


def test_at_hq_the_sheet_names_the_mission_in_the_country_and_the_ministry(
    demo: Workspace,
) -> None:
    with demo.write() as session:
        local = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
        local.is_hq, local.country, local.name_en = True, "KZ", "Ministry of Foreign Affairs"
        session.add(_moscow())
        # A mission HQ knows only by its key (no name, no phone) is not printed.
        session.add(Mission(code="IST", origin_mission="IST", country="TR", city=""))
    russia = [block.name for block in contact_blocks(demo, "RU", "en")]
    assert russia == ["Embassy of Kazakhstan in Russia", "Ministry of Foreign Affairs"]
    assert [block.name for block in contact_blocks(demo, "TR", "en")] == [
        "Ministry of Foreign Affairs"
    ]


@pytest.mark.parametrize("name", ["sheet.txt", "sheet"])
def test_an_out_file_not_named_pdf_is_a_usage_error(
    demo: Workspace, capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    """``--out x.txt`` wrote a PDF under the name x.txt, which no reader opens by its name."""
    out = tmp_path / name
    result = run_cli(
        capsys, "briefing", "render", "--country", "KR", "--lang", "en", "--out", str(out)
    )
    assert result.code == 2
    assert f"“{out}” is not a PDF file name: end it with .pdf." in result.err
    assert not out.exists()
    render(capsys, tmp_path / "SHEET.PDF", "KR", "en")  # in capitals, still a PDF's name
