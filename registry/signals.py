"""What the registry tells higher apps, without importing them."""

from django.dispatch import Signal

# A liaison's details were corrected (liaison_update), sent inside the transaction after the
# save: liaison=, changed= (field names), door=, by=. Outreach's self-service tells the
# liaison what staff changed.
liaison_corrected = Signal()

# New liaison periods started: liaison_ids= (the new rows' ids), door=, by= (None: the import
# of no user, or the system). Sent inside the writing transaction, after the rows exist:
# by enterprise_create / liaison_replace for one, by the import once for all it started.
# Outreach welcomes each new liaison once (outreach.selfservice.welcome).
liaisons_started = Signal()
