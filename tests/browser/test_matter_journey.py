"""The first-contact desk from end to end (issue 18): a liaison asks "我有问题 / 需要帮助"
through their personal link on a phone (with a photo of the notice), staff route the matter,
the owner takes it and answers, the liaison rates the answer through the 回访 link from the
SMS, and the metrics page counts it."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from outreach.matters.models import Matter
from outreach.messaging.models import OutboxMessage
from outreach.selfservice.services import selfservice_link_send
from tests.outreach.matters.files import image_bytes


def _fits_the_phone(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_liaisons_question_is_routed_answered_rated_and_counted(
    page,
    phone_page,
    new_context,
    login,
    staff_user,
    worker_a,
    enterprise_a,
    live_server,
    shot,
    settings,
    tmp_path,
):
    settings.SELF_SERVICE_BASE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path
    selfservice_link_send(enterprise=enterprise_a, by=staff_user)
    link = re.search(
        r"https?://\S+/s/[A-Za-z0-9_-]+/",
        OutboxMessage.objects.get(purpose="self-service-link").body,
    ).group(0)

    # The liaison opens their personal link on the phone, unlocks it with the code by SMS…
    liaison = phone_page
    liaison.goto(link)
    liaison.get_by_role("button", name="发送验证码").click()
    code_sms = OutboxMessage.objects.filter(purpose="self-service-code").latest("pk")
    liaison.get_by_label("验证码").fill(re.search(r"验证码为(\d{6})", code_sms.body).group(1))
    liaison.get_by_role("button", name="继续").click()

    # …and asks: 我有问题 / 需要帮助.
    liaison.get_by_test_id("ask").click()
    expect(liaison.get_by_role("heading", name="我有问题 / 需要帮助")).to_be_visible()
    assert _fits_the_phone(liaison)
    liaison.get_by_label("您的问题或需要的帮助").fill(
        "研发费用加计扣除今年怎么申报？需要准备哪些材料？"
    )
    # A photo of the tax office's notice, as the phone's camera or library hands it over.
    photos = liaison.get_by_label("照片或 PDF 文件（选填）")
    assert photos.get_attribute("accept") == "image/*,.pdf,application/pdf"
    expect(liaison.get_by_test_id("ask-camera")).to_have_attribute("capture", "environment")
    photos.set_input_files(
        files=[{"name": "税务通知.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG")}]
    )
    assert _fits_the_phone(liaison)
    shot(liaison, "matter-ask-phone")
    liaison.get_by_test_id("ask-send").click()
    matter = Matter.objects.get()
    expect(liaison.get_by_test_id("done")).to_contain_text(matter.number)
    expect(liaison.get_by_test_id("ask-files")).to_have_text("已收到 1 个文件。")
    assert (matter.channel, matter.liaison, matter.state) == (
        "self_service",
        enterprise_a.current_liaison,
        "received",
    )

    # Staff find it among the matters and route it to the grid's worker.
    login(page, staff_user.username)
    page.goto(reverse("outreach:matters:list"))
    page.get_by_test_id("matter").filter(has_text=matter.number).get_by_role(
        "link", name=matter.number
    ).click()
    expect(page.get_by_test_id("matter-number")).to_contain_text(matter.number)
    expect(page.get_by_test_id("masked-requester-phone")).to_have_text("139****5678")
    expect(page.get_by_test_id("attachment")).to_contain_text("税务通知.jpg")
    route = page.get_by_test_id("route-form")
    route.locator("select[name=owner]").select_option(str(worker_a.pk))
    route.get_by_role("button", name="派单").click()
    expect(page.get_by_test_id("matter-state")).to_have_text("已派单")
    expect(page.get_by_test_id("owner")).to_contain_text(worker_a.username)

    # The owner sees it in 我的待办 beside their tasks, takes it on and answers.
    owner = login(new_context().new_page(), worker_a.username)
    owner.goto(reverse("outreach:tasks"))
    mine = owner.get_by_test_id("section-matters")
    mine.get_by_role("link", name=matter.number).click()
    owner.get_by_test_id("take").click()
    expect(owner.get_by_test_id("matter-state")).to_have_text("办理中")
    answer = owner.get_by_test_id("answer-form")
    answer.locator("textarea[name=answer]").fill(
        "可在电子税务局年度汇算时填报《研发费用加计扣除优惠明细表》，准备研发项目立项文件和辅助账。"
    )
    owner.get_by_test_id("send-answer").click()
    expect(owner.get_by_test_id("matter-state")).to_have_text("已答复")

    # The answer reaches the liaison by SMS with the 回访 link; one tap rates it.
    sms = OutboxMessage.objects.get(purpose="matter_answer")
    assert sms.to == "13912345678" and matter.number in sms.body
    feedback = re.search(r"https?://\S+/r/[A-Za-z0-9_-]+/", sms.body).group(0)
    liaison.goto(feedback)
    assert liaison.url == f"{live_server.url}/r/"  # the token left the address bar
    expect(liaison.get_by_test_id("answer")).to_contain_text("研发费用加计扣除优惠明细表")
    assert _fits_the_phone(liaison)
    shot(liaison, "matter-feedback-phone")
    liaison.get_by_test_id("rate-satisfied").click()
    expect(liaison.get_by_test_id("done")).to_contain_text("您的评价已记录")

    matter.refresh_from_db()
    assert (matter.state, matter.satisfaction) == ("rated", "satisfied")
    page.reload()
    expect(page.get_by_test_id("matter-state")).to_have_text("已回访")
    expect(page.get_by_test_id("satisfaction")).to_have_text("满意")

    # The park's metrics count it: answered in time, resolved, satisfied.
    page.goto(reverse("outreach:matters:metrics"))
    row = page.get_by_test_id("metrics-grid").locator("[data-key='甲网格']")
    expect(row.get_by_test_id("response-rate")).to_have_text("100.0%")
    expect(row.get_by_test_id("resolution-rate")).to_have_text("100.0%")
    expect(row.get_by_test_id("satisfaction-rate")).to_have_text("100.0%")
    shot(page, "matter-metrics")
