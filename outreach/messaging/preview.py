"""A campaign's preview before anything is sent: who gets it, who is left out and why, and
what the SMS will cost — in one set-based query whatever the number of enterprises.

The reasons are those of the bulk write (``outreach.messaging.bulk``), in the same order (one
rule for both: outreach.sql.messaging.problem_case), so the preview's counts are the rows
confirm writes: deregistered and paused enterprises are left out (no row); no liaison, no
address for the channel, no mobile for a personal link's code and an opted-out number
(greeting and care SMS) get a "not sent" row.

SMS segments: a text of at most 70 characters, the signature included, is one segment;
a longer one is sent in parts of 67. The longest rendered text (computed in SQL over the
recipients) decides, and the estimate is messages × its segments.
"""

import datetime
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection

from outreach.messaging import audience, rendering
from outreach.messaging.exclusions import paused_sql
from outreach.messaging.models import Campaign, Channel, OutboxMessage
from outreach.selfservice.tokens import link_url
from outreach.sql import messaging as sql
from registry import clock
from registry.models import Enterprise
from registry.selectors import EnterpriseFilters, enterprise_list

Problem = OutboxMessage.Problem
SINGLE_SEGMENT = 70
LONG_SEGMENT = 67
# The reasons a chosen enterprise gets no row at all.
DEREGISTERED = sql.DEREGISTERED
PAUSED = sql.PAUSED


def sms_segments(length: int) -> int:
    """How many parts an SMS of ``length`` characters (signature included) is sent in."""
    if length <= 0:
        return 0
    return 1 if length <= SINGLE_SEGMENT else math.ceil(length / LONG_SEGMENT)


@dataclass(frozen=True)
class Preview:
    channel: str
    chosen: int
    # Messages that would go out.
    sendable: int
    # reason -> count, in the order shown: deregistered, paused, then the row problems.
    left_out: dict[str, int] = field(default_factory=dict)
    # Reachable liaisons per channel (among those not left out).
    by_channel: dict[str, int] = field(default_factory=dict)
    include_deregistered: bool = False
    # Deregistered enterprises included on request.
    deregistered_included: int = 0
    longest: int = 0  # characters of the longest SMS, signature included

    @property
    def segments(self) -> int:
        return sms_segments(self.longest) if self.channel == Channel.SMS else 0

    @property
    def estimated(self) -> int:
        """SMS billed: messages × segments (e-mails: the messages)."""
        return self.sendable * self.segments if self.channel == Channel.SMS else self.sendable

    @property
    def needs_approval(self) -> bool:
        return self.sendable > settings.CAMPAIGN_APPROVAL_THRESHOLD

    @property
    def left_out_rows(self) -> list[tuple[str, str, int]]:
        """(reason code, label, count) for the page, only reasons that occur."""
        labels = {
            DEREGISTERED: Enterprise.Status.DEREGISTERED.label,
            PAUSED: _paused_label(),
            **{p.value: p.label for p in Problem},
        }
        return [(code, labels[code], n) for code, n in self.left_out.items() if n]


def _paused_label():
    from django.utils.translation import gettext

    return gettext("Contact paused (suspended or being deregistered)")


def campaign_preview(*, campaign: Campaign, now: datetime.datetime | None = None) -> Preview:
    """The preview of ``campaign`` as its sender sees the enterprise list, today."""
    from outreach.messaging.services import campaign_constants

    return audience_preview(
        user=campaign.created_by,
        filters=EnterpriseFilters(**campaign.filters),
        chosen=audience.chosen_of(campaign),
        channel=campaign.channel,
        body=campaign.body,
        kind=campaign.kind,
        include_deregistered=campaign.include_deregistered,
        now=now,
        constants=campaign_constants(campaign),
    )


def audience_preview(
    *,
    user,
    filters: EnterpriseFilters,
    channel: str,
    body: str,
    kind: str,
    include_deregistered: bool = False,
    now: datetime.datetime | None = None,
    chosen=None,
    constants: dict[str, str] | None = None,
) -> Preview:
    """The preview of a campaign of ``kind`` on ``channel`` with the text ``body`` to the
    enterprises ``user`` finds with ``filters``, on the park's date of ``now`` (default: the
    one clock): one query (outreach.sql.messaging.preview_counts)."""
    from outreach.messaging.services import OPT_OUT_KINDS

    now = now or clock.now()
    links = "link" in rendering.placeholders_in(body)
    opt_out = kind in OPT_OUT_KINDS and channel == Channel.SMS
    # The reasons in the bulk write's order: no row at all, then a "not sent" row.
    reasons = [
        DEREGISTERED,
        PAUSED,
        Problem.NO_LIAISON,
        *([Problem.NO_MOBILE] if links else []),
        Problem.NO_ADDRESS,
        *([Problem.OPTED_OUT] if opt_out else []),
    ]
    with connection.cursor() as cursor:
        total, deregistered, *counts = sql.preview_counts(
            cursor,
            chosen=(chosen if chosen is not None else enterprise_list(user=user, filters=filters))
            .order_by()
            .values("pk")
            .query.sql_with_params(),
            paused=paused_sql(clock.today(now)),
            include_deregistered=include_deregistered,
            channel=channel,
            links=links,
            opt_out=opt_out,
            reasons=reasons,
            signature=settings.SMS_SIGNATURE if channel == Channel.SMS else "",
            body=_rendered(body, constants or {}),
        )
    sms, email, sendable, longest = counts[len(reasons) :]
    return Preview(
        channel=channel,
        chosen=total,
        sendable=sendable,
        left_out=dict(zip(reasons, counts[: len(reasons)], strict=True)),
        by_channel={Channel.SMS: sms, Channel.EMAIL: email},
        include_deregistered=include_deregistered,
        deregistered_included=deregistered if include_deregistered else 0,
        longest=longest if channel == Channel.SMS else 0,
    )


def _rendered(body: str, constants: dict[str, str]) -> tuple[str, list]:
    """SQL for the text as each recipient gets it, over the preview's row ``r``: the names
    filled in, and a personal link as long as any other."""
    columns = {"enterprise": "r.enterprise_name", "liaison": "r.liaison_name", "link": "%s"}
    body_sql, params = rendering.sql_render(body, columns, constants)
    if "link" in rendering.placeholders_in(body):
        # sql_render puts the link column's %s after its own param: rebuild in order.
        params = _with_link_params(body, link_url("x" * 43), constants)
    return body_sql, params


def _with_link_params(body: str, link: str, constants: dict[str, str]) -> list[str]:
    """The params of ``rendering.sql_render(body, columns, constants)`` with ``link`` for the
    link column's ``%s``: each placeholder adds its tag, then (link, constants) its value."""
    params = [rendering.canonical(body)]
    for name in sorted(rendering.placeholders_in(body)):
        params.append("{{ " + name + " }}")
        if name == "link":
            params.append(link)
        elif name in constants:
            params.append(str(constants[name] or ""))
    return params
