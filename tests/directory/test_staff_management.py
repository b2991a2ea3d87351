"""Administrators add staff and deactivate leavers; nobody else can, and nothing leaks."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from onestop.core.models import AuditAction, AuditRecord, Organisation, User
from onestop.directory import services
from tests.factories import PASSWORD
from tests.matrix import covers

NEW = {
    "username": "new.advisor",
    "first_name": "Nia",
    "last_name": "Evans",
    "email": "nia.evans@example.gov.uk",
    "job_title": "Customer service advisor",
    "password": "a long temporary passphrase",
    "roles": ["advisor"],
}


def _usernames(organisation: Organisation) -> list[str]:
    return sorted(User.objects.filter(organisation=organisation).values_list("username", flat=True))


def test_an_administrator_adds_a_member_of_staff_with_roles(
    client_for: Callable[[User], Client], administrator: User, council: Organisation
) -> None:
    response = client_for(administrator).post("/directory/staff/new/", NEW)
    assert response.status_code == 302
    created = User.objects.get(username="new.advisor@test-council")
    assert (created.organisation, created.email, created.is_active) == (
        council,
        "nia.evans@example.gov.uk",
        True,
    )
    assert list(created.roles.values_list("code", flat=True)) == ["advisor"]
    assert created.check_password("a long temporary passphrase")
    assert (
        AuditRecord.objects.for_organisation(council)
        .filter(action=AuditAction.CREATED, object_id=str(created.pk), actor=administrator)
        .count()
        == 1
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password": "short"}, "This password is too short"),
        ({"password": "password1234"}, "This password is too common"),
        ({"username": "taken.one"}, "The username taken.one@test-council is taken"),
        ({"username": "TAKEN.ONE"}, "The username TAKEN.ONE@test-council is taken"),
        ({"username": "nia@test-housing"}, "Use only letters, numbers"),
        ({"username": "x" * 81}, "Username must be 80 characters or fewer"),
        ({"username": "bad name<script>"}, "Use only letters, numbers"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"roles": ["emperor"]}, "Select roles from the list"),
        ({"first_name": "x" * 5000}, "First name must be 150 characters or fewer"),
    ],
)
def test_bad_staff_details_are_refused_and_nothing_is_created(
    client_for: Callable[[User], Client],
    administrator: User,
    advisor: User,
    council: Organisation,
    change: dict[str, object],
    message: str,
) -> None:
    services.create_staff(
        council,
        by=None,
        username="taken.one",
        first_name="T",
        last_name="One",
        password="a long temporary passphrase",
        role_codes=[],
    )
    before = _usernames(council)
    response = client_for(administrator).post("/directory/staff/new/", {**NEW, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _usernames(council) == before


@covers("directory:staff-create")
def test_an_advisor_cannot_add_staff(
    client_for: Callable[[User], Client], advisor: User, council: Organisation
) -> None:
    before = _usernames(council)
    response = client_for(advisor).post("/directory/staff/new/", NEW)
    assert response.status_code == 403
    assert _usernames(council) == before


def test_a_deactivated_member_of_staff_is_signed_out_and_cannot_sign_in(
    client_for: Callable[[User], Client], administrator: User, advisor: User
) -> None:
    advisor_session = client_for(advisor)
    assert advisor_session.get("/staff/").status_code == 200
    response = client_for(administrator).post(f"/directory/staff/{advisor.pk}/deactivate/")
    assert response.status_code == 302
    advisor.refresh_from_db()
    assert advisor.is_active is False
    assert advisor_session.get("/staff/").status_code == 302
    sign_in = Client().post("/sign-in/", {"username": "advisor", "password": PASSWORD})
    assert "Enter a correct username and password" in sign_in.content.decode()


def test_an_administrator_cannot_deactivate_themselves(
    client_for: Callable[[User], Client], administrator: User
) -> None:
    client_for(administrator).post(f"/directory/staff/{administrator.pk}/deactivate/")
    administrator.refresh_from_db()
    assert administrator.is_active is True


@covers("directory:staff-deactivate")
def test_another_organisations_staff_cannot_be_deactivated(
    client_for: Callable[[User], Client], partner_administrator: User, advisor: User
) -> None:
    response = client_for(partner_administrator).post(f"/directory/staff/{advisor.pk}/deactivate/")
    assert response.status_code == 404
    advisor.refresh_from_db()
    assert advisor.is_active is True


def test_an_advisor_cannot_deactivate_anyone(
    client_for: Callable[[User], Client], advisor: User, team_leader: User
) -> None:
    response = client_for(advisor).post(f"/directory/staff/{team_leader.pk}/deactivate/")
    assert response.status_code == 403
    team_leader.refresh_from_db()
    assert team_leader.is_active is True


def test_resetting_an_authenticator_makes_the_next_sign_in_enrol_again(
    client_for: Callable[[User], Client], administrator: User, advisor: User
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    response = client_for(administrator).post(f"/directory/staff/{advisor.pk}/reset-second-factor/")
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=advisor).count() == 0
    sign_in = Client().post("/sign-in/", {"username": "advisor", "password": PASSWORD})
    assert sign_in["Location"] == "/sign-in/set-up/"
    assert (
        AuditRecord.objects.for_user(administrator)
        .filter(summary="Second factor reset", object_id=str(advisor.pk))
        .count()
        == 1
    )


@covers("directory:staff-reset-second-factor")
def test_only_administrators_of_the_same_organisation_reset_authenticators(
    client_for: Callable[[User], Client],
    partner_administrator: User,
    advisor: User,
    team_leader: User,
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert (
        client_for(partner_administrator)
        .post(f"/directory/staff/{advisor.pk}/reset-second-factor/")
        .status_code
        == 404
    )
    assert (
        client_for(team_leader)
        .post(f"/directory/staff/{advisor.pk}/reset-second-factor/")
        .status_code
        == 403
    )
    assert TOTPDevice.objects.filter(user=advisor).count() == 1


def test_a_username_another_organisation_uses_is_not_revealed(
    client_for: Callable[[User], Client],
    administrator: User,
    partner_administrator: User,
    partner: Organisation,
) -> None:
    """The attack: a partner's administrator adding "advisor" was told "The username advisor is
    taken", learning the council's staff.  Usernames are per organisation now."""
    council_page = client_for(administrator).post(
        "/directory/staff/new/", {**NEW, "username": "advisor"}
    )
    partner_page = client_for(partner_administrator).post(
        "/directory/staff/new/", {**NEW, "username": "advisor", "roles": ["partner-advisor"]}
    )
    assert (council_page.status_code, partner_page.status_code) == (302, 302)
    assert User.objects.get(username="advisor@test-housing").organisation == partner
    followed = client_for(partner_administrator).get("/directory/staff/").content.decode()
    assert "advisor@test-council" not in followed


