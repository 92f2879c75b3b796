"""The enterprise page's building card (registry.panels): the building it is in, and the
buildings its address suggests, to confirm or reject (admins and staff)."""

from django.template.loader import render_to_string

from registry.buildings import selectors


def building_panel(request, enterprise) -> str | None:
    can_manage = selectors.can_manage_buildings(request.user)
    building = enterprise.building
    suggestions = (
        list(selectors.enterprise_suggestions(enterprise=enterprise)) if can_manage else []
    )
    return render_to_string(
        "registry/buildings/_panel.html",
        {
            "enterprise": enterprise,
            "building": building,
            # A grid worker sees the building's name; its page only if it is theirs to see.
            "building_visible": building is not None
            and selectors.visible_buildings(request.user).filter(pk=building.pk).exists(),
            "suggestions": suggestions,
            "can_manage": can_manage,
        },
        request=request,
    )
