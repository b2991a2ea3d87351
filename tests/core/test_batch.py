"""``core.batch``: reads remembered for one batch of work, and read afresh outside it."""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Model, Value
from django.db.models.functions import Concat
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from onestop.core import batch
from onestop.core.models import AuditAction, Organisation, Role
from tests import factories


def test_outside_a_batch_every_read_reads() -> None:
    reads: list[int] = []

    def read() -> int:
        reads.append(1)
        return len(reads)

    assert [batch.remembered(("k",), read) for _ in range(3)] == [1, 2, 3]
    assert not batch.active()


def test_inside_a_batch_a_key_is_read_once_and_forgotten_after() -> None:
    reads: list[str] = []

    def read(value: str) -> str:
        reads.append(value)
        return value

    with batch.batch():
        assert batch.active()
        assert batch.remembered(("a", 1), lambda: read("first")) == "first"
        assert batch.remembered(("a", 1), lambda: read("second")) == "first"
        assert batch.remembered(("a", 2), lambda: read("other")) == "other"
        with batch.batch():  # nested: the outer batch's memory
            assert batch.remembered(("a", 1), lambda: read("third")) == "first"
    assert reads == ["first", "other"]
    assert not batch.active()
    assert batch.remembered(("a", 1), lambda: read("after")) == "after"


def test_a_read_that_fails_is_not_remembered() -> None:
    def fail() -> str:
        raise LookupError("no")

    with batch.batch():
        with pytest.raises(LookupError):
            batch.remembered(("b",), fail)
        assert batch.remembered(("b",), lambda: "found") == "found"


def _remember_then_fail() -> None:
    with batch.batch():
        batch.remembered(("c",), lambda: "kept")
        raise RuntimeError


def test_a_batch_forgets_when_its_block_raises() -> None:
    with pytest.raises(RuntimeError):
        _remember_then_fail()
    assert batch.remembered(("c",), lambda: "new") == "new"


