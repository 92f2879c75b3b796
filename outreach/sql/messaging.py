"""Messages to many enterprises' current liaisons: the bulk outbox write (campaigns, the plan's
light touch) and a campaign's preview, each one statement whatever the number of
enterprises (what to write and why: outreach.messaging.bulk and .preview).

Why a chosen enterprise's row is "not sent" is one rule for both (``problem_case``, in the
order a reader would look for it); ``problem_reference`` says it in Python, and
``outbox_reference`` / ``preview_reference`` are the two statements through the ORM,
held equal by tests/outreach/messaging/test_sql.py.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable

from outreach.messaging.models import Channel, OutboxMessage, SmsOptOut
from outreach.selfservice.tokens import TOKEN_SQL, link_url_sql
from registry.models import Enterprise, Liaison
from registry.sql import Table
from registry.sql.fragments import current_liaison_join

Problem = OutboxMessage.Problem
Status = OutboxMessage.Status
# The reasons a chosen enterprise gets no row at all (the preview counts them).
DEREGISTERED = "deregistered"
PAUSED = "paused"


# --- Who is left out, and why -----------------------------------------------------------


def opted_out_sql(liaison: Table) -> str:
    """The liaison's mobile replied TD / R / 退订 (greeting and care SMS only)."""
    # (IN, not EXISTS: one hashed subplan over the opt-outs, not a probe per recipient.)
    opt_out = Table(SmsOptOut)
    return f"coalesce({liaison.mobile} IN (SELECT {opt_out.mobile} FROM {opt_out}), FALSE)"


def problem_case(liaison: Table, *, channel: str, links: bool, opt_out: bool) -> tuple[str, list]:
    """SQL for why the row of an enterprise whose current liaison is ``liaison`` (joined,
    maybe NULL) is not sent ('' when it is sent), with its params."""
    address = liaison.mobile if channel == Channel.SMS else liaison.email
    cases = [(f"{liaison.id} IS NULL", Problem.NO_LIAISON)]
    if links:
        cases.append((f"coalesce({liaison.mobile}, '') = ''", Problem.NO_MOBILE))
    cases.append((f"coalesce({address}, '') = ''", Problem.NO_ADDRESS))
    if opt_out:
        cases.append((opted_out_sql(liaison), Problem.OPTED_OUT))
    whens = " ".join(f"WHEN {condition} THEN %s" for condition, _ in cases)
    return f"CASE {whens} ELSE '' END", [problem for _, problem in cases]


def problem_reference(liaison: Liaison | None, *, channel: str, links: bool, opt_out: bool) -> str:
    """``problem_case`` for one enterprise's current liaison (None: it has none)."""
    if liaison is None:
        return Problem.NO_LIAISON
    if links and not liaison.mobile:
        return Problem.NO_MOBILE
    if not (liaison.mobile if channel == Channel.SMS else liaison.email):
        return Problem.NO_ADDRESS
    if opt_out and SmsOptOut.objects.filter(mobile=liaison.mobile).exists():
        return Problem.OPTED_OUT
    return ""


def chosen_where(
    *, include_deregistered: bool, paused: tuple[str, list] | None
) -> tuple[str, list]:
    """Conditions on the chosen enterprises' rows (no alias) that leave some out:
    deregistered ones unless included, and those the query ``paused`` selects."""
    e = Table(Enterprise)
    sql, params = "", []
    if not include_deregistered:
        sql += f" AND {e.status} <> %s"
        params.append(Enterprise.Status.DEREGISTERED)
    if paused is not None:
        sql += f" AND {e.id} NOT IN ({paused[0]})"
        params.extend(paused[1])
    return sql, params


def _current_liaisons(ids: Iterable[int]) -> dict[int, Liaison]:
    return {
        liaison.enterprise_id: liaison
        for liaison in Liaison.objects.filter(enterprise__in=list(ids), ended_on=None)
    }


# --- The bulk write ---------------------------------------------------------------------


