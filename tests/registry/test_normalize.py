"""registry.normalize: what messy values from forms and Chinese spreadsheets become.

No database and no Django settings are needed (assertions use ValidationError.code), so this
module also runs with ``-p no:django --noconftest``.
"""

import datetime

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from registry import normalize
from registry.normalize import (
    clean_name,
    clean_text,
    mask_id_number,
    mask_phone,
    mask_text,
    normalize_email,
    normalize_id_number,
    normalize_mobile,
    normalize_phone,
    normalize_size,
    normalize_uscc,
    optional,
    optional_email,
    optional_id_number,
    optional_mobile,
    optional_phone,
    optional_uscc,
    parse_yes_no,
)

# No example database: it would write a .hypothesis directory into the project.
hypothesis_settings = settings(database=None, deadline=None)


def valid_uscc(first17: str) -> str:
    """A code with the check character stdnum computes, rather than one made up."""
    return first17 + uscc.calc_check_digit(first17)


def valid_id(first17: str) -> str:
    # ric.calc_check_digit expects the whole number and ignores its last character.
    return first17 + ric.calc_check_digit(first17 + "0")


def wrong_last(number: str) -> str:
    """The same number with a check character that cannot be right."""
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def error_code(fn, value) -> str:
    with pytest.raises(ValidationError) as excinfo:
        fn(value)
    return excinfo.value.code


