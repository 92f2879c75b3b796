"""Events in bulk, each one statement whatever the number of liaisons: the invitations of
an event to the current liaisons of a chosen set of enterprises (the audience may be the
whole park, narrowed to liaisons new this year or who attended nothing this year), and the
reminders the day before.

References through the ORM, held equal by tests/outreach/events/test_sql.py:
``attended_this_year_reference`` and ``reminders_due_reference``.
"""

import datetime

from outreach.events.door_models import EventAttendance
from outreach.events.models import Event, EventInvitation
from outreach.messaging import rendering
from outreach.messaging.models import Channel, OutboxMessage
from outreach.sql.messaging import outbox_values
from registry.models import Enterprise, Liaison
from registry.sql.names import Table

# The audiences an invitation may narrow the chosen enterprises' liaisons to (issue 20).
NEW_THIS_YEAR = "new_this_year"
NOTHING_ATTENDED = "nothing_attended"
AUDIENCES = (NEW_THIS_YEAR, NOTHING_ATTENDED)
# The answers that get a reminder: the liaison comes, or sends a colleague.
REMINDED_ANSWERS = (EventInvitation.Answer.ATTEND, EventInvitation.Answer.DELEGATE)
REMINDER_PURPOSE = "event-reminder"


def year_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """1 January of the park's year and of the next."""
    return datetime.date(today.year, 1, 1), datetime.date(today.year + 1, 1, 1)


def attended_this_year_sql(liaison_id: str) -> tuple[str, list]:
    """SQL true when the liaison (the SQL expression ``liaison_id``) was checked in (or
    matched as a walk-in) at an event held this year (outreach.events.door). Params: the
    year's first instant and ``now`` (events started before it)."""
    a, ev = Table(EventAttendance, "aa"), Table(Event, "aev")
    sql = f"""EXISTS (
        SELECT 1 FROM {a} JOIN {ev} ON {ev.id} = {a.event}
        WHERE {a.liaison} = {liaison_id}
          AND {ev.starts_at} >= %s AND {ev.starts_at} < %s)"""
    return sql, []


def attended_this_year_reference(*, year_start: datetime.datetime, now: datetime.datetime):
    """``attended_this_year_sql`` through the ORM: the ids of the liaisons who attended."""
    return set(
        EventAttendance.objects.filter(
            liaison__isnull=False,
            event__starts_at__gte=year_start,
            event__starts_at__lt=now,
        ).values_list("liaison_id", flat=True)
    )


def invitations_insert_sql(chosen_sql: str, *, audience: str = "") -> str:
    """Parameters: event id, invited_at, the deregistered status, then the chosen
    enterprises' query's, then the audience's (``audience_params``)."""
    i, li, e = Table(EventInvitation), Table(Liaison, "li"), Table(Enterprise, "e")
    narrowed = ""
    if audience == NEW_THIS_YEAR:
        narrowed = f"AND {li.started_on} >= %s"
    elif audience == NOTHING_ATTENDED:
        narrowed = f"AND NOT {attended_this_year_sql(str(li.id))[0]}"
    return f"""
        INSERT INTO {i} ({i:event,enterprise,liaison,invited_at,answer,delegate_name})
        SELECT %s, {li.enterprise}, {li.id}, %s, '', ''
        FROM {li} JOIN {e} ON {e.id} = {li.enterprise}
        WHERE {li.ended_on} IS NULL
          AND {e.status} <> %s
          AND {li.enterprise} IN ({chosen_sql})
          {narrowed}
        ON CONFLICT ({i:event,liaison}) DO NOTHING
    """


def audience_params(
    audience: str, *, first_day: datetime.date, year_start: datetime.datetime, now
) -> list:
    """The params of ``invitations_insert_sql``'s audience: the park's 1 January as a date
    (``first_day``) and as its first instant (``year_start``), and ``now``."""
    if audience == NEW_THIS_YEAR:
        return [first_day]
    if audience == NOTHING_ATTENDED:
        return [*attended_this_year_sql("")[1], year_start, now]
    return []


# --- Reminders the day before ---------------------------------------------------------


def _due_where(i: Table, ev: Table, e: Table, li: Table) -> str:
    """Params: the window's start and end, the reminded answers, the deregistered status."""
    return f"""{ev.starts_at} > %s AND {ev.starts_at} < %s
          AND {i.answer} IN (%s, %s) AND {i.reminded_at} IS NULL
          AND {li.ended_on} IS NULL AND {e.status} <> %s"""


