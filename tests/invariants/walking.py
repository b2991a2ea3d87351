"""What the URL and API walkers share: the URL patterns, a snapshot of the database, a check
that no row points at another organisation's row, and the actions a request checked.

``pages()`` walks ``get_resolver().url_patterns`` recursively (the REST API is walked from its
OpenAPI document instead; Django's admin site is for superusers only and has no organisation).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models
from django.urls import URLPattern, URLResolver, get_resolver

from onestop.core import permissions
from onestop.core.decorators import PUBLIC_ATTRIBUTE
from onestop.core.models import OrganisationOwned

# Namespaces the page walker leaves to others, and why.
NOT_WALKED = {
    "api": "the REST API: walked operation by operation from its OpenAPI document",
    "admin": "Django's admin site: superusers only (no member of staff is is_staff)",
}

# Tables a request may write whatever it does: the session (saved on every request) and the
# lockout's records.
VOLATILE_TABLES = frozenset({"django_session", "axes_accessattempt", "axes_accesslog"})
AUDIT_TABLES = frozenset({"core_auditrecord", "core_auditchainhead"})


@dataclass(frozen=True)
class Page:
    name: str
    route: str
    parameters: tuple[str, ...]
    callback: Callable[..., Any]

    @property
    def public(self) -> bool:
        view_class = getattr(self.callback, "view_class", None)
        return bool(
            getattr(self.callback, PUBLIC_ATTRIBUTE, False)
            or getattr(view_class, PUBLIC_ATTRIBUTE, False)
        )


def _walk(
    entries: Sequence[URLPattern | URLResolver], route: str, namespace: str
) -> Iterator[Page]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            if entry.namespace in NOT_WALKED or entry.app_name in NOT_WALKED:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route + str(entry.pattern), inner)
        else:
            full = route + str(entry.pattern)
            yield Page(
                name=f"{namespace}{entry.name}" if entry.name else "",
                route=full,
                parameters=tuple(entry.pattern.regex.groupindex),
                callback=entry.callback,
            )


def pages() -> list[Page]:
    """Every URL pattern of the site (outside ``NOT_WALKED``), in resolver order."""
    return list(_walk(get_resolver().url_patterns, "", ""))


# --- what changed --------------------------------------------------------------------------------
def _tables(excluded: frozenset[str]) -> list[str]:
    return sorted(name for name in connection.introspection.table_names() if name not in excluded)


def snapshot(excluded: frozenset[str] = VOLATILE_TABLES) -> dict[str, str]:
    """A digest of every row of every table (but ``excluded``): equal before and after means
    nothing was created, changed or deleted."""
    digests = {}
    with connection.cursor() as cursor:
        for table in _tables(excluded):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY 1")  # noqa: S608 - our table names
            digests[table] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return digests


@functools.cache
def _organisation_tables(vendor: str) -> list[str]:
    """Tables with an ``organisation_id`` column (the schema does not change during a run)."""
    with connection.cursor() as cursor:
        return [
            table
            for table in _tables(VOLATILE_TABLES)
            if "organisation_id"
            in {
                column.name
                for column in connection.introspection.get_table_description(cursor, table)
            }
        ]


def snapshot_of(organisation_id: int) -> dict[str, str]:
    """A digest of the rows of one organisation in every table with an organisation."""
    digests = {}
    with connection.cursor() as cursor:
        for table in _organisation_tables(connection.vendor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT * FROM {quoted} WHERE organisation_id = %s ORDER BY 1",  # noqa: S608
                [organisation_id],
            )
            digests[table] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(
        table for table in before.keys() | after.keys() if before.get(table) != after.get(table)
    )


def last_write_audit_id() -> int:
    """The newest audit record of a write (not a view or an export), or 0: every service that
    writes records one in its transaction, so a new one means the request wrote something."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(MAX(id), 0) FROM core_auditrecord WHERE action IN (%s, %s, %s)",
            ["created", "changed", "deleted"],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def links_across_organisations() -> list[str]:
    """Rows of one organisation pointing at a row of another (should be none): each foreign key
    between organisation-owned models, joined and compared."""
    found = []
    owned = [
        model
        for model in apps.get_models()
        if issubclass(model, OrganisationOwned) and model._meta.managed
    ]
    with connection.cursor() as cursor:
        for model in owned:
            for field in model._meta.concrete_fields:
                target = field.related_model
                if not (
                    isinstance(field, models.ForeignKey)
                    and isinstance(target, type)
                    and issubclass(target, OrganisationOwned)
                ):
                    continue
                quote = connection.ops.quote_name
                assert target._meta.pk is not None
                child, parent = quote(model._meta.db_table), quote(target._meta.db_table)
                column, key = quote(str(field.column)), quote(str(target._meta.pk.column))
                cursor.execute(
                    f"SELECT COUNT(*) FROM {child} child JOIN {parent} parent "  # noqa: S608
                    f"ON child.{column} = parent.{key} "
                    "WHERE child.organisation_id <> parent.organisation_id"
                )
                row = cursor.fetchone()
                if row and row[0]:
                    found.append(f"{model._meta.label_lower}.{field.name}: {row[0]}")
    return found


# --- which actions a request checked -------------------------------------------------------------
def is_write_action(action: str) -> bool:
    """Actions that allow a change (everything but the ``*.view*`` ones)."""
    verb = action.split(".", 1)[-1]
    return not verb.startswith("view") and action not in permissions.READ_ACTIONS


@contextmanager
def checked_actions(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, bool]]]:
    """Record (action, granted) for every ``permissions.can`` and ``permissions.scope`` call."""
    seen: list[tuple[str, bool]] = []
    can, scope = permissions.can, permissions.scope

    def recording_can(user: Any, action: str, obj: Any = None) -> bool:
        granted = can(user, action, obj)
        seen.append((action, granted))
        return granted

    def recording_scope(user: Any, action: str, queryset: Any) -> Any:
        seen.append((action, action in permissions.actions_of(user)))
        return scope(user, action, queryset)

    with monkeypatch.context() as patch:
        patch.setattr(permissions, "can", recording_can)
        patch.setattr(permissions, "scope", recording_scope)
        yield seen


def mailbox_addresses(organisation_id: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT address FROM channels_mailbox WHERE organisation_id = %s", [organisation_id]
        )
        return [str(row[0]) for row in cursor.fetchall()]
