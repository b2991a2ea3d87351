"""The sweep's bulk writes send many values as one PostgreSQL array each
(``escalation._array_text``): any text, however hostile, must arrive exactly as it was."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.cases import escalation

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL arrays (SQLite inserts row by row)"
)

# PostgreSQL text holds any character but NUL.
TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))


def _round_trip(values: list[object]) -> list[object]:
    with escalation._bound_cursor() as cursor:
        cursor.execute("SELECT %s::text[]", [escalation._array_text(values)])
        row = cursor.fetchone()
    assert row is not None
    return list(row[0])


@pytest.mark.django_db
@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=20))
def test_any_text_arrives_exactly(values: list[str]) -> None:
    assert _round_trip(list(values)) == values


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
