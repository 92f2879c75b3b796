"""The printable visit sheet (走访单) of a worker's round: for each stop, grouped as the round
is (building, street), the enterprise, its address, the liaison, what to verify on site, and
lines for notes and the liaison's signature. ReportLab, in the CJK font the certificates use
(outreach.recognition.certificate.cjk_font).

The liaison's mobile is printed masked (``138****5678``) unless the caller asks for full
numbers for a user who may see them; the view logs that print (registry.services.
sensitive_print_record), as it would a "show".
"""

import datetime
import io

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from outreach.recognition.certificate import cjk_font
from outreach.rounds import Round, Stop
from registry.masking import masked


def _what_to_verify(stop: Stop) -> list[str]:
    """What the worker checks at this door: each task's kind and note, then what every visit
    verifies (虚实结合: the liaison's details, the signboard, the reminder)."""
    items = [f"{task.kind_label}" + (f"：{task.note}" if task.note else "") for task in stop.tasks]
    items += [
        _("Is the enterprise still here (door plate, signboard, people at work)?"),
        _("Is the liaison still the same person; are their mobile and e-mail right?"),
        _("Remind them: if they leave or change role, tell us so their successor is connected."),
    ]
    return items


def _liaison_line(stop: Stop, full_numbers: bool) -> str:
    liaison = stop.liaison
    if liaison is None:
        return _("No current liaison")
    number = liaison.mobile if full_numbers else masked("liaison", "mobile", liaison.mobile)
    return " · ".join(part for part in (liaison.name, liaison.position, number) if part)


def visit_sheet_pdf(
    *, round_: Round, worker: str, printed_at: datetime.datetime, full_numbers: bool = False
) -> bytes:
    from xml.sax.saxutils import escape

    font = cjk_font()
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=24)
    small = ParagraphStyle("small", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    heading = ParagraphStyle("heading", fontName=font, fontSize=13, leading=18, spaceBefore=8)
    name = ParagraphStyle("name", fontName=font, fontSize=11, leading=15, wordWrap="CJK")
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")

    def p(text: str, style=body) -> Paragraph:
        return Paragraph(escape(str(text)), style)

    story = [
        p(_("Visit sheet"), title),
        p(
            _("%(worker)s · tasks due by %(until)s · %(stops)d stops · printed %(at)s")
            % {
                "worker": worker,
                "until": round_.until.isoformat(),
                "stops": round_.stop_count,
                "at": printed_at.strftime("%Y-%m-%d %H:%M"),
            },
            small,
        ),
        Spacer(1, 4 * mm),
    ]
    if not round_.groups:
        story.append(p(_("Nothing to visit.")))
    number = 0
    for group in round_.groups:
        group_heading = p(group.title, heading)
        for index, stop in enumerate(group.stops):
            number += 1
            rows = [
                [p(f"{number}. {stop.enterprise.name}", name), ""],
                [p(_("Credit code")), p(stop.enterprise.uscc)],
                [p(_("Address")), p(stop.address or "—")],
                [p(_("Liaison")), p(_liaison_line(stop, full_numbers))],
                [p(_("Due on")), p(stop.due_on.isoformat())],
                [p(_("To verify")), [p("□ " + item) for item in _what_to_verify(stop)]],
                [p(_("Notes")), ""],
                [p(_("Signature and time")), ""],
            ]
            table = Table(
                rows,
                colWidths=[34 * mm, 146 * mm],
                rowHeights=[None] * 6 + [18 * mm, 12 * mm],
            )
            table.setStyle(
                TableStyle(
                    [
                        ("SPAN", (0, 0), (1, 0)),
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                        ("BACKGROUND", (0, 0), (1, 0), colors.HexColor("#eef2f6")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            # A group's heading stays with its first stop; a stop is never split.
            together = [group_heading, table] if index == 0 else [table]
            story += [KeepTogether(together), Spacer(1, 4 * mm)]
    if round_.left_out:
        story.append(
            p(_("%(count)d more tasks are not on this sheet.") % {"count": round_.left_out})
        )
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=str(_("Visit sheet")),
        author=worker,
    ).build(story)
    return out.getvalue()
