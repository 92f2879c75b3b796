"""Material sent after an event (outreach/materials): one statement records, for each liaison
of the event's audience, the chosen materials they did not have yet (once per event,
material and liaison: ON CONFLICT against ``material_delivery_once``) and writes each of
those liaisons one SMS listing them. ``event_materials_reference`` says the same through the
ORM; tests/outreach/materials/test_sql.py holds the two equal.

The audience: the event's invitees whose period as liaison has not ended, of enterprises not
deregistered and not paused; with ``answered`` only those who said they attend or send a
colleague; and, with them, every liaison checked in at the door (or matched as a walk-in),
invited or not.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from outreach.events.door_models import EventAttendance
from outreach.events.models import EventInvitation
from outreach.materials.models import EventMaterialDelivery, Material
from outreach.messaging.models import OutboxMessage
from outreach.messaging.rendering import sql_render, sql_values
from outreach.sql.messaging import outbox_values
from registry.models import Enterprise, Liaison
from registry.sql import Table

Problem = OutboxMessage.Problem
Status = OutboxMessage.Status
# The answers that count as coming with ``answered`` (the delegate's liaison gets it too).
COMING = (EventInvitation.Answer.ATTEND, EventInvitation.Answer.DELEGATE)
# The recipient row's columns the template's placeholders are filled from.
COLUMNS = {
    "enterprise": "r.enterprise_name",
    "liaison": "r.liaison_name",
    "event_topic": "r.event_name",
    "materials": "r.materials",
}


def event_materials_write(
    cursor,
    *,
    event_id: int,
    event_name: str,
    materials: Sequence[tuple[int, str]],
    answered: bool,
    paused: tuple[str, list] | None,
    body: str,
    template_id: int | None,
    purpose: str,
    by_id: int | None,
    now: datetime.datetime,
    send_at: datetime.datetime,
) -> tuple[int, int, int]:
    """``materials``: (material id, its line in the message) in the message's order.
    Returns (deliveries recorded, messages written, messages queued)."""
    i, d = Table(EventInvitation, "i"), Table(EventMaterialDelivery)
    a = Table(EventAttendance, "a")
    e, l = Table(Enterprise, "e"), Table(Liaison, "l")  # noqa: E741
    outbox = Table(OutboxMessage)
    coming = f"AND {i.answer} IN (%s, %s)" if answered else ""
    not_paused = f"AND {e.id} NOT IN ({paused[0]})" if paused else ""
    body_sql, body_params = sql_render(body, COLUMNS)
    values = outbox_values(
        campaign_id=None,
        channel="sms",
        texts=(("''", []), (body_sql, body_params)),
        purpose=purpose,
        send_at=send_at,
        by_id=by_id,
        now=now,
        template_id=template_id,
        template_values=sql_values(body, COLUMNS),
    )
    sql = f"""
    WITH chosen AS (
        SELECT * FROM unnest(%s::bigint[], %s::text[]) WITH ORDINALITY AS c(material_id, line, n)
    ),
    audience AS (
        SELECT {i.liaison} AS liaison_id, {i.enterprise} AS enterprise_id
        FROM {i}
        JOIN {l} ON {l.id} = {i.liaison} AND {l.ended_on} IS NULL
        JOIN {e} ON {e.id} = {i.enterprise}
        WHERE {i.event} = %s AND {e.status} <> %s {coming} {not_paused}
        UNION
        SELECT {a.liaison}, {a.enterprise}
        FROM {a}
        JOIN {l} ON {l.id} = {a.liaison} AND {l.ended_on} IS NULL
        JOIN {e} ON {e.id} = {a.enterprise}
        WHERE {a.event} = %s AND {e.status} <> %s {not_paused}
    ),
    new AS (
        INSERT INTO {d} ({d:event,material,liaison,enterprise,sent_at,sent_by})
        SELECT %s, c.material_id, a.liaison_id, a.enterprise_id, %s, %s
        FROM audience a CROSS JOIN chosen c
        ON CONFLICT ({d:event,material,liaison}) DO NOTHING
        RETURNING {d.liaison} AS liaison_id, {d.enterprise} AS enterprise_id,
                  {d.material} AS material_id
    ),
    per_liaison AS (
        SELECT n.liaison_id, n.enterprise_id, string_agg(c.line, ' ' ORDER BY c.n) AS materials
        FROM new n JOIN chosen c ON c.material_id = n.material_id
        GROUP BY n.liaison_id, n.enterprise_id
    ),
    r AS (
        SELECT p.*, {e.name} AS enterprise_name, {l.name} AS liaison_name,
               %s::text AS event_name, coalesce({l.mobile}, '') AS address,
               CASE WHEN coalesce({l.mobile}, '') = '' THEN %s ELSE '' END AS problem
        FROM per_liaison p
        JOIN {e} ON {e.id} = p.enterprise_id
        JOIN {l} ON {l.id} = p.liaison_id
    ),
    inserted AS (
        INSERT INTO {outbox} (
            {outbox:enterprise,liaison,campaign,channel,to,subject,body,purpose,status},
            {outbox:attempts,next_attempt_at,problem,error,gateway_id,created_by,created_at},
            {outbox:template,params,receipt_code}
        )
        SELECT {values[0]} FROM r
        RETURNING {outbox.status}
    )
    SELECT (SELECT count(*) FROM new), count(*), count(*) FILTER (WHERE status = %s)
    FROM inserted
    """
    params = [
        [material_id for material_id, _line in materials],
        [line for _material_id, line in materials],
        event_id,
        Enterprise.Status.DEREGISTERED,
        *(COMING if answered else ()),
        *(paused[1] if paused else []),
        event_id,
        Enterprise.Status.DEREGISTERED,
        *(paused[1] if paused else []),
        event_id,
        now,
        by_id,
        event_name,
        Problem.NO_ADDRESS,
        *values[1],
        Status.QUEUED,
    ]
    cursor.execute(sql, params)
    return cursor.fetchone()


def event_audience_reference(
    *, event_id: int, answered: bool, paused: set[int]
) -> list[tuple[Liaison, int]]:
    """The audience CTE through the ORM: (liaison, enterprise id) of each who gets it."""

    def kept(rows):
        return (
            rows.filter(event_id=event_id, liaison__ended_on__isnull=True)
            .exclude(enterprise__status=Enterprise.Status.DEREGISTERED)
            .exclude(enterprise_id__in=paused)
            .select_related("liaison")
        )

    invitations = kept(EventInvitation.objects.all())
    if answered:
        invitations = invitations.filter(answer__in=COMING)
    attended = kept(EventAttendance.objects.filter(liaison__isnull=False))
    audience = {(row.liaison_id, row.enterprise_id): row.liaison for row in invitations}
    audience |= {(row.liaison_id, row.enterprise_id): row.liaison for row in attended}
    return [(liaison, enterprise_id) for (_l, enterprise_id), liaison in audience.items()]


def event_materials_reference(
    *,
    event_id: int,
    materials: Sequence[Material],
    answered: bool,
    paused: set[int],
) -> dict[int, tuple[int, str, str, list[int]]]:
    """``event_materials_write`` through the ORM, before it runs: liaison id -> (enterprise
    id, address, problem, the ids of the materials their message lists)."""
    rows = {}
    for liaison, enterprise_id in event_audience_reference(
        event_id=event_id, answered=answered, paused=paused
    ):
        had = set(
            EventMaterialDelivery.objects.filter(
                event_id=event_id, liaison_id=liaison.pk
            ).values_list("material_id", flat=True)
        )
        new = [material.pk for material in materials if material.pk not in had]
        if not new:
            continue
        mobile = liaison.mobile or ""
        rows[liaison.pk] = (
            enterprise_id,
            mobile,
            "" if mobile else Problem.NO_ADDRESS,
            new,
        )
    return rows
