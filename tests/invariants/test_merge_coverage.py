"""Walker test: every relation to ``Customer`` in every app has a merge policy.

If this fails, you related a new model to ``Customer``: add it to
``customers.services.MERGE_POLICY`` with what a merge does with its rows (move them to the kept
record, move one unless the kept record has its own, or never: the merge record itself).
``merge_customers`` refuses to run until every relation has a policy; this test also fails when
a relation escapes discovery (a generic foreign key), or when the policy names a relation that
no longer exists.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
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


def test_every_relation_to_a_customer_has_a_merge_policy_and_no_policy_is_stale() -> None:
    missing = _relations_in_every_app() - set(services.MERGE_POLICY)
    assert missing == set(), (
        f"Add {sorted(missing)} to customers.services.MERGE_POLICY: decide what a merge does "
        "with the rows of each new relation to Customer."
    )
    assert set(services.MERGE_POLICY) == _relations_in_every_app()


def test_a_merge_moves_every_relation_but_the_merge_record() -> None:
    moved = {services.relation_label(field) for field in services.merge_relations()}
    assert moved == {
        label
        for label, action in services.MERGE_POLICY.items()
        if action is not services.MergeAction.HISTORY
    }
    assert {
        label
        for label, action in services.MERGE_POLICY.items()
        if action is services.MergeAction.HISTORY
    } == {"customers.customermerge.kept", "customers.customermerge.merged"}


def test_a_relation_without_a_policy_stops_the_merge_with_a_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trimmed = dict(services.MERGE_POLICY)
    del trimmed["contacts.contact.customer"]
    monkeypatch.setattr(services, "MERGE_POLICY", trimmed)
    with pytest.raises(ImproperlyConfigured, match=r"Add contacts\.contact\.customer to"):
        services.merge_relations()


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
