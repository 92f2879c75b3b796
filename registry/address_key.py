"""The building an address is in, as a key: two addresses of one building give one key.

Enterprises are linked to a building (房东联络群, issue 19) by their registered or operating
address, typed by many hands: full- or half-width, with or without spaces, with or without
"上海市虹口区", "3号楼" or "3幢" or "3栋" or "3座", and a floor and room at the end. The key
keeps what names the building and drops the rest:

1. NFKC (full-width letters, digits and brackets made half-width), upper case, no spaces, no
   bracketed remarks ("（名义楼层5层）");
2. the leading country, province, city and district ("中国上海市虹口区");
3. a building inside a site, "3号楼" / "3幢" / "3座" / "3栋", written "3栋";
4. everything after the street number ("…路100号", "…路100弄5号") and the building inside it,
   or, without a street number, from the floor or room on ("12层", "5楼", "501室", "F5").

Pure, so it is unit-tested without a database. The same steps run in SQL over the whole
registry (registry.sql.buildings.address_key_sql), built from the patterns below so that the
two cannot drift; tests/registry/test_sql.py holds them equal over many addresses. The
patterns use only syntax that Python's ``re`` and PostgreSQL's regular expressions read the
same way (greedy quantifiers, bracket classes, no look-around).
"""

import re
import unicodedata

# Step 1: spaces (after NFKC the ideographic space and NBSP are plain ones), invisible marks.
SPACES = "[[:space:]\u200b\u200c\u200d\ufeff]+"
# Bracketed remarks after NFKC: "(名义楼层5层)", "[集中登记地]".
REMARKS = r"\([^)]*\)|\[[^]]*\]|【[^】]*】"
# Step 2: what comes before the street; each part optional, in this order.
PREFIX = "^(中国)?([^省市]{2,7}省)?([^省市区县]{2,4}市)?([^省市区县路街道弄号]{1,4}(区|县))?"
# Step 3: a building inside a site, however it is written.
BUILDING = "([A-Z0-9]+)(号楼|幢|座)"
BUILDING_AS = "栋"
# Step 4: the street number, then the building right after it.
STREET_NUMBER = "^(.*?[0-9]+号)"
BUILDING_AFTER = "^[A-Z0-9]+栋"
# … or, without a street number, the first floor or room and all after it.
FLOOR_ON = "(-?[0-9]+(层|楼|室|F)|F[0-9]+|第[0-9]+层).*$"

# An address "as typed", for finding the addresses that may be a building's before keying them
# (registry.sql.buildings, one building saved): SQL's translate() of these characters
# (full-width digits to half-width; the spaces, past the end of TYPED_TO, deleted), then
# upper case. The enterprise's trigram indexes on the two addresses are built on the same
# expression (registry.models.address_as_typed), so the LIKE can use them.
TYPED_FROM = "０１２３４５６７８９ \u3000"
TYPED_TO = "0123456789"

_PY_SPACES = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")  # [[:space:]] is SQL's spelling


def address_key(value: object) -> str:
    """The building's key of an address; "" for an empty one."""
    text = unicodedata.normalize("NFKC", str(value or "")).upper()
    text = _PY_SPACES.sub("", text)
    text = re.sub(REMARKS, "", text)
    text = re.sub(PREFIX, "", text, count=1)
    text = re.sub(BUILDING, r"\g<1>" + BUILDING_AS, text)
    street = re.match(STREET_NUMBER, text)
    if street is None:
        return re.sub(FLOOR_ON, "", text, count=1)
    head = street.group(1)
    building = re.match(BUILDING_AFTER, text[len(head) :])
    return head + (building.group(0) if building else "")


# The street of an address (路, 街, 大道 …), for walking an area: "…四川北路1000号" and
# "四川北路 88 号 5 楼" are on one street. The longest ending first ("大道" before "道").
STREET = "^(.*?(大道|公路|路|街|巷|胡同|道))"


def street_name(value: object) -> str:
    """The street an address is on, without city or district; "" when none can be read."""
    text = unicodedata.normalize("NFKC", str(value or "")).upper()
    text = _PY_SPACES.sub("", text)
    text = re.sub(REMARKS, "", text)
    text = re.sub(PREFIX, "", text, count=1)
    street = re.match(STREET, text)
    return street.group(1) if street else ""
