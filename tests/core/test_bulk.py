"""``core.bulk``: many rows in one statement (PostgreSQL arrays, row by row elsewhere), with the
same answers on both databases; any text, however hostile, arrives exactly as it was."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import F, QuerySet
from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.core import audit, bulk
from onestop.core.models import AuditAction, AuditRecord, Organisation, Role
from onestop.core.scoping import UnscopedQueryError

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL arrays (SQLite inserts row by row)"
)

# PostgreSQL text holds any character but NUL.
TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))
AT = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
COLUMNS = ("organisation_id", "code", "name", "actions", "created_at", "updated_at")


def _round_trip(values: list[object]) -> list[object]:
    with bulk.bound_cursor() as cursor:
        cursor.execute("SELECT %s::text[]", [bulk.array_text(values)])
        row = cursor.fetchone()
    assert row is not None
    return list(row[0])


@postgresql_only
@pytest.mark.django_db
@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=20))
def test_any_text_arrives_exactly(values: list[str]) -> None:
    assert _round_trip(list(values)) == values


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize(
    "values",
    [
        ['"', "\\", '\\"', '","', "{", "}", ",", "NULL", "null", "", " ", "a\nb"],
        ['Case SR-1 ("Bins", "gate") \\ 100%', "<script>alert(1)</script>", "'; DROP TABLE x;--"],
        ["one", None, "three"],  # a null among text: the general path
        [1, "2", 3],  # mixed: the general path, every value as text
    ],
)
def test_hostile_text_nulls_and_mixtures(values: list[object]) -> None:
    expected = [None if value is None else str(value) for value in values]
    assert _round_trip(values) == expected


def _roles(organisation: Organisation) -> list[tuple[object, ...]]:
    return list(
        Role.objects.filter(organisation=organisation)
        .order_by("code")
        .values_list("code", "name", "actions", "created_at")
    )


@pytest.mark.django_db
def test_insert_rows_writes_every_row_with_its_values(council: Organisation) -> None:
    before = Role.objects.count()
    # Ten rows: constant columns (organisation, time), a few distinct values (actions) and
    # values that differ on every row (code, name, with hostile text).
    rows = [
        (council.pk, f"bulk-{n}", f'Role "{n}" \\ {{x}}', ["case.view"] if n % 2 else [], AT, AT)
        for n in range(10)
    ]
    assert bulk.insert_rows(Role, COLUMNS, rows) == []
    assert Role.objects.count() == before + 10
    found = {row[0]: row for row in _roles(council)}
    for _organisation, code, name, actions, created_at, _updated in rows:
        assert found[code] == (code, name, actions, created_at)


@pytest.mark.django_db
def test_insert_rows_skips_what_a_unique_constraint_refuses_and_returns_the_rest(
    council: Organisation,
) -> None:
    bulk.insert_rows(Role, COLUMNS, [(council.pk, "kept", "First", [], AT, AT)])
    returned = bulk.insert_rows(
        Role,
        COLUMNS,
        [
            (council.pk, "kept", "Second", [], AT, AT),
            (council.pk, "added", "Added", [], AT, AT),
        ],
        ignore_conflicts=True,
        returning=("code",),
    )
    names = dict(Role.objects.filter(organisation=council).values_list("code", "name"))
    assert (names["kept"], names["added"]) == ("First", "Added")
    if connection.vendor == "postgresql":  # SQLite returns every row it was given
        assert returned == [("added",)]
    else:
        assert {code for (code,) in returned} == {"kept", "added"}


@pytest.mark.django_db
def test_upsert_rows_updates_the_named_columns_of_rows_already_there(
    council: Organisation,
) -> None:
    bulk.insert_rows(Role, COLUMNS, [(council.pk, "old", "Old name", [], AT, AT)])
    later = AT + datetime.timedelta(days=1)
    bulk.upsert_rows(
        Role,
        COLUMNS,
        [
            (council.pk, "old", "New name", ["case.view"], later, later),
            (council.pk, "new", "Brand new", [], later, later),
        ],
        unique=("organisation_id", "code"),
        update=("name", "actions"),
    )
    found = {row[0]: row for row in _roles(council)}
    # The existing row keeps its creation time: only the named columns changed.
    assert found["old"] == ("old", "New name", ["case.view"], AT)
    assert found["new"] == ("new", "Brand new", [], later)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "columns",
    [("organisation_id", "code; DROP TABLE core_role"), ("organisation", "code")],
    ids=["injection", "field-not-column"],
)
def test_a_column_the_model_does_not_have_is_refused_and_nothing_is_written(
    council: Organisation, columns: tuple[str, str]
) -> None:
    before = Role.objects.count()
    with pytest.raises(ValueError, match="has no column"):
        bulk.insert_rows(Role, columns, [(council.pk, "x")])
    assert Role.objects.count() == before


@pytest.mark.django_db
def test_no_rows_runs_no_statement(django_assert_num_queries: object) -> None:
    with django_assert_num_queries(0):  # type: ignore[operator]
        assert bulk.insert_rows(Role, COLUMNS, []) == []
        bulk.upsert_rows(Role, COLUMNS, [], unique=("organisation_id", "code"), update=("name",))


@pytest.mark.django_db
def test_fetch_rows_reads_what_django_reads(council: Organisation, partner: Organisation) -> None:
    audit.record(
        organisation=council, by=None, action=AuditAction.VIEWED, object_type="x", changes={"a": 1}
    )
    audit.record(organisation=partner, by=None, action=AuditAction.VIEWED, object_type="y")
    query = AuditRecord.objects.for_organisation(council).values_list(
        "object_type", "at", "changes"
    )
    rows = bulk.fetch_rows(query)
    expected = list(query)
    assert [row[:2] for row in rows] == [row[:2] for row in expected]
    assert rows[0][1].tzinfo is not None
    # JSON arrives as text on PostgreSQL, decoded elsewhere.
    assert rows[0][2] in ('{"a": 1}', {"a": 1})


@pytest.mark.django_db
def test_fetch_rows_fails_closed_on_an_unscoped_query(council: Organisation) -> None:
    with pytest.raises(UnscopedQueryError):
        bulk.fetch_rows(AuditRecord.objects.values_list("object_type"))


@pytest.mark.django_db
def test_a_compiled_query_answers_for_each_value_as_the_queryset_would(
    council: Organisation, partner: Organisation
) -> None:
    for organisation, kinds in ((council, ("x", "y", "y")), (partner, ("y",))):
        for kind in kinds:
            audit.record(
                organisation=organisation, by=None, action=AuditAction.VIEWED, object_type=kind
            )
    marker = "marker-never-an-object-type"

    def query(kind: str) -> QuerySet[Any, Any]:
        return (
            AuditRecord.objects.for_organisation(council)
            .filter(object_type=kind)
            .order_by("sequence")
            .values_list("object_type", "at")
        )

    compiled = bulk.compile_query(query(marker), {"kind": marker})
    assert compiled is not None
    for kind in ("x", "y", "z"):
        assert [tuple(row) for row in compiled.run("default", {"kind": kind})] == list(query(kind))
    assert bulk.compile_query(query("x"), {"kind": marker}) is None


@pytest.mark.django_db
def test_compiling_an_unscoped_query_fails_closed(council: Organisation) -> None:
    with pytest.raises(UnscopedQueryError):
        bulk.compile_query(AuditRecord.objects.values_list("object_type"), {})


# --- one array for many values -------------------------------------------------------------------
@postgresql_only
@pytest.mark.django_db
def test_any_text_finds_exactly_the_rows_with_one_of_the_values_however_hostile(
    council: Organisation, partner: Organisation
) -> None:
    codes = ['a"b', "c\\d", "e,f", "{g}", "NULL", "'; DROP TABLE core_role;--", "plain"]
    bulk.insert_rows(
        Role,
        COLUMNS,
        [(council.pk, code, code, [], AT, AT) for code in codes]
        + [(partner.pk, code, code, [], AT, AT) for code in codes],
    )
    wanted = ['a"b', "c\\d", "NULL", "'; DROP TABLE core_role;--", "absent", "e"]
    found = bulk.fetch_rows(
        Role.objects.filter(organisation=council)
        .filter(bulk.AnyText(F("code"), wanted))
        .values_list("code")
        .order_by("code")
    )
    assert found == [("'; DROP TABLE core_role;--",), ("NULL",), ('a"b',), ("c\\d",)]


@postgresql_only
@pytest.mark.django_db
def test_any_text_of_no_values_finds_nothing(council: Organisation) -> None:
    bulk.insert_rows(Role, COLUMNS, [(council.pk, "x", "x", [], AT, AT)])
    assert (
        not Role.objects.filter(organisation=council).filter(bulk.AnyText(F("code"), [])).exists()
    )


# --- which values are there, one look-up each ----------------------------------------------------
@pytest.mark.django_db
def test_present_values_answers_exactly_which_values_the_scoped_rows_hold(
    council: Organisation, partner: Organisation
) -> None:
    codes = ['a"b', "c\\d", "e,f", "{g}", "NULL", "'; DROP TABLE core_role;--", "plain"]
    bulk.insert_rows(Role, COLUMNS, [(council.pk, code, code, [], AT, AT) for code in codes])
    bulk.insert_rows(Role, COLUMNS, [(partner.pk, "partners", "partners", [], AT, AT)])
    wanted = ['a"b', "c\\d", "NULL", "'; DROP TABLE core_role;--", "absent", "e", "partners"]
    found = bulk.present_values(Role.objects.filter(organisation=council), "code", wanted)
    assert found == {'a"b', "c\\d", "NULL", "'; DROP TABLE core_role;--"}
    assert bulk.present_values(Role.objects.filter(organisation=council), "code", []) == set()
    # The other filters hold: the partner's code is found only under the partner.
    assert bulk.present_values(
        Role.objects.filter(organisation=partner), "code", wanted + wanted
    ) == {"partners"}


@pytest.mark.django_db
def test_present_values_fails_closed_on_an_unscoped_query() -> None:
    with pytest.raises(UnscopedQueryError):
        bulk.present_values(AuditRecord.objects.all(), "object_type", ["x"])


def _plan_nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _plan_nodes(child))]


@postgresql_only
@pytest.mark.django_db
def test_present_values_looks_each_value_up_in_the_index_in_a_table_believed_empty(
    council: Organisation,
) -> None:
    """The import's case: the table's statistics say it is empty (taken before its rows were
    written in this transaction), and the values are many.  Each value must be an index
    condition, never a filter tested against every row the other columns match: that read
    every call an import had written, again for each batch."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_role")  # statistics of a table without the rows below
    bulk.insert_rows(
        Role, COLUMNS, [(council.pk, f"role-{n}", f"Role {n}", [], AT, AT) for n in range(3000)]
    )
    wanted = [f"role-{n}" for n in range(0, 6000, 3)]
    queryset = Role.objects.filter(organisation=council)
    statement, parameters = bulk.present_statement(queryset, "code", wanted)
    with bulk.bound_cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters)
        (plan,) = cursor.fetchone()[0]
    scans = [node for node in _plan_nodes(plan["Plan"]) if node.get("Relation Name") == "core_role"]
    assert scans
    for scan in scans:
        assert "code" in scan.get("Index Cond", ""), scan
        assert scan.get("Rows Removed by Filter", 0) == 0, scan
        assert scan["Actual Rows"] <= 1, scan
    assert bulk.present_values(queryset, "code", wanted) == {f"role-{n}" for n in range(0, 3000, 3)}
