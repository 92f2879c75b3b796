"""A liaison's self-service on a phone: staff send the personal link from the enterprise page;
the liaison opens it from the SMS in the outbox, gets the code by SMS, confirms their details;
the confirmation is a reached, verified contact, and the light goes back to green."""

import re

from playwright.sync_api import Request, expect

from monitoring.light import Light
from monitoring.models import ContactHealth
from outreach.messaging.models import OutboxMessage
from outreach.models import ContactAttempt
from outreach.services import contact_attempt_record
from registry.models import Liaison


def _light(enterprise) -> Light:
    """The light the monitor stored (what the list and the dashboard show)."""
    return ContactHealth.objects.get(enterprise=enterprise).light


def _assert_only_the_first_request_carries_the_token(requests, link: str, origin: str) -> None:
    """From opening the link to the confirmation: only the navigation to the link itself has
    the token, in no other request's URL or Referer; nothing goes to another site."""
    token = link.rstrip("/").rsplit("/", 1)[1]
    first, *rest = requests
    assert first.url == link and first.is_navigation_request()
    assert rest[0].redirected_from == first and rest[0].url == f"{origin}/s/"
    # The pages' own form posts, their styles and scripts: all seen, none with the token.
    assert {r.method for r in rest} == {"GET", "POST"}
    assert any(r.url == f"{origin}/s/form/" for r in rest)
    for request in rest:
        headers = request.all_headers()
        assert token not in request.url, request.url
        assert token not in headers.get("referer", ""), (request.url, headers["referer"])
        assert request.url.startswith(f"{origin}/"), request.url
        assert headers.get("origin", origin) == origin, (request.url, headers["origin"])


def test_a_liaison_confirms_their_details_on_a_phone_and_the_light_turns_green(
    page, phone_page, login, staff_user, enterprise_a, live_server, shot, settings
):
    settings.SELF_SERVICE_BASE_URL = live_server.url
    for _ in range(2):  # two calls nobody answered: yellow
        contact_attempt_record(
            enterprise=enterprise_a, channel="phone", outcome="no_answer", by=staff_user
        )
    assert _light(enterprise_a) == Light.YELLOW

    # Staff send the link from the enterprise page.
    login(page, staff_user.username)
    page.goto(f"/enterprises/{enterprise_a.uscc}/")
    page.get_by_test_id("send-selfservice-link").click()
    expect(page.get_by_text("已向联络员发送个人链接")).to_be_visible()

    # The SMS in the outbox carries the link.
    sms = OutboxMessage.objects.get(purpose="self-service-link")
    assert sms.to == "13912345678"
    link = re.search(r"https?://\S+/s/[A-Za-z0-9_-]+/", sms.body).group(0)

    # The liaison opens it on their phone: nothing personal until the code is entered, and
    # the token is gone from the address bar at once. Every request of the page is recorded.
    liaison_page = phone_page
    requests: list[Request] = []

    def record(request: Request) -> None:
        requests.append(request)

    liaison_page.on("request", record)
    liaison_page.goto(link)
    expect(liaison_page.get_by_role("heading", name="核对联络员信息")).to_be_visible()
    assert liaison_page.url == f"{live_server.url}/s/"
    assert "13912345678" not in liaison_page.content()
    assert "张伟" not in liaison_page.content()
    shot(liaison_page, "selfservice-landing-phone")
    liaison_page.get_by_role("button", name="发送验证码").click()

    code_sms = OutboxMessage.objects.filter(purpose="self-service-code").latest("pk")
    code = re.search(r"验证码为(\d{6})", code_sms.body).group(1)
    liaison_page.get_by_label("验证码").fill(code)
    liaison_page.get_by_role("button", name="继续").click()

    # The form: the token is gone from the address bar.
    expect(liaison_page.get_by_test_id("notice")).to_contain_text("个人信息使用说明")
    assert liaison_page.url.endswith("/s/form/")
    expect(liaison_page.get_by_text("13912345678")).to_be_visible()
    assert liaison_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(liaison_page, "selfservice-form-phone")
    liaison_page.get_by_test_id("confirm-form").get_by_label(
        "我已阅读并同意上述个人信息使用说明。"
    ).check()
    liaison_page.get_by_test_id("confirm").click()
    expect(liaison_page.get_by_test_id("done")).to_contain_text("已记录您的信息无误")
    shot(liaison_page, "selfservice-done-phone")
    liaison_page.remove_listener("request", record)
    _assert_only_the_first_request_carries_the_token(requests, link, live_server.url)

    attempt = ContactAttempt.objects.filter(channel="self_service").get()
    assert attempt.outcome == "reached" and attempt.verified
    assert Liaison.objects.get(pk=enterprise_a.current_liaison.pk).last_verified_at
    assert _light(enterprise_a) == Light.GREEN

    # The link is spent: opening it again says so, kindly.
    liaison_page.goto(link)
    expect(liaison_page.get_by_test_id("reason")).to_contain_text("已使用过")
