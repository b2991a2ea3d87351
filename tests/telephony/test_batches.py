"""The import's batches (``telephony.services.BATCH``): on PostgreSQL each batch's contacts and
call records are copied in (``COPY``), on SQLite inserted row by row; either way the outcome is
the same whatever the batch size: the same calls, contacts, customers, agents and counts, the
contacts and call records numbered in the file's order."""

from __future__ import annotations

import datetime

import pytest

from onestop.contacts.models import Contact
from onestop.contacts.models import Outcome as ContactOutcome
from onestop.customers import services as customer_services
from onestop.customers.models import Customer
from onestop.telephony import services
from onestop.telephony.models import CallImportRun, CallQueue, CallRecord
from tests.telephony.conftest import CallWorld, csv_file, row

UTC = datetime.UTC
pytestmark = pytest.mark.django_db


def _import(world: CallWorld, *rows: str, **options: object) -> CallImportRun:
    return services.import_calls(
        world.organisation,
        csv_file(*rows),
        by=None,
        file_name="calls.csv",
        **options,  # type: ignore[arg-type]
    )


def _at(minute: int, second: int = 0) -> str:
    return f"2026-03-02T09:{minute:02d}:{second:02d}+00:00"


FILE = (
    row("c1", offered=_at(0), answered=_at(0, 20), ended=_at(5), caller="07700 900123"),
    row("c2", queue="Benefits", offered=_at(1), answered="", ended=_at(1, 45), outcome="abandoned"),
    row("c1", queue="Elsewhere", offered=_at(2), answered=_at(2, 5), ended=_at(3)),  # again
    row(
        "c3",
        offered=_at(3),
        answered=_at(3, 9),
        ended=_at(9),
        outcome="transferred",
        agent="JO.AGENT",
        caller="+44 1296 585858",
    ),
    row("c4", offered=_at(4), answered=_at(4, 1), ended=_at(6), caller="07700 900456"),
    row("c5", queue="Benefits", offered=_at(5), answered=_at(5, 30), ended=_at(8), agent="kim"),
)


def _written(world: CallWorld) -> list[tuple[object, ...]]:
    """Every call record and its contact, in the order of their ids, without the ids."""
    calls = (
        CallRecord.objects.for_organisation(world.organisation)
        .select_related("contact", "queue")
        .order_by("pk")
    )
    return [
        (
            call.external_id,
            call.queue.name,
            call.offered_at,
            call.answered_at,
            call.ended_at,
            call.wait_seconds,
            call.talk_seconds,
            call.outcome,
            call.agent_id,
            call.agent_name,
            call.caller_number,
            call.contact.received_at,
            call.contact.answered_at,
            call.contact.ended_at,
            call.contact.customer_id,
            call.contact.staff_id,
            call.contact.outcome,
            call.contact.service_id,
            call.contact.access_point_id,
            call.contact.channel,
            call.contact.direction,
            call.contact.notes,
            call.contact.version,
        )
        for call in calls
    ]


def _expected(world: CallWorld) -> list[tuple[object, ...]]:
    def at(minute: int, second: int = 0) -> datetime.datetime:
        return datetime.datetime(2026, 3, 2, 9, minute, second, tzinfo=UTC)

    agent = world.agent.pk
    telephone = world.telephone.pk
    tail = ("telephone", "in", "", 1)  # channel, direction, notes, version
    return [
        ("c1", "Waste", at(0), at(0, 20), at(5), 20, 280, "answered", None, "", "+447700900123",
         at(0), at(0, 20), at(5), world.sam.pk, None, "", None, telephone, *tail),
        ("c2", "Benefits", at(1), None, at(1, 45), 45, 0, "abandoned", None, "", "",
         at(1), None, at(1, 45), None, None, "", None, telephone, *tail),
        ("c3", "Waste", at(3), at(3, 9), at(9), 9, 351, "transferred", agent, "JO.AGENT",
         "+441296585858", at(3), at(3, 9), at(9), world.pat.pk, agent,
         ContactOutcome.TRANSFERRED, None, telephone, *tail),
        # Two customers share this number: neither is the caller.
        ("c4", "Waste", at(4), at(4, 1), at(6), 1, 119, "answered", None, "", "+447700900456",
         at(4), at(4, 1), at(6), None, None, "", None, telephone, *tail),
        ("c5", "Benefits", at(5), at(5, 30), at(8), 30, 150, "answered", None, "kim", "",
         at(5), at(5, 30), at(8), None, None, "", None, telephone, *tail),
    ]  # fmt: skip


