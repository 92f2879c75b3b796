"""The login lockout (django-axes): 5 failures lock the account and the address for 15
minutes, on the login page, the Django admin's login and /api/token/ alike; the right password
does not help meanwhile; the lock lifts by itself or by an admin."""

import datetime
import logging

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.registry.api.conftest import PASSWORD

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
LOGIN = "/accounts/login/"


def _page_login(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _token(username, password, address="10.0.0.1"):
    return APIClient().post(
        "/api/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_settings_are_five_failures_and_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert datetime.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]


def test_a_hundred_wrong_passwords_then_the_right_one_does_not_log_in_on_the_page(
    client, staff_user
):
    for _ in range(100):
        _page_login(client, "sam_staff", "wrong-password")
    response = _page_login(client, "sam_staff", PASSWORD)
    assert response.status_code == 429
    assert not _logged_in(client)
    html = response.content.decode()
    assert "登录失败次数过多" in html and "15 分钟" in html
    assert 'data-testid="locked-out"' in html
    assert client.get("/").status_code == 302  # still sent to the login page


def test_a_hundred_wrong_passwords_then_the_right_one_gets_no_token(staff_user):
    for _ in range(100):
        assert _token("sam_staff", "wrong-password").status_code in (400, 429)
    response = _token("sam_staff", PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.json()["errors"]["detail"][0]
    assert response["Retry-After"] == str(15 * 60)
    assert not Token.objects.exists()


def test_the_fifth_failure_locks_and_four_do_not(client, staff_user):
    for _ in range(4):
        assert _page_login(client, "sam_staff", "wrong-password").status_code == 200
    assert _page_login(client, "sam_staff", PASSWORD).status_code == 302
    assert _logged_in(client)
    client.logout()
    assert _page_login(client, "sam_staff", "wrong-password").status_code == 429


@pytest.mark.parametrize("door", ["page", "api"])
def test_the_lock_lifts_after_the_lockout_period(client, staff_user, door):
    def right():
        if door == "page":
            return _page_login(client, "sam_staff", PASSWORD).status_code
        return _token("sam_staff", PASSWORD).status_code

    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            _page_login(client, "sam_staff", "wrong-password")
        clock.shift(datetime.timedelta(minutes=14))
        assert right() == 429
        clock.shift(datetime.timedelta(minutes=1, seconds=1))
        assert right() == (302 if door == "page" else 200)


def test_attempts_during_the_lock_do_not_prolong_it(client, staff_user):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            _page_login(client, "sam_staff", "wrong-password")
        for _ in range(10):
            clock.shift(datetime.timedelta(minutes=1))
            _page_login(client, "sam_staff", PASSWORD)
        clock.shift(datetime.timedelta(minutes=5, seconds=1))
        assert _page_login(client, "sam_staff", PASSWORD).status_code == 302


def test_the_account_is_locked_from_every_address_and_the_address_for_every_account(
    client, staff_user, auditor
):
    for _ in range(5):
        _page_login(client, "sam_staff", "wrong-password", address="10.0.0.1")
    # The account, from a machine that never failed: someone guessing from many machines.
    assert _page_login(client, "sam_staff", PASSWORD, address="10.0.0.2").status_code == 429
    # Another account from the locked address: one machine trying account after account.
    assert _page_login(client, "audrey_auditor", PASSWORD, address="10.0.0.1").status_code == 429
    # Another account from another address is not concerned.
    assert _page_login(client, "audrey_auditor", PASSWORD, address="10.0.0.2").status_code == 302


def test_unknown_usernames_lock_the_address_too(client, staff_user):
    for n in range(5):
        _page_login(client, f"guess{n}", "wrong-password")
    assert _page_login(client, "sam_staff", PASSWORD).status_code == 429


def test_the_django_admin_login_is_locked_too(client, admin_user):
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "alice_admin", "password": "wrong-password"})
    response = client.post(url, {"username": "alice_admin", "password": PASSWORD})
    assert response.status_code == 429
    assert not _logged_in(client)


def test_a_lockout_is_logged_with_the_account_and_the_address(client, staff_user, caplog):
    with caplog.at_level(logging.WARNING, logger="accounts.security"):
        for _ in range(5):
            _page_login(client, "sam_staff", "wrong-password", address="10.9.8.7")
    locked = [r.getMessage() for r in caplog.records if r.name == "accounts.security"]
    assert any("login locked" in m and "sam_staff" in m and "10.9.8.7" in m for m in locked)


def test_an_admin_lifts_the_lock_on_the_user_page(client, staff_user, admin_user):
    for _ in range(5):
        _page_login(client, "sam_staff", "wrong-password")
    admin = client.__class__()
    admin.force_login(admin_user)
    page = admin.get(reverse("registry:user_edit", args=[staff_user.pk])).content.decode()
    assert "已锁定" in page and 'data-testid="unlock"' in page
    response = admin.post(reverse("registry:user_unlock", args=[staff_user.pk]))
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="sam_staff").exists()
    page = admin.get(reverse("registry:user_edit", args=[staff_user.pk])).content.decode()
    assert "没有近期的登录失败" in page
    assert _page_login(client, "sam_staff", PASSWORD).status_code == 302


def test_only_admins_lift_locks(client, staff_user, auditor):
    for _ in range(5):
        _page_login(client, "sam_staff", "wrong-password")
    client.force_login(auditor)
    assert client.post(reverse("registry:user_unlock", args=[staff_user.pk])).status_code == 403
    assert AccessAttempt.objects.filter(username="sam_staff").exists()


def test_the_django_admin_lists_the_attempts_for_admins(client, staff_user, admin_user):
    for _ in range(5):
        _page_login(client, "sam_staff", "wrong-password")
    client.force_login(admin_user)
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 200
    assert "sam_staff" in response.content.decode()
    attempt = AccessAttempt.objects.get(username="sam_staff")
    assert "wrong-password" not in attempt.post_data  # axes masks the password


def test_the_lockout_page_speaks_english_when_asked(client, staff_user):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(5):
        response = _page_login(client, "sam_staff", "wrong-password")
    assert "Too many failed logins" in response.content.decode()


def test_behind_the_proxy_one_persons_failures_do_not_lock_another_address(client, settings):
    """With the proxy counted, the lockout sees the liaisons' and staff's own addresses."""
    from tests.factories import UserFactory

    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="other_staff", password=PASSWORD)
    for _ in range(6):
        client.post(
            LOGIN,
            {"username": "nobody", "password": "wrong"},
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        )
    locked = client.post(
        LOGIN,
        {"username": "other_staff", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert locked.status_code == 429
    response = client.post(
        LOGIN,
        {"username": "other_staff", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    assert response.status_code == 302 and _logged_in(client)
    assert AccessAttempt.objects.filter(ip_address="198.51.100.1").exists()
