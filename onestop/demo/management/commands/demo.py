"""``onestop demo``: load the demo council, its partners, hours, staff and every capability's
demo data (idempotent).  ``onestop demo totp USERNAME`` prints a demo user's current sign-in
code.  Everything here is for demonstration only.

Each capability keeps its own demo data in its ``demo.py`` (``load_demo``); this command, at the
top of the layers, runs them in dependency order and reports what the council holds.
"""

from __future__ import annotations

import base64
import datetime
import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.cases import demo as cases_demo
from onestop.cases import services as cases_services
from onestop.cases.models import Case
from onestop.channels import demo as channels_demo
from onestop.contacts import demo as contacts_demo
from onestop.contacts.models import Contact
from onestop.core import replay
from onestop.core.models import Organisation, RoleCode
from onestop.customers import demo as customers_demo
from onestop.customers.models import Customer
from onestop.directory import demo as directory_demo
from onestop.directory.models import (
    AccessPoint,
    LgslService,
    OpeningSession,
    OutOfHoursArrangement,
    Service,
    Team,
)
from onestop.feedback import demo as feedback_demo
from onestop.performance import demo as performance_demo
from onestop.portal import demo as portal_demo
from onestop.standards import demo as standards_demo
from onestop.standards.models import Standard
from onestop.telephony import demo as telephony_demo
from onestop.telephony.models import CallQueue, CallRecord

COUNCIL = directory_demo.COUNCIL


def demo_address() -> str:
    """Where ``make run`` serves the demo: ``HOST`` and ``PORT`` as the Makefile reads them (a
    server listening on every address is reached on this machine at 127.0.0.1)."""
    host = os.environ.get("HOST", "").strip() or "127.0.0.1"
    port = os.environ.get("PORT", "").strip() or "8000"
    if host in {"0.0.0.0", "::", "[::]"}:  # noqa: S104  # nosec B104
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def current_code(device: TOTPDevice) -> str:
    """The device's current code, as an authenticator app would show it."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


# How far back the demo's history starts: the councils were set up on OneStop ten weeks before
# the demo is loaded, their customers' records were brought across the next day, and the work
# of the weeks since (contacts, cases) happened on the days it says.
HISTORY = datetime.timedelta(weeks=10)


def load_story() -> None:
    """Every capability's demo data for the council and its partners, in dependency order.

    On a new database the history is replayed at the times it happened (``core.replay``): the
    set-up first, then each contact and each case's steps interleaved day by day, then what
    happens now (mailboxes, online forms, the escalation sweep).  Run again, it adds only what
    is missing, at the real time."""
    real_now = timezone.now()
    fresh = not Organisation.objects.filter(slug=COUNCIL).exists()
    start = replay.office_moment(real_now, days_ago=HISTORY.days) if fresh else real_now
    with replay.replaying(start) as clock:
        council = directory_demo.load_demo()
        housing = Organisation.objects.get(slug=directory_demo.HOUSING)
        standards_demo.load_demo(council)
        standards_demo.load_demo(housing, standards_demo.HOUSING_STANDARDS)
        cases_demo.load_types(council)
        cases_demo.load_types(
            housing, cases_demo.HOUSING_TYPES, (), welsh_names=cases_demo.HOUSING_WELSH_NAMES
        )
        reasons = {org: contacts_demo.load_reasons(org) for org in (council, housing)}
        clock.advance(datetime.timedelta(days=1))
        customers_demo.load_demo(council)
        customers_demo.load_tenants(housing)
        steps = [
            *contacts_demo.contact_steps(council, reasons[council], now=real_now),
            *contacts_demo.contact_steps(housing, reasons[housing], now=real_now),
            *cases_demo.case_steps(council, cases_demo.CASES, now=real_now),
            *cases_demo.case_steps(
                housing, cases_demo.HOUSING_CASES, now=real_now, raised_by="housing.advisor"
            ),
            *feedback_demo.feedback_steps(council, now=real_now),
        ]
        # The escalation sweep at the end of every working day since the first case.
        first = min((at for at, _do in steps), default=real_now)
        evenings = {
            replay.office_moment(real_now, days_ago=days, minutes=9 * 60)
            for days in range(HISTORY.days)
        }
        steps += [(evening, _sweep) for evening in sorted(evenings) if evening >= first]
        replay.play(clock, steps)
    cases_services.escalate_due_cases()
    channels_demo.load_demo(council)
    portal_demo.load_demo(council)
    portal_demo.load_welsh_demo(housing)
    # What the housing association's residents read in Welsh beside its forms: its services,
    # the office shared with it, and its promises.
    directory_demo.load_welsh(housing)
    standards_demo.load_welsh(housing)
    telephony_demo.load_demo(council)
    performance_demo.load_demo(council)
    performance_demo.load_returns(council)


def _sweep() -> None:
    cases_services.escalate_due_cases()


class Command(BaseCommand):
    help = "Load the demo council (idempotent); 'demo totp USERNAME' prints a sign-in code."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["totp"], help="totp: print a code")
        parser.add_argument("username", nargs="?", help="the demo user for 'totp'")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "totp":
            self._totp(options["username"])
            return
        with transaction.atomic():
            load_story()
        self._report()

    # --- totp ---------------------------------------------------------------------------------
    def _totp(self, username: str | None) -> None:
        if not username:
            raise CommandError("Name the demo user: onestop demo totp USERNAME")
        device = TOTPDevice.objects.filter(
            user__username=username, confirmed=True, name="Authenticator app"
        ).first()
        if device is None:
            raise CommandError(f"{username} has no authenticator device: run onestop demo first")
        self.stdout.write(current_code(device))

    # --- report -------------------------------------------------------------------------------
    def _report(self) -> None:
        council = Organisation.objects.get(slug=COUNCIL)
        write = self.stdout.write
        write(f"Demo council: {council.name} ({COUNCIL})")
        write(
            "  "
            f"{Service.objects.for_organisation(council).count()} services, "
            f"{Team.objects.for_organisation(council).count()} teams, "
            f"{AccessPoint.objects.for_organisation(council).count()} access points, "
            f"{OpeningSession.objects.for_organisation(council).count()} opening sessions, "
            f"{OutOfHoursArrangement.objects.for_organisation(council).count()} out-of-hours "
            f"arrangements, {LgslService.objects.count()} LGSL entries"
        )
        write(
            "  "
            f"{Standard.objects.for_organisation(council).count()} service standards, "
            f"{Customer.objects.for_organisation(council).count()} customers, "
            f"{Contact.objects.for_organisation(council).count()} contacts, "
            f"{Case.objects.for_organisation(council).count()} cases"
        )
        write(
            "  "
            f"{CallRecord.objects.for_organisation(council).count()} telephone calls imported "
            f"from {CallQueue.objects.for_organisation(council).count()} call queues"
        )
        write("")
        address = demo_address()
        write(f"Residents' site: {address} (the demo council's start page under make run).")
        write(f"Staff: sign in at {address}sign-in/ as one of these demo users.")
        write(f"Password for every demo user: {directory_demo.DEMO_PASSWORD}")
        write("(Demonstration only: never use these accounts or this password for real data.)")
        write("Authenticator secrets (base32, add to an authenticator app), or run")
        write("'onestop demo totp USERNAME' for the current code:")
        for username, *_rest, slug, role, _title in directory_demo.USERS:
            sign_in = f"{username}@{slug}"
            device = TOTPDevice.objects.get(user__username=sign_in, name="Authenticator app")
            secret = base64.b32encode(device.bin_key).decode()
            write(f"  {sign_in:<29} {RoleCode(role).label!s:<30} {secret}")
        write("")
        write(f"Address: {address}")
