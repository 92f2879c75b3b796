"""Normalise and validate every value that enters the registry.

Forms, the API, the spreadsheet import and the admin all call these functions, so a value is
stored the same way whichever door it came through (``１３８ 1234-5678`` and ``13812345678.0``
both become ``13812345678``). Pure functions: no database, no models.

Each function takes the raw value as a person or a spreadsheet gives it (str, int, float,
None) and returns the cleaned value or raises ``ValidationError`` with a stable ``code`` and a
message that says what is wrong and what a right value looks like.

Check characters and phone-number plans come from python-stdnum and phonenumbers, never from
hand-written algorithms.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric, uscc

T = TypeVar("T")

# Examples shown in messages. They are params, not part of the msgids, so translators never
# have to copy them and changing one does not invalidate a translation. Both identifiers
# carry a correct check character (the ID is the sample from GB 11643 itself).
EXAMPLE_USCC = "91310000MA1FL8XQ37"
EXAMPLE_MOBILE = "13812345678"
EXAMPLE_LANDLINE = "021-65551234"
EXAMPLE_EXTENSION = "021-65551234-808"
EXAMPLE_SERVICE = "400-820-8820"
EXAMPLE_ID_NUMBER = "11010519491231002X"
EXAMPLE_EMAIL = "liaison@example.com"

SIZE_LABELS_ZH = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}

# One message per code, so the code alone tells a caller (or a test) which message was used.
MESSAGES = {
    "required": _("This value is required. Enter one like %(example)s."),
    "lost_digits": _(
        "The spreadsheet stored this value as a number, so the digits after the 15th were "
        "lost. Format the column as text and type the full value, e.g. %(example)s."
    ),
    "scientific": _(
        "Excel turned this number into scientific notation (%(value)s) and its digits are "
        "lost; format the column as Text and type it again, e.g. %(example)s."
    ),
    "uscc_length": _(
        "Enter an 18-character unified social credit code, e.g. %(example)s "
        "(this one has %(length)s characters)."
    ),
    "uscc_format": _(
        "Enter a unified social credit code of 8 digits then 10 digits or capital letters "
        "(no I, O, S, V or Z), e.g. %(example)s."
    ),
    "uscc_checksum": _(
        "Enter an 18-character unified social credit code, e.g. %(example)s "
        "(the check character does not match; look for a mistyped character)."
    ),
    "mobile_invalid": _(
        "Enter an 11-digit mainland mobile number, e.g. %(example)s or +86 %(example)s."
    ),
    "mobile_unallocated": _(
        "No operator issues mobile numbers in the range this one is in; check it for a "
        "mistyped digit. A mainland mobile number looks like %(example)s."
    ),
    "phone_invalid": _(
        "Enter a phone number with its area code, e.g. %(landline)s, %(extension)s "
        "(with extension), %(mobile)s or %(service)s."
    ),
    "id_number_invalid": _(
        "Enter an 18-character resident ID number (17 digits, then a digit or X), "
        "e.g. %(example)s. Old 15-digit numbers are not accepted."
    ),
    "id_number_checksum": _(
        "Enter an 18-character resident ID number, e.g. %(example)s "
        "(the last character does not match the others; look for a mistyped digit)."
    ),
    "id_number_birth_date": _(
        "Enter an 18-character resident ID number, e.g. %(example)s "
        "(characters 7 to 14 are not a real birth date)."
    ),
    "email_invalid": _("Enter an email address like %(example)s."),
    "yes_no_invalid": _("Enter yes or no, as one of: %(accepted)s."),
    "year_invalid": _("Enter a year as four digits, e.g. %(example)s."),
    "size_invalid": _("Enter an enterprise size, as one of: %(accepted)s."),
    "executives_invalid": _(
        "Write the executives as role: names, e.g. %(accepted)s (roles: 董事, 监事, 高管)."
    ),
    "executives_too_long": _(
        "Enter the executives in at most %(max)s characters, written like %(accepted)s."
    ),
}


def _error(code: str, **params: Any) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params)


# --- text ----------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")
# Zero-width spaces, BOMs, bidi marks and control characters come along when text is pasted
# from web pages, WeChat or Word. They are invisible, so nobody means them. (\t, \n and the
# like are control characters too, but count as whitespace and become a space instead.)
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs"}


def clean_text(value: object) -> str:
    """The first step for every value: a str with full-width characters made half-width,
    invisible characters removed and whitespace collapsed to single spaces."""
    if value is None:
        return ""
    if isinstance(value, float):
        # An empty cell read through pandas is NaN, not None.
        if math.isnan(value):
            return ""
        # Excel stores every number as a float, so a phone number typed into a cell comes
        # back as 13812345678.0; the ".0" was never part of what the person typed.
        if value.is_integer():
            return str(int(value))
    text = str(value)
    if text.isprintable():
        # The common case at 100k rows: nothing invisible to drop, so skip the per-character
        # pass (isprintable is False for every Cc/Cf/Cs character and for NBSP and the
        # ideographic space, which take the full path below).
        text = unicodedata.normalize("NFKC", text)  # the text itself when already NFKC
        if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
            # Nothing to collapse: printable text holds no whitespace but the plain space
            # (every other is a control or separator character), none doubled or at an end.
            return text
        return _WHITESPACE.sub(" ", text).strip()
    text = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
    )
    # NFKC turns full-width ("１３８", "（", "＠") and NBSP / ideographic spaces into their
    # plain forms; it runs after the removal above so removing a character cannot leave a
    # pair that NFKC would then compose on a second pass.
    text = unicodedata.normalize("NFKC", text)
    return _WHITESPACE.sub(" ", text).strip()


def clean_name(value: object) -> str:
    """Names and addresses: clean_text, keeping single inner spaces ("John Smith")."""
    return clean_text(value)


def _lost_digits(value: object) -> bool:
    """True for a float too big for Excel's 15 significant digits: an 18-digit code typed
    into a number cell shows as 3.10101E+17 and has already lost its last digits."""
    return isinstance(value, float) and math.isfinite(value) and abs(value) >= 1e15


# What Excel makes of a long number typed into a cell formatted General and then saved as text
# (CSV) or copied: "1.38123E+10", always with a sign after the E, which no code, phone or ID
# number has. Checked only on the way to an error, never on a value that is valid.
_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?E[+-][0-9]{1,3}", re.IGNORECASE)
# A value of 16 or more digits that went through a float: "913101150123456000.0".
_FLOAT_LOOKING = re.compile(r"[0-9]{16,}\.[0-9]+")


def _excel_damage(text: str, example: str) -> ValidationError | None:
    """The error for a value whose digits Excel already lost, or None."""
    compact = text.replace(" ", "")
    if _SCIENTIFIC.fullmatch(compact):
        return _error("scientific", value=compact, example=example)
    if _FLOAT_LOOKING.fullmatch(compact):
        return _error("lost_digits", example=example)
    return None


# --- unified social credit code (GB 32100-2015) ---------------------------------------------


_CODE_SEPARATORS = re.compile(r"[\s-]")
# GB 32100-2015 (and stdnum.cn.uscc): 8 digits, then 10 of 0-9 and the letters but I O S V Z.
_USCC_FORMAT = re.compile(r"[0-9]{8}[0-9ABCDEFGHJKLMNPQRTUWXY]{10}")


def normalize_uscc(value: object) -> str:
    """统一社会信用代码: 18 characters, upper case, check character verified."""
    if _lost_digits(value):
        raise _error("lost_digits", example=EXAMPLE_USCC)
    code = _CODE_SEPARATORS.sub("", clean_text(value)).upper()
    if not code:
        raise _error("required", example=EXAMPLE_USCC)
    if len(code) != 18:
        raise _excel_damage(code, EXAMPLE_USCC) or _error(
            "uscc_length", example=EXAMPLE_USCC, length=len(code)
        )
    # stdnum indexes its alphabet with each character, so keep non-ASCII (e.g. Arabic-Indic
    # digits, which pass str.isdigit) away from it.
    if not (code.isascii() and code.isalnum()):
        raise _error("uscc_format", example=EXAMPLE_USCC)
    # stdnum's validate() is these two checks after compacting the code (twice) again, which
    # is most of its cost at 100,000 rows; the check character is still stdnum's.
    if not _USCC_FORMAT.fullmatch(code):
        raise _error("uscc_format", example=EXAMPLE_USCC)
    if uscc.calc_check_digit(code[:17]) != code[17]:
        raise _error("uscc_checksum", example=EXAMPLE_USCC)
    return code


# --- phone numbers -------------------------------------------------------------------------

# Separators people put inside numbers: spaces, hyphens and dashes of every width, brackets.
_PHONE_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−()]")
_DIGITS = re.compile(r"\+?[0-9]+")
_FLOAT_TAIL = re.compile(r"^(\+?[0-9]+)\.0+$")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# A local number without its area code; Chinese subscriber numbers start with 2-9.
_LOCAL = re.compile(r"[2-9][0-9]{6,7}")
_EXTENSION = re.compile(
    r"(?P<number>.*[0-9])\s*(?P<separator>-|转|分机|ext\.?|x|#)\s*(?P<ext>[0-9]{1,6})", re.I
)


def _compact_number(text: str) -> str | None:
    """Digits with an optional leading +, or None if anything else is left."""
    compact = _PHONE_SEPARATORS.sub("", text)
    # A CSV written by pandas keeps the float's ".0" as text: "13812345678.0".
    if "." in compact:
        compact = _FLOAT_TAIL.sub(r"\1", compact)
    return compact if _DIGITS.fullmatch(compact) else None


def _mobile_shape(compact: str) -> str | None:
    """The 11 digits of what is shaped like a mainland mobile (1[3-9] and 9 more digits, any
    +86 prefix removed), whether or not an operator uses its range."""
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            compact = compact.removeprefix(prefix)
            break
    else:
        if compact.startswith("86") and len(compact) == 13:
            compact = compact[2:]
    return compact if _MOBILE.fullmatch(compact) else None


def _mobile_digits(compact: str) -> str | None:
    if compact[:1] == "0" and not compact.startswith("0086"):
        return None  # a landline's trunk 0: no mobile's shape (_mobile_shape), asked first
    mobile = _mobile_shape(compact)
    return mobile if mobile and _mobile_block_valid(mobile[:7]) else None


def _not_a_mobile(text: str, compact: str | None, fallback: ValidationError) -> ValidationError:
    """The clearest error for a value that is no mobile: digits lost in Excel, a mobile's
    shape in a range no operator uses (phonenumbers' plan, _mobile_block_valid), or
    ``fallback``."""
    damage = _excel_damage(text, EXAMPLE_MOBILE)
    if damage is not None:
        return damage
    if compact and _mobile_shape(compact):
        return _error("mobile_unallocated", example=EXAMPLE_MOBILE)
    return fallback


@functools.lru_cache(maxsize=8192)
def _mobile_block_valid(prefix: str) -> bool:
    """Whether phonenumbers knows 11-digit mobiles starting with these 7 digits. China's
    mobile plan is allocated in blocks of the first 7 digits (号段 + HLR code), the last 4 are
    free, so the answer for the block is the answer for each number in it; cached, because
    phonenumbers' check costs ~70 µs a number and an import checks 100,000."""
    try:
        # Some blocks (e.g. 17993…) read as an IP-call prefix and leave too few digits.
        number = phonenumbers.parse(prefix + "0000", "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def normalize_mobile(value: object) -> str:
    """A mainland mobile number as its 11 digits, whatever prefix and separators it came with."""
    text = clean_text(value)
    if not text:
        raise _error("required", example=EXAMPLE_MOBILE)
    compact = _compact_number(text)
    mobile = _mobile_digits(compact) if compact else None
    if mobile is None:
        raise _not_a_mobile(text, compact, _error("mobile_invalid", example=EXAMPLE_MOBILE))
    return mobile


_SERVICE = re.compile(r"[48]00[0-9]{7}")


def _landline(compact: str) -> str | None:
    """0AA-NNNNNNNN / 0AAA-NNNNNNN, a bare local number, or a 400/800 number."""
    if _LOCAL.fullmatch(compact):
        return compact
    if compact.startswith("0086"):
        compact = "+86" + compact[4:]
    elif compact.startswith("86") and len(compact) >= 11:
        compact = "+" + compact
    # Without +86 the leading 0 (trunk prefix) is required; phonenumbers would also accept
    # "1065551234" as Beijing, but a 10-digit number starting with 1 is more likely a mobile
    # with a digit missing.
    if not (compact.startswith(("+86", "0")) or _SERVICE.fullmatch(compact)):
        return None
    if len(compact) < 9:
        return _landline_checked(compact)
    if compact.startswith("+86"):
        national = compact[3:]
    elif compact.startswith("0"):
        national = compact[1:]
    else:
        national = compact  # 400/800
    if not national.isdigit() or national.startswith("0"):
        return _landline_checked(compact)
    # phonenumbers.parse is most of the cost of a check (~55 µs of ~70): ask only of which
    # type the national number is (cn_number_type, ~3 µs). The layout (where
    # the area code ends) is decided by the leading digits, so it is taken from the number's
    # head with "0000" for its last four digits, cached per head. Anything the shortcut cannot
    # confirm takes the full check; tests/registry/test_normalize_cache.py compares both ways.
    head = _landline_layout(compact[:-4])
    if head is None:
        return _landline_checked(compact)
    layout, kind = head
    # number_type is UNKNOWN exactly when is_valid_number is False (for +86 both judge the
    # national number against China's metadata), and ``kind`` is never UNKNOWN: one call, not
    # two; and asked of China's metadata directly (cn_number_type), without the number
    # object's round trip through the region look-ups.
    if cn_number_type(national) != kind:
        return _landline_checked(compact)
    return layout + compact[-4:]


@functools.cache
def _cn_type_tests() -> tuple:
    """China's metadata as phonenumbers' number_type reads it, each description's pattern
    compiled once: (general, [(type, test) in phonenumbers' order], fixed line, mobile, whether
    the two share a pattern)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")

    def test(desc) -> Callable[[str], bool] | None:
        # phonenumbers' _is_number_matching_desc: the possible lengths, then the whole pattern.
        if desc is None or not desc.national_number_pattern:
            return None
        pattern = re.compile(desc.national_number_pattern)
        lengths = frozenset(desc.possible_length)
        return lambda nsn: (not lengths or len(nsn) in lengths) and bool(pattern.fullmatch(nsn))

    others = [
        (kind, found)
        for kind, desc in (
            (PhoneNumberType.PREMIUM_RATE, metadata.premium_rate),
            (PhoneNumberType.TOLL_FREE, metadata.toll_free),
            (PhoneNumberType.SHARED_COST, metadata.shared_cost),
            (PhoneNumberType.VOIP, metadata.voip),
            (PhoneNumberType.PERSONAL_NUMBER, metadata.personal_number),
            (PhoneNumberType.PAGER, metadata.pager),
            (PhoneNumberType.UAN, metadata.uan),
            (PhoneNumberType.VOICEMAIL, metadata.voicemail),
        )
        if (found := test(desc)) is not None
    ]
    never = lambda nsn: False  # noqa: E731
    return (
        test(metadata.general_desc) or never,
        others,
        test(metadata.fixed_line) or never,
        test(metadata.mobile) or never,
        metadata.same_mobile_and_fixed_line_pattern,
    )


def cn_number_type(national: str) -> int:
    """phonenumbers.number_type of +86 ``national`` (its digits, no leading 0), decided as
    phonenumbers decides it (_number_type_helper) from the same metadata, at a third of the
    cost; tests/registry/test_normalize_cache.py holds the two to the same answer."""
    general, others, fixed_line, mobile, same = _cn_type_tests()
    if not general(national):
        return PhoneNumberType.UNKNOWN
    for kind, test in others:
        if test(national):
            return kind
    if fixed_line(national):
        if same or mobile(national):
            return PhoneNumberType.FIXED_LINE_OR_MOBILE
        return PhoneNumberType.FIXED_LINE
    if not same and mobile(national):
        return PhoneNumberType.MOBILE
    return PhoneNumberType.UNKNOWN


@functools.lru_cache(maxsize=16384)
def _landline_layout(head: str) -> tuple[str, int] | None:
    checked = _landline_checked(head + "0000")
    if checked is None or not checked.endswith("0000"):
        return None
    number = phonenumbers.parse(head + "0000", "CN")
    return checked[:-4], phonenumbers.number_type(number)


def _landline_checked(compact: str) -> str | None:
    """phonenumbers' verdict and layout for a number with its trunk 0, +86 or 400/800."""
    try:
        number = phonenumbers.parse(compact, "CN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        return None
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    kind = phonenumbers.number_type(number)
    if kind in (PhoneNumberType.TOLL_FREE, PhoneNumberType.SHARED_COST):
        significant = str(number.national_number)
        if _SERVICE.fullmatch(significant):
            return national.replace(" ", "-")  # "400 820 8820" -> "400-820-8820"
        return None  # 95xxx and other special numbers: not a liaison's phone
    if kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        # phonenumbers knows where each area code ends ("021 6555 1234", "0571 8765 4321").
        area, _space, subscriber = national.partition(" ")
        return f"{area}-{subscriber.replace(' ', '')}"
    return None


def _phone(text: str) -> str | None:
    compact = _compact_number(text)
    if compact is None:
        return None
    return _mobile_digits(compact) or _landline(compact)


def normalize_phone(value: object) -> str:
    """A landline ("021-65551234", "021-65551234-808", or a bare local "65551234"), a 400/800
    number ("400-820-8820") or a mobile (11 digits)."""
    text = clean_text(value)
    if not text:
        raise _error("required", example=EXAMPLE_LANDLINE)
    return _normalize_phone(value, text)


def _normalize_phone(value: object, text: str) -> str:
    """normalize_phone of ``value``, whose clean_text is ``text`` (not empty)."""
    # The whole text is tried first: "021-6555-1234" is a number with a hyphen in it, not
    # 021-6555 with extension 1234.
    phone = _phone(text)
    if phone is not None:
        return phone
    # A landline typed into a number cell loses its leading 0 (02165551234 -> 2165551234);
    # for a numeric cell that 0 was certainly there, so put it back.
    if isinstance(value, int | float) and not isinstance(value, bool) and text.isdigit():
        phone = _landline("0" + text)
        if phone is not None:
            return phone
    match = _EXTENSION.fullmatch(text)
    if match:
        compact = _compact_number(match["number"])
        # Extensions belong to switchboards, never to mobiles.
        landline = _landline(compact) if compact and not _mobile_digits(compact) else None
        # After a bare local number a hyphen is too ambiguous ("950-1234-5678"): only a
        # spelled-out extension (转, 分机, ext) is taken there.
        if landline is not None and ("-" in landline or match["separator"] != "-"):
            return f"{landline}-{match['ext']}"
    raise _not_a_mobile(
        text,
        _compact_number(text),
        _error(
            "phone_invalid",
            landline=EXAMPLE_LANDLINE,
            extension=EXAMPLE_EXTENSION,
            mobile=EXAMPLE_MOBILE,
            service=EXAMPLE_SERVICE,
        ),
    )


# --- resident ID number (GB 11643) ---------------------------------------------------------


def normalize_id_number(value: object) -> str:
    """居民身份证号码: 18 characters with an upper-case X, check character and birth date
    verified."""
    if _lost_digits(value):
        raise _error("lost_digits", example=EXAMPLE_ID_NUMBER)
    number = _CODE_SEPARATORS.sub("", clean_text(value)).upper()
    if not number:
        raise _error("required", example=EXAMPLE_ID_NUMBER)
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        raise _excel_damage(number, EXAMPLE_ID_NUMBER) or _error(
            "id_number_invalid", example=EXAMPLE_ID_NUMBER
        )
    # stdnum's ric.validate() is not called as a whole: it also looks the first six digits
    # up in a table of counties, which is out of date (districts created since, such as
    # 330113 in 2021, raise KeyError), and a real person's ID must never be refused for that.
    # The check character already catches typos.
    if ric.calc_check_digit(number) != number[-1]:
        raise _error("id_number_checksum", example=EXAMPLE_ID_NUMBER)
    try:
        ric.get_birth_date(number)
    except stdnum_exceptions.ValidationError:
        raise _error("id_number_birth_date", example=EXAMPLE_ID_NUMBER) from None
    return number


# --- email ---------------------------------------------------------------------------------


def normalize_email(value: object) -> str:
    """An email address with its domain in lower case (the local part is left alone: it may
    be case-sensitive)."""
    text = clean_text(value)
    if not text:
        raise _error("required", example=EXAMPLE_EMAIL)
    local, at, domain = text.rpartition("@")
    # "。" is what a Chinese input method types for "." (zhang@163。com).
    email = f"{local}{at}{domain.replace('。', '.').lower()}"
    try:
        validate_email(email)
    except ValidationError:
        raise _error("email_invalid", example=EXAMPLE_EMAIL) from None
    return email


# --- choices -------------------------------------------------------------------------------

_YES = {"是", "y", "yes", "true", "1", "1.0", "√", "✓", "✔"}
_NO = {"否", "n", "no", "false", "0", "0.0", "×", "✗", "✘"}
_YES_NO_ACCEPTED = "是/否, Y/N, yes/no, true/false, 1/0, √/×, ✓/✗"
YES_NO_ACCEPTED = _YES_NO_ACCEPTED  # for the template's instructions


def parse_yes_no(value: object) -> bool:
    """是/否, Y/N, yes/no, true/false, 1/0, √/×, ✓/✗ (any case) -> bool; empty -> False."""
    if isinstance(value, bool):
        return value
    text = clean_text(value).lower()
    if text in _YES:
        return True
    if text in _NO or not text:
        return False
    raise _error("yes_no_invalid", accepted=_YES_NO_ACCEPTED)


def optional_yes_no(value: object) -> bool | None:
    """parse_yes_no, but empty -> None: for a column where a blank cell means "not known,
    change nothing" rather than 否 (the annual report's)."""
    if value is None or value == "" or not clean_text(value):
        return None
    return parse_yes_no(value)


_YEAR = re.compile(r"([0-9]{4})\s*(年度?)?")


def optional_year(value: object) -> int | None:
    """A year as people type it: 2025, 2025.0 (a number cell), 2025年, 2025年度; empty ->
    None."""
    text = clean_text(value)
    if not text:
        return None
    match = _YEAR.fullmatch(text)
    if match is None:
        raise _error("year_invalid", example="2025")
    return int(match.group(1))


_SIZES = {label: size for size, label in SIZE_LABELS_ZH.items()} | {s: s for s in SIZE_LABELS_ZH}
_SIZE_ACCEPTED = "大型/large, 中型/medium, 小型/small, 微型/micro"


def normalize_size(value: object) -> str:
    """Enterprise size (大型/中型/小型/微型 or large/medium/small/micro) -> "large", "medium",
    "small" or "micro"; empty -> ""."""
    text = clean_text(value).lower()
    # Statistical forms write the class in full: "小型企业".
    text = text.removesuffix("企业").strip()
    if not text:
        return ""
    try:
        return _SIZES[text]
    except KeyError:
        raise _error("size_invalid", accepted=_SIZE_ACCEPTED) from None


# --- executives (董事 / 监事 / 高管) -----------------------------------------------------------
# Stored as one canonical line, "董事：张三、李四；监事：王五；高管：赵六" (roles in this order,
# names in the order typed, no duplicates), so the history, the import and the major-change
# rule compare one text column, and "the same people typed differently" is no change.
EXECUTIVE_ROLES = ("董事", "监事", "高管")
_ROLE_WORDS = {
    "董事": "董事",
    "董事长": "董事",
    "副董事长": "董事",
    "执行董事": "董事",
    "独立董事": "董事",
    "director": "董事",
    "监事": "监事",
    "监事会主席": "监事",
    "supervisor": "监事",
    "高管": "高管",
    "经理": "高管",
    "总经理": "高管",
    "副总经理": "高管",
    "财务负责人": "高管",
    "董事会秘书": "高管",
    "executive": "高管",
    "manager": "高管",
}
_EXECUTIVES_ACCEPTED = "董事：张三、李四；监事：王五；高管：赵六"
EXECUTIVES_ACCEPTED = _EXECUTIVES_ACCEPTED  # for the template's instructions
_ENTRY_SPLIT = re.compile(r"[;\n]+")
_NAME_SPLIT = re.compile(r"[,、/]+")
EXECUTIVES_MAX_LENGTH = 1000


def parse_executives(value: object) -> list[tuple[str, str]]:
    """ "董事：张三、李四；监事：王五" (full-width or not, one role per entry, several names per
    role) -> [("董事", "张三"), ("董事", "李四"), ("监事", "王五")], roles in EXECUTIVE_ROLES'
    order; empty -> []. A role it does not know, or a name without a role, is an error."""
    text = value if isinstance(value, str) else clean_text(value)
    # NFKC makes "；" ";", "：" ":" and "，" ","; the line breaks of a textarea separate too.
    text = unicodedata.normalize("NFKC", text)
    found: dict[str, list[str]] = {role: [] for role in EXECUTIVE_ROLES}
    for entry in _ENTRY_SPLIT.split(text):
        entry = clean_text(entry)
        if not entry:
            continue
        role_word, colon, names = entry.partition(":")
        role = _ROLE_WORDS.get(clean_text(role_word).lower())
        if not colon or role is None:
            raise _error("executives_invalid", accepted=_EXECUTIVES_ACCEPTED)
        for name in _NAME_SPLIT.split(names):
            name = clean_name(name)
            if name and name not in found[role]:
                found[role].append(name)
    return [(role, name) for role in EXECUTIVE_ROLES for name in found[role]]


def format_executives(executives: list[tuple[str, str]]) -> str:
    """The canonical line of ``parse_executives``' list."""
    by_role: dict[str, list[str]] = {}
    for role, name in executives:
        by_role.setdefault(role, []).append(name)
    return "；".join(f"{role}：{'、'.join(names)}" for role, names in by_role.items())


def normalize_executives(value: object) -> str:
    """Any accepted way of writing the executives -> their canonical line; empty -> ""."""
    text = format_executives(parse_executives(value))
    if len(text) > EXECUTIVES_MAX_LENGTH:
        raise _error(
            "executives_too_long", max=EXECUTIVES_MAX_LENGTH, accepted=_EXECUTIVES_ACCEPTED
        )
    return text


# --- optional columns ----------------------------------------------------------------------


def optional(fn: Callable[[object], T]) -> Callable[[object], T | str]:
    """For columns that may be left blank: blank (after clean_text) -> "", else fn(value)."""

    @functools.wraps(fn)
    def wrapper(value: object) -> T | str:
        if not clean_text(value):
            return ""
        return fn(value)

    return wrapper


optional_uscc = optional(normalize_uscc)
optional_mobile = optional(normalize_mobile)


def optional_phone(value: object) -> str:
    """optional(normalize_phone), cleaning the text once (four columns of a registry file)."""
    text = clean_text(value)
    return _normalize_phone(value, text) if text else ""


optional_id_number = optional(normalize_id_number)
optional_email = optional(normalize_email)


# --- masks for display ---------------------------------------------------------------------


def mask_phone(phone: str | None) -> str:
    """138****5678 for a mobile, 021-****1234 for a landline (area code and last 4 kept)."""
    phone = phone or ""
    if not phone:
        return ""
    if _MOBILE.fullmatch(phone):
        return f"{phone[:3]}****{phone[-4:]}"
    if re.fullmatch(r"[48]00-[0-9]{3}-[0-9]{4}", phone):
        return phone  # a company's published service line, not a person's number
    parts = phone.split("-")
    area = f"{parts.pop(0)}-" if len(parts) > 1 and parts[0].startswith("0") else ""
    subscriber, *extension = parts
    return "-".join([f"{area}****{subscriber[-4:]}", *extension])


def mask_id_number(number: str | None) -> str:
    """3101**********1234: the first 4 (province and city) and last 4 characters kept."""
    number = number or ""
    if len(number) <= 8:
        return "*" * len(number)
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"


def mask_email(email: str | None) -> str:
    """z***@163.com: the first character of the mailbox and the domain kept (the domain says
    which provider, not who)."""
    email = email or ""
    local, at, domain = email.rpartition("@")
    if not at:
        return mask_text(email)
    return f"{local[:1]}***@{domain}"


def mask_text(text: str | None) -> str:
    """Other sensitive text: the first character, then "**" ("张**"); empty stays empty."""
    return f"{text[0]}**" if text else ""
