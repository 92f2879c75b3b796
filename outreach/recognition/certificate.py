"""The printable certificate (奖状): one A4 landscape page per confirmed liaison, with the
park's name (settings.PARK_NAME) in a CJK font (WenQuanYi Micro Hei from Debian's
fonts-wqy-microhei; the Dockerfile and .ci/run install it). The certificate names the
liaison: that is its purpose."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

from outreach.recognition.models import RecognitionEntry
from registry import clock

FONT_NAME = "WenQuanYiMicroHei"
DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def cjk_font() -> str:
    path = getattr(settings, "RECOGNITION_FONT", DEFAULT_FONT)
    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    if not os.path.exists(path):
        raise ImproperlyConfigured(
            f"The certificate's CJK font is missing: {path}. Install Debian's "
            "fonts-wqy-microhei (apt-get install fonts-wqy-microhei) or set RECOGNITION_FONT."
        )
    pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
    return FONT_NAME


def park_name() -> str:
    return getattr(settings, "PARK_NAME", "") or "园区企业服务中心"


def certificates_pdf(entries: Iterable[RecognitionEntry]) -> bytes:
    """One page per entry (with its liaison, enterprise and round), in the given order."""
    font = cjk_font()
    title = ParagraphStyle("title", fontName=font, fontSize=48, leading=60, alignment=TA_CENTER)
    body = ParagraphStyle(
        "body", fontName=font, fontSize=20, leading=34, wordWrap="CJK", firstLineIndent=40
    )
    name = ParagraphStyle("name", fontName=font, fontSize=24, leading=36)
    sign = ParagraphStyle("sign", fontName=font, fontSize=18, leading=30, alignment=2)
    park = park_name()
    day = clock.today()
    story = []
    for index, entry in enumerate(entries):
        if index:
            story.append(PageBreak())
        story += [
            Paragraph("奖　状", title),
            Spacer(1, 14 * mm),
            Paragraph(f"{entry.liaison.name}　同志：", name),
            Spacer(1, 4 * mm),
            Paragraph(
                f"您在{entry.round.year}年度担任{entry.enterprise.name}企业联络员期间，"
                "认真履职，及时准确维护企业联络信息，全年零差错，被评为"
                f"{entry.round.year}年度优秀企业联络员。特发此状，以资鼓励。",
                body,
            ),
            Spacer(1, 20 * mm),
            Paragraph(park, sign),
            Paragraph(f"{day.year}年{day.month}月{day.day}日", sign),
        ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=30 * mm,
        rightMargin=30 * mm,
        topMargin=25 * mm,
        bottomMargin=20 * mm,
        title=f"{park} 奖状",
    )
    doc.build(story)
    return buffer.getvalue()
