"""Reads of the material library: the staff list and its topic filter, what may be chosen to
send, what a public link opens."""

from django.db.models import Count, QuerySet

from outreach.materials.links import token_well_formed
from outreach.materials.models import EventMaterialDelivery, Material, MaterialTopic
from registry.ids import parse_id


def material_list(*, topic: str = "", published: str = "") -> QuerySet[Material]:
    """The library, newest first; ``topic``: a topic's id; ``published``: "yes" / "no"."""
    materials = Material.objects.select_related("topic", "created_by")
    topic_id = parse_id(topic)
    if topic_id is not None:
        materials = materials.filter(topic_id=topic_id)
    if published in {"yes", "no"}:
        materials = materials.filter(published=published == "yes")
    return materials


def topics() -> QuerySet[MaterialTopic]:
    return MaterialTopic.objects.all()


def sendable_materials() -> QuerySet[Material]:
    """What may be sent, attached or posted: published material, by topic then newest."""
    return (
        Material.objects.filter(published=True)
        .select_related("topic")
        .order_by("topic__position", "topic__name", "-created_at", "-id")
    )


def public_material(token: str) -> Material | None:
    """The published material behind a link's token (None: malformed, unknown, unpublished)."""
    if not token_well_formed(token):
        return None
    return Material.objects.select_related("topic").filter(token=token, published=True).first()


def event_material_counts(*, event_id: int) -> list[dict]:
    """Per material sent after the event: its title and to how many liaisons."""
    return list(
        EventMaterialDelivery.objects.filter(event_id=event_id)
        .values("material_id", "material__title")
        .annotate(liaisons=Count("liaison_id"))
        .order_by("material__title")
    )
