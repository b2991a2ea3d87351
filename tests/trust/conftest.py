"""Fixtures of the sign-in tests: real TOTP codes, a partner auditor, frozen time."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.core.models import Organisation, RoleCode, User
from onestop.trust import services
from tests import factories
from tests.shared import builds_per_test, shared_fixture

START = "2026-03-02 09:00:00+00:00"


def code_for(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows right now (a real TOTP, no mocks)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def authenticator_of(user: User) -> TOTPDevice:
    device: TOTPDevice = TOTPDevice.objects.get(user=user)
    return device


@pytest.fixture(autouse=True)
@builds_per_test
def clock() -> Iterator[time_machine.Traveller]:
    """Time stands still at ``START`` (before any fixture writes) until the test moves it."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@shared_fixture
def partner_auditor(partner: Organisation) -> User:
    return factories.staff(partner, RoleCode.AUDITOR, username="partner.auditor")


@shared_fixture
def newcomer(council: Organisation) -> User:
    """An advisor who has a password but has not set up two-factor authentication yet."""
    user = factories.staff(council, RoleCode.ADVISOR, username="newcomer")
    TOTPDevice.objects.filter(user=user).delete()
    return user


def sign_in_with_password(client: Client, username: str) -> None:
    response = client.post("/sign-in/", {"username": username, "password": factories.PASSWORD})
    assert response.status_code == 302


def enrol(user: User) -> list[str]:
    """Set up the user's authenticator as the set-up page does; returns the recovery codes."""
    device = services.start_enrolment(user, by=user)
    _device, codes = services.confirm_enrolment(
        device, by=user, code=code_for(device), ip_address=None
    )
    return codes
