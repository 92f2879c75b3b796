"""Why a link or a code is not accepted: the exceptions the liaison's pages turn into a
friendly page or a message on the form."""


class LinkInvalid(Exception):
    """The link cannot be used; ``reason`` says why, for the friendly page (a key of
    SelfServiceLink.STATES)."""

    reason = "unknown"


class LinkUnknown(LinkInvalid):
    reason = "unknown"


class LinkExpired(LinkInvalid):
    reason = "expired"


class LinkUsed(LinkInvalid):
    reason = "used"


class LinkSuperseded(LinkInvalid):
    reason = "superseded"


class LinkRevoked(LinkInvalid):
    reason = "revoked"


class LinkLiaisonChanged(LinkInvalid):
    reason = "liaison_changed"


class LinkLocked(LinkInvalid):
    reason = "locked"


class CodeRefused(Exception):
    """The code was not accepted; ``tries_left`` how many more may be made."""

    def __init__(self, message: str, *, tries_left: int = 0):
        super().__init__(message)
        self.message = message
        self.tries_left = tries_left


class MobileCodeRequired(Exception):
    """The correction changes the mobile: a code must first be sent to the new number."""

    def __init__(self, mobile: str):
        super().__init__(mobile)
        self.mobile = mobile
