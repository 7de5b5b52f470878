"""agreement list|show|update end to end."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.agreements.library import DEFAULT_LIBRARY_PATH
from app.config import Paths
from app.contracts import parse_terms
from app.errors import ValidationError
from app.services.agreements import sync_library
from tests.builders import with_the_kyrgyz_agreement_expired
from tests.conftest import PASSWORD, OpenWs
from tests.integration.cli_helpers import Run, run_cli
from tests.integration.test_exchange import Site, hq, sites  # noqa: F401 - fixtures

Capsys = pytest.CaptureFixture[str]
Cli = Callable[..., Run]


@pytest.fixture
def cli(installation: Paths, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("QORGAU_USER", "aigul")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)

    def run(*args: str) -> Run:
        return run_cli(capsys, "--data-dir", str(installation.data_dir), *args)

    return run


def by_slug(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record["slug"]: record for record in records}


def test_list_json_has_the_contract_keys(cli: Cli) -> None:
    result = cli("agreement", "list", "--json")
    assert result.code == 0, result.err
    records = json.loads(result.out)
    eaeu = by_slug(records)["eaeu-treaty-2014"]
    assert {
        "id",
        "slug",
        "kind",
        "title",
        "status",
        "verified",
        "basis",
        "parties",
        "signed_on",
        "in_force_on",
        "provisions",
    } <= eaeu.keys()
    assert eaeu["title"] == "Treaty on the Eurasian Economic Union"
    assert eaeu["kind"] == "treaty" and eaeu["status"] == "in_force"
    assert eaeu["signed_on"] == "2014-05-29" and eaeu["in_force_on"] == "2015-01-01"
    assert eaeu["parties"] == ["AM", "BY", "KG", "KZ", "RU"]
    assert eaeu["basis"] is None
    assert all(p["article"].startswith("Art. 9") for p in eaeu["provisions"])


def test_list_for_a_country_gives_applicable_then_pending(cli: Cli) -> None:
    records = json.loads(cli("agreement", "list", "--country", "TR", "--json").out)
    assert records[-1]["slug"] == "kz-tr-recommended"
    assert records[-1]["pending"] is True and records[-1]["basis"] is None
    applicable = records[:-1]
    bases = {r["basis"] for r in applicable}
    assert applicable and bases == {"treaty", "ilo", "standard", "home_law"}
    assert not any(r["pending"] for r in applicable)

    kg = json.loads(cli("agreement", "list", "--country", "KG", "--json").out)
    assert [(r["slug"], r["basis"]) for r in kg[:3]] == [
        ("kz-kg-migrant-workers-2006", "bilateral"),
        ("kz-kg-stay-of-citizens-2012", "bilateral"),
        ("eaeu-treaty-2014", "eaeu"),
    ]


def test_titles_follow_the_language_option(cli: Cli) -> None:
    kk = json.loads(cli("--lang", "kk", "agreement", "list", "--country", "RU", "--json").out)
    assert kk[0]["title"] == "Еуразиялық экономикалық одақ туралы шарт"
    assert kk[0]["basis"] == "eaeu"


def test_list_as_text(cli: Cli) -> None:
    result = cli("agreement", "list", "--country", "QA")
    assert result.code == 0, result.err
    assert "Instruments that apply in Qatar:" in result.out
    assert "kz-qa-employment-2024" in result.out
    assert "Bilateral agreement" in result.out
    assert "no — to be checked" in result.out  # the Qatar agreement is not verified yet
    assert (
        "Not law: signed but not in force, under negotiation, planned, recommended or doubtful:"
        in result.out
    )


def test_show_one_instrument(cli: Cli) -> None:
    result = cli("agreement", "show", "eaeu-treaty-2014")
    assert result.code == 0, result.err
    assert result.out.startswith("Treaty on the Eurasian Economic Union\n")
    assert "Art. 98" in result.out
    missing = cli("agreement", "show", "no-such-treaty")
    assert missing.code == 1
    assert missing.err.strip() == "qorgau: No instrument no-such-treaty in the agreement library."


def test_an_undated_instrument_in_force_says_its_date_is_not_known(cli: Cli) -> None:
    """The fault: `agreement show kz-kg-migrant-workers-2006` printed "Status: In force" and
    "In force: —", and `list` "In force", as if the date had been checked; no source gives it."""
    shown = cli("agreement", "show", "kz-kg-migrant-workers-2006")
    assert shown.code == 0, shown.err
    assert "Status: In force (date of entry into force not known)\n" in shown.out
    assert "In force: not known\n" in shown.out
    listed = cli("agreement", "list", "--country", "KG")
    row = next(line for line in listed.out.splitlines() if "kz-kg-migrant-workers-2006" in line)
    assert "date of entry into force not known" in row
    record = json.loads(cli("agreement", "show", "kz-kg-migrant-workers-2006", "--json").out)
    assert record["in_force_on"] is None and record["in_force_date_known"] is False
    dated = cli("agreement", "show", "eaeu-treaty-2014")
    assert "Status: In force\n" in dated.out and "not known" not in dated.out


def test_bad_country_is_one_line_error(cli: Cli) -> None:
    result = cli("agreement", "list", "--country", "Turkey")
    assert result.code == 1
    assert result.err.strip() == "qorgau: country: “Turkey” is not a known two-letter country code."
    assert result.out == ""


@pytest.mark.parametrize("code", ["XX", "qq"])
def test_made_up_country_code_is_refused_as_the_contract_parser_does(cli: Cli, code: str) -> None:
    """The fault: any two letters passed, so `agreement list --country XX` printed the ILO
    conventions as if they applied in a country "XX"."""
    result = cli("agreement", "list", "--country", code, "--json")
    assert result.code == 1
    assert (
        result.err.strip() == f"qorgau: country: “{code}” is not a known two-letter country code."
    )
    assert result.out == ""
    with pytest.raises(ValidationError) as refused:
        parse_terms({"host_country": code})
    # The same sentence, naming the option's field where the contract names its own.
    assert result.err.strip() == f"qorgau: {refused.value}".replace("host_country", "country")


@pytest.fixture
def hq_cli(
    hq: Site,  # noqa: F811
    capsys: Capsys,
    monkeypatch: pytest.MonkeyPatch,
) -> Cli:
    """The command line at HQ, which edits the library and the host-country table."""

    def run(*args: str) -> Run:
        monkeypatch.setenv("QORGAU_USER", "admin")
        monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
        return run_cli(capsys, "--data-dir", str(hq.paths.data_dir), *args)

    return run


def test_update_from_a_file(cli: Cli, hq_cli: Cli, tmp_path: Path) -> None:
    document = json.loads(DEFAULT_LIBRARY_PATH.read_text(encoding="utf-8"))
    document["updated_on"] = "2027-01-01"
    document["instruments"] = [i for i in document["instruments"] if i["id"] != "kz-de-recommended"]
    file = tmp_path / "library.json"
    file.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert cli("agreement", "list").code == 0  # seeds the shipped library
    refused = cli("agreement", "update", str(file))
    assert refused.code == 1 and "does not allow" in refused.err
    cli = hq_cli
    assert cli("agreement", "list").code == 0
    result = cli("agreement", "update", str(file), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["removed"] == ["kz-de-recommended"]
    assert (
        json.loads(cli("agreement", "list", "--country", "DE", "--json").out)[-1]["slug"]
        != "kz-de-recommended"
    )
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    broken = cli("agreement", "update", str(bad))
    assert broken.code == 1
    assert "not valid JSON" in broken.err


def test_update_the_host_country_table_from_a_file(hq_cli: Cli, tmp_path: Path) -> None:
    from app.contracts.reference import REFERENCE_FILE

    cli = hq_cli
    document = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    document["edition"] = "2027-01-15"
    file = tmp_path / "host_countries.json"
    file.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = cli("agreement", "update", str(file), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out) == {
        "table": "host_countries",
        "edition": "2027-01-15",
        "previous": None,
        "changed": True,
    }
    document["countries"]["KR"]["hours"][0]["source"] = ""
    document["edition"] = "2027-02-01"
    file.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    refused = cli("agreement", "update", str(file))
    assert refused.code == 1
    assert "verified figure must name its source" in refused.err


def test_list_says_from_when_an_instrument_binds_the_host(cli: Cli) -> None:
    """The fault: the list said an instrument applied, never since when: Korea is bound by
    C029 only from 20 April 2022, Russia by the 2014 Protocol from 17 January 2020."""
    korea = by_slug(json.loads(cli("agreement", "list", "--country", "KR", "--json").out))
    assert korea["ilo-c029"]["binds_from"] == "2022-04-20"
    russia = cli("agreement", "list", "--country", "RU")
    (p029,) = [line for line in russia.out.splitlines() if line.startswith("ilo-p029")]
    assert "binding on the host since 17 Jan 2020" in p029


def test_list_says_when_the_day_an_instrument_binds_the_host_is_not_recorded(cli: Cli) -> None:
    """The fault: Qatar's undated ratification of C029 was listed as binding, nothing saying
    since when; Qatar's agreement, dated, keeps its day."""
    qatar = cli("agreement", "list", "--country", "QA").out.splitlines()
    (c029,) = [line for line in qatar if line.startswith("ilo-c029")]
    assert "binding on the host; since when not recorded" in c029
    (agreement,) = [line for line in qatar if line.startswith("kz-qa-employment-2024")]
    assert "binding on the host since 18 Dec 2025" in agreement
    assert "not recorded" not in agreement


