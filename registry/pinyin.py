"""Enterprise names in pinyin, for a search that finds 华信 from ``huaxin`` or ``hx``.

Pure functions (pypinyin's dictionaries, no database): PostgreSQL cannot run pypinyin, so the
writers compute the stored column in Python — the services on every create and rename, the
import per batch (registry.spreadsheet.applying), the demo, and the migration that added it.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

from registry.normalize import clean_text

_NOT_KEY = re.compile(r"[^a-z0-9]")


def _chunks(text: str, style: Style) -> list[str]:
    # Characters without pinyin (Latin letters, digits) come back as one chunk each run.
    return [_NOT_KEY.sub("", chunk.lower()) for chunk in lazy_pinyin(text, style=style)]


def name_pinyin(name: str) -> str:
    """The name's full pinyin, then its initials, lower-case, without tones or separators:
    ``上海华信电子`` → ``shanghaihuaxindianzi shhxdz``. A Latin run stays whole in both
    (``ABC科技`` → ``abckeji abckj``). The two words never join in a LIKE: search keys hold
    no space."""
    text = clean_text(name)
    if not text:
        return ""
    full = "".join(_chunks(text, Style.NORMAL))
    initials = "".join(_chunks(text, Style.FIRST_LETTER))
    return f"{full} {initials}" if full else ""


def search_key(query: str) -> str:
    """What a search text looks for in ``name_pinyin``: its pinyin run together, so pinyin,
    initials, Chinese and a mix (``hua信``) all become ``huaxin``-like keys."""
    return "".join(_chunks(clean_text(query), Style.NORMAL))