# --- without_savepoints ---------------------------------------------------------------------
def _statements(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"].split()[0].upper() for query in queries.captured_queries]


def _swallow_a_failure(pk: int) -> None:
    with transaction.atomic(), batch.without_savepoints():
        Organisation.objects.filter(pk=pk).update(name="Lost")
        with contextlib.suppress(LookupError), transaction.atomic():
            raise LookupError
        Organisation.objects.filter(pk=pk).update(name="Never")


@pytest.mark.django_db(transaction=True)
def test_nested_blocks_make_no_savepoint_and_a_failure_dooms_the_whole_block() -> None:
    organisation = factories.organisation()
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        with batch.without_savepoints(), transaction.atomic():
            Organisation.objects.filter(pk=organisation.pk).update(name="Renamed")
        with transaction.atomic():  # after the block: savepoints again
            Organisation.objects.filter(pk=organisation.pk).update(name="Again")
    assert "SAVEPOINT" in _statements(queries)
    assert _statements(queries).count("SAVEPOINT") == 1
    organisation.refresh_from_db()
    assert organisation.name == "Again"

    # An exception leaving a nested block cannot be swallowed: the next statement raises and
    # everything in the outer block is rolled back, the statement before the failure too.
    with pytest.raises(TransactionManagementError):
        _swallow_a_failure(organisation.pk)
    organisation.refresh_from_db()
    assert organisation.name == "Again"
    assert "savepoint" not in vars(connection)  # the connection is as it was


def test_without_savepoints_belongs_inside_an_atomic_block() -> None:
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        _enter_without_savepoints()


def _enter_without_savepoints() -> None:
    with batch.without_savepoints():
        pass


# --- deferred_inserts -----------------------------------------------------------------------------
def _new_organisation(slug: str) -> Organisation:
    return Organisation(
        slug=slug, name=f"Council {slug}", type="district-council", nation="england"
    )


def _inserts_and_selects(queries: CaptureQueriesContext) -> list[str]:
    """The statements that write rows (``INSERT``, or ``COPY ... FROM STDIN``: "INSERT") and
    those that read them, in order."""
    return [
        "INSERT" if query["sql"].startswith(("INSERT", "COPY")) else "SELECT"
        for query in queries.captured_queries
        if query["sql"].split()[0].upper() in ("INSERT", "COPY", "SELECT")
        and "nextval" not in query["sql"]
    ]


@pytest.mark.django_db
def test_deferred_rows_have_their_ids_at_once_and_are_written_together_before_a_read() -> None:
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        with batch.deferred_inserts(2):
            made = [_new_organisation(f"deferred-{n}") for n in range(3)]
            for organisation in made:
                batch.insert(organisation)
            ids = [organisation.pk for organisation in made]
            assert None not in ids
            assert ids == sorted(ids)
            assert all(organisation.created_at is not None for organisation in made)
            before_read = _inserts_and_selects(queries)
            found = set(Organisation.objects.filter(pk__in=ids).values_list("slug", flat=True))
            assert found == {"deferred-0", "deferred-1", "deferred-2"}
            later = _new_organisation("deferred-3")
            batch.insert(later)
        # The block's end writes what is left.
        assert Organisation.objects.filter(pk=later.pk).exists()
    if connection.vendor == "postgresql":
        # Held back until the read, then one statement for the three (and one at the end).
        assert before_read == []
        assert _inserts_and_selects(queries)[:2] == ["INSERT", "SELECT"]
        assert _inserts_and_selects(queries).count("INSERT") == 2
    else:  # SQLite: each row inserted when it is given
        assert before_read == ["INSERT"] * 3


def _insert_twice() -> None:
    with transaction.atomic(), batch.deferred_inserts(5):
        batch.insert(_new_organisation("twice"))
        batch.insert(_new_organisation("twice"))  # the slug is unique: refused when written


@pytest.mark.django_db(transaction=True)
def test_a_deferred_row_the_database_refuses_fails_the_block_and_nothing_is_kept() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("rows are held back on PostgreSQL only")
    with pytest.raises(IntegrityError):
        _insert_twice()
    assert not Organisation.objects.filter(slug="twice").exists()


def test_deferred_inserts_belong_inside_an_atomic_block() -> None:
    with (
        pytest.raises(RuntimeError, match=r"inside transaction\.atomic"),
        batch.deferred_inserts(1),
    ):
        pass


# Text PostgreSQL's COPY would read as something else if it were not escaped: its null marker,
# its column and row separators, backslashes, quotes, and text beyond ASCII.
AWKWARD = 'Tab\there, line\nbreak, \\N, \\., "quoted", it\'s, back\\slash, Caerdydd ŵ 🙂'


def _awkward(slug: str) -> Organisation:
    organisation = _new_organisation(slug)
    organisation.name = AWKWARD[:200]
    organisation.branding_text = "\\N"  # COPY's null marker, as text
    organisation.boundary_south, organisation.boundary_north = Decimal("51.123456"), Decimal("52")
    organisation.boundary_west, organisation.boundary_east = Decimal("-3.5"), Decimal("-3.123456")
    organisation.offers_welsh = True
    return organisation


def _row(model: type[Model], pk: int) -> dict[str, Any]:
    row = model._default_manager.filter(pk=pk).values().get()
    return {k: v for k, v in row.items() if k not in ("id", "slug", "organisation_id", "code")}


@pytest.mark.django_db
def test_deferred_rows_are_written_with_exactly_the_values_a_save_writes() -> None:
    saved = _awkward("saved-one")
    saved.save(force_insert=True)
    Role.objects.create(organisation=saved, code="r", name=AWKWARD[:120], actions=[AWKWARD, None])
    with (
        CaptureQueriesContext(connection) as queries,
        transaction.atomic(),
        batch.deferred_inserts(2),
    ):
        deferred = _awkward("deferred-one")
        batch.insert(deferred)
        role = Role(organisation=deferred, code="r", name=AWKWARD[:120], actions=[AWKWARD, None])
        batch.insert(role)
    assert _row(Organisation, deferred.pk) == {
        **_row(Organisation, saved.pk),
        "created_at": deferred.created_at,
        "updated_at": deferred.updated_at,
    }
    assert _row(Organisation, deferred.pk)["name"] == AWKWARD
    assert _row(Organisation, deferred.pk)["branding_text"] == "\\N"
    assert _row(Role, role.pk) == {
        **_row(Role, Role.objects.get(organisation=saved).pk),
        "created_at": role.created_at,
        "updated_at": role.updated_at,
    }
    if connection.vendor == "postgresql":
        # Each table's rows in one ``COPY``, seen by the query capture like any statement.
        written = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("COPY")]
        assert [sql.split()[1] for sql in written] == ['"core_organisation"', '"core_role"']


