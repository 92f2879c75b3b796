"""Every write of monitoring with business rules, whichever door it comes through. Split by
topic; import from here."""

from monitoring.services.health import (
    health_pause,
    health_record_attempt,
    health_resume,
    pauses_expire,
)
from monitoring.services.procedure import (
    evidence_add,
    procedure_advance,
    procedure_complete,
    procedure_start,
    procedures_end_reached,
)
from monitoring.services.recompute import RecomputeResult, health_recompute_all
from monitoring.services.rules import RuleResult, rules_sweep

__all__ = [
    "RecomputeResult",
    "RuleResult",
    "evidence_add",
    "health_pause",
    "health_recompute_all",
    "health_record_attempt",
    "health_resume",
    "pauses_expire",
    "procedure_advance",
    "procedure_complete",
    "procedure_start",
    "procedures_end_reached",
    "rules_sweep",
]
