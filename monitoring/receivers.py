"""Monitoring reacts to outreach's contact log (outreach.signals), connected in
MonitoringConfig.ready."""

from monitoring.services import health_record_attempt


def light_follows_attempt(sender, *, attempt, **kwargs) -> None:
    """Inside the attempt's transaction: the light changes with the attempt or not at all.
    An attempt that reached nobody and failed nobody (a welcome sent) leaves it alone."""
    if attempt.outcome in type(attempt).Outcome.uncounted():
        return
    health_record_attempt(attempt=attempt)