def full_width(text: str) -> str:
    """What a Chinese input method in full-width mode types: "１３８" for "138"."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


USCC = valid_uscc("91310000MA1FL8XQ3")
USCC_DIGITS_ONLY = valid_uscc("12100000400000001")
ID_NUMBER = "11010519491231002X"  # the sample number printed in GB 11643
ID_NUMBER_DIGIT_CHECK = "360426199101010071"
# 余杭 was split in 2021 and 临平 got 330113, which stdnum's county table does not know.
ID_NUMBER_NEW_DISTRICT = valid_id("33011320220101001")


# --- clean_text / clean_name ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        (None, ""),
        ("", ""),
        ("  张  伟 ", "张 伟"),
        ("\u00a0上海市\u3000浦东新区\u00a0", "上海市 浦东新区"),
        ("１３８１２３４５６７８", "13812345678"),
        ("（上海）甲乙科技有限公司", "(上海)甲乙科技有限公司"),
        ("张\u200b伟\ufeff", "张伟"),
        ("第一行\n第二行\t\r\n 尾", "第一行 第二行 尾"),
        ("a\x00b", "ab"),
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        (0, "0"),
        (1.5, "1.5"),
        (float("nan"), ""),
    ],
)
def test_clean_text_gives_plain_single_spaced_text(raw, cleaned):
    assert clean_text(raw) == cleaned


def test_clean_name_keeps_single_inner_spaces():
    assert clean_name("  John\u00a0\u00a0 Smith ") == "John Smith"
    assert clean_name("上海\u3000甲乙 科技") == "上海 甲乙 科技"


# --- unified social credit code -------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        USCC,
        USCC.lower(),
        f"  {USCC}\u00a0",
        f"{USCC[:8]} {USCC[8:]}",
        f"{USCC[:2]}-{USCC[2:8]}-{USCC[8:]}",
        full_width(USCC),
        full_width(USCC.lower()),
        f"\ufeff{USCC}",
    ],
)
def test_it_accepts_a_uscc_with_spaces_hyphens_case_and_full_width(raw):
    assert normalize_uscc(raw) == USCC


def test_it_accepts_the_stdnum_documented_uscc_and_an_all_digit_one():
    assert normalize_uscc("91110000600037341L") == "91110000600037341L"
    assert normalize_uscc(USCC_DIGITS_ONLY) == USCC_DIGITS_ONLY


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "required"),
        (None, "required"),
        (" \u3000 ", "required"),
        (wrong_last(USCC), "uscc_checksum"),
        (wrong_last(USCC).lower(), "uscc_checksum"),
        ("91310000MA1FL8XQ30", "uscc_checksum"),
        (USCC[:17], "uscc_length"),
        (USCC + "1", "uscc_length"),
        ("310115000123456", "uscc_length"),  # an old 15-digit business registration number
        (f"统一社会信用代码：{USCC}", "uscc_length"),
        (USCC[:-2] + "O" + USCC[-1], "uscc_format"),  # O is not in the alphabet
        ("A" + USCC[1:], "uscc_format"),  # the first 8 must be digits
        ("٩١٣١٠٠٠٠MA1FL8XQ37", "uscc_format"),  # Arabic-Indic digits pass str.isdigit()
        (float(USCC_DIGITS_ONLY), "lost_digits"),  # Excel showed it as 1.21E+17
    ],
)
def test_it_rejects_a_bad_uscc_with_a_specific_code(raw, code):
    assert error_code(normalize_uscc, raw) == code


def test_uscc_length_message_says_how_many_characters_were_given():
    with pytest.raises(ValidationError) as excinfo:
        normalize_uscc(USCC[:17])
    assert excinfo.value.params["length"] == 17


# --- mobile ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "+8613812345678",
        "+86 13812345678",
        "+86 138-1234-5678",
        "+86-138-1234-5678",
        "(+86)13812345678",
        "8613812345678",
        "86-13812345678",
        "86 138 1234 5678",
        "0086 13812345678",
        "008613812345678",
        "138 1234 5678",
        "138-1234-5678",
        "138—1234—5678",
        "１３８１２３４５６７８",
        "＋８６　１３８－１２３４－５６７８",
        "\u00a013812345678\u00a0",
        "138\u200b1234\u200b5678",
        13812345678,
        13812345678.0,
        "13812345678.0",  # a float cell written to CSV by pandas
    ],
)
def test_it_accepts_a_mobile_with_prefix_separators_or_from_a_numeric_cell(raw):
    assert normalize_mobile(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["19912345678", "16612345678", "17012345678", "14512345678"])
def test_it_accepts_mobiles_from_newer_number_blocks(raw):
    assert normalize_mobile(raw) == raw


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "required"),
        (None, "required"),
        ("1381234567", "mobile_invalid"),  # one digit short
        ("138123456789", "mobile_invalid"),
        ("23812345678", "mobile_invalid"),
        ("12345678901", "mobile_invalid"),
        ("14012345678", "mobile_unallocated"),  # 140 is not an assigned mobile block
        ("+85261234567", "mobile_invalid"),  # Hong Kong
        ("+1 13812345678", "mobile_invalid"),
        ("021-65551234", "mobile_invalid"),
        ("13812345678转1", "mobile_invalid"),
        ("138-1234-567a", "mobile_invalid"),
        ("138.1234.5678", "mobile_invalid"),
        (1.5, "mobile_invalid"),
        (float("inf"), "mobile_invalid"),
    ],
)
def test_it_rejects_what_is_not_a_mainland_mobile(raw, code):
    assert error_code(normalize_mobile, raw) == code


# --- phone -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("021-65551234", "021-65551234"),
        ("02165551234", "021-65551234"),
        ("(021)65551234", "021-65551234"),
        ("（021）65551234", "021-65551234"),
        ("（０２１）６５５５１２３４", "021-65551234"),
        ("021 6555 1234", "021-65551234"),
        ("021-6555-1234", "021-65551234"),
        ("+86 21 65551234", "021-65551234"),
        ("+86 (21) 6555 1234", "021-65551234"),
        ("0086-21-65551234", "021-65551234"),
        ("86-21-65551234", "021-65551234"),
        ("010-65551234", "010-65551234"),
        ("0571-87654321", "0571-87654321"),
        ("0755 8765 4321", "0755-87654321"),
        ("021-65551234-808", "021-65551234-808"),
        ("021-65551234转808", "021-65551234-808"),
        ("021-65551234 转 808", "021-65551234-808"),
        ("021-65551234分机808", "021-65551234-808"),
        ("021-65551234 ext. 808", "021-65551234-808"),
        ("(021)65551234-808", "021-65551234-808"),
        ("65551234", "65551234"),
        ("6555-1234", "65551234"),
        ("6555123", "6555123"),
        ("65551234转808", "65551234-808"),
        ("400-820-8820", "400-820-8820"),
        ("4008208820", "400-820-8820"),
        ("400 820 8820", "400-820-8820"),
        ("800-820-8820", "800-820-8820"),
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        (13812345678.0, "13812345678"),
        (65551234.0, "65551234"),
        (2165551234.0, "021-65551234"),  # a number cell dropped the leading 0
        (4008208820, "400-820-8820"),
    ],
)
def test_it_stores_a_phone_as_area_code_hyphen_subscriber(raw, stored):
    assert normalize_phone(raw) == stored


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "required"),
        (None, "required"),
        ("95588", "phone_invalid"),  # a bank's short number
        ("12345", "phone_invalid"),
        ("0", "phone_invalid"),
        ("1234567", "phone_invalid"),  # local numbers never start with 1
        ("0123456", "phone_invalid"),
        ("010-1234567", "phone_invalid"),  # Beijing numbers have 8 digits
        ("2165551234", "phone_invalid"),  # typed text without the trunk 0 is ambiguous
        ("021-1234", "phone_invalid"),
        ("+1 650 253 0000", "phone_invalid"),
        ("+852 2123 4567", "phone_invalid"),
        ("13812345678-808", "phone_invalid"),  # mobiles have no extensions
        ("021-65551234-1234567", "phone_invalid"),  # extension too long
        ("950-1234-5678", "phone_invalid"),
        ("6555-1234-808", "phone_invalid"),  # a local number's extension must be spelled out
        ("电话：021-65551234", "phone_invalid"),
        ("021-65551234 / 13812345678", "phone_invalid"),
        ("not a number", "phone_invalid"),
    ],
)
def test_it_rejects_what_is_not_a_mainland_phone(raw, code):
    assert error_code(normalize_phone, raw) == code


# --- resident ID number ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        (ID_NUMBER, ID_NUMBER),
        (ID_NUMBER.lower(), ID_NUMBER),
        ("110105 19491231 002x", ID_NUMBER),
        ("110105-19491231-002X", ID_NUMBER),
        (full_width(ID_NUMBER.lower()), ID_NUMBER),
        (f"\u00a0{ID_NUMBER}\u3000", ID_NUMBER),
        (ID_NUMBER_DIGIT_CHECK, ID_NUMBER_DIGIT_CHECK),
        (int(ID_NUMBER_DIGIT_CHECK), ID_NUMBER_DIGIT_CHECK),  # an exact int, not a float
        (ID_NUMBER_NEW_DISTRICT, ID_NUMBER_NEW_DISTRICT),
    ],
)
def test_it_accepts_an_id_number_with_lowercase_x_spaces_or_full_width(raw, stored):
    assert normalize_id_number(raw) == stored


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "required"),
        (None, "required"),
        ("110105491231002", "id_number_invalid"),  # first-generation 15-digit number
        (ID_NUMBER[:17], "id_number_invalid"),
        (ID_NUMBER + "1", "id_number_invalid"),
        ("11010519491231002A", "id_number_invalid"),
        ("X10105194912310021", "id_number_invalid"),
        ("身份证11010519491231002X", "id_number_invalid"),
        (wrong_last(ID_NUMBER), "id_number_checksum"),
        ("110105194912310021", "id_number_checksum"),
        (valid_id("11010519491331002"), "id_number_birth_date"),  # month 13
        (valid_id("11010519490230002"), "id_number_birth_date"),  # 30 February
        (valid_id("11010500000101002"), "id_number_birth_date"),  # year 0
        (float(ID_NUMBER_DIGIT_CHECK), "lost_digits"),  # Excel showed 3.60426E+17
    ],
)
def test_it_rejects_a_bad_id_number_with_a_specific_code(raw, code):
    assert error_code(normalize_id_number, raw) == code


# --- email -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("liaison@example.com", "liaison@example.com"),
        ("Zhang.Wei@Example.COM", "Zhang.Wei@example.com"),
        (" liaison@example.com\u00a0", "liaison@example.com"),
        ("zhang＠163．com", "zhang@163.com"),
        ("zhang@163。com", "zhang@163.com"),
        ("wang@例子.中国", "wang@例子.中国"),
    ],
)
def test_it_lower_cases_only_the_domain_of_an_email(raw, stored):
    assert normalize_email(raw) == stored


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "required"),
        (None, "required"),
        ("liaison", "email_invalid"),
        ("liaison@", "email_invalid"),
        ("@example.com", "email_invalid"),
        ("zhang wei@example.com", "email_invalid"),
        ("zhang@@example.com", "email_invalid"),
        ("zhang@example", "email_invalid"),
        (13812345678, "email_invalid"),
    ],
)
def test_it_rejects_what_is_not_an_email(raw, code):
    assert error_code(normalize_email, raw) == code


# --- yes/no and size -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "answer"),
    [
        ("是", True),
        ("否", False),
        ("Y", True),
        ("n", False),
        ("Yes", True),
        ("NO", False),
        ("true", True),
        ("FALSE", False),
        ("1", True),
        ("0", False),
        ("1.0", True),
        ("0.0", False),
        ("√", True),
        ("×", False),
        ("✓", True),
        ("✗", False),
        ("✔", True),
        ("✘", False),
        ("Ｙ", True),
        (" 是\u00a0", True),
        (1, True),
        (0, False),
        (1.0, True),
        (0.0, False),
        (True, True),
        (False, False),
        ("", False),
        (None, False),
        (float("nan"), False),
    ],
)
def test_it_reads_yes_no_in_the_ways_spreadsheets_write_it(raw, answer):
    assert parse_yes_no(raw) is answer


@pytest.mark.parametrize("raw", ["maybe", "有", "x", "2", 2, -1, 0.5, "是的"])
def test_it_rejects_an_unclear_yes_no(raw):
    assert error_code(parse_yes_no, raw) == "yes_no_invalid"


@pytest.mark.parametrize(
    ("raw", "size"),
    [
        ("大型", "large"),
        ("中型", "medium"),
        ("小型", "small"),
        ("微型", "micro"),
        ("小型企业", "small"),
        ("Large", "large"),
        ("MEDIUM", "medium"),
        (" micro\u00a0", "micro"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_reads_enterprise_size_in_chinese_or_english(raw, size):
    assert normalize_size(raw) == size


@pytest.mark.parametrize("raw", ["特大型", "big", "大", 1])
def test_it_rejects_an_unknown_size(raw):
    assert error_code(normalize_size, raw) == "size_invalid"


def test_every_size_has_a_chinese_label_that_reads_back_as_itself():
    assert set(normalize.SIZE_LABELS_ZH) == {"large", "medium", "small", "micro"}
    for size, label in normalize.SIZE_LABELS_ZH.items():
        assert normalize_size(label) == size


# --- optional columns ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn", [optional_uscc, optional_mobile, optional_phone, optional_id_number, optional_email]
)
@pytest.mark.parametrize("blank", ["", None, " ", "\u00a0\u3000", "\u200b", float("nan")])
def test_an_optional_column_left_blank_is_stored_empty(fn, blank):
    assert fn(blank) == ""


def test_an_optional_column_still_normalises_and_validates_a_value():
    assert optional_mobile("+86 138-1234-5678") == "13812345678"
    assert error_code(optional_mobile, "12345") == "mobile_invalid"
    assert optional(normalize_size)("中型") == "medium"
    assert optional_mobile.__name__ == "normalize_mobile"


# --- masks -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("021-65551234", "021-****1234"),
        ("0571-8765432", "0571-****5432"),
        ("021-65551234-808", "021-****1234-808"),
        ("65551234", "****1234"),
        ("400-820-8820", "400-820-8820"),  # a published company line, not a person's
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone_keeps_the_area_code_and_last_four_digits(phone, masked):
    assert mask_phone(phone) == masked


def test_mask_id_number_keeps_the_first_and_last_four():
    assert mask_id_number("310101199001011234") == "3101**********1234"
    assert mask_id_number(ID_NUMBER) == "1101**********002X"
    assert mask_id_number("") == ""
    assert mask_id_number(None) == ""


def test_mask_text_keeps_only_the_first_character():
    assert mask_text("张伟") == "张**"
    assert mask_text("上海市浦东新区世纪大道1号") == "上**"
    assert mask_text("") == ""
    assert mask_text(None) == ""


# --- messages ----------------------------------------------------------------------------------

# One real input for every error code, so each message is rendered with the params the code
# actually raises it with.
ONE_ERROR_PER_CODE = [
    (normalize_uscc, "", "required"),
    (normalize_uscc, float(USCC_DIGITS_ONLY), "lost_digits"),
    (normalize_uscc, USCC[:17], "uscc_length"),
    (normalize_uscc, "A" + USCC[1:], "uscc_format"),
    (normalize_uscc, wrong_last(USCC), "uscc_checksum"),
    (normalize_mobile, "12345", "mobile_invalid"),
    (normalize_mobile, "1.38123E+10", "scientific"),
    (normalize_mobile, "14012345678", "mobile_unallocated"),
    (normalize_phone, "12345", "phone_invalid"),
    (normalize_id_number, "110105491231002", "id_number_invalid"),
    (normalize_id_number, wrong_last(ID_NUMBER), "id_number_checksum"),
    (normalize_id_number, valid_id("11010519491331002"), "id_number_birth_date"),
    (normalize_email, "liaison@", "email_invalid"),
    (parse_yes_no, "maybe", "yes_no_invalid"),
    (normalize_size, "huge", "size_invalid"),
    (normalize.optional_year, "去年", "year_invalid"),
    (normalize.normalize_executives, "张三、李四", "executives_invalid"),
    (normalize.normalize_executives, "董事：" + "张" * 2000, "executives_too_long"),
]


def test_every_message_code_has_an_example_error():
    assert {code for _fn, _raw, code in ONE_ERROR_PER_CODE} == set(normalize.MESSAGES)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(("fn", "raw", "code"), ONE_ERROR_PER_CODE)
def test_every_error_message_renders_with_its_params(fn, raw, code, language):
    from django.conf import settings as django_settings

    if not django_settings.configured:  # running with -p no:django
        django_settings.configure(USE_I18N=False)
    with pytest.raises(ValidationError) as excinfo:
        fn(raw)
    assert excinfo.value.code == code
    with translation.override(language):
        [message] = excinfo.value.messages  # interpolates the params: a KeyError fails here
        assert "%(" not in message
        if language == "en":
            assert "e.g." in message or "one of" in message or "like" in message
        assert str(excinfo.value)


@pytest.mark.parametrize(
    ("fn", "raw", "code"),
    [
        # Saved from Excel as CSV (or copied) from a cell formatted General.
        (normalize_mobile, "1.38123E+10", "scientific"),
        (normalize_mobile, "1.38123e+10", "scientific"),
        (normalize_phone, "1.38123E+10", "scientific"),
        (normalize_uscc, "9.13101E+17", "scientific"),
        (normalize_id_number, "1.10105E+17", "scientific"),
        # 18 digits that went through a float: the last ones are gone.
        (normalize_uscc, "913101150123456000.0", "lost_digits"),
        (normalize_id_number, "110105194912310000.0", "lost_digits"),
        # The shape of a mobile, in ranges no operator uses (phonenumbers' plan for CN).
        (normalize_mobile, "14012345678", "mobile_unallocated"),
        (normalize_mobile, "+86 154 1234 5678", "mobile_unallocated"),
        (normalize_mobile, "16012345678", "mobile_unallocated"),
        (normalize_phone, "14112345678", "mobile_unallocated"),
        # Not a mobile's shape at all: the general message stays.
        (normalize_mobile, "12345678901", "mobile_invalid"),
        (normalize_phone, "12345", "phone_invalid"),
        # A mistyped code with an E in it is no scientific notation (no sign after the E).
        (normalize_uscc, "91310115E12345678", "uscc_length"),
    ],
)
def test_digits_excel_lost_and_unused_mobile_ranges_get_their_own_message(fn, raw, code):
    with pytest.raises(ValidationError) as excinfo:
        fn(raw)
    assert excinfo.value.code == code


def test_the_scientific_notation_message_in_chinese_says_what_to_do():
    with pytest.raises(ValidationError) as excinfo, translation.override("zh-hans"):
        normalize_mobile("1.38123E+10")
    with translation.override("zh-hans"):
        [message] = excinfo.value.messages
    assert "Excel 把这个数字变成了科学计数法；请把该列设置为文本格式后重新输入" in message
    assert "1.38123E+10" in message and "13812345678" in message


def test_a_mobile_in_an_unused_range_is_named_as_such_in_chinese():
    with pytest.raises(ValidationError) as excinfo:
        normalize_mobile("14012345678")
    with translation.override("zh-hans"):
        [message] = excinfo.value.messages
    assert "号段" in message and "运营商" in message


# --- properties --------------------------------------------------------------------------------

NORMALISERS = [
    clean_text,
    clean_name,
    normalize_uscc,
    normalize_mobile,
    normalize_phone,
    normalize_id_number,
    normalize_email,
    parse_yes_no,
    normalize_size,
    optional_uscc,
    optional_mobile,
    optional_phone,
    optional_id_number,
    optional_email,
]

# Text made of what phone numbers, codes and spreadsheets are made of, so random input reaches
# past the first check more often than st.text() alone does.
spreadsheet_text = st.text(
    alphabet=st.sampled_from(
        [*"0123456789+-() .@xX转是否", "\u00a0", "\u3000", "\u200b", "１", "８", "（", "－"]
    ),
    max_size=24,
)
raw_values = st.one_of(
    st.none(),
    st.booleans(),
    st.text(),
    spreadsheet_text,
    st.integers(),
    st.integers(min_value=10**9, max_value=10**18),
    st.floats(),
)


@hypothesis_settings
@given(raw=raw_values)
@pytest.mark.parametrize("fn", NORMALISERS, ids=lambda fn: fn.__name__)
def test_a_normaliser_returns_a_value_or_raises_validation_error_only(fn, raw):
    try:
        fn(raw)
    except ValidationError as error:
        assert error.code in normalize.MESSAGES


@hypothesis_settings
@given(text=st.one_of(st.none(), st.text()))
@pytest.mark.parametrize("fn", [mask_phone, mask_id_number, mask_text])
def test_a_mask_never_fails(fn, text):
    assert isinstance(fn(text), str)


@hypothesis_settings
@given(raw=st.one_of(st.text(), spreadsheet_text))
def test_clean_text_is_idempotent_and_leaves_no_stray_spaces(raw):
    cleaned = clean_text(raw)
    assert clean_text(cleaned) == cleaned
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned


@st.composite
def messy(draw, text: str, separators: str = " -") -> str:
    """text as people type it: full-width, with separators inside and spaces around."""
    if draw(st.booleans()):
        text = full_width(text)
    chars = []
    for char in text:
        chars.append(char)
        if draw(st.integers(0, 5)) == 0:
            chars.append(draw(st.sampled_from(separators)))
    padding = st.sampled_from(["", " ", "\u00a0", "\u3000", "\u200b"])
    return draw(padding) + "".join(chars).strip(separators) + draw(padding)


@st.composite
def generated_uscc(draw) -> str:
    first8 = draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    rest = draw(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9))
    return valid_uscc(first8 + rest)


@hypothesis_settings
@given(data=st.data(), code=generated_uscc())
def test_uscc_normalisation_is_idempotent(data, code):
    raw = data.draw(messy(code.lower() if data.draw(st.booleans()) else code))
    assert normalize_uscc(raw) == code
    assert normalize_uscc(code) == code


valid_mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True).filter(
    lambda n: phonenumbers.is_valid_number(phonenumbers.parse(n, "CN"))
)
mobile_prefixes = st.sampled_from(["", "+86", "+86 ", "86", "86-", "0086", "0086 ", "+86-"])


@hypothesis_settings
@given(data=st.data(), mobile=valid_mobiles, prefix=mobile_prefixes)
def test_mobile_normalisation_is_idempotent(data, mobile, prefix):
    raw = prefix + data.draw(messy(mobile))
    assert normalize_mobile(raw) == mobile
    assert normalize_mobile(mobile) == mobile
    assert normalize_phone(raw) == mobile


landlines = st.builds(
    lambda area, separator, subscriber, extension: f"{area}{separator}{subscriber}{extension}",
    st.sampled_from(["010", "020", "021", "022", "023", "025", "027", "028", "029", "0571"]),
    st.sampled_from(["", "-", " ", ")"]),
    st.from_regex(r"[2-8][0-9]{7}", fullmatch=True),
    st.sampled_from(["", "-808", "转1", " ext. 123456"]),
)
service_numbers = st.from_regex(r"[48]00-?[0-9]{3}-?[0-9]{4}", fullmatch=True)
local_numbers = st.from_regex(r"[2-9][0-9]{6,7}", fullmatch=True)


@hypothesis_settings
@given(raw=st.one_of(landlines, service_numbers, local_numbers, valid_mobiles, spreadsheet_text))
def test_phone_normalisation_is_idempotent(raw):
    try:
        stored = normalize_phone(raw)
    except ValidationError:
        return
    assert normalize_phone(stored) == stored


@st.composite
def generated_id_numbers(draw) -> str:
    region = draw(st.sampled_from(["110105", "310101", "310115", "440305", "330113", "650109"]))
    birth = draw(st.dates(datetime.date(1900, 1, 1), datetime.date(2024, 12, 31)))
    sequence = draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    return valid_id(f"{region}{birth:%Y%m%d}{sequence}")


@hypothesis_settings
@given(data=st.data(), number=generated_id_numbers())
def test_id_number_normalisation_is_idempotent(data, number):
    raw = data.draw(messy(number.lower() if data.draw(st.booleans()) else number))
    assert normalize_id_number(raw) == number
    assert normalize_id_number(number) == number


@hypothesis_settings
@given(raw=st.emails())
def test_email_normalisation_is_idempotent(raw):
    try:
        stored = normalize_email(raw)
    except ValidationError:
        return
    assert normalize_email(stored) == stored
    assert stored.rpartition("@")[2] == stored.rpartition("@")[2].lower()
