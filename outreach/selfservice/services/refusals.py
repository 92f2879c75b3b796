"""Why a link or a code is not accepted: business-rule errors (core.errors.ServiceError) the
liaison's pages turn into a friendly page or a message on the form."""

from django.utils.translation import gettext_lazy as _lazy

from core.errors import ServiceError


class LinkInvalid(ServiceError):
    """The link cannot be used; ``reason`` says why, for the friendly page (a key of
    SelfServiceLink.STATES, and the error's ``code``); the message is the page's sentence."""

    reason = "unknown"
    text = _lazy("We could not find this link. Please check that it was copied completely.")

    def __init__(self):
        super().__init__(self.text, code=self.reason)


class LinkUnknown(LinkInvalid):
    reason = "unknown"


class LinkExpired(LinkInvalid):
    reason = "expired"
    text = _lazy("The link has expired.")


class LinkUsed(LinkInvalid):
    reason = "used"
    text = _lazy("The link has already been used. Thank you!")


class LinkSuperseded(LinkInvalid):
    reason = "superseded"
    text = _lazy("A newer link has been sent to you; please use that one.")


class LinkRevoked(LinkInvalid):
    reason = "revoked"
    text = _lazy("The link was withdrawn by the park.")


class LinkLiaisonChanged(LinkInvalid):
    reason = "liaison_changed"
    text = _lazy("The liaison details have changed since this link was sent.")


class LinkLocked(LinkInvalid):
    reason = "locked"
    text = _lazy(
        "To protect your details, the link was locked after too many wrong codes. The park "
        "has been told."
    )


class CodeRefused(ServiceError):
    """The code was not accepted; ``tries_left`` how many more may be made."""

    def __init__(self, message: str, *, tries_left: int = 0):
        super().__init__(message, code="code_refused")
        self.tries_left = tries_left


class MobileCodeRequired(ServiceError):
    """The correction changes the mobile: a code must first be sent to the new number."""

    def __init__(self, mobile: str):
        super().__init__(
            _lazy(
                "A new number is confirmed with a code sent to it; until then the number on "
                "file stays in use."
            ),
            field="mobile_code",
            code="mobile_code_required",
        )
        self.mobile = mobile
