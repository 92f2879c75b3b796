"""Moves this Python process's clock when ``LIAISON_CLOCK_OFFSET`` (seconds) is set.

``python -m tests.at_date`` puts this folder on ``PYTHONPATH``, so every Python process of a
date run (pytest, the Celery workers and the gunicorn or ``manage.py`` processes the tests
start) travels by the same offset from the real clock at its start and keeps ticking: they all
agree on the moved time. Nothing here runs unless the variable is set.
"""

import os

_offset = os.environ.get("LIAISON_CLOCK_OFFSET")
if _offset:
    import datetime

    import time_machine

    _destination = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=float(_offset))
    time_machine.travel(_destination, tick=True).start()
