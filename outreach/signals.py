"""Signals outreach declares, so that higher apps react without outreach importing them.

``attempt_recorded`` (sender=ContactAttempt, attempt=<ContactAttempt>)
    Sent by outreach.services.contact_attempt_record INSIDE its transaction, after the
    attempt is written, the tasks it answers are closed and the plan is updated. A receiver
    (monitoring's red / yellow / green light) therefore writes in the same transaction: the
    light can never disagree with the log, and an exception in a receiver rolls the attempt
    back too. Receivers must be quick and must not call out to other systems (use
    ``transaction.on_commit`` for that). Bulk writes (seed_demo) do not send it.
"""

from django.dispatch import Signal

attempt_recorded = Signal()
