"""Administrators configure the reasons for contact the desk offers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from onestop.contacts import services
from onestop.contacts.models import ContactReason
from onestop.core.models import Organisation, User
from tests.directory import factories as directory
from tests.matrix import covers


def _reasons(organisation: Organisation) -> list[tuple[str, bool]]:
    return sorted(
        ContactReason.objects.for_organisation(organisation).values_list("label", "is_active")
    )


def test_an_administrator_adds_a_reason_for_one_service(
    client_for: Callable[[User], Client], administrator: User, council: Organisation
) -> None:
    waste = directory.service(council, "Waste and recycling")
    response = client_for(administrator).post(
        "/desk/reasons/", {"label": "Missed bin", "service": str(waste.pk)}
    )
    assert response.status_code == 302
    reason = ContactReason.objects.for_organisation(council).get(label="Missed bin")
    assert (reason.service, reason.is_active) == (waste, True)


def test_a_retired_reason_is_no_longer_offered_and_can_come_back(
    client_for: Callable[[User], Client], administrator: User, council: Organisation
) -> None:
    reason = services.add_reason(council, by=administrator, label="Council Tax bill")
    client = client_for(administrator)
    assert client.post(f"/desk/reasons/{reason.pk}/retire/").status_code == 302
    assert _reasons(council) == [("Council Tax bill", False)]
    client.post("/desk/reasons/", {"label": "Council Tax bill", "service": ""})
    assert _reasons(council) == [("Council Tax bill", True)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"label": "", "service": ""}, "Enter reason"),
        ({"label": "x" * 5000, "service": ""}, "Reason must be 200 characters or fewer"),
        ({"label": "Noise", "service": "999999"}, "Select service from the list"),
    ],
)
def test_bad_reasons_are_refused_and_nothing_is_added(
    client_for: Callable[[User], Client],
    administrator: User,
    council: Organisation,
    data: dict[str, str],
    message: str,
) -> None:
    response = client_for(administrator).post("/desk/reasons/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _reasons(council) == []


def test_another_organisations_service_cannot_be_chosen(
    client_for: Callable[[User], Client],
    administrator: User,
    council: Organisation,
    partner: Organisation,
) -> None:
    theirs = directory.service(partner, "Tenancy")
    response = client_for(administrator).post(
        "/desk/reasons/", {"label": "Repairs", "service": str(theirs.pk)}
    )
    assert response.status_code == 400
    assert _reasons(council) == []
    assert _reasons(partner) == []


@covers("contacts:reasons", "contacts:reason-retire")
def test_only_administrators_of_the_organisation_manage_reasons(
    client_for: Callable[[User], Client],
    advisor: User,
    partner_administrator: User,
    council: Organisation,
) -> None:
    reason = services.add_reason(council, by=None, label="Parking permit")
    assert client_for(advisor).get("/desk/reasons/").status_code == 403
    assert client_for(advisor).post(f"/desk/reasons/{reason.pk}/retire/").status_code == 403
    assert (
        client_for(partner_administrator).post(f"/desk/reasons/{reason.pk}/retire/").status_code
        == 404
    )
    assert Client().get("/desk/reasons/").status_code == 302
    assert _reasons(council) == [("Parking permit", True)]
