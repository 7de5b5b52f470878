"""The translation catalogs are complete and consistent, and the UI sends no text past gettext.

Messages are extracted from the sources exactly as the Makefile does (babel, keywords _, N_,
ngettext, pgettext), so a string added without a translation fails here, not in front of a user.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
METHOD_MAP = [("**.py", "python")]
COMPLETE_LANGUAGES = ("kk", "ru")
SHOWN = 8  # how many offenders a failure lists

# (context, msgid); msgid is the singular for plural entries.
Key = tuple[str | None, str]


@cache
def extracted() -> dict[Key, tuple[str | tuple[str, ...], str]]:
    """Every message in app/, ui/ and main.py, with the place it was first found."""
    found: dict[Key, tuple[str | tuple[str, ...], str]] = {}

    def add(
        filename: str, lineno: int, message: str | tuple[str, ...], context: str | None
    ) -> None:
        singular = message if isinstance(message, str) else message[0]
        found.setdefault((context, singular), (message, f"{filename}:{lineno}"))

    for folder in ("app", "ui"):
        for filename, lineno, message, _comments, context in extract_from_dir(
            ROOT / folder, METHOD_MAP, keywords=KEYWORDS
        ):
            add(f"{folder}/{filename}", lineno, message, context)
    for lineno, message, _comments, context in extract_from_file(
        "python", ROOT / "main.py", keywords=KEYWORDS
    ):
        add("main.py", lineno, message, context)
    return found


@cache
def catalog(language: str) -> Catalog:
    path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        return read_po(file, locale=language)


def forms(message: Message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


_BRACES = re.compile(r"\{([^{}]*)\}")
# Real %-conversions; babel also reads "% o" in "50% of" as one (see test_babel_finds_no_errors).
_PERCENT = re.compile(r"%(?:\([\w]*\))?[-#0+]?\d*(?:\.\d+)?[diouxXeEfFgGcrs]")
_TAG = re.compile(r"<[^<>]*>")


def placeholders(text: str) -> list[str]:
    """The str.format fields ({name}, {s:.1f}) and %-conversions of ``text``, sorted."""
    unescaped = text.replace("{{", "").replace("}}", "")
    return sorted(_BRACES.findall(unescaped) + _PERCENT.findall(text.replace("%%", "")))


def has_accelerator(text: str) -> bool:
    return "&" in text.replace("&&", "")


def fail_with(problems: list[str], what: str) -> None:
    if problems:
        listed = "\n  ".join(problems[:SHOWN])
        more = f"\n  … and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
        pytest.fail(f"{len(problems)} {what}:\n  {listed}{more}")


# (a) complete catalogs ---------------------------------------------------------------------


def test_sources_have_messages_to_translate() -> None:
    messages = extracted()
    assert len(messages) > 500
    assert (None, "Wrong user name or password.") in messages
    assert ("case status", "In progress") in messages


@pytest.mark.parametrize("language", COMPLETE_LANGUAGES)
def test_plural_forms_header_is_right(language: str) -> None:
    expected = {
        "kk": "nplurals=2; plural=(n != 1);",
        "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
        "(n%100<10 || n%100>=20) ? 1 : 2);",
    }[language]
    assert catalog(language).plural_forms == expected


@pytest.mark.parametrize("language", COMPLETE_LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    po = catalog(language)
    missing, untranslated, fuzzy = [], [], []
    for (context, msgid), (_message, where) in sorted(extracted().items(), key=lambda i: i[1][1]):
        entry = po.get(msgid, context)
        label = f"{where}: {msgid!r}" + (f" [{context}]" if context else "")
        if entry is None:
            missing.append(label)
        elif entry.fuzzy:
            fuzzy.append(label)
        elif not all(forms(entry)) or (entry.pluralizable and len(forms(entry)) != po.num_plurals):
            untranslated.append(label)
    fail_with(missing, f"messages missing from the {language} catalog (run the extraction)")
    fail_with(fuzzy, f"fuzzy messages in the {language} catalog")
    fail_with(untranslated, f"untranslated messages in the {language} catalog")


@pytest.mark.parametrize("language", COMPLETE_LANGUAGES)
def test_translations_keep_placeholders_and_accelerators(language: str) -> None:
    problems = []
    for entry in catalog(language):
        if not entry.id:
            continue
        ids = [entry.id] if isinstance(entry.id, str) else list(entry.id)
        for index, text in enumerate(forms(entry)):
            if not text:
                continue
            source = ids[min(index, len(ids) - 1)]
            if placeholders(text) != placeholders(source):
                problems.append(f"{source!r}: {placeholders(source)} ≠ {placeholders(text)}")
            if has_accelerator(source) != has_accelerator(text):
                problems.append(f"{source!r}: the & accelerator is lost or added in {text!r}")
    fail_with(problems, f"placeholder or accelerator mismatches in the {language} catalog")


@pytest.mark.parametrize("language", COMPLETE_LANGUAGES)
def test_babel_finds_no_errors(language: str) -> None:
    """What `pybabel compile` checks: plural counts and python-format placeholders."""
    problems = [
        f"line {entry.lineno}: {entry.id!r}: {error}"
        for entry, errors in catalog(language).check()
        for error in errors
    ]
    fail_with(problems, f"errors `pybabel compile` reports for {language}")
    # An obsolete entry (#~) whose message came back was defined twice: GNU msgfmt refuses
    # the file. `make translations` drops obsolete entries.
    twice = sorted(str(key) for key in catalog(language).obsolete if key in catalog(language))
    fail_with(twice, f"messages defined twice (live and obsolete) in {language}")


@pytest.mark.parametrize("language", COMPLETE_LANGUAGES)
def test_translations_use_guillemets(language: str) -> None:
    problems = [
        repr(text)
        for entry in catalog(language)
        if entry.id
        for text in forms(entry)
        if "“" in text
    ]
    fail_with(problems, f"{language} translations with English “” quotes instead of «»")


KAZAKH_LETTERS = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")


def test_kazakh_catalog_is_written_in_kazakh() -> None:
    cyrillic = [
        text
        for entry in catalog("kk")
        if entry.id
        for text in forms(entry)
        if re.search("[а-яА-ЯёЁ]", text) and len(text) > 40
    ]
    without = [text for text in cyrillic if not KAZAKH_LETTERS.search(text)]
    assert len(cyrillic) > 300
    # A long Kazakh sentence without a single Kazakh letter is almost always Russian.
    assert len(without) <= len(cyrillic) // 20, without[:SHOWN]


def test_russian_catalog_has_no_kazakh_letters() -> None:
    problems = [
        text
        for entry in catalog("ru")
        if entry.id and not KAZAKH_LETTERS.search(str(entry.id))
        for text in forms(entry)
        if KAZAKH_LETTERS.search(text)
    ]
    fail_with(problems, "ru translations with Kazakh letters")


def test_kazakh_translation_is_used_at_run_time() -> None:
    from app.i18n import _, language_override, ngettext, pgettext

    with language_override("kk"):
        assert _("Wrong user name or password.") == "Пайдаланушы аты немесе құпиясөз қате."
        assert pgettext("case status", "In progress") == "Жұмыс үстінде"
        assert ngettext("{n} case", "{n} cases", 5).format(n=5) == "5 іс"


# (c) the English catalog falls back to the source ----------------------------------------


def test_english_catalog_adds_nothing_but_the_source() -> None:
    path = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        pytest.skip("no en catalog: English comes from the source strings")
    problems = []
    for entry in catalog("en"):
        if not entry.id:
            continue
        ids = [entry.id] if isinstance(entry.id, str) else list(entry.id)
        for index, text in enumerate(forms(entry)):
            if text and placeholders(text) != placeholders(ids[min(index, len(ids) - 1)]):
                problems.append(f"{entry.id!r} → {text!r}")
        if entry.fuzzy and any(forms(entry)):
            problems.append(f"{entry.id!r} is fuzzy")
    fail_with(problems, "en entries that differ from their source's placeholders")


# (b) no literal text reaches the user past gettext ----------------------------------------

# Methods whose text argument is shown to the user: name -> index of that argument.
TEXT_METHODS = {
    "setText": 0,
    "setWindowTitle": 0,
    "setToolTip": 0,
    "setPlaceholderText": 0,
    "setStatusTip": 0,
    "setWhatsThis": 0,
    "addItem": 0,
    "setTitle": 0,
    "setLabelText": 0,
    "setSubTitle": 0,
    "addTab": 1,
    "insertTab": 2,
    "setTabText": 1,
    "addRow": 0,
    "showMessage": 0,
}
# Widgets whose constructor shows every string argument.
TEXT_WIDGETS = {"QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction"}
# Text that is right in every language.
ALLOWED = {"Qorgau", "Қазақша", "Русский", "English", "PDF", "CSV", "XLSX", "JSON"}
# Examples of codes typed by the user: an ISO 639-1 language code, an age public key's prefix.
ALLOWED |= {"ko", "age1…"}
# Data rather than interface text, in a given file: (path, literal).
ALLOWED_IN_FILE = {("ui/screenshots.py", "consul")}  # a user name typed into the login form
_LETTER = re.compile(r"[^\W\d_]")


def _is_user_text(node: ast.expr) -> str | None:
    """The literal text of ``node`` if it is a string a translator should have seen."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(
            part.value
            for part in node.values
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
    else:
        return None
    words = _TAG.sub("", _PERCENT.sub("", _BRACES.sub("", text)))
    if not _LETTER.search(words) or text.strip() in ALLOWED:
        return None
    return text


