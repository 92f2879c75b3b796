"""The invitations of an event to the current liaisons of a chosen set of enterprises, in
one INSERT … SELECT (the audience may be the whole park)."""

from outreach.events.models import EventInvitation
from registry.models import Enterprise, Liaison
from registry.sql.names import Table


def invitations_insert_sql(chosen_sql: str) -> str:
    """Parameters: event id, invited_at, the deregistered status, then the chosen
    enterprises' query's."""
    i, li, e = Table(EventInvitation), Table(Liaison, "li"), Table(Enterprise, "e")
    return f"""
        INSERT INTO {i} ({i:event,enterprise,liaison,invited_at,answer,delegate_name})
        SELECT %s, {li.enterprise}, {li.id}, %s, '', ''
        FROM {li} JOIN {e} ON {e.id} = {li.enterprise}
        WHERE {li.ended_on} IS NULL
          AND {e.status} <> %s
          AND {li.enterprise} IN ({chosen_sql})
        ON CONFLICT ({i:event,liaison}) DO NOTHING
    """
