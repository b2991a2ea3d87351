"""Customer pages: the permission matrix for every page, duplicate warning before save, bad and
hostile input, stale edits, and the customer page's query count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from onestop.contacts import services as contact_services
from onestop.core.models import User
from onestop.customers.models import Customer
from tests.customers.conftest import People, snapshot
from tests.govuk_dates import date_input
from tests.matrix import covers

ClientFor = Callable[[User], Client]
UrlOf = Callable[[People], str]

pytestmark = pytest.mark.django_db

# (name, url, the persona allowed, a same-organisation persona refused)
PAGES: list[tuple[str, UrlOf, str, str]] = [
    ("detail", lambda p: f"/customers/{p.jane.pk}/", "advisor", "administrator"),
    ("edit", lambda p: f"/customers/{p.jane.pk}/edit/", "advisor", "auditor"),
    ("address", lambda p: f"/customers/{p.jane.pk}/addresses/new/", "advisor", "auditor"),
    ("phone", lambda p: f"/customers/{p.jane.pk}/phones/new/", "advisor", "auditor"),
    ("email", lambda p: f"/customers/{p.jane.pk}/emails/new/", "advisor", "auditor"),
    ("name", lambda p: f"/customers/{p.jane.pk}/names/new/", "advisor", "auditor"),
    ("marker", lambda p: f"/customers/{p.jane.pk}/markers/new/", "manager", "advisor"),
    ("equality", lambda p: f"/customers/{p.jane.pk}/equality/", "manager", "advisor"),
    ("erase equality", lambda p: f"/customers/{p.jane.pk}/equality/erase/", "manager", "auditor"),
    ("merge", lambda p: f"/customers/{p.jane.pk}/merge/", "manager", "advisor"),
    ("marker review", lambda p: f"/customers/markers/{p.marker.pk}/review/", "manager", "advisor"),
]
LIST_PAGES: list[tuple[str, str, str, str]] = [
    ("create", "/customers/new/", "advisor", "auditor"),
    ("markers due", "/customers/markers/review/", "manager", "advisor"),
    ("equality report", "/customers/equality/", "auditor", "advisor"),
]


@pytest.mark.parametrize(("name", "url_of", "allowed", "refused"), PAGES, ids=[p[0] for p in PAGES])
@covers(
    "customers:detail",
    "customers:edit",
    "customers:address-create",
    "customers:phone-create",
    "customers:email-create",
    "customers:name-create",
    "customers:marker-create",
    "customers:equality",
    "customers:equality-erase",
    "customers:merge",
    "customers:marker-review",
)
def test_object_pages_permission_matrix(
    request: pytest.FixtureRequest,
    client_for: ClientFor,
    people: People,
    manager: User,
    name: str,
    url_of: UrlOf,
    allowed: str,
    refused: str,
) -> None:
    url = url_of(people)
    before = snapshot()
    anonymous = Client().get(url)
    other_organisation = client_for(request.getfixturevalue("partner_advisor")).get(url)
    forbidden = client_for(request.getfixturevalue(refused)).get(url)
    posted = client_for(request.getfixturevalue(refused)).post(url, {"given_name": "X"})
    permitted = client_for(request.getfixturevalue(allowed)).get(url)
    assert (anonymous.status_code, anonymous["Location"].startswith("/sign-in/")) == (302, True)
    assert (other_organisation.status_code, forbidden.status_code) == (404, 403)
    assert posted.status_code == (405 if name == "detail" else 403)
    assert permitted.status_code == 200
    snapshot_after = snapshot()
    assert snapshot_after["customers"] == before["customers"]
    assert snapshot_after["changes"] == before["changes"]


@pytest.mark.parametrize(
    ("name", "url", "allowed", "refused"), LIST_PAGES, ids=[p[0] for p in LIST_PAGES]
)
@covers("customers:create", "customers:markers-due", "customers:equality-report")
def test_list_pages_permission_matrix(
    request: pytest.FixtureRequest,
    client_for: ClientFor,
    people: People,
    manager: User,
    name: str,
    url: str,
    allowed: str,
    refused: str,
) -> None:
    assert Client().get(url).status_code == 302
    assert client_for(request.getfixturevalue(refused)).get(url).status_code == 403
    assert client_for(request.getfixturevalue(allowed)).get(url).status_code == 200


NEW_CUSTOMER = {
    "kind": "person",
    "given_name": "Jayne",
    "family_name": "Smith",
    **date_input("date_of_birth", "12/3/1980"),
    "line_1": "",
    "postcode": "",
    "phone": "",
    "email": "",
    "language": "en",
}


def test_a_near_match_is_shown_before_saving_and_saving_needs_confirmation(
    client_for: ClientFor, people: People, advisor: User
) -> None:
    client = client_for(advisor)
    before = snapshot()
    warned = client.post("/customers/new/", NEW_CUSTOMER)
    assert warned.status_code == 200
    assert b"This may be a customer we already have" in warned.content
    assert people.jane.reference.encode() in warned.content
    assert snapshot() == before
    created = client.post("/customers/new/", {**NEW_CUSTOMER, "not_a_duplicate": "on"})
    customer = Customer.objects.for_user(advisor).get(display_name="Jayne Smith")
    assert created["Location"] == f"/desk/customers/{customer.pk}/"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "12345", b"Enter a real phone number"),
        ("postcode", "ZZ99 9ZZZ", b"Enter a real UK postcode"),
        ("email", "jane@", b"Enter an email address in the correct format"),
        ("date_of_birth", "31/02/1980", b"Date of birth must be a real date"),
        ("date_of_birth", "1/1/2999", b"Date of birth must be in the past"),
        ("date_of_birth", "12//1980", b"Date of birth must include a month"),
        ("date_of_birth", "12/3/80", b"Year must include 4 numbers"),
        ("date_of_birth", "1\x00/3/1980", b"Date of birth must be a real date"),
        ("date_of_birth", "9" * 500 + "/3/1980", b"Date of birth must be a real date"),
        ("family_name", "", b"Enter the last name"),
        ("family_name", "x" * 151, b"Last name must be 150 characters or fewer"),
        ("uprn", "12345678901234", b"UPRN must be 999999999999 or less"),
        # A right-to-left override disguises text: refused by the one rule of core.text.
        ("family_name", "\u202eevil", b"Remove the special characters from"),
    ],
)
def test_bad_input_is_refused_with_a_gov_uk_error_and_nothing_saved(
    client_for: ClientFor, people: People, advisor: User, field: str, value: str, message: bytes
) -> None:
    before = snapshot()
    data = {
        **NEW_CUSTOMER,
        "given_name": "Zed",
        "family_name": "Zebedee",
        "line_1": "1 Road",
        "postcode": "HP19 8FF",
        **(date_input(field, value) if field == "date_of_birth" else {field: value}),
    }
    response = client_for(advisor).post("/customers/new/", data)
    assert response.status_code == 400
    assert b"govuk-error-summary" in response.content
    assert message in response.content
    assert b"<title>Error:" in response.content
    assert snapshot() == before


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "Robert'); DROP TABLE customers_customer;--",
        "😀" * 10,
    ],
)
def test_hostile_names_are_stored_as_text_and_escaped_on_the_page(
    client_for: ClientFor, council: object, advisor: User, hostile: str
) -> None:
    client = client_for(advisor)
    response = client.post(
        "/customers/new/",
        {**NEW_CUSTOMER, "given_name": hostile, **date_input("date_of_birth", "")},
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b"<script>alert(1)</script>" not in page.content


def test_an_oversized_request_is_refused(
    client_for: ClientFor, people: People, advisor: User
) -> None:
    before = snapshot()
    response = client_for(advisor).post(
        "/customers/new/", {**NEW_CUSTOMER, "given_name": "x" * 3_000_000}
    )
    assert response.status_code in (400, 413)
    assert snapshot() == before


def test_an_edit_from_a_stale_page_is_refused_clearly(
    client_for: ClientFor, people: People, advisor: User
) -> None:
    client = client_for(advisor)
    form = {**NEW_CUSTOMER, "given_name": "Jane", "family_name": "Brown", "version": "1"}
    assert client.post(f"/customers/{people.jane.pk}/edit/", form).status_code == 302
    stale = client.post(f"/customers/{people.jane.pk}/edit/", {**form, "family_name": "Green"})
    assert stale.status_code == 400
    assert b"Someone else changed this customer" in stale.content
    assert Customer.objects.for_user(advisor).get(pk=people.jane.pk).display_name == "Jane Brown"


def test_the_customer_page_query_count_does_not_grow_with_history(
    client_for: ClientFor,
    people: People,
    advisor: User,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(advisor)
    url = f"/customers/{people.john.pk}/"
    client.get(url)
    for _ in range(30):
        contact_services.log_contact(
            people.john.organisation,
            by=advisor,
            customer=people.john,
            values=contact_services.ContactInput(outcome="resolved", notes="note"),
        )
    with django_assert_max_num_queries(40):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.count(b"Resolved at first contact") == 25


def test_the_advisor_sees_the_banner_not_the_detail(
    client_for: ClientFor, people: People, advisor: User, team_leader: User
) -> None:
    advisor_page = client_for(advisor).get(f"/customers/{people.john.pk}/")
    leader_page = client_for(team_leader).get(f"/customers/{people.john.pk}/")
    assert b"See in pairs" in advisor_page.content
    assert b"Threatened an officer" not in advisor_page.content
    assert b"Threatened an officer" in leader_page.content


@covers("customers:unmerge")
def test_a_manager_merges_and_undoes_through_the_pages(
    client_for: ClientFor, people: People, manager: User
) -> None:
    client = client_for(manager)
    merged = client.post(f"/customers/{people.jane.pk}/merge/", {"other": people.john.reference})
    assert merged.status_code == 302
    john = Customer.objects.for_user(manager).get(pk=people.john.pk)
    assert john.merged_into_id == people.jane.pk
    page = client.get(f"/customers/{people.jane.pk}/")
    merge_id = page.context["record"].merges[0].pk
    assert client.post(f"/customers/merges/{merge_id}/undo/").status_code == 302
    john.refresh_from_db()
    assert john.merged_into_id is None


def test_merging_a_reference_of_another_organisation_finds_nothing(
    client_for: ClientFor, people: People, manager: User
) -> None:
    before = snapshot()
    response = client_for(manager).post(
        f"/customers/{people.jane.pk}/merge/", {"other": people.outsider.reference}
    )
    assert response.status_code == 400
    assert snapshot() == before
