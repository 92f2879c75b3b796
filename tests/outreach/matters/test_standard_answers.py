"""The library of standard answers (FAQ) as the desk uses it: staff and admins keep it, whoever
answers searches it from the answer form and inserts one (without JavaScript: a link that
fills the answer text), and an answered matter's answer is saved as a new one."""

import pytest
from django.urls import reverse

from core.errors import ServiceError
from outreach.matters import services
from outreach.matters.models import StandardAnswer

pytestmark = pytest.mark.django_db

LIBRARY = reverse("outreach:matters:standard_answers")
NEW_ANSWER = reverse("outreach:matters:standard_answer_new")
NEW_MATTER = reverse("outreach:matters:new")
E_TAX = "可登录电子税务局，在“我要办税—税费申报”中在线申报研发费用加计扣除。"


@pytest.fixture
def e_tax(staff_user, tax):
    return services.standard_answer_create(
        title="研发费用加计扣除怎么申报", text=E_TAX, category=tax, by=staff_user
    )


def _in_progress(intake, staff_user):
    matter = intake()
    matter = services.matter_route(matter=matter, by=staff_user, owner=staff_user)
    return services.matter_take(matter=matter, by=staff_user)


def test_staff_write_a_standard_answer_and_everyone_reads_the_library(
    client, staff_user, worker_a, auditor, tax
):
    client.force_login(staff_user)
    response = client.post(
        NEW_ANSWER,
        {"title": "社保开户", "category": tax.pk, "text": "携带营业执照到社保窗口办理。"},
    )
    assert response.status_code == 302
    answer = StandardAnswer.objects.get()
    assert (answer.title, answer.category, answer.created_by) == ("社保开户", tax, staff_user)

    for reader in (worker_a, auditor):
        client.force_login(reader)
        page = client.get(LIBRARY).content.decode()
        assert "社保开户" in page and "携带营业执照" in page
        assert 'data-testid="new-standard-answer"' not in page
        assert client.get(NEW_ANSWER).status_code == 403
        edit = reverse("outreach:matters:standard_answer_edit", args=[answer.pk])
        assert client.post(edit, {"title": "改", "text": "改"}).status_code == 403


def test_a_standard_answer_needs_a_title_and_a_text(client, admin_user):
    client.force_login(admin_user)
    response = client.post(NEW_ANSWER, {"title": "", "text": "  "})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-title"' in page and 'data-testid="error-text"' in page
    assert not StandardAnswer.objects.exists()
    with pytest.raises(ServiceError) as refused:
        services.standard_answer_create(title="标题", text="\x00 ", by=admin_user)
    assert refused.value.field == "text"


def test_the_answer_form_finds_a_standard_answer_and_inserts_it_without_javascript(
    client, intake, staff_user, e_tax
):
    matter = _in_progress(intake, staff_user)
    client.force_login(staff_user)
    detail = reverse("outreach:matters:detail", args=[matter.pk])

    found = client.get(detail, {"faq_q": "加计扣除"}).content.decode()
    assert 'data-testid="faq-match"' in found and e_tax.title in found
    assert f"?faq_q=%E5%8A%A0%E8%AE%A1%E6%89%A3%E9%99%A4&amp;faq={e_tax.pk}#answer" in found

    nothing = client.get(detail, {"faq_q": "不存在的词"}).content.decode()
    assert 'data-testid="faq-none"' in nothing

    inserted = client.get(detail, {"faq_q": "加计扣除", "faq": e_tax.pk})
    form = inserted.context["answer_form"]
    assert form.initial["answer"] == E_TAX
    assert form.initial["version"] == matter.version
    assert E_TAX in inserted.content.decode()  # in the textarea

    sent = client.post(
        reverse("outreach:matters:answer", args=[matter.pk]),
        {"answer": E_TAX, "resolved": "yes", "version": matter.version},
    )
    assert sent.status_code == 302
    matter.refresh_from_db()
    assert matter.answer == E_TAX


def test_the_search_box_swaps_the_matches_and_the_answer_text_with_htmx(
    client, intake, staff_user, e_tax
):
    matter = _in_progress(intake, staff_user)
    client.force_login(staff_user)
    page = client.get(
        reverse("outreach:matters:detail", args=[matter.pk]), {"faq_q": "申报"}
    ).content.decode()
    # The same links, with htmx taking only the part of the page they change.
    assert 'hx-select="#faq-results"' in page
    assert 'hx-select="#id_answer" hx-target="#id_answer"' in page
    assert 'id="id_answer"' in page


