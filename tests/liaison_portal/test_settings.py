import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from liaison_portal import env

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "liaison_portal.settings.production",
    "SECRET_KEY": "k" * 20 + "-a-real-random-production-secret-key-0123456789",
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "ALLOWED_HOSTS": "portal.park.example",
    "SELF_SERVICE_BASE_URL": "https://portal.park.example",
    # A gateway of the park's own (any real backend; this one exists to be importable).
    "SMS_BACKEND": "outreach.messaging.backends.SmsBackend",
}


def _manage(*args, environ):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **environ},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_env_bool_fails_loudly_on_a_typo(monkeypatch):
    monkeypatch.setenv("DEBUG", "ture")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env.env_bool("DEBUG", False)


def test_env_int_fails_loudly_on_a_typo(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "25s")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        env.env_int("EMAIL_PORT", 25)


def test_a_required_variable_that_is_missing_is_named(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        env.env_str("SECRET_KEY")


def test_production_passes_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", environ=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing",
    ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "SELF_SERVICE_BASE_URL", "SMS_BACKEND"],
)
def test_production_refuses_to_start_without(missing):
    environ = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _manage("check", environ=environ)
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.parametrize(
    "backend",
    [
        "outreach.messaging.backends.ConsoleSmsBackend",
        "outreach.messaging.backends.FileRecordingSmsBackend",
    ],
)
def test_production_refuses_an_sms_backend_that_sends_nothing(backend):
    result = _manage("check", environ={**PRODUCTION_ENV, "SMS_BACKEND": backend})
    assert result.returncode != 0
    assert "SMS_BACKEND" in result.stderr and "sends nothing" in result.stderr


def test_production_refuses_a_link_address_that_is_not_https():
    result = _manage(
        "check", environ={**PRODUCTION_ENV, "SELF_SERVICE_BASE_URL": "http://localhost:8000"}
    )
    assert result.returncode != 0
    assert "SELF_SERVICE_BASE_URL" in result.stderr


def test_production_refuses_a_wecom_address_that_is_not_https():
    """A group robot's key travels in the webhook's query string."""
    result = _manage(
        "check", environ={**PRODUCTION_ENV, "WECOM_WEBHOOK_BASE": "http://qyapi.weixin.qq.com"}
    )
    assert result.returncode != 0
    assert "WECOM_WEBHOOK_BASE" in result.stderr


def test_trusted_proxy_count_must_not_be_negative():
    result = _manage("check", environ={**PRODUCTION_ENV, "TRUSTED_PROXY_COUNT": "-1"})
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT" in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = _manage("check", environ={**PRODUCTION_ENV, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("value", "parameters"),
    [
        ("username,ip_address", ["username", "ip_address"]),
        ("username", ["username"]),
        ("username+ip_address", [["username", "ip_address"]]),
        (" username , ip_address+user_agent ", ["username", ["ip_address", "user_agent"]]),
    ],
)
def test_login_lockout_by_reads_as_axes_lockout_parameters(value, parameters):
    assert env.lockout_parameters(value) == parameters


@pytest.mark.parametrize("value", ["", "user", "username,,ip_address", "username+addr"])
def test_login_lockout_by_fails_loudly_on_a_typo(value):
    with pytest.raises(ImproperlyConfigured, match="LOGIN_LOCKOUT_BY"):
        env.lockout_parameters(value)


_PRINT_TEST_SETTINGS = """
import django
from django.conf import settings
django.setup()
print(settings.CACHES["default"]["LOCATION"], settings.MEDIA_ROOT.name)
"""


def _test_settings(**environ):
    """The test settings of a process of a parallel run (`make test`: pytest-xdist)."""
    keep = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    return subprocess.run(
        [sys.executable, "-c", _PRINT_TEST_SETTINGS],
        cwd=ROOT,
        env={
            **keep,
            "DJANGO_SETTINGS_MODULE": "liaison_portal.settings.test",
            "DATABASE_URL": "postgres://portal@db.internal:5432/portal",
            **environ,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_each_process_of_a_parallel_run_has_its_own_cache_database_and_uploads():
    redis = {"CELERY_BROKER_URL": "redis://r:6379/0", "REDIS_URL": "redis://r:6379/1"}
    first = _test_settings(PYTEST_XDIST_WORKER="gw0", **redis)
    second = _test_settings(PYTEST_XDIST_WORKER="gw1", **redis)
    assert first.stdout.split() == ["redis://r:6379/1", "gw0"], first.stderr
    assert second.stdout.split() == ["redis://r:6379/2", "gw1"], second.stderr


def test_a_process_that_would_empty_the_brokers_database_stops_and_says_so():
    result = _test_settings(
        PYTEST_XDIST_WORKER="gw1",
        CELERY_BROKER_URL="redis://r:6379/2",
        REDIS_URL="redis://r:6379/1",
    )
    assert result.returncode != 0
    assert "would clear the broker's Redis database 2" in result.stderr
