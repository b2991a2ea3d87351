"""The standard page: everyone with standard.view reads it; administrators change it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client

from onestop.core.models import AuditAction, AuditRecord, Organisation, User
from onestop.standards import services
from onestop.standards.models import Standard
from tests.matrix import covers


@pytest.fixture
def letters(council: Organisation) -> Standard:
    return services.save_standard(
        council,
        by=None,
        code="letters",
        title="Answer letters",
        applies_to="letter",
        start_event="received",
        stop_event="answered",
        amount=10,
        unit="working_days",
        target_percent=Decimal("90"),
    )


def _state(standard: Standard) -> tuple[str, int | None, str, Decimal, int]:
    standard.refresh_from_db()
    return (
        standard.title,
        standard.amount,
        standard.unit,
        standard.target_percent,
        standard.targets.count(),
    )


UNCHANGED = ("Answer letters", 10, "working_days", Decimal("90.00"), 0)


def test_anonymous_visitors_are_sent_to_sign_in(letters: Standard) -> None:
    response = Client().get(f"/standards/{letters.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_an_advisor_reads_the_standard_without_the_forms(
    client_for: Callable[[User], Client], advisor: User, letters: Standard
) -> None:
    response = client_for(advisor).get(f"/standards/{letters.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Answer letters" in page
    assert "Change this standard" not in page


@covers("standards:standard")
def test_another_organisations_standard_is_not_found(
    client_for: Callable[[User], Client], partner_administrator: User, letters: Standard
) -> None:
    client = client_for(partner_administrator)
    assert client.get(f"/standards/{letters.pk}/").status_code == 404
    response = client.post(
        f"/standards/{letters.pk}/",
        {
            "form": "standard",
            "title": "Hacked",
            "amount": "1",
            "unit": "seconds",
            "target_percent": "1",
        },
    )
    assert response.status_code == 404
    assert _state(letters) == UNCHANGED


def test_an_advisor_cannot_change_a_standard(
    client_for: Callable[[User], Client], advisor: User, letters: Standard
) -> None:
    response = client_for(advisor).post(
        f"/standards/{letters.pk}/",
        {
            "form": "standard",
            "title": "Quicker",
            "amount": "5",
            "unit": "working_days",
            "target_percent": "95",
        },
    )
    assert response.status_code == 403
    assert _state(letters) == UNCHANGED


def test_an_administrator_changes_the_time_limit_and_it_is_audited(
    client_for: Callable[[User], Client], administrator: User, letters: Standard
) -> None:
    response = client_for(administrator).post(
        f"/standards/{letters.pk}/",
        {
            "form": "standard",
            "title": "Answer letters fully",
            "amount": "8",
            "unit": "working_days",
            "target_percent": "92",
        },
    )
    assert response.status_code == 302
    assert _state(letters) == ("Answer letters fully", 8, "working_days", Decimal("92.00"), 0)
    record = AuditRecord.objects.for_organisation(letters.organisation_id).get(
        object_type="standards.standard", action=AuditAction.CHANGED
    )
    assert record.actor == administrator
    assert record.changes["amount"] == ["10", "8"]


def test_an_administrator_records_a_yearly_target(
    client_for: Callable[[User], Client], administrator: User, letters: Standard
) -> None:
    response = client_for(administrator).post(
        f"/standards/{letters.pk}/",
        {"form": "target", "target-year": "2027", "target-target_percent": "92"},
    )
    assert response.status_code == 302
    assert list(letters.targets.values_list("year", "target_percent")) == [(2027, Decimal("92.00"))]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"title": "x", "amount": "5", "unit": "", "target_percent": "90"},
            "Choose the unit of the time limit",
        ),
        (
            {"title": "x", "amount": "", "unit": "seconds", "target_percent": "90"},
            "Enter the time limit, or choose no time limit",
        ),
        (
            {"title": "x", "amount": "5", "unit": "fortnights", "target_percent": "90"},
            "Select unit from the list",
        ),
        (
            {"title": "x", "amount": "5", "unit": "seconds", "target_percent": "150"},
            "must be 100 or less",
        ),
        (
            {"title": "x" * 10_000, "amount": "5", "unit": "seconds", "target_percent": "90"},
            "Title must be 200 characters or fewer",
        ),
        (
            {"title": "x", "amount": "-3", "unit": "seconds", "target_percent": "90"},
            "must be 1 or more",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    client_for: Callable[[User], Client],
    administrator: User,
    letters: Standard,
    data: dict[str, str],
    message: str,
) -> None:
    response = client_for(administrator).post(
        f"/standards/{letters.pk}/", {"form": "standard", **data}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert _state(letters) == UNCHANGED


def test_an_administrator_gives_the_welsh_title_beside_the_english(
    client_for: Callable[[User], Client], administrator: User, letters: Standard
) -> None:
    client = client_for(administrator)
    response = client.post(
        f"/standards/{letters.pk}/",
        {
            "form": "standard",
            "title": "Answer letters",
            "title_cy": "Ateb llythyrau",
            "amount": "10",
            "unit": "working_days",
            "target_percent": "90",
        },
    )

    assert response.status_code == 302
    letters.refresh_from_db()
    assert (letters.title, letters.title_cy) == ("Answer letters", "Ateb llythyrau")
    record = AuditRecord.objects.for_organisation(letters.organisation_id).get(
        object_type="standards.standard", action=AuditAction.CHANGED
    )
    assert record.changes == {"title_cy": ["", "Ateb llythyrau"]}
    page = client.get(f"/standards/{letters.pk}/").content.decode()
    assert 'value="Ateb llythyrau"' in page
    assert 'lang="cy"' in page


@pytest.mark.parametrize("title_cy", ["x" * 201, "Ateb\x00", "Ateb \x1b[31m"])
def test_a_malformed_or_oversized_welsh_title_is_refused_and_changes_nothing(
    client_for: Callable[[User], Client], administrator: User, letters: Standard, title_cy: str
) -> None:
    response = client_for(administrator).post(
        f"/standards/{letters.pk}/",
        {
            "form": "standard",
            "title": "Answer letters",
            "title_cy": title_cy,
            "amount": "10",
            "unit": "working_days",
            "target_percent": "90",
        },
    )

    assert response.status_code == 200
    assert 'href="#id_title_cy"' in response.content.decode()
    assert _state(letters) == UNCHANGED
    letters.refresh_from_db()
    assert letters.title_cy == ""