@pytest.mark.parametrize("batch", [1, 2, 3, 4, 5, 6, 1000])
def test_every_batch_size_writes_the_same_calls_in_the_files_order(
    call_world: CallWorld, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    monkeypatch.setattr(services, "BATCH", batch)
    run = _import(call_world, *FILE)
    assert (run.imported, run.already_present, run.refused) == (5, 1, 0)
    assert _written(call_world) == _expected(call_world)
    # Contacts are numbered in the file's order too, and nothing else was written.
    contacts = list(
        Contact.objects.for_organisation(call_world.organisation)
        .order_by("pk")
        .values_list("received_at", flat=True)
    )
    assert contacts == [expected[11] for expected in _expected(call_world)]
    queues = CallQueue.objects.for_organisation(call_world.organisation).order_by("name")
    assert [queue.name for queue in queues] == ["Benefits", "Waste"]  # not "Elsewhere"


@pytest.mark.parametrize("batch", [1, 2, 3, 1000])
def test_importing_again_in_other_batches_counts_every_call_as_present(
    call_world: CallWorld, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    _import(call_world, *FILE)
    monkeypatch.setattr(services, "BATCH", batch)
    again = _import(call_world, *FILE, row("c6"))
    assert (again.imported, again.already_present, again.refused) == (1, 6, 0)
    assert len(_written(call_world)) == 6


def test_a_duplicate_inside_one_batch_counts_once_and_the_first_wins(
    call_world: CallWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "BATCH", 4)
    run = _import(call_world, row("a"), row("b", queue="First"), row("b", queue="Second"), row("c"))
    assert (run.imported, run.already_present, run.refused) == (3, 1, 0)
    call = CallRecord.objects.for_organisation(call_world.organisation).get(external_id="b")
    assert call.queue.name == "First"
    assert not CallQueue.objects.for_organisation(call_world.organisation).filter(name="Second")


def test_a_duplicate_across_batches_counts_once_and_the_first_wins(
    call_world: CallWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "BATCH", 2)
    run = _import(
        call_world, row("a"), row("b", queue="First"), row("c"), row("b", queue="Second"), row("d")
    )
    assert (run.imported, run.already_present, run.refused) == (4, 1, 0)
    call = CallRecord.objects.for_organisation(call_world.organisation).get(external_id="b")
    assert call.queue.name == "First"
    assert not CallQueue.objects.for_organisation(call_world.organisation).filter(name="Second")


def test_a_refused_row_in_the_middle_of_a_batch_leaves_the_rest_of_it(
    call_world: CallWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "BATCH", 5)
    run = _import(
        call_world,
        row("a"),
        row("b"),
        row("c", offered="yesterday"),
        row("d"),
        row("e"),
        row("f"),
    )
    assert (run.imported, run.already_present, run.refused) == (5, 0, 1)
    assert list(run.refusals.values_list("line", flat=True)) == [4]
    assert [written[0] for written in _written(call_world)] == ["a", "b", "d", "e", "f"]
    assert Contact.objects.for_organisation(call_world.organisation).count() == 5


def test_all_or_nothing_with_a_refused_row_in_the_last_batch_writes_nothing(
    call_world: CallWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _import(call_world, row("a"))
    monkeypatch.setattr(services, "BATCH", 2)
    run = _import(
        call_world,
        row("a"),
        row("b"),
        row("c"),
        row("d"),
        row("e"),
        row("f", outcome="lost"),
        all_or_nothing=True,
    )
    assert (run.imported, run.already_present, run.refused) == (0, 1, 1)
    assert list(run.refusals.values_list("line", flat=True)) == [7]
    assert [written[0] for written in _written(call_world)] == ["a"]
    assert Contact.objects.for_organisation(call_world.organisation).count() == 1
    assert CallRecord.objects.for_organisation(call_world.organisation).get().run == first
    # The same file without the bad row then imports the rest.
    again = _import(call_world, *[row(call_id) for call_id in "abcde"], all_or_nothing=True)
    assert (again.imported, again.already_present, again.refused) == (4, 1, 0)


def test_the_customer_is_matched_only_when_exactly_one_of_the_organisation_has_the_number(
    call_world: CallWorld, partner: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another organisation's customer with Sam's number does not count against Sam; a merged
    # customer does not count; two customers sharing a number leave the call without one.
    customer_services.create_customer(
        partner,  # type: ignore[arg-type]
        by=None,
        details=customer_services.CustomerDetails(given_name="Other", family_name="Example"),
        contact_details=customer_services.ContactDetails(phones=("07700 900123",)),
    )
    merged = customer_services.create_customer(
        call_world.organisation,
        by=None,
        details=customer_services.CustomerDetails(given_name="Old", family_name="Example"),
        contact_details=customer_services.ContactDetails(phones=("01296 585858",)),
    )
    Customer.objects.for_organisation(call_world.organisation).filter(pk=merged.pk).update(
        merged_into=call_world.pat
    )
    monkeypatch.setattr(services, "BATCH", 3)
    _import(
        call_world,
        row("sam", caller="07700900123"),
        row("pat", caller="tel:+441296585858"),
        row("twins", caller="+44 7700 900456"),
        row("nobody", caller="07700 900999"),
        row("withheld", caller="anonymous"),
        row("sam-again", caller="(07700) 900-123"),
    )
    found = dict(
        CallRecord.objects.for_organisation(call_world.organisation).values_list(
            "external_id", "contact__customer"
        )
    )
    assert found == {
        "sam": call_world.sam.pk,
        "pat": call_world.pat.pk,
        "twins": None,
        "nobody": None,
        "withheld": None,
        "sam-again": call_world.sam.pk,
    }
