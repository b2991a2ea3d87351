"""The loaded demo tells one consistent story: standards fit each case type, every team has
work in every state, the partner housing association can do a day's work, and backdated data
is backdated everywhere (timelines, notes, messages, contacts, the audit trail).  Then what each
app's loader put in it (its directory, cases, mailboxes, complaints, returns, calls, forms and
Welsh words), and a second run that adds nothing.

Every test of the loaded demo is in this one module: ``loaded_demo`` loads it once per module
(and test worker), and a load replays weeks of history.  The demo loaded on other days is
``test_any_day.py``; the staff pages' walks load their own (``tests/browser``)."""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.cases import demo as cases_demo
from onestop.cases import queries as case_queries
from onestop.cases import services as case_services
from onestop.cases.models import Case, CaseEvent, CaseType, Source, Status
from onestop.channels import demo as channels_demo
from onestop.channels.models import InboundMessage, Mailbox, MessageOutcome
from onestop.contacts import services as contact_services
from onestop.contacts.models import Contact
from onestop.core import replay
from onestop.core.models import AuditRecord, Organisation, User
from onestop.customers import queries as customer_queries
from onestop.directory import demo as directory_demo
from onestop.directory import queries as directory_queries
from onestop.directory import services as directory_services
from onestop.directory.models import AccessPoint, Service, Team
from onestop.feedback import queries as feedback_queries
from onestop.feedback.models import (
    ClosedAs,
    Feedback,
    FeedbackEvent,
    Kind,
    LearningAction,
    OmbudsmanCase,
    SatisfactionSurvey,
)
from onestop.feedback.models import Status as FeedbackStatus
from onestop.feedback.procedure_models import ContactRestriction, Contribution, RestrictionStatus
from onestop.feedback.queries import reports as feedback_reports
from onestop.notify.models import Message, MessageStatus, RecipientKind
from onestop.performance.models import QuarterlyReturn, ReturnStatus
from onestop.portal import demo as portal_demo
from onestop.portal import services as portal_services
from onestop.portal.models import WebForm
from onestop.standards import demo as standards_demo
from onestop.standards.models import Standard
from onestop.telephony.models import CallImportRun, CallOutcome, CallQueue, CallRecord
from tests.conftest import LoadedDemo
from tests.factories import sign_in_verified
from tests.performance.returns_world import last_whole_quarter

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


# --- what each app's loader puts in the demo ---------------------------------------------------
# (One module, so the demo is loaded once per test worker for every test of it: each load
# replays weeks of history, and these tests were eleven loads in eight modules.)
def _council() -> Organisation:
    return _org("demo-council")


def _table_counts() -> dict[str, int]:
    """Every table's number of rows (the demo's second run must add to none)."""
    with connection.cursor() as cursor:
        counts = {}
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def test_running_the_demo_twice_adds_to_no_table_and_prints_the_same(
    loaded_demo: LoadedDemo,
) -> None:
    first = loaded_demo.output
    before = _table_counts()
    again = StringIO()
    call_command("demo", stdout=again)
    assert again.getvalue() == first
    after = _table_counts()
    assert {table: (n, after[table]) for table, n in before.items() if after[table] != n} == {}
    assert Organisation.objects.count() == 3
    assert User.objects.count() == 9
    assert TOTPDevice.objects.count() == 9
    assert AccessPoint.objects.unscoped("demo test").count() == 5
    assert "Demo council: Aylesbury Vale District Council (demo) (demo-council)" in first
    assert "  11 services, 13 teams, 5 access points, 25 opening sessions" in first
    assert "  22 service standards, 33 customers, 1050 contacts, 48 cases" in first
    assert "  976 telephone calls imported from 5 call queues" in first
    assert "Password for every demo user: demo-only-not-secret" in first
    assert "Demonstration only" in first
    assert first.rstrip().endswith("Address: http://127.0.0.1:8000/")


# directory
def test_the_demo_loads_appendix_two_hours(demo: datetime.datetime) -> None:
    admin = User.objects.get(username="admin@demo-council")
    points = {p.name: p for p in directory_queries.access_points_for(admin)}
    buckingham = directory_queries.weekly_hours(points["Buckingham Area Office"])
    assert [[f"{s.opens:%H:%M}-{s.closes:%H:%M}" for s in day.sessions] for day in buckingham] == [
        [],
        ["09:00-13:00", "14:00-16:30"],
        [],
        ["09:00-13:00", "14:00-16:30"],
        ["09:00-13:00", "14:00-16:15"],
        [],
        [],
    ]
    centre = directory_queries.weekly_hours(points["Customer Service Centre, Aylesbury"])
    assert [f"{d.sessions[0].opens:%H:%M}" for d in centre[:5]] == [
        "08:45",
        "08:45",
        "08:45",
        "09:45",
        "08:45",
    ]