def test_the_country_option_says_it_lists_more_than_binding_instruments(cli: Cli) -> None:
    """The fault: the help said --country listed only the instruments binding the host, but
    the list holds standards, Kazakhstan's laws and agreements not in force too."""
    help_text = " ".join(cli("agreement", "list", "--help").out.split())
    assert "only the instruments that bind" not in help_text
    assert "standards and Kazakhstan's laws that do not" in help_text
    assert "expired agreements, and those not in force" in help_text
    # The command's own line in `agreement --help` says the same, not "what applies there".
    summary = " ".join(cli("agreement", "--help").out.split())
    assert "what applies there" not in summary
    assert "what binds that host country and why, and apart what does not" in summary


def test_list_shows_an_expired_agreement_apart(cli: Cli, open_ws: OpenWs) -> None:
    """The fault: an expired agreement was in neither list for its host country: gone."""
    sync_library(open_ws("admin"), with_the_kyrgyz_agreement_expired(None))
    text = cli("agreement", "list", "--country", "KG").out
    binding, expired = text.split("No longer law: expired agreements:")
    assert "kz-kg-migrant-workers-2006" not in binding
    (row,) = [line for line in expired.splitlines() if line.startswith("kz-kg-migrant")]
    assert "Expired (until when not recorded)" in row
    records = by_slug(json.loads(cli("agreement", "list", "--country", "KG", "--json").out))
    kg = records["kz-kg-migrant-workers-2006"]
    assert kg["expired"] is True and kg["binding"] is None and kg["pending"] is False


