"""The one error type for business-rule failures.

Views turn it into a message next to the form, the API into JSON with the field named.
Field-format problems stay Django ValidationErrors (raised by full_clean in the services).
"""

from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    def __init__(self, message, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class StaleEdit(ServiceError):
    """Someone saved the record after this edit was started: no lost update.

    ``current`` holds the record's present values of the fields the edit touched, so the
    page can show the second editor what changed.
    """

    def __init__(self, *, current: dict, version: int):
        super().__init__(
            _(
                "Someone else changed this record while you were editing it. "
                "Review their changes below, then save again."
            ),
            code="stale",
        )
        self.current = current
        self.version = version  # the record's version now: a deliberate re-save uses it
