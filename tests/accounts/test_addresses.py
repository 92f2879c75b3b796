"""The client's address, read in one place (accounts.addresses.client_address): behind
TRUSTED_PROXY_COUNT proxies the entry the outermost one appended to X-Forwarded-For; with none,
REMOTE_ADDR and the header ignored."""

import ast
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory
from django.utils.module_loading import import_string

from accounts.addresses import client_address


def _request(remote="10.0.0.5", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("count", "forwarded", "client"),
    [
        (1, "198.51.100.1", "198.51.100.1"),
        # Whatever the client wrote itself stays left of what our proxy appended.
        (1, "1.2.3.4, 198.51.100.1", "198.51.100.1"),
        (1, "garbage, 198.51.100.1", "198.51.100.1"),
        (2, "1.2.3.4, 198.51.100.1, 10.0.0.4", "198.51.100.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_behind_trusted_proxies_the_outermost_ones_entry_is_the_client(
    settings, count, forwarded, client
):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_address(_request("10.0.0.5", forwarded)) == client


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address"])
def test_without_a_usable_header_it_is_the_connections_address(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request("10.0.0.5", forwarded)) == "10.0.0.5"


def test_a_request_without_an_address_has_none(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request("")) is None


def test_the_login_lockout_counts_by_the_same_address():
    assert import_string(django_settings.AXES_CLIENT_IP_CALLABLE) is client_address


def test_the_rate_limits_count_by_the_same_address():
    assert import_string(django_settings.RATELIMIT_IP_META_KEY) is client_address


ROOT = Path(__file__).resolve().parents[2]
ADDRESS_SOURCES = ("REMOTE_ADDR", "HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP")


def _reads_the_address_itself(tree) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        imports = (
            [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else []
        )
        if any(name.split(".")[0] == "ipware" for name in imports):
            lines.append(node.lineno)
        if isinstance(node, ast.Constant) and node.value in ADDRESS_SOURCES:
            lines.append(node.lineno)
    return lines


def test_no_other_module_reads_the_address_itself():
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for app in ("core", "accounts", "registry", "outreach", "monitoring", "liaison_portal")
        for path in sorted((ROOT / app).rglob("*.py"))
        if path != ROOT / "accounts" / "addresses.py"
        for line in _reads_the_address_itself(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not found, "read it with accounts.addresses.client_address:\n" + "\n".join(found)
