"""The main pages leave Chromium's console clean, in both languages: no Content Security
Policy violation, no failed request (the favicon's 404 was one), no script error."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page


def _watch(page: Page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text} @ {page.url}")
            if message.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error} @ {page.url}"))
    page.on(
        "response",
        lambda response: (
            problems.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400
            else None
        ),
    )
    return problems


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_main_pages_leave_no_error_in_the_console(
    page, login, live_server, admin_user, enterprise_a, language
):
    problems = _watch(page)
    page.goto("/accounts/login/")
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    login(page, admin_user.username)
    pages = [
        reverse("home"),
        reverse("registry:enterprises"),
        reverse("registry:enterprise", args=[enterprise_a.uscc]),
        reverse("outreach:tasks"),
        reverse("outreach:matters:list"),
        reverse("registry:buildings"),
        reverse("messaging:campaigns"),
        reverse("registry:users"),
        reverse("registry:user_new"),
        reverse("admin:index"),
    ]
    icons = set()
    for path in pages:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == language, path
        icons.update(page.locator("link[rel=icon]").evaluate_all("links => links.map(l => l.href)"))
    # Headless Chromium fetches no icon: ask for the linked one, and for /favicon.ico, which
    # browsers request by themselves on pages without a link (the Django admin's).
    for url in [*sorted(icons), f"{live_server.url}/favicon.ico"]:
        assert page.request.get(url).status == 200, url
    assert len(icons) == 1
    assert not problems, "\n".join(problems)
