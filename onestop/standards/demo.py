"""The demo council's service standards and calendar, from the seeds (council reports).

Seed references: 000 Aylesbury Vale, 001 Leicester, 004 Rossendale (the product brief's
seeds).
Idempotent: running it again changes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from onestop.core.models import Organisation
from onestop.standards import clock, services
from onestop.standards.models import CalendarChoice, Channel, ClosureDay, Standard


class DemoStandard(NamedTuple):
    code: str
    title: str
    applies_to: str
    start_event: str
    stop_event: str
    amount: int | None
    unit: str
    target: str
    source: str
    calendar: str = CalendarChoice.ORGANISATION


DEMO_STANDARDS = [
    DemoStandard("answer-calls", "Answer calls within 20 seconds", Channel.TELEPHONE,
                 "call-offered", "call-answered", 20, "seconds", "90",
                 "Rossendale 004, all calls within 20 seconds; Leicester 001's 90% target"),
    DemoStandard("return-voicemail", "Return voicemail within 2 working days", Channel.VOICEMAIL,
                 "voicemail-left", "call-returned", 2, "working_days", "100",
                 "Rossendale 004, voicemail returned within 1-2 working days"),
    DemoStandard("call-back", "Call back within 1 working day", Channel.CALL_BACK,
                 "call-back-promised", "call-returned", 1, "working_days", "100",
                 "Rossendale 004"),
    DemoStandard("return-calls-24-hours", "Return calls within 24 hours", Channel.CALL_BACK,
                 "message-taken", "call-returned", 24, "hours", "100",
                 "Aylesbury Vale 000, calls returned within 24 hours"),
    DemoStandard("acknowledge-email", "Acknowledge emails within 1 working day", Channel.EMAIL,
                 "email-received", "email-acknowledged", 1, "working_days", "100",
                 "Rossendale 004, e-mail acknowledged within 1 day"),
    DemoStandard("answer-letters", "Answer letters within 10 working days", Channel.LETTER,
                 "letter-received", "full-reply-sent", 10, "working_days", "90",
                 "Leicester 001, 90%; Rossendale 004"),
    DemoStandard("answer-emails", "Answer emails within 10 working days", Channel.EMAIL,
                 "email-received", "full-reply-sent", 10, "working_days", "90",
                 "Leicester 001, 90%"),
    DemoStandard("see-visitors", "See visitors within 15 minutes", Channel.FACE_TO_FACE,
                 "visitor-arrived", "visitor-seen", 15, "minutes", "90",
                 "Leicester 001, 90% (Rossendale 004: 80%)"),
    DemoStandard("resolve-first-contact", "Resolve 80% of contacts at first contact",
                 Channel.ANY, "contact-started", "resolved-at-first-contact", None, "", "80",
                 "Rossendale 004, 80% at the first point of contact"),
    DemoStandard("acknowledge-complaint", "Acknowledge complaints within 5 working days",
                 Channel.COMPLAINT, "complaint-received", "complaint-acknowledged", 5,
                 "working_days", "100", "Rossendale 004"),
    DemoStandard("answer-complaint", "Answer complaints within 15 working days",
                 Channel.COMPLAINT, "complaint-received", "complaint-answered", 15,
                 "working_days", "100", "Rossendale 004"),
    DemoStandard("cancel-appointment-notice",
                 "Give at least 1 working day's notice of a cancelled appointment",
                 Channel.APPOINTMENT, "cancellation-notice-given", "appointment-time", 1,
                 "working_days", "100", "Rossendale 004"),
    DemoStandard("answer-foi-eir", "Answer FOI and EIR requests within 20 working days",
                 Channel.FREEDOM_OF_INFORMATION, "request-received", "response-sent", 20,
                 "working_days", "100", "FOIA 2000 s.10; EIR 2004 reg. 5",
                 CalendarChoice.UNITED_KINGDOM),
    DemoStandard("answer-subject-access", "Answer subject access requests within one month",
                 Channel.SUBJECT_ACCESS, "request-received", "response-sent", 1,
                 "calendar_months", "100", "UK GDPR art. 12(3), ICO right of access guidance"),
    # The services' own promises, one for each kind of request the demo's case types handle.
    DemoStandard("collect-missed-bin", "Collect a missed bin within 2 working days",
                 Channel.ANY, "request-received", "bin-collected", 2, "working_days", "95",
                 "Demo: the waste service's published standard"),
    DemoStandard("remove-fly-tipping", "Remove fly-tipping within 5 working days",
                 Channel.ANY, "request-received", "waste-removed", 5, "working_days", "90",
                 "Demo: the street cleansing service's published standard"),
    DemoStandard("make-pothole-safe", "Make a dangerous pothole safe within 24 hours",
                 Channel.ANY, "request-received", "made-safe", 24, "hours", "100",
                 "Demo: the highways inspection standard for dangerous defects"),
    DemoStandard("inspect-pothole", "Inspect a reported pothole within 5 working days",
                 Channel.ANY, "request-received", "inspected", 5, "working_days", "90",
                 "Demo: the highways inspection standard"),
    DemoStandard("respond-noise", "Contact you about a noise complaint within 2 working days",
                 Channel.ANY, "request-received", "complainant-contacted", 2, "working_days",
                 "90", "Demo; Rossendale 004, messages returned within 1-2 working days"),
    DemoStandard("answer-enquiries", "Answer enquiries fully within 10 working days",
                 Channel.ANY, "request-received", "full-reply-sent", 10, "working_days", "90",
                 "Leicester 001, 90%; Rossendale 004, 10 working days"),
    DemoStandard("answer-councillor-enquiry",
                 "Answer councillor enquiries within 10 working days", Channel.LETTER,
                 "enquiry-received", "full-reply-sent", 10, "working_days", "100",
                 "Demo: Members' enquiries protocol"),
    DemoStandard("decide-benefit-claims", "Decide benefit claims and changes within 14 days",
                 Channel.ANY, "request-received", "decision-sent", 14, "calendar_days", "90",
                 "Demo: decided within 14 days of having what is needed"),
]  # fmt: skip

# Leicester (001): start at 90% and "increase our target each year (say by 2% per year,
# taking us to 98% in year 5)".
RISING_TARGETS = ("answer-calls", "answer-letters", "answer-emails", "see-visitors")

# Duplicates of the standards above that earlier demos loaded: two clocks on the same calls
# ("within 20 seconds" beside "within six rings") and on the same visitors (15 minutes at 90%
# and at 80%).  A council publishes one promise for each; these go when the demo runs again.
RETIRED = ("answer-calls-six-rings", "see-visitors-rossendale")

# The partner housing association's own promises (tenancy enquiries and repairs).
HOUSING_STANDARDS = [
    DemoStandard("answer-enquiries", "Answer tenancy enquiries within 10 working days",
                 Channel.ANY, "request-received", "full-reply-sent", 10, "working_days", "90",
                 "Demo; Leicester 001 and Rossendale 004, 10 working days"),
    DemoStandard("emergency-repair", "Make an emergency repair safe within 24 hours",
                 Channel.ANY, "request-received", "made-safe", 24, "hours", "100",
                 "Demo: the association's repairs standard"),
    DemoStandard("routine-repair", "Complete a routine repair within 20 working days",
                 Channel.ANY, "request-received", "repair-completed", 20, "working_days", "90",
                 "Demo: the association's repairs standard"),
    DemoStandard("see-visitors", "See visitors within 15 minutes", Channel.FACE_TO_FACE,
                 "visitor-arrived", "visitor-seen", 15, "minutes", "90",
                 "Leicester 001, 90%, at the shared one-stop shop"),
]  # fmt: skip


# The housing association's promises in Welsh (it offers Welsh): like the English they start
# with what we do, so the charter reads "Byddwn yn ateb ymholiadau ...".
WELSH_TITLES = {
    "answer-enquiries": "Ateb ymholiadau am denantiaeth o fewn 10 diwrnod gwaith",
    "emergency-repair": "Gwneud atgyweiriad brys yn ddiogel o fewn 24 awr",
    "routine-repair": "Cwblhau atgyweiriad arferol o fewn 20 diwrnod gwaith",
    "see-visitors": "Gweld ymwelwyr o fewn 15 munud",
}


def load_welsh(organisation: Organisation) -> None:
    """The Welsh titles of ``organisation``'s promises (set once: an administrator's stay)."""
    for standard in Standard.objects.for_organisation(organisation).filter(
        code__in=sorted(WELSH_TITLES), service__isnull=True, title_cy=""
    ):
        services.change_standard(
            standard,
            by=None,
            title=standard.title,
            amount=standard.amount,
            unit=standard.unit,
            target_percent=standard.target_percent,
            title_cy=WELSH_TITLES[standard.code],
        )


def load_demo(organisation: Organisation, standards: list[DemoStandard] | None = None) -> None:
    """Load the seeds' standards (or ``standards``) and the Christmas closure days for
    ``organisation``; duplicates that earlier demos loaded are removed."""
    year = timezone.localdate().year
    for retired in Standard.objects.for_organisation(organisation).filter(code__in=RETIRED):
        services.remove_standard(retired, by=None)
    for item in DEMO_STANDARDS if standards is None else standards:
        standard = services.save_standard(
            organisation,
            by=None,
            code=item.code,
            title=item.title,
            applies_to=item.applies_to,
            start_event=item.start_event,
            stop_event=item.stop_event,
            amount=item.amount,
            unit=item.unit,
            target_percent=Decimal(item.target),
            calendar=item.calendar,
            source=item.source,
        )
        if item.code in RISING_TARGETS:
            _load_rising_targets(standard, year)
    _load_christmas_closures(organisation, year)


def _load_rising_targets(standard: Standard, year: int) -> None:
    for step in range(5):
        services.set_standard_target(
            standard, by=None, year=year + step, target_percent=Decimal(90 + 2 * step)
        )


def _load_christmas_closures(organisation: Organisation, year: int) -> None:
    calendar = clock.nation_calendar(clock.ORGANISATION_NATIONS[organisation.nation])
    existing = set(ClosureDay.objects.for_organisation(organisation).values_list("date", flat=True))
    for closed_year in (year, year + 1):
        for day_number in range(27, 32):
            day = date(closed_year, 12, day_number)
            if day in existing or not calendar.is_working_day(day):
                continue
            services.add_closure_day(
                organisation, by=None, day=day, reason="Christmas closure (demo)"
            )
