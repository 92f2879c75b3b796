"""Retention (PIPL art. 19, 47; the notice the liaison accepts): a liaison's personal data is
kept while they are the liaison and for ``LIAISON_RETENTION_YEARS`` after they leave, then
erased — the row, its history, and every text of ours that quotes it.

``retention_run(now=)`` (the nightly Celery task) works set-based in one transaction:

1. it chooses whom to erase, into temporary tables: liaisons whose period ended before the
   cutoff; every liaison and the emergency contact of an enterprise deregistered before the
   cutoff (from the enterprise's history: when its present deregistered spell began); an
   emergency contact's earlier person, replaced before the cutoff (history rows only); and
   the history of liaisons and contacts deleted before the cutoff;
2. it gathers their values (from the rows and every history event: an old mobile corrected
   years ago is theirs too) into one regular expression per enterprise, leaving out any value
   a person we keep still holds (a liaison who left and came back);
3. it overwrites the people's fields and history events with ``ERASED`` / empty; higher apps'
   steps (``register_retention_step``: the outbox, self-service links, contact-log and task
   notes, emergency-procedure evidence) replace the values in their texts of the same
   enterprise, by the expression;
4. import files older than ``IMPORT_FILES_KEEP_DAYS`` (with the preview's row details) and
   evidence files of procedures closed more than ``EVIDENCE_KEEP_YEARS`` ago go; the files are
   deleted from storage after the transaction commits.

It writes one security-log row with the counts and returns them. A second run finds nothing.
Free text is searched within the erased person's enterprise, with phone numbers matched also
when typed with spaces or dashes; a value typed some other way ("one-three-nine …") is beyond
it.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection

from registry import clock
from registry.bulk_history import changed_at_sql as changed_at
from registry.models import (
    Door,
    EmergencyContact,
    Enterprise,
    ImportRun,
    Liaison,
    SecurityEvent,
)

logger = logging.getLogger(__name__)

# What an erased name (and an erased passage of free text) reads afterwards.
ERASED = "〔已删除〕"

LIAISON_PERSONAL = ("name", "mobile", "landline", "email", "wechat", "id_number")
CONTACT_PERSONAL = ("name", "relation", "phone")

# Temporary tables of one run (dropped at commit), for the steps to join.
LIAISONS = "retention_liaison"  # (id, enterprise_id): liaisons erased, row and history
CONTACTS = "retention_contact"  # (id, enterprise_id): emergency contacts erased likewise
CONTACT_EVENTS = "retention_contact_event"  # (pgh_id, enterprise_id): replaced persons
PATTERNS = "retention_pattern"  # (enterprise_id, pattern): their values, one expression

# A value of digits (a phone) is found with or without spaces and dashes between them, and
# only as a whole number: not touching another digit (erasing 5555-1234 leaves a kept
# person's 13955551234 alone). Anything else is found literally (its special characters
# escaped), except where it is part of a longer name a kept person of the same enterprise
# holds, standing in the text (erasing 张伟 leaves the kept 张伟明 and 李张伟 whole, while
# "张伟说" loses 张伟). A name is not otherwise bounded: Chinese text has no spaces between
# words, so "张伟说" is still found.
_PHONE_LIKE = r"^[0-9 ()+-]+$"
_DIGIT_GAP = r"\1[ -]?"
_SPECIAL = r"([]\[\\^$.*+?(){}|-])"
_ESCAPED = r"\\\1"


@dataclass(frozen=True)
class RetentionScope:
    """What a step needs: the moment of the run and the temporary tables above."""

    now: datetime.datetime
    liaison_cutoff: datetime.date
    erased: str = ERASED
    liaisons: str = LIAISONS
    contacts: str = CONTACTS
    patterns: str = PATTERNS


@dataclass
class StepResult:
    counts: dict[str, int] = field(default_factory=dict)
    # Storage names to delete once the transaction has committed.
    files: list[str] = field(default_factory=list)


RetentionStep = Callable[[object, RetentionScope], StepResult]
_steps: list[RetentionStep] = []


def register_retention_step(step: RetentionStep) -> None:
    """Higher apps erase their own copies (from AppConfig.ready); the registry imports none."""
    if step not in _steps:
        _steps.append(step)


def liaison_retention_years() -> int:
    return settings.LIAISON_RETENTION_YEARS


def years_back(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` years before (29 February: the 28th)."""
    return clock.months_back(day, 12 * years)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


def _event_table(model_name: str) -> str:
    return _table(apps.get_model("registry", model_name))


def _sets(*columns: str, value: str = "%(erased)s") -> str:
    """``name = 〔已删除〕, mobile = '', …``: the name keeps a marker, the rest are emptied."""
    return ", ".join(
        f"{_q(column)} = {value if column == 'name' else chr(39) * 2}" for column in columns
    )


