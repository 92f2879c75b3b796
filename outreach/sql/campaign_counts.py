"""A campaign's progress from counters (issue 22: a poll under 5 ms at 100,000 messages): the
statement triggers that keep ``CampaignCount`` as outbox rows are written, change status, get a
receipt or go, the rebuild, and the poll's one read. The reference is the count over the
messages, ``outreach.messaging.selectors.campaign_progress_scan``;
tests/outreach/messaging/test_campaign_counts.py holds the two equal after every kind of move.

Why triggers (as outreach/sql/matter_metrics.py): an outbox row's status changes on many doors
(a campaign's bulk write, the claim, the sender's answer, a receipt, a retry, the sweep that
gives up, holding, resuming and cancelling a campaign, retention, bulk SQL), and its grid when
its enterprise moves grid. Statement triggers with transition tables see every one, in the
writer's transaction, set-based: the rows a statement changed are taken out of the counts as
they were and put back as they are (``ON CONFLICT DO UPDATE SET n = n + excluded.n``,
commutative, keys locked in key order). A statement that moves no count (a lease renewed, an
address erased) touches no counter row. TRUNCATE empties the counts with the outbox.
"""

from __future__ import annotations

from outreach.messaging.models import Campaign, CampaignCount, OutboxMessage
from registry.models import Enterprise, GridArea
from registry.sql import Table

_NEW, _OLD = "new_rows", "old_rows"

# A change to one of these moves a message's counts; any other update leaves them alone.
_COUNTED_FIELDS = ("campaign", "enterprise", "status", "delivered_at")


def contributions(source: str, *, grid: str, negate: bool = False) -> str:
    """``SELECT`` one row per campaign message of ``source`` (a FROM clause naming the message
    ``m``): its key (campaign, ``grid``, status) and its part of the counts."""
    m = Table(OutboxMessage, "m")
    sign = "-" if negate else ""
    return f"""
SELECT {m.campaign} AS campaign_id, {grid} AS grid_id, {m.status} AS status,
    {sign}1 AS messages, {sign}({m.delivered_at} IS NOT NULL)::int AS delivered
FROM {source} AND {m.campaign} IS NOT NULL"""


def _with_grid(source: str, where: str = "TRUE") -> str:
    e = Table(Enterprise, "e")
    return f"{source} m LEFT JOIN {e} ON {e.id} = m.{Table(OutboxMessage).enterprise} WHERE {where}"


def _upsert(parts: list[str]) -> str:
    c = Table(CampaignCount)
    key = f"{c:campaign,grid_id,status}"
    union = "\nUNION ALL\n".join(parts)
    return f"""
INSERT INTO {c} ({key}, {c:messages,delivered})
SELECT campaign_id, grid_id, status, sum(messages), sum(delivered) FROM ({union}) x
GROUP BY 1, 2, 3
HAVING sum(messages) <> 0 OR sum(delivered) <> 0
ORDER BY 1, 2, 3
ON CONFLICT ({key}) DO UPDATE SET
    {c.column("messages")} = {c.db_table}.{c.column("messages")} + excluded.{c.column("messages")},
    {c.column("delivered")} = {c.db_table}.{c.column("delivered")}
        + excluded.{c.column("delivered")};"""


