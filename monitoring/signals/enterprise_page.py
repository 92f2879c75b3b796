"""Reports from outside on the enterprise page: a panel and timeline entries. The reporter's
phone is shown masked (registry.masking: protected "enterprisesignal.source_phone"); notes
with their numbers masked."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from monitoring.signals.models import EnterpriseSignal
from registry.access import can_edit_registry
from registry.masking import mask_free_text, masked
from registry.timeline import Change, TimelineItem

PANEL_SIGNALS = 5
TIMELINE_SIGNALS = 50


def _source(signal: EnterpriseSignal) -> str:
    phone = masked("enterprisesignal", "source_phone", signal.source_phone)
    return " · ".join(filter(None, [signal.source_organisation, signal.source_name, phone]))


def signals_on_timeline(enterprise, user) -> list[TimelineItem]:
    signals = EnterpriseSignal.objects.filter(enterprise=enterprise).select_related("kind", "by")
    return [
        TimelineItem(
            at=signal.observed_at,
            kind="monitoring.signal",
            title=_("Outside report: %(kind)s") % {"kind": signal.kind.name},
            who=str(signal.by or _("system")),
            door=_source(signal),
            changes=[Change(label=_("note"), old="", new=mask_free_text(signal.note))]
            if signal.note
            else [],
        )
        for signal in signals[:TIMELINE_SIGNALS]
    ]


def signals_panel(request, enterprise) -> str:
    signals = list(
        EnterpriseSignal.objects.filter(enterprise=enterprise).select_related("kind")[
            :PANEL_SIGNALS
        ]
    )
    rows = [
        {
            "signal": signal,
            "source": _source(signal),
            "note": mask_free_text(signal.note),
        }
        for signal in signals
    ]
    return render_to_string(
        "monitoring/_signals_panel.html",
        {"enterprise": enterprise, "rows": rows, "can_work": can_edit_registry(request.user)},
        request=request,
    )
