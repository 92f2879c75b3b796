"""Enterprise names in pinyin, for a search that finds 华信 from ``huaxin`` or ``hx``.

Pure functions (pypinyin's dictionaries, no database): PostgreSQL cannot run pypinyin, so the
writers compute the stored column in Python — the services on every create and rename, the
import per batch (registry.spreadsheet.applying), the demo, and the migration that added it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import lazy_pinyin
from pypinyin.constants import RE_HANS
from pypinyin.seg import mmseg

from registry.normalize import clean_text

_NOT_KEY = re.compile(r"[^a-z0-9]")


@lru_cache(maxsize=65536)
def _word(word: str) -> tuple[tuple[str, str], ...]:
    """One segment's syllables as (pinyin, initial): a Chinese word read as a phrase (重庆:
    chong qing), anything else kept whole as its own initial. Cached: names share most of
    their words (有限公司, 科技, 上海), and pypinyin's reading is what costs (issue 21: the
    import computes 100,000 names; four to six times faster than lazy_pinyin per name)."""
    if not RE_HANS.match(word):
        key = _NOT_KEY.sub("", word.lower())
        return ((key, key),) if key else ()
    syllables = (_NOT_KEY.sub("", s.lower()) for s in lazy_pinyin(word))
    return tuple((s, s[0]) for s in syllables if s)


# A run of Chinese characters, or a run of anything else (the ranges pypinyin reads).
_RUNS = re.compile("([\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+)")


def _syllables(text: str) -> list[tuple[str, str]]:
    # pypinyin's own segmenter splits runs character by character in Python; the regex does
    # it in C, and only the Chinese runs go through its phrase segmentation (mmseg).
    pairs: list[tuple[str, str]] = []
    for index, run in enumerate(_RUNS.split(text)):
        if not run:
            continue
        words = mmseg.seg.cut(run) if index % 2 else (run,)
        for word in words:
            pairs.extend(_word(word))
    return pairs


def name_pinyin(name: str) -> str:
    """The name's full pinyin, then its initials, lower-case, without tones or separators:
    ``上海华信电子`` → ``shanghaihuaxindianzi shhxdz``. A Latin run stays whole in both
    (``ABC科技`` → ``abckeji abckj``). The two words never join in a LIKE: search keys hold
    no space."""
    pairs = _syllables(clean_text(name))
    if not pairs:
        return ""
    full = "".join([p for p, _i in pairs])
    initials = "".join([i for _p, i in pairs])
    return f"{full} {initials}"


def search_key(query: str) -> str:
    """What a search text looks for in ``name_pinyin``: its pinyin run together, so pinyin,
    initials, Chinese and a mix (``hua信``) all become ``huaxin``-like keys."""
    return "".join([p for p, _i in _syllables(clean_text(query))])
