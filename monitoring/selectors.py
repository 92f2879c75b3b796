"""Reads of monitoring that are more than a one-line query. Every one starts from what the
user may see (registry.access.visible_enterprises)."""

import datetime

from django.db.models import QuerySet

from monitoring.models import EmergencyProcedure, LightChange
from monitoring.sql.health import paused_enterprises
from registry.access import visible_enterprises
from registry.models import Enterprise


def visible_light_changes(user) -> QuerySet[LightChange]:
    return LightChange.objects.filter(enterprise__in=visible_enterprises(user).values("pk"))


def enterprise_procedure(*, enterprise: Enterprise) -> EmergencyProcedure | None:
    """The enterprise's open procedure, else its latest one."""
    procedures = EmergencyProcedure.objects.filter(enterprise=enterprise).prefetch_related(
        "evidence"
    )
    return (
        procedures.filter(status=EmergencyProcedure.Status.OPEN).first()
        or procedures.order_by("-started_at", "-id").first()
    )


def paused_enterprises_sql(day: datetime.date) -> tuple[str, list]:
    """The enterprises whose contact is paused on ``day``, as SQL (for outreach's campaigns,
    registered in MonitoringConfig.ready; the query: monitoring.sql.health)."""
    return paused_enterprises(day)
