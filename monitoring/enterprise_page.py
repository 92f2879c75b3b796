"""What monitoring adds to the registry's pages and API, registered from MonitoringConfig.ready:
the light's column, filter and sort on the enterprise list and resource (registry.listing),
the light changes on the timeline, and the enterprise page's panel (badge, pause, the
emergency procedure)."""

from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from monitoring.light import Light
from monitoring.models import ContactHealth, EmergencyProcedure, LightChange
from registry import clock
from registry.access import can_edit_registry
from registry.listing import ListExtension
from registry.models import Enterprise
from registry.timeline import Change, TimelineItem

TIMELINE_CHANGES = 100


def health_of(enterprise: Enterprise) -> ContactHealth:
    """The enterprise's stored health, or green for one the monitor has not seen fail.

    With ``select_related("health")`` (registry.listing) this costs no query."""
    try:
        return enterprise.health
    except ContactHealth.DoesNotExist:
        return ContactHealth(enterprise=enterprise)


def light_badge(light: str) -> str:
    return format_html(
        '<span class="light light-{}" data-testid="light" data-light="{}">{}</span>',
        light,
        light,
        Light(light).label,
    )


def _filter(queryset, value: str):
    if value == Light.GREEN:
        return queryset.filter(Q(health__isnull=True) | Q(health__light=Light.GREEN))
    return queryset.filter(health__light=value)


class _HealthField:
    """Reads from the enterprise's health row (a missing row is green, no failures)."""

    attribute = ""

    def get_attribute(self, instance):
        return getattr(health_of(instance), self.attribute)


class LightField(_HealthField, serializers.ChoiceField):
    attribute = "light"


class FailuresField(_HealthField, serializers.IntegerField):
    attribute = "consecutive_failures"


class LightSinceField(_HealthField, serializers.DateTimeField):
    attribute = "light_since"


def _api_fields() -> dict:
    return {
        "light": LightField(
            Light.choices,
            read_only=True,
            help_text="红黄绿灯: green (0–1 failed contacts in a row), yellow (2), red (3+).",
        ),
        "consecutive_failures": FailuresField(
            read_only=True, help_text="Failed contact attempts since the last success."
        ),
        "light_since": LightSinceField(
            read_only=True, allow_null=True, help_text="When the present light began."
        ),
    }


LIGHT_COLUMN = ListExtension(
    name="light",
    label=gettext_lazy("Light"),
    choices=Light.choices,
    filter=_filter,
    cell=lambda enterprise: light_badge(health_of(enterprise).light),
    related=("health",),
    sorts={
        # Most failures first: red before yellow before green.
        "-light": (
            gettext_lazy("Most failed contacts"),
            (F("health__consecutive_failures").desc(nulls_last=True), "name", "id"),
        ),
    },
    api_fields=_api_fields,
    # Beside the name: the list is read name by name, and a red light is what matters.
    beside_name=True,
)


def light_changes_on_timeline(enterprise, user) -> list[TimelineItem]:
    changes = LightChange.objects.filter(enterprise=enterprise).select_related("attempt")
    items = []
    for change in changes[:TIMELINE_CHANGES]:
        details = [
            Change(
                label=_("light"),
                old=str(Light(change.from_light).label),
                new=str(Light(change.to_light).label),
            ),
            Change(label=_("consecutive failures"), old="", new=str(change.consecutive_failures)),
        ]
        items.append(
            TimelineItem(
                at=change.at,
                kind=f"monitoring.light-{change.to_light}",
                title=_("Light changed: %(light)s") % {"light": Light(change.to_light).label},
                who=_("system"),
                door=str(change.get_reason_display()),
                changes=details,
            )
        )
    return items


def health_panel(request, enterprise) -> str:
    from monitoring.selectors import enterprise_procedure

    health = health_of(enterprise)
    today = clock.today()
    procedure = enterprise_procedure(enterprise=enterprise)
    return render_to_string(
        "monitoring/_health_panel.html",
        {
            "enterprise": enterprise,
            "health": health,
            "badge": light_badge(health.light),
            "paused": health.is_paused(today),
            "can_work": can_edit_registry(request.user),
            "pause_reasons": ContactHealth.PauseReason.choices,
            "procedure": procedure,
            "steps": EmergencyProcedure.Step.choices,
            **_whom_to_ask(request, enterprise, procedure),
        },
        request=request,
    )


def _whom_to_ask(request, enterprise, procedure) -> dict:
    """Step 2 (外围突破): the contacts of the enterprise's building, masked, each with its
    logged "show and call" for those who may see phones (registry/buildings)."""
    from registry.buildings.selectors import building_contacts, contact_rows

    if procedure is None or not procedure.is_open:
        return {}
    if procedure.step != EmergencyProcedure.Step.INQUIRY:
        return {}
    building = enterprise.building
    contacts = building_contacts(building=building) if building is not None else []
    return {
        "inquiry_building": building,
        "inquiry_contacts": contact_rows(contacts=contacts, user=request.user),
    }
