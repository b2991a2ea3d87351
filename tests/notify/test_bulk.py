"""Messages to many customers (``notify.services.bulk``, ``notify.queries_bulk``): who is in each
kind of group, counted exactly against the customers built here; consent, preference, large print
and the channels chosen; the worker's chunks resumed without a second message to anyone; cancel;
refused input."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction

from onestop.cases.models import Case
from onestop.contacts import services as contact_services
from onestop.core import sources
from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord, Organisation, RoleCode, User
from onestop.customers import services as customer_services
from onestop.customers.models import Address, Customer
from onestop.notify import queries_bulk, wording
from onestop.notify.models import (
    BulkMessage,
    BulkStatus,
    Event,
    Message,
    MessageStatus,
    SkipReason,
)
from onestop.notify.services import bulk, sending
from tests import factories as core_factories
from tests.cases import factories as case_factories
from tests.cases.conftest import World, world  # noqa: F401
from tests.customers import factories as customer_factories
from tests.directory import factories as directory_factories

LONDON = ZoneInfo("Europe/London")
MOBILE = "07700 900{:03d}"


@pytest.fixture
def manager(council: Organisation) -> User:
    return core_factories.staff(council, RoleCode.MANAGER, username="manager")


def _customer(council: Organisation, name: str, **details: Any) -> Customer:
    preferred = details.pop("preferred", "")
    customer = customer_factories.customer(council, name, "Resident", **details)
    if preferred:
        customer.preferred_channel = preferred
        customer.save(update_fields=["preferred_channel"])
    return customer


def _names(organisation_id: int, group: dict[str, Any]) -> list[str]:
    return [
        customer.given_name
        for customer in queries_bulk.group_customers(organisation_id, group).order_by("pk")
    ]


def _draft(
    council: Organisation,
    by: User,
    group: dict[str, Any],
    channels: tuple[str, ...] = ("email", "sms"),
    **kwargs: Any,
) -> BulkMessage:
    values: dict[str, Any] = {
        "title": "Snow closure",
        "use_template": True,
        "subject": "",
        "message": "The office is closed today because of snow.",
        **kwargs,
    }
    return bulk.create_bulk(council.pk, by=by, group=group, channels=list(channels), **values)


# --- groups ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "label", "prefix", "length"),
    [
        ("nn", "NN", "NN", 0),
        ("NN1", "NN1", "NN1", 6),
        ("nn1  5", "NN1 5", "NN15", 6),
        ("NN15", "NN15", "NN15", 7),
        ("nn1 5ab", "NN1 5AB", "NN15AB", 6),
        ("NN15AB", "NN1 5AB", "NN15AB", 6),
        ("EC1A 1", "EC1A 1", "EC1A1", 7),
    ],
)
def test_postcode_parts_are_read_in_their_standard_form(
    typed: str, label: str, prefix: str, length: int
) -> None:
    part = queries_bulk.parse_postcode_part(typed)
    assert part is not None
    assert (part.label, part.prefix, part.length) == (label, prefix, length)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "1NN",
        "NN1 5A",
        "N N 1",
        "NN1 5ABC",
        "'; DROP TABLE",
        "<b>NN1</b>",
        "NN1\u200b5",
        "N" * 50,
    ],
)
def test_anything_else_is_not_a_postcode_part(typed: str) -> None:
    assert queries_bulk.parse_postcode_part(typed) is None


def test_a_postcode_group_holds_exactly_the_current_addresses_in_it(
    council: Organisation, partner: Organisation
) -> None:
    for name, postcode in [
        ("Ann", "NN1 5AB"),
        ("Ben", "NN1 6BD"),
        ("Cat", "NN15 5AA"),
        ("Dan", "NN10 1AA"),
        ("Eve", "N1 1AA"),
        ("Fay", "MK1 1AA"),
    ]:
        _customer(council, name, postcode=postcode)
    moved = _customer(council, "Gus", postcode="NN1 5AB")
    Address.objects.for_organisation(council).filter(customer=moved).update(is_current=False)
    merged = _customer(council, "Hal", postcode="PE1 1AB")
    kept = _customer(council, "Ivy", postcode="MK2 2AA")
    customer_services.merge_customers(kept, merged, by=None)
    _customer(partner, "Jon", postcode="NN1 5AB")

    def names(postcode: str) -> list[str]:
        return _names(council.pk, {"kind": "postcode", "postcode": postcode})

    assert names("NN") == ["Ann", "Ben", "Cat", "Dan"]
    assert names("NN1") == ["Ann", "Ben"]
    assert names("NN1 5") == ["Ann"]
    assert names("NN15") == ["Cat"]
    assert names("NN1 5AB") == ["Ann"]
    assert names("N") == ["Eve"]
    assert names("MK") == ["Fay", "Ivy"]
    assert names("PE") == ["Ivy"]  # the merge moved Hal's address to Ivy; Hal is in no group
    assert names("ZZ9") == []
    assert names("not a postcode") == []


def test_a_case_type_group_holds_each_customer_with_an_open_case_of_it_once(
    world: World,  # noqa: F811
    partner: Organisation,
) -> None:
    council = world.organisation
    twice = _customer(council, "Ann")
    closed = _customer(council, "Ben")
    other_type = _customer(council, "Cat")
    once = _customer(council, "Dan")
    case_factories.raise_case(council, customer=twice)
    case_factories.raise_case(council, customer=twice, title="Missed green bin")
    case_factories.raise_case(council, customer=once)
    done = case_factories.raise_case(council, customer=closed)
    Case.objects.for_organisation(council).filter(pk=done.pk).update(status="closed")
    case_factories.raise_case(council, "foi", customer=other_type, attributes={})
    case_factories.raise_case(council)  # no customer
    group = {"kind": "case-type", "value": str(world.missed_bin.pk)}
    assert _names(council.pk, group) == ["Ann", "Dan"]
    # Another organisation's case type names nobody here, and is refused when chosen.
    assert _names(partner.pk, group) == []
    assert _names(council.pk, {"kind": "case-type", "value": "x1"}) == []
    assert sources.customer_group("case-type") is not None
    with pytest.raises(ServiceError) as refused:
        bulk.check_group(partner.pk, group)
    assert refused.value.field == "case_type"


def _partner_case_in(partner: Organisation, ward: str) -> Case:
    """An open case of the partner's, in ``ward``, for a customer of the partner's."""
    case_factories.standards(partner)
    service = case_factories.service(partner, "Housing")
    team = case_factories.team(service, "Housing team")
    case_factories.case_type(
        partner, "repair", kind=case_factories.KINDS.SERVICE_REQUEST, service=service, team=team
    )
    theirs = _customer(partner, "Zed")
    return case_factories.raise_case(partner, "repair", customer=theirs, attributes={}, ward=ward)


def test_a_ward_group_holds_each_customer_with_an_open_case_in_the_ward_once(
    world: World,  # noqa: F811
    partner: Organisation,
    manager: User,
) -> None:
    council = world.organisation
    people = {
        name: _customer(council, name, email=f"{name.lower()}@example.org")
        for name in ("Ann", "Ben", "Cat", "Dan", "Eve")
    }

    def case_in(ward: str, name: str | None, **kwargs: Any) -> Case:
        customer = people[name] if name else None
        return case_factories.raise_case(council, customer=customer, ward=ward, **kwargs)

    case_in("St James", "Ann")
    case_in("St James", None)  # no customer: counted in no group, but its spelling is shown
    case_in("St James", None)
    spaced = case_in("st james", "Ben")
    # Typed before wards were trimmed (or by an import): still the same ward.
    Case.objects.for_organisation(council).filter(pk=spaced.pk).update(ward="  st james ")
    case_in("ST JAMES", "Eve")
    case_in("ST JAMES", "Eve", title="Missed green bin")  # two open cases: Eve once
    closed = case_in("St James", "Cat")
    only_closed = case_in("Brixworth", "Cat")
    Case.objects.for_organisation(council).filter(pk__in=[closed.pk, only_closed.pk]).update(
        status="closed"
    )
    case_in("Abington", "Dan", code="foi", attributes={})  # any type of case
    case_in("", "Dan")  # no ward
    _partner_case_in(partner, "St James")
    ward = sources.customer_group("ward")
    assert ward is not None
    # The open cases' wards, trimmed, once whatever their case, as most often typed, sorted;
    # neither the ward of closed cases only nor the empty ward.
    assert ward.choices(council.pk) == [("Abington", "Abington"), ("St James", "St James")]
    assert ward.choices(partner.pk) == [("St James", "St James")]
    offered = queries_bulk.registered_group_choices(council.pk)
    assert [found.group.kind for found in offered] == ["case-type", "ward"]
    assert offered[1].choices == ward.choices(council.pk)

    def names(organisation: Organisation, value: str) -> list[str]:
        return _names(organisation.pk, {"kind": "ward", "value": value})

    assert names(council, "St James") == ["Ann", "Ben", "Eve"]
    assert names(council, " st JAMES  ") == ["Ann", "Ben", "Eve"]
    assert names(council, "Abington") == ["Dan"]
    assert names(council, "Brixworth") == []  # closed cases only
    assert names(council, "Nowhere") == []
    assert names(council, "") == []
    assert names(partner, "St James") == ["Zed"]  # the council's customers never
    assert names(partner, "Abington") == []
    assert ward.customer_ids(council.pk, "Nowhere") is None
    assert ward.customer_ids(council.pk, "x" * 1000) is None
    assert ward.customer_ids(council.pk, "St\x00James") is None

    # The stored definition and its name; the worker writes one message each.
    draft = _draft(council, manager, {"kind": "ward", "value": "St James"}, channels=("email",))
    assert (draft.group, draft.group_label) == (
        {"kind": "ward", "value": "St James"},
        "Customers with open cases in St James",
    )
    counted = queries_bulk.preview(council.pk, draft.group, draft.channels)
    assert (counted.customers, counted.reached, dict(counted.by_channel)) == (3, 3, {"email": 3})
    bulk.send(draft, by=manager)
    bulk.expand_due()
    bulk.expand_due()
    sent_to = Message.objects.for_organisation(council).filter(bulk_message=draft)
    assert sorted(sent_to.values_list("customer__given_name", flat=True)) == ["Ann", "Ben", "Eve"]


def test_a_ward_with_an_accent_matches_in_any_case_on_every_database(
    world: World,  # noqa: F811
) -> None:
    council = world.organisation
    ann, ben = _customer(council, "Ann"), _customer(council, "Ben")
    case_factories.raise_case(council, customer=ann, ward="Llandŵ")
    case_factories.raise_case(council, customer=ben, ward="LLANDŴ")  # SQLite's lower() keeps Ŵ
    ward = sources.customer_group("ward")
    assert ward is not None
    assert len(ward.choices(council.pk)) == 1
    assert _names(council.pk, {"kind": "ward", "value": "llandŵ"}) == ["Ann", "Ben"]


@pytest.mark.parametrize(
    "value",
    [
        "Nowhere",
        "Brixworth",  # closed cases only
        "St James",  # the partner's ward, not the council's
        "",
        "<script>alert(1)</script>",
        "'; DROP TABLE cases_case; --",
        "St\u200bJames",
        "St\x00James",
        "x" * 10_000,
    ],
)
def test_a_ward_no_open_case_is_in_is_refused_and_nothing_is_created(
    world: World,  # noqa: F811
    partner: Organisation,
    manager: User,
    value: str,
) -> None:
    council = world.organisation
    closed = case_factories.raise_case(
        council, customer=_customer(council, "Cat"), ward="Brixworth"
    )
    Case.objects.for_organisation(council).filter(pk=closed.pk).update(status="closed")
    _partner_case_in(partner, "St James")
    with pytest.raises(ServiceError) as refused:
        _draft(council, manager, {"kind": "ward", "value": value})
    assert (refused.value.field, refused.value.message) == ("ward", "Select the ward")
    assert not BulkMessage.objects.for_organisation(council).exists()
    assert not AuditRecord.objects.filter(
        organisation=council, object_type="notify.bulkmessage"
    ).exists()


def test_a_visit_group_holds_the_customers_who_came_that_day_in_london(
    council: Organisation, partner: Organisation, advisor: User
) -> None:
    office = directory_factories.access_point(council, "Wellingborough office")
    other_office = directory_factories.access_point(council, "Kettering office")
    people = {name: _customer(council, name) for name in ("Ann", "Ben", "Cat", "Dan")}
    visits = [
        ("Ann", office, datetime.datetime(2026, 6, 1, 0, 30, tzinfo=LONDON)),  # 23:30 UTC the 31st
        ("Ann", office, datetime.datetime(2026, 6, 1, 15, 0, tzinfo=LONDON)),
        ("Ben", office, datetime.datetime(2026, 6, 1, 23, 30, tzinfo=LONDON)),
        ("Cat", office, datetime.datetime(2026, 6, 2, 0, 30, tzinfo=LONDON)),
        ("Dan", other_office, datetime.datetime(2026, 6, 1, 12, 0, tzinfo=LONDON)),
    ]
    for name, point, at in visits:
        with time_machine.travel(at, tick=False):
            contact_services.issue_ticket(
                council, by=advisor, access_point=point, customer=people[name]
            )
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, 0, tzinfo=LONDON), tick=False):
        contact_services.issue_ticket(council, by=advisor, access_point=office)  # no customer
    group = {"kind": "visit", "access_point_id": office.pk, "date": "2026-06-01"}
    assert _names(council.pk, group) == ["Ann", "Ben"]
    assert _names(council.pk, {**group, "date": "2026-06-02"}) == ["Cat"]
    assert _names(partner.pk, group) == []
    assert _names(council.pk, {**group, "date": "1 June"}) == []


# --- who gets it, by which channel ----------------------------------------------------------------
@pytest.fixture
def mixed(council: Organisation) -> dict[str, Customer]:
    """One customer of every kind, all with their current address in NN1 5 unless said."""
    return {
        "email": _customer(council, "Ann", email="ann@example.org"),
        "email-no-consent": _customer(council, "Ben", email="ben@example.org", email_consent=False),
        "sms-preferred": _customer(
            council, "Cat", email="cat@example.org", phone=MOBILE.format(3), preferred="sms"
        ),
        "sms-no-consent-letter": _customer(
            council, "Dan", phone=MOBILE.format(4), sms_consent=False, postcode="NN1 5AA"
        ),
        "letter-only": _customer(council, "Eve", postcode="NN1 5AB"),
        "nothing": _customer(council, "Fay"),
        "large-print": _customer(
            council, "Gus", email="gus@example.org", postcode="NN1 5AD", format="large-print"
        ),
        "welsh": _customer(council, "Hal", email="hal@example.org", language="cy"),
    }


def _everyone(customers: dict[str, Customer]) -> list[Customer]:
    return sorted(customers.values(), key=lambda customer: customer.pk)


def test_recipients_follow_consent_preference_and_the_channels_chosen(
    council: Organisation, mixed: dict[str, Customer]
) -> None:
    def routes(channels: list[str]) -> dict[str, str]:
        found = queries_bulk.recipients(council.pk, _everyone(mixed), channels)
        by_pk = {r.customer.pk: r.route.channel if r.route else r.skipped for r in found}
        return {key: by_pk[customer.pk] for key, customer in mixed.items()}

    assert routes(["email", "sms"]) == {
        "email": "email",
        "email-no-consent": SkipReason.NO_CONSENT,
        "sms-preferred": "sms",
        "sms-no-consent-letter": SkipReason.NO_CONSENT,
        "letter-only": SkipReason.NO_ADDRESS,
        "nothing": SkipReason.NO_ADDRESS,
        "large-print": "email",  # no letters allowed: the e-mail they agreed to
        "welsh": "email",
    }
    assert routes(["email", "sms", "letter"]) == {
        "email": "email",
        "email-no-consent": SkipReason.NO_CONSENT,
        "sms-preferred": "sms",
        "sms-no-consent-letter": "letter",
        "letter-only": "letter",
        "nothing": SkipReason.NO_ADDRESS,
        "large-print": "letter",
        "welsh": "email",
    }
    assert routes(["sms"])["sms-preferred"] == "sms"
    assert routes(["sms"])["email"] == SkipReason.NO_ADDRESS


def test_the_bulk_rule_is_route_to_for_an_update(
    council: Organisation, mixed: dict[str, Customer]
) -> None:
    """With every channel allowed, each customer is routed as any other update would be."""
    from onestop.notify import queries

    found = queries_bulk.recipients(council.pk, _everyone(mixed), ["email", "sms", "letter"])
    for recipient in found:
        one = queries.route_to(
            recipient.customer,
            event=Event.BULK,
            large_print=recipient.customer.format == "large-print",
        )
        assert recipient.route == one


def test_the_preview_counts_exactly_by_channel_and_reason(
    council: Organisation, mixed: dict[str, Customer]
) -> None:
    group = {"kind": "postcode", "postcode": "NN1 5"}
    preview = queries_bulk.preview(council.pk, group, ["email", "sms", "letter"])
    # Dan, Eve and Gus have an NN1 5 address; the others have none.
    assert preview.customers == 3
    assert preview.by_channel == Counter({"letter": 3})
    assert preview.skipped == Counter()
    preview = queries_bulk.preview(council.pk, group, ["email", "sms"])
    assert (preview.customers, preview.reached) == (3, 1)
    assert preview.by_channel == Counter({"email": 1})
    assert preview.skipped == Counter({SkipReason.NO_CONSENT: 1, SkipReason.NO_ADDRESS: 1})


# --- sending: chunks, resume, cancel --------------------------------------------------------------
def _postcode_crowd(council: Organisation, count: int) -> list[Customer]:
    return [
        _customer(council, f"P{number:03d}", email=f"p{number}@example.org", postcode="NN1 5AB")
        for number in range(count)
    ]


def _messages(draft: BulkMessage) -> list[Message]:
    return list(
        Message.objects.for_organisation(draft.organisation_id)
        .filter(bulk_message=draft)
        .order_by("customer_id")
    )


def test_a_draft_writes_nothing_and_send_only_marks_it(
    council: Organisation, manager: User
) -> None:
    _postcode_crowd(council, 3)
    draft = _draft(council, manager, {"kind": "postcode", "postcode": "NN1 5"})
    assert (draft.status, draft.group_label) == (
        BulkStatus.DRAFT,
        "Customers whose current address is in NN1 5",
    )
    assert bulk.expand_due() == 0
    assert _messages(draft) == []
    sent = bulk.send(draft, by=manager)
    assert sent.status == BulkStatus.SENDING
    assert _messages(draft) == []  # the request writes no recipient
    with pytest.raises(ServiceError, match="already been sent"):
        bulk.send(draft, by=manager)
    actions = list(
        AuditRecord.objects.filter(
            organisation=council, object_type="notify.bulkmessage", object_id=str(draft.pk)
        )
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["created", "changed"]


def test_the_worker_writes_chunks_and_resumes_without_a_second_message(
    council: Organisation, manager: User
) -> None:
    crowd = _postcode_crowd(council, 7)
    crowd[2].consents_to_email_updates = False
    crowd[2].save(update_fields=["consents_to_email_updates"])
    draft = bulk.send(_draft(council, manager, {"kind": "postcode", "postcode": "NN1"}), by=manager)
    assert bulk.expand_chunk(draft.pk, size=3) == 3
    draft.refresh_from_db()
    assert (draft.cursor, draft.recipients, draft.messages_created) == (crowd[2].pk, 3, 2)
    assert draft.skipped_no_consent == 1

    # A worker killed after writing a chunk but before its cursor moved (the chunk's
    # transaction makes that impossible; the unique rule makes it harmless): the chunk again.
    BulkMessage.objects.for_organisation(council).filter(pk=draft.pk).update(cursor=0)
    assert bulk.expand_chunk(draft.pk, size=3) == 3
    assert len(_messages(draft)) == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(**{**_row(_messages(draft)[0]), "id": None})

    while bulk.expand_chunk(draft.pk, size=3):
        pass
    draft.refresh_from_db()
    assert draft.status == BulkStatus.SENT
    messages = _messages(draft)
    assert [m.customer_id for m in messages] == [c.pk for c in crowd if c.pk != crowd[2].pk]
    assert draft.messages_created == 6
    assert bulk.expand_due() == 0
    assert len(_messages(draft)) == 6


def _row(message: Message) -> dict[str, Any]:
    return {
        field.attname: getattr(message, field.attname) for field in Message._meta.concrete_fields
    }


def test_the_sending_loop_writes_and_sends_every_message_once(
    council: Organisation, manager: User
) -> None:
    crowd = _postcode_crowd(council, 5)
    welsh = _customer(council, "Wyn", email="wyn@example.org", postcode="NN1 5AB", language="cy")
    draft = bulk.send(
        _draft(council, manager, {"kind": "postcode", "postcode": "NN1 5AB"}), by=manager
    )
    run = sending.process_due()
    assert run.claimed == 6
    sending.process_due()
    draft.refresh_from_db()
    assert (draft.status, draft.recipients, draft.messages_created) == (BulkStatus.SENT, 6, 6)
    messages = _messages(draft)
    assert {m.status for m in messages} == {MessageStatus.SENT}
    assert [m.customer_id for m in messages] == [c.pk for c in [*crowd, welsh]]
    english = wording.default(Event.BULK, "email", "en")
    assert messages[0].subject == english.subject.replace("((organisation))", council.name)
    assert messages[0].body.startswith(f"Dear {crowd[0].display_name},\n\nThe office is closed")
    cymraeg = wording.default(Event.BULK, "email", "cy")
    assert messages[-1].subject == cymraeg.subject.replace("((organisation))", council.name)
    assert messages[-1].language == "cy"


def test_the_message_shows_in_the_customers_history(council: Organisation, manager: User) -> None:
    customer = _postcode_crowd(council, 1)[0]
    draft = bulk.send(
        _draft(council, manager, {"kind": "postcode", "postcode": "NN1 5"}), by=manager
    )
    bulk.expand_due()
    source = next(s for s in sources.history_sources() if s.kind == "message")
    rows = source.timeline(manager, customer)
    assert rows is not None
    ids = [row[1] for row in rows]
    assert ids == [m.pk for m in _messages(draft)]
    entry = source.entries(manager, ids)[ids[0]]
    assert entry.title == "Message to many customers"


def test_cancel_stops_what_has_not_been_sent(council: Organisation, manager: User) -> None:
    _postcode_crowd(council, 5)
    draft = bulk.send(
        _draft(council, manager, {"kind": "postcode", "postcode": "NN1 5"}), by=manager
    )
    bulk.expand_chunk(draft.pk, size=2)
    first = _messages(draft)[0]
    Message.objects.for_organisation(council).filter(pk=first.pk).update(status=MessageStatus.SENT)
    cancelled, stopped = bulk.cancel(draft, by=manager)
    assert (cancelled.status, stopped) == (BulkStatus.CANCELLED, 1)
    assert [m.status for m in _messages(draft)] == [MessageStatus.SENT, MessageStatus.CANCELLED]
    assert bulk.expand_chunk(draft.pk, size=2) == 0
    assert sending.process_due().claimed == 0
    assert len(_messages(draft)) == 2
    with pytest.raises(ServiceError, match="already been sent or cancelled"):
        bulk.cancel(draft, by=manager)
    assert AuditRecord.objects.filter(
        organisation=council,
        object_type="notify.bulkmessage",
        summary="Message to many customers cancelled: Snow closure",
    ).exists()


def test_a_draft_may_be_cancelled_and_is_then_never_sent(
    council: Organisation, manager: User
) -> None:
    _postcode_crowd(council, 2)
    draft = _draft(council, manager, {"kind": "postcode", "postcode": "NN1 5"})
    assert bulk.cancel(draft, by=manager)[1] == 0
    with pytest.raises(ServiceError):
        bulk.send(draft, by=manager)
    assert bulk.expand_due() == 0
    assert _messages(draft) == []


def test_sending_to_an_empty_group_is_refused(council: Organisation, manager: User) -> None:
    draft = _draft(council, manager, {"kind": "postcode", "postcode": "ZZ9"})
    with pytest.raises(ServiceError, match="Nobody is in this group"):
        bulk.send(draft, by=manager)
    draft.refresh_from_db()
    assert draft.status == BulkStatus.DRAFT


def test_own_words_fill_only_their_placeholders(council: Organisation, manager: User) -> None:
    customer = _customer(council, "Ann", email="ann@example.org", postcode="NN1 5AB")
    draft = _draft(
        council,
        manager,
        {"kind": "postcode", "postcode": "NN1"},
        use_template=False,
        subject="Bins for ((customer_name))",
        message="Hello ((customer_name)), ((organisation)) says: '; DROP TABLE x; <b>hi</b>",
    )
    bulk.send(draft, by=manager)
    bulk.expand_due()
    message = _messages(draft)[0]
    assert message.subject == f"Bins for {customer.display_name}"
    assert message.body == (
        f"Hello {customer.display_name}, {council.name} says: '; DROP TABLE x; <b>hi</b>"
    )


# --- refused input --------------------------------------------------------------------------------
GROUP = {"kind": "postcode", "postcode": "NN1"}


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"title": ""}, "title", "Enter a name"),
        ({"title": "Snow\u202eclosure"}, "title", "special characters"),
        ({"title": "x" * 101}, "title", "100 characters or fewer"),
        ({"message": "   "}, "message", "Enter the message"),
        ({"message": "Closed\u200b today"}, "message", "special characters"),
        ({"message": "x" * 919}, "message", "918 characters or fewer"),
        ({"channels": []}, "channels", "Select at least one way"),
        ({"channels": ["email", "fax"]}, "channels", "Select at least one way"),
        ({"group": {"kind": "postcode", "postcode": "'; DROP"}}, "postcode", "postcode area"),
        ({"group": {"kind": "everyone"}}, "group_kind", "Select who"),
        ({"group": {"kind": "visit", "access_point_id": 0, "date": None}}, "access_point", "place"),
        (
            {"group": {"kind": "visit", "access_point_id": "1; --", "date": None}},
            "access_point",
            "place",
        ),
        (
            {"use_template": False, "subject": "", "message": "Hi"},
            "subject",
            "Enter the subject",
        ),
        (
            {"use_template": False, "subject": "Hi", "message": "((reference)) closed"},
            "message",
            "((reference)) is not a placeholder",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    council: Organisation,
    manager: User,
    changes: dict[str, Any],
    field: str,
    words: str,
) -> None:
    values: dict[str, Any] = {
        "title": "Snow closure",
        "group": GROUP,
        "use_template": True,
        "subject": "",
        "message": "Closed today",
        "channels": ["email", "sms"],
        **changes,
    }
    with pytest.raises(ServiceError) as refused:
        bulk.create_bulk(council.pk, by=manager, **values)
    assert refused.value.field == field
    assert words in refused.value.message
    assert not BulkMessage.objects.for_organisation(council).exists()


def test_long_words_are_allowed_without_text_messages(council: Organisation, manager: User) -> None:
    draft = _draft(council, manager, GROUP, channels=("email", "letter"), message="x" * 10_000)
    assert len(draft.text) == 10_000
    with pytest.raises(ServiceError):
        _draft(council, manager, GROUP, channels=("email",), message="x" * 10_001)