def outbox_write(
    cursor,
    *,
    enterprises: tuple[str, list],
    where: tuple[str, list],
    lock: bool,
    recipients: tuple[str, list],
    links: tuple[str, list] | None,
    values: tuple[str, list],
) -> tuple[int, int]:
    """One statement: the chosen enterprises (``enterprises``: a query of their ids, less
    those ``where`` (``chosen_where``) leaves out; ``lock``ed in id order when links are
    written), their recipients (``recipients``: a SELECT over ``chosen c``),
    each one's token and link, the links (``links``: ``outreach.sql.selfservice``'s CTEs)
    and the outbox rows (``values``: the SELECT list of ``outbox_values``). Returns
    (rows written, rows queued). Each part: (sql, params)."""
    e = Table(Enterprise)
    outbox = Table(OutboxMessage)
    url_sql, url_params = link_url_sql("r.token")
    order = f"ORDER BY {e.id} FOR NO KEY UPDATE" if lock else ""
    token = f"CASE WHEN r.problem = '' THEN {TOKEN_SQL} END" if links else "NULL::text"
    links_sql, links_params = links or ("", [])
    sql = f"""
    WITH chosen AS (
        SELECT {e.id} AS id FROM {e} WHERE {e.id} IN ({enterprises[0]}) {where[0]} {order}
    ),
    recipients AS ({recipients[0]}),
    -- Materialised: each token is drawn once and used for the hash and the message alike.
    tokens AS MATERIALIZED (SELECT r.*, {token} AS token FROM recipients r),
    linked AS (SELECT r.*, {url_sql} AS link FROM tokens r),
    {links_sql + "," if links else ""}
    inserted AS (
        INSERT INTO {outbox} (
            {outbox:enterprise,liaison,campaign,channel,to,subject,body,purpose,status},
            {outbox:attempts,next_attempt_at,problem,error,gateway_id,created_by,created_at},
            {outbox:template,params,receipt_code}
        )
        SELECT {values[0]} FROM linked r
        RETURNING {outbox.status}
    )
    SELECT count(*), count(*) FILTER (WHERE status = %s) FROM inserted
    """
    params = [
        *enterprises[1],
        *where[1],
        *recipients[1],
        *url_params,
        *links_params,
        *values[1],
        Status.QUEUED,
    ]
    cursor.execute(sql, params)
    return cursor.fetchone()


def outbox_recipients(*, channel: str, links: bool, opt_out: bool) -> tuple[str, list]:
    """The SELECT of the recipients CTE: each chosen enterprise with its current liaison,
    the address for ``channel`` and why the row is not sent (``problem_case``)."""
    e, l = Table(Enterprise, "e"), Table(Liaison, "l")  # noqa: E741
    address = l.mobile if channel == Channel.SMS else l.email
    problem, params = problem_case(l, channel=channel, links=links, opt_out=opt_out)
    sql = f"""
        SELECT {e.id} AS enterprise_id, {e.name} AS enterprise_name, {l.id} AS liaison_id,
               {l.name} AS liaison_name, {l.version} AS liaison_version,
               coalesce({address}, '') AS address, {problem} AS problem
        FROM chosen c
        JOIN {e} ON {e.id} = c.id
        {current_liaison_join(e, l)}"""
    return sql, params


def outbox_values(
    *,
    campaign_id: int | None,
    channel: str,
    texts: tuple[tuple[str, list], tuple[str, list]],
    purpose: str,
    send_at: datetime.datetime,
    by_id: int | None,
    now: datetime.datetime,
    template_id: int | None,
    template_values: tuple[str, list],
) -> tuple[str, list]:
    """The SELECT list of the outbox rows over a recipient ``r`` (``outbox_write``'s INSERT
    column order), ``texts`` the SQL of its subject and body: queued unless it has a
    problem, then "not sent" (skipped)."""
    subject, body = texts
    sql = f"""r.enterprise_id, r.liaison_id, %s, %s, r.address, {subject[0]}, {body[0]}, %s,
               CASE WHEN r.problem = '' THEN %s ELSE %s END,
               0,
               CASE WHEN r.problem = '' THEN %s::timestamptz END,
               r.problem, '', '', %s, %s, %s, {template_values[0]}, ''"""
    params = [
        campaign_id,
        channel,
        *subject[1],
        *body[1],
        purpose,
        Status.QUEUED,
        Status.SKIPPED,
        send_at,
        by_id,
        now,
        template_id,
        *template_values[1],
    ]
    return sql, params


def outbox_analyze(cursor) -> None:
    """Fresh planner statistics for the outbox after a big write (why: the caller)."""
    cursor.execute(f"ANALYZE {Table(OutboxMessage).db_table}")


