"""The attack test that stays (issue 11): Schemathesis over ``/api/v1/openapi.json``.

Every operation of the OpenAPI document is called with generated input, valid and not, by a
signed-in, two-factor-verified team leader (with a CSRF token, as a browser session sends),
through the real WSGI application and the test database: no answer may be a server error, and
every answer must match the schema the document gives for its status.  Runs in ``make ci`` on
SQLite and PostgreSQL; ``ONESTOP_SCHEMATHESIS_EXAMPLES`` sets the examples per operation (default
25, which keeps the whole run to about a minute).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from onestop.api import api
from onestop.contacts import services as contact_services
from onestop.core.models import User
from onestop.wsgi import application
from tests import factories as common_factories
from tests.cases import factories
from tests.cases.conftest import World
from tests.directory import factories as directory_factories

EXAMPLES = int(os.environ.get("ONESTOP_SCHEMATHESIS_EXAMPLES", "25"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))


@pytest.fixture
def keep_the_test_connection() -> Iterator[None]:
    """The WSGI application closes the database connection after each request when it is not
    in autocommit, as it is inside a test's transaction; Django's test client stops that (so
    the request sees the test's data and the test goes on), and so does this."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def known(world: World) -> dict[str, Any]:
    """One of each object the API reads, with opening hours and out-of-hours cover."""
    customer = factories.customer(world.organisation)
    case = factories.raise_case(world.organisation, title="Missed bin", customer=customer)
    contact = contact_services.log_contact(
        world.organisation,
        by=None,
        customer=customer,
        values=contact_services.ContactInput(outcome="resolved", notes="Asked about bins"),
    )
    point = directory_factories.access_point(world.organisation)
    directory_factories.session(point)
    directory_factories.exception(point)
    directory_factories.out_of_hours(point)
    return {
        "reference": case.reference,
        "customer_id": customer.pk,
        "contact_id": contact.pk,
        "service_id": world.waste.pk,
        "access_point_id": point.pk,
    }


@pytest.fixture
def signed_in(
    known: dict[str, Any], team_leader: User, keep_the_test_connection: None
) -> dict[str, Any]:
    """Cookies and headers of a verified staff session."""
    client = Client()
    common_factories.sign_in_verified(client, team_leader)
    token = get_token(RequestFactory().get("/"))
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
        "headers": {"X-CSRFToken": token},
    }


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_answers_every_input_without_a_server_error_and_as_documented(
    case: Any, signed_in: dict[str, Any]
) -> None:
    case.call_and_validate(
        app=application,
        headers=signed_in["headers"],
        cookies=signed_in["cookies"],
        checks=CHECKS,
    )


@pytest.mark.django_db
def test_every_read_of_a_real_object_matches_its_schema(
    known: dict[str, Any], signed_in: dict[str, Any]
) -> None:
    """Generated ids rarely name a real object: read each real one once, and each list."""
    checked = 0
    for operation in schema.get_all_operations():
        assert isinstance(operation, Ok), operation
        api_operation = operation.ok()
        if api_operation.method.upper() != "GET":
            continue
        names = [parameter.name for parameter in api_operation.path_parameters]
        case = api_operation.Case(path_parameters={name: known[name] for name in names})
        response = case.call_and_validate(
            app=application,
            headers=signed_in["headers"],
            cookies=signed_in["cookies"],
            checks=CHECKS,
        )
        assert response.status_code == 200, (api_operation.label, response.text[:300])
        checked += 1
    assert checked >= 8
