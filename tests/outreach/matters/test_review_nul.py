"""Review of #15/#18. A NUL character (which PostgreSQL text cannot hold) from a form or a
query string is a clear 4xx, never a 500 — on the public 回访 page above all."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.outreach.matters.test_public_pages import _answered, _link_in_message

pytestmark = pytest.mark.django_db


def test_a_nul_in_the_public_feedback_comment_is_refused_not_a_500(intake, staff_user):
    _answered(intake, staff_user)
    client = Client(raise_request_exception=False)
    client.get(_link_in_message())
    response = client.post(
        reverse("matter_feedback:rate"), {"satisfaction": "dissatisfied", "comment": "没\x00解决"}
    )
    assert response.status_code < 500


def test_a_nul_in_the_matter_list_filters_is_not_a_500(admin_user):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    query = {"enterprise": "9\x00", "number": "\x00"}
    response = client.get(reverse("outreach:matters:list"), query)
    assert response.status_code == 200


def test_a_matter_list_filtered_by_what_is_no_uscc_is_empty_not_a_500(admin_user):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    response = client.get(reverse("outreach:matters:list"), {"enterprise": "91310000MA1FL"})
    assert response.status_code == 200


def test_a_feedback_link_is_kept_out_of_the_logs(intake, staff_user):
    import logging

    from outreach.selfservice.logs import RedactSelfServiceTokens

    _answered(intake, staff_user)
    path = _link_in_message()
    token = path.strip("/").split("/")[-1]
    # What gunicorn's access log and Django's "Not Found: …" write for the link.
    record = logging.LogRecord("django.request", 30, "", 0, "Not Found: %s", (path,), None)
    RedactSelfServiceTokens().filter(record)
    assert token not in record.getMessage() and "/r/…" in record.getMessage()
