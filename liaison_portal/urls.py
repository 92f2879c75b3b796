from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language

from liaison_portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        # LoginView would take PUT as a POST; a login form is GET and POST only.
        login_not_required(
            require_http_methods(["GET", "POST"])(
                auth_views.LoginView.as_view(redirect_authenticated_user=True)
            )
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Changing one's password; the admins' second factor (accounts/).
    path("accounts/", include("accounts.urls")),
    # The language switch works on the login page too.
    path(
        "i18n/setlang/",
        login_not_required(require_http_methods(["GET", "POST"])(set_language)),
        name="set_language",
    ),
    path("api/", include("liaison_portal.api_urls")),
    path("", include("registry.urls")),
    path("", include("outreach.urls")),
    # Campaigns, message templates and the outbox (outreach/messaging).
    path("outreach/", include("outreach.messaging.urls")),
    path("", include("monitoring.urls")),
    # Liaison self-service: the personal link a liaison opens without an account.
    path("s/", include("outreach.selfservice.urls")),
    # The SMS providers' delivery receipts and replies (outreach/messaging/inbound).
    path("sms/callbacks/", include("outreach.messaging.inbound.urls")),
    # The requester's 回访 link of the first-contact desk (outreach/matters).
    path("r/", include("outreach.matters.public_urls")),
    # A material's public link for liaisons (outreach/materials).
    path("m/", include("outreach.materials.public_urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

# An API client gets JSON for a path that matches no route, as for every other error.
handler404 = "liaison_portal.views.page_not_found"
