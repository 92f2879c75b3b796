"""Every business-rule failure, whichever app's rule refused, is the one type (core.errors.
ServiceError): the API's exception handler (registry/api/errors.py) gives each the same JSON,
400 with the field named, in the request's language; a stale edit 409. (The pages' side: each
view catches the same type and shows its message, e.g. tests/outreach/matters/test_pages.py's stale
page, tests/outreach/selfservice/test_new_mobile.py's wrong code.)"""

import pytest
from django.utils import translation

from core.errors import ServiceError, StaleEdit
from outreach.matters.services import FeedbackLinkInvalid, MatterConflict
from outreach.selfservice.services import (
    CodeRefused,
    LinkExpired,
    LinkLocked,
    LinkUnknown,
    MobileCodeRequired,
)
from registry.api.errors import exception_handler

FAILURES = [
    (ServiceError("At most 4000 characters.", field="comment"), "comment"),
    (MatterConflict("M20260301001"), "non_field_errors"),
    (LinkUnknown(), "non_field_errors"),
    (LinkExpired(), "non_field_errors"),
    (LinkLocked(), "non_field_errors"),
    (CodeRefused("That code is not right.", tries_left=2), "non_field_errors"),
    (MobileCodeRequired("13900000001"), "mobile_code"),
    (FeedbackLinkInvalid("expired"), "non_field_errors"),
]


@pytest.mark.parametrize(("error", "field"), FAILURES, ids=[type(e).__name__ for e, _f in FAILURES])
def test_every_business_rule_failure_is_one_type_and_a_400_naming_its_field(error, field):
    assert isinstance(error, ServiceError)
    response = exception_handler(error, {})
    assert response.status_code == 400
    assert response.data == {"errors": {field: [str(error.message)]}}


def test_the_json_speaks_the_requests_language():
    with translation.override("zh-hans"):
        response = exception_handler(LinkExpired(), {})
    assert response.data == {"errors": {"non_field_errors": ["链接已过期。"]}}


def test_a_stale_edit_is_a_409_without_the_records_values():
    response = exception_handler(StaleEdit(current={"name": "甲公司"}, version=4), {})
    assert response.status_code == 409
    assert response.data["current"] == {} and response.data["version"] == 4
