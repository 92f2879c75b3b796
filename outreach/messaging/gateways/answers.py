"""What a provider's answer means for the outbox, shared by the providers.

- the number: invalid, 空号 or blacklisted → ``PermanentFailure`` with its problem (a failed
  contact attempt on the enterprise's log);
- the message: its content or a value refused (a sensitive word, a value too long) →
  ``PermanentFailure(contact=False)``: failed, PROVIDER_REFUSED, not the liaison's fault;
- throttling (per number per minute / hour / day, the account's frequency or daily quota)
  → ``TemporaryFailure`` retried after the window: a minute, an hour, the next day (park
  time); 5xx, timeouts and internal errors → ``TemporaryFailure`` with the usual backoff;
- the account (keys, permissions, balance), the signature or the template → ``ProviderRefused``:
  every further message would be refused too, so the campaign stops (refusals.py).

An unknown code is temporary: a retry costs less than a lost message, and the outbox gives
up after OUTBOX_MAX_ATTEMPTS.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from outreach.messaging.backends import PermanentFailure, ProviderRefused, TemporaryFailure
from outreach.messaging.models import OutboxMessage
from registry import clock

Problem = OutboxMessage.Problem

# What a refused configuration is about (the sentence admins read).
CREDENTIALS = "credentials"
SIGNATURE = "signature"
TEMPLATE = "template"
BALANCE = "balance"
# Kinds of answer.
NUMBER = "number"  # + the problem
CONTENT = "content"
THROTTLED = "throttled"  # + the window: minute, hour, day
TEMPORARY = "temporary"
REFUSED = "refused"  # + what: CREDENTIALS, SIGNATURE, TEMPLATE, BALANCE

# Throttled numbers are tried again from this hour of the next day (park time), not at
# midnight: the message still reaches a liaison in working hours.
NEXT_DAY_HOUR = 9


@dataclass(frozen=True)
class Answer:
    kind: str
    detail: str = ""  # the problem, the window or what was refused


def number(problem: str) -> Answer:
    return Answer(NUMBER, problem)


def throttled(window: str) -> Answer:
    return Answer(THROTTLED, window)


def refused(what: str) -> Answer:
    return Answer(REFUSED, what)


CONTENT_REFUSED = Answer(CONTENT)
TEMPORARY_ANSWER = Answer(TEMPORARY)


def window_end(window: str) -> datetime.datetime:
    """When a number throttled for ``window`` may be tried again."""
    now = clock.now()
    if window == "hour":
        return now + datetime.timedelta(hours=1)
    if window == "day":
        tomorrow = clock.today() + datetime.timedelta(days=1)
        return clock.start_of_day(tomorrow) + datetime.timedelta(hours=NEXT_DAY_HOUR)
    return now + datetime.timedelta(minutes=1)


def refusal_reason(what: str, code: str, *, template=None) -> str:
    name = template.name if template is not None else ""
    if what == CREDENTIALS:
        return _(
            "The SMS provider refused the portal's account (%(code)s): check the access keys "
            "and the account's permissions in the SMS settings."
        ) % {"code": code}
    if what == SIGNATURE:
        return _(
            "The SMS provider refused the signature (%(code)s): check that the signature "
            "in SMS_SIGN_NAME is approved."
        ) % {"code": code}
    if what == BALANCE:
        return _("The SMS account has no balance left or is suspended (%(code)s): top it up.") % {
            "code": code
        }
    return _(
        "The SMS provider refused the template “%(template)s” (%(code)s): check its approved "
        "template code and parameters in the template editor."
    ) % {"template": name, "code": code}


def missing_code_reason(template) -> str:
    return _(
        "The template “%(template)s” has no approved template code: the SMS provider sends "
        "only approved templates. An admin must enter its code in the template editor."
    ) % {"template": template.name if template is not None else "—"}


def raise_for(answer: Answer, *, code: str, message: str, template=None) -> None:
    """Raise the outbox's exception for a provider's answer (which is not a success)."""
    text = f"{code}: {message}" if message else code
    if answer.kind == NUMBER:
        raise PermanentFailure(text, problem=answer.detail)
    if answer.kind == CONTENT:
        raise PermanentFailure(text, problem=Problem.PROVIDER_REFUSED, contact=False)
    if answer.kind == THROTTLED:
        raise TemporaryFailure(text, retry_at=window_end(answer.detail))
    if answer.kind == REFUSED:
        raise ProviderRefused(
            refusal_reason(answer.detail, code, template=template), code=code, what=answer.detail
        )
    raise TemporaryFailure(text)


def lookup(table: dict[str, Answer], prefixes: dict[str, Answer], code: str) -> Answer:
    if code in table:
        return table[code]
    for prefix, answer in prefixes.items():
        if code.startswith(prefix):
            return answer
    return TEMPORARY_ANSWER
