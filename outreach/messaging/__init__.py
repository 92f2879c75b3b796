"""Messages to liaisons (SMS and e-mail) through an outbox, and campaigns that fill it.

Public entry points for other apps: ``services.message_enqueue`` (one message, written in the
caller's transaction) and the ``signals.message_undeliverable`` signal.
"""
