"""The phone normalisers answer per block of numbers (the last four digits never decide), from a
cache; these tests hold that shortcut to phonenumbers' own answer number by number."""

import phonenumbers
from hypothesis import example, given, settings
from hypothesis import strategies as st

from registry import normalize

AREA_CODES = [
    "010", "020", "021", "022", "023", "024", "025", "027", "028", "029", "0311", "0351",
    "0371", "0411", "0431", "0451", "0512", "0571", "0574", "0591", "0731", "0755", "0757",
    "0769", "0871", "0898", "0991", "0999",
]  # fmt: skip
digits = st.text(alphabet="0123456789", min_size=4, max_size=4)


@st.composite
def heads(draw):
    """Everything but the last four digits of a landline, a 400/800 or a +86 number."""
    kind = draw(st.sampled_from(["area", "unknown_area", "service", "+86"]))
    exchange = draw(st.text(alphabet="0123456789", min_size=2, max_size=5))
    if kind == "service":
        return draw(st.sampled_from(["400", "800"])) + exchange[:3].ljust(3, "0")
    if kind == "unknown_area":
        return "0" + draw(st.text(alphabet="0123456789", min_size=2, max_size=3)) + exchange
    area = draw(st.sampled_from(AREA_CODES))
    return ("+86" + area[1:] if kind == "+86" else area) + exchange


@settings(max_examples=1500, deadline=None)
@given(heads(), digits, digits)
# Found by this test: 0310-10000 is a valid Handan number but 0310-10100 is not, so the last
# four digits can decide validity; only the layout is taken from the head.
@example("03101", "0000", "0100")
def test_a_landline_is_judged_and_laid_out_as_phonenumbers_does(head, first, second):
    normalize._landline(head + first)  # fills the cache for this head
    assert normalize._landline(head + second) == normalize._landline_checked(head + second)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from("3456789"), st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_a_mobile_is_judged_as_phonenumbers_does(second, rest):
    number = "1" + second + rest
    normalize._mobile_digits(number[:7] + "0000")  # fills the cache for this block
    parsed = phonenumbers.parse(number, "CN")
    expected = phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    assert (normalize._mobile_digits(number) == number) == expected


@st.composite
def national_numbers(draw):
    """Digits after +86: an area code's or a mobile's head and a tail of any length."""
    head = draw(
        st.sampled_from([a[1:] for a in AREA_CODES] + ["400", "800", "1", "13", "17", "95", "86"])
    )
    tail = draw(st.text(alphabet="0123456789", min_size=2, max_size=10))
    return head + tail


@settings(max_examples=3000, deadline=None)
@given(national_numbers())
@example("2150012345")
@example("31010000")
@example("31010100")
@example("4008208820")
@example("13812345678")
def test_the_type_of_a_number_is_phonenumbers(national):
    number = phonenumbers.PhoneNumber(country_code=86, national_number=int(national))
    assert normalize.cn_number_type(national) == phonenumbers.number_type(number)
