"""Property-based run of every operation of the live schema (schemathesis, in-process WSGI).

Each generated request, valid and invalid (schemathesis' positive and negative modes), is sent
as a park admin and as a grid worker, with the generated enterprise code and again with a real
one, so the writes reach the services too. Every check schemathesis has runs on every response:
no server error, the status code, content type, headers and body the schema documents, invalid
data refused and valid data accepted, authentication not ignored, unsupported methods refused.
Bounded: MAX_EXAMPLES per operation, a few minutes in all on two cores.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tests.factories import EmergencyContactFactory, EnterpriseFactory, LiaisonFactory
from tests.registry.api.conftest import token_client

MAX_EXAMPLES = 40


@pytest.fixture
def wsgi_in_test_transaction():
    """Django's WSGI handler inside the test's transaction: as Django's own test client
    does, keep request_started/finished from closing the connection (and the transaction
    with it) after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield APP
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def park(grid_a, grid_b, enterprise_a):
    EmergencyContactFactory(enterprise=enterprise_a)
    for grid in (grid_a, grid_b):
        LiaisonFactory(enterprise=EnterpriseFactory(grid=grid))
    return enterprise_a


@pytest.fixture
def headers(admin_user, worker_a, park):
    tokens = []
    for user in (admin_user, worker_a):
        client = token_client(user)
        tokens.append({"Authorization": client._credentials["HTTP_AUTHORIZATION"]})
    return tokens


def _served_schema() -> dict:
    """The schema /api/schema/ serves (the same generator and settings), built at import
    time because schemathesis parametrizes at collection; test_it_is_the_served_schema
    below checks that the endpoint serves exactly this."""
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.renderers import JSONRenderer

    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(JSONRenderer().render(generated))


SERVED = _served_schema()
APP = get_wsgi_application()
schema = schemathesis.openapi.from_dict(SERVED)
# "Schema-valid data is accepted" with one allowance: a 400 that names the field. The schema
# says what a value looks like, not the rules behind it (the credit code's check digit, a
# grid code or liaison id that exists, a field that is protected), so a well-formed but wrong
# value is refused with the field named, as the pages refuse it. Texts the record cannot be
# without (a liaison's name and mobile, an emergency contact's name and phone) are minLength 1
# in the schema, so an empty one is not "schema-valid".
_acceptance = schema.config.checks.positive_data_acceptance
_acceptance.expected_statuses = [*_acceptance.expected_statuses, "400"]
schema.app = APP  # in-process, for the checks that send requests of their own too


def test_it_is_the_served_schema(api, staff_user):
    response = api(staff_user).get("/api/schema/", {"format": "json"})
    assert response.json() == SERVED


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_answers_within_its_schema(case, wsgi_in_test_transaction, headers, park):
    assert wsgi_in_test_transaction is APP
    for header in headers:
        case.call_and_validate(headers=header)
        if "uscc" in (case.path_parameters or {}):
            generated = case.path_parameters["uscc"]
            case.path_parameters["uscc"] = park.uscc
            case.call_and_validate(headers=header)
            case.path_parameters["uscc"] = generated
