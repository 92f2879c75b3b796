"""Every write of monitoring with business rules, whichever door it comes through. Split by
topic; import from here."""

from monitoring.services.health import health_pause, health_record_attempt, health_resume
from monitoring.services.procedure import procedures_end_reached

__all__ = [
    "health_pause",
    "health_record_attempt",
    "health_resume",
    "procedures_end_reached",
]
