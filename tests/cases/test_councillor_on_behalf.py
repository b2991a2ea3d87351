"""Staff raise a councillor (Member) enquiry on behalf of a named councillor and constituent;
the councillor follows it in their Member view and no other councillor sees it.  Refused input
(no councillor, someone who is not a councillor, another organisation's people, an unknown
customer reference, oversized or hostile text) is explained and nothing is saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from onestop.cases.models import Case, Source
from onestop.core.models import Organisation, RoleCode, User
from onestop.customers.models import Customer
from tests import factories as core_factories
from tests.cases.conftest import World
from tests.customers import factories as customer_factories

ClientFor = Callable[[User], Client]
RAISE = "/cases/new/?type=councillor-enquiry"


@pytest.fixture
def other_councillor(council: Organisation) -> User:
    return core_factories.staff(council, RoleCode.COUNCILLOR, username="councillor.two")


def _enquiry(member: User, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Street light out on Mill Lane",
        "description": "Dark for a week",
        "councillor": member.pk,
        "constituent_name": "Pat Jones",
        "postcode": "HP20 1UB",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def _cases(world: World) -> int:
    return Case.objects.for_organisation(world.organisation).count()


def test_staff_choose_the_councillor_from_the_organisations_councillors(
    world: World,
    advisor: User,
    councillor: User,
    other_councillor: User,
    partner: Organisation,
    client_for: ClientFor,
) -> None:
    core_factories.staff(partner, RoleCode.COUNCILLOR, username="partner.councillor")
    page = client_for(advisor).get(RAISE)
    assert page.status_code == 200
    choices = list(page.context["form"].fields["councillor"].queryset)
    assert choices == sorted([councillor, other_councillor], key=lambda u: u.username)
    body = page.content.decode()
    assert 'name="councillor"' in body
    assert 'name="customer_reference"' in body


def test_an_enquiry_raised_for_a_councillor_shows_in_their_member_view_only(
    world: World,
    advisor: User,
    councillor: User,
    other_councillor: User,
    client_for: ClientFor,
) -> None:
    response = client_for(advisor).post(RAISE, _enquiry(councillor))
    assert response.status_code == 302
    case = Case.objects.for_organisation(world.organisation).get()
    assert (case.kind, case.councillor, case.raised_by, case.constituent_name, case.source) == (
        "councillor-enquiry", councillor, advisor, "Pat Jones", Source.DESK
    )  # fmt: skip
    assert case.team == world.members_team
    theirs = client_for(councillor)
    assert [row["case"] for row in theirs.get("/enquiries/").context["rows"]] == [case]
    assert theirs.get(f"/cases/{case.reference}/").status_code == 200
    other = client_for(other_councillor)
    assert other.get("/enquiries/").context["rows"] == []
    assert case.reference not in other.get("/enquiries/").content.decode()
    assert other.get(f"/cases/{case.reference}/").status_code == 404
    # The constituent has no customer record: they are told through their councillor.
    messages = case.messages.values_list("event", "recipient_kind", "recipient_user_id")
    assert list(messages) == [("acknowledgement", "councillor", councillor.pk)]


def test_from_the_desk_the_customer_is_the_constituent(
    world: World, advisor: User, councillor: User, client_for: ClientFor
) -> None:
    customer = customer_factories.customer(world.organisation, "Pat", "Jones")
    client = client_for(advisor)
    page = client.get(f"{RAISE}&customer={customer.pk}").content.decode()
    assert 'name="customer_reference"' not in page
    response = client.post(
        f"{RAISE}&customer={customer.pk}", _enquiry(councillor, constituent_name="")
    )
    assert response.status_code == 302
    case = Case.objects.for_organisation(world.organisation).get()
    assert (case.customer, case.councillor) == (customer, councillor)


def test_the_constituent_can_be_named_by_their_customer_reference(
    world: World, advisor: User, councillor: User, client_for: ClientFor
) -> None:
    customer = customer_factories.customer(world.organisation, "Pat", "Jones")
    response = client_for(advisor).post(
        RAISE,
        _enquiry(councillor, constituent_name="", customer_reference=customer.reference.lower()),
    )
    assert response.status_code == 302
    case = Case.objects.for_organisation(world.organisation).get()
    assert (case.customer, case.councillor) == (customer, councillor)
    assert [row["case"] for row in client_for(councillor).get("/enquiries/").context["rows"]] == [
        case
    ]


def test_another_organisations_customer_reference_is_unknown(
    world: World, advisor: User, councillor: User, partner: Organisation, client_for: ClientFor
) -> None:
    theirs: Customer = customer_factories.customer(partner, "Pat", "Jones")
    response = client_for(advisor).post(
        RAISE, _enquiry(councillor, constituent_name="", customer_reference=theirs.reference)
    )
    assert response.status_code == 400
    assert "There is no customer with that reference" in response.content.decode()
    assert _cases(world) == 0


def _not_a_councillor(world: World, partner: Organisation) -> dict[str, User]:
    return {
        "officer": world.officer,
        "partner councillor": core_factories.staff(
            partner, RoleCode.COUNCILLOR, username="partner.councillor"
        ),
    }


REFUSED: list[tuple[dict[str, Any], str]] = [
    ({"councillor": None}, "Select councillor"),
    ({"councillor": ""}, "Select councillor"),
    ({"councillor": "not-a-number"}, "Select councillor from the list"),
    ({"councillor": "999999"}, "Select councillor from the list"),
    ({"councillor": "1 OR 1=1"}, "Select councillor from the list"),
    ({"constituent_name": ""}, "Enter the name of the constituent the enquiry is for"),
    ({"constituent_name": "x" * 201}, "must be 200 characters or fewer"),
    ({"constituent_name": "Pat\x00Jones"}, "Remove the special characters from"),
    ({"customer_reference": "C" * 21, "constituent_name": ""}, "must be 20 characters or fewer"),
    ({"customer_reference": "NO-SUCH", "constituent_name": ""},
     "There is no customer with that reference"),
    ({"title": ""}, "Enter summary"),
    ({"title": "x" * 201}, "Summary must be 200 characters or fewer"),
    ({"description": "x" * 10_001}, "Details must be 10000 characters or fewer"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "message"), REFUSED, ids=[str(c)[:50] for c, _m in REFUSED])
def test_refused_input_is_explained_and_nothing_is_saved(
    world: World,
    advisor: User,
    councillor: User,
    client_for: ClientFor,
    changes: dict[str, Any],
    message: str,
) -> None:
    response = client_for(advisor).post(RAISE, _enquiry(councillor, **changes))
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert message in body
    assert _cases(world) == 0


@pytest.mark.parametrize("who", ["officer", "partner councillor"])
def test_only_a_councillor_of_the_organisation_can_be_chosen(
    world: World,
    advisor: User,
    partner: Organisation,
    client_for: ClientFor,
    who: str,
) -> None:
    chosen = _not_a_councillor(world, partner)[who]
    response = client_for(advisor).post(RAISE, _enquiry(chosen))
    assert response.status_code == 400
    assert "Select councillor from the list" in response.content.decode()
    assert _cases(world) == 0


def test_a_councillor_raising_their_own_enquiry_is_not_asked_for_a_councillor(
    world: World, councillor: User, other_councillor: User, client_for: ClientFor
) -> None:
    client = client_for(councillor)
    page = client.get("/cases/new/").content.decode()
    assert 'name="councillor"' not in page
    response = client.post(
        "/cases/new/",
        _enquiry(other_councillor),  # a posted councillor is ignored
    )
    assert response.status_code == 302
    case = Case.objects.for_organisation(world.organisation).get()
    assert (case.councillor, case.source) == (councillor, Source.COUNCILLOR)


@pytest.mark.parametrize("who", ["partner_advisor", "auditor"])
def test_people_who_cannot_raise_for_the_council_are_refused_and_nothing_is_saved(
    world: World,
    councillor: User,
    client_for: ClientFor,
    request: pytest.FixtureRequest,
    who: str,
) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.post(RAISE, _enquiry(councillor)).status_code in {400, 403}
    assert _cases(world) == 0
