"""Signals the messaging part sends; other parts connect to them.

``message_undeliverable`` (sender=OutboxMessage, message=<OutboxMessage>, channel="sms" or
"email") is sent when a message fails *permanently* — an invalid number, a bounce — inside the
transaction that marks it failed, so a receiver's writes (the contact log records a failed
attempt on that channel) commit or roll back with it. ``message.enterprise``,
``message.liaison`` and ``message.problem`` say who and why. It is not sent when the outbox
gives up after repeated *temporary* failures: our gateway being down says nothing about
whether the liaison is reachable.
"""

from django.dispatch import Signal

message_undeliverable = Signal()
