"""What the registry tells higher apps, without importing them."""

from django.dispatch import Signal

# A liaison's details were corrected (liaison_update), sent inside the transaction after the
# save: liaison=, changed= (field names), door=, by=. Outreach's self-service tells the
# liaison what staff changed.
liaison_corrected = Signal()
