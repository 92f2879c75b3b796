"""Property-based run of every operation of the live schema (schemathesis, in-process WSGI).

Each generated request is sent as service staff and as a grid worker, with the generated
enterprise code and again with a real one, so the writes reach the services too. Every
response must be no server error and must match the schema (status code, content type,
body). Bounded: a few dozen examples per operation, well under two minutes in all.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import token_client
from tests.factories import EmergencyContactFactory, EnterpriseFactory, LiaisonFactory

CHECKS = [
    not_a_server_error,
    ignored_auth,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 25


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
def headers(staff_user, worker_a, park):
    tokens = []
    for user in (staff_user, worker_a):
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
        case.call_and_validate(headers=header, checks=CHECKS)
        if "uscc" in (case.path_parameters or {}):
            generated = case.path_parameters["uscc"]
            case.path_parameters["uscc"] = park.uscc
            case.call_and_validate(headers=header, checks=CHECKS)
            case.path_parameters["uscc"] = generated