def text_erase(
    cursor,
    scope: RetentionScope,
    *,
    table: str,
    columns: tuple[str, ...],
    enterprise: str = "t.enterprise_id",
    joins: str = "",
    where: str = "",
) -> int:
    """Replace the erased people's values in free-text columns of rows of their enterprise
        (``enterprise``: the SQL giving a row's enterprise id, with ``joins`` as extra FROM items
    and ``where`` their join condition).
        Returns how many rows changed."""
    sets = ", ".join(
        f"{_q(c)} = regexp_replace(t.{_q(c)}, p.pattern, %(erased)s, 'gi')" for c in columns
    )
    matches = " OR ".join(f"t.{_q(c)} ~* p.pattern" for c in columns)
    cursor.execute(
        f"UPDATE {table} AS t SET {sets} FROM {scope.patterns} AS p{joins} "
        f"WHERE {enterprise} = p.enterprise_id AND ({matches})"
        + (f" AND {where}" if where else ""),
        {"erased": scope.erased},
    )
    return cursor.rowcount


# --- The run ----------------------------------------------------------------------------


def retention_run(*, now: datetime.datetime) -> dict[str, int]:
    """Erase what is past its retention period (module docstring); returns the counts."""
    from registry.security_log import security_event_record
    from registry.services import changes_by

    today = clock.today(now)
    scope = RetentionScope(now=now, liaison_cutoff=years_back(today, liaison_retention_years()))
    counts: dict[str, int] = {}
    files: list[str] = []
    # The history event the erasure itself writes says it was the system, by this rule.
    with changes_by(by=None, door=Door.SYSTEM, rule="retention"), connection.cursor() as cursor:
        # One run at a time (two beat ticks, or a run by hand beside the beat).
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('registry.retention'))")
        _choose(cursor, scope)
        for step in (_erase_registry, _import_files, *_steps):
            result = step(cursor, scope)
            counts.update(result.counts)
            files.extend(result.files)
        security_event_record(
            action=SecurityEvent.Action.RETENTION_RUN,
            at=now,
            detail={"cutoff": scope.liaison_cutoff.isoformat(), **counts},
        )
    for name in files:
        try:
            default_storage.delete(name)
        except OSError:  # already gone: what we wanted
            logger.warning("retention: could not delete %s", name)
    return counts


