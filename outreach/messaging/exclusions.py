"""Who a campaign leaves out on a higher app's word: the seam for the monitor's contact pause.

Outreach may not import the monitor (layering: accounts ← registry ← outreach ← monitoring),
so the monitor registers here, in its ``ready()``, an SQL query of the enterprises paused on
a day; a campaign's preview and its bulk write leave those enterprises out. With nothing
registered (the monitor not installed) nobody is paused.
"""

import datetime
from collections.abc import Callable

# day -> (sql selecting enterprise ids, params)
PausedSource = Callable[[datetime.date], tuple[str, list]]

_paused_sources: list[PausedSource] = []


def register_paused_source(source: PausedSource) -> None:
    if source not in _paused_sources:
        _paused_sources.append(source)


def paused_sql(day: datetime.date) -> tuple[str, list] | None:
    """One query of the enterprise ids paused on ``day`` (a UNION of the sources), or None."""
    if not _paused_sources:
        return None
    parts = [source(day) for source in _paused_sources]
    return " UNION ".join(f"({sql})" for sql, _ in parts), [p for _, ps in parts for p in ps]
