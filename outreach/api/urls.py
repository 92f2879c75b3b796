"""Outreach's API routes, included under /api/ by liaison_portal.api_urls (exempt from
LoginRequiredMiddleware: DRF authenticates and denies by default, as in registry.api.urls)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from outreach.api import views


def _api(view_class):
    return login_not_required(view_class.as_view())


urlpatterns = [
    path("contact-attempts/", _api(views.ContactAttemptListView), name="contact_attempts"),
    path("tasks/", _api(views.TaskListView), name="tasks"),
    path("tasks/<id:pk>/", _api(views.TaskDetailView), name="task"),
    path("tasks/<id:pk>/close/", _api(views.TaskCloseView), name="task_close"),
]
