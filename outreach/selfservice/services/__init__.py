"""Every write of liaison self-service, one module per concern; import from here.

- ``links``: sending, resolving, checking, revoking and spending a personal link;
- ``channel``: by SMS or e-mail, with which template;
- ``codes``: the one-time codes (the unlock code; the code that confirms a new mobile);
- ``lockout``: wrong codes, and the link locked for good after too many;
- ``details``: the liaison confirms or corrects their details;
- ``handover``: "I am leaving", and staff confirming the successor;
- ``refusals``: why a link or a code is not accepted;
- ``agents``: an agent's other enterprises, checked in the same visit.
"""

from outreach.selfservice.services.agents import VISIT_SECONDS, selfservice_agent_link_open
from outreach.selfservice.services.bulk import BulkLinksResult, selfservice_links_send_bulk
from outreach.selfservice.services.codes import (
    selfservice_code_check,
    selfservice_code_send,
    selfservice_mobile_code_send,
)
from outreach.selfservice.services.details import (
    SELF_SERVICE_FIELDS,
    selfservice_details_confirm,
    selfservice_details_correct,
)
from outreach.selfservice.services.handover import (
    reported_handover,
    selfservice_handover_confirm,
    selfservice_leaving_report,
)
from outreach.selfservice.services.links import (
    link_check,
    selfservice_link_resolve,
    selfservice_link_revoke,
    selfservice_link_send,
    selfservice_link_use,
)
from outreach.selfservice.services.lockout import SELF_SERVICE_LOCKED_KIND
from outreach.selfservice.services.refusals import (
    CodeRefused,
    LinkExpired,
    LinkInvalid,
    LinkLiaisonChanged,
    LinkLocked,
    LinkRevoked,
    LinkSuperseded,
    LinkUnknown,
    LinkUsed,
    MobileCodeRequired,
)

__all__ = [
    "SELF_SERVICE_FIELDS",
    "SELF_SERVICE_LOCKED_KIND",
    "VISIT_SECONDS",
    "BulkLinksResult",
    "CodeRefused",
    "LinkExpired",
    "LinkInvalid",
    "LinkLiaisonChanged",
    "LinkLocked",
    "LinkRevoked",
    "LinkSuperseded",
    "LinkUnknown",
    "LinkUsed",
    "MobileCodeRequired",
    "link_check",
    "reported_handover",
    "selfservice_agent_link_open",
    "selfservice_code_check",
    "selfservice_code_send",
    "selfservice_details_confirm",
    "selfservice_details_correct",
    "selfservice_handover_confirm",
    "selfservice_leaving_report",
    "selfservice_link_resolve",
    "selfservice_link_revoke",
    "selfservice_link_send",
    "selfservice_link_use",
    "selfservice_links_send_bulk",
    "selfservice_mobile_code_send",
]
