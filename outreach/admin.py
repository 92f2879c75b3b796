# Admin registrations live with each part of the app; importing them registers them.
from outreach.messaging import admin as _messaging_admin  # noqa: F401