def _due_params(after: datetime.datetime, before: datetime.datetime) -> list:
    return [after, before, *REMINDED_ANSWERS, Enterprise.Status.DEREGISTERED]


def reminders_write(
    cursor,
    *,
    after: datetime.datetime,
    before: datetime.datetime,
    body: str,
    template_id: int | None,
    send_at: datetime.datetime,
    now: datetime.datetime,
    time_zone: str,
) -> tuple[int, int]:
    """One statement: the invitations answered 参加 or 派同事参加 of the events starting
    after ``after`` and before ``before``, not reminded yet, whose invited liaison is still
    current and whose enterprise is not deregistered, each get one reminder SMS (``body``
    rendered per row; "not sent" without a mobile) due at ``send_at``, and are marked
    reminded with it. The rows are locked first: a second run at the same time waits, then
    finds them reminded. Returns (rows written, rows queued)."""
    i, ev = Table(EventInvitation, "i"), Table(Event, "ev")
    e, li = Table(Enterprise, "e"), Table(Liaison, "li")
    invitation, outbox = Table(EventInvitation), Table(OutboxMessage)
    columns = {
        "enterprise": "r.enterprise_name",
        "liaison": "r.liaison_name",
        "event_topic": "r.event_topic",
        "event_time": "r.event_time",
        "event_place": "r.event_place",
    }
    values_sql, values_params = outbox_values(
        campaign_id=None,
        channel=Channel.SMS,
        texts=(("''", []), rendering.sql_render(body, columns)),
        purpose=REMINDER_PURPOSE,
        send_at=send_at,
        by_id=None,
        now=now,
        template_id=template_id,
        template_values=rendering.sql_values(body, columns),
    )
    sql = f"""
    WITH due AS MATERIALIZED (
        SELECT {i.id} AS invitation_id,
               nextval(pg_get_serial_sequence(%s, 'id')) AS message_id,
               {i.enterprise} AS enterprise_id, {i.liaison} AS liaison_id,
               {e.name} AS enterprise_name, {li.name} AS liaison_name,
               coalesce({li.mobile}, '') AS address,
               CASE WHEN coalesce({li.mobile}, '') = '' THEN %s ELSE '' END AS problem,
               {ev.topic} AS event_topic,
               to_char({ev.starts_at} AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI') AS event_time,
               CASE WHEN {ev.place} <> '' THEN {ev.place} ELSE {ev.online_link} END
                   AS event_place
        FROM {i}
        JOIN {ev} ON {ev.id} = {i.event}
        JOIN {e} ON {e.id} = {i.enterprise}
        JOIN {li} ON {li.id} = {i.liaison}
        WHERE {_due_where(i, ev, e, li)}
        ORDER BY {i.id}
        FOR UPDATE OF i
    ),
    inserted AS (
        INSERT INTO {outbox} (
            {outbox:id,enterprise,liaison,campaign,channel,to,subject,body,purpose,status},
            {outbox:attempts,next_attempt_at,problem,error,gateway_id,created_by,created_at},
            {outbox:template,params,receipt_code}
        )
        SELECT r.message_id, {values_sql} FROM due r
        RETURNING {outbox.status}
    ),
    marked AS (
        UPDATE {invitation} SET {invitation:reminded_at} = %s, {invitation:reminder} = d.message_id
        FROM due d WHERE {invitation.id} = d.invitation_id
    )
    SELECT count(*), count(*) FILTER (WHERE status = %s) FROM inserted
    """
    params = [
        outbox.db_table,
        OutboxMessage.Problem.NO_ADDRESS,
        time_zone,
        *_due_params(after, before),
        *values_params,
        now,
        OutboxMessage.Status.QUEUED,
    ]
    cursor.execute(sql, params)
    return cursor.fetchone()


def reminders_due_reference(*, after: datetime.datetime, before: datetime.datetime) -> set[int]:
    """The invitations ``reminders_write`` reminds, through the ORM."""
    return set(
        EventInvitation.objects.filter(
            event__starts_at__gt=after,
            event__starts_at__lt=before,
            answer__in=REMINDED_ANSWERS,
            reminded_at__isnull=True,
            liaison__ended_on__isnull=True,
        )
        .exclude(enterprise__status=Enterprise.Status.DEREGISTERED)
        .values_list("pk", flat=True)
    )
