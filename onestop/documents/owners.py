"""Owners: the records documents are attached to, registered by the apps that own them.

``documents`` sits below ``cases`` and ``customers`` in the layers and imports neither.  Each
owning app registers an :class:`Owner` from its ``AppConfig.ready``: its kind (the word in the
documents' addresses and the name of ``Document``'s foreign key to it), how to reach one by the
key in an address *as the user may see it* (its own access function: ``Http404`` outside the
user's reach, ``PermissionDenied`` when seen but not allowed), its key and its page.  An owner
that is not registered is a 404, never an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model
from django.http import Http404

from onestop.core.models import User


@dataclass(frozen=True)
class Owner:
    kind: str
    label: str
    get_for: Callable[[User, str], Model]
    key_of: Callable[[Model], str]
    url_of: Callable[[Model], str]
    title_of: Callable[[Model], str]


_OWNERS: dict[str, Owner] = {}


def register(owner: Owner) -> None:
    """Let documents be attached to ``owner.kind`` records (idempotent per kind)."""
    _OWNERS[owner.kind] = owner


def owner_kinds() -> tuple[str, ...]:
    return tuple(_OWNERS)


def owner(kind: str) -> Owner:
    """The registered owner kind (404 for a kind nobody registered)."""
    found = _OWNERS.get(kind)
    if found is None:
        raise Http404
    return found


def kind_of(record: Model) -> Owner:
    """The owner kind of ``record`` (a case, a customer)."""
    for candidate in _OWNERS.values():
        if record._meta.model_name == candidate.kind:
            return candidate
    raise LookupError(f"No documents owner registered for {record._meta.label_lower}.")
