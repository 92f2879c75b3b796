"""registry.masking.mask_free_text: numbers inside free text, however they are grouped."""

import pytest

from registry.masking import mask_free_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Mobiles: the registry's 138****8000, whatever the grouping.
        ("电话13800138000", "电话138****8000"),
        ("电话 138 0013 8000", "电话 138****8000"),
        ("电话 138-0013-8000", "电话 138****8000"),
        ("电话 1380 0138 000", "电话 138****8000"),
        ("电话 138-001-38000", "电话 138****8000"),
        ("电话 138.0013.8000。", "电话 138****8000。"),
        ("电话 +86 138 0013 8000", "电话 138****8000"),
        ("电话 +8613800138000", "电话 138****8000"),
        ("电话 86-138-0013-8000", "电话 138****8000"),
        # Landlines: 021-****1234.
        ("座机 021-55551234", "座机 021-****1234"),
        ("座机 021 5555 1234", "座机 021-****1234"),
        ("座机 (021)5555 1234", "座机 021-****1234"),
        ("座机 (021) 5555-1234", "座机 021-****1234"),
        ("座机 0571.8888.1234", "座机 0571-****1234"),
        ("座机 0755-1234567", "座机 0755-****4567"),
        # Two numbers side by side each masked; digits that are part of a longer number left.
        ("13800138000、13900139000", "138****8000、139****9000"),
        ("订单 2138001380001", "订单 2138001380001"),
        ("金额 1000 元", "金额 1000 元"),
        # An ID number first (its digits would otherwise read as a mobile).
        ("身份证 310101199001011234", "身份证 3101**********1234"),
    ],
)
def test_numbers_in_free_text_are_masked_however_grouped(text, expected):
    assert mask_free_text(text) == expected


def test_empty_text_stays_empty():
    assert mask_free_text(None) == "" and mask_free_text("") == ""