def test_new_staff_sign_in_with_their_organisation_qualified_name(
    client_for: Callable[[User], Client], administrator: User
) -> None:
    added = client_for(administrator).post("/directory/staff/new/", NEW, follow=True)
    assert "they sign in as new.advisor@test-council" in added.content.decode()
    password = {"password": "a long temporary passphrase"}
    bare = Client().post("/sign-in/", {"username": "new.advisor", **password})
    qualified = Client().post("/sign-in/", {"username": "new.advisor@Test-Council", **password})
    assert "Enter a correct username and password" in bare.content.decode()
    assert qualified["Location"] == "/sign-in/set-up/"


def test_an_empty_staff_form_names_each_missing_detail_at_its_own_address(
    client_for: Callable[[User], Client], administrator: User, council: Organisation
) -> None:
    """Issue 13 item 13: five named errors, not five "This field is required."."""
    before = _usernames(council)
    response = client_for(administrator).post("/directory/staff/new/", {})
    assert (response.status_code, response.request["PATH_INFO"]) == (400, "/directory/staff/new/")
    body = response.content.decode()
    assert "This field is required" not in body
    for message in (
        "Enter a username for the member of staff",
        "Enter the member of staff&#x27;s first name",
        "Enter the member of staff&#x27;s last name",
        "Enter the member of staff&#x27;s email address",
        "Enter a temporary password for the member of staff",
    ):
        assert body.count(message) == 2  # in the error summary and at the input
    assert _usernames(council) == before
