"""A matter is taken in once: the desk's page carries a one-use key, so a double click or a
resent form finds the matter the first submit took in; an API client's ``Idempotency-Key``
makes its retries safe, even two arriving at the same moment."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from outreach.matters.models import Matter
from outreach.matters.services import matter_intake
from tests.registry.api.conftest import token_client

NEW = reverse("outreach:matters:new")
API = "/api/matters/"


def _desk_form(client, enterprise, tax) -> dict:
    page = client.get(NEW)
    key = page.context["form"]["intake_key"].value()
    assert key and f'value="{key}"' in page.content.decode()
    return {
        "channel": "phone",
        "enterprise": enterprise.uscc,
        "requester_is_liaison": "on",
        "category": tax.pk,
        "urgency": "normal",
        "description": "咨询研发费用加计扣除",
        "disposition": "received",
        "intake_key": key,
    }


@pytest.mark.django_db
def test_the_desk_form_sent_twice_takes_the_matter_in_once(client, staff_user, enterprise_a, tax):
    client.force_login(staff_user)
    form = _desk_form(client, enterprise_a, tax)

    first = client.post(NEW, form)
    again = client.post(NEW, form)

    matter = Matter.objects.get()
    assert first.status_code == again.status_code == 302
    assert (
        first["Location"]
        == again["Location"]
        == reverse("outreach:matters:detail", args=[matter.pk])
    )
    # A new visit to the page is a new key: the same question asked again is a second matter.
    assert client.post(NEW, _desk_form(client, enterprise_a, tax)).status_code == 302
    assert Matter.objects.count() == 2


@pytest.mark.django_db
def test_an_api_retry_with_the_same_key_returns_the_first_matter(
    staff_user, worker_a, enterprise_a, tax
):
    body = {"enterprise": enterprise_a.uscc, "category": tax.pk, "description": "热线转来"}
    client = token_client(staff_user)

    first = client.post(API, body, format="json", HTTP_IDEMPOTENCY_KEY="hotline-4711")
    retry = client.post(API, body, format="json", HTTP_IDEMPOTENCY_KEY="hotline-4711")
    other = client.post(API, body, format="json", HTTP_IDEMPOTENCY_KEY="hotline-4712")
    unkeyed = client.post(API, body, format="json")

    assert first.status_code == retry.status_code == 201
    assert retry.json()["number"] == first.json()["number"]
    assert other.json()["number"] != first.json()["number"]
    assert unkeyed.status_code == 201
    assert Matter.objects.count() == 3
    # Keys are each caller's own: another account's same key is its own matter.
    theirs = token_client(worker_a).post(
        API, body, format="json", HTTP_IDEMPOTENCY_KEY="hotline-4711"
    )
    assert theirs.status_code == 201
    assert theirs.json()["number"] != first.json()["number"]


@pytest.mark.django_db
def test_a_key_too_long_is_a_400_naming_it(staff_user, tax):
    response = token_client(staff_user).post(
        API,
        {"category": tax.pk, "description": "来电", "requester_name": "王先生"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k" * 65,
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not Matter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_calls_with_one_key_at_the_same_moment_take_in_one_matter(staff_user, tax):
    start = threading.Barrier(2)
    numbers, failures = [], []

    def take_in():
        try:
            start.wait(timeout=10)
            matter = matter_intake(
                channel=Matter.Channel.API,
                category=tax,
                description="同一来电",
                requester_name="王先生",
                by=staff_user,
                intake_key="same-call",
            )
            numbers.append(matter.number)
        except Exception as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_in) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert len(numbers) == 2 and numbers[0] == numbers[1]
    assert Matter.objects.count() == 1
