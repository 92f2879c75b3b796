"""The evidence pack of the emergency procedure (应急预案 step 3) as one PDF: an index page
(what, when, who, what they said, the file's name as uploaded and the page it starts on), then
every document and photo in the index's order. Drawn with ReportLab in the CJK font of the
certificates; uploaded PDFs are appended page by page with pypdf.

Numbers in the free text (who was asked, what they said) are masked unless ``unmasked``: the
caller decides by the reader's role and logs a full copy (monitoring.views.evidence_pack)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer

from monitoring.models import EmergencyProcedure, Evidence
from outreach.recognition.certificate import cjk_font
from registry import clock, masking


def _file_kind(evidence: Evidence) -> str:
    name = evidence.file.name.lower()
    return "pdf" if name.endswith(".pdf") else "image"


def _styles():
    font = cjk_font()
    return (
        ParagraphStyle("title", fontName=font, fontSize=18, leading=26),
        ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK"),
        ParagraphStyle(
            "item",
            fontName=font,
            fontSize=10.5,
            leading=16,
            wordWrap="CJK",
            leftIndent=14,
            spaceBefore=6,
        ),
    )


def _index(procedure, pieces, starts: dict[int, int], *, unmasked: bool) -> list:
    title, body, item = _styles()
    shown = (lambda text: text) if unmasked else masking.mask_free_text
    enterprise = procedure.enterprise
    started = clock.local(procedure.started_at).strftime("%Y-%m-%d %H:%M")
    flow = [
        Paragraph(escape(_("Evidence pack of the emergency procedure")), title),
        Paragraph(escape(f"{enterprise.name} · {enterprise.uscc}"), body),
        Paragraph(
            escape(
                _("Registered address: %(address)s") % {"address": enterprise.registered_address}
            ),
            body,
        ),
        Paragraph(escape(_("Started: %(at)s") % {"at": started}), body),
        Spacer(1, 4 * mm),
    ]
    for number, (evidence, _content) in enumerate(pieces, 1):
        lines = [
            f"{number:02d}. [{EmergencyProcedure.Step(evidence.step).label}] "
            f"{evidence.get_kind_display()} · {evidence.occurred_on:%Y-%m-%d}"
        ]
        if evidence.who:
            lines.append(f"{_('who')}: {shown(evidence.who)}")
        if evidence.tracking_number:
            lines.append(f"{_('tracking number')}: {evidence.tracking_number}")
        if evidence.summary:
            lines.append(f"{_('what they said / what happened')}: {shown(evidence.summary)}")
        if evidence.pk in starts:
            lines.append(
                _("File: %(name)s, from page %(page)s")
                % {"name": readable_name(number, evidence), "page": starts[evidence.pk]}
            )
        flow.append(Paragraph("<br/>".join(escape(str(line)) for line in lines), item))
    flow += [
        Spacer(1, 4 * mm),
        Paragraph(escape(_("Proposal")), body),
        Paragraph(escape(shown(procedure.proposal or "")), item),
    ]
    return flow


def readable_name(number: int, evidence: Evidence) -> str:
    """The file as the index and the page captions name it: its number, its kind and the
    name it was uploaded with (the stored name is the storage's own)."""
    uploaded = evidence.file_name or evidence.file.name.rsplit("/", 1)[-1]
    return f"{number:02d}-{evidence.get_kind_display()}-{uploaded}"


def _photo_page(number: int, evidence: Evidence, content: bytes) -> bytes:
    """A photo on its own page under its readable name, scaled into the page."""
    _title, body, _item = _styles()
    width, height = ImageReader(io.BytesIO(content)).getSize()
    frame_w, frame_h = A4[0] - 40 * mm, A4[1] - 70 * mm
    scale = min(frame_w / width, frame_h / height, 1.0)
    return _render(
        [
            Paragraph(escape(readable_name(number, evidence)), body),
            Spacer(1, 3 * mm),
            Image(io.BytesIO(content), width=width * scale, height=height * scale),
        ]
    )


def _unreadable_page(number: int, evidence: Evidence) -> bytes:
    _title, body, _item = _styles()
    note = _("This file cannot be shown as pages; it is attached to this PDF as uploaded.")
    return _render(
        [Paragraph(escape(readable_name(number, evidence)), body), Paragraph(escape(note), body)]
    )


def _as_pages(number: int, evidence: Evidence, content: bytes) -> tuple[PdfReader, bool]:
    """The file's pages in the pack, and whether it had to be attached instead (a PDF that
    pypdf cannot read, an image Pillow cannot: the upload check reads only their signature)."""
    try:
        if _file_kind(evidence) == "pdf":
            reader = PdfReader(io.BytesIO(content))
            if len(reader.pages):
                return reader, False
        else:
            return PdfReader(io.BytesIO(_photo_page(number, evidence, content))), False
    except Exception:
        pass
    return PdfReader(io.BytesIO(_unreadable_page(number, evidence))), True


def _render(flow) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=_("Evidence pack of the emergency procedure"),
    )
    document.build(flow)
    return buffer.getvalue()


def evidence_pack_pdf(procedure: EmergencyProcedure, *, unmasked: bool = False) -> bytes:
    """The pack: the index, then each file's pages in the index's order (a bookmark each)."""
    pieces = []
    for evidence in procedure.evidence.order_by("step", "occurred_on", "id"):
        content = None
        if evidence.file:
            with evidence.file.open("rb") as stored:
                content = stored.read()
        pieces.append((evidence, content))
    files = [
        (number, evidence, content, *_as_pages(number, evidence, content))
        for number, (evidence, content) in enumerate(pieces, 1)
        if content is not None
    ]

    def starts_after(index_pages: int) -> dict[int, int]:
        page, starts = index_pages + 1, {}
        for _number, evidence, _content, reader, _attached in files:
            starts[evidence.pk] = page
            page += len(reader.pages)
        return starts

    # The index names the page each file starts on, which depends on the index's own
    # length: draw it until the count holds (twice at most in practice).
    index_pages = 1
    for _attempt in range(3):
        index = _render(_index(procedure, pieces, starts_after(index_pages), unmasked=unmasked))
        counted = len(PdfReader(io.BytesIO(index)).pages)
        if counted == index_pages:
            break
        index_pages = counted
    starts = starts_after(index_pages)

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(index)))
    for number, evidence, content, reader, attached in files:
        writer.append(reader)
        writer.add_outline_item(
            title=readable_name(number, evidence), page_number=starts[evidence.pk] - 1
        )
        if attached:
            writer.add_attachment(readable_name(number, evidence), content)
    writer.add_metadata({"/Title": str(_("Evidence pack of the emergency procedure"))})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