def _choose(cursor, scope: RetentionScope) -> None:
    enterprise, liaison, contact = _table(Enterprise), _table(Liaison), _table(EmergencyContact)
    enterprise_events = _event_table("EnterpriseEvent")
    liaison_events = _event_table("LiaisonEvent")
    contact_events = _event_table("EmergencyContactEvent")
    params = {
        "erased": scope.erased,
        "cutoff": scope.liaison_cutoff,
        "cutoff_at": clock.start_of_day(scope.liaison_cutoff),
        "deregistered": Enterprise.Status.DEREGISTERED.value,
        "phone_like": _PHONE_LIKE,
        "digit_gap": _DIGIT_GAP,
        "special": _SPECIAL,
        "escaped": _ESCAPED,
    }
    statements = [
        # Dropped at commit; a run inside a caller's transaction (a test) may come twice.
        f"DROP TABLE IF EXISTS retention_deregistered, {LIAISONS}, {CONTACTS}, "
        f"{CONTACT_EVENTS}, retention_value, retention_kept_name, {PATTERNS}",
        # Enterprises deregistered before the cutoff: the start of their present spell.
        f"""CREATE TEMP TABLE retention_deregistered ON COMMIT DROP AS
        SELECT e.id AS enterprise_id FROM {enterprise} e
        WHERE e.status = %(deregistered)s AND (
            SELECT min({changed_at("ev")}) FROM {enterprise_events} ev
            WHERE ev.pgh_obj_id = e.id AND ev.status = %(deregistered)s
              AND {changed_at("ev")} > coalesce((
                  SELECT max({changed_at("x")}) FROM {enterprise_events} x
                  WHERE x.pgh_obj_id = e.id AND x.status <> %(deregistered)s
              ), '-infinity')
        ) < %(cutoff_at)s""",
        f"""CREATE TEMP TABLE {LIAISONS} ON COMMIT DROP AS
        SELECT l.id, l.enterprise_id FROM {liaison} l
        WHERE l.name <> %(erased)s AND (
            l.ended_on < %(cutoff)s
            OR l.enterprise_id IN (SELECT enterprise_id FROM retention_deregistered))
        UNION
        SELECT ev.pgh_obj_id, max(ev.enterprise_id) FROM {liaison_events} ev
        WHERE NOT EXISTS (SELECT 1 FROM {liaison} l WHERE l.id = ev.pgh_obj_id)
        GROUP BY ev.pgh_obj_id
        HAVING max({changed_at("ev")}) < %(cutoff_at)s AND bool_or(ev.name <> %(erased)s)""",
        f"""CREATE TEMP TABLE {CONTACTS} ON COMMIT DROP AS
        SELECT c.id, c.enterprise_id FROM {contact} c
        WHERE c.name <> %(erased)s
          AND c.enterprise_id IN (SELECT enterprise_id FROM retention_deregistered)
        UNION
        SELECT ev.pgh_obj_id, max(ev.enterprise_id) FROM {contact_events} ev
        WHERE NOT EXISTS (SELECT 1 FROM {contact} c WHERE c.id = ev.pgh_obj_id)
        GROUP BY ev.pgh_obj_id
        HAVING max({changed_at("ev")}) < %(cutoff_at)s AND bool_or(ev.name <> %(erased)s)""",
        # A kept contact's earlier person: a later event of the same contact names someone
        # else, and was written before the cutoff.
        f"""CREATE TEMP TABLE {CONTACT_EVENTS} ON COMMIT DROP AS
        SELECT ev.pgh_id, ev.enterprise_id FROM {contact_events} ev
        WHERE ev.name <> %(erased)s
          AND ev.pgh_obj_id NOT IN (SELECT id FROM {CONTACTS})
          AND EXISTS (
              SELECT 1 FROM {contact_events} later
              WHERE later.pgh_obj_id = ev.pgh_obj_id AND later.pgh_id > ev.pgh_id
                AND later.name <> ev.name AND {changed_at("later")} < %(cutoff_at)s)""",
        f"""CREATE TEMP TABLE retention_value ON COMMIT DROP AS
        SELECT DISTINCT s.enterprise_id, s.value FROM (
            SELECT l.enterprise_id, unnest(ARRAY[{_columns("l", LIAISON_PERSONAL)}]) AS value
              FROM {liaison} l JOIN {LIAISONS} r ON r.id = l.id
            UNION ALL
            SELECT r.enterprise_id, unnest(ARRAY[{_columns("ev", LIAISON_PERSONAL)}])
              FROM {liaison_events} ev JOIN {LIAISONS} r ON r.id = ev.pgh_obj_id
            UNION ALL
            SELECT c.enterprise_id, unnest(ARRAY[{_columns("c", CONTACT_PERSONAL)}])
              FROM {contact} c JOIN {CONTACTS} r ON r.id = c.id
            UNION ALL
            SELECT r.enterprise_id, unnest(ARRAY[{_columns("ev", CONTACT_PERSONAL)}])
              FROM {contact_events} ev JOIN {CONTACTS} r ON r.id = ev.pgh_obj_id
            UNION ALL
            SELECT r.enterprise_id, unnest(ARRAY[{_columns("ev", CONTACT_PERSONAL)}])
              FROM {contact_events} ev JOIN {CONTACT_EVENTS} r ON r.pgh_id = ev.pgh_id
        ) s
        WHERE char_length(s.value) >= 2 AND s.value <> %(erased)s
          -- A value a person we keep still holds stays where it is.
          AND NOT EXISTS (
              SELECT 1 FROM {liaison} k
              WHERE k.enterprise_id = s.enterprise_id
                AND k.id NOT IN (SELECT id FROM {LIAISONS})
                AND s.value IN ({_columns("k", LIAISON_PERSONAL)}))
          AND NOT EXISTS (
              SELECT 1 FROM {contact} k
              WHERE k.enterprise_id = s.enterprise_id
                AND k.id NOT IN (SELECT id FROM {CONTACTS})
                AND s.value IN ({_columns("k", CONTACT_PERSONAL)}))""",
        # The names of the people we keep, to leave a longer name holding an erased one.
        f"""CREATE TEMP TABLE retention_kept_name ON COMMIT DROP AS
        SELECT k.enterprise_id, k.name FROM {liaison} k
        WHERE k.id NOT IN (SELECT id FROM {LIAISONS}) AND k.name NOT IN ('', %(erased)s)
        UNION
        SELECT k.enterprise_id, k.name FROM {contact} k
        WHERE k.id NOT IN (SELECT id FROM {CONTACTS}) AND k.name NOT IN ('', %(erased)s)""",
        # One alternative per value: a phone between digit boundaries; anything else with, for
        # each place it sits inside a kept name K (K = prefix + value + suffix), a guard
        # "not here as K": (?!K) when the prefix is empty, else (?<!prefix(?=value suffix)).
        f"""CREATE TEMP TABLE {PATTERNS} ON COMMIT DROP AS
        SELECT enterprise_id, string_agg(alternative, '|' ORDER BY length DESC) AS pattern
        FROM (
            SELECT v.enterprise_id, char_length(v.value) AS length, CASE
                WHEN v.value ~ %(phone_like)s
                     AND char_length(regexp_replace(v.value, '[^0-9]', '', 'g')) >= 7
                THEN '(?<![0-9])' || regexp_replace(
                     regexp_replace(v.value, '[^0-9]', '', 'g'), '([0-9])(?=[0-9])',
                     %(digit_gap)s, 'g') || '(?![0-9])'
                ELSE coalesce((
                    SELECT string_agg(CASE WHEN g.i = 1
                        THEN '(?!' || {_escaped("k.name")} || ')'
                        ELSE '(?<!' || {_escaped("left(k.name, g.i - 1)")}
                             || '(?=' || {_escaped("substr(k.name, g.i)")} || '))'
                        END, '')
                    FROM retention_kept_name k CROSS JOIN LATERAL generate_series(
                        1, char_length(k.name) - char_length(v.value) + 1) AS g(i)
                    WHERE k.enterprise_id = v.enterprise_id
                      AND char_length(k.name) > char_length(v.value)
                      AND lower(substr(k.name, g.i, char_length(v.value))) = lower(v.value)
                ), '') || {_escaped("v.value")}
            END AS alternative
            FROM retention_value v
        ) s
        GROUP BY enterprise_id""",
    ]
    for statement in statements:
        cursor.execute(statement, params)


