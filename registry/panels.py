"""Panels that higher apps add to the enterprise page, without the registry importing them.

A panel is a function ``panel(request, enterprise) -> str | None`` returning safe HTML (for
instance ``render_to_string(..., request=request)``) or None to show nothing. Register it
with ``register_panel`` from the app's AppConfig.ready, as timeline sources are
(registry.timeline.register_source). Panels show after the registry's own cards, in the
order they were registered; the enterprise has already passed the user's scope check.
"""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

from registry.models import Enterprise

Panel = Callable[[object, Enterprise], str | None]
_PANELS: list[Panel] = []


def register_panel(panel: Panel) -> None:
    if panel not in _PANELS:
        _PANELS.append(panel)


def enterprise_panels(request, enterprise: Enterprise) -> list[SafeString]:
    rendered = (panel(request, enterprise) for panel in _PANELS)
    return [mark_safe(html) for html in rendered if html]
