"""The one error type for business-rule failures, whichever app's rule refused.

A service raises ServiceError (or a subclass that carries more for its page: StaleEdit's
current values, MatterConflict, the personal link's LinkInvalid family with its ``reason``,
CodeRefused's tries left, MobileCodeRequired, FeedbackLinkInvalid). Views catch it and show
``message`` next to the form (``field``) or as a page message; the API's exception handler
(registry.api.errors) turns it into ``{"errors": {field: [message]}}`` with a 400 (409 for
StaleEdit). Field-format problems stay Django ValidationErrors (raised by full_clean in the
services). Not for failures of transport (a provider's TemporaryFailure, an unreadable
callback's PayloadError, the rate limiter's cache outage): those are retried or logged, not
told to the user as a rule.
"""

from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    """``message``: the sentence the user reads (lazy or translated); ``field``: the input it
    is about (None: the whole request); ``code``: a stable word for programs and tests."""

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
