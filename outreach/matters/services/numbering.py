"""Matter numbers people can quote: ``SQ`` + the park's date + a 4-digit sequence of the day.

One statement takes the next number: two intakes at once each get their own (the row lock of
the day's sequence serialises them), and none is given twice.
"""

import datetime

from django.db import connection

from outreach.matters.models import MatterDaySequence

PREFIX = "SQ"


def matter_number_next(*, day: datetime.date) -> str:
    table = MatterDaySequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [day],
        )
        (sequence,) = cursor.fetchone()
    return f"{PREFIX}{day:%Y%m%d}-{sequence:04d}"
