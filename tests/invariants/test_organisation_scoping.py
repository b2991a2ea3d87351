"""Walker tests: they iterate over every installed model and fail when a newcomer forgets a rule.

If a test here fails for your new model: make it inherit ``core.models.OrganisationOwned`` (so it
has a non-null organisation and the fail-closed manager), put ``organisation`` first in its
composite indexes and in every uniqueness rule; or, if it holds no customer, contact, case or
feedback data, add it to ``CONFIGURATION_MODELS`` below with the reason.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from onestop.core.models import Organisation, OrganisationOwned
from onestop.core.scoping import OrganisationScopedManager, UnscopedQueryError

CONFIGURATION_MODELS: dict[str, str] = {
    "core.role": "roles are configuration; scoped by organisation in core.permissions",
    "core.user": "staff identities; the organisation comes from here",
    "core.auditchainhead": "one row per organisation: the last link of its audit chain",
    "core.referencecounter": "counters for references; no personal data",
}

OURS = [model for model in apps.get_models() if model.__module__.startswith("onestop.")]
OWNED = [model for model in OURS if issubclass(model, OrganisationOwned)]


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def test_there_are_organisation_owned_models_to_check() -> None:
    assert "core.auditrecord" in {_label(model) for model in OWNED}


@pytest.mark.parametrize("model", OURS, ids=_label)
def test_a_model_pointing_at_an_organisation_is_owned_or_declared_configuration(
    model: type[models.Model],
) -> None:
    points_at_organisation = any(
        isinstance(field, models.ForeignKey) and field.related_model is Organisation
        for field in model._meta.get_fields()
    )
    owned_or_declared = (
        issubclass(model, OrganisationOwned) or _label(model) in CONFIGURATION_MODELS
    )
    assert owned_or_declared or not points_at_organisation


@pytest.mark.parametrize("model", OURS, ids=_label)
def test_a_model_pointing_at_organisation_data_is_itself_organisation_owned(
    model: type[models.Model],
) -> None:
    """Join tables, attachments and child rows of tenant data carry the organisation too."""
    targets = {
        _label(field.related_model)
        for field in model._meta.get_fields()
        if field.concrete
        and field.is_relation
        and field.related_model is not None
        and isinstance(field.related_model, type)
        and issubclass(field.related_model, OrganisationOwned)
    }
    assert issubclass(model, OrganisationOwned) or targets == set()


@pytest.mark.parametrize("model", OWNED, ids=_label)
def test_the_organisation_is_required(model: type[models.Model]) -> None:
    field = model._meta.get_field("organisation")
    assert field.null is False


@pytest.mark.parametrize("model", OWNED, ids=_label)
def test_the_default_manager_fails_closed(model: type[models.Model]) -> None:
    assert isinstance(model._default_manager, OrganisationScopedManager)
    with pytest.raises(UnscopedQueryError):
        model._default_manager.exists()


@pytest.mark.parametrize("model", OWNED, ids=_label)
def test_composite_indexes_lead_with_the_organisation(model: type[models.Model]) -> None:
    leading = {
        index.name: index.fields[0].lstrip("-")
        for index in model._meta.indexes
        if len(index.fields) > 1
    }
    assert dict.fromkeys(leading, "organisation") == leading


@pytest.mark.parametrize("model", OWNED, ids=_label)
def test_every_uniqueness_rule_includes_the_organisation(model: type[models.Model]) -> None:
    rules = {
        constraint.name: tuple(constraint.fields)
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint)
    }
    rules.update(
        {f"unique_together {fields}": tuple(fields) for fields in model._meta.unique_together}
    )
    single_unique = [
        field.name
        for field in model._meta.concrete_fields
        if field.unique and not field.primary_key
    ]
    assert single_unique == []
    assert {name: fields for name, fields in rules.items() if "organisation" not in fields} == {}


@pytest.mark.parametrize("model", OURS, ids=_label)
def test_ids_are_bigint(model: type[models.Model]) -> None:
    primary_key = model._meta.pk
    assert primary_key is not None
    allowed = (models.BigAutoField, models.OneToOneField, models.CharField)
    assert isinstance(primary_key, allowed)