def test_a_matter_of_the_same_category_lists_its_answers_first_and_retired_ones_never(
    intake, staff_user, tax, complaint
):
    other = services.standard_answer_create(
        title="投诉如何处理",
        text="我们将在五个工作日内答复申报相关投诉。",
        category=complaint,
        by=staff_user,
    )
    same = services.standard_answer_create(
        title="申报期限", text="每月15日前完成申报。", category=tax, by=staff_user
    )
    from outreach.matters.selectors import standard_answers_search

    assert standard_answers_search(query="申报", category=tax) == [same, other]
    services.standard_answer_update(
        answer=same,
        title=same.title,
        text=same.text,
        category=tax,
        active=False,
        by=staff_user,
    )
    assert standard_answers_search(query="申报", category=tax) == [other]
    assert standard_answers_search(query="", category=tax) == []


def test_answered_on_the_spot_then_saved_as_a_standard_answer(
    client, staff_user, enterprise_a, tax
):
    client.force_login(staff_user)
    response = client.post(
        NEW_MATTER,
        {
            "channel": "phone",
            "enterprise": enterprise_a.uscc,
            "requester_is_liaison": "on",
            "category": tax.pk,
            "urgency": "normal",
            "description": "小规模纳税人季度申报截止日期？\n张总来电",
            "disposition": "answered",
            "answer": "季度终了后15日内申报，遇节假日顺延。",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    page = client.get(response["Location"]).content.decode()
    link = f"{NEW_ANSWER}?matter="
    assert link in page and 'data-testid="save-standard-answer"' in page
    matter_pk = response["Location"].rstrip("/").rsplit("/", 1)[-1]

    form = client.get(NEW_ANSWER, {"matter": matter_pk})
    assert form.context["form"].initial == {
        "title": "小规模纳税人季度申报截止日期？",
        "category": tax.pk,
        "text": "季度终了后15日内申报，遇节假日顺延。",
    }
    saved = client.post(
        f"{NEW_ANSWER}?matter={matter_pk}",
        {"title": "小规模纳税人申报期限", "category": tax.pk, "text": "季度终了后15日内申报。"},
    )
    assert saved.status_code == 302 and saved["Location"] == response["Location"]
    answer = StandardAnswer.objects.get()
    assert answer.source_matter_id == int(matter_pk) and answer.active


def test_a_saved_answer_carries_no_number_of_the_requester(client, intake, staff_user):
    matter = intake(disposition="answered", answer="已回电13912345678告知办理流程。")
    client.force_login(staff_user)
    form = client.get(NEW_ANSWER, {"matter": matter.pk})
    assert "13912345678" not in form.context["form"].initial["text"]
    assert "13912345678" not in form.content.decode()


def test_only_an_answered_matter_fills_the_form(client, intake, staff_user):
    unanswered = intake()
    client.force_login(staff_user)
    assert client.get(NEW_ANSWER, {"matter": unanswered.pk}).context["form"].initial == {}
    with pytest.raises(ServiceError) as refused:
        services.standard_answer_create(
            title="t", text="x", by=staff_user, source_matter=unanswered
        )
    assert refused.value.field == "matter"


def test_the_intake_form_inserts_a_standard_answer_and_keeps_the_enterprise(
    client, staff_user, enterprise_a, e_tax
):
    client.force_login(staff_user)
    page = client.get(NEW_MATTER, {"enterprise": enterprise_a.uscc, "faq_q": "加计扣除"})
    html = page.content.decode()
    assert f'name="enterprise" value="{enterprise_a.uscc}"' in html  # kept by the search box
    inserted = client.get(
        NEW_MATTER, {"enterprise": enterprise_a.uscc, "faq_q": "加计扣除", "faq": e_tax.pk}
    )
    form = inserted.context["form"]
    assert form.initial["answer"] == E_TAX
    assert form.initial["disposition"] == "answered"
    assert form.initial["enterprise"] == enterprise_a.uscc


def test_staff_retire_an_answer_and_find_it_among_the_retired(client, staff_user, e_tax, tax):
    client.force_login(staff_user)
    edit = reverse("outreach:matters:standard_answer_edit", args=[e_tax.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"title": e_tax.title, "category": tax.pk, "text": E_TAX})
    assert response.status_code == 302
    e_tax.refresh_from_db()
    assert e_tax.active is False and e_tax.updated_by == staff_user
    assert e_tax.title not in client.get(LIBRARY).content.decode()
    assert e_tax.title in client.get(LIBRARY, {"retired": "1"}).content.decode()