def _callee(call: ast.Call) -> tuple[str | None, str | None]:
    """(object name, attribute) for obj.attr(...), (None, name) for name(...)."""
    func = call.func
    if isinstance(func, ast.Attribute):
        owner = func.value
        owner_name = owner.id if isinstance(owner, ast.Name) else None
        if isinstance(owner, ast.Attribute):
            owner_name = owner.attr
        return owner_name, func.attr
    if isinstance(func, ast.Name):
        return None, func.id
    return None, None


def untranslated_ui_literals(source: str, filename: str) -> Iterator[str]:
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        owner, name = _callee(node)
        if owner == "QMessageBox" or name in TEXT_WIDGETS:
            candidates = list(node.args)
        elif name in TEXT_METHODS and len(node.args) > TEXT_METHODS[name]:
            candidates = [node.args[TEXT_METHODS[name]]]
        else:
            continue
        for argument in candidates:
            text = _is_user_text(argument)
            if text is not None and (filename, text) not in ALLOWED_IN_FILE:
                yield f"{filename}:{argument.lineno}: {text!r}"


def test_the_ui_check_catches_literals() -> None:
    source = (
        "label = QLabel('Hello')\n"
        "button.setText(_('Save'))\n"
        "box.addItem('Low', 'low')\n"
        "tabs.addTab(page, f'Cases {n}')\n"
        "QMessageBox.warning(self, _('Title'), 'Something failed')\n"
        "label.setText('—')\n"
        "language.addItem('Қазақша', 'kk')\n"
        "field.setPlaceholderText('{n} %')\n"
        "title = QLabel(f'<b>{article}</b>')\n"
    )
    assert list(untranslated_ui_literals(source, "x.py")) == [
        "x.py:1: 'Hello'",
        "x.py:3: 'Low'",
        "x.py:4: 'Cases '",
        "x.py:5: 'Something failed'",
    ]


