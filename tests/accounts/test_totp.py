"""With ADMIN_TOTP_REQUIRED, admins enter a code from an authenticator app after their
password, and set one up at their first login. Codes here are real TOTPs computed from the
device's key (django_otp.oath.totp), at times set by time-machine."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.registry.api.conftest import PASSWORD

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _totp_on(settings):
    settings.ADMIN_TOTP_REQUIRED = True


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _login(client, username="alice_admin"):
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302


def _set_up(client, admin_user) -> TOTPDevice:
    _login(client)
    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=admin_user)
    response = client.post(reverse("accounts:otp_setup"), {"code": _code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    return device


def test_an_admin_without_an_authenticator_is_led_to_set_one_up(client, admin_user):
    with time_machine.travel(START, tick=False) as clock:
        _login(client)
        response = client.get(reverse("registry:enterprises"))
        assert response["Location"].startswith(reverse("accounts:otp_verify"))
        response = client.get(response["Location"])
        assert response["Location"].startswith(reverse("accounts:otp_setup"))
        page = client.get(response["Location"]).content.decode()
        device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
        assert "<svg" in page and 'data-testid="otp-qr"' in page
        shown_key = re.search(r'data-testid="otp-key">([A-Z2-7 ]+)<', page).group(1)
        from base64 import b32encode

        assert shown_key.replace(" ", "") == b32encode(device.bin_key).decode()

        wrong = client.post(reverse("accounts:otp_setup"), {"code": "000000"})
        assert wrong.status_code == 400
        assert "不正确" in wrong.content.decode()
        # django-otp makes the next try wait (1 s after one wrong code).
        assert (
            "请稍候"
            in client.post(reverse("accounts:otp_setup"), {"code": "000001"}).content.decode()
        )
        clock.shift(datetime.timedelta(seconds=5))
        response = client.post(
            reverse("accounts:otp_setup") + "?next=/enterprises/",
            {"code": _code(device), "next": reverse("registry:enterprises")},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("registry:enterprises")
        assert client.get(reverse("registry:enterprises")).status_code == 200
        device.refresh_from_db()
        assert device.confirmed


def test_the_next_login_asks_for_the_code_after_the_password(client, admin_user):
    with time_machine.travel(START, tick=False) as clock:
        device = _set_up(client, admin_user)
        client.logout()
        clock.shift(datetime.timedelta(minutes=5))
        _login(client)
        assert client.get("/").status_code == 302
        assert client.get(reverse("admin:index"))["Location"].startswith(
            reverse("accounts:otp_verify")
        )
        wrong = client.post(reverse("accounts:otp_verify"), {"code": "123456"})
        assert wrong.status_code == 400
        assert "不正确" in wrong.content.decode()
        clock.shift(datetime.timedelta(seconds=10))  # django-otp slows guessing down
        response = client.post(reverse("accounts:otp_verify"), {"code": _code(device)})
        assert response.status_code == 302
        assert client.get("/").status_code == 200
        assert client.get(reverse("admin:index")).status_code == 200


def test_a_code_works_once(client, admin_user):
    with time_machine.travel(START, tick=False):
        device = _set_up(client, admin_user)
        used = _code(device)
        client.logout()
        _login(client)
        assert client.post(reverse("accounts:otp_verify"), {"code": used}).status_code == 400


def test_staff_are_not_asked(client, staff_user):
    _login(client, "sam_staff")
    assert client.get("/").status_code == 200
    assert client.get(reverse("accounts:otp_verify")).status_code == 404


def test_the_api_token_needs_the_code_for_an_admin(client, admin_user):
    api = APIClient()
    body = {"username": "alice_admin", "password": PASSWORD}
    with time_machine.travel(START, tick=False) as clock:
        response = api.post("/api/token/", body, format="json")
        assert response.status_code == 403  # no authenticator yet: set it up in the browser
        device = _set_up(client, admin_user)
        clock.shift(datetime.timedelta(minutes=1))
        response = api.post("/api/token/", body, format="json")
        assert response.status_code == 403
        assert "otp_code" in response.json()["errors"]["detail"][0]
        response = api.post("/api/token/", {**body, "otp_code": _code(device)}, format="json")
        assert response.status_code == 200


def test_an_unverified_admin_session_does_not_open_the_api(client, admin_user):
    _login(client)
    response = client.get("/api/enterprises/")
    assert response.status_code == 403
    assert "验证" in response.json()["errors"]["detail"][0]


def test_off_by_default_nobody_is_asked(client, admin_user, settings):
    settings.ADMIN_TOTP_REQUIRED = False
    _login(client)
    assert client.get("/").status_code == 200
    assert client.get(reverse("accounts:otp_setup")).status_code == 404


def test_a_token_from_before_the_authenticator_stops_working(client, admin_user, settings):
    from rest_framework.authtoken.models import Token

    settings.ADMIN_TOTP_REQUIRED = False
    api = APIClient()
    body = {"username": "alice_admin", "password": PASSWORD}
    key = api.post("/api/token/", body, format="json").json()["token"]
    settings.ADMIN_TOTP_REQUIRED = True
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    # No authenticator yet: the token issued without one is refused.
    assert api.get("/api/enterprises/").status_code == 401
    with time_machine.travel(START, tick=False):
        _set_up(client, admin_user)
    # Setting one up ended the old token.
    assert not Token.objects.filter(key=key).exists()
    assert api.get("/api/enterprises/").status_code == 401


def test_becoming_an_admin_ends_the_token(staff_user):
    from rest_framework.authtoken.models import Token

    from registry import services
    from registry.roles import Role
    from tests.factories import UserFactory

    token = Token.objects.create(user=staff_user)
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    services.user_role_set(user=staff_user, role=Role.STAFF, is_active=True, by=boss)
    assert Token.objects.filter(pk=token.pk).exists()  # no new role: kept
    services.user_role_set(user=staff_user, role=Role.ADMIN, is_active=True, by=boss)
    assert not Token.objects.filter(pk=token.pk).exists()
