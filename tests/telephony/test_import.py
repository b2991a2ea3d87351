"""Importing call records (``telephony.services.import_calls``): the generic format's rules,
time zones and the clock changes, idempotency, refused rows, all or nothing, customers and
agents, hostile and oversized input."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine

from onestop.contacts.models import Channel, Contact, Direction
from onestop.contacts.models import Outcome as ContactOutcome
from onestop.core.models import AuditRecord
from onestop.telephony import formats, services
from onestop.telephony.errors import ImportUnreadable
from onestop.telephony.models import CallImportRun, CallOutcome, CallQueue, CallRecord
from tests.telephony.conftest import HEADER, CallWorld, csv_file, row

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


def _calls(world: CallWorld) -> list[CallRecord]:
    return list(
        CallRecord.objects.for_organisation(world.organisation)
        .select_related("contact", "queue")
        .order_by("external_id")
    )


def _refusals(run: CallImportRun) -> list[tuple[int, str]]:
    return list(run.refusals.order_by("line").values_list("line", "reason"))


def _nothing_written(world: CallWorld) -> None:
    assert not CallRecord.objects.for_organisation(world.organisation).exists()
    assert not Contact.objects.for_organisation(world.organisation).exists()
    assert not CallQueue.objects.for_organisation(world.organisation).exists()


# --- the generic format ---------------------------------------------------------------------------
def test_each_call_becomes_a_telephone_contact_with_its_times_and_outcome(
    call_world: CallWorld,
) -> None:
    run = _import(
        call_world,
        row("c1", agent="jo.agent", caller="07700 900123"),
        row(
            "c2",
            offered="2026-03-02T09:10:00+00:00",
            answered="",
            ended="2026-03-02T09:10:45+00:00",
            outcome="abandoned",
        ),
        row("c3", outcome="transferred", caller="withheld"),
        row("c4", answered="", outcome="voicemail", caller="01296 585858"),
    )
    assert (run.imported, run.already_present, run.refused) == (4, 0, 0)
    assert run.summary == "imported 4, already present 0, refused 0"
    first, second, third, fourth = _calls(call_world)
    assert first.offered_at == datetime.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert first.answered_at == datetime.datetime(2026, 3, 2, 9, 0, 20, tzinfo=UTC)
    assert (first.wait_seconds, first.talk_seconds) == (20, 300)
    assert first.outcome == CallOutcome.ANSWERED
    assert first.agent == call_world.agent
    assert first.caller_number == "+447700900123"
    contact = first.contact
    assert contact.channel == Channel.TELEPHONE
    assert contact.direction == Direction.INBOUND
    assert contact.received_at == first.offered_at
    assert contact.answered_at == first.answered_at
    assert contact.ended_at == first.ended_at
    assert contact.staff == call_world.agent
    assert contact.customer == call_world.sam
    assert contact.access_point == call_world.telephone
    assert contact.service is None  # a new queue, not mapped yet
    assert (second.outcome, second.answered_at, second.wait_seconds, second.talk_seconds) == (
        CallOutcome.ABANDONED,
        None,
        45,
        0,
    )
    assert third.outcome == CallOutcome.TRANSFERRED
    assert third.contact.outcome == ContactOutcome.TRANSFERRED
    assert third.caller_number == ""
    assert third.contact.customer is None
    assert fourth.outcome == CallOutcome.VOICEMAIL
    assert fourth.contact.customer == call_world.pat


def test_a_new_queue_is_created_on_the_telephone_access_point_once(call_world: CallWorld) -> None:
    _import(call_world, row("c1", queue="Waste"), row("c2", queue="Waste"), row("c3", queue="Tax"))
    queues = CallQueue.objects.for_organisation(call_world.organisation).order_by("name")
    assert [
        (queue.name, queue.source, queue.access_point_id, queue.service_id) for queue in queues
    ] == [
        ("Tax", formats.GENERIC, call_world.telephone.pk, None),
        ("Waste", formats.GENERIC, call_world.telephone.pk, None),
    ]
    assert (
        AuditRecord.objects.filter(
            organisation=call_world.organisation, object_type="telephony.callqueue"
        ).count()
        == 2
    )


def test_without_a_telephone_access_point_one_is_created(council: object) -> None:
    from onestop.directory.models import AccessPoint, AccessPointKind

    run = services.import_calls(council, csv_file(row()), by=None)  # type: ignore[arg-type]
    assert run.imported == 1
    points = AccessPoint.objects.for_organisation(council).filter(kind=AccessPointKind.TELEPHONE)  # type: ignore[arg-type]
    assert [point.name for point in points] == ["Telephone"]


def test_mapping_a_queue_moves_its_calls_to_the_service(call_world: CallWorld) -> None:
    _import(call_world, row("c1"), row("c2"))
    queue = CallQueue.objects.for_organisation(call_world.organisation).get()
    services.map_queue(queue, by=None, service=call_world.waste, access_point=call_world.telephone)
    assert {call.contact.service_id for call in _calls(call_world)} == {call_world.waste.pk}
    _import(call_world, row("c3"))
    assert {call.contact.service_id for call in _calls(call_world)} == {call_world.waste.pk}


def test_the_import_is_audited_with_its_counts(call_world: CallWorld) -> None:
    run = _import(call_world, row("c1"), row("c2", outcome="lost"))
    record = AuditRecord.objects.get(
        organisation=call_world.organisation, object_type="telephony.callimportrun"
    )
    assert record.object_id == str(run.pk)
    assert record.changes["imported"] == 1
    assert record.changes["refused"] == 1
    assert "imported 1, already present 0, refused 1" in record.summary


# --- idempotency ----------------------------------------------------------------------------------
def test_importing_the_same_file_again_creates_nothing_twice(call_world: CallWorld) -> None:
    rows = [row(f"c{number}") for number in range(5)]
    first = _import(call_world, *rows)
    second = _import(call_world, *rows)
    assert (first.imported, first.already_present) == (5, 0)
    assert (second.imported, second.already_present, second.refused) == (0, 5, 0)
    assert CallRecord.objects.for_organisation(call_world.organisation).count() == 5
    assert Contact.objects.for_organisation(call_world.organisation).count() == 5


def test_overlapping_files_import_only_the_new_calls(call_world: CallWorld) -> None:
    _import(call_world, *[row(f"c{number}") for number in range(0, 6)])
    run = _import(call_world, *[row(f"c{number}") for number in range(4, 10)])
    assert (run.imported, run.already_present) == (4, 2)
    assert CallRecord.objects.for_organisation(call_world.organisation).count() == 10


def test_a_call_twice_in_one_file_is_imported_once(call_world: CallWorld) -> None:
    run = _import(call_world, row("c1"), row("c1"), row("c2"))
    assert (run.imported, run.already_present) == (2, 1)


def test_batches_are_checked_against_earlier_batches(
    call_world: CallWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "BATCH", 2)
    run = _import(call_world, row("a"), row("b"), row("c"), row("a"), row("d"))
    assert (run.imported, run.already_present) == (4, 1)


def test_the_same_call_id_from_another_source_or_organisation_is_another_call(
    call_world: CallWorld, partner: object
) -> None:
    _import(call_world, row("c1"))
    other = services.import_calls(partner, csv_file(row("c1")), by=None)  # type: ignore[arg-type]
    assert other.imported == 1


# --- customers ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("caller", "who"),
    [
        ("+44 7700 900123", "sam"),  # one customer has it, written another way
        ("07700900999", None),  # nobody has it
        ("07700 900456", None),  # two customers share it: neither is picked
        ("", None),  # withheld
    ],
)
def test_the_caller_is_the_customer_only_when_exactly_one_has_the_number(
    call_world: CallWorld, caller: str, who: str | None
) -> None:
    _import(call_world, row("c1", caller=caller))
    (call,) = _calls(call_world)
    expected = getattr(call_world, who) if who else None
    assert call.contact.customer == expected


def test_a_merged_customer_is_not_matched(call_world: CallWorld) -> None:
    from onestop.customers.models import Customer

    Customer.objects.for_organisation(call_world.organisation).filter(
        pk=call_world.twin_b.pk
    ).update(merged_into=call_world.twin_a)
    _import(call_world, row("c1", caller="07700 900456"))
    (call,) = _calls(call_world)
    assert call.contact.customer == call_world.twin_a


def test_an_unknown_agent_is_kept_by_name_only(call_world: CallWorld) -> None:
    _import(call_world, row("c1", agent="JO.AGENT"), row("c2", agent="someone.else"))
    first, second = _calls(call_world)
    assert first.agent == call_world.agent
    assert (second.agent, second.agent_name) == (None, "someone.else")


def test_every_spelling_of_an_agent_in_one_batch_is_linked(call_world: CallWorld) -> None:
    # jo.agent@test-council's calls, written four ways in one file (one batch).
    _import(
        call_world,
        row("c1", agent="jo.agent"),
        row("c2", agent="jo.agent@test-council"),
        row("c3", agent="Jo.Agent"),
        row("c4", agent="JO.AGENT@TEST-COUNCIL"),
    )
    calls = _calls(call_world)
    assert [call.agent for call in calls] == [call_world.agent] * 4
    assert [call.contact.staff for call in calls] == [call_world.agent] * 4
    assert [call.agent_name for call in calls] == [
        "jo.agent",
        "jo.agent@test-council",
        "Jo.Agent",
        "JO.AGENT@TEST-COUNCIL",
    ]


def test_an_agent_written_with_the_organisation_matches_a_username_without_it(
    call_world: CallWorld,
) -> None:
    from onestop.core.models import RoleCode
    from tests import factories

    sam = factories.staff(call_world.organisation, RoleCode.ADVISOR, username="sam.agent")
    _import(call_world, row("c1", agent="sam.agent"), row("c2", agent="Sam.Agent@test-council"))
    assert [call.agent for call in _calls(call_world)] == [sam, sam]


# --- times ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ("2026-01-15T09:00:00", datetime.datetime(2026, 1, 15, 9, 0, tzinfo=UTC)),  # GMT
        ("2026-07-15T09:00:00", datetime.datetime(2026, 7, 15, 8, 0, tzinfo=UTC)),  # BST
        ("2026-07-15 09:00:07", datetime.datetime(2026, 7, 15, 8, 0, 7, tzinfo=UTC)),
        ("2026-07-15T09:00:00Z", datetime.datetime(2026, 7, 15, 9, 0, tzinfo=UTC)),
        ("2026-07-15T09:00:00+02:00", datetime.datetime(2026, 7, 15, 7, 0, tzinfo=UTC)),
        # The repeated hour when clocks go back (25 October 2026), with its offset.
        ("2026-10-25T01:30:00+01:00", datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        ("2026-10-25T01:30:00+00:00", datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
        # Either side of the repeated hour, local time is unambiguous.
        ("2026-10-25T00:59:59", datetime.datetime(2026, 10, 24, 23, 59, 59, tzinfo=UTC)),
        ("2026-10-25T02:00:00", datetime.datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),
        # Either side of the missing hour (29 March 2026).
        ("2026-03-29T00:59:59", datetime.datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC)),
        ("2026-03-29T02:00:00", datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
    ],
)
def test_times_with_an_offset_or_in_london_local_time(
    call_world: CallWorld, written: str, utc: datetime.datetime
) -> None:
    run = _import(
        call_world, row("c1", offered=written, answered="", ended=written, outcome="abandoned")
    )
    assert run.refused == 0, _refusals(run)
    (call,) = _calls(call_world)
    assert call.offered_at == utc
    assert call.wait_seconds == 0


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        (
            "2026-10-25T01:30:00",
            "offered_at 2026-10-25T01:30:00 happened twice in Europe/London (the clocks went "
            "back): give the time with its offset, +01:00 or +00:00",
        ),
        (
            "2026-10-25T01:00:00",
            "offered_at 2026-10-25T01:00:00 happened twice in Europe/London (the clocks went "
            "back): give the time with its offset, +01:00 or +00:00",
        ),
        (
            "2026-03-29T01:30:00",
            "offered_at 2026-03-29T01:30:00 does not exist in Europe/London: the clocks went "
            "forward that night; give the time with its offset",
        ),
        (
            "2026-03-02",
            "offered_at '2026-03-02' is not an ISO 8601 date and time like "
            "2026-03-02T09:15:00+00:00",
        ),
        (
            "02/03/2026 09:00",
            "offered_at '02/03/2026 09:00' is not an ISO 8601 date and time like "
            "2026-03-02T09:15:00+00:00",
        ),
    ],
)
def test_ambiguous_missing_and_malformed_times_are_refused(
    call_world: CallWorld, written: str, reason: str
) -> None:
    run = _import(
        call_world,
        row("c1", offered=written, answered="", ended="2026-10-25T03:00:00", outcome="abandoned"),
    )
    assert _refusals(run) == [(2, reason)]


def test_an_answered_call_across_the_clock_change_counts_real_seconds(
    call_world: CallWorld,
) -> None:
    _import(
        call_world,
        row(
            "c1",
            offered="2026-10-25T01:59:50+01:00",
            answered="2026-10-25T01:00:10+00:00",
            ended="2026-10-25T01:01:10+00:00",
        ),
    )
    (call,) = _calls(call_world)
    assert (call.wait_seconds, call.talk_seconds) == (20, 60)


# --- refused rows ---------------------------------------------------------------------------------
@time_machine.travel(datetime.datetime(2026, 6, 1, 12, 0, tzinfo=UTC), tick=False)
def test_bad_rows_are_refused_with_their_line_and_reason_and_the_rest_imported(
    call_world: CallWorld,
) -> None:
    run = _import(
        call_world,
        row("ok1"),
        row("bad1", outcome="lost"),
        row("bad2", answered=""),
        row("bad3", outcome="abandoned"),
        row("bad4", ended="2026-03-02T08:00:00+00:00", answered="", outcome="abandoned"),
        row("bad5", answered="2026-03-02T09:30:00+00:00"),
        row("", queue="Waste"),
        row("bad7", queue=""),
        "bad8,Waste,2026-03-02T09:00:00+00:00",
        row(
            "bad9",
            offered="2026-06-03T09:00:00+00:00",
            answered="",
            outcome="abandoned",
            ended="2026-06-03T09:01:00+00:00",
        ),
        row("bad10", ended="2026-03-03T10:00:00+00:00"),
        row("bad11", caller="call me maybe"),
        row("ok2"),
    )
    assert (run.imported, run.refused) == (2, 11)
    assert _refusals(run) == [
        (3, "outcome 'lost' is not one of answered, abandoned, voicemail, transferred"),
        (4, "an answered call needs answered_at"),
        (5, "answered_at must be empty for an abandoned call"),
        (6, "ended_at is before offered_at"),
        (7, "answered_at must be between offered_at and ended_at"),
        (8, "call_id is empty"),
        (9, "queue is empty"),
        (10, "the row has 3 cells, the header 8"),
        (11, "offered_at is in the future"),
        (12, "the call lasted more than 24 hours"),
        (13, "caller_number is not a phone number"),
    ]
    assert [call.external_id for call in _calls(call_world)] == ["ok1", "ok2"]


def test_a_quoted_cell_over_several_lines_keeps_the_line_numbers(call_world: CallWorld) -> None:
    run = _import(
        call_world,
        row("c1", queue='"Waste\nand recycling"'),
        row("c2", outcome="lost"),
    )
    assert _refusals(run) == [
        (2, "queue holds control or invisible characters"),
        (4, "outcome 'lost' is not one of answered, abandoned, voicemail, transferred"),
    ]


@pytest.mark.parametrize(
    ("queue", "agent", "reason"),
    [
        ('=HYPERLINK("http://x")', "", "starts like a spreadsheet formula"),
        ("@SUM(A1)", "", "starts like a spreadsheet formula"),
        ("Waste", "=cmd|' /C calc'!A0", "starts like a spreadsheet formula"),
        ("Waste\u202eexe", "", "queue holds control or invisible characters"),
        ("Waste\u200b", "", "queue holds control or invisible characters"),
        ("x" * 201, "", "queue is longer than 200 characters"),
        ("Waste", "y" * 151, "agent is longer than 150 characters"),
    ],
)
def test_hostile_names_are_refused(
    call_world: CallWorld, queue: str, agent: str, reason: str
) -> None:
    import csv

    line = io.StringIO()
    csv.writer(line, lineterminator="").writerow(
        [
            "c1",
            queue,
            "2026-03-02T09:00:00Z",
            "2026-03-02T09:00:05Z",
            "2026-03-02T09:01:00Z",
            "answered",
            agent,
            "",
        ]
    )
    run = _import(call_world, line.getvalue())
    assert run.refused == 1
    assert reason in _refusals(run)[0][1]
    _nothing_written(call_world)


def test_html_and_sql_looking_text_is_kept_as_text(call_world: CallWorld) -> None:
    run = _import(call_world, row("c1'; DROP TABLE contacts_contact; --", queue="<b>Waste</b>"))
    assert run.imported == 1
    (call,) = _calls(call_world)
    assert call.external_id == "c1'; DROP TABLE contacts_contact; --"
    assert call.queue.name == "<b>Waste</b>"


def test_a_huge_field_is_refused_and_the_rest_imported(call_world: CallWorld) -> None:
    run = _import(call_world, row("c1", agent="a" * 100_000), row("c2"))
    assert _refusals(run) == [(2, f"the line is longer than {formats.MAX_LINE} characters")]
    assert run.imported == 1


def test_every_refused_row_is_kept_in_batches_not_only_the_first(
    call_world: CallWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "BATCH", 2)
    run = _import(
        call_world, row("ok"), *[row(f"c{number}", outcome="lost") for number in range(1205)]
    )
    assert (run.imported, run.refused) == (1, 1205)
    refusals = _refusals(run)
    assert [line for line, _ in refusals] == list(range(3, 1208))
    assert refusals[-1] == (
        1207,
        "outcome 'lost' is not one of answered, abandoned, voicemail, transferred",
    )


def test_all_or_nothing_keeps_every_refused_row_though_it_undoes_the_calls(
    call_world: CallWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "BATCH", 2)
    run = _import(
        call_world,
        row("ok1"),
        row("ok2"),
        row("ok3"),
        *[row(f"c{number}", outcome="lost") for number in range(5)],
        all_or_nothing=True,
    )
    assert (run.imported, run.refused) == (0, 5)
    assert [line for line, _ in _refusals(run)] == [5, 6, 7, 8, 9]
    _nothing_written(call_world)


# --- all or nothing -------------------------------------------------------------------------------
def test_all_or_nothing_imports_nothing_when_a_row_is_refused(call_world: CallWorld) -> None:
    run = _import(call_world, row("c1"), row("c2", outcome="lost"), row("c3"), all_or_nothing=True)
    assert (run.imported, run.refused) == (0, 1)
    assert _refusals(run) == [
        (3, "outcome 'lost' is not one of answered, abandoned, voicemail, transferred")
    ]
    _nothing_written(call_world)


def test_all_or_nothing_undoes_earlier_batches(
    call_world: CallWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "BATCH", 2)
    run = _import(
        call_world,
        *[row(f"c{number}") for number in range(7)],
        row("bad", outcome="x"),
        all_or_nothing=True,
    )
    assert (run.imported, run.refused) == (0, 1)
    _nothing_written(call_world)


def test_all_or_nothing_imports_a_clean_file(call_world: CallWorld) -> None:
    run = _import(call_world, row("c1"), row("c2"), all_or_nothing=True)
    assert (run.imported, run.refused) == (2, 0)


# --- files that cannot be read --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"id,queue\nc1,Waste\n", "the first line must be the header"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8 text"),
        (b"\x00\x01\x02binary\n", "not text"),
        ((HEADER + "c1,Caf\xe9,,,,,,\n").encode("latin-1"), "not UTF-8 text"),
    ],
)
def test_an_unreadable_file_changes_nothing(
    call_world: CallWorld, content: bytes, message: str
) -> None:
    with pytest.raises(ImportUnreadable, match=message):
        services.import_calls(call_world.organisation, io.BytesIO(content), by=None)
    _nothing_written(call_world)
    assert not CallImportRun.objects.for_organisation(call_world.organisation).exists()


def test_a_file_of_another_format_is_told_it_may_be_the_wrong_format(
    call_world: CallWorld,
) -> None:
    # JSON, read as Genesys Cloud's CSV export: a quoted name followed by a colon.
    content = b'"ContactId": "c1", "Queue": "Waste"\n'
    with pytest.raises(ImportUnreadable) as refused:
        services.import_calls(
            call_world.organisation, io.BytesIO(content), by=None, format_name="genesys-cloud"
        )
    assert str(refused.value).startswith(
        "the first line is not a genesys-cloud header: is this the right format for the file? "
        "(the CSV reader said: "
    )
    _nothing_written(call_world)


@time_machine.travel(datetime.datetime(2026, 6, 1, 12, 0, tzinfo=UTC), tick=False)
def test_a_voicemail_with_an_answer_time_is_refused_in_plain_words(call_world: CallWorld) -> None:
    run = _import(call_world, row("vm1", outcome="voicemail"))
    assert _refusals(run) == [(2, "answered_at must be empty for a call that went to voicemail")]


def test_a_byte_order_mark_and_crlf_lines_are_read(call_world: CallWorld) -> None:
    content = ("\ufeff" + HEADER + row("c1") + "\r\n" + row("c2") + "\r\n").encode("utf-8")
    run = services.import_calls(call_world.organisation, io.BytesIO(content), by=None)
    assert (run.imported, run.refused) == (2, 0)


def test_an_unknown_format_is_refused(call_world: CallWorld) -> None:
    with pytest.raises(ImportUnreadable, match="no call record format 'avaya'"):
        services.import_calls(
            call_world.organisation, csv_file(row()), by=None, format_name="avaya"
        )


def test_a_file_cannot_create_queues_without_end(
    call_world: CallWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "MAX_NEW_QUEUES", 2)
    run = _import(call_world, *[row(f"c{number}", queue=f"Q{number}") for number in range(4)])
    assert (run.imported, run.refused) == (2, 2)
    tail = "is new, and this file already added 2 new queues: check the file's queue column"
    assert _refusals(run) == [(4, f"queue 'Q2' {tail}"), (5, f"queue 'Q3' {tail}")]
    assert CallQueue.objects.for_organisation(call_world.organisation).count() == 2


def test_a_line_separator_inside_a_value_does_not_split_the_row(call_world: CallWorld) -> None:
    run = _import(call_world, row("c1", queue="Waste\u2028Tax"), row("c2", outcome="lost"))
    assert _refusals(run) == [
        (2, "queue holds control or invisible characters"),
        (3, "outcome 'lost' is not one of answered, abandoned, voicemail, transferred"),
    ]
