"""The password policy: at least 10 characters, three of four kinds, not a common one."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.passwords import CharacterClassValidator, character_classes
from tests.registry.api.conftest import PASSWORD


@pytest.mark.parametrize(
    ("password", "classes"),
    [
        ("abcdefghij", {"lower"}),
        ("ABCdef", {"upper", "lower"}),
        ("abc-123", {"lower", "digit", "symbol"}),
        ("Ab1 ", {"upper", "lower", "digit", "symbol"}),
        ("园区abc", {"lower"}),
    ],
)
def test_it_counts_the_kinds_of_character(password, classes):
    assert character_classes(password) == classes


@pytest.mark.parametrize("password", ["abcdefghijkl", "abcdef123456", "ABCDEFGhijkl"])
def test_two_kinds_are_not_enough(password):
    with pytest.raises(ValidationError) as error:
        CharacterClassValidator(min_classes=3).validate(password)
    assert error.value.code == "password_too_simple"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1-xyz", "password_too_short"),  # three kinds, 7 characters
        ("abcdefghijklmn", "password_too_simple"),
        ("Password123", "password_too_common"),
        ("1234567890", "password_entirely_numeric"),
    ],
)
def test_the_policy_refuses(password, code):
    with pytest.raises(ValidationError) as error:
        validate_password(password)
    assert code in {e.code for e in error.value.error_list}


def _refusals(password: str) -> list[str]:
    try:
        validate_password(password)
    except ValidationError as error:
        return error.messages
    return []


def test_a_good_password_passes():
    assert _refusals("Liaison-2026-park") == []
    assert _refusals("园区联络员abc-2026") == []


def test_the_message_is_chinese_first():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        validate_password("abcdefghijklmn")
    assert "至少" in " ".join(error.value.messages)


@pytest.mark.django_db
def test_the_password_page_refuses_a_weak_new_password(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "abcdefghij", "new_password2": "abcdefghij"},
    )
    assert response.status_code == 200
    assert "至少" in response.content.decode()
    staff_user.refresh_from_db()
    assert staff_user.check_password(PASSWORD)
