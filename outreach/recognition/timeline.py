"""The enterprise's timeline: its liaison recognised (registry.timeline.register_source)."""

from django.utils.translation import gettext as _

from outreach.recognition.models import RecognitionEntry
from registry.timeline import Change, TimelineItem


def recognitions_on_timeline(enterprise, user) -> list[TimelineItem]:
    entries = (
        RecognitionEntry.objects.filter(
            enterprise=enterprise, confirmed=True, round__confirmed_at__isnull=False
        )
        .select_related("round", "round__confirmed_by", "liaison")
        .order_by("-round__year")
    )
    return [
        TimelineItem(
            at=entry.round.confirmed_at,
            kind="outreach.recognition",
            title=_("Liaison recognised for %(year)s (certificate)") % {"year": entry.round.year},
            who=entry.round.confirmed_by.get_username() if entry.round.confirmed_by else "",
            door=_("Recognition"),
            changes=[Change(label=_("liaison"), old="", new=entry.liaison.name)],
        )
        for entry in entries
    ]
