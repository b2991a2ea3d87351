"""Other systems' exports through their mappings (TOML files): Amazon Connect contact records
and a Genesys Cloud interactions export, from sample files; and a mapping an operator adds."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.test import override_settings

from onestop.telephony import formats, services
from onestop.telephony.errors import ImportUnreadable
from onestop.telephony.models import CallOutcome, CallQueue, CallRecord
from tests.telephony.conftest import CallWorld

UTC = datetime.UTC
SAMPLES = Path(__file__).resolve().parent / "samples"
pytestmark = pytest.mark.django_db


def _import(world: CallWorld, name: str, format_name: str, *, again: bool = False):  # type: ignore[no-untyped-def]
    with (SAMPLES / name).open("rb") as stream:
        return services.import_calls(
            world.organisation, stream, by=None, format_name=format_name, file_name=name
        )


def _calls(world: CallWorld) -> list[CallRecord]:
    return list(
        CallRecord.objects.for_organisation(world.organisation)
        .select_related("contact", "queue")
        .order_by("external_id")
    )


def test_the_built_in_formats_are_listed() -> None:
    known = formats.mappings()
    assert {"onestop-calls-v1", "amazon-connect", "genesys-cloud"} <= set(known)
    assert known["amazon-connect"].reader == "jsonl"


def test_amazon_connect_contact_records(call_world: CallWorld) -> None:
    run = _import(call_world, "amazon-connect.jsonl", "amazon-connect")
    assert (run.imported, run.already_present, run.refused) == (3, 0, 2)
    assert list(run.refusals.order_by("line").values_list("line", "reason")) == [
        (4, "queue is empty"),  # a contact that ended in the contact flow, never queued
        (5, "the line is not JSON"),
    ]
    answered, abandoned, transferred = _calls(call_world)
    assert answered.external_id.endswith("XXXXXXXXXXX1")
    assert answered.offered_at == datetime.datetime(2026, 3, 2, 8, 59, 55, tzinfo=UTC)
    assert answered.answered_at == datetime.datetime(2026, 3, 2, 9, 0, 25, tzinfo=UTC)
    assert answered.ended_at == datetime.datetime(2026, 3, 2, 9, 3, 30, tzinfo=UTC)
    assert (answered.outcome, answered.wait_seconds, answered.talk_seconds) == (
        CallOutcome.ANSWERED,
        30,
        185,
    )
    assert answered.agent == call_world.agent
    assert answered.contact.customer == call_world.sam
    assert answered.source == "amazon-connect"
    assert (abandoned.outcome, abandoned.wait_seconds, abandoned.agent_name) == (
        CallOutcome.ABANDONED,
        40,
        "",
    )
    assert abandoned.queue.name == "Council Tax"
    assert transferred.outcome == CallOutcome.TRANSFERRED
    assert (transferred.agent, transferred.agent_name) == (None, "sam.other")
    assert transferred.caller_number == ""
    again = _import(call_world, "amazon-connect.jsonl", "amazon-connect")
    assert (again.imported, again.already_present, again.refused) == (0, 3, 2)


def _contact(contact_id: str, channel: str, queue: str) -> str:
    import json

    return json.dumps(
        {
            "Channel": channel,
            "ContactId": contact_id,
            "InitiationTimestamp": "2026-03-02T09:00:00Z",
            "DisconnectTimestamp": "2026-03-02T09:04:00Z",
            "Queue": {"EnqueueTimestamp": "2026-03-02T09:00:05Z", "Name": queue},
        }
    )


def test_amazon_connect_chats_and_tasks_are_skipped_not_imported_as_calls(
    call_world: CallWorld,
) -> None:
    import io

    stream = io.BytesIO(
        "\n".join(
            [
                _contact("voice-1", "VOICE", "Waste"),
                _contact("chat-1", "CHAT", "Web chat"),
                _contact("task-1", "TASK", "Back office"),
                _contact("email-1", "EMAIL", "Mailbox"),
            ]
        ).encode()
    )
    run = services.import_calls(
        call_world.organisation, stream, by=None, format_name="amazon-connect"
    )
    assert (run.imported, run.already_present, run.refused, run.skipped) == (1, 0, 0, 3)
    assert [call.external_id for call in _calls(call_world)] == ["voice-1"]
    assert list(
        CallQueue.objects.for_organisation(call_world.organisation).values_list("name", flat=True)
    ) == ["Waste"]


def test_genesys_cloud_interactions_export(call_world: CallWorld) -> None:
    run = _import(call_world, "genesys-cloud.csv", "genesys-cloud")
    assert (run.imported, run.refused) == (3, 1)
    assert list(run.refusals.values_list("line", flat=True)) == [4]  # the repeated hour
    answered, abandoned, in_milliseconds = _calls(call_world)
    assert answered.offered_at == datetime.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # GMT
    assert answered.answered_at == datetime.datetime(2026, 3, 2, 9, 0, 35, tzinfo=UTC)
    assert (answered.outcome, answered.wait_seconds, answered.talk_seconds) == (
        CallOutcome.ANSWERED,
        35,
        325,
    )
    assert answered.agent == call_world.agent
    assert answered.contact.customer == call_world.sam
    assert abandoned.offered_at == datetime.datetime(2026, 7, 2, 9, 0, tzinfo=UTC)  # BST
    assert (abandoned.outcome, abandoned.wait_seconds) == (CallOutcome.ABANDONED, 70)
    # Total Queue as the export writes it when set to milliseconds: 20,500 ms waited.
    assert in_milliseconds.answered_at == datetime.datetime(2026, 3, 3, 11, 0, 20, tzinfo=UTC)
    assert (in_milliseconds.outcome, in_milliseconds.wait_seconds) == (CallOutcome.ANSWERED, 20)
    assert in_milliseconds.talk_seconds == 100
    assert sorted(
        CallQueue.objects.for_organisation(call_world.organisation).values_list("source", "name")
    ) == [("genesys-cloud", "Council Tax"), ("genesys-cloud", "Waste")]


def test_a_genesys_call_not_abandoned_and_not_answered_is_not_counted_abandoned(
    call_world: CallWorld,
) -> None:
    import io

    content = (
        (SAMPLES / "genesys-cloud.csv").read_text(encoding="utf-8").splitlines()[0] + "\n"
        "7d3b0b8e-0009,2026-03-04 09:00:00,2026-03-04 09:02:00,Inbound,Waste,,"
        "tel:+447700900999,tel:+441296585858,NO,,00:00:00\n"
    )
    run = services.import_calls(
        call_world.organisation,
        io.BytesIO(content.encode()),
        by=None,
        format_name="genesys-cloud",
    )
    assert (run.imported, run.refused) == (1, 0)
    (call,) = _calls(call_world)
    # A flow-out (voicemail, a callback, another queue): offered, neither answered nor abandoned.
    assert (call.outcome, call.answered_at, call.wait_seconds) == (
        CallOutcome.TRANSFERRED,
        None,
        120,
    )


@pytest.mark.parametrize(
    ("value", "durations", "seconds"),
    [
        ("20500", "milliseconds", 20),
        ("00:01:05", "milliseconds", 65),  # written with colons: hours, minutes, seconds
        ("65", "seconds", 65),
        ("1:00:00", "seconds", 3600),
        ("00:00:35", "hh:mm:ss", 35),
    ],
)
def test_a_wait_is_read_in_the_mapping_s_unit_or_as_hours_minutes_seconds(
    value: str, durations: str, seconds: int
) -> None:
    assert formats.parse_duration(value, durations) == seconds


@pytest.mark.parametrize(
    "value", ["-5", "nan", "1e400", "00:61:00", "1:2:3", "12:00", "abc", "1" * 5000]
)
def test_a_wait_that_is_not_a_duration_is_refused(value: str) -> None:
    with pytest.raises(formats.Invalid, match="is not a duration in milliseconds"):
        formats.parse_duration(value, "milliseconds")


def test_a_csv_export_without_a_needed_column_is_unreadable(call_world: CallWorld) -> None:
    import io

    with pytest.raises(ImportUnreadable, match="no column 'Queue'"):
        services.import_calls(
            call_world.organisation,
            io.BytesIO(
                b"Conversation ID,Date,End Date\nx,2026-03-02 09:00:00,2026-03-02 09:01:00\n"
            ),
            by=None,
            format_name="genesys-cloud",
        )


MITEL = """
name = "mitel-mivcc"
label = "MiVoice call records"
reader = "csv"
delimiter = ";"

