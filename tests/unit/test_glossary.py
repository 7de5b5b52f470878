"""The glossary is the single term list: the catalogs (messages, documents), the letter
templates and the manual use its term, never a variant it rules out."""

from __future__ import annotations

import re
from pathlib import Path

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


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_catalogs_and_letters_use_the_glossary_terms(language: str) -> None:
    # Accelerator marks (&) split words; line breaks are wrapping, not meaning.
    texts = [
        (where, " ".join(text.replace("&", "").split()).casefold())
        for where, text in _texts(language)
    ]
    wrong = [
        f"{where}: «{variant}» where the glossary says «{term}»"
        for rule_language, term, variants in _rules()
        if rule_language == language
        for variant in variants
        for where, text in texts
        if variant.casefold() in text
    ]
    assert wrong == [], "\n".join(wrong)
