"""The glossary is the single term list: the catalogs (messages, documents), the letter
templates, the manual and the hand-kept per-language tables use its term, never a variant it
rules out."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "translations" / "GLOSSARY.md"
RULE = re.compile(r"^- (kk|ru): (.+?) — not: (.+)$")


def _rules() -> list[tuple[str, str, list[str]]]:
    text = GLOSSARY.read_text(encoding="utf-8")
    section = text.split("## Words the catalogs must not use", 1)[1]
    found = []
    for line in section.splitlines():
        match = RULE.match(line.strip())
        if match:
            variants = [v.strip() for v in match.group(3).split(";") if v.strip()]
            found.append((match.group(1), match.group(2), variants))
    return found


def _texts(language: str) -> list[tuple[str, str]]:
    """(where, text) for every translated string and letter template in ``language``."""
    out: list[tuple[str, str]] = []
    for domain in ("messages", "documents"):
        path = ROOT / "translations" / language / "LC_MESSAGES" / f"{domain}.po"
        with path.open("rb") as handle:
            for message in read_po(handle, locale=language):
                if not message.id:
                    continue
                msgid = message.id if isinstance(message.id, str) else message.id[0]
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for string in strings:
                    out.append((f"{domain}.po {msgid!r}", string))
    for template in sorted((ROOT / "resources" / "letters").glob(f"*/{language}.j2")):
        out.append((str(template.relative_to(ROOT)), template.read_text(encoding="utf-8")))
    # The manual the window opens (Help → Manual) speaks to the same officers.
    manual = ROOT / "resources" / "help" / f"{language}.md"
    out.append((str(manual.relative_to(ROOT)), manual.read_text(encoding="utf-8")))
    return out


def test_the_glossary_lists_the_words_to_avoid() -> None:
    rules = _rules()
    assert {language for language, _term, _variants in rules} == {"kk", "ru"}
    assert all(variants for _language, _term, variants in rules)


def _ruled_out(
    language: str,
    texts: list[tuple[str, str]],
    spared: frozenset[tuple[str, str]] = frozenset(),
) -> list[str]:
    """The glossary's rule, one for every text: a variant it rules out appears nowhere, except
    in a text ``spared`` from that term's rule as (where, term)."""
    # Accelerator marks (&) split words; line breaks are wrapping, not meaning.
    folded = [(where, " ".join(text.replace("&", "").split()).casefold()) for where, text in texts]
    return [
        f"{where}: «{variant}» where the glossary says «{term}»"
        for rule_language, term, variants in _rules()
        if rule_language == language
        for variant in variants
        for where, text in folded
        if variant.casefold() in text and (where, term) not in spared
    ]


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_catalogs_and_letters_use_the_glossary_terms(language: str) -> None:
    wrong = _ruled_out(language, _texts(language))
    assert wrong == [], "\n".join(wrong)


# --- wording kept outside the catalogs ---------------------------------------------------------

LANGUAGES = ("kk", "ru", "en")


@dataclass(frozen=True)
class Entry:
    """One text of a hand-kept table in one language, with the table's English for it."""

    table: str
    key: str
    language: str
    text: str
    en: str


def _strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """(key path, text) of every string in a nested table value."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(item, f"{key}/{name}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _strings(item, f"{key}/{index}")


def _english(value: Any, key: str) -> str:
    """The text at ``key`` in the table's English value, "" where it has none."""
    for step in filter(None, key.split("/")):
        if isinstance(value, str):  # one English text for all the forms («nom», «gen»…)
            return value
        if isinstance(value, dict):
            value = value.get(step)
        elif isinstance(value, list | tuple) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return ""
    return value if isinstance(value, str) else ""


def _by_language(table: str, where: str, values: dict[str, Any]) -> Iterator[Entry]:
    """The kk and ru texts of a value written per language ({"kk": …, "ru": …, "en": …})."""
    for language in ("kk", "ru"):
        for key, text in _strings(values.get(language)):
            yield Entry(table, where + key, language, text, _english(values.get("en"), key))