def test_the_housing_advisor_sees_the_shared_one_stop_shop_only(demo: datetime.datetime) -> None:
    housing = User.objects.get(username="housing.advisor@demo-housing")
    assert [p.name for p in directory_queries.access_points_for(housing)] == [
        "Buckingham One-Stop Shop"
    ]


def test_the_totp_code_printed_verifies_against_the_device(demo: datetime.datetime) -> None:
    out = StringIO()
    call_command("demo", "totp", "advisor@demo-council", stdout=out)
    code = out.getvalue().strip()
    device = TOTPDevice.objects.get(user__username="advisor@demo-council")
    assert len(code) == 6
    assert device.verify_token(code) is True


# cases
def test_the_demo_loads_types_and_cases_once(demo: datetime.datetime) -> None:
    council = _council()
    cases_demo.load_demo(council)
    cases_demo.load_demo(council)
    assert CaseType.objects.for_organisation(council).count() == len(cases_demo.TYPES)
    cases = Case.objects.for_organisation(council)
    # The e-mail and web channels' demos raise cases of their own.
    assert cases.exclude(source__in=[Source.EMAIL, Source.WEB]).count() == len(cases_demo.CASES)
    assert cases.filter(status=Status.CLOSED).count() == 5
    assert cases.filter(published_at__isnull=False).count() == 1
    assert (
        cases.filter(
            kind="councillor-enquiry", councillor__username="councillor@demo-council"
        ).count()
        == 3
    )


# channels
def test_the_demo_loads_mailboxes_and_mail_once(demo: datetime.datetime) -> None:
    council = _council()
    channels_demo.load_demo(council)
    channels_demo.load_demo(council)
    mailboxes = Mailbox.objects.for_organisation(council)
    assert sorted(mailboxes.values_list("address", flat=True)) == sorted(
        f"{local}@demo-council.example"
        for local, _name, _code in (*channels_demo.MAILBOXES, channels_demo.FEEDBACK_MAILBOX)
    )
    assert list(mailboxes.filter(files_feedback=True).values_list("address", flat=True)) == [
        "feedback@demo-council.example"
    ]
    kept = InboundMessage.objects.for_organisation(council)
    assert kept.count() == len(channels_demo.MESSAGES)
    assert set(kept.values_list("outcome", flat=True)) == {MessageOutcome.IGNORED_AUTO_REPLY}
    assert not Case.objects.for_organisation(council).filter(source=Source.EMAIL).exists()


# feedback
def test_the_demo_holds_complaints_at_every_stage(demo: datetime.datetime) -> None:
    council = _council()
    held = Feedback.objects.for_organisation(council)
    assert held.count() == 7  # with the one taken to the ombudsman (fb-after)
    officer = User.objects.get(username="complaints@demo-council")
    open_rows = feedback_queries.complaint_rows(officer)
    assert len(open_rows) == 4  # answered, extended, at stage 2, to acknowledge
    assert sum(1 for row in open_rows if row.is_extended) == 1
    assert sum(1 for row in open_rows if row.stage is not None and row.stage.stage == 2) == 1
    assert held.filter(status=FeedbackStatus.RESPONDED).count() == 1
    assert held.filter(closed_as=ClosedAs.OUTSIDE).count() == 1
    # After the last word (fb-after): a lesson, a survey answered, a remedy to carry out.
    assert LearningAction.objects.for_organisation(council).count() == 1
    assert (
        SatisfactionSurvey.objects.for_organisation(council)
        .filter(answered_at__isnull=False)
        .count()
        == 1
    )
    assert list(
        OmbudsmanCase.objects.for_organisation(council).values_list("finding", "complied_on")
    ) == [("fault-injustice", None)]
    # Every event happened after its record was received.
    for event in FeedbackEvent.objects.for_organisation(council).select_related("feedback"):
        assert event.at >= event.feedback.received_at
    client = Client()
    sign_in_verified(client, officer)
    page = client.get("/feedback/")
    assert page.status_code == 200
    assert "Open complaints (4)" in page.content.decode()


def test_the_demo_shows_a_restriction_an_owner_and_a_contribution(
    demo: datetime.datetime,
) -> None:
    council = _council()
    restriction = ContactRestriction.objects.for_organisation(council).get()
    assert restriction.status == RestrictionStatus.ACTIVE
    assert restriction.approved_by is not None
    assert restriction.approved_by_id != restriction.proposed_by_id
    assert Contribution.objects.for_organisation(council).count() == 1
    assert FeedbackEvent.objects.for_organisation(council).filter(code="owner-changed").count() == 1