def test_ui_shows_no_untranslated_literal() -> None:
    offenders = [
        problem
        for path in sorted((ROOT / "ui").rglob("*.py"))
        for problem in untranslated_ui_literals(
            path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix()
        )
    ]
    fail_with(offenders, "user-visible string literals in ui/ without _()")


def messages_in_fstrings(source: str, filename: str) -> Iterator[tuple[str, int]]:
    """The literal msgids of ``_()`` calls written inside f-strings."""
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.JoinedStr):
            continue
        for inner in ast.walk(node):
            if (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Name)
                and inner.func.id == "_"
                and inner.args
                and isinstance(inner.args[0], ast.Constant)
                and isinstance(inner.args[0].value, str)
            ):
                yield inner.args[0].value, inner.lineno


def test_a_message_inside_an_fstring_is_still_extracted() -> None:
    # babel's extractor does not look inside f-strings: a message written only there is never
    # offered for translation and shows in English in every language.
    found = extracted()
    missing = [
        f"{path.relative_to(ROOT)}:{line}: {message!r}"
        for folder in ("app", "ui")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for message, line in messages_in_fstrings(path.read_text(encoding="utf-8"), str(path))
        if (None, message) not in found
    ]
    fail_with(missing, "messages only inside f-strings (babel does not extract them)")
