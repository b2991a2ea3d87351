"""Signing in: password, then a code from the authenticator app or a recovery code."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken

from onestop.core.models import AuditAction, AuditRecord, User
from tests import factories
from tests.matrix import covers
from tests.trust.conftest import authenticator_of, code_for, enrol, sign_in_with_password


def is_verified(client: Client) -> bool:
    return "otp_device_id" in client.session


def actions_of(user: User) -> list[tuple[str, str]]:
    return list(
        AuditRecord.objects.for_user(user)
        .filter(actor=user)
        .order_by("sequence")
        .values_list("action", "summary")
    )


def test_sign_in_page_has_labelled_fields_with_autocomplete(client: Client, db: None) -> None:
    response = client.get("/sign-in/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<label class="govuk-label" for="id_username">Username</label>' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html


def test_password_then_code_signs_in_and_reaches_the_next_page(
    client: Client, advisor: User
) -> None:
    response = client.post(
        "/sign-in/?next=/audit/",
        {"username": "advisor", "password": factories.PASSWORD, "next": "/audit/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/code/?next=%2Faudit%2F"
    assert is_verified(client) is False

    response = client.post(
        "/sign-in/code/", {"code": code_for(authenticator_of(advisor)), "next": "/audit/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/audit/"
    assert is_verified(client) is True
    assert client.get("/staff/").status_code == 200
    assert actions_of(advisor)[-2:] == [
        (AuditAction.SIGNED_IN, ""),
        (AuditAction.SIGNED_IN, "Authenticator code accepted"),
    ]


def test_password_alone_does_not_open_staff_pages(client: Client, advisor: User) -> None:
    sign_in_with_password(client, "advisor")

    response = client.get("/staff/")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2Fstaff%2F"


def test_wrong_password_gives_a_generic_error_and_is_audited(client: Client, advisor: User) -> None:
    response = client.post(
        "/sign-in/", {"username": "advisor", "password": "wrong"}, REMOTE_ADDR="10.0.0.7"
    )

    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session
    failed = AuditRecord.objects.for_user(advisor).filter(action=AuditAction.SIGN_IN_FAILED)
    assert list(failed.values_list("actor_label", "ip_address", "summary")) == [
        ("advisor", "10.0.0.7", "Sign-in refused: wrong password")
    ]


def test_unknown_username_gives_the_same_error_and_no_audit_record(
    client: Client, advisor: User
) -> None:
    before = AuditRecord.objects.unscoped("test: count every chain").count()

    response = client.post("/sign-in/", {"username": "nobody", "password": "wrong"})

    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
    assert AuditRecord.objects.unscoped("test: count every chain").count() == before


def test_wrong_code_shows_an_error_and_leaves_the_session_unverified(
    client: Client, advisor: User
) -> None:
    sign_in_with_password(client, "advisor")
    right = code_for(authenticator_of(advisor))
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = client.post("/sign-in/code/", {"code": wrong})

    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "The code is not correct or has been used already" in html
    assert is_verified(client) is False
    assert authenticator_of(advisor).confirmed is True
    assert actions_of(advisor)[-1] == (AuditAction.SIGN_IN_FAILED, "Wrong authenticator code")


def test_the_right_code_straight_after_a_wrong_one_is_accepted(
    client: Client, advisor: User
) -> None:
    sign_in_with_password(client, "advisor")
    client.post("/sign-in/code/", {"code": "000000"})

    retyped = client.post("/sign-in/code/", {"code": code_for(authenticator_of(advisor))})

    assert retyped.status_code == 302
    assert is_verified(client) is True
    assert authenticator_of(advisor).throttling_failure_count == 0


def test_codes_after_three_wrong_ones_are_throttled_then_accepted(
    client: Client, advisor: User, clock: time_machine.Traveller
) -> None:
    sign_in_with_password(client, "advisor")
    for _attempt in range(3):
        client.post("/sign-in/code/", {"code": "000000"})

    throttled = client.post("/sign-in/code/", {"code": code_for(authenticator_of(advisor))})
    clock.shift(dt.timedelta(seconds=5))
    accepted = client.post("/sign-in/code/", {"code": code_for(authenticator_of(advisor))})

    assert "You entered too many wrong codes. Wait 4 seconds" in throttled.content.decode()
    assert accepted.status_code == 302
    assert is_verified(client) is True


def test_a_code_cannot_be_used_twice(
    advisor: User,
) -> None:
    first, second = Client(), Client()
    sign_in_with_password(first, "advisor")
    sign_in_with_password(second, "advisor")
    code = code_for(authenticator_of(advisor))

    accepted = first.post("/sign-in/code/", {"code": code})
    replayed = second.post("/sign-in/code/", {"code": code})

    assert accepted.status_code == 302
    assert replayed.status_code == 200
    assert is_verified(second) is False


def test_a_recovery_code_works_once(
    client: Client, newcomer: User, clock: time_machine.Traveller
) -> None:
    codes = enrol(newcomer)
    clock.shift(dt.timedelta(seconds=30))
    sign_in_with_password(client, "newcomer")

    accepted = client.post("/sign-in/code/", {"code": codes[0].upper()})
    client.post("/sign-out/")
    sign_in_with_password(client, "newcomer")
    reused = client.post("/sign-in/code/", {"code": codes[0]})

    assert accepted.status_code == 302
    assert reused.status_code == 200
    assert "The code is not correct or has been used already" in reused.content.decode()
    assert is_verified(client) is False
    assert StaticToken.objects.filter(device__user=newcomer).count() == 9
    assert actions_of(newcomer)[-1] == (AuditAction.SIGN_IN_FAILED, "Wrong recovery code")


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
    ],
)
def test_a_next_address_off_this_site_is_ignored(
    client: Client, advisor: User, next_url: str
) -> None:
    client.post("/sign-in/", {"username": "advisor", "password": factories.PASSWORD})

    response = client.post(
        "/sign-in/code/", {"code": code_for(authenticator_of(advisor)), "next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"] == "/staff/"


def test_the_sign_in_page_never_carries_an_unsafe_next(client: Client, db: None) -> None:
    response = client.get("/sign-in/", {"next": "https://evil.example/"})

    html = response.content.decode()
    assert 'name="next" value="/staff/"' in html
    assert "evil.example" not in html


@pytest.mark.parametrize(
    ("username", "message"),
    [
        pytest.param("a" * 10_240, "Username must be 150 characters or fewer", id="10kb"),
        pytest.param("", "Enter your username", id="empty"),
        pytest.param("advisor\x00", "Remove the special characters from “Username”", id="null"),
    ],
)
def test_hostile_usernames_get_a_clear_error_and_change_nothing(
    client: Client, advisor: User, username: str, message: str
) -> None:
    before = AuditRecord.objects.for_user(advisor).count()

    response = client.post(
        "/sign-in/", {"username": username, "password": factories.PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditRecord.objects.for_user(advisor).count() == before


@pytest.mark.parametrize(
    "username",
    ["' OR '1'='1", "advisor'; DROP TABLE core_user; --", "ádvïsör 👩‍💼", "<script>x</script>"],
)
def test_sql_like_and_unicode_usernames_are_just_wrong_usernames(
    client: Client, advisor: User, username: str
) -> None:
    response = client.post("/sign-in/", {"username": username, "password": factories.PASSWORD})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a correct username and password" in html
    assert "<script>x</script>" not in html
    assert "_auth_user_id" not in client.session
    assert User.objects.filter(username="advisor").count() == 1


def test_a_hostile_code_gets_a_clear_error_and_changes_nothing(
    client: Client, advisor: User
) -> None:
    sign_in_with_password(client, "advisor")
    before = AuditRecord.objects.for_user(advisor).count()

    response = client.post("/sign-in/code/", {"code": "1' OR 1=1 --" * 1000})

    assert response.status_code == 200
    assert "Enter the 6-digit code from your authenticator app" in response.content.decode()
    assert is_verified(client) is False
    assert AuditRecord.objects.for_user(advisor).count() == before
    assert authenticator_of(advisor).throttling_failure_count == 0


def test_the_code_page_sends_anonymous_visitors_to_sign_in(client: Client, db: None) -> None:
    response = client.get("/sign-in/code/")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/"


@pytest.mark.parametrize(
    "path", ["/staff/", "/audit/", "/audit/export.csv", "/sign-in/recovery-codes/"]
)
@covers("core:home", "trust:recovery-codes")
def test_anonymous_visitors_to_staff_pages_are_sent_to_sign_in(
    client: Client, db: None, path: str
) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next={path.replace('/', '%2F')}"


def test_sign_out_ends_the_session_and_is_audited(client_for: object, advisor: User) -> None:
    client = client_for(advisor)  # type: ignore[operator]

    response = client.post("/sign-out/")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/"
    assert client.get("/staff/").status_code == 302
    assert actions_of(advisor)[-1] == (AuditAction.SIGNED_OUT, "")


def test_sign_out_by_get_asks_with_a_button_and_does_not_sign_out(
    client_for: object, advisor: User
) -> None:
    client = client_for(advisor)  # type: ignore[operator]

    response = client.get("/sign-out/")

    assert response.status_code == 200
    assert 'action="/sign-out/"' in response.content.decode()
    assert client.get("/staff/").status_code == 200