def test_the_demo_councils_reports_count_its_complaints(
    demo: datetime.datetime, client_for: Callable[[User], Client]
) -> None:
    council = _council()
    today = timezone.localdate()
    period = feedback_reports.Period(today - datetime.timedelta(days=365), today)
    complaints = (
        Feedback.objects.for_organisation(council)
        .filter(kind=Kind.COMPLAINT, received_at__gte=period.starts, received_at__lt=period.ends)
        .count()
    )
    assert complaints >= 4
    officer = User.objects.get(username="complaints@demo-council")
    first, last = period.first, period.last
    page = client_for(officer).get(
        "/feedback/reports/complaints-monthly/?"
        f"start_day={first.day}&start_month={first.month}&start_year={first.year}"
        f"&end_day={last.day}&end_month={last.month}&end_year={last.year}"
    )
    assert page.status_code == 200
    assert 'data-measure="received:complaint" data-service=""><a class="govuk-link"' in (
        page.content.decode()
    )
    output = StringIO()
    call_command(
        "report",
        "complaints-annual",
        "--from",
        first.isoformat(),
        "--to",
        last.isoformat(),
        "--format",
        "csv",
        "--organisation",
        "demo-council",
        stdout=output,
    )
    rows = list(csv.DictReader(StringIO(output.getvalue())))
    received = sum(
        int(row["value"]) for row in rows if row["measure"].startswith("stage-received:")
    )
    escalated = feedback_reports.count(
        feedback_reports.ReportScope(council, period), "stage-received:2"
    )
    assert received == complaints + escalated


# performance
def test_the_demo_has_a_submitted_return_and_a_draft(demo: datetime.datetime) -> None:
    council = _council()
    returns = list(QuarterlyReturn.objects.for_organisation(council).order_by("first"))
    assert [(item.service.name, item.status) for item in returns] == [
        ("Customer Services", ReturnStatus.SUBMITTED),
        ("Customer Services", ReturnStatus.DRAFT),
    ]
    submitted = returns[0]
    assert submitted.first == last_whole_quarter().first
    assert submitted.submitted_by is not None
    assert submitted.submitted_by.username == "manager@demo-council"
    assert len(submitted.action_lines) == 2
    assert {figure["report"] for figure in submitted.figures} >= {"telephony"}


# telephony
def test_the_demo_has_mapped_queues_and_weeks_of_calls(loaded_demo: LoadedDemo) -> None:
    council = _council()
    queues = CallQueue.objects.for_organisation(council)
    assert queues.count() == 5
    assert not queues.filter(service__isnull=True).exists()
    # Mapped to the teams that answer them before the calls were imported: every call carries
    # its queue's team (per-team figures, issue 17).
    assert dict(queues.values_list("name", "team__name")) == {
        "Council Tax": "Council Tax team",
        "Benefits": "Benefits team",
        "Waste and Recycling": "Advisors",
        "Housing Needs": "Housing Needs",
        "Switchboard": "Advisors",
    }
    calls = CallRecord.objects.for_organisation(council)
    total = calls.count()
    assert total > 500
    outcomes = set(calls.values_list("outcome", flat=True))
    assert outcomes == set(CallOutcome.values)
    oldest = calls.order_by("offered_at").first()
    assert oldest is not None
    assert timezone.now() - oldest.offered_at > datetime.timedelta(days=21)
    assert calls.filter(contact__service__isnull=True).count() == 0
    assert calls.filter(team__isnull=True).count() == 0
    assert calls.exclude(team=F("queue__team")).count() == 0
    assert calls.filter(agent__isnull=False).exists()
    assert calls.filter(contact__customer__isnull=False).exists()
    assert f"{total} telephone calls imported from 5 call queues" in loaded_demo.output
    assert CallImportRun.objects.for_organisation(council).count() == 1


# portal
def test_the_demo_publishes_everyday_types_once(demo: datetime.datetime, client: Client) -> None:
    council = _council()
    forms = WebForm.objects.for_organisation(council)
    assert sorted(forms.values_list("case_type__code", flat=True)) == sorted(
        row[0] for row in portal_demo.PUBLISHED
    )
    missed_bin = forms.get(case_type__code="missed-bin")
    portal_services.save_web_form(
        missed_bin.case_type, by=None, is_published=False, guidance="", position=1
    )

    portal_demo.load_demo(council)

    assert forms.count() == len(portal_demo.PUBLISHED)
    missed_bin.refresh_from_db()
    assert missed_bin.is_published is False  # the administrator's change stands
    assert (
        AuditRecord.objects.for_organisation(council).filter(object_type="portal.webform").count()
        == len(portal_demo.PUBLISHED) + 1
    )
    index = client.get("/report/demo-council/").content.decode()
    assert "/report/demo-council/fly-tipping/" in index
    assert "/report/demo-council/missed-bin/" not in index
    assert client.get("/report/demo-council/fly-tipping/").status_code == 200

    # The housing association offers Welsh, with its forms translated.
    housing = _org("demo-housing")
    assert housing.offers_welsh is True
    welsh = client.get("/report/demo-housing/?lang=cy").content.decode()
    assert '<html lang="cy"' in welsh
    assert ">Atgyweirio</a>" in welsh
    assert ">Ymholiad am denantiaeth</a>" in welsh
    repair = client.get("/report/demo-housing/repair/").content.decode()
    assert "ffurflen hon ar gyfer argyfyngau" in repair
    assert 'href="/report/demo-housing/repair/question-where/"' in repair
    question = client.get("/report/demo-housing/repair/question-where/").content.decode()
    assert "Pa ystafell" in question


