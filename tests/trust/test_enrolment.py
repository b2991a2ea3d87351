"""Setting up two-factor authentication: QR code, confirming code, recovery codes shown once."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.core.models import AuditAction, AuditRecord, User
from tests.trust.conftest import authenticator_of, code_for, sign_in_with_password


def test_a_user_without_an_authenticator_is_sent_to_set_one_up(
    client: Client, newcomer: User
) -> None:
    response = client.post(
        "/sign-in/?next=/audit/",
        {"username": "newcomer", "password": "correct horse battery staple", "next": "/audit/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/set-up/?next=%2Faudit%2F"


def test_the_set_up_page_shows_an_inline_svg_qr_code_and_the_secret(
    client: Client, newcomer: User
) -> None:
    sign_in_with_password(client, "newcomer")

    response = client.get("/sign-in/set-up/")

    html = response.content.decode()
    device = authenticator_of(newcomer)
    assert response.status_code == 200
    assert device.confirmed is False
    assert 'role="img"' in html
    assert "style=" not in html
    assert 'autocomplete="one-time-code"' in html
    assert html.count("<svg ") == 1


def test_reloading_the_set_up_page_keeps_the_same_secret(client: Client, newcomer: User) -> None:
    sign_in_with_password(client, "newcomer")

    client.get("/sign-in/set-up/")
    client.get("/sign-in/set-up/")

    assert TOTPDevice.objects.filter(user=newcomer).count() == 1


def test_confirming_with_a_real_code_verifies_and_shows_ten_recovery_codes_once(
    client: Client, newcomer: User
) -> None:
    sign_in_with_password(client, "newcomer")
    client.get("/sign-in/set-up/")
    device = authenticator_of(newcomer)

    response = client.post("/sign-in/set-up/", {"code": code_for(device), "next": "/audit/"})
    shown = client.get(response["Location"])
    shown_again = client.get("/sign-in/recovery-codes/")

    tokens = sorted(
        StaticToken.objects.filter(device__user=newcomer).values_list("token", flat=True)
    )
    assert response["Location"] == "/sign-in/recovery-codes/?next=%2Faudit%2F"
    assert authenticator_of(newcomer).confirmed is True
    assert client.session["otp_device_id"] == device.persistent_id
    assert len(tokens) == 10
    assert all(f"<code>{token}</code>" in shown.content.decode() for token in tokens)
    assert shown_again.status_code == 302
    assert shown_again["Location"] == "/staff/"
    created = AuditRecord.objects.for_user(newcomer).filter(action=AuditAction.CREATED)
    assert list(created.values_list("object_type", "summary")) == [
        ("otp_totp.totpdevice", "Two-factor authentication set up with 10 recovery codes")
    ]


def test_a_wrong_confirming_code_leaves_the_authenticator_unconfirmed(
    client: Client, newcomer: User
) -> None:
    sign_in_with_password(client, "newcomer")
    client.get("/sign-in/set-up/")

    response = client.post("/sign-in/set-up/", {"code": "abcdefgh"})

    assert response.status_code == 200
    assert "Enter a 6-digit code, like 123456" in response.content.decode()
    assert authenticator_of(newcomer).confirmed is False
    assert StaticToken.objects.filter(device__user=newcomer).count() == 0
    assert "otp_device_id" not in client.session


def test_the_right_code_straight_after_a_wrong_one_sets_the_authenticator_up(
    client: Client, newcomer: User
) -> None:
    sign_in_with_password(client, "newcomer")
    client.get("/sign-in/set-up/")
    right = code_for(authenticator_of(newcomer))
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    refused = client.post("/sign-in/set-up/", {"code": wrong})
    retyped = client.post("/sign-in/set-up/", {"code": right})

    assert "The code is not correct" in refused.content.decode()
    assert retyped.status_code == 302
    assert authenticator_of(newcomer).confirmed is True


def test_a_user_with_an_authenticator_cannot_add_another_without_it(
    client: Client, advisor: User
) -> None:
    sign_in_with_password(client, "advisor")

    response = client.get("/sign-in/set-up/")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/code/"
    assert TOTPDevice.objects.filter(user=advisor).count() == 1


def test_the_set_up_page_sends_anonymous_visitors_to_sign_in(client: Client, db: None) -> None:
    response = client.get("/sign-in/set-up/")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/"


def test_after_set_up_the_next_sign_in_needs_a_fresh_code(
    client: Client, newcomer: User, clock: time_machine.Traveller
) -> None:
    sign_in_with_password(client, "newcomer")
    client.get("/sign-in/set-up/")
    client.post("/sign-in/set-up/", {"code": code_for(authenticator_of(newcomer))})
    client.post("/sign-out/")
    clock.shift(dt.timedelta(seconds=30))

    sign_in_with_password(client, "newcomer")
    response = client.post("/sign-in/code/", {"code": code_for(authenticator_of(newcomer))})

    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200
