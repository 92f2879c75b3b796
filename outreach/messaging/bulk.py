"""Messages to many enterprises' current liaisons in one statement (campaigns, the outreach
plan's light touch): one outbox row per chosen enterprise, the placeholders filled in SQL
(``rendering.sql_render``). The statement: outreach.sql.messaging.outbox_write.

A text with ``{{ link }}`` also gives each recipient their own personal link in the same
statement (``outreach.sql.selfservice``): only where the liaison has a mobile, since the
code that unlocks the link goes by SMS; the others get a "not sent" row saying so.
"""

import datetime

from django.db import connection

from outreach.messaging import rendering
from outreach.messaging.models import Channel
from outreach.sql import messaging as sql
from outreach.sql.selfservice import links_write_ctes
from registry import clock

# Writes at least this large refresh the outbox's planner statistics.
ANALYZE_AFTER = 10_000
# The recipient row's columns the placeholders are filled from (outreach.sql.messaging).
COLUMNS = {"enterprise": "r.enterprise_name", "liaison": "r.liaison_name", "link": "r.link"}


def outbox_write_bulk(
    *,
    enterprises: tuple[str, list],
    channel: str,
    subject: str,
    body: str,
    purpose: str,
    by_id: int | None,
    campaign_id: int | None = None,
    template_id: int | None = None,
    send_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
    include_deregistered: bool = True,
    paused: tuple[str, list] | None = None,
    opt_out: bool = False,
    constants: dict[str, str] | None = None,
) -> tuple[int, int]:
    """Write the messages for the enterprises whose ids the SQL query ``enterprises``
    (sql, params) selects, in the caller's transaction. ``now`` (default: the one clock)
    stamps the rows and links; ``send_at``: when delivery may start (default: ``now``).
    Returns (rows written, rows queued for delivery).

    A campaign leaves out deregistered enterprises unless ``include_deregistered`` and the
    enterprises the SQL query ``paused`` selects (``sql.chosen_where``); with ``opt_out``
    (greeting and care SMS) a liaison whose mobile opted out gets a "not sent" row.
    ``constants``: placeholders with one value for every row (a campaign's ``{{ materials }}``,
    an event's topic, time and place). Those already written into ``body`` (an invitation's)
    still go with each row's values for a provider that is sent the template's code and its
    values, not the text.

    With links, the chosen enterprises' rows are locked (FOR NO KEY UPDATE, in id order) as
    ``selfservice_link_send`` locks its one enterprise, so a link sent by hand meanwhile is
    either superseded here or supersedes the bulk one: one open link per liaison.
    """
    now = now or clock.now()
    links = "link" in rendering.placeholders_in(body)
    link_ctes = links_write_ctes(
        rows="linked", channel=channel, by_id=by_id, campaign_id=campaign_id, now=now
    )
    with connection.cursor() as cursor:
        created, queued = sql.outbox_write(
            cursor,
            enterprises=enterprises,
            where=sql.chosen_where(include_deregistered=include_deregistered, paused=paused),
            lock=links,
            recipients=sql.outbox_recipients(
                channel=channel, links=links, opt_out=opt_out and channel == Channel.SMS
            ),
            links=link_ctes if links else None,
            values=sql.outbox_values(
                campaign_id=campaign_id,
                channel=channel,
                texts=(
                    _subject(channel, subject),
                    rendering.sql_render(body, COLUMNS, constants),
                ),
                purpose=purpose,
                send_at=send_at or now,
                by_id=by_id,
                now=now,
                template_id=template_id,
                template_values=rendering.sql_values(body, COLUMNS, constants),
            ),
        )
        if created >= ANALYZE_AFTER:
            # A big campaign changes the table at once and its progress page is polled
            # straight away; with stale statistics the planner sorts the whole campaign for
            # each poll (0.4 s at 100k instead of 4 ms) until autovacuum catches up.
            sql.outbox_analyze(cursor)
    return created, queued


def _subject(channel: str, subject: str) -> tuple[str, list]:
    """The rendered subject of an e-mail (at most 200 characters); SMS have none."""
    if channel != Channel.EMAIL:
        return "''", []
    subject_sql, params = rendering.sql_render(subject, COLUMNS)
    return f"left({subject_sql}, 200)", params
