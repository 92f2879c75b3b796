"""The library of standard answers (FAQ): staff and admins write and edit them (who may:
outreach.matters.selectors.can_edit_standard_answers); anyone who answers matters searches
and inserts them (selectors.standard_answers_search). An answered matter's answer can be
saved as a new one (``source_matter``)."""

import datetime

from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.matters.models import Matter, MatterCategory, StandardAnswer
from outreach.matters.services.common import text
from registry import clock

TITLE_MAX = 100


def _checked(title: str, body: str, category: MatterCategory | None) -> tuple[str, str]:
    title = text(title, field="title", required=True)
    if len(title) > TITLE_MAX:
        raise ServiceError(
            _("At most %(max)d characters.") % {"max": TITLE_MAX}, field="title", code="too_long"
        )
    if category is not None and not category.active:
        raise ServiceError(_("This category is no longer used."), field="category")
    return title, text(body, field="text", required=True)


def standard_answer_create(
    *,
    title: str,
    text: str,
    by,
    category: MatterCategory | None = None,
    source_matter: Matter | None = None,
    now: datetime.datetime | None = None,
) -> StandardAnswer:
    """A new standard answer; ``source_matter``: the answered matter it is saved from.
    ServiceError naming the field (title, text, category, matter) on bad input."""
    now = now or clock.now()
    title, body = _checked(title, text, category)
    if source_matter is not None and source_matter.answered_at is None:
        raise ServiceError(_("This matter has not been answered."), field="matter")
    return StandardAnswer.objects.create(
        title=title,
        text=body,
        category=category,
        source_matter=source_matter,
        created_by=by,
        created_at=now,
        updated_by=by,
        updated_at=now,
    )


def standard_answer_update(
    *,
    answer: StandardAnswer,
    title: str,
    text: str,
    category: MatterCategory | None,
    active: bool,
    by,
    now: datetime.datetime | None = None,
) -> StandardAnswer:
    """Edit or retire (``active`` off: kept, no longer offered) a standard answer."""
    now = now or clock.now()
    # A category retired since is kept when unchanged; a newly chosen one must be in use.
    changed = category if category != answer.category else None
    title, body = _checked(title, text, changed)
    StandardAnswer.objects.filter(pk=answer.pk).update(
        title=title,
        text=body,
        category=category,
        active=active,
        updated_by=by,
        updated_at=now,
    )
    answer.refresh_from_db()
    return answer
