"""The security log (等保 level 2, 7.1.4.3 安全审计; 网络安全法 art. 21): logins, failures,
lockouts, logouts, role and grid changes, accounts, reveals, exports, imports — who, when,
from where; nobody can change or delete an entry (the database refuses); only the nightly
purge removes entries older than SECURITY_LOG_KEEP_DAYS; admins and auditors read and
export it."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from registry import services
from registry.models import SecurityEvent
from registry.security_log import security_event_record, security_log_purge
from tests.factories import UserFactory
from tests.registry.api.conftest import PASSWORD

pytestmark = pytest.mark.django_db

Action = SecurityEvent.Action
LOGIN = "/accounts/login/"
MOMENT = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _rows(action, **filters):
    return list(SecurityEvent.objects.filter(action=action, **filters).order_by("id"))


def _login(client, username, password, address="10.1.2.3"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_a_login_is_logged_with_who_when_and_the_client_address(client, staff_user):
    with time_machine.travel(MOMENT, tick=False):
        _login(client, "sam_staff", PASSWORD)
    [row] = _rows(Action.LOGIN)
    assert row.user == staff_user and row.username == "sam_staff"
    assert row.address == "10.1.2.3"
    assert row.at == MOMENT


def test_a_token_for_the_api_is_logged_as_a_login(client, staff_user):
    response = client.post(
        "/api/token/",
        {"username": "sam_staff", "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR="10.1.2.4",
    )
    assert response.status_code == 200
    [row] = _rows(Action.LOGIN)
    assert (row.user, row.address, row.target) == (staff_user, "10.1.2.4", "/api/token/")


def test_failed_logins_and_the_lockout_are_logged_even_for_an_unknown_account(client, staff_user):
    _login(client, "nobody_here", "wrong")
    assert [r.username for r in _rows(Action.LOGIN_FAILED)] == ["nobody_here"]
    for _ in range(5):
        _login(client, "sam_staff", "wrong-password", address="10.9.9.9")
    failed = _rows(Action.LOGIN_FAILED, username="sam_staff")
    assert len(failed) == 5 and {r.address for r in failed} == {"10.9.9.9"}
    [locked] = _rows(Action.LOCKOUT)
    assert locked.username == "sam_staff" and locked.address == "10.9.9.9"


def test_a_logout_is_logged(client, staff_user):
    client.force_login(staff_user)
    client.post(reverse("logout"), REMOTE_ADDR="10.1.2.4")
    [row] = _rows(Action.LOGOUT)
    assert row.user == staff_user and row.address == "10.1.2.4"


def test_a_role_change_and_a_deactivation_name_who_did_it_to_whom(client, admin_user, worker_a):
    client.force_login(admin_user)
    client.post(
        reverse("registry:user_edit", args=[worker_a.pk]),
        {"role": "staff", "is_active": ""},
        REMOTE_ADDR="10.0.0.7",
    )
    [role] = _rows(Action.ROLE_CHANGED)
    assert (role.user, role.target) == (admin_user, "wang_grid_a")
    assert role.detail == {"from": "grid_worker", "to": "staff"}
    assert role.address == "10.0.0.7"
    [off] = _rows(Action.USER_DEACTIVATED)
    assert off.target == "wang_grid_a" and off.user == admin_user


def test_saving_a_user_unchanged_logs_nothing(admin_user, staff_user):
    services.user_role_set(user=staff_user, role="staff", is_active=True, by=admin_user)
    assert not _rows(Action.ROLE_CHANGED) and not _rows(Action.USER_DEACTIVATED)


def test_a_new_account_is_logged_with_the_admin_who_made_it(client, admin_user):
    client.force_login(admin_user)
    client.post(
        reverse("admin:auth_user_add"),
        {"username": "new_person", "password1": "Zq8!long-pass-x", "password2": "Zq8!long-pass-x"},
        REMOTE_ADDR="10.0.0.8",
    )
    [created] = _rows(Action.USER_CREATED, target="new_person")
    assert (created.target, created.user, created.address) == ("new_person", admin_user, "10.0.0.8")


def test_the_django_admin_user_page_cannot_change_roles_or_switch_accounts_off(
    client, admin_user, staff_user
):
    client.force_login(admin_user)
    page = client.get(reverse("admin:auth_user_change", args=[staff_user.pk])).content.decode()
    assert 'name="groups"' not in page and 'name="is_active"' not in page
    assert "角色" in page or "users page" in page


def test_grid_changes_name_the_workers_added_and_removed(admin_user, grid_a, worker_a, worker_b):
    services.grid_area_assign_workers(grid=grid_a, workers=[worker_b], by=admin_user)
    [row] = _rows(Action.GRID_CHANGED)
    assert row.target == "A" and row.user == admin_user
    assert row.detail == {"workers_added": ["li_grid_b"], "workers_removed": ["wang_grid_a"]}


def test_a_reveal_is_logged_without_the_value(client, staff_user, enterprise_a):
    client.force_login(staff_user)
    liaison = enterprise_a.liaisons.get()
    client.post(
        reverse("registry:reveal", args=[enterprise_a.uscc, "liaison", "mobile"]),
        {"id": liaison.pk},
        REMOTE_ADDR="10.0.0.9",
    )
    [row] = _rows(Action.REVEAL)
    assert row.user == staff_user and row.target == enterprise_a.uscc
    assert row.detail["field"] == "mobile" and row.address == "10.0.0.9"
    assert "13912345678" not in str(row.detail)


def test_an_export_is_logged(client, auditor, enterprise_a):
    client.force_login(auditor)
    client.get(reverse("registry:export") + "?format=csv", REMOTE_ADDR="10.0.0.10")
    [row] = _rows(Action.EXPORT)
    assert row.user == auditor and row.detail["rows"] == 1 and row.detail["format"] == "csv"


def test_nobody_can_change_or_delete_an_entry_not_even_through_the_orm(admin_user):
    security_event_record(action=Action.LOGIN, at=MOMENT, by=admin_user)
    with pytest.raises(DatabaseError), transaction.atomic():
        SecurityEvent.objects.update(username="someone_else")
    with pytest.raises(DatabaseError), transaction.atomic():
        SecurityEvent.objects.all().delete()
    assert SecurityEvent.objects.get(action=Action.LOGIN).username == "alice_admin"


def test_the_purge_removes_only_entries_older_than_the_setting_and_logs_itself(
    settings, admin_user
):
    settings.SECURITY_LOG_KEEP_DAYS = 190
    now = MOMENT
    old = security_event_record(
        action=Action.LOGIN, at=now - datetime.timedelta(days=191), by=admin_user
    )
    kept = security_event_record(
        action=Action.LOGIN, at=now - datetime.timedelta(days=189), by=admin_user
    )
    assert security_log_purge(now=now) == 1
    ids = set(SecurityEvent.objects.values_list("id", flat=True))
    assert old.pk not in ids and kept.pk in ids
    [purge] = _rows(Action.LOG_PURGE)
    assert purge.detail["deleted"] == 1
    # The purge's permission ends with it.
    with pytest.raises(DatabaseError), transaction.atomic():
        SecurityEvent.objects.filter(pk=kept.pk).delete()


def test_less_than_six_months_refuses_to_start(monkeypatch):
    from liaison_portal.env import env_int

    monkeypatch.setenv("SECURITY_LOG_KEEP_DAYS", "90")
    with pytest.raises(ImproperlyConfigured, match=r"SECURITY_LOG_KEEP_DAYS.*six months"):
        env_int("SECURITY_LOG_KEEP_DAYS", 190, minimum=183, why="six months")


def _purge_switch_on():
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('portal.security_log_purge', 'on', true)")


def test_even_with_the_purge_switch_on_the_database_keeps_six_months(admin_user):
    # The database's own clock is the floor here (not Python's, which the date runs move): a
    # row of yesterday by the database's clock.
    with connection.cursor() as cursor:
        cursor.execute("SELECT now() - interval '1 day'")
        (yesterday,) = cursor.fetchone()
    recent = security_event_record(action=Action.LOGIN, at=yesterday, by=admin_user)
    with pytest.raises(DatabaseError, match="Cannot delete"), transaction.atomic():
        _purge_switch_on()
        SecurityEvent.objects.filter(pk=recent.pk).delete()
    old = security_event_record(
        action=Action.LOGIN, at=yesterday - datetime.timedelta(days=200), by=admin_user
    )
    with transaction.atomic():
        _purge_switch_on()
        SecurityEvent.objects.filter(pk=old.pk).delete()
    assert _rows(Action.LOGIN) == [recent]


def test_nobody_can_truncate_the_log(admin_user):
    security_event_record(action=Action.LOGIN, at=MOMENT, by=admin_user)
    with pytest.raises(DatabaseError, match="Cannot truncate"), transaction.atomic():
        _purge_switch_on()
        with connection.cursor() as cursor:
            # The test's own inserts leave deferred foreign-key checks pending, which
            # TRUNCATE would refuse before any trigger.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE registry_securityevent")
    assert _rows(Action.LOGIN)


def test_a_token_request_creates_no_session(client, staff_user):
    from django.contrib.sessions.models import Session

    response = client.post(
        "/api/token/",
        {"username": "sam_staff", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert not Session.objects.exists()
    [row] = _rows(Action.LOGIN)
    assert row.user == staff_user
    staff_user.refresh_from_db()
    assert staff_user.last_login is not None


def test_the_django_admin_shows_the_log_but_cannot_change_or_delete_it(client, admin_user):
    row = security_event_record(action=Action.LOGIN, at=MOMENT, by=admin_user)
    client.force_login(admin_user)
    assert client.get(reverse("admin:registry_securityevent_changelist")).status_code == 200
    change = reverse("admin:registry_securityevent_change", args=[row.pk])
    assert client.post(change, {"username": "x"}).status_code == 403
    delete = reverse("admin:registry_securityevent_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert SecurityEvent.objects.filter(pk=row.pk, username="alice_admin").exists()


def test_auditors_read_the_log_in_chinese_and_filter_it_by_who_what_and_when(
    client, auditor, admin_user, staff_user
):
    security_event_record(action=Action.LOGIN, at=MOMENT, by=staff_user, address="10.0.0.1")
    security_event_record(
        action=Action.LOGIN_FAILED,
        at=MOMENT + datetime.timedelta(days=3),
        username="sam_staff",
        address="10.0.0.2",
    )
    security_event_record(action=Action.LOGIN, at=MOMENT, by=admin_user)
    client.force_login(auditor)
    page = client.get(reverse("registry:security_log")).content.decode()
    assert "安全日志" in page and "登录失败" in page and "来源地址" in page
    filtered = client.get(
        reverse("registry:security_log"),
        {"who": "sam", "action": "login", "since": "2026-03-01", "until": "2026-03-03"},
    ).content.decode()
    assert "10.0.0.1" in filtered
    assert "10.0.0.2" not in filtered  # a failure, and three days later
    assert "alice_admin" not in filtered


def test_the_export_of_the_log_is_a_csv_and_is_itself_logged(client, admin_user, staff_user):
    security_event_record(action=Action.LOGIN, at=MOMENT, by=staff_user, address="10.0.0.1")
    client.force_login(admin_user)
    response = client.get(reverse("registry:security_log_export"), {"who": "sam_staff"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["时间", "操作", "账号"]
    assert rows[1][1:4] == ["登录", "sam_staff", "10.0.0.1"]
    assert len(rows) == 2
    [export] = _rows(Action.EXPORT)
    assert export.user == admin_user and export.detail["what"] == "security_log"


def test_staff_and_grid_workers_cannot_read_the_log(client, staff_user, worker_a):
    for user in (staff_user, worker_a):
        client.force_login(user)
        assert client.get(reverse("registry:security_log")).status_code == 403


def test_an_account_that_logged_in_cannot_be_deleted_out_of_the_log(admin_user):
    user = UserFactory(username="temp")
    security_event_record(action=Action.LOGIN, at=MOMENT, by=user)
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017  (ProtectedError)
        user.delete()
    assert SecurityEvent.objects.filter(username="temp").exists()


@pytest.mark.parametrize("route", ["registry:security_log", "registry:security_log_export"])
def test_the_last_day_a_date_can_be_is_a_filter_not_a_server_error(client, auditor, route):
    client.force_login(auditor)
    response = client.get(reverse(route), {"since": "0001-01-01", "until": "9999-12-31"})
    assert response.status_code == 200


# --- The second factor and passwords (accounts' signals) -------------------------------


def test_the_second_factor_wrong_missing_and_set_up_are_logged(client, admin_user, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.accounts.test_totp import _code

    settings.ADMIN_TOTP_REQUIRED = True
    body = {"username": "alice_admin", "password": PASSWORD}
    with time_machine.travel(MOMENT, tick=False) as moving:
        # No authenticator yet: the API refuses the token.
        api = client.post("/api/token/", body, content_type="application/json")
        assert api.status_code == 403
        assert _rows(Action.SECOND_FACTOR_MISSING)[0].user == admin_user
        _login(client, "alice_admin", PASSWORD)
        client.get(reverse("accounts:otp_setup"))
        device = TOTPDevice.objects.get(user=admin_user)
        assert client.post(reverse("accounts:otp_setup"), {"code": "000000"}).status_code == 400
        moving.shift(datetime.timedelta(seconds=5))
        assert (
            client.post(reverse("accounts:otp_setup"), {"code": _code(device)}).status_code == 302
        )
        [enrolled] = _rows(Action.AUTHENTICATOR_ENROLLED)
        assert enrolled.user == admin_user
        moving.shift(datetime.timedelta(minutes=1))
        client.logout()
        _login(client, "alice_admin", PASSWORD)
        assert client.post(reverse("accounts:otp_verify"), {"code": "000000"}).status_code == 400
        moving.shift(datetime.timedelta(seconds=5))
        # The API (no session: a client of its own): a wrong code, and none at all.
        api = APIClient()
        assert (
            api.post("/api/token/", {**body, "otp_code": "000000"}, format="json").status_code
            == 403
        )
        assert api.post("/api/token/", body, format="json").status_code == 403
    failed = _rows(Action.SECOND_FACTOR_FAILED)
    assert [row.target for row in failed] == [
        reverse("accounts:otp_setup"),
        reverse("accounts:otp_verify"),
        "/api/token/",
    ]
    assert all(row.user == admin_user for row in failed)
    assert len(_rows(Action.SECOND_FACTOR_MISSING)) == 2


def test_passwords_set_by_an_admin_and_changed_by_their_owner_are_logged(
    client, admin_user, staff_user
):
    own = "My-own-secret-77"
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[staff_user.pk]),
        {
            "usable_password": "true",
            "password1": "Given-by-admin-1",
            "password2": "Given-by-admin-1",
        },
    )
    assert response.status_code == 302
    [set_by_admin] = _rows(Action.PASSWORD_SET_BY_ADMIN)
    assert (set_by_admin.user, set_by_admin.target) == (admin_user, "sam_staff")
    staff_user.refresh_from_db()  # the new password's hash, for the session
    client.force_login(staff_user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "Given-by-admin-1", "new_password1": own, "new_password2": own},
    )
    assert response.status_code == 302
    [changed] = _rows(Action.PASSWORD_CHANGED)
    assert (changed.user, changed.target) == (staff_user, "sam_staff")
    client.force_login(admin_user)
    page = client.get(reverse("registry:security_log")).content.decode()
    assert "管理员设置密码" in page and "本人修改密码" in page