def outbox_reference(
    ids: Iterable[int],
    *,
    channel: str,
    links: bool,
    opt_out: bool,
    include_deregistered: bool,
    paused: set[int],
) -> dict[int, tuple]:
    """``outbox_write`` through the ORM: enterprise id -> (liaison id, address, problem)
    of the row it writes for each chosen enterprise not left out."""
    enterprises = Enterprise.objects.filter(pk__in=list(ids)).exclude(pk__in=paused)
    if not include_deregistered:
        enterprises = enterprises.exclude(status=Enterprise.Status.DEREGISTERED)
    liaisons = _current_liaisons(ids)
    rows = {}
    for enterprise in enterprises:
        liaison = liaisons.get(enterprise.pk)
        address = getattr(liaison, "mobile" if channel == Channel.SMS else "email", "")
        problem = problem_reference(liaison, channel=channel, links=links, opt_out=opt_out)
        rows[enterprise.pk] = (getattr(liaison, "pk", None), address, problem)
    return rows


# --- The preview ------------------------------------------------------------------------


def preview_counts(
    cursor,
    *,
    chosen: tuple[str, list],
    paused: tuple[str, list] | None,
    include_deregistered: bool,
    channel: str,
    links: bool,
    opt_out: bool,
    reasons: list[str],
    signature: str,
    body: tuple[str, list],
) -> tuple:
    """One row over the chosen enterprises (``chosen``: a query of their ids): how many,
    how many deregistered, one count per reason of ``reasons`` (deregistered, paused, then
    the problems), reachable by SMS and by e-mail among those not left out, sendable, and
    the longest text (``signature`` + ``body``) among the sendable."""
    e, l = Table(Enterprise, "e"), Table(Liaison, "l")  # noqa: E741
    problem = problem_case(l, channel=channel, links=links, opt_out=opt_out)
    paused_cte = f"paused AS ({paused[0]})," if paused else ""
    paused_expr = f"{e.id} IN (SELECT * FROM paused)" if paused else "FALSE"
    deregistered = "FALSE" if include_deregistered else "r.deregistered"
    sql = f"""
    WITH {paused_cte}
    r AS (
        SELECT {e.id}, {e.name} AS enterprise_name, {e.status} = %s AS deregistered,
               {paused_expr} AS paused, {l.name} AS liaison_name,
               coalesce({l.mobile}, '') AS mobile, coalesce({l.email}, '') AS email,
               {problem[0]} AS problem
        FROM {e}
        {current_liaison_join(e, l)}
        WHERE {e.id} IN ({chosen[0]})
    ),
    reasons AS (
        SELECT r.*, CASE WHEN {deregistered} THEN %s WHEN r.paused THEN %s
                         ELSE r.problem END AS reason
        FROM r
    )
    SELECT count(*),
           count(*) FILTER (WHERE r.deregistered),
           {", ".join("count(*) FILTER (WHERE r.reason = %s)" for _ in reasons)},
           count(*) FILTER (WHERE r.reason NOT IN (%s, %s) AND r.mobile <> ''),
           count(*) FILTER (WHERE r.reason NOT IN (%s, %s) AND r.email <> ''),
           count(*) FILTER (WHERE r.reason = ''),
           coalesce(max(char_length(%s || {body[0]})) FILTER (WHERE r.reason = ''), 0)
    FROM reasons r
    """
    params = [
        *(paused[1] if paused else []),
        Enterprise.Status.DEREGISTERED,
        *problem[1],
        *chosen[1],
        DEREGISTERED,
        PAUSED,
        *reasons,
        *(DEREGISTERED, PAUSED) * 2,
        signature,
        *body[1],
    ]
    cursor.execute(sql, params)
    return cursor.fetchone()


def preview_reference(
    ids: Iterable[int],
    *,
    channel: str,
    links: bool,
    opt_out: bool,
    include_deregistered: bool,
    paused: set[int],
) -> Counter:
    """``preview_counts``' reasons through the ORM: reason -> how many ('' for sendable)."""
    liaisons = _current_liaisons(ids)
    reasons = Counter()
    for enterprise in Enterprise.objects.filter(pk__in=list(ids)):
        if not include_deregistered and enterprise.status == Enterprise.Status.DEREGISTERED:
            reasons[DEREGISTERED] += 1
        elif enterprise.pk in paused:
            reasons[PAUSED] += 1
        else:
            liaison = liaisons.get(enterprise.pk)
            reasons[problem_reference(liaison, channel=channel, links=links, opt_out=opt_out)] += 1
    return reasons