def _function(name: str, body: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
{body}
RETURN NULL;
END
$fn$;"""


def _trigger(name: str, table: str, *, event: str, level: str, extra: str = "", when: str = ""):
    return f"""
DROP TRIGGER IF EXISTS {name} ON {table};
CREATE TRIGGER {name} AFTER {event} ON {table} {extra}
FOR EACH {level} {when} EXECUTE FUNCTION {name}();"""


def counts_install_sql() -> str:
    """The functions and triggers that keep the counts (idempotent)."""
    m, e, c = Table(OutboxMessage), Table(Enterprise), Table(CampaignCount)
    grid = Table(Enterprise, "e").grid
    counted = [m.column(f) for f in _COUNTED_FIELDS]
    moved = (
        f"m.{m.id} IN (SELECT o.{m.id} FROM {_OLD} o JOIN {_NEW} n ON n.{m.id} = o.{m.id} "
        f"WHERE ({', '.join('o.' + col for col in counted)}) IS DISTINCT FROM "
        f"({', '.join('n.' + col for col in counted)}))"
    )
    # An enterprise moved to another grid: its messages' counts move with it.
    of_enterprise = f"{m} m WHERE m.{m.enterprise} = NEW.{e.id}"
    regrid = [
        contributions(of_enterprise, grid=f"OLD.{e.grid}", negate=True),
        contributions(of_enterprise, grid=f"NEW.{e.grid}"),
    ]
    return "\n".join(
        [
            _function(
                "campaign_counts_insert", _upsert([contributions(_with_grid(_NEW), grid=grid)])
            ),
            _function(
                "campaign_counts_delete",
                _upsert([contributions(_with_grid(_OLD), grid=grid, negate=True)]),
            ),
            _function(
                "campaign_counts_update",
                _upsert(
                    [
                        contributions(_with_grid(_NEW, moved), grid=grid),
                        contributions(_with_grid(_OLD, moved), grid=grid, negate=True),
                    ]
                ),
            ),
            _function("campaign_counts_regrid", _upsert(regrid)),
            _function("campaign_counts_truncate", f"DELETE FROM {c};"),
            _trigger(
                "campaign_counts_insert",
                m.db_table,
                event="INSERT",
                level="STATEMENT",
                extra=f"REFERENCING NEW TABLE AS {_NEW}",
            ),
            _trigger(
                "campaign_counts_delete",
                m.db_table,
                event="DELETE",
                level="STATEMENT",
                extra=f"REFERENCING OLD TABLE AS {_OLD}",
            ),
            # Every UPDATE (PostgreSQL allows no column list with transition tables): rows
            # whose counted columns did not change contribute nothing and lock no counter.
            _trigger(
                "campaign_counts_update",
                m.db_table,
                event="UPDATE",
                level="STATEMENT",
                extra=f"REFERENCING OLD TABLE AS {_OLD} NEW TABLE AS {_NEW}",
            ),
            _trigger(
                "campaign_counts_regrid",
                e.db_table,
                event=f"UPDATE OF {e.grid}",
                level="ROW",
                when=f"WHEN (OLD.{e.grid} IS DISTINCT FROM NEW.{e.grid})",
            ),
            _trigger("campaign_counts_truncate", m.db_table, event="TRUNCATE", level="STATEMENT"),
        ]
    )


_TRIGGERS = (
    ("campaign_counts_insert", OutboxMessage),
    ("campaign_counts_delete", OutboxMessage),
    ("campaign_counts_update", OutboxMessage),
    ("campaign_counts_regrid", Enterprise),
    ("campaign_counts_truncate", OutboxMessage),
)


def counts_uninstall_sql() -> str:
    return "\n".join(
        f"DROP TRIGGER IF EXISTS {name} ON {Table(model).db_table}; "
        f"DROP FUNCTION IF EXISTS {name}();"
        for name, model in _TRIGGERS
    )


def counts_rebuild(cursor) -> int:
    """Every count from scratch, set-based, the triggers (re)installed first; writers of the
    outbox wait for it (a SHARE lock). Returns the number of counter rows."""
    m, c = Table(OutboxMessage), Table(CampaignCount)
    cursor.execute(counts_install_sql())
    cursor.execute(f"LOCK TABLE {m.db_table} IN SHARE MODE")
    cursor.execute(f"LOCK TABLE {c.db_table} IN EXCLUSIVE MODE")
    cursor.execute(f"DELETE FROM {c.db_table}")
    cursor.execute(_upsert([contributions(_with_grid(str(m)), grid=Table(Enterprise, "e").grid)]))
    cursor.execute(f"SELECT count(*) FROM {c.db_table}")
    return cursor.fetchone()[0]


def counts_read(cursor, *, campaign: Campaign, user_id: int | None) -> dict[str, tuple[int, int]]:
    """``{status: (messages, delivered)}`` of a campaign, in one query over its counter rows
    (the key's index); ``user_id`` None: every message, else a grid worker's grids only."""
    c = Table(CampaignCount)
    workers = Table(GridArea.workers.through)
    scope = (
        f" AND {c.grid_id} IN (SELECT {workers.gridarea} FROM {workers} "
        f"WHERE {workers.user} = %(user)s)"
        if user_id is not None
        else ""
    )
    cursor.execute(
        f"SELECT {c.status}, sum({c.messages})::int, sum({c.delivered})::int FROM {c} "
        f"WHERE {c.campaign} = %(campaign)s{scope} GROUP BY 1",
        {"campaign": campaign.pk, "user": user_id},
    )
    return {status: (messages, delivered) for status, messages, delivered in cursor.fetchall()}