def test_a_standard_s_line_neither_repeats_nor_contradicts_its_ratifications(cli: Cli) -> None:
    """The fault: a standard's basis read "International standard (not known to be ratified
    by the host)" before what is known: "not ratified by the host country" (C105 in Korea),
    or the same "not known to be ratified" a second time (P029)."""
    rows = cli("agreement", "list", "--country", "KR").out.splitlines()
    (c105,) = [line for line in rows if line.startswith("ilo-c105")]
    assert "International standard; not ratified by the host country" in c105
    (p029,) = [line for line in rows if line.startswith("ilo-p029")]
    assert p029.count("not known to be ratified") == 1
    records = by_slug(json.loads(cli("agreement", "list", "--country", "KR", "--json").out))
    assert records["ilo-c105"]["basis_label"] == "International standard"


def test_update_from_a_huge_file_reads_only_as_far_as_a_library_may_be(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file of gigabytes named by mistake was read whole before its size was refused
    (/dev/zero until memory ran out: "internal error"); the library in use stays."""
    from app.agreements import library as library_module

    monkeypatch.setenv("QORGAU_USER", "admin")
    before = cli("agreement", "list", "--json").out
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * (library_module.MAX_LIBRARY_BYTES + 1) + b"{}")
    read: list[int] = []
    real_open = Path.open

    def counted_open(path: Path, *args: Any, **kwargs: Any) -> Any:
        handle = real_open(path, *args, **kwargs)
        if path == huge:
            real_read = handle.read

            def read_some(size: int = -1) -> bytes:
                read.append(size)
                return real_read(size)

            handle.read = read_some
        return handle

    monkeypatch.setattr(Path, "open", counted_open)
    refused = cli("agreement", "update", str(huge))
    assert refused.code == 1
    assert refused.err.strip() == "qorgau: The agreement library is too large."
    assert read and all(0 <= size <= library_module.MAX_LIBRARY_BYTES + 1 for size in read)
    assert cli("agreement", "list", "--json").out == before
