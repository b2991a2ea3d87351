"""Staff screens: the permission matrix and what each page shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client

from onestop.core.models import Organisation, User
from onestop.standards import services
from onestop.standards.models import ClosureDay
from tests.govuk_dates import date_input
from tests.matrix import covers

PAGES = ["/standards/", "/standards/calendar/", "/standards/when-due/"]


@pytest.mark.parametrize("url", PAGES)
@covers("standards:home", "standards:calendar", "standards:when-due")
def test_anonymous_visitors_are_sent_to_sign_in(db: None, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("persona", ["advisor", "administrator", "auditor"])
def test_staff_with_standard_view_see_the_pages(
    request: pytest.FixtureRequest, client_for: Callable[[User], Client], persona: str, url: str
) -> None:
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url).status_code == 200


@pytest.fixture
def closure(council: Organisation, administrator: User) -> ClosureDay:
    return services.add_closure_day(
        council, by=administrator, day=date(2023, 12, 28), reason="Christmas closure"
    )


def test_adding_a_closure_day_needs_calendar_manage(
    client_for: Callable[[User], Client], advisor: User, council: Organisation
) -> None:
    response = client_for(advisor).post(
        "/standards/calendar/", {**date_input("day", "28/12/2023"), "reason": "Closed"}
    )
    assert response.status_code == 403
    assert ClosureDay.objects.for_organisation(council).count() == 0


def test_an_administrator_adds_a_closure_day(
    client_for: Callable[[User], Client], administrator: User, council: Organisation
) -> None:
    response = client_for(administrator).post(
        "/standards/calendar/", {**date_input("day", "28/12/2023"), "reason": "Closed"}
    )
    assert response.status_code == 302
    assert list(ClosureDay.objects.for_organisation(council).values_list("date", flat=True)) == [
        date(2023, 12, 28)
    ]


def test_the_calendar_page_says_open_deadlines_are_being_recalculated(
    client_for: Callable[[User], Client], administrator: User
) -> None:
    response = client_for(administrator).post(
        "/standards/calendar/", {**date_input("day", "28/12/2023"), "reason": "Closed"}, follow=True
    )
    assert "Open case deadlines are being recalculated" in response.content.decode()


def test_a_bank_holiday_is_refused_with_an_error_summary(
    client_for: Callable[[User], Client], administrator: User, council: Organisation
) -> None:
    response = client_for(administrator).post(
        "/standards/calendar/", {**date_input("day", "25/12/2023"), "reason": "Closed"}
    )
    assert response.status_code == 200
    assert "Enter a weekday that is not a bank holiday" in response.content.decode()
    assert ClosureDay.objects.for_organisation(council).count() == 0


@pytest.mark.parametrize(
    ("persona", "status", "remaining"),
    [
        ("partner_administrator", 404, 1),  # another organisation
        ("advisor", 403, 1),  # no CALENDAR_MANAGE
        ("administrator", 302, 0),
    ],
)
@covers("standards:closure-day-remove")
def test_removing_a_closure_day_matrix(
    request: pytest.FixtureRequest,
    client_for: Callable[[User], Client],
    closure: ClosureDay,
    council: Organisation,
    persona: str,
    status: int,
    remaining: int,
) -> None:
    user = request.getfixturevalue(persona)
    response = client_for(user).post(f"/standards/calendar/closure-days/{closure.pk}/remove/")
    assert response.status_code == status
    assert ClosureDay.objects.for_organisation(council).count() == remaining


def test_removing_a_closure_day_anonymously_redirects(closure: ClosureDay) -> None:
    response = Client().post(f"/standards/calendar/closure-days/{closure.pk}/remove/")
    assert response.status_code == 302
    assert ClosureDay.objects.for_organisation(closure.organisation_id).count() == 1


@pytest.mark.usefixtures("closure")
def test_when_due_uses_the_organisation_calendar(
    client_for: Callable[[User], Client], advisor: User
) -> None:
    response = client_for(advisor).get(
        "/standards/when-due/",
        {
            **date_input("start", "23/12/2022"),
            "start_time": "10:00",
            "amount": "5",
            "unit": "working_days",
        },
    )
    assert response.status_code == 200
    assert 'datetime="2023-01-04T23:59:59+00:00"' in response.content.decode()
