"""Matter numbers people can quote: ``SQ`` + the park's date + a 4-digit sequence of the day.

One statement takes the next number (outreach.sql.matters): two intakes at once each get
their own (the row lock of the day's sequence serialises them), and none is given twice.
"""

import datetime

from django.db import connection

from outreach.sql.matters import matter_sequence_next

PREFIX = "SQ"


def matter_number_next(*, day: datetime.date) -> str:
    with connection.cursor() as cursor:
        sequence = matter_sequence_next(cursor, day=day)
    return f"{PREFIX}{day:%Y%m%d}-{sequence:04d}"
