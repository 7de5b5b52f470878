"""A check of the PDF/A-2b requirements a file's structure shows (ISO 19005-2), on pypdf.

veraPDF, the reference validator, is a Java program that no package registry this project
uses ships; this checks, independently of the code that writes the files, what veraPDF's
rules for level B check in Qorgau's files: file syntax (header, streams, cross-reference
table, trailer ID, no encryption), XMP metadata (unfiltered, PDF/A identification, the same
values as the document information dictionary), the output intent and its ICC profile, every
font embedded, no forbidden actions or filters, printable annotations.

``pdfa_problems(pdf)`` returns what is wrong, one sentence each; an empty list is a pass.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
}
FORBIDDEN_NAMES = (b"/JavaScript", b"/JS ", b"/Launch", b"/LZWDecode", b"/Encrypt", b"/Sound")


def _resolve(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _syntax_problems(data: bytes) -> list[str]:
    problems = []
    if not re.match(rb"%PDF-1\.[0-7](\r\n|\r|\n)%[\x80-\xff]{4}", data):
        problems.append("the header is not %PDF-1.n followed by a comment of four binary bytes")
    for match in re.finditer(rb">>\s*stream(\r\n|\n)?", data):
        if match.group(1) is None:
            problems.append(f"'stream' at {match.start()} is not followed by an end-of-line")
            continue
        head = data[data.rfind(b" obj", 0, match.start()) : match.start()]
        length = re.search(rb"/Length (\d+)", head)
        if length is None:
            problems.append(f"the stream at {match.start()} has no direct /Length")
            continue
        end = match.end() + int(length.group(1))
        if not re.match(rb"(\r\n|\n|\r)endstream", data[end : end + 12]):
            problems.append(
                f"the stream at {match.start()}: no end-of-line then 'endstream' after /Length"
            )
        if b"/F " in head or b"/FFilter" in head or b"/FDecodeParms" in head:
            problems.append(f"the stream at {match.start()} refers to an external file")
    xref = re.search(rb"\nxref(\r\n|\n)0 (\d+)(\r\n|\n)", data)
    if xref is None:
        problems.append("no cross-reference table")
    else:
        count = int(xref.group(2))
        entries = data[xref.end() : xref.end() + 20 * count]
        if not re.fullmatch(rb"(\d{10} \d{5} [fn](?: \r| \n|\r\n)){%d}" % count, entries):
            problems.append("cross-reference entries are not 20 bytes each")
    if not data.rstrip().endswith(b"%%EOF"):
        problems.append("the file does not end with %%EOF")
    for name in FORBIDDEN_NAMES:
        if name in data:
            problems.append(f"the file uses {name.decode().strip()}")
    return problems


def _xmp_value(root: ET.Element, path: str) -> str | None:
    found = root.find(f".//rdf:Description/{path}", NS)
    if found is None:
        return None
    return found.text or ""


def _pdf_date(text: str) -> datetime:
    match = re.fullmatch(r"D:(\d{14})([+-])(\d{2})'(\d{2})'?", text)
    if match is None:
        raise ValueError(f"not a PDF date: {text}")
    stamp, sign, hours, minutes = match.groups()
    return datetime.strptime(f"{stamp}{sign}{hours}{minutes}", "%Y%m%d%H%M%S%z")


def _metadata_problems(reader: PdfReader) -> list[str]:
    catalog = reader.trailer["/Root"]
    if "/Metadata" not in catalog:
        return ["the catalog has no /Metadata"]
    stream = _resolve(catalog["/Metadata"])
    problems = []
    if "/Filter" in stream:
        problems.append("the metadata stream is filtered")
    if stream.get("/Type") != "/Metadata" or stream.get("/Subtype") != "/XML":
        problems.append("the metadata stream is not /Type /Metadata /Subtype /XML")
    raw = stream.get_data()
    if not raw.lstrip().startswith(b"<?xpacket begin="):
        problems.append("the metadata has no xpacket header")
    try:
        root = ET.fromstring(raw.decode("utf-8").split("?>", 1)[1].rsplit("<?xpacket", 1)[0])
    except (ET.ParseError, UnicodeDecodeError, IndexError) as exc:
        return [*problems, f"the XMP is not well-formed: {exc}"]
    if _xmp_value(root, "pdfaid:part") != "2":
        problems.append("XMP pdfaid:part is not 2")
    if _xmp_value(root, "pdfaid:conformance") != "B":
        problems.append("XMP pdfaid:conformance is not B")
    info = reader.trailer["/Info"]
    pairs = {
        "/Title": "dc:title/rdf:Alt/rdf:li",
        "/Author": "dc:creator/rdf:Seq/rdf:li",
        "/Subject": "dc:description/rdf:Alt/rdf:li",
        "/Keywords": "pdf:Keywords",
        "/Creator": "xmp:CreatorTool",
        "/Producer": "pdf:Producer",
    }
    for key, path in pairs.items():
        if key in info and str(info[key]) != _xmp_value(root, path):
            problems.append(f"Info {key} {str(info[key])!r} differs from XMP {path}")
    for key, path in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
        if key in info:
            value = _xmp_value(root, path)
            if value is None or _pdf_date(str(info[key])) != datetime.fromisoformat(value):
                problems.append(f"Info {key} differs from XMP {path}")
    return problems


def _output_intent_problems(reader: PdfReader) -> list[str]:
    intents = _resolve(reader.trailer["/Root"].get("/OutputIntents"))
    if not intents:
        return ["the catalog has no /OutputIntents"]
    pdfa = [_resolve(i) for i in intents if _resolve(i).get("/S") == "/GTS_PDFA1"]
    if len(pdfa) != 1:
        return ["there is not exactly one GTS_PDFA1 output intent"]
    intent = pdfa[0]
    if "/OutputConditionIdentifier" not in intent:
        return ["the output intent has no OutputConditionIdentifier"]
    profile = _resolve(intent.get("/DestOutputProfile"))
    if not isinstance(profile, StreamObject):
        return ["the output intent embeds no ICC profile"]
    icc = profile.get_data()
    problems = []
    if icc[36:40] != b"acsp":
        problems.append("DestOutputProfile is not an ICC profile")
    if icc[16:20] != b"RGB " or profile.get("/N") != 3:
        problems.append("the output intent's profile is not an RGB profile with /N 3")
    if icc[12:16] not in (b"mntr", b"prtr"):
        problems.append("the output profile is neither a monitor nor a printer profile")
    if icc[8] > 4:
        problems.append("the ICC profile is newer than version 4")
    return problems


def _fonts_in(resources: Any, seen: set[int]) -> list[tuple[str, DictionaryObject]]:
    """Every font of a resource dictionary, including those of its form XObjects."""
    resources = _resolve(resources)
    if not isinstance(resources, DictionaryObject) or id(resources) in seen:
        return []
    seen.add(id(resources))
    fonts = [(str(name), _resolve(f)) for name, f in _resolve(resources.get("/Font", {})).items()]
    for xobject in _resolve(resources.get("/XObject", {})).values():
        xobject = _resolve(xobject)
        if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
            fonts += _fonts_in(xobject["/Resources"], seen)
    return fonts


def _font_problems(reader: PdfReader) -> list[str]:
    problems = []
    seen: set[int] = set()
    for number, page in enumerate(reader.pages, start=1):
        for name, font in _fonts_in(page.get("/Resources"), seen):
            descriptors = [font.get("/FontDescriptor")]
            for descendant in _resolve(font.get("/DescendantFonts", ArrayObject())):
                descriptors.append(_resolve(descendant).get("/FontDescriptor"))
            embedded = any(
                d is not None
                and any(k in _resolve(d) for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                for d in descriptors
            )
            if not embedded and font.get("/Subtype") != "/Type3":
                problems.append(f"page {number}: font {font.get('/BaseFont', name)} not embedded")
    return problems


def _annotation_problems(reader: PdfReader) -> list[str]:
    problems = []
    for number, page in enumerate(reader.pages, start=1):
        for annotation in _resolve(page.get("/Annots", ArrayObject())):
            annotation = _resolve(annotation)
            if annotation.get("/Subtype") == "/Popup":
                continue
            flags = int(annotation.get("/F", 0))
            if not flags & 4 or flags & (1 | 2 | 32):
                problems.append(f"page {number}: an annotation is hidden or not printed")
    return problems


def pdfa_problems(pdf: bytes) -> list[str]:
    """What keeps ``pdf`` from PDF/A-2b, as far as its structure shows; [] when nothing."""
    problems = _syntax_problems(pdf)
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    if reader.is_encrypted:
        return [*problems, "the file is encrypted"]
    if "/ID" not in reader.trailer:
        problems.append("the trailer has no /ID")
    problems += _metadata_problems(reader)
    problems += _output_intent_problems(reader)
    problems += _font_problems(reader)
    problems += _annotation_problems(reader)
    return problems
