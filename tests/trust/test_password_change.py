"""Staff change their own password: the old one is checked, the rules apply, it is audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from onestop.core.models import AuditAction, AuditRecord, User
from tests.factories import PASSWORD
from tests.matrix import covers

NEW_PASSWORD = "a fresh and rather long passphrase"


def test_a_member_of_staff_changes_their_password_and_stays_signed_in(
    client_for: Callable[[User], Client], advisor: User
) -> None:
    client = client_for(advisor)
    response = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    advisor.refresh_from_db()
    assert advisor.check_password(NEW_PASSWORD)
    assert client.get("/staff/").status_code == 200
    assert (
        AuditRecord.objects.for_user(advisor)
        .filter(action=AuditAction.CHANGED, summary="Password changed", actor=advisor)
        .count()
        == 1
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "old_password": "wrong",
                "new_password": NEW_PASSWORD,
                "confirm_password": NEW_PASSWORD,
            },
            "Your current password is not right",
        ),
        (
            {"old_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
            "This password is too short",
        ),
        (
            {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": "other"},
            "Enter the same new password twice",
        ),
        (
            {"old_password": PASSWORD, "new_password": "x" * 5000, "confirm_password": "x" * 5000},
            "must be 128 characters or fewer",
        ),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(
    client_for: Callable[[User], Client], advisor: User, data: dict[str, str], message: str
) -> None:
    response = client_for(advisor).post("/account/password/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    advisor.refresh_from_db()
    assert advisor.check_password(PASSWORD)


@covers("trust:password-change")
def test_an_anonymous_visitor_is_sent_to_sign_in() -> None:
    response = Client().get("/account/password/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2Faccount%2Fpassword%2F"


# --- a temporary password from an administrator (issue 13, item 9) -------------------------
def test_staff_added_with_a_temporary_password_must_choose_their_own_first(
    client_for: Callable[[User], Client], administrator: User
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from onestop.directory import services as directory_services

    newcomer = directory_services.create_staff(
        administrator.organisation,  # type: ignore[arg-type]
        by=administrator,
        username="new.starter",
        first_name="New",
        last_name="Starter",
        password=PASSWORD,
        role_codes=["advisor"],
    )
    TOTPDevice.objects.create(user=newcomer, name="Authenticator app", confirmed=True)
    client = client_for(newcomer)

    sent = client.get("/desk/")
    page = client.get(sent["Location"])
    changed = client.post(
        sent["Location"],
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )

    assert (sent.status_code, sent["Location"]) == (302, "/account/password/?next=%2Fdesk%2F")
    assert "temporary password from an administrator" in page.content.decode()
    assert (changed.status_code, changed["Location"]) == (302, "/desk/")
    newcomer.refresh_from_db()
    assert newcomer.must_change_password is False
    assert client.get("/desk/").status_code == 200


def test_staff_who_chose_their_own_password_are_not_sent_to_change_it(
    client_for: Callable[[User], Client], advisor: User
) -> None:
    assert client_for(advisor).get("/desk/").status_code == 200
    assert (
        "temporary password" not in client_for(advisor).get("/account/password/").content.decode()
    )
