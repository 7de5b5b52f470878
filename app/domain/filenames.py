"""File names that came from outside (a bundle, a dropped file) made safe to use as names.

A name is only ever a name: whatever a bundle's sender wrote, the result has no folder part, no
``..``, no control or bidirectional-override characters, none of the characters Windows forbids,
is not a reserved Windows device name (``CON``, ``NUL``, ``COM1``…), does not end in a dot or a
space, and fits in ``MAX_NAME_LENGTH`` UTF-8 bytes with its extension kept when the extension is
safe. When nothing usable is left the fallback name is used.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_LENGTH = 120  # bytes of UTF-8; well under every file system's 255
MAX_EXTENSION_LENGTH = 10
FALLBACK_NAME = "attachment"

# Characters Windows refuses in a name, plus both separators.
_FORBIDDEN = set('<>:"/\\|?*')
# CON, PRN, AUX, NUL, COM0-9, LPT0-9 (and the superscript digits Windows also treats so),
# whatever follows the first dot: "nul.txt" and "con .pdf" are devices too.
_RESERVED = re.compile(r"^(con|prn|aux|nul|conin\$|conout\$|(com|lpt)[0-9¹²³])$", re.IGNORECASE)
_SAFE_EXTENSION = re.compile(rf"^[A-Za-z0-9]{{1,{MAX_EXTENSION_LENGTH}}}$")


def _allowed(char: str) -> bool:
    # Cc: control characters (NUL, newline, ESC…); Cf: format characters such as the
    # right-to-left override that disguises "exe.pdf" as "fdp.exe"; Cs/Co/Cn: not text.
    return char not in _FORBIDDEN and unicodedata.category(char) not in (
        "Cc",
        "Cf",
        "Cs",
        "Co",
        "Cn",
    )


def _fit(text: str, limit: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 form fits in ``limit`` bytes."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", "ignore")


def clean_filename(name: str, fallback: str = FALLBACK_NAME) -> str:
    """A safe base name for ``name``; see the module's docstring."""
    name = unicodedata.normalize("NFC", str(name))
    # The last part after either separator: a path is never followed, only its name kept.
    base = re.split(r"[/\\]", name)[-1]
    base = "".join(c if _allowed(c) else "_" for c in base)
    base = base.strip().rstrip(". ").lstrip(". ")  # no hidden files, no ".." or "name. "
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    if extension and not _SAFE_EXTENSION.match(extension):
        stem, extension = base, ""
    stem = stem.rstrip(". ")
    if _RESERVED.match(stem.split(".")[0].strip()):
        stem = "_" + stem
    suffix = f".{extension}" if extension else ""
    stem = _fit(stem, MAX_NAME_LENGTH - len(suffix.encode("utf-8"))).rstrip(". ")
    if not stem.strip("_ "):
        stem = fallback
    return stem + suffix


# What the desktop may open straight from Qorgau: documents, pictures, sound and video that
# only show. An attachment may come from another mission's bundle or a worker's phone; "opening"
# a program, a script, a shortcut, a web page or a document format that carries macros would run
# it on this computer (Windows chooses by the extension alone), so those are saved as a copy.
VIEWABLE_EXTENSIONS = frozenset(
    {
        # documents (the XML Office formats hold no macros unless named .docm, .xlsm…)
        "pdf", "txt", "docx", "xlsx", "pptx", "odt", "ods", "odp",
        # pictures, phone photos among them
        "jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp", "heic", "heif",
        # voice messages and recordings
        "mp3", "m4a", "aac", "ogg", "oga", "opus", "wav", "amr",
        # video
        "mp4", "m4v", "mov", "3gp", "webm",
    }
)  # fmt: skip


def opens_in_viewer(name: str) -> bool:
    """Whether an attachment called ``name`` may be handed to the desktop's viewer."""
    stem, dot, extension = clean_filename(name).rpartition(".")
    return bool(dot and stem) and extension.lower() in VIEWABLE_EXTENSIONS