@pytest.mark.django_db
def test_a_deferred_row_holding_an_expression_is_written_by_an_insert() -> None:
    with (
        CaptureQueriesContext(connection) as queries,
        transaction.atomic(),
        batch.deferred_inserts(2),
    ):
        organisation = _new_organisation("expressed")
        organisation.name = Concat(Value("Council "), Value("of sums"))
        batch.insert(organisation)
    assert Organisation.objects.get(slug="expressed").name == "Council of sums"
    if connection.vendor == "postgresql":
        kinds = [q["sql"].split()[0] for q in queries.captured_queries]
        assert "COPY" not in kinds
        assert "INSERT" in kinds


@pytest.mark.django_db(transaction=True)
def test_a_copied_row_the_database_refuses_raises_djangos_integrity_error() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("rows are held back on PostgreSQL only")
    factories.organisation(slug="taken")
    with pytest.raises(IntegrityError), transaction.atomic(), batch.deferred_inserts(5):
        batch.insert(_new_organisation("taken"))
    assert Organisation.objects.filter(slug="taken").count() == 1


def test_the_values_a_copy_sends_as_they_are_are_those_django_would_send() -> None:
    """For every field of every model whose ``get_db_prep_save`` the ``COPY`` skips for a value
    of its plain type (or None), Django's own answer is that same value (an ``int`` perhaps
    wrapped by psycopg's binding, whose text is the same)."""
    from django.apps import apps

    samples: dict[type, list[Any]] = {
        str: ['text "quoted", \\ and\ttab', "", AuditAction.CREATED],  # a choice: its own type
        int: [2**40 + 7, 0],
        bool: [True, False],
        # PostgreSQL's only: an aware time, in UTC or not.
        datetime.datetime: [
            datetime.datetime(2026, 12, 7, 9, 30, 15, 123456, tzinfo=datetime.UTC),
            datetime.datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/London")),
        ],
    }
    checked = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            kind = batch._plain_type(field, connection)
            if kind is None:
                continue
            for value in (None, *samples[kind]):
                prepared = field.get_db_prep_save(value, connection=connection)
                assert prepared == value, (field, value)
                assert str(prepared) == str(value), (field, value)
                if isinstance(value, str):  # the very value given, whatever its own type
                    assert prepared is value, (field, value)
            checked += 1
    assert checked > 100


@pytest.mark.django_db
def test_an_upsert_builds_its_queryset_only_when_it_writes_at_once() -> None:
    organisation = factories.organisation()
    asked: list[int] = []

    def rows() -> Any:
        asked.append(1)
        return Role.objects.filter(organisation=organisation)

    def upsert(code: str, name: str) -> None:
        batch.upsert(
            rows,
            Role(organisation=organisation, code=code, name=name),
            unique_fields=["organisation", "code"],
            update_fields=["name"],
        )

    Role.objects.create(organisation=organisation, code="r", name="Old")
    upsert("r", "New")
    assert asked == [1]
    with transaction.atomic(), batch.deferred_inserts(2):
        upsert("r", "Newer")
        upsert("s", "Other")
    held = connection.vendor == "postgresql"  # held back and written together: never asked
    assert asked == ([1] if held else [1, 1, 1])
    mine = Role.objects.filter(organisation=organisation, code__in=["r", "s"])
    assert dict(mine.values_list("code", "name")) == {"r": "Newer", "s": "Other"}


def test_insert_calls_every_pre_save_that_does_more_than_read_the_value() -> None:
    """``insert`` (held back) calls ``pre_save`` only on the fields whose class has its own
    (the ``auto_now`` times above all): Django's ``Field.pre_save`` only reads the value, so
    leaving it out of every other field changes nothing."""
    from django.apps import apps
    from django.db import models

    held: list[str] = []
    for model in apps.get_models():
        shape = batch._shape(model)
        for field in model._meta.concrete_fields:
            if field.primary_key or field.generated:
                assert field not in shape.pre_save
            elif field in shape.pre_save:
                held.append(f"{model._meta.label}.{field.name}")
            else:
                assert type(field).pre_save is models.Field.pre_save, field
    assert {"core.Organisation.created_at", "core.Organisation.updated_at"} <= set(held)
    assert "core.Organisation.name" not in held
