"""The log of sensitive views (registry.models.SensitiveView) as its readers see it: auditors
and park admins, with Chinese field names, filters and an export. The log holds who looked
at which fields of which enterprise, never the values; so does its export."""

import csv
import datetime
import io
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from registry import clock, masking
from registry.models import SensitiveView
from registry.normalize import clean_text
from registry.spreadsheet.columns import neutralise

PERMISSION = "registry.view_sensitiveview"


def can_read_log(user) -> bool:
    """Auditors and park admins (roles.ROLE_PERMISSIONS)."""
    return user.is_authenticated and user.has_perm(PERMISSION)


def field_label(dotted: str) -> str:
    """ "liaison.mobile" as a reader says it: "联络员 · 手机" (in the request's language)."""
    kind, _dot, name = dotted.partition(".")
    model = next((m for m in apps.get_models() if m._meta.model_name == kind), None)
    if model is None:
        return dotted
    try:
        label = model._meta.get_field(name).verbose_name
    except Exception:  # a field since removed: the log keeps its name
        return dotted
    return f"{model._meta.verbose_name} · {label}"


def field_choices() -> list[tuple[str, str]]:
    """Every protected field, for the "which field" filter."""
    return [
        (f"{kind}.{name}", field_label(f"{kind}.{name}"))
        for kind, fields in masking.PROTECTED.items()
        for name in fields
    ]


@dataclass(frozen=True)
class LogFilters:
    user: str = ""  # username
    enterprise: str = ""  # credit code or part of the name
    field: str = ""  # "record.field"
    channel: str = ""
    since: datetime.date | None = None  # from this day (the park's date), included
    until: datetime.date | None = None  # to this day, included

    @classmethod
    def from_query(cls, query) -> "LogFilters":
        def day(name):
            try:
                return datetime.date.fromisoformat(query.get(name, "")[:10])
            except ValueError:
                return None

        channel = query.get("channel", "")
        return cls(
            user=clean_text(query.get("user", ""))[:150],
            enterprise=clean_text(query.get("enterprise", ""))[:100],
            field=query.get("field", "")[:60],
            channel=channel if channel in SensitiveView.Channel.values else "",
            since=day("since"),
            until=day("until"),
        )


def log_list(*, filters: LogFilters) -> QuerySet[SensitiveView]:
    views = SensitiveView.objects.select_related("user", "enterprise")
    if filters.user:
        views = views.filter(user__username=filters.user)
    if filters.enterprise:
        text = filters.enterprise
        # The credit code's field checks what it is compared with: only a code is one.
        is_code = len(text) == 18 and text.isascii() and text.isalnum()
        by_code = Q(enterprise__uscc=text.upper()) if is_code else Q(pk__in=[])
        views = views.filter(by_code | Q(enterprise__name__contains=text))
    if filters.field:
        views = views.filter(fields__contains=[filters.field])
    if filters.channel:
        views = views.filter(channel=filters.channel)
    if filters.since:
        views = views.filter(viewed_at__gte=clock.start_of_day(filters.since))
    # The last day a date field takes (9999-12-31) has no next day: no upper bound then.
    if filters.until and filters.until < datetime.date.max:
        views = views.filter(
            viewed_at__lt=clock.start_of_day(filters.until + datetime.timedelta(days=1))
        )
    return views.order_by("-viewed_at", "-id")


def log_users() -> QuerySet:
    """Whoever appears in the log, for the "who" filter."""
    return (
        get_user_model()
        .objects.filter(pk__in=SensitiveView.objects.values("user"))
        .order_by("username")
    )


@dataclass(frozen=True)
class LogRow:
    view: SensitiveView
    fields: str  # Chinese labels, joined


def log_rows(views) -> list[LogRow]:
    return [
        LogRow(view=view, fields="、".join(field_label(f) for f in view.fields)) for view in views
    ]


def _headers() -> list[str]:
    return [
        _("When"),
        _("Who"),
        _("Enterprise"),
        _("Credit code"),
        _("Fields"),
        _("Through"),
        _("Detail"),
        _("IP address"),
        _("Browser"),
    ]


def _cells(row: LogRow) -> list[str]:
    view = row.view
    return [
        neutralise(value)
        for value in (
            clock.local(view.viewed_at).strftime("%Y-%m-%d %H:%M:%S"),
            view.user.get_username(),
            view.enterprise.name if view.enterprise else "",
            view.enterprise.uscc if view.enterprise else "",
            row.fields,
            str(view.get_channel_display()),
            # Written masked; masked again in case an older row carried a number.
            masking.mask_free_text(view.detail),
            view.ip_address or "",
            view.user_agent,
        )
    ]


def log_export(*, filters: LogFilters, fmt: str, out) -> int:
    """The filtered log as a file (csv: UTF-8 with BOM, as Excel expects; else xlsx), in
    batches; returns the number of rows."""
    views = log_list(filters=filters)
    count = 0
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow(_headers())
        for row in log_rows(views.iterator(chunk_size=2000)):
            writer.writerow(_cells(row))
            count += 1
        text.detach()
        return count
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Views of sensitive data")[:31])
    sheet.append(_headers())
    for row in log_rows(views.iterator(chunk_size=2000)):
        sheet.append(_cells(row))
        count += 1
    book.save(out)
    return count
