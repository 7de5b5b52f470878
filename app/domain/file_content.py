"""Whether an attachment's bytes are what its name says, before the desktop opens it.

The desktop picks the program by the name's extension, and that program then reads the bytes
as it sees them: Word opens an old ``.doc`` with macros, an RTF or a web page named
``contract.docx``; Acrobat runs the JavaScript of a PDF and asks to start the program its
``/Launch`` action names. An attachment may come from a worker's phone or another mission's
bundle, so a document or picture whose content does not fit its name, and a PDF that carries
scripts or actions, are not handed to the desktop (the officer may still save a copy).

Sound and video are not checked: players read what they can and run nothing. A ``.txt`` opens in
a text editor whatever it holds.
"""

from __future__ import annotations

import re
import zlib
from enum import StrEnum

_ZIP = (b"PK\x03\x04",)
_FTYP_AT = 4  # ISO media files (HEIC) name their type in a box at byte 4: "ftyp"
# The first bytes of each kind of document and picture Qorgau opens; "ftyp" is checked apart.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "docx": _ZIP,
    "xlsx": _ZIP,
    "pptx": _ZIP,
    "odt": _ZIP,
    "ods": _ZIP,
    "odp": _ZIP,
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "gif": (b"GIF87a", b"GIF89a"),
    "bmp": (b"BM",),
    "tif": (b"II*\x00", b"MM\x00*"),
    "tiff": (b"II*\x00", b"MM\x00*"),
}
_ISO_MEDIA = frozenset({"heic", "heif"})
# PDF readers accept the header anywhere in the first kilobyte.
_PDF_HEADER_WITHIN = 1024
# PDF names that run something: a script, a program, or (Flash) a player of its own.
_ACTIVE_NAMES = frozenset({b"JavaScript", b"JS", b"Launch", b"RichMedia"})
# A name token; "#4A" is "J" (PDF lets any character of a name be written so, which hides
# "/JavaScript" from a plain search as "/J#61vaScript").
_NAME = re.compile(rb"/((?:[A-Za-z]|#[0-9A-Fa-f]{2}){2,24})(?![A-Za-z#])")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# Objects packed in a compressed object stream are invisible to a search of the file's bytes.
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm")
_STREAM_START = re.compile(rb"(?<!end)stream\r?\n")
# What the packed objects of one file may unpack to: a 25 MB file's dictionaries are far less;
# more is a bomb, and a file that cannot be checked is not opened.
_MAX_UNPACKED = 32 * 1024 * 1024


class NotViewable(StrEnum):
    """Why a document or picture is not handed to the desktop's viewer."""

    DISGUISED = "disguised"  # its bytes are not the kind its name says
    ACTIVE_PDF = "active_pdf"  # a PDF with scripts or actions, or packed parts that cannot be read


def not_viewable(name: str, content: bytes) -> NotViewable | None:
    """Why ``content``, attached as ``name``, must not be opened by the desktop; None if it may.
    ``name`` is one that ``opens_in_viewer`` already allows."""
    extension = name.rpartition(".")[2].lower()
    if extension == "pdf":
        if b"%PDF-" not in content[:_PDF_HEADER_WITHIN]:
            return NotViewable.DISGUISED
        return NotViewable.ACTIVE_PDF if pdf_may_run_something(content) else None
    if extension in _ISO_MEDIA:
        return None if content[_FTYP_AT : _FTYP_AT + 4] == b"ftyp" else NotViewable.DISGUISED
    signatures = _SIGNATURES.get(extension)
    if signatures is not None and not content.startswith(signatures):
        return NotViewable.DISGUISED
    return None


def pdf_may_run_something(content: bytes) -> bool:
    """Whether a PDF names a script or an action that starts a program, in its objects or in
    those packed in its object streams (or has packed objects that cannot be unpacked).

    Only the objects are searched, never the data of a stream: in a scan's pictures three
    bytes "/JS" come by chance about once in 20 MB."""
    position = 0
    unpacked = 0
    while True:
        start = _STREAM_START.search(content, position)
        objects = content[position : start.start() if start else len(content)]
        if _names_something_active(objects):
            return True
        if start is None:
            return False
        end = content.find(b"endstream", start.end())
        if end < 0:
            return True  # a reader repairs a cut stream; what follows it cannot be told
        if _OBJECT_STREAM.search(objects, objects.rfind(b"obj") + 1):
            try:
                room = _MAX_UNPACKED - unpacked + 1
                packed = zlib.decompressobj().decompress(content[start.end() : end], room)
            except zlib.error:
                return True  # another filter, or encrypted: nothing to check it by
            unpacked += len(packed)
            if unpacked > _MAX_UNPACKED or _names_something_active(packed):
                return True
        position = end + len(b"endstream")


def _names_something_active(data: bytes) -> bool:
    for match in _NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            name = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        if name in _ACTIVE_NAMES:
            return True
    return False
