"""A mobile number's home province (号码归属地), from the phonenumbers geocoder.

Mainland numbers are allotted in blocks of their first seven digits (the H code), so the
province of a block is that of every number in it. The frequent-changes rule compares the
provinces of successive liaisons' mobiles in SQL, through the table ``MobileRegion``; the
blocks it needs are geocoded here, once each (monitoring.services.rules.mobile_regions_fill).
"""

from functools import lru_cache

import phonenumbers

PREFIX_LENGTH = 7
# The province is read from the geocoder's English description, "City, Province" or the
# municipality alone ("Changzhou, Jiangsu", "Beijing"): its Chinese one drops the suffix of
# some regions ("新疆乌鲁木齐市", "广西南宁市"), which no pattern splits reliably.
# "China" is the geocoder's answer for a block it cannot place: no province.
_UNPLACED = {"", "China"}


@lru_cache(maxsize=4096)
def prefix_province(prefix: str) -> str:
    """The province of the block ``prefix`` (the first seven digits), or "" when unknown."""
    if len(prefix) != PREFIX_LENGTH or not prefix.isdigit():
        return ""
    # Imported here: the geocoder's data is about 100 MB in memory, wanted only by the process
    # placing blocks (the rules sweep), not by every web worker and import that loads this app.
    from phonenumbers import geocoder

    try:
        number = phonenumbers.parse(f"+86{prefix}0000")
    except phonenumbers.NumberParseException:
        return ""
    province = geocoder.description_for_number(number, "en").rsplit(", ", 1)[-1].strip()
    return "" if province in _UNPLACED else province


def mobile_province(mobile: str) -> str:
    """The home province of a stored (11-digit) mobile, or "" when unknown."""
    return prefix_province(mobile[:PREFIX_LENGTH]) if mobile else ""
