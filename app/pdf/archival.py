"""PDF/A-2b for every document Qorgau issues: letters, reports, the recovery sheet.

Issued letters and reports are documents of record, so each PDF is written to PDF/A-2b
(ISO 19005-2, level B): XMP metadata that repeats the document information dictionary and
names the part and conformance, an sRGB output intent with its ICC profile embedded, every
font embedded, and the file syntax PDF/A asks for. One canvas class does it all, and every
document passes it to reportlab as its ``canvasmaker``:

    BaseDocTemplate(...).build(story, canvasmaker=ArchivalCanvas)

What reportlab's open-source edition cannot do, this module does not claim: it writes no
structure tree, so the files are not tagged PDF (no ``/MarkInfo``). They do carry the
document's language, show their title in the viewer's title bar, and ``draft_watermark``
marks the DRAFT mark as an artifact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFCatalog,
    PDFDictionary,
    PDFDocument,
    PDFName,
    PDFStream,
    PDFString,
)
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from app.config import RESOURCES_DIR
from app.errors import QorgauError
from app.i18n import _

ICC_PROFILE = RESOURCES_DIR / "icc" / "sRGB-v4.icc"
# The registry name of the condition the profile describes (ICC characterization registry).
OUTPUT_CONDITION = "sRGB IEC61966-2.1"
PDFA_PART = 2
PDFA_CONFORMANCE = "B"
CREATOR = "Qorgau"


@cache
def icc_profile() -> bytes:
    try:
        return ICC_PROFILE.read_bytes()
    except OSError as exc:
        raise QorgauError(
            _(
                "Cannot produce the PDF: the colour profile {file} is missing. Reinstall Qorgau."
            ).format(file=ICC_PROFILE)
        ) from exc


# -- file syntax ------------------------------------------------------------------------------


def _with_eol_before_endstream(stream: PDFStream) -> None:
    """PDF/A (6.1.7.1) wants an end-of-line before ``endstream``; reportlab writes the data
    and ``endstream`` back to back. The added line break is not part of the data, so the
    stream's ``/Length`` stays right."""
    plain: Callable[[Any], bytes] = stream.format

    def format_with_eol(document: Any) -> bytes:
        data = plain(document)
        if data.endswith(b"endstream\n") and not data.endswith(b"\nendstream\n"):
            data = data[: -len(b"endstream\n")] + b"\nendstream\n"
        return data

    stream.format = format_with_eol
    stream._qorgau_eol = True


class _ArchivalDocument(PDFDocument):
    """reportlab's document, with every stream it registers written as PDF/A wants."""

    def Reference(self, obj: Any, name: str | None = None) -> Any:  # noqa: N802 - reportlab's name
        if isinstance(obj, PDFStream) and not getattr(obj, "_qorgau_eol", False):
            _with_eol_before_endstream(obj)
        return super().Reference(obj, name)


# -- metadata ---------------------------------------------------------------------------------


def _xmp_date(document: PDFDocument) -> str:
    """The document's time stamp as XMP writes it: the same instant as the Info dictionary's
    ``CreationDate``/``ModDate``, which PDF/A requires."""
    stamp = document._timeStamp
    year, month, day, hour, minute, second = stamp.YMDhms
    sign = "-" if stamp.dhh < 0 else "+"
    return (
        f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
        f"{sign}{abs(stamp.dhh):02d}:{stamp.dmm:02d}"
    )


def xmp_packet(document: PDFDocument) -> bytes:
    """XMP metadata repeating the Info dictionary (title, author, subject, keywords, creator,
    producer, dates) and declaring PDF/A-2b."""
    info = document.info
    lang = escape(getattr(document, "_qorgau_lang", "") or "x-default")
    created = _xmp_date(document)

    def text(value: object) -> str:
        return escape(str(value or ""))

    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdfaid:part>{PDFA_PART}</pdfaid:part>
   <pdfaid:conformance>{PDFA_CONFORMANCE}</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{text(info.title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{text(info.author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{text(info.subject)}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
   <xmp:CreatorTool>{text(info.creator)}</xmp:CreatorTool>
   <xmp:CreateDate>{created}</xmp:CreateDate>
   <xmp:ModifyDate>{created}</xmp:ModifyDate>
   <xmp:MetadataDate>{created}</xmp:MetadataDate>
   <pdf:Producer>{text(info.producer)}</pdf:Producer>
   <pdf:Keywords>{text(info.keywords)}</pdf:Keywords>
   <pdf:Trapped>{text(info.trapped)}</pdf:Trapped>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
""".encode()  # noqa: E501 - one XMP property a line reads best


class _MetadataStream(PDFStream):
    """The catalog's ``/Metadata``: XMP, left unfiltered as PDF/A requires, and written when
    the file is, so it repeats the final title, author and dates."""

    def __init__(self) -> None:
        super().__init__(PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}))

    def format(self, document: Any) -> bytes:
        content = xmp_packet(document)
        dictionary = PDFDictionary(
            {"Type": PDFName("Metadata"), "Subtype": PDFName("XML"), "Length": len(content)}
        )
        return dictionary.format(document) + b"\nstream\n" + content + b"\nendstream\n"


def _output_intents(document: PDFDocument) -> PDFArray:
    profile = PDFStream(PDFDictionary({"N": 3}), icc_profile())
    intent = PDFDictionary(
        {
            "Type": PDFName("OutputIntent"),
            "S": PDFName("GTS_PDFA1"),
            "OutputConditionIdentifier": PDFString(OUTPUT_CONDITION),
            "RegistryName": PDFString("http://www.color.org"),
            "Info": PDFString("sRGB IEC61966-2.1"),
            "DestOutputProfile": document.Reference(profile),
        }
    )
    return PDFArray([intent])


# -- the canvas -------------------------------------------------------------------------------


class ArchivalCanvas(Canvas):
    """A reportlab canvas whose file is PDF/A-2b. Refuses to write a file that uses a font it
    cannot embed (reportlab's 14 standard fonts, Helvetica first of all)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        document = self._doc
        document.__class__ = _ArchivalDocument  # adds the stream syntax; no other change
        document._qorgau_lang = kwargs.get("lang") or ""
        catalog = document.Catalog
        catalog.Metadata = _MetadataStream()
        # reportlab's catalog writes only the keys it lists; OutputIntents is not one of them.
        catalog.__NoDefault__ = [*PDFCatalog.__NoDefault__, "OutputIntents"]
        catalog.OutputIntents = _output_intents(document)
        self.setViewerPreference("DisplayDocTitle", "true")
        self.setCreator(CREATOR)

    def save(self) -> None:
        standard = sorted(
            name
            for name in self._doc.fontMapping
            if not isinstance(pdfmetrics.getFont(name), TTFont)
        )
        if standard:
            # A standard font is referenced, never embedded: no PDF/A.
            raise QorgauError(
                _("Cannot produce the PDF: it would use the unembedded font(s) {fonts}.").format(
                    fonts=", ".join(standard)
                )
            )
        super().save()


@contextmanager
def artifact(canvas: Canvas) -> Iterator[None]:
    """Marks what is drawn inside as a page artifact, not content (PDF 14.8.2.2), with empty
    replacement text, so that text extraction (and a screen reader) skips it."""
    canvas._code.append("/Artifact <</Type /Pagination /Subtype /Watermark>> BDC")
    canvas._code.append("/Span <</ActualText ()>> BDC")
    try:
        yield
    finally:
        canvas._code.append("EMC")
        canvas._code.append("EMC")
