from pghistory.middleware import HistoryMiddleware

from registry.models import Door


class StaffHistoryMiddleware(HistoryMiddleware):
    """Tags every change made through a logged-in page (incl. the admin) with the staff door.

    Services nest their own context on top, so a self-service page overrides the door.
    """

    def get_context(self, request):
        context = super().get_context(request)
        context["door"] = Door.STAFF.value
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            context["username"] = request.user.get_username()
        return context
