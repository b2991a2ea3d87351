"""The staff page shell (issue 13, item 17): the identity bar and the back link inside landmarks
(axe's "region" rule), paginated pages titled with their page, GET /sign-out/ as a GOV.UK page,
the when-due select styled to fit a phone, and the desk offering "Raise a request" only to
roles that may raise one."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from onestop.core import audit
from onestop.core.models import AuditAction, Organisation, RoleCode, User
from tests import factories
from tests.customers import factories as customer_factories

ClientFor = Callable[[User], Client]

pytestmark = pytest.mark.django_db


def test_the_identity_bar_is_in_the_banner_and_the_back_link_in_main(
    client_for: ClientFor, advisor: User
) -> None:
    page = client_for(advisor).get("/customers/new/").content.decode()
    header = page[page.index("<header") : page.index("</header>")]
    main = page[page.index("<main") : page.index("</main>")]
    assert 'data-testid="identity-bar"' in header
    assert 'class="govuk-back-link"' in main
    outside = page[page.index("</header>") : page.index("<main")]
    assert "govuk-back-link" not in outside
    assert "moj-identity-bar" not in outside


def test_a_paginated_page_says_which_page_in_its_title(
    client_for: ClientFor, auditor: User, council: Organisation
) -> None:
    for number in range(60):
        audit.record(
            organisation=council, by=None, action=AuditAction.VIEWED, object_type=f"t.{number}"
        )
    client = client_for(auditor)
    first = client.get("/audit/", {"action": "viewed"}).content.decode()
    second = client.get("/audit/", {"action": "viewed", "page": "2"}).content.decode()
    assert "<title>Audit trail (page 1 of 2) \u2013 OneStop</title>" in first
    assert "<title>Audit trail (page 2 of 2) \u2013 OneStop</title>" in second
    single = client.get("/audit/", {"action": "signed-in"}).content.decode()
    assert "<title>Audit trail \u2013 OneStop</title>" in single


def test_get_sign_out_shows_a_page_with_a_sign_out_button(
    client_for: ClientFor, advisor: User, client: Client
) -> None:
    signed_in = client_for(advisor)
    response = signed_in.get("/sign-out/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">Sign out</h1>' in page
    assert re.search(r'<form method="post" action="/sign-out/"[^>]*>', page)
    assert signed_in.get("/desk/").status_code == 200  # looking did not sign out
    assert signed_in.post("/sign-out/").status_code == 302
    assert signed_in.get("/desk/").status_code == 302
    assert client.get("/sign-out/")["Location"] == "/sign-in/"


def test_the_when_due_select_is_styled_and_fits_a_phone(
    client_for: ClientFor, advisor: User
) -> None:
    page = client_for(advisor).get("/standards/when-due/").content.decode()
    select = re.search(r'<select name="standard"[^>]*>', page)
    assert select is not None
    assert 'class="govuk-select govuk-!-width-full"' in select.group(0)


def test_the_desk_offers_raise_a_request_only_to_roles_that_may_raise_one(
    client_for: ClientFor, advisor: User, council: Organisation
) -> None:
    officer = factories.staff(council, RoleCode.BACK_OFFICE_OFFICER, username="officer")
    jane = customer_factories.customer(council, "Jane", "Smith")
    url = f"/desk/customers/{jane.pk}/"
    assert "Raise a request" in client_for(advisor).get(url).content.decode()
    officer_page = client_for(officer).get(url)
    assert officer_page.status_code == 200
    assert "Raise a request" not in officer_page.content.decode()
    assert client_for(officer).get("/cases/new/").status_code == 403


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (RoleCode.MANAGER, True),
        (RoleCode.TEAM_LEADER, True),
        (RoleCode.COUNCILLOR, True),
        (RoleCode.ADVISOR, False),
        (RoleCode.ADMINISTRATOR, False),
    ],
)
def test_the_performance_dashboard_is_in_the_navigation_of_those_who_may_see_it(
    client_for: ClientFor, council: Organisation, role: RoleCode, shown: bool
) -> None:
    user = factories.staff(council, role, username=f"someone.{role}")
    page = client_for(user).get("/staff/").content.decode()
    navigation = page[page.index('id="navigation"') :]
    navigation = navigation[: navigation.index("</ul>")]
    assert ('href="/performance/"' in navigation) is shown
    if shown:
        assert client_for(user).get("/performance/").status_code == 200
