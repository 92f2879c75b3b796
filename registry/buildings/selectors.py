"""Reads of buildings, scoped as the registry is (registry.access): admins, staff and
auditors see every building; a grid worker the buildings of their grid areas and those that
house an enterprise of their grids, and in any building only their grids' enterprises."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from registry import listing, masking
from registry.access import SEE_EVERYTHING, visible_enterprises
from registry.models import Building, BuildingContact, BuildingSuggestion, Enterprise
from registry.roles import Role, user_role


def visible_buildings(user) -> QuerySet[Building]:
    role = user_role(user)
    if role in SEE_EVERYTHING:
        return Building.objects.all()
    if role == Role.GRID_WORKER:
        houses_theirs = Exists(
            visible_enterprises(user).filter(building=OuterRef("pk")).values("pk")
        )
        return Building.objects.filter(Q(grid__workers=user) | houses_theirs).distinct()
    return Building.objects.none()


def can_manage_buildings(user) -> bool:
    """Buildings and their links are office work: park admins and service staff."""
    return user_role(user) in {Role.ADMIN, Role.STAFF}


def building_list(*, user, q: str = "") -> QuerySet[Building]:
    buildings = visible_buildings(user).select_related("grid")
    if q:
        buildings = buildings.filter(
            Q(name__icontains=q) | Q(address__icontains=q) | Q(property_company__icontains=q)
        )
    return buildings.annotate(
        enterprise_count=Count(
            "enterprises",
            filter=Q(enterprises__in=visible_enterprises(user).values("pk")),
            distinct=True,
        ),
        open_suggestions=Count(
            "suggestions",
            filter=Q(suggestions__status=BuildingSuggestion.Status.OPEN),
            distinct=True,
        ),
    ).order_by("name", "pk")


def building_detail(*, user, pk: int) -> Building:
    building = visible_buildings(user).select_related("grid").filter(pk=pk).first()
    if building is None:
        raise Http404
    return building


def building_enterprises(*, user, building: Building) -> list[Enterprise]:
    """The building's enterprises the user may see, with the list's extensions (the light,
    beside the name) joined, not queried per row."""
    enterprises = (
        visible_enterprises(user)
        .filter(building=building)
        .select_related("grid", *listing.related_names())
        .order_by("name", "pk")
    )
    rows = list(enterprises)
    for enterprise in rows:
        enterprise.extra_cells = listing.cells(enterprise)
        enterprise.name_cells = listing.name_cells(enterprise)
    return rows


def building_contacts(*, building: Building) -> list[BuildingContact]:
    return list(building.contacts.all())


def contact_rows(*, contacts, user) -> list[dict]:
    """Contacts as the pages show them: the phone masked, and whether this user may ask for
    it in full (a logged "show", which makes it a number to tap and call)."""
    return [
        {
            "contact": contact,
            "masked": masking.masked("buildingcontact", "phone", contact.phone),
            "can_show": bool(contact.phone)
            and masking.may_unmask(user, "buildingcontact", "phone"),
        }
        for contact in contacts
    ]


def building_suggestions(*, user, building: Building) -> QuerySet[BuildingSuggestion]:
    return (
        BuildingSuggestion.objects.filter(
            building=building,
            status=BuildingSuggestion.Status.OPEN,
            enterprise__in=visible_enterprises(user).values("pk"),
        )
        .select_related("enterprise")
        .order_by("enterprise__name", "pk")
    )


def enterprise_suggestions(*, enterprise: Enterprise) -> QuerySet[BuildingSuggestion]:
    """The open suggestions of an enterprise the user may already see."""
    return (
        BuildingSuggestion.objects.filter(
            enterprise=enterprise, status=BuildingSuggestion.Status.OPEN
        )
        .select_related("building")
        .order_by("building__name")
    )


def visible_suggestion(*, user, pk: int) -> BuildingSuggestion:
    suggestion = (
        BuildingSuggestion.objects.filter(
            pk=pk, enterprise__in=visible_enterprises(user).values("pk")
        )
        .select_related("building", "enterprise")
        .first()
    )
    if suggestion is None:
        raise Http404
    return suggestion
