"""The project's API: /api/ (see registry/api/).

- /api/schema/  OpenAPI 3 (JSON; ?format=yaml for YAML), for authenticated users;
- /api/docs/    Swagger UI from drf-spectacular, its assets served from our own static files
                (drf-spectacular-sidecar) and its start script as a separate request, so the
                page works offline and under the site's Content-Security-Policy
                (script-src 'self': no inline script, no CDN). A page for people: it sends
                anonymous visitors to the login page like every other page;
- /api/token/   a token for username and password (Authorization: Token <key>).
"""

import base64
import hashlib
import re

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_not_required, login_required
from django.template.loader import get_template
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from registry.api.views import TokenView

app_name = "api"


@extend_schema(exclude=True)
class SchemaView(SpectacularAPIView):
    """The schema, left out of itself."""


def _inline_style_sources(template_name: str) -> list[str]:
    """CSP hashes of the <style> blocks of a template, so that exactly those (and no other
    inline style) may apply on its page. Read from the installed template, so an upgrade of
    drf-spectacular that changes them cannot silently break the page's layout."""
    source = get_template(template_name).template.source
    blocks = re.findall(r"<style>(.*?)</style>", source, flags=re.DOTALL)
    digests = (hashlib.sha256(block.encode()).digest() for block in blocks)
    return [f"'sha256-{base64.b64encode(digest).decode()}'" for digest in digests]


docs = SpectacularSwaggerSplitView.as_view(url_name="api:schema")
docs = csp_update({"style-src": _inline_style_sources(SpectacularSwaggerSplitView.template_name)})(
    docs
)

urlpatterns = [
    path("schema/", login_not_required(SchemaView.as_view()), name="schema"),
    # DRF exempts its views from LoginRequiredMiddleware; this page sends people to log in.
    path("docs/", login_required(docs), name="docs"),
    path("token/", login_not_required(TokenView.as_view()), name="token"),
    path("", include("registry.api.urls")),
    path("", include("outreach.api.urls")),
    # The first-contact desk: POST /api/matters/ (outreach/matters/api.py).
    path("", include("outreach.matters.api")),
    path("", include("monitoring.api.urls")),
]
