"""The recognition's reads: a year's entries for the page and the certificates."""

from outreach.recognition.models import RecognitionEntry, RecognitionYear


def recognition_years():
    return RecognitionYear.objects.order_by("-year")


def year_entries(*, year: int):
    """The year's entries, proposed first, with what the page shows."""
    return (
        RecognitionEntry.objects.filter(round__year=year)
        .select_related("liaison", "enterprise", "round")
        .order_by("-confirmed", "reasons", "enterprise__name", "pk")
    )


def confirmed_entries(*, year: int, enterprise=None):
    entries = year_entries(year=year).filter(confirmed=True, round__confirmed_at__isnull=False)
    if enterprise is not None:
        entries = entries.filter(enterprise=enterprise)
    return entries
