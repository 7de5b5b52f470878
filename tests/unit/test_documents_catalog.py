"""The ``documents`` catalog: every document word is translated in kk, ru and en, with its
placeholders, and the catalog holds exactly the words the code marks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.i18n import DOCUMENTS_DOMAIN, LANGUAGES, translator

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def _catalog(language: str):  # type: ignore[no-untyped-def]
    with (TRANSLATIONS / language / "LC_MESSAGES" / "documents.po").open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_document_word_is_translated_with_its_placeholders(language: str) -> None:
    for message in _catalog(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{language}: {ids[0]!r} is not translated"
        wanted = set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == wanted, f"{language}: {text!r}"


def test_the_catalog_holds_exactly_the_marked_words(tmp_path: Path) -> None:
    pot = tmp_path / "documents.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "--no-location",
            "-F",
            str(ROOT / "babel.cfg"),
            "--no-default-keywords",
            "-k",
            "D_",
            "-k",
            "DP_:1c,2",
            "-k",
            "DN_:1,2",
            "-o",
            str(pot),
            str(ROOT / "app"),
        ],
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        marked = {(m.context, m.id) for m in read_po(handle) if m.id}
    for language in LANGUAGES:
        held = {(m.context, m.id) for m in _catalog(language) if m.id}
        assert held == marked, f"{language}: run `make translations`"


def test_a_document_word_follows_the_document_language() -> None:
    assert translator(DOCUMENTS_DOMAIN, "kk").gettext("Host country") == "Болу елі"
    assert translator(DOCUMENTS_DOMAIN, "ru").gettext("Host country") == "Страна пребывания"
    assert translator(DOCUMENTS_DOMAIN, "ru").ngettext("{n} hour", "{n} hours", 5) == "{n} часов"
