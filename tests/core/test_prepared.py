"""``core.prepared.PreparedRead``: the statement is built once, the rows are read on every call
and come back as the ORM makes them (converted values, deferred fields, state, related rows);
a read it cannot prepare faithfully, or of organisation data with no organisation pinned, is
refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext

from onestop.core.models import Organisation, User
from onestop.core.prepared import PreparedRead
from onestop.core.scoping import UnscopedQueryError
from onestop.customers.models import Email
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


def test_related_rows_come_back_as_select_related_makes_them(db: None) -> None:
    vale = factories.organisation(slug="vale", name="Vale Council")
    officer = factories.staff(vale)
    read = PreparedRead(
        User,
        lambda name: User.objects.select_related("organisation").filter(username=name),
    )

    found = read.first(officer.username)

    assert found is not None
    assert (found.pk, found.username) == (officer.pk, officer.username)
    with CaptureQueriesContext(connection) as queries:
        organisation = found.organisation  # filled from the same row
    assert len(queries) == 0
    assert organisation is not None
    assert organisation.slug == "vale"


def test_several_parameters_of_both_kinds_each_in_its_place(db: None) -> None:
    vale = factories.organisation(slug="vale", name="Vale Council")
    hill = factories.organisation(slug="hill", name="Hill Council")
    # The same parameter twice (in the subquery too), a constant beside them.
    read = PreparedRead(
        Organisation,
        lambda pk, name: Organisation.objects.filter(
            pk__in=Organisation.objects.filter(pk=pk, is_active=True).values("pk"),
            name__gte=name,
        ).filter(pk=pk),
        parameters=(int, str),
    )

    assert [found.slug for found in read.all(vale.pk, "A")] == ["vale"]
    assert [found.slug for found in read.all(hill.pk, "A")] == ["hill"]
    assert read.all(hill.pk, "I") == []  # "Hill Council" < "I"


def test_a_read_of_values_gives_the_rows_converted(db: None) -> None:
    vale = factories.organisation(slug="vale", name="Vale Council")
    read = PreparedRead(
        Organisation,
        lambda slug: Organisation.objects.filter(slug=slug).values_list("pk", "created_at"),
    )

    [(pk, created_at)] = read.rows("vale")

    assert (pk, created_at) == (vale.pk, vale.created_at)
    assert created_at.tzinfo is not None
    assert read.rows("hill") == []
    with pytest.raises(ValueError, match="with rows"):
        read.all("vale")


def test_organisation_data_is_refused_unless_an_organisation_is_pinned(db: None) -> None:
    vale = factories.organisation(slug="vale", name="Vale Council")
    scoped = PreparedRead(
        Email,
        lambda organisation, key: Email.objects.for_organisation(organisation).filter(
            address_key=key
        ),
        parameters=(int, str),
    )
    unscoped = PreparedRead(Email, lambda key: Email.objects.filter(address_key=key))

    assert scoped.all(vale.pk, "sam@example.com") == []
    with pytest.raises(UnscopedQueryError):
        unscoped.all("sam@example.com")


def test_a_parameter_is_given_its_own_type(db: None) -> None:
    read = PreparedRead(
        Organisation,
        lambda pk, slug: Organisation.objects.filter(pk=pk, slug=slug),
        parameters=(int, str),
    )

    for values in [(1,), (1, "vale", 2), ("1", "vale"), (True, "vale"), (1, 2)]:
        with pytest.raises(TypeError):
            read.all(*values)
    with pytest.raises(TypeError, match="str and int"):
        PreparedRead(Organisation, lambda at: Organisation.objects.filter(created_at=at),
                     parameters=(float,)).all(1.0)  # fmt: skip


@pytest.mark.parametrize(
    ("model", "build", "message"),
    [
        (Organisation, lambda slug: Organisation.objects.filter(slug=slug).annotate(one=Value(1)),
         "columns only"),
        (User, lambda slug: Organisation.objects.filter(slug=slug), "model's rows only"),
        (Organisation, lambda name: Organisation.objects.filter(name__contains=name),
         "whole lookup values"),
        (Organisation, lambda slug: Organisation.objects.filter(slug="vale"),
         "not in its statement"),
        (Organisation,
         lambda slug: Organisation.objects.filter(slug=slug) if ":0:" in slug
         else Organisation.objects.filter(name=slug),
         "depends on its parameters"),
    ],
)  # fmt: skip
def test_a_read_it_cannot_prepare_is_refused(
    db: None, model: type[Any], build: Callable[[Any], Any], message: str
) -> None:
    read = PreparedRead(model, build)

    with pytest.raises(ValueError, match=message):
        read.all("vale")
