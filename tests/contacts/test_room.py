"""The one-stop shop's room (issue 13, items 5 and 12): a visitor with a warning marker is
flagged in the queue with their name linked; a shop shared by several organisations has one
ticket sequence and one calling display, and each organisation sees only its own customers'
details in it."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.test import Client

from onestop.contacts import queries, services
from onestop.contacts.models import VisitorTicket
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, AuditRecord, Organisation, User
from onestop.directory import services as directory_services
from onestop.directory.models import AccessPoint
from tests.contacts.conftest import People
from tests.directory import factories as directory_factories
from tests.matrix import covers

ClientFor = Callable[[User], Client]


@pytest.fixture
def shared(office: AccessPoint, partner: Organisation) -> AccessPoint:
    directory_services.share_access_point(office, by=None, organisation=partner)
    return office


def test_a_visitor_with_a_warning_marker_is_flagged_in_the_queue_and_their_name_linked(
    client_for: ClientFor, council: Organisation, people: People, advisor: User, office: AccessPoint
) -> None:
    services.issue_ticket(council, by=advisor, access_point=office, customer=people.john)
    services.issue_ticket(council, by=advisor, access_point=office, customer=people.jane)
    page = client_for(advisor).get(f"/desk/queue/?access_point={office.pk}")
    body = page.content.decode()
    assert body.count('data-testid="marker-banner"') == 1
    assert "A001: John Jones" in body
    assert "See in pairs; do not visit alone" in body
    assert f'href="/desk/customers/{people.john.pk}/">John Jones</a>' in body
    assert f'href="/desk/customers/{people.jane.pk}/">Jane Smith</a>' in body
    assert "Warning: Potentially violent" in body
    assert (
        AuditRecord.objects.for_user(advisor)
        .filter(action=AuditAction.VIEWED, object_id=str(people.marker.pk))
        .count()
        == 1
    )


def test_a_shared_shop_numbers_every_organisations_visitors_in_one_sequence(
    council: Organisation,
    partner: Organisation,
    people: People,
    advisor: User,
    partner_advisor: User,
    shared: AccessPoint,
) -> None:
    first = services.issue_ticket(council, by=advisor, access_point=shared)
    second = services.issue_ticket(
        partner, by=partner_advisor, access_point=shared, customer=people.outsider
    )
    third = services.issue_ticket(council, by=advisor, access_point=shared, customer=people.john)
    assert [first.ticket, second.ticket, third.ticket] == ["A001", "A002", "A003"]
    assert [first.organisation, second.organisation] == [council, partner]


def test_each_organisation_sees_only_its_own_visitors_details_in_the_room(
    client_for: ClientFor,
    council: Organisation,
    partner: Organisation,
    people: People,
    advisor: User,
    partner_advisor: User,
    shared: AccessPoint,
) -> None:
    services.issue_ticket(council, by=advisor, access_point=shared, customer=people.john)
    partners = services.issue_ticket(
        partner, by=partner_advisor, access_point=shared, customer=people.outsider
    )
    ours = client_for(advisor).get(f"/desk/queue/?access_point={shared.pk}").content.decode()
    theirs = client_for(partner_advisor).get(f"/desk/queue/?access_point={shared.pk}")
    body = theirs.content.decode()
    assert [row.ticket.ticket for row in theirs.context["rows"]] == ["A001", "A002"]
    assert [row.own for row in theirs.context["rows"]] == [False, True]
    assert "John Jones" not in body
    assert "See in pairs" not in body
    assert "Visitor for Test District Council" in body
    assert "Jane Smith" in body
    assert "Visitor for Test Housing Association" in ours
    assert f"/desk/queue/tickets/{partners.pk}/" not in ours
    assert client_for(advisor).post(f"/desk/queue/tickets/{partners.pk}/seen/").status_code == 404
    partners.refresh_from_db()
    assert partners.seen_at is None


def test_the_room_has_one_calling_display_showing_ticket_numbers_only(
    client_for: ClientFor,
    council: Organisation,
    partner: Organisation,
    people: People,
    advisor: User,
    partner_advisor: User,
    shared: AccessPoint,
) -> None:
    ours = services.issue_ticket(council, by=advisor, access_point=shared, customer=people.john)
    theirs = services.issue_ticket(
        partner, by=partner_advisor, access_point=shared, customer=people.outsider
    )
    services.issue_ticket(council, by=advisor, access_point=shared)
    services.call_visitor(ours, by=advisor)
    services.call_visitor(theirs, by=partner_advisor)
    for person in (advisor, partner_advisor):
        page = client_for(person).get(f"/desk/queue/{shared.pk}/display/")
        assert page.context["board"] == queries.CallingDisplay(["A002", "A001"], 1)
        body = page.content.decode()
        assert "John Jones" not in body
        assert "Jane Smith" not in body
    fragment = client_for(advisor).get(f"/desk/queue/{shared.pk}/display/", HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()


def test_an_office_not_shared_with_the_organisation_is_refused_and_nothing_issued(
    client_for: ClientFor,
    council: Organisation,
    partner: Organisation,
    partner_advisor: User,
    office: AccessPoint,
) -> None:
    with pytest.raises(ServiceError) as refused:
        services.issue_ticket(partner, by=partner_advisor, access_point=office)
    assert refused.value.code == "wrong_organisation"
    assert client_for(partner_advisor).get(f"/desk/queue/{office.pk}/display/").status_code == 404
    assert VisitorTicket.objects.for_organisation(partner).count() == 0
    other = directory_factories.access_point(partner, "Housing office")
    assert client_for(partner_advisor).get(f"/desk/queue/{other.pk}/display/").status_code == 200


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL's row locks"
)
@pytest.mark.django_db(transaction=True)
def test_tickets_issued_at_the_same_moment_in_a_shared_shop_never_share_a_number(
    council: Organisation,
    partner: Organisation,
    advisor: User,
    partner_advisor: User,
    shared: AccessPoint,
) -> None:
    people = [(council, advisor), (partner, partner_advisor)] * 4
    start = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def issue(organisation: Organisation, person: User) -> None:
        try:
            start.wait()
            services.issue_ticket(organisation, by=person, access_point=shared)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=pair) for pair in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = sorted(
        VisitorTicket.objects.filter(
            organisation_id__in=[council.pk, partner.pk], access_point=shared
        ).values_list("ticket", flat=True)
    )
    assert errors == []
    assert numbers == [f"A{n:03d}" for n in range(1, 9)]


def test_the_call_back_list_shows_the_customers_warning(
    client_for: ClientFor, council: Organisation, people: People, advisor: User
) -> None:
    services.log_contact(
        council,
        by=advisor,
        customer=people.john,
        values=services.ContactInput(
            outcome="callback-promised", callback_phone="01296 585858", notes="Bins"
        ),
    )
    body = client_for(advisor).get("/desk/callbacks/").content.decode()
    assert body.count('data-testid="marker-banner"') == 1
    assert "Warning: Potentially violent" in body
    assert f'href="/desk/customers/{people.john.pk}/">John Jones</a>' in body


@covers("contacts:calling-display")
def test_the_calling_display_permission_matrix(
    client_for: ClientFor,
    council: Organisation,
    advisor: User,
    administrator: User,
    partner_advisor: User,
    office: AccessPoint,
) -> None:
    services.issue_ticket(council, by=advisor, access_point=office)
    url = f"/desk/queue/{office.pk}/display/"
    anonymous = Client().get(url)
    assert (anonymous.status_code, anonymous["Location"].startswith("/sign-in/")) == (302, True)
    assert client_for(partner_advisor).get(url).status_code == 404
    assert client_for(administrator).get(url).status_code == 403
    allowed = client_for(advisor).get(url)
    assert allowed.status_code == 200
    assert allowed.context["board"] == queries.CallingDisplay([], 1)