def _escaped(expression: str) -> str:
    """SQL for the text of ``expression`` as a regular expression matching it literally."""
    return f"regexp_replace({expression}, %(special)s, %(escaped)s, 'g')"


def _columns(alias: str, names: tuple[str, ...]) -> str:
    return ", ".join(f"{alias}.{_q(name)}" for name in names)


def _erase_registry(cursor, scope: RetentionScope) -> StepResult:
    liaison, contact = _table(Liaison), _table(EmergencyContact)
    liaison_events = _event_table("LiaisonEvent")
    contact_events = _event_table("EmergencyContactEvent")
    params = {"erased": scope.erased, "now": scope.now}
    counts = {}
    # The row first: its own history trigger writes the erased state as the last event.
    # The version moves, so an open personal link of the liaison stops working.
    cursor.execute(
        f"UPDATE {liaison} AS t SET {_sets(*LIAISON_PERSONAL)}, version = t.version + 1, "
        f"updated_at = %(now)s FROM {LIAISONS} r WHERE t.id = r.id",
        params,
    )
    counts["liaisons"] = cursor.rowcount
    cursor.execute(
        f"UPDATE {liaison_events} AS t SET {_sets(*LIAISON_PERSONAL)} "
        f"FROM {LIAISONS} r WHERE t.pgh_obj_id = r.id",
        params,
    )
    counts["liaison_history_events"] = cursor.rowcount
    cursor.execute(
        f"UPDATE {contact} AS t SET {_sets(*CONTACT_PERSONAL)}, version = t.version + 1, "
        f"updated_at = %(now)s FROM {CONTACTS} r WHERE t.id = r.id",
        params,
    )
    counts["emergency_contacts"] = cursor.rowcount
    cursor.execute(
        f"UPDATE {contact_events} AS t SET {_sets(*CONTACT_PERSONAL)} "
        f"WHERE t.pgh_obj_id IN (SELECT id FROM {CONTACTS}) "
        f"OR t.pgh_id IN (SELECT pgh_id FROM {CONTACT_EVENTS})",
        params,
    )
    counts["emergency_contact_history_events"] = cursor.rowcount
    return StepResult(counts=counts)


def _import_files(cursor, scope: RetentionScope) -> StepResult:
    """Uploaded spreadsheets are kept IMPORT_FILES_KEEP_DAYS; with the file go its name (the
    uploader's choice: it may name a person) and the rows' details the preview and summary
    quote (changes old → new, invalid rows), the counts stay."""
    run = _table(ImportRun)
    working = [ImportRun.Status.CHECKING, ImportRun.Status.QUEUED, ImportRun.Status.IMPORTING]
    cursor.execute(
        f"""WITH old AS (
            SELECT id, file FROM {run}
            WHERE file <> '' AND created_at < %(before)s AND NOT (status = ANY(%(working)s))
            FOR UPDATE)
        UPDATE {run} AS t SET file = '', filename = '',
            preview = t.preview - 'changes' - 'errors',
            summary = t.summary - 'changes' - 'errors'
        FROM old WHERE t.id = old.id RETURNING old.file""",
        {
            "before": scope.now - datetime.timedelta(days=settings.IMPORT_FILES_KEEP_DAYS),
            "working": [str(status) for status in working],
        },
    )
    names = [name for (name,) in cursor.fetchall()]
    return StepResult(counts={"import_files": len(names)}, files=names)
