"""The doors: every object reached by id goes through ``get_or_404``.

Out of scope *or* missing answers 404 (so another organisation's ids are not even confirmed to
exist); visible but not allowed answers 403.  Each app's ``queries.get_<noun>_for`` is a thin
wrapper over this.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from onestop.core import permissions

_M = TypeVar("_M", bound=Model)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def action_for(method: str | None, *, read: str, write: str) -> str:
    """The action a request needs: ``read`` to look (GET, HEAD), ``write`` for anything else.

    A page that shows a form and saves it checks ``write`` on its POST, never only ``read``.
    """
    return read if (method or "").upper() in SAFE_METHODS else write


def require(user: Any, action: str) -> None:
    """403 unless the user may do ``action`` at all (for list and create pages)."""
    if not permissions.can(user, action):
        raise PermissionDenied(action)


def get_or_404(user: Any, queryset: QuerySet[_M], action: str, **lookup: Any) -> _M:
    """The object matching ``lookup`` within the user's organisation, checked for ``action``."""
    organisation_id = getattr(user, "organisation_id", None)
    if organisation_id is None:
        raise Http404
    model_fields = {field.name for field in queryset.model._meta.get_fields()}
    organisation_lookup = "organisation_id" if "organisation" in model_fields else "pk"
    found = queryset.filter(**{organisation_lookup: organisation_id}, **lookup).first()
    if found is None:
        raise Http404
    if not permissions.can(user, action, found if organisation_lookup != "pk" else None):
        raise PermissionDenied(action)
    return found
