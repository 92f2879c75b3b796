"""Messages to many enterprises' current liaisons in one statement (campaigns, the outreach
plan's light-touch link): one outbox row per chosen enterprise, the placeholders filled in
SQL (``rendering.sql_render``).

A text with ``{{ link }}`` also gives each recipient their own personal link in the same
statement (``outreach.selfservice.bulk``): only where the liaison has a mobile, since the
code that unlocks the link goes by SMS; the others get a "not sent" row saying so.
"""

import datetime

from django.db import connection

from outreach.messaging import rendering
from outreach.messaging.models import Channel, OutboxMessage, SmsOptOut
from outreach.selfservice.bulk import TOKEN_SQL, link_url_sql, links_write_ctes
from registry import clock
from registry.models import Enterprise, Liaison

Status = OutboxMessage.Status
Problem = OutboxMessage.Problem
# Writes at least this large refresh the outbox's planner statistics.
ANALYZE_AFTER = 10_000


# A liaison (``l``) whose mobile replied TD / R / 退订 (greeting and care SMS only).
# (IN, not EXISTS: one hashed subplan over the opt-outs, not a probe per recipient.)
OPTED_OUT_SQL = f"coalesce(l.mobile IN (SELECT mobile FROM {SmsOptOut._meta.db_table}), FALSE)"


def chosen_where(
    *, include_deregistered: bool, paused: tuple[str, list] | None
) -> tuple[str, list]:
    """The conditions on the chosen enterprises' rows (no alias) that leave some out:
    deregistered ones unless included, and those the query ``paused`` selects."""
    sql, params = "", []
    if not include_deregistered:
        sql += " AND status <> %s"
        params.append(Enterprise.Status.DEREGISTERED)
    if paused is not None:
        sql += f" AND id NOT IN ({paused[0]})"
        params.extend(paused[1])
    return sql, params


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
) -> tuple[int, int]:
    """Write the messages for the enterprises whose ids the SQL query ``enterprises``
    (sql, params) selects, in the caller's transaction. ``now`` (default: the one clock)
    stamps the rows and links; ``send_at``: when delivery may start (default: ``now``).
    Returns (rows written, rows queued for delivery).

    A campaign leaves out deregistered enterprises unless ``include_deregistered`` and the
    enterprises the SQL query ``paused`` selects (``chosen_where``); with ``opt_out`` (greeting
    and care SMS) a liaison whose mobile opted out gets a "not sent" row (OPTED_OUT).

    With links, the chosen enterprises' rows are locked (FOR NO KEY UPDATE, in id order) as
    ``selfservice_link_send`` locks its one enterprise, so a link sent by hand meanwhile is
    either superseded here or supersedes the bulk one: one open link per liaison.
    """
    chosen_sql, chosen_params = enterprises
    now = now or clock.now()
    links = "link" in rendering.placeholders_in(body)
    address = "l.mobile" if channel == Channel.SMS else "l.email"
    lock = "ORDER BY id FOR NO KEY UPDATE" if links else ""
    # Why a row is not sent, in the order a reader would look for it.
    opt_out = opt_out and channel == Channel.SMS
    problem = f"""CASE WHEN l.id IS NULL THEN %s
                      {"WHEN coalesce(l.mobile, '') = '' THEN %s" if links else ""}
                      WHEN coalesce({address}, '') = '' THEN %s
                      {f"WHEN {OPTED_OUT_SQL} THEN %s" if opt_out else ""}
                      ELSE '' END"""
    problem_params = [
        Problem.NO_LIAISON,
        *([Problem.NO_MOBILE] if links else []),
        Problem.NO_ADDRESS,
        *([Problem.OPTED_OUT] if opt_out else []),
    ]
    where_sql, where_params = chosen_where(include_deregistered=include_deregistered, paused=paused)
    token = f"CASE WHEN r.problem = '' THEN {TOKEN_SQL} END" if links else "NULL::text"
    url_sql, url_params = link_url_sql("r.token")

    columns = {"enterprise": "r.enterprise_name", "liaison": "r.liaison_name", "link": "r.link"}
    body_sql, body_params = rendering.sql_render(body, columns)
    if channel == Channel.EMAIL:
        subject_sql, subject_params = rendering.sql_render(subject, columns)
        subject_sql = f"left({subject_sql}, 200)"
    else:
        subject_sql, subject_params = "''", []
    links_sql, links_params = (
        links_write_ctes(
            rows="linked", channel=channel, by_id=by_id, campaign_id=campaign_id, now=now
        )
        if links
        else ("", [])
    )
    # The placeholder values, for a provider that is sent a template code and its values.
    used = sorted(rendering.placeholders_in(body))
    params_sql = "jsonb_build_object({})".format(
        ", ".join(f"%s::text, coalesce({columns[name]}, '')" for name in used)
    )
    table = OutboxMessage._meta.db_table
    sql = f"""
    WITH chosen AS (
        SELECT id FROM {Enterprise._meta.db_table} WHERE id IN ({chosen_sql}) {where_sql} {lock}
    ),
    recipients AS (
        SELECT e.id AS enterprise_id, e.name AS enterprise_name, l.id AS liaison_id,
               l.name AS liaison_name, l.version AS liaison_version,
               coalesce({address}, '') AS address, {problem} AS problem
        FROM chosen c
        JOIN {Enterprise._meta.db_table} e ON e.id = c.id
        LEFT JOIN {Liaison._meta.db_table} l ON l.enterprise_id = e.id AND l.ended_on IS NULL
    ),
    -- Materialised: each token is drawn once and used for the hash and the message alike.
    tokens AS MATERIALIZED (SELECT r.*, {token} AS token FROM recipients r),
    linked AS (SELECT r.*, {url_sql} AS link FROM tokens r),
    {links_sql + "," if links else ""}
    inserted AS (
        INSERT INTO {table} (
            enterprise_id, liaison_id, campaign_id, channel, "to", subject, body, purpose,
            status, attempts, next_attempt_at, problem, error, gateway_id, created_by_id,
            created_at, template_id, params, receipt_code
        )
        SELECT r.enterprise_id, r.liaison_id, %s, %s, r.address, {subject_sql}, {body_sql},
               %s,
               CASE WHEN r.problem = '' THEN %s ELSE %s END,
               0,
               CASE WHEN r.problem = '' THEN %s::timestamptz END,
               r.problem, '', '', %s, %s, %s, {params_sql}, ''
        FROM linked r
        RETURNING status
    )
    SELECT count(*), count(*) FILTER (WHERE status = %s) FROM inserted
    """
    params = [
        *chosen_params,
        *where_params,
        *problem_params,
        *url_params,
        *links_params,
        campaign_id,
        channel,
        *subject_params,
        *body_params,
        purpose,
        Status.QUEUED,
        Status.SKIPPED,
        send_at or now,
        by_id,
        now,
        template_id,
        *used,
        Status.QUEUED,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        created, queued = cursor.fetchone()
        if created >= ANALYZE_AFTER:
            # A big campaign changes the table at once and its progress page is polled
            # straight away; with stale statistics the planner sorts the whole campaign for
            # each poll (0.4 s at 100k instead of 4 ms) until autovacuum catches up.
            cursor.execute(f"ANALYZE {table}")
    return created, queued