[fields]
call_id = "CallID"
queue = "ACD Group"
offered_at = "Start"
answered_at = "Answered"
ended_at = "End"
outcome = "Result"
caller_number = "CLI"

[times]
format = "%d/%m/%Y %H:%M:%S"
zone = "Europe/London"

[outcome]
values = { "ANS" = "answered", "ABN" = "abandoned", "VM" = "voicemail" }
strict = true
"""


def test_an_operator_adds_a_mapping_without_code(call_world: CallWorld, tmp_path: Path) -> None:
    (tmp_path / "mitel.toml").write_text(MITEL, encoding="utf-8")
    content = (
        b"CallID;ACD Group;Start;Answered;End;Result;CLI\n"
        b"m1;Housing;02/03/2026 09:00:00;02/03/2026 09:00:12;02/03/2026 09:04:00;ANS;07700 900123\n"
        b"m2;Housing;02/07/2026 09:00:00;;02/07/2026 09:00:30;ABN;\n"
        b"m3;Housing;02/07/2026 09:00:00;;02/07/2026 09:00:30;LOST;\n"
    )
    import io

    with override_settings(ONESTOP_CALL_FORMATS_DIR=str(tmp_path)):
        assert "mitel-mivcc" in formats.mappings()
        run = services.import_calls(
            call_world.organisation, io.BytesIO(content), by=None, format_name="mitel-mivcc"
        )
    assert (run.imported, run.refused) == (2, 1)
    assert list(run.refusals.values_list("reason", flat=True)) == [
        "outcome 'LOST' is not one of answered, abandoned, voicemail, transferred"
    ]
    first, second = _calls(call_world)
    assert first.offered_at == datetime.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert first.wait_seconds == 12
    assert second.offered_at == datetime.datetime(2026, 7, 2, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ('label = "x"\n[fields]\n', "name is required"),
        ('name = "Bad Name"\n[fields]\n', "name must be lower-case"),
        ('name = "x"\nreader = "xml"\n[fields]\n', "reader must be csv or jsonl"),
        ('name = "x"\n[fields]\nqueue = "Q"\n', "fields.call_id is required"),
        ('name = "x"\n[fields]\ncolour = "C"\n', "[fields] has no field 'colour'"),
        (
            'name = "x"\n[fields]\ncall_id="a"\nqueue="b"\noffered_at="c"\nended_at="d"\n'
            '[outcome]\nvalues = { "A" = "lost" }\n',
            "outcomes must be one of",
        ),
        (
            'name = "x"\n[fields]\ncall_id="a"\nqueue="b"\noffered_at="c"\nended_at="d"\n'
            '[times]\nzone = "Mars/Olympus"\n',
            "is not a time zone",
        ),
    ],
)
def test_a_wrong_mapping_says_what_is_wrong(document: str, message: str) -> None:
    import tomllib

    with pytest.raises(formats.FormatError, match=message.replace("[", r"\[")):
        formats.load_mapping(tomllib.loads(document))