def _json_entries(table: str, value: Any, where: str = "") -> Iterator[Entry]:
    if isinstance(value, dict):
        if {"kk", "ru"} & value.keys():
            yield from _by_language(table, where, value)
        for name, item in value.items():
            if name not in LANGUAGES:
                yield from _json_entries(table, item, f"{where}/{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_entries(table, item, f"{where}/{index}")


def _literal(node: ast.expr) -> Any:
    """A table's value as written in the source; an f-string keeps its words, not its fields."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else "{…}" for part in node.values
        )
    if isinstance(node, ast.Tuple | ast.List):
        return [_literal(item) for item in node.elts]
    if isinstance(node, ast.Dict):
        return {
            ast.unparse(k): _literal(v) for k, v in zip(node.keys, node.values, strict=True) if k
        }
    return None


def _python_entries(table: str, source: str) -> Iterator[Entry]:
    """Every dict literal keyed by language in a module, wherever it stands (module level or
    inside a function, as the letters' joining words are)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            values = {
                k.value: _literal(v)
                for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and k.value in LANGUAGES
            }
            if {"kk", "ru"} & values.keys():
                yield from _by_language(table, f"line {node.lineno}", values)


def _phrase_entries() -> Iterator[Entry]:
    """The letters' phrase tables hold tuples in the order ru, kk, en, not dicts; the facts
    have a Russian and an English text per sex."""
    from app.letters import phrases

    table = "app/letters/phrases.py"
    for code, (ru, kk, en) in phrases._FACTS.items():
        for sex, (ru_text, en_text) in enumerate(zip(ru, en, strict=True)):
            yield Entry(table, f"_FACTS {code} {sex}", "ru", ru_text, en_text)
        yield Entry(table, f"_FACTS {code}", "kk", kk, en[0])
    for name, rows in (("_DEMANDS", phrases._DEMANDS), ("_CLAIM_LABELS", phrases._CLAIM_LABELS)):
        for code, (ru, kk, en) in rows.items():
            yield Entry(table, f"{name} {code}", "ru", ru, en)
            yield Entry(table, f"{name} {code}", "kk", kk, en)


def _table_entries() -> list[Entry]:
    """Every hand-kept per-language text: the JSON tables in resources/ and the tables written
    in app/'s modules."""
    entries: list[Entry] = []
    for path in sorted((ROOT / "resources").rglob("*.json")):
        if not path.name.endswith(".schema.json"):  # a schema's "kk" is a field, not wording
            data = json.loads(path.read_text(encoding="utf-8"))
            entries.extend(_json_entries(str(path.relative_to(ROOT)), data))
    for path in sorted((ROOT / "app").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        entries.extend(_python_entries(str(path.relative_to(ROOT)), source))
    entries.extend(_phrase_entries())
    return entries


def test_the_table_check_reads_the_tables_it_names() -> None:
    """If a table moved or changed its shape the check below would pass on nothing."""
    tables = {entry.table for entry in _table_entries()}
    assert {
        "app/letters/phrases.py",
        "app/reports/briefing.py",
        "app/services/letters.py",
        "resources/briefing/sheet.json",
        "resources/recovery/sheet.json",
        "resources/taxonomy/categories.json",
        "resources/agreements/library.json",
        "resources/contracts/host_countries.json",
    } <= tables
    per_period = [e for e in _table_entries() if e.table == "app/reports/briefing.py"]
    assert ("ru", "в месяц", "a month") in {(e.language, e.text, e.en) for e in per_period}


# «Загранучреждение» is the word for Kazakhstan's own missions. The office of a host state's
# ministry in a consulate's city keeps its official name as its sources write it (the Russian
# MFA's «Представительство МИД России в Казани»): a proper name, spared that rule alone.
HOST_OFFICE_NAME = re.compile(r"^/states/[A-Z]{2}/mfa_offices/[^/]+/\d+$")
PROPER_NAME_TERMS = {("ru", "загранучреждение")}


def _where(entry: Entry) -> str:
    return f"{entry.table} {entry.key} (en: {entry.en!r})"


def _spared_proper_names(entries: list[Entry]) -> frozenset[tuple[str, str]]:
    """(where, term) of each host ministry office's name and the rule its name is spared."""
    return frozenset(
        (_where(entry), term)
        for entry in entries
        if entry.table == "resources/states/official_names.json"
        and HOST_OFFICE_NAME.match(entry.key)
        for language, term in PROPER_NAME_TERMS
        if entry.language == language
    )


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_hand_kept_tables_use_the_glossary_terms(language: str) -> None:
    """The hand-kept tables are held to the catalogs' rule.

    Issue 19 made the glossary the one term list, but its check read only the catalogs, the
    letter templates and the manual. The claim labels and letter phrases
    (app/letters/phrases.py), the briefing sheet's words and its per-period table, the
    taxonomy, the agreement library, the host-country table, the states table and the
    recovery sheet are written per language by hand, outside the catalogs, so no translator and
    no test saw them. The fault: the Kazakh category descriptions said «қабылдаушы ел» and a
    C189 summary «жұмыс істейтін ел» for the host country, both ruled out.

    The rule is the catalogs' own: a variant the glossary rules out appears in no text of the
    language. The catalog check does not ask whether the English side means the glossary's
    term (a ruled-out variant is wrong in any sense), so neither does this one; the table's
    English is printed next to each failure to say which entry it is, as the msgid is for a
    catalog."""
    entries = [e for e in _table_entries() if e.language == language]
    texts = [(_where(e), e.text) for e in entries]
    wrong = _ruled_out(language, texts, _spared_proper_names(entries))
    assert wrong == [], "\n".join(wrong)


def test_only_a_host_ministry_office_s_name_is_spared_and_only_the_mission_rule() -> None:
    """The Russian MFA's offices in Kazan and Saint Petersburg are «Представительство МИД
    России в …», the name their sources print; the glossary's «загранучреждение» rule (no
    «представительство» for Kazakhstan's missions) would refuse it. The name is spared that
    one rule: the same word for the ministry itself, or another ruled-out variant in the
    office's name, is still refused."""
    table = "resources/states/official_names.json"
    office = Entry(table, "/states/RU/mfa_offices/Kazan/0", "ru", "Представительство МИД", "")
    ministry = Entry(table, "/states/RU/mfa/0", "ru", "Представительство МИД", "")
    agency = Entry(table, "/states/RU/mfa_offices/Kazan/1", "ru", "кадровое агентство", "")
    entries = [office, ministry, agency]
    wrong = _ruled_out("ru", [(_where(e), e.text) for e in entries], _spared_proper_names(entries))
    assert sorted(line.split(" (en:")[0] for line in wrong) == [
        f"{table} /states/RU/mfa/0",
        f"{table} /states/RU/mfa_offices/Kazan/1",
    ]
    kazan = next(
        e
        for e in _table_entries()
        if e.key == "/states/RU/mfa_offices/Kazan/0" and e.language == "ru"
    )
    assert kazan.text == "Представительство МИД России в Казани"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_spreadsheet_is_loaded_never_imported(language: str) -> None:
    """The glossary keeps «импорт» for bundles; a spreadsheet is «жүктеу» / «загрузка». The
    command line's help and the import's timeline entry had said «импорттау», «импортировать»."""
    spreadsheet = re.compile(r"spreadsheet|legacy|\brows?\b", re.IGNORECASE)
    wrong = [
        f"{where}: {text}"
        for where, text in _texts(language)
        if where.startswith("messages.po")
        and spreadsheet.search(where)
        and "bundle" not in where.lower()
        and "импорт" in text.lower()
    ]
    assert not wrong, "\n".join(wrong)
