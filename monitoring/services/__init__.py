"""Every write of monitoring with business rules, whichever door it comes through. Split by
topic; import from here."""

from monitoring.services.health import (
    health_pause,
    health_record_attempt,
    health_resume,
    pauses_expire,
)
from monitoring.services.procedure import procedures_end_reached
from monitoring.services.rules import RuleResult, rules_sweep

__all__ = [
    "RuleResult",
    "health_pause",
    "health_record_attempt",
    "health_resume",
    "pauses_expire",
    "procedures_end_reached",
    "rules_sweep",
]
