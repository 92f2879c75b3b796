"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Playwright cannot download its own browsers here, so the system Chromium is launched
(`apt-get install chromium`; `.ci/run` installs it when missing). `CHROMIUM` overrides the path.
Every test in this folder gets the `browser` marker; `pytest -m "not browser"` leaves them out.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
PASSWORD = "pw-for-tests-2026"  # tests.factories.UserFactory
PHONE = {  # an iPhone 13-sized screen, in Chromium
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    """Mark the browser tests and run them last (see `playwright` below)."""
    in_browser = [item for item in items if HERE in item.path.parents]
    for item in in_browser:
        item.add_marker(pytest.mark.browser)
    items[:] = [item for item in items if HERE not in item.path.parents] + in_browser


@pytest.fixture(scope="session")
def playwright(playwright):
    """Once started, Playwright's sync API leaves its asyncio event loop marked as running in
    this thread until the session ends, and Django then refuses every ORM call here
    (SynchronousOnlyOperation) though nothing is asynchronous. The variable lifts that check;
    it is set only from here on, and the browser tests run last, because subprocesses inherit
    it and `manage.py check --deploy` (tests/liaison_portal/test_settings.py) rightly fails
    on it."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield playwright
    if before is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.is_file():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: `apt-get install chromium` (or set CHROMIUM)",
            pytrace=False,
        )
    # CI runs as root, where Chromium refuses to start with its sandbox.
    return {
        "headless": True,
        **browser_type_launch_args,  # --headed and --slowmo still work
        "executable_path": str(CHROMIUM),
        "args": [*browser_type_launch_args.get("args", []), "--no-sandbox"],
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    """pytest-playwright's base_url: `page.goto("/")` goes to the live server."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The park's staff run Chinese browsers: without a locale headless Chromium asks for en-US.
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def phone_page(new_context) -> Page:
    """A page at phone width (390×844, touch), besides the desktop-sized `page`."""
    return new_context(**PHONE).new_page()


@pytest.fixture
def login(live_server):
    """`login(page, username)` signs in through the real login page and checks it worked."""

    def _login(page: Page, username: str, password: str = PASSWORD) -> Page:
        page.goto("/accounts/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.locator("main form button[type=submit]").click()
        expect(page.get_by_test_id("who")).to_be_visible()
        return page

    return _login


@pytest.fixture
def shot(pytestconfig):
    """`shot(page, name)` saves a full-page screenshot to test-artifacts/screenshots/name.png."""
    folder = pytestconfig.rootpath / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def _shot(page: Page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return _shot