def _found(client: Client, organisation: str, search: str, language: str = "en") -> list[str]:
    html = client.get(f"/report/{organisation}/", {"q": search, "lang": language})
    return re.findall(rf'href="/report/{organisation}/([a-z-]+)/"', html.content.decode())


def test_the_demo_forms_are_found_by_the_words_residents_use(
    demo: datetime.datetime, client: Client
) -> None:
    assert _found(client, "demo-council", "rubbish") == ["missed-bin", "fly-tipping"]
    assert _found(client, "demo-council", "wheelie bins") == ["missed-bin"]
    assert _found(client, "demo-council", "dustbin") == ["missed-bin"]
    assert _found(client, "demo-council", "sbwriel") == ["missed-bin", "fly-tipping"]
    assert _found(client, "demo-council", "loud music") == ["noise"]
    assert _found(client, "demo-housing", "boeler", "cy") == ["repair"]
    assert _found(client, "demo-housing", "leak") == ["repair"]
    assert _found(client, "demo-housing", "rhent", "cy") == ["tenancy-enquiry"]
    # A missed collection has happened: its date is today or in the past.
    missed_bin = CaseType.objects.for_organisation(_council()).get(code="missed-bin")
    day = next(q for q in missed_bin.attributes if q["code"] == "collection-day")
    assert day["dates"] == "past"


# the housing association, in Welsh


def test_the_housing_associations_start_page_in_welsh(
    demo: datetime.datetime, client: Client
) -> None:
    welsh = client.get("/o/demo-housing/?lang=cy").content.decode()
    english = client.get("/o/demo-housing/?lang=en").content.decode()

    assert '<html lang="cy"' in welsh
    for words in (
        ">Atgyweirio</a>",
        "Gwasanaethau Tenantiaeth",
        "Rhent, newidiadau i denantiaethau a materion cymdogion.",
        "Atgyweiriadau",
        "Siop Un Stop Buckingham",
        "Llyfrgell Buckingham<br>Buckingham",
        "Byddwn yn ateb ymholiadau am denantiaeth o fewn 10 diwrnod gwaith",
        "Byddwn yn gwneud atgyweiriad brys yn ddiogel o fewn 24 awr",
        "Byddwn yn cwblhau atgyweiriad arferol o fewn 20 diwrnod gwaith",
        "Byddwn yn gweld ymwelwyr o fewn 15 munud",
    ):
        assert words in welsh, words
    for words in ("Tenancy Services", "Buckingham One-Stop Shop", "We answer tenancy enquiries"):
        assert words in english, words
        assert words not in welsh, words


def test_loading_the_welsh_again_keeps_an_administrators_words(demo: datetime.datetime) -> None:
    housing = _org("demo-housing")
    repairs = Service.objects.for_organisation(housing).get(name="Repairs")
    directory_services.update_service(
        repairs,
        by=None,
        name=repairs.name,
        description=repairs.description,
        lgsl_code=None,
        name_cy="Gwaith trwsio",
    )

    directory_demo.load_welsh(housing)
    standards_demo.load_welsh(housing)

    repairs.refresh_from_db()
    assert repairs.name_cy == "Gwaith trwsio"


def test_the_housing_associations_case_types_have_their_welsh_names(
    demo: datetime.datetime,
) -> None:
    housing = _org("demo-housing")
    assert dict(CaseType.objects.for_organisation(housing).values_list("code", "name_cy")) == {
        "tenancy-enquiry": "Ymholiad am denantiaeth",
        "repair": "Atgyweirio",
        "emergency-repair": "Atgyweiriad brys",
    }
    # Loading the types again keeps an administrator's Welsh name.
    CaseType.objects.for_organisation(housing).filter(code="repair").update(name_cy="Trwsio")
    cases_demo.load_types(housing, cases_demo.HOUSING_TYPES, (), cases_demo.HOUSING_WELSH_NAMES)
    assert CaseType.objects.for_organisation(housing).get(code="repair").name_cy == "Trwsio"
