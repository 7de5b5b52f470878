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

import io
import re
import zipfile
import zlib
from enum import StrEnum

from app.untrusted import MAX_ZIP_DIRECTORY_BYTES, UNREADABLE_MEMBER, zip_directory_size

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
_PICTURES = frozenset({"jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff"}) | _ISO_MEDIA
_OFFICE_XML = frozenset({"docx", "xlsx", "pptx"})
_OPEN_DOCUMENT = frozenset({"odt", "ods", "odp"})
# A document's part that runs or fetches something when opened: macros (Word and Excel refuse
# them in a .docx/.xlsx, LibreOffice runs an OpenDocument's after its question), a link to
# another workbook's cells, a DDE link that starts a program.
_ACTIVE_PARTS = re.compile(
    r"(^|/)(vbaProject\.bin|vbaData\.xml)$|^xl/externalLinks/|^(Basic|Scripts)/", re.IGNORECASE
)
# A relationship to something outside the file other than a hyperlink, which the reader
# fetches as it opens (a remote template, an object, a frame: CVE-2017-0199, "Follina").
_EXTERNAL = re.compile(rb"<Relationship\b[^>]*>", re.IGNORECASE)
_EXTERNAL_MODE = re.compile(rb"TargetMode\s*=\s*[\"']External[\"']", re.IGNORECASE)
_HYPERLINK_TYPE = re.compile(rb"Type\s*=\s*[\"'][^\"']*/hyperlink[\"']", re.IGNORECASE)
_DDE = re.compile(rb"<(?:\w+:)?ddeLink\b|\bDDEAUTO\b", re.IGNORECASE)
_MAX_PARTS = 10_000  # a real document has dozens; more is a file made to be slow to check
_MAX_PART_READ = 4 * 1024 * 1024  # of a relationships or document part searched for links
# Of all of them: a real document's XML is a few megabytes; 6,000 parts of 4 MB of nothing
# fit in a 25 MB file, and searching them took 0.13 s each: some 14 minutes.
_MAX_SEARCHED = 64 * 1024 * 1024
# PDF readers accept the header anywhere in the first kilobyte.
_PDF_HEADER_WITHIN = 1024
# PDF names that run something: a script, a program, or (Flash) a player of its own.
_ACTIVE_NAMES = frozenset({b"JavaScript", b"JS", b"Launch", b"RichMedia"})


def _spelled(name: bytes) -> bytes:
    """A pattern of ``name`` with each character written as itself or as ``#xx``: PDF lets any
    character of a name be written so, which hides "/JavaScript" as "/J#61vaScript"."""
    parts = []
    for code in name:
        escaped = "".join(f"[{d}{d.lower()}]" if d.isalpha() else d for d in f"{code:02X}")
        parts.append(f"(?:{re.escape(chr(code))}|#{escaped})")
    return "".join(parts).encode()


# An active name, ended as a PDF name ends (whitespace, a delimiter or the end): one search in
# C, not a Python step for each of a file's names (25 MB of names took 19 s that way).
_ACTIVE_NAME = re.compile(
    rb"/(?:"
    + rb"|".join(_spelled(n) for n in sorted(_ACTIVE_NAMES, key=len, reverse=True))
    + rb")(?=[\s()<>\[\]{}/%]|\Z)"
)
# Objects packed in a compressed object stream are invisible to a search of the file's bytes.
# An object stream by its type or by /First, which only an object stream has (a reader finds
# one through the cross-reference table, whatever its /Type says).
_OBJECT_STREAM = re.compile(
    rb"/(?:" + _spelled(b"ObjStm") + rb"|" + _spelled(b"First") + rb")(?=[\s()<>\[\]{}/%]|\Z)"
)
_STREAM_START = re.compile(rb"(?<!end)stream\r?\n")
# What the packed objects of one file may unpack to: a 25 MB file's dictionaries are far less;
# more is a bomb, and a file that cannot be checked is not opened.
_MAX_UNPACKED = 32 * 1024 * 1024


class NotViewable(StrEnum):
    """Why a document or picture is not handed to the desktop's viewer."""

    DISGUISED = "disguised"  # its bytes are not the kind its name says
    ACTIVE_PDF = "active_pdf"  # a PDF with scripts or actions, or packed parts that cannot be read
    # An Office or OpenDocument file with macros, or that fetches or starts something from
    # outside as it opens (or whose parts cannot be read to tell)
    ACTIVE_DOCUMENT = "active_document"


def not_viewable(name: str, content: bytes) -> NotViewable | None:
    """Why ``content``, attached as ``name``, must not be opened by the desktop; None if it may.
    ``name`` is one that ``opens_in_viewer`` already allows."""
    extension = name.rpartition(".")[2].lower()
    if extension == "pdf":
        if b"%PDF-" not in content[:_PDF_HEADER_WITHIN]:
            return NotViewable.DISGUISED
        return NotViewable.ACTIVE_PDF if pdf_may_run_something(content) else None
    if extension in _PICTURES:
        # A phone's PNG saved as "scan.jpg" is common, and a picture viewer runs nothing: any
        # picture opens under any picture's name; only what is no picture is held back.
        return None if _is_picture(content) else NotViewable.DISGUISED
    signatures = _SIGNATURES.get(extension)
    if signatures is not None and not content.startswith(signatures):
        return NotViewable.DISGUISED
    if extension in _OFFICE_XML | _OPEN_DOCUMENT and document_may_run_something(content):
        return NotViewable.ACTIVE_DOCUMENT
    return None


def _is_picture(content: bytes) -> bool:
    if content[_FTYP_AT : _FTYP_AT + 4] == b"ftyp":
        return True
    return any(content.startswith(_SIGNATURES[kind]) for kind in _PICTURES - _ISO_MEDIA)


def document_may_run_something(content: bytes) -> bool:
    """Whether an Office Open XML or OpenDocument file (a ZIP) holds macros, links to another
    workbook, a DDE link, or a relationship that fetches something from outside as it opens;
    a ZIP that cannot be read to tell counts as one that may."""
    if zip_directory_size(content) > MAX_ZIP_DIRECTORY_BYTES:
        return True  # made to be slow to open and check
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            if len(parts) > _MAX_PARTS or any(_ACTIVE_PARTS.search(p.filename) for p in parts):
                return True
            searched = [p for p in parts if _searched_for_links(p.filename)]
            # zipfile unpacks a part no further than its declared size: the sum bounds the work.
            if sum(min(p.file_size, _MAX_PART_READ) for p in searched) > _MAX_SEARCHED:
                return True
            return any(_links_outside(archive, part) for part in searched)
    except UNREADABLE_MEMBER:
        return True
    return False


def _searched_for_links(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(".rels") or (lowered.endswith(".xml") and "/" in lowered)


def _links_outside(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    with archive.open(part) as member:
        data = member.read(_MAX_PART_READ + 1)
    if len(data) > _MAX_PART_READ and part.filename.lower().endswith(".rels"):
        return True  # relationships of megabytes: made to hide one
    if _DDE.search(data):
        return True
    for relationship in _EXTERNAL.finditer(data):
        tag = relationship.group(0)
        if _EXTERNAL_MODE.search(tag) and not _HYPERLINK_TYPE.search(tag):
            return True
    return False


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
    return _ACTIVE_NAME.search(data) is not None
