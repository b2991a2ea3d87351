"""The loaded demo tells one consistent story: standards fit each case type, every team has
work in every state, the partner housing association can do a day's work, and backdated data
is backdated everywhere (timelines, notes, messages, contacts, the audit trail)."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from onestop.cases import queries as case_queries
from onestop.cases import services as case_services
from onestop.cases.models import Case, CaseEvent, CaseType, Status
from onestop.contacts import services as contact_services
from onestop.contacts.models import Contact
from onestop.core import replay
from onestop.core.models import AuditRecord, Organisation, User
from onestop.customers import queries as customer_queries
from onestop.directory.models import Team
from onestop.notify.models import Message, MessageStatus, RecipientKind
from onestop.standards.models import Standard
from tests.conftest import LoadedDemo
from tests.factories import sign_in_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(loaded_demo: LoadedDemo) -> datetime.datetime:
    """The demo loaded (once for the module); the real time just after."""
    return loaded_demo.loaded_at


def _org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def test_each_case_type_runs_on_the_standard_published_for_it(demo: datetime.datetime) -> None:
    council = _org("demo-council")
    standards = {s.code: s for s in Standard.objects.for_organisation(council)}
    primary = {
        t.code: standards[t.standard_codes[0]] for t in CaseType.objects.for_organisation(council)
    }
    assert (primary["missed-bin"].amount, primary["missed-bin"].unit) == (2, "working_days")
    assert (primary["fly-tipping"].amount, primary["fly-tipping"].unit) == (5, "working_days")
    assert (primary["dangerous-pothole"].amount, primary["dangerous-pothole"].unit) == (
        24,
        "hours",
    )
    # Only letters are answered on the letters standard.
    assert "answer-letters" not in {standard.code for standard in primary.values()}
    # One promise per clock: no two standards time the same start and stop on one channel.
    timed = [(s.applies_to, s.start_event, s.stop_event) for s in standards.values()]
    assert len(timed) == len(set(timed))
    assert "answer-calls-six-rings" not in standards
    assert "see-visitors-rossendale" not in standards


def test_a_missed_bin_is_promised_within_two_working_days(demo: datetime.datetime) -> None:
    council = _org("demo-council")
    case = Case.objects.for_organisation(council).filter(case_type__code="missed-bin").first()
    assert case is not None
    clock = case.clocks.get(is_primary=True)
    assert (clock.standard_code, clock.amount, clock.unit) == (
        "collect-missed-bin",
        2,
        "working_days",
    )
    assert clock.due_at - case.received_at < datetime.timedelta(days=5)


def test_every_team_has_work_due_later_at_risk_and_overdue(demo: datetime.datetime) -> None:
    now = timezone.now()
    for slug in ("demo-council", "demo-housing"):
        organisation = _org(slug)
        for team in Team.objects.for_organisation(organisation):
            cases = list(
                Case.objects.for_organisation(organisation).filter(
                    team=team, status__in=["new", "assigned", "in-progress",
                                           "waiting-for-customer", "waiting-for-third-party"]
                )
            )  # fmt: skip
            overdue = [c for c in cases if case_queries.is_overdue(c, now)]
            at_risk = [c for c in cases if case_queries.is_at_risk(c, now)]
            assert overdue, team.name
            assert at_risk, team.name
            assert len(cases) > len(overdue) + len(at_risk), team.name


def test_the_back_office_officers_own_queue_has_work(demo: datetime.datetime) -> None:
    officer = User.objects.get(username="back.office@demo-council")
    client = Client()
    sign_in_verified(client, officer)
    own = client.get("/queues/")
    assert own.status_code == 200
    assert own.context["team"].label == "Council Tax team"
    counts = own.context["queue"].counts
    assert counts.total >= 3
    assert counts.overdue >= 1
    every = client.get("/queues/?team=")
    assert every.context["queue"].counts.total > counts.total


def test_no_event_is_before_its_case_was_received_or_in_the_future(
    demo: datetime.datetime,
) -> None:
    cases = Case.objects.unscoped("demo test: every organisation's cases")
    assert cases.count() > 50
    for case in cases:
        events = list(
            CaseEvent.objects.for_organisation(case.organisation_id)
            .filter(case=case)
            .order_by("at", "pk")
        )
        assert events[0].code == "raised", case.reference
        assert events[0].at == case.received_at, case.reference
        assert [e.pk for e in events] == sorted(e.pk for e in events), case.reference
        moments = [
            *(event.at for event in events),
            *(note.written_at for note in case.notes.for_organisation(case.organisation_id)),
            *(m.created_at for m in case.messages.for_organisation(case.organisation_id)),
            *(c.started_at for c in case.clocks.for_organisation(case.organisation_id)),
            case.created_at,
            case.updated_at,
        ]
        assert all(case.received_at <= at <= demo for at in moments), case.reference
    # The demo's history reaches back weeks, not minutes.
    oldest = min(case.received_at for case in cases)
    assert demo - oldest > datetime.timedelta(days=14)


def test_contacts_and_the_audit_trail_are_stamped_when_they_happened(
    demo: datetime.datetime,
) -> None:
    for organisation in Organisation.objects.all():
        logged = dict(
            AuditRecord.objects.for_organisation(organisation)
            .filter(object_type="contacts.contact", action="created")
            .values_list("object_id", "at")
        )
        # Calls imported from the telephone system are audited by their import, not one by one.
        for contact in Contact.objects.for_organisation(organisation).filter(
            call_records__isnull=True
        ):
            at = logged[str(contact.pk)]
            assert contact.received_at <= at <= demo
            assert at - contact.received_at < datetime.timedelta(hours=1)
        times = list(
            AuditRecord.objects.for_organisation(organisation)
            .order_by("sequence")
            .values_list("at", flat=True)
        )
        assert times == sorted(times), organisation.slug
        assert times[-1] <= demo
        raised = AuditRecord.objects.for_organisation(organisation).filter(
            summary__endswith=" raised", object_type="cases.case"
        )
        received = dict(
            Case.objects.for_organisation(organisation).values_list("pk", "received_at")
        )
        for record in raised:
            assert record.at == received[int(record.object_id)]


def test_the_housing_advisor_can_do_a_days_work(demo: datetime.datetime) -> None:
    advisor = User.objects.get(username="housing.advisor@demo-housing")
    housing = _org("demo-housing")
    customers = list(customer_queries.customers_for(advisor))
    assert len(customers) == 10
    assert {c.organisation_id for c in customers} == {housing.pk}
    found = customer_queries.search_customers(advisor, customers[0].display_name)
    tenant = next(c for c in customers if c.pk == found[0].customer_id)
    contact = contact_services.log_contact(
        housing,
        by=advisor,
        customer=tenant,
        values=contact_services.ContactInput(
            outcome="resolved", notes="Rent statement posted.", reason=None
        ),
    )
    assert contact.customer == tenant
    case = case_services.raise_case(
        housing,
        by=advisor,
        case_type_code="repair",
        title="Bathroom extractor fan broken",
        attributes={"where": "Bathroom", "what": "Electrics"},
        customer=tenant,
    )
    assert case.team.name == "Repairs team"
    assert case.clocks.get(is_primary=True).standard_code == "routine-repair"
    case_services.claim_case(case, by=advisor)
    case_services.change_status(case, by=advisor, status=Status.IN_PROGRESS)
    case_services.resolve_case(case, by=advisor, outcome="resolved", resolution="Fan replaced.")
    assert case.status == Status.RESOLVED
    client = Client()
    sign_in_verified(client, advisor)
    assert client.get("/queues/").status_code == 200
    assert client.get(f"/cases/{case.reference}/").status_code == 200


def test_running_the_demo_again_adds_nothing(demo: datetime.datetime) -> None:
    counts = (
        Case.objects.unscoped("demo test").count(),
        AuditRecord.objects.unscoped("demo test").count(),
    )
    call_command("demo", stdout=StringIO())
    assert (
        Case.objects.unscoped("demo test").count(),
        AuditRecord.objects.unscoped("demo test").count(),
    ) == counts


def test_a_replay_refuses_to_go_back_in_time_and_restores_the_clock() -> None:
    start = timezone.now() - datetime.timedelta(days=3)
    with replay.replaying(start) as clock:
        assert timezone.now() == start
        clock.advance(datetime.timedelta(days=1))
        with pytest.raises(replay.ReplayError):
            clock.at(start)
        clock.advance(datetime.timedelta(days=30))  # kept to the real time
        assert timezone.now() <= clock.real_now
    assert timezone.now() >= clock.real_now


def test_staff_have_addresses_so_their_escalation_notices_can_go(demo: datetime.datetime) -> None:
    staff = User.objects.filter(organisation__isnull=False)
    assert staff.exists()
    assert sorted(user.email for user in staff if not user.email.endswith(".example")) == []
    notices = Message.objects.unscoped("demo test: every organisation's messages").filter(
        recipient_kind=RecipientKind.STAFF
    )
    assert notices.exists()
    errors = notices.exclude(status=MessageStatus.PENDING).values_list("last_error", flat=True)
    assert [error for error in errors if "e-mail address" in error] == []
