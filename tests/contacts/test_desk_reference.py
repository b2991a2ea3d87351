"""A case reference typed in the desk search box finds the case (and its customer), however it is
typed, only within the user's organisation and only for roles that may see cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import time_machine
from django.test import Client

from onestop.cases import services as case_services
from onestop.cases.models import Case, CaseKind
from onestop.contacts import queries
from onestop.core import services as core_services
from onestop.core.models import AuditAction, AuditRecord, Organisation, Role, RoleCode, User
from onestop.customers.models import Customer
from tests import factories as core_factories
from tests.cases import factories as case_factories
from tests.customers.conftest import People

ClientFor = Callable[[User], Client]
pytestmark = pytest.mark.django_db


def _missed_bins(organisation: Organisation) -> None:
    case_factories.standards(organisation)
    waste = case_factories.service(organisation, "Waste and Recycling")
    crews = case_factories.team(waste, "Collection crews")
    case_factories.case_type(
        organisation, "missed-bin", kind=CaseKind.SERVICE_REQUEST, service=waste, team=crews
    )


def _raise(organisation: Organisation, title: str, customer: Customer | None = None) -> Case:
    return case_services.raise_case(
        organisation, by=None, case_type_code="missed-bin", title=title, customer=customer
    )


@dataclass(frozen=True)
class Cases:
    janes: Case  # the council's first case this year
    anonymous: Case  # the council's second, with no customer
    partners_only: Case  # the partner's third: the council has no case with this reference


@pytest.fixture
@time_machine.travel("2026-03-02 10:00+00:00", tick=False)
def cases(people: People, council: Organisation, partner: Organisation) -> Cases:
    _missed_bins(council)
    _missed_bins(partner)
    janes = _raise(council, "Missed blue bin at Jane's", people.jane)
    anonymous = _raise(council, "Bin left in the road")
    _raise(partner, "Partner's first")
    _raise(partner, "Partner's second")
    partners_only = _raise(partner, "Partner's private case", people.outsider)
    return Cases(janes, anonymous, partners_only)


def _search(client: Client, query: str) -> str:
    response = client.get("/desk/search/", {"q": query}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_the_references_are_what_the_tests_expect(cases: Cases) -> None:
    assert (cases.janes.reference, cases.anonymous.reference) == ("SR-26-00011", "SR-26-00022")
    assert cases.partners_only.reference == "SR-26-00033"


@pytest.mark.parametrize(
    "typed",
    ["SR-26-00011", "sr-26-00011", "sr2600011", "SR 26 00011", "  SR-26-0OO11 ", "Sr26-00011"],
)
def test_a_case_reference_finds_the_case_and_its_customer(
    client_for: ClientFor, people: People, advisor: User, cases: Cases, typed: str
) -> None:
    body = _search(client_for(advisor), typed)
    assert "1 case found" in body
    assert 'href="/cases/SR-26-00011/"' in body
    assert "Missed blue bin at Jane&#x27;s" in body
    assert f'href="/desk/customers/{people.jane.pk}/"' in body
    assert "Jane Smith" in body
    assert body.count('class="govuk-link govuk-!-font-weight-bold onestop-result"') == 1
    assert body.count('onestop-result"') == 2  # the case and its customer, for the arrow keys


def test_a_case_without_a_customer_has_no_customer_link(
    client_for: ClientFor, advisor: User, cases: Cases
) -> None:
    body = _search(client_for(advisor), "sr-26-00022")
    assert 'href="/cases/SR-26-00022/"' in body
    assert "/desk/customers/" not in body


def test_the_desk_page_without_javascript_shows_the_case_too(
    client_for: ClientFor, advisor: User, cases: Cases
) -> None:
    body = client_for(advisor).get("/desk/", {"q": "SR-26-00011"}).content.decode()
    assert 'href="/cases/SR-26-00011/"' in body


@pytest.mark.parametrize("typed", ["SR-26-00012", "sr2600013", "SR-26-0001Z"])
def test_a_wrong_check_character_says_a_character_is_mistyped(
    client_for: ClientFor, advisor: User, cases: Cases, typed: str
) -> None:
    body = _search(client_for(advisor), typed)
    assert "No case found" in body
    assert "one of its characters is mistyped" in body
    assert "/cases/" not in body


def test_another_organisations_reference_finds_nothing(
    client_for: ClientFor, advisor: User, cases: Cases
) -> None:
    body = _search(client_for(advisor), cases.partners_only.reference)
    assert "No case found" in body
    assert "There is no case SR-26-00033 that you can see." in body
    assert "Partner&#x27;s private case" not in body
    assert "/cases/" not in body


def test_the_partner_finds_its_own_case_under_a_reference_the_council_also_uses(
    client_for: ClientFor, partner_advisor: User, people: People, cases: Cases
) -> None:
    own = _search(client_for(partner_advisor), "SR-26-00033")
    shared = _search(client_for(partner_advisor), "SR-26-00011")
    assert "Partner&#x27;s private case" in own
    assert f'href="/desk/customers/{people.outsider.pk}/"' in own
    assert "Partner&#x27;s first" in shared
    assert "Jane&#x27;s" not in shared
    assert f"/desk/customers/{people.jane.pk}/" not in shared


def _role_with(council: Organisation, actions: list[str], username: str) -> User:
    role = Role.objects.get(organisation=council, code=RoleCode.BACK_OFFICE_OFFICER)
    administrator = core_factories.staff(council, RoleCode.ADMINISTRATOR, username="roles.admin")
    core_services.set_role_actions(role, by=administrator, actions=actions)
    return core_factories.staff(council, RoleCode.BACK_OFFICE_OFFICER, username=username)


def test_a_role_that_may_not_see_cases_gets_no_case_result(
    client_for: ClientFor, council: Organisation, cases: Cases
) -> None:
    user = _role_with(council, ["contact.log", "customer.view"], "no.cases")
    body = _search(client_for(user), "SR-26-00011")
    assert "No case found" in body
    assert "Missed blue bin" not in body
    assert "/cases/" not in body


def test_a_role_that_may_not_see_customers_gets_the_case_without_the_customer(
    client_for: ClientFor, council: Organisation, people: People, cases: Cases
) -> None:
    user = _role_with(council, ["contact.log", "case.view"], "no.customers")
    body = _search(client_for(user), "SR-26-00011")
    assert 'href="/cases/SR-26-00011/"' in body
    assert "Jane Smith" not in body
    assert "/desk/customers/" not in body


@pytest.mark.parametrize(
    ("who", "status"),
    [("advisor", 200), ("team_leader", 200), ("auditor", 403), ("administrator", 403)],
)
def test_desk_search_permission_matrix(
    client_for: ClientFor,
    request: pytest.FixtureRequest,
    cases: Cases,
    who: str,
    status: int,
) -> None:
    user: User = request.getfixturevalue(who)
    response = client_for(user).get("/desk/search/", {"q": "SR-26-00011"})
    assert response.status_code == status
    assert ("/cases/SR-26-00011/" in response.content.decode()) is (status == 200)


def test_an_anonymous_visitor_is_sent_to_sign_in(cases: Cases) -> None:
    response = Client().get("/desk/search/", {"q": "SR-26-00011"})
    assert (response.status_code, response["Location"].startswith("/sign-in/")) == (302, True)


def _changes() -> tuple[int, int]:
    reason = "test snapshot"
    return (
        Case.objects.unscoped(reason).count(),
        AuditRecord.objects.unscoped(reason)
        .filter(action__in=[AuditAction.CREATED, AuditAction.CHANGED])
        .count(),
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("SR-26-" + "0" * 5000, "customers found"),  # oversized: cut to 200, not a reference
        ("SR-26-00011" + "1" * 300, "customers found"),
        ("<script>alert(1)</script>", "customers found"),
        ("SR-26-<b>1</b>", "customers found"),
        ("XY-26-00011", "customers found"),  # not a case kind's prefix: a customer search
        ("SR-26-0001$", "one of its characters is mistyped"),
        ("SR-26-\x0000011", "customers found"),
        ("SR--26--00011", "customers found"),
        ("SR-26-00011 smith", "customers found"),
    ],
)
def test_malformed_hostile_and_oversized_queries_are_answered_and_change_nothing(
    client_for: ClientFor, advisor: User, cases: Cases, typed: str, expected: str
) -> None:
    before = _changes()
    body = _search(client_for(advisor), typed)
    assert expected in body
    assert "<script>alert(1)</script>" not in body
    assert "<b>1</b>" not in body
    assert _changes() == before


def test_a_customer_reference_still_finds_the_customer(
    client_for: ClientFor, advisor: User, people: People, cases: Cases
) -> None:
    body = _search(client_for(advisor), people.jane.reference.lower())
    assert "1 customer found" in body
    assert f'href="/desk/customers/{people.jane.pk}/"' in body


def test_case_for_reference_ignores_what_is_not_shaped_like_a_case_reference(
    advisor: User, people: People, cases: Cases
) -> None:
    assert queries.case_for_reference(advisor, people.jane.reference) is None
    assert queries.case_for_reference(advisor, "Jane Smith") is None
    assert queries.case_for_reference(advisor, "") is None
    found = queries.case_for_reference(advisor, "sr2600011")
    assert found is not None
    assert found.result is not None
    assert (found.reference, found.mistyped, found.result.status_label) == (
        "SR-26-00011",
        False,
        "New",
    )
