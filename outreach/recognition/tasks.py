"""The yearly proposal (beat: early January, for the year just ended)."""

from celery import shared_task
from django.core.exceptions import ValidationError

from outreach.recognition.services import last_year, recognition_propose


@shared_task(name="outreach.recognition.propose")
def recognition_propose_task() -> int | None:
    """Propose last year's list unless an admin already confirmed it. Returns its year."""
    year = last_year()
    try:
        recognition_propose(year=year)
    except ValidationError:
        return None  # already confirmed: the list stays as confirmed
    return year
