"""Organisation scoping that fails closed.

Every model that holds customer, contact, case or feedback data inherits
:class:`OrganisationOwned`.  Its default manager returns a :class:`ScopedQuerySet` that refuses
to run unless the query is pinned to organisations: by ``for_user(user)`` (the normal path, the
organisation coming only from the signed-in identity), ``for_organisation(org)`` (services and
tasks that already hold a scoped object) or ``unscoped(reason)`` (system jobs such as the audit
verifier, migrations checks and the superuser admin).  Reverse relations from a scoped object are
pinned to that object's organisation automatically.

A query counts as pinned when its top-level ``WHERE`` has an equality or ``IN`` condition on
``organisation``: that is also how Django's own unique checks look, since every uniqueness rule
includes the organisation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.db import models
from django.db.models.lookups import Exact, In
from django.db.models.sql.where import AND, WhereNode

if TYPE_CHECKING:
    from onestop.core.models import Organisation, User

_M = TypeVar("_M", bound=models.Model)

ORGANISATION_FIELD = "organisation"


class UnscopedQueryError(RuntimeError):
    """An organisation-owned model was queried without pinning it to organisations."""


def _where_pins_organisation(node: WhereNode) -> bool:
    if node.negated or node.connector != AND:
        return False
    for child in node.children:
        if isinstance(child, WhereNode) and _where_pins_organisation(child):
            return True
        if isinstance(child, Exact | In):
            target = getattr(child.lhs, "target", None)
            if target is not None and target.name == ORGANISATION_FIELD and child.rhs is not None:
                return True
    return False


class ScopedQuerySet(models.QuerySet[_M]):
    _unscoped_reason: str | None = None

    # --- the ways in ------------------------------------------------------------------------
    def for_user(self, user: User) -> Self:
        """Rows of the signed-in user's organisation; nothing at all for anyone else."""
        if not getattr(user, "is_authenticated", False) or user.organisation_id is None:
            return self.none()
        return self.filter(**{f"{ORGANISATION_FIELD}_id": user.organisation_id})

    def for_organisation(self, organisation: Organisation | int) -> Self:
        organisation_id = organisation if isinstance(organisation, int) else organisation.pk
        return self.filter(**{f"{ORGANISATION_FIELD}_id": organisation_id})

    def unscoped(self, reason: str) -> Self:
        """Every organisation's rows, for system jobs; ``reason`` says why, for reviewers."""
        if not reason.strip():
            raise ValueError("An unscoped query must say why it is unscoped.")
        clone = self.all()
        clone._unscoped_reason = reason
        return clone

    # --- the guard --------------------------------------------------------------------------
    def _clone(self) -> Self:
        clone: Self = super()._clone()  # type: ignore[misc]
        clone._unscoped_reason = self._unscoped_reason
        return clone

    def is_scoped(self) -> bool:
        from django.db.models.query import EmptyQuerySet

        if self._unscoped_reason is not None or isinstance(self, EmptyQuerySet):
            return True
        if self.query.is_empty():
            return True
        return _where_pins_organisation(self.query.where)

    def _check_scoped(self) -> None:
        if not self.is_scoped():
            raise UnscopedQueryError(
                f"{self.model.__name__} holds organisation data: query it through "
                "for_user(user), for_organisation(org) or unscoped(reason)."
            )

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._check_scoped()
        super()._fetch_all()

    def iterator(self, chunk_size: int | None = None) -> Any:
        self._check_scoped()
        return super().iterator(chunk_size)

    def count(self) -> int:
        self._check_scoped()
        return super().count()

    def exists(self) -> bool:
        self._check_scoped()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._check_scoped()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        self._check_scoped()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._check_scoped()
        return super().delete()

    def in_bulk(self, id_list: Iterable[Any] | None = None, *args: Any, **kwargs: Any) -> Any:
        self._check_scoped()
        return super().in_bulk(id_list, *args, **kwargs)

    def explain(self, *args: Any, **kwargs: Any) -> str:
        self._check_scoped()
        return super().explain(*args, **kwargs)


class OrganisationScopedManager(models.Manager[_M]):
    """Default manager of organisation-owned models.

    Related managers (``customer.contacts``) are built from this class by Django; when they
    are, they carry ``instance`` and pin themselves to that instance's organisation.
    """

    def get_queryset(self) -> ScopedQuerySet[_M]:
        queryset: ScopedQuerySet[_M] = ScopedQuerySet(self.model, using=self._db)
        instance = getattr(self, "instance", None)
        organisation_id = getattr(instance, f"{ORGANISATION_FIELD}_id", None)
        if organisation_id is not None:
            queryset = queryset.filter(**{f"{ORGANISATION_FIELD}_id": organisation_id})
        return queryset

    def for_user(self, user: User) -> ScopedQuerySet[_M]:
        return self.get_queryset().for_user(user)

    def for_organisation(self, organisation: Organisation | int) -> ScopedQuerySet[_M]:
        return self.get_queryset().for_organisation(organisation)

    def unscoped(self, reason: str) -> ScopedQuerySet[_M]:
        return self.get_queryset().unscoped(reason)


def organisation_owned_models() -> list[type[models.Model]]:
    """Every installed model that holds organisation data (the registry walker tests read)."""
    from django.apps import apps

    from onestop.core.models import OrganisationOwned

    return [
        model
        for model in apps.get_models()
        if issubclass(model, OrganisationOwned) and not model._meta.abstract
    ]
