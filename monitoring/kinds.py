"""The task kinds monitoring opens, added to outreach's registry (outreach.kinds) from
MonitoringConfig.ready. The light's own kinds (re-check call, on-site verification) are
outreach's; these are the rules' and the emergency procedure's."""

from django.utils.translation import gettext_lazy as _

from outreach.kinds import register_task_kind
from outreach.models import ContactAttempt

STALE_LIAISON = "rule_stale_liaison"
PHONE_MISMATCH = "rule_phone_mismatch"
NOT_IN_SERVICE = "rule_not_in_service"
FREQUENT_CHANGES = "rule_frequent_changes"
MAJOR_CHANGE = "rule_major_change"
# A report from outside (monitoring.signals): someone goes and looks.
SIGNAL_VERIFICATION = "signal_verification"
DEAD_NUMBER_MAJOR_CHANGE = "rule_dead_number_major_change"
CONTROL_CHANGE = "rule_control_change"
ANNUAL_REPORT_MISSING = "rule_annual_report_missing"
PROCEDURE_STEPS = {
    1: "procedure_verification",
    2: "procedure_inquiry",
    3: "procedure_disposition",
}

LABELS = {
    STALE_LIAISON: _("Liaison details out of date"),
    PHONE_MISMATCH: _("Annual-report phone differs from the registered phone"),
    NOT_IN_SERVICE: _("Liaison's number not in service"),
    FREQUENT_CHANGES: _("Frequent liaison changes (compliance attention)"),
    MAJOR_CHANGE: _("Major change of the enterprise: verify the liaison"),
    SIGNAL_VERIFICATION: _("Outside report: verify on site"),
    DEAD_NUMBER_MAJOR_CHANGE: _("Urgent: number not in service during a major change"),
    CONTROL_CHANGE: _("Beneficial owner or tax residency changed (compliance attention)"),
    ANNUAL_REPORT_MISSING: _("Annual report not filed (listing risk)"),
    PROCEDURE_STEPS[1]: _("Emergency procedure 1: multi-party verification"),
    PROCEDURE_STEPS[2]: _("Emergency procedure 2: external inquiry"),
    PROCEDURE_STEPS[3]: _("Emergency procedure 3: legal disposition"),
}


def _reached(channel: str, outcome: str) -> bool:
    return ContactAttempt.Outcome.is_success(outcome)


def _never(channel: str, outcome: str) -> bool:
    # Closed by its rule when the condition clears (or by a person), not by an attempt.
    return False


def _visited(channel: str, outcome: str) -> bool:
    # Someone went to the address: what they found is the answer, reached or not.
    return channel == ContactAttempt.Channel.VISIT


def register() -> None:
    # Reaching the liaison (and verifying) answers the liaison checks; the data rules close
    # when the data is fixed; the procedure ends when the liaison is reached.
    register_task_kind(STALE_LIAISON, LABELS[STALE_LIAISON], answers=_never)
    register_task_kind(PHONE_MISMATCH, LABELS[PHONE_MISMATCH], answers=_never)
    register_task_kind(NOT_IN_SERVICE, LABELS[NOT_IN_SERVICE], answers=_reached)
    register_task_kind(FREQUENT_CHANGES, LABELS[FREQUENT_CHANGES], answers=_never)
    register_task_kind(MAJOR_CHANGE, LABELS[MAJOR_CHANGE], answers=_reached)
    register_task_kind(DEAD_NUMBER_MAJOR_CHANGE, LABELS[DEAD_NUMBER_MAJOR_CHANGE], answers=_reached)
    # A person judges a change of control (done), or the data says the report was filed.
    register_task_kind(CONTROL_CHANGE, LABELS[CONTROL_CHANGE], answers=_never)
    register_task_kind(ANNUAL_REPORT_MISSING, LABELS[ANNUAL_REPORT_MISSING], answers=_never)
    for kind in PROCEDURE_STEPS.values():
        register_task_kind(kind, LABELS[kind], answers=_reached)
    register_task_kind(SIGNAL_VERIFICATION, LABELS[SIGNAL_VERIFICATION], answers=_visited)
