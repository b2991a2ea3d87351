"""Unreasonable-behaviour restrictions: proposed, approved by another manager (never the
proposer), a notice to the customer in their language, shown and enforced when a contact is
logged (through ``core.sources``: contacts never imports feedback), ended early or on review,
with a reminder before; every write audited; bad input refused with nothing changed."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onestop.contacts import services as contact_services
from onestop.contacts.models import Channel, Contact, Direction
from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord, Organisation, RoleCode, User
from onestop.feedback.errors import FeedbackError
from onestop.feedback.procedure_models import (
    ContactRestriction,
    RestrictedContact,
    RestrictionEnd,
    RestrictionStatus,
)
from onestop.feedback.services import restrictions
from onestop.notify.models import Event, Message
from tests import factories as core_factories
from tests.customers import factories as customer_factories
from tests.feedback.conftest import World
from tests.matrix import covers

ClientFor = Callable[[User], Client]
TODAY = datetime.date(2026, 6, 1)  # a Monday


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def manager(world: World) -> User:
    return core_factories.staff(world.organisation, RoleCode.MANAGER, username="ops.manager")


def _values(world: World, **changes: Any) -> restrictions.RestrictionInput:
    values: dict[str, Any] = {
        "reason": "Abusive telephone calls to the contact centre on 12 occasions",
        "starts_on": TODAY,
        "review_on": TODAY + datetime.timedelta(days=90),
        "single_point": world.leader,
        "allowed_channels": (Channel.LETTER, Channel.EMAIL),
        "max_contacts": 1,
        "per_days": 7,
    }
    values.update(changes)
    return restrictions.RestrictionInput(**values)


def _in_force(world: World, manager: User, **changes: Any) -> ContactRestriction:
    row = restrictions.propose(world.customer, by=world.officer, values=_values(world, **changes))
    return restrictions.approve(row, by=manager)


def _log(world: World, channel: str, **values: Any) -> Contact:
    return contact_services.log_contact(
        world.organisation,
        by=world.advisor,
        customer=world.customer,
        values=contact_services.ContactInput(channel=channel, notes="Rang again", **values),
    )


# --- proposing and approving --------------------------------------------------------------------
def test_a_restriction_is_proposed_then_approved_by_another_manager_with_a_notice(
    world: World, manager: User
) -> None:
    row = restrictions.propose(world.customer, by=world.officer, values=_values(world))
    assert row.status == RestrictionStatus.PROPOSED
    assert not Message.objects.unscoped("test").filter(event=Event.RESTRICTION_NOTICE).exists()
    approved = restrictions.approve(row, by=manager)
    assert approved.status == RestrictionStatus.ACTIVE
    assert approved.approved_by == manager
    notice = Message.objects.unscoped("test").get(event=Event.RESTRICTION_NOTICE)
    assert notice.customer_id == world.customer.pk
    assert notice.pk == approved.notice_message_id
    assert "Contact us only by e-mail or letter" in notice.body
    assert "At most 1 contact every 7 days" in notice.body
    assert "Abusive telephone calls" in notice.body
    assert "30 August 2026" in notice.body  # the review date, worded
    summaries = list(
        AuditRecord.objects.for_organisation(world.organisation)
        .filter(object_id=str(row.pk))
        .values_list("summary", flat=True)
    )
    assert any("proposed" in text for text in summaries)
    assert any("approved" in text for text in summaries)


def test_the_notice_is_in_welsh_for_a_customer_who_prefers_welsh(
    world: World, manager: User
) -> None:
    welsh = customer_factories.customer(
        world.organisation, "Dafydd", "Jones", email="dafydd@example.org", language="cy"
    )
    row = restrictions.propose(welsh, by=world.officer, values=_values(world))
    restrictions.approve(row, by=manager)
    notice = Message.objects.unscoped("test").get(event=Event.RESTRICTION_NOTICE)
    assert notice.language == "cy"
    assert "Rydym wedi penderfynu cyfyngu" in notice.body
    assert "30 Awst 2026" in notice.body


def test_nobody_approves_their_own_proposal(world: World, manager: User) -> None:
    row = restrictions.propose(world.customer, by=manager, values=_values(world))
    with pytest.raises(ServiceError) as refused:
        restrictions.approve(row, by=manager)
    assert refused.value.code == FeedbackError.SELF_APPROVAL
    row.refresh_from_db()
    assert row.status == RestrictionStatus.PROPOSED
    assert row.approved_by is None
    assert not Message.objects.unscoped("test").filter(event=Event.RESTRICTION_NOTICE).exists()


def test_only_a_manager_approves(world: World) -> None:
    row = restrictions.propose(world.customer, by=world.officer, values=_values(world))
    for person in (world.leader, world.advisor):
        with pytest.raises(ServiceError):
            restrictions.approve(row, by=person)
    row.refresh_from_db()
    assert row.status == RestrictionStatus.PROPOSED


def test_an_approved_restriction_is_not_approved_twice(world: World, manager: User) -> None:
    row = _in_force(world, manager)
    other = core_factories.staff(world.organisation, RoleCode.MANAGER, username="second")
    with pytest.raises(ServiceError) as refused:
        restrictions.approve(row, by=other)
    assert refused.value.code == FeedbackError.NOT_PROPOSED
    assert Message.objects.unscoped("test").filter(event=Event.RESTRICTION_NOTICE).count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"reason": "  "}, "reason", FeedbackError.REQUIRED),
        ({"reason": "x" * 10_001}, "reason", FeedbackError.TOO_LONG),
        ({"reason": "Abuse\u202e hidden"}, "reason", FeedbackError.CONTROL_CHARACTERS),
        (
            {"single_point": None, "allowed_channels": (), "max_contacts": None, "per_days": None},
            "single_point",
            FeedbackError.NO_RESTRICTION,
        ),
        ({"allowed_channels": ("carrier-pigeon",)}, "allowed_channels", FeedbackError.REQUIRED),
        ({"max_contacts": 1, "per_days": None}, "max_contacts", FeedbackError.REQUIRED),
        ({"max_contacts": 0, "per_days": 7}, "max_contacts", FeedbackError.REQUIRED),
        ({"max_contacts": 500, "per_days": 7}, "max_contacts", FeedbackError.REQUIRED),
        ({"review_on": TODAY}, "review_on", FeedbackError.BAD_DATE),
        ({"review_on": TODAY + datetime.timedelta(days=400)}, "review_on", FeedbackError.BAD_DATE),
        ({"starts_on": TODAY - datetime.timedelta(days=30)}, "starts_on", FeedbackError.BAD_DATE),
        ({"starts_on": None}, "starts_on", FeedbackError.BAD_DATE),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(
    world: World, changes: dict[str, Any], field: str, code: str
) -> None:
    with pytest.raises(ServiceError) as refused:
        restrictions.propose(world.customer, by=world.officer, values=_values(world, **changes))
    assert (refused.value.field, refused.value.code) == (field, code)
    assert not ContactRestriction.objects.for_organisation(world.organisation).exists()


def test_another_organisations_staff_cannot_be_the_single_point(
    world: World, partner: Organisation
) -> None:
    stranger = core_factories.staff(partner, RoleCode.ADVISOR, username="stranger")
    with pytest.raises(ServiceError) as refused:
        restrictions.propose(
            world.customer, by=world.officer, values=_values(world, single_point=stranger)
        )
    assert refused.value.field == "single_point"
    assert not ContactRestriction.objects.unscoped("test").exists()


def test_an_advisor_cannot_propose(world: World) -> None:
    with pytest.raises(ServiceError):
        restrictions.propose(world.customer, by=world.advisor, values=_values(world))
    assert not ContactRestriction.objects.unscoped("test").exists()


# --- enforced when a contact is logged ------------------------------------------------------------
def test_a_contact_by_a_restricted_channel_needs_the_advisors_reason(
    world: World, manager: User
) -> None:
    row = _in_force(world, manager)
    before = Contact.objects.for_organisation(world.organisation).count()
    with pytest.raises(ServiceError) as refused:
        _log(world, Channel.TELEPHONE)
    assert refused.value.field == "restriction_reason"
    assert "only by e-mail or letter" in refused.value.message
    assert Contact.objects.for_organisation(world.organisation).count() == before
    assert not RestrictedContact.objects.for_organisation(world.organisation).exists()

    contact = _log(
        world,
        Channel.TELEPHONE,
        restriction_reason="Reporting a safeguarding concern",
        rules_shown=(f"restriction:{row.pk}",),
    )
    seen = RestrictedContact.objects.for_organisation(world.organisation).get()
    assert (seen.contact_id, seen.restriction_id, seen.by_id) == (
        contact.pk,
        row.pk,
        world.advisor.pk,
    )
    assert seen.shown
    assert seen.channel_restricted
    assert seen.reason == "Reporting a safeguarding concern"
    assert (
        AuditRecord.objects.for_organisation(world.organisation)
        .filter(object_id=str(row.pk), summary__contains=f"Contact {contact.pk} logged")
        .exists()
    )


def test_an_allowed_channel_is_logged_and_recorded_as_seen_or_not(
    world: World, manager: User
) -> None:
    row = _in_force(world, manager)
    _log(world, Channel.LETTER)  # the form did not show it (an API client, say)
    _log(world, Channel.EMAIL, rules_shown=(f"restriction:{row.pk}",))
    rows = list(
        RestrictedContact.objects.for_organisation(world.organisation)
        .order_by("pk")
        .values_list("shown", "channel_restricted", "over_frequency")
    )
    # the second contact within 7 days is over the one a week allowed
    assert rows == [(False, False, False), (True, False, True)]


def test_hostile_and_oversized_reasons_are_refused(world: World, manager: User) -> None:
    _in_force(world, manager)
    for reason, field in (("x" * 5001, "restriction_reason"), ("ok\u200b", "restriction_reason")):
        with pytest.raises(ServiceError) as refused:
            _log(world, Channel.TELEPHONE, restriction_reason=reason)
        assert refused.value.field == field
    assert not Contact.objects.for_organisation(world.organisation).exists()


def test_a_proposed_or_ended_restriction_refuses_nothing(world: World, manager: User) -> None:
    row = restrictions.propose(world.customer, by=world.officer, values=_values(world))
    _log(world, Channel.TELEPHONE)  # not yet approved
    restrictions.approve(row, by=manager)
    restrictions.lift(row, by=manager, reason="Behaviour has improved")
    _log(world, Channel.TELEPHONE)
    assert Contact.objects.for_organisation(world.organisation).count() == 2
    assert not RestrictedContact.objects.for_organisation(world.organisation).exists()


# --- ending ---------------------------------------------------------------------------------------
def test_lifting_early_needs_a_reason_and_tells_the_customer(world: World, manager: User) -> None:
    row = _in_force(world, manager)
    with pytest.raises(ServiceError) as refused:
        restrictions.lift(row, by=manager, reason=" ")
    assert refused.value.field == "reason"
    row.refresh_from_db()
    assert row.status == RestrictionStatus.ACTIVE
    with pytest.raises(ServiceError):
        restrictions.lift(row, by=world.officer, reason="Officers do not lift")
    restrictions.lift(row, by=manager, reason="Behaviour has improved")
    row.refresh_from_db()
    assert (row.status, row.ended_as, row.ended_by) == (
        RestrictionStatus.ENDED,
        RestrictionEnd.LIFTED,
        manager,
    )
    ended = Message.objects.unscoped("test").get(event=Event.RESTRICTION_ENDED)
    assert "Behaviour has improved" in ended.body
    with pytest.raises(ServiceError) as again:
        restrictions.lift(row, by=manager, reason="Again")
    assert again.value.code == FeedbackError.NOT_IN_FORCE


def test_a_reminder_before_review_then_it_ends_on_its_review_date(
    world: World, manager: User
) -> None:
    row = _in_force(world, manager, review_on=TODAY + datetime.timedelta(days=20))
    assert restrictions.remind_reviews() == 0  # 20 days away: not yet
    later = TODAY + datetime.timedelta(days=10)
    assert restrictions.remind_reviews(today=later) == 2  # the approver and the proposer
    assert restrictions.remind_reviews(today=later) == 0  # once
    reminders = Message.objects.unscoped("test").filter(event=Event.RESTRICTION_REVIEW)
    assert sorted(reminders.values_list("recipient_user_id", flat=True)) == sorted(
        [manager.pk, world.officer.pk]
    )
    assert restrictions.end_due_restrictions(today=later) == 0
    assert restrictions.end_due_restrictions(today=TODAY + datetime.timedelta(days=20)) == 1
    row.refresh_from_db()
    assert (row.status, row.ended_as, row.ended_by) == (
        RestrictionStatus.ENDED,
        RestrictionEnd.EXPIRED,
        None,
    )
    assert restrictions.end_due_restrictions(today=TODAY + datetime.timedelta(days=21)) == 0


def test_a_restriction_past_its_review_date_is_not_in_force_before_the_sweep(
    world: World, manager: User
) -> None:
    _in_force(world, manager, review_on=TODAY + datetime.timedelta(days=3))
    with time_machine.travel(timezone.now() + datetime.timedelta(days=4), tick=False):
        _log(world, Channel.TELEPHONE)  # not refused
    assert (
        Contact.objects.for_organisation(world.organisation)
        .filter(direction=Direction.INBOUND)
        .count()
        == 1
    )


# --- the pages ------------------------------------------------------------------------------------
@covers("feedback:restriction-new")
def test_proposing_on_a_page(
    world: World, client_for: ClientFor, partner_administrator: User
) -> None:
    url = f"/feedback/restrictions/new/for/{world.customer.pk}/"
    assert Client().get(url).status_code == 302
    assert client_for(partner_administrator).get(url).status_code in {403, 404}
    assert client_for(world.advisor).get(url).status_code == 403
    assert client_for(world.officer).get(url).status_code == 200
    form = {
        "restriction-reason": "Abusive calls",
        "restriction-single_point": str(world.leader.pk),
        "restriction-allowed_channels": ["letter", "email"],
        "restriction-starts_on_day": "1",
        "restriction-starts_on_month": "6",
        "restriction-starts_on_year": "2026",
        "restriction-review_on_day": "1",
        "restriction-review_on_month": "5",
        "restriction-review_on_year": "2026",
    }
    refused = client_for(world.officer).post(url, form)
    assert refused.status_code == 400
    assert "The review date must be after the start date" in refused.content.decode()
    assert not ContactRestriction.objects.for_organisation(world.organisation).exists()
    form["restriction-review_on_month"] = "8"
    done = client_for(world.officer).post(url, form)
    assert done.status_code == 302
    row = ContactRestriction.objects.for_organisation(world.organisation).get()
    assert done["Location"] == f"/feedback/restrictions/{row.pk}/"
    assert row.allowed_channels == ["email", "letter"]


@covers("feedback:restriction", "feedback:restriction-approve", "feedback:restriction-lift")
def test_reading_approving_and_lifting_on_pages(
    world: World, manager: User, client_for: ClientFor, partner_administrator: User
) -> None:
    row = restrictions.propose(world.customer, by=world.officer, values=_values(world))
    page = f"/feedback/restrictions/{row.pk}/"
    approve, lift = page + "approve/", page + "lift/"
    assert partner_administrator.organisation is not None
    stranger = core_factories.staff(partner_administrator.organisation, RoleCode.MANAGER)
    for url in (page, approve, lift):
        assert Client().get(url).status_code == 302
        assert client_for(partner_administrator).get(url).status_code in {403, 404}
        assert client_for(stranger).get(url).status_code == 404  # another organisation's
    assert client_for(world.advisor).get(page).status_code == 200  # the desk reads it
    assert "Abusive telephone calls" in client_for(world.advisor).get(page).content.decode()
    assert (
        AuditRecord.objects.for_organisation(world.organisation)
        .filter(
            action="viewed", actor=world.advisor, summary=f"Contact restriction {row.pk} viewed"
        )
        .exists()
    )
    assert client_for(world.advisor).post(approve, {}).status_code == 403
    assert client_for(world.officer).post(approve, {}).status_code == 403
    row.refresh_from_db()
    assert row.status == RestrictionStatus.PROPOSED
    assert client_for(manager).post(approve, {}).status_code == 302
    row.refresh_from_db()
    assert row.status == RestrictionStatus.ACTIVE
    assert client_for(manager).post(lift, {"lift-reason": ""}).status_code == 400
    assert client_for(manager).post(lift, {"lift-reason": "Improved"}).status_code == 302
    row.refresh_from_db()
    assert row.ended_as == RestrictionEnd.LIFTED


def test_the_proposer_sees_no_approve_link_and_is_refused(
    world: World, client_for: ClientFor
) -> None:
    manager = core_factories.staff(world.organisation, RoleCode.MANAGER, username="m1")
    row = restrictions.propose(world.customer, by=manager, values=_values(world))
    body = client_for(manager).get(f"/feedback/restrictions/{row.pk}/").content.decode()
    assert "/approve/" not in body
    refused = client_for(manager).post(f"/feedback/restrictions/{row.pk}/approve/", {})
    assert refused.status_code == 400
    assert "Another manager must approve it" in refused.content.decode()


def test_the_desk_and_the_contact_form_show_the_restriction(
    world: World, manager: User, client_for: ClientFor
) -> None:
    row = _in_force(world, manager)
    _log(world, Channel.EMAIL)
    desk = client_for(world.advisor).get(f"/desk/customers/{world.customer.pk}/").content.decode()
    assert 'data-testid="contact-rule"' in desk
    assert "This customer&#x27;s contact is restricted" in desk
    assert "Contact only through" in desk
    assert "Contact us only by e-mail or letter" in desk
    assert "Contacts from the customer in the last 7 days: 1" in desk
    log_url = f"/desk/customers/{world.customer.pk}/contacts/new/"
    form_page = client_for(world.advisor).get(log_url).content.decode()
    assert 'data-testid="contact-rule"' in form_page
    assert f'value="restriction:{row.pk}"' in form_page
    posted = {
        "notes": "Rang again",
        "outcome": "resolved",
        "channel": "telephone",
        "direction": "in",
        "rules_shown": f"restriction:{row.pk}",
    }
    refused = client_for(world.advisor).post(log_url, posted)
    assert refused.status_code == 400
    assert "say why you took this contact by another channel" in refused.content.decode()
    assert Contact.objects.for_organisation(world.organisation).count() == 1
    posted["restriction_reason"] = "Threat of harm reported"
    assert client_for(world.advisor).post(log_url, posted).status_code == 302
    seen = RestrictedContact.objects.for_organisation(world.organisation).get(channel="telephone")
    assert seen.shown
    assert seen.reason == "Threat of harm reported"


def test_the_customer_page_panel_lists_restrictions(
    world: World, manager: User, client_for: ClientFor
) -> None:
    row = _in_force(world, manager)
    body = (
        client_for(world.officer)
        .get(reverse("customers:detail", args=[world.customer.pk]))
        .content.decode()
    )
    assert 'data-testid="customer-restrictions"' in body
    assert f"/feedback/restrictions/{row.pk}/" in body
    assert f"/feedback/restrictions/new/for/{world.customer.pk}/" in body


def test_the_review_command_reminds_then_ends(world: World, manager: User) -> None:
    from io import StringIO

    from django.core.management import call_command

    row = _in_force(world, manager, review_on=TODAY + datetime.timedelta(days=5))
    out = StringIO()
    call_command("restrictions", "review", stdout=out)
    assert out.getvalue().strip() == "2 review reminders sent; 0 restrictions ended."
    with time_machine.travel(datetime.datetime(2026, 6, 6, 9, tzinfo=datetime.UTC), tick=False):
        out = StringIO()
        call_command("restrictions", "review", stdout=out)
    assert out.getvalue().strip() == "0 review reminders sent; 1 restrictions ended."
    row.refresh_from_db()
    assert row.ended_as == RestrictionEnd.EXPIRED


def test_a_restriction_never_stops_a_complaint(world: World, manager: User) -> None:
    from onestop.feedback import services as feedback_services
    from onestop.feedback.models import Kind

    row = _in_force(world, manager)
    feedback = feedback_services.record_feedback(
        world.organisation,
        by=world.advisor,
        customer=world.customer,
        values=feedback_services.FeedbackInput(
            kind=Kind.COMPLAINT, what_happened="Complaint by phone", channel=Channel.TELEPHONE
        ),
    )
    seen = RestrictedContact.objects.for_organisation(world.organisation).get()
    assert (seen.contact_id, seen.restriction_id) == (feedback.contact_id, row.pk)
    assert seen.channel_restricted
    assert seen.reason == "Feedback taken: a restriction never stops feedback"


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.WEB_FORM, Channel.TELEPHONE])
def test_what_the_customer_sends_by_a_restricted_channel_is_kept_and_marked(
    world: World, manager: User, channel: str
) -> None:
    """A text, a web form or an imported call from a customer restricted to writing is never
    refused (nothing the customer sent is lost); the restriction records it as by a restricted
    channel, taken by nobody, for staff to answer as the restriction says."""
    row = _in_force(world, manager)
    contact = contact_services.log_contact(
        world.organisation,
        by=None,
        customer=world.customer,
        values=contact_services.ContactInput(channel=channel, notes="Sent by the customer"),
    )
    seen = RestrictedContact.objects.for_organisation(world.organisation).get()
    assert (seen.contact_id, seen.restriction_id, seen.by_id) == (contact.pk, row.pk, None)
    assert seen.channel_restricted
    assert not seen.shown
    assert seen.reason == ""


@pytest.mark.parametrize(
    ("count", "days", "line"),
    [
        (1, 7, "At most 1 contact every 7 days"),
        (3, 7, "At most 3 contacts every 7 days"),
        (2, 1, "At most 2 contacts every day"),
    ],
)
def test_the_frequency_reads_as_plain_english(
    world: World, manager: User, count: int, days: int, line: str
) -> None:
    from onestop.feedback.queries import restrictions as restriction_queries

    row = _in_force(world, manager, max_contacts=count, per_days=days)
    assert restriction_queries.describe(row)[-1] == line
