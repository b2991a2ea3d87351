"""Walker test: every relation to ``Customer`` in every app is handled by the merge.

If this fails, you related a new model to ``Customer``.  ``customers.services.merge_customers``
moves every foreign key it finds generically; this test fails when a relation escapes that
discovery (for example a generic foreign key, or a relation the discovery cannot see), or when
a relation is added to ``MERGE_HISTORY_RELATIONS`` (never moved) without being a merge record.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from onestop.customers import services
from onestop.customers.models import Customer


def _relations_in_every_app() -> set[str]:
    found = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields(include_hidden=True):
            if field.concrete and field.is_relation and field.related_model is Customer:
                found.add(f"{model._meta.label_lower}.{field.name}")
    return found


def test_every_relation_to_a_customer_is_moved_by_a_merge_or_is_the_merge_record() -> None:
    moved = {services.relation_label(field) for field in services.merge_relations()}
    assert moved | services.MERGE_HISTORY_RELATIONS == _relations_in_every_app()


def test_the_merge_history_relations_are_only_the_merge_record() -> None:
    assert {
        "customers.customermerge.kept",
        "customers.customermerge.merged",
    } == services.MERGE_HISTORY_RELATIONS


@pytest.mark.parametrize("field", services.merge_relations(), ids=services.relation_label)
def test_each_moved_relation_is_a_plain_foreign_key_the_merge_can_update(
    field: models.ForeignKey[Customer, Customer],
) -> None:
    assert isinstance(field, models.ForeignKey)
    assert field.remote_field.model is Customer
    assert field.attname.endswith("_id")


def test_there_is_no_generic_relation_a_merge_could_miss() -> None:
    from django.contrib.contenttypes.fields import GenericForeignKey

    generic = [
        f"{model._meta.label_lower}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.private_fields
        if isinstance(field, GenericForeignKey)
    ]
    assert generic == []
