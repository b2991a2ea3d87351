"""``onestop demo``: idempotent, with working sign-in codes."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.core.models import AuditRecord, Organisation, User
from onestop.directory import queries
from onestop.directory.models import AccessPoint
from tests.conftest import LoadedDemo

pytestmark = pytest.mark.django_db


def _demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    reason = "demo test"
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "devices": TOTPDevice.objects.count(),
        "audit": AuditRecord.objects.unscoped(reason).count(),
        "points": AccessPoint.objects.unscoped(reason).count(),
    }


def test_running_the_demo_twice_changes_nothing_and_prints_the_same(
    loaded_demo: LoadedDemo,
) -> None:
    first = loaded_demo.output
    counts = _counts()
    second = _demo()
    assert second == first
    assert _counts() == counts
    assert counts["organisations"] == 3
    assert counts["users"] == 9
    assert counts["devices"] == 9
    assert counts["points"] == 5
    assert "Demo council: Aylesbury Vale District Council (demo) (demo-council)" in first
    assert "  11 services, 13 teams, 5 access points, 25 opening sessions" in first
    assert "  22 service standards, 33 customers, 1050 contacts, 48 cases" in first
    assert "  976 telephone calls imported from 5 call queues" in first
    assert "Password for every demo user: demo-only-not-secret" in first
    assert "Demonstration only" in first
    assert first.rstrip().endswith("Address: http://127.0.0.1:8000/")


def test_the_demo_loads_appendix_two_hours(loaded_demo: LoadedDemo) -> None:
    admin = User.objects.get(username="admin@demo-council")
    points = {p.name: p for p in queries.access_points_for(admin)}
    buckingham = queries.weekly_hours(points["Buckingham Area Office"])
    assert [[f"{s.opens:%H:%M}-{s.closes:%H:%M}" for s in day.sessions] for day in buckingham] == [
        [],
        ["09:00-13:00", "14:00-16:30"],
        [],
        ["09:00-13:00", "14:00-16:30"],
        ["09:00-13:00", "14:00-16:15"],
        [],
        [],
    ]
    centre = queries.weekly_hours(points["Customer Service Centre, Aylesbury"])
    assert [f"{d.sessions[0].opens:%H:%M}" for d in centre[:5]] == [
        "08:45",
        "08:45",
        "08:45",
        "09:45",
        "08:45",
    ]


def test_the_housing_advisor_sees_the_shared_one_stop_shop_only(loaded_demo: LoadedDemo) -> None:
    housing = User.objects.get(username="housing.advisor@demo-housing")
    assert [p.name for p in queries.access_points_for(housing)] == ["Buckingham One-Stop Shop"]


def test_the_totp_code_printed_verifies_against_the_device(loaded_demo: LoadedDemo) -> None:
    code = _demo("totp", "advisor@demo-council").strip()
    device = TOTPDevice.objects.get(user__username="advisor@demo-council")
    assert len(code) == 6
    assert device.verify_token(code) is True


def test_totp_for_an_unknown_user_is_an_error() -> None:
    with pytest.raises(CommandError, match="nobody has no authenticator device"):
        _demo("totp", "nobody")
