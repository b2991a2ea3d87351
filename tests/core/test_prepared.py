"""``core.prepared.PreparedRead``: the statement is built once, the rows are read on every call
and come back as the ORM makes them (converted values, deferred fields, state)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext

from onestop.core.models import Organisation, User
from onestop.core.prepared import PreparedRead
from tests import factories


def _values(found: object, fields: list[str]) -> list[object]:
    return [getattr(found, name) for name in fields]


def test_rows_come_back_as_the_orm_makes_them(db: None) -> None:
    vale = factories.organisation(slug="vale", name="Vale Council")
    factories.organisation(slug="hill", name="Hill Council")
    read = PreparedRead(Organisation, lambda name: Organisation.objects.filter(name__gte=name))
    names = [field.attname for field in Organisation._meta.concrete_fields]

    prepared = read.all("I")
    orm = list(Organisation.objects.filter(name__gte="I"))

    assert [_values(found, names) for found in prepared] == [_values(row, names) for row in orm]
    assert prepared[0].pk == vale.pk
    assert prepared[0].created_at.tzinfo is not None  # converted as the ORM converts it
    assert not prepared[0]._state.adding
    assert [found.name for found in read.all("A")] == ["Hill Council", "Vale Council"]
    assert read.first("W") is None


def test_a_read_of_some_columns_defers_the_others_as_only_does(db: None) -> None:
    factories.organisation(slug="vale", name="Vale Council")
    read = PreparedRead(
        Organisation, lambda slug: Organisation.objects.filter(slug=slug).only("slug", "name")
    )

    found = read.first("vale")
    orm = Organisation.objects.only("slug", "name").get(slug="vale")

    assert found is not None
    assert found.get_deferred_fields() == orm.get_deferred_fields()
    assert (found.pk, found.slug, found.name) == (orm.pk, orm.slug, orm.name)


def test_every_call_asks_the_database(db: None) -> None:
    vale = factories.organisation(slug="vale", name="Vale Council")
    read = PreparedRead(Organisation, lambda slug: Organisation.objects.filter(slug=slug))
    read.first("vale")

    Organisation.objects.filter(pk=vale.pk).update(name="Bro Morgannwg")
    with CaptureQueriesContext(connection) as queries:
        found = read.first("vale")

    assert found is not None
    assert found.name == "Bro Morgannwg"
    assert len(queries) == 1


@pytest.mark.parametrize(
    ("model", "build"),
    [
        (User, lambda name: User.objects.select_related("organisation").filter(username=name)),
        (Organisation, lambda slug: Organisation.objects.filter(slug=slug).annotate(one=Value(1))),
        (User, lambda slug: Organisation.objects.filter(slug=slug)),  # another model's rows
    ],
)
def test_a_read_of_more_than_the_models_columns_is_refused(
    db: None, model: type[Any], build: Callable[[Any], Any]
) -> None:
    read = PreparedRead(model, build)

    with pytest.raises(ValueError, match="own columns only"):
        read.all("vale")
