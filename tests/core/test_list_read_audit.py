"""``core.audit.record_list_read``: one chained record per list read or search, naming who, the
query, the count and the ids (or their digest past ``LIST_READ_ID_LIMIT``), in one INSERT."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from onestop.core import audit
from onestop.core.models import AuditAction, AuditRecord, Organisation, User
from tests.list_reads import list_reads

pytestmark = pytest.mark.django_db


def test_a_short_list_is_recorded_with_its_ids_in_order(
    council: Organisation, advisor: User
) -> None:
    entry = audit.record_list_read(
        advisor,
        what="cases.case",
        action=AuditAction.SEARCHED,
        query={"q": "bins", "status": "", "team_id": None, "mine": False, "due_within": 0},
        ids=["SR-26-00027", "SR-26-00013"],
        ip_address="10.0.0.7",
    )
    assert list_reads(council) == [
        (
            "advisor",
            "searched",
            "cases.case",
            {
                "query": {"q": "bins", "due_within": "0"},
                "count": 2,
                "ids": ["SR-26-00027", "SR-26-00013"],
            },
        )
    ]
    assert entry is not None
    assert (entry.actor_id, entry.ip_address, entry.object_id) == (advisor.pk, "10.0.0.7", "")
    assert entry.summary == "2 searched, filtered by q=bins, due_within=0"


def test_more_ids_than_the_limit_are_recorded_as_their_digest(
    council: Organisation, advisor: User
) -> None:
    ids = list(range(audit.LIST_READ_ID_LIMIT + 1, 0, -1))
    audit.record_list_read(advisor, what="contacts.contact", ids=ids)
    expected = hashlib.sha256("\n".join(str(pk) for pk in ids).encode()).hexdigest()
    assert list_reads(council) == [
        (
            "advisor",
            "listed",
            "contacts.contact",
            {"query": {}, "count": 101, "ids_sha256": expected},
        )
    ]
    assert audit.ids_digest(ids) == expected


def test_exactly_the_limit_is_still_written_out(council: Organisation, advisor: User) -> None:
    ids = list(range(audit.LIST_READ_ID_LIMIT))
    audit.record_list_read(advisor, what="contacts.contact", ids=ids)
    assert list_reads(council)[0][3]["ids"] == [str(pk) for pk in ids]


def test_an_empty_result_is_recorded_too(council: Organisation, advisor: User) -> None:
    audit.record_list_read(advisor, what="customers.customer", query={"q": "nobody"}, ids=[])
    assert list_reads(council) == [
        (
            "advisor",
            "listed",
            "customers.customer",
            {"query": {"q": "nobody"}, "count": 0, "ids": []},
        )
    ]


def test_control_and_invisible_characters_in_a_query_are_recorded_visibly(
    council: Organisation, advisor: User
) -> None:
    """PostgreSQL refuses NUL in text and jsonb: the record keeps a replacement, not a 500."""
    audit.record_list_read(
        advisor,
        what="cases.case",
        query={"q": "a\x00b\u202ec\u200bd\x1b", "long": "x" * 5000},
        ids=[],
    )
    changes = list_reads(council)[0][3]
    assert changes["query"] == {"q": "a\ufffdb\ufffdc\ufffdd\ufffd", "long": "x" * 200}
    record = AuditRecord.objects.for_organisation(council).get(action=AuditAction.LISTED)
    assert "\x00" not in record.summary


def test_list_reads_keep_the_chain_intact(council: Organisation, advisor: User) -> None:
    audit.record(organisation=council, by=advisor, action=AuditAction.VIEWED, object_type="x.y")
    audit.record_list_read(advisor, what="cases.case", query={"q": "\x00"}, ids=range(300))
    audit.record_list_read(advisor, what="cases.case", ids=[1, 2])
    reports = {report.organisation_id: report for report in audit.verify()}
    written = AuditRecord.objects.for_organisation(council).count()
    assert (reports[council.pk].records, reports[council.pk].broken) == (written, None)
    assert len(list_reads(council)) == 2


def test_a_list_read_is_one_insert_into_the_audit_whatever_the_rows(
    council: Organisation, advisor: User
) -> None:
    audit.record_list_read(advisor, what="cases.case", ids=[1])  # the chain head exists
    with CaptureQueriesContext(connection) as few:
        audit.record_list_read(advisor, what="cases.case", ids=range(3))
    with CaptureQueriesContext(connection) as many:
        audit.record_list_read(advisor, what="cases.case", ids=range(10_000))
    statements = [query["sql"] for query in many.captured_queries]
    if connection.vendor == "postgresql":
        # Lock, insert and move the head are one call of core_audit_append (core.0006).
        assert len(statements) == 1
        assert statements[0].startswith("SELECT * FROM core_audit_append(")
    else:
        inserts = [sql for sql in statements if sql.startswith("INSERT")]
        assert len(inserts) == 1
        assert '"core_auditrecord"' in inserts[0]
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(list_reads(council)) == 3


def test_a_user_of_no_organisation_reads_nothing_and_nothing_is_recorded(
    council: Organisation, advisor: User
) -> None:
    advisor.organisation = None
    assert audit.record_list_read(advisor, what="cases.case", ids=[]) is None
    assert list_reads(council) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
@pytest.mark.django_db(transaction=True)
def test_a_list_read_alone_commits_without_waiting_for_the_disk_and_a_callers_write_does(
    council: Organisation, advisor: User
) -> None:
    with CaptureQueriesContext(connection) as alone:
        audit.record_list_read(advisor, what="cases.case", ids=[1])
    with CaptureQueriesContext(connection) as inside, transaction.atomic():
        audit.record_list_read(advisor, what="cases.case", ids=[2])
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            setting = cursor.fetchone()
    # Alone: one autocommit statement asking for the asynchronous commit (no BEGIN, no
    # SET LOCAL, no COMMIT); inside a caller's transaction the caller's setting stays.
    (statement,) = [query["sql"] for query in alone.captured_queries]
    assert statement.startswith("SELECT * FROM core_audit_append(")
    assert statement.endswith(", true)")
    (statement,) = [
        query["sql"] for query in inside.captured_queries if "core_audit" in query["sql"]
    ]
    assert statement.endswith(", false)")
    assert setting == ("on",)
    assert len(list_reads(council)) == 2
    assert all(report.broken is None for report in audit.verify())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_the_asynchronous_commit_lasts_past_the_function_to_the_transactions_end(
    council: Organisation, advisor: User
) -> None:
    """The function's own ``search_path`` setting ends with the call; the asynchronous commit it
    asks for must not (it is for the commit, after the call)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
        audit._write(
            audit._entry(
                organisation_id=council.pk,
                by=advisor,
                action=AuditAction.LISTED,
                object_type="cases.case",
                object_id="",
                summary="1 listed",
                changes={"count": 1},
                ip_address=None,
            ),
            asynchronous=True,
        )
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("off",)
        cursor.execute("SHOW search_path")
        assert "pg_temp" not in cursor.fetchone()[0]
