"""Every read of documents, and the access functions that guard them.

A document is as visible as its owner: it is reached only through the owning app's own access
function (``documents.owners``), then checked for ``document.view`` (to list and download) or
``document.attach`` (to add one).  Out of the user's organisation, or an owner the user cannot
see, is 404; seen but not allowed is 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404

from onestop.core import permissions
from onestop.core.models import User
from onestop.documents import owners, storage
from onestop.documents.models import Document
from onestop.documents.owners import Owner


@dataclass(frozen=True)
class OwnerRecord:
    """A case or a customer, as documents see it: its kind and the record."""

    kind: Owner
    record: Model

    @property
    def key(self) -> str:
        return self.kind.key_of(self.record)

    @property
    def url(self) -> str:
        return self.kind.url_of(self.record)

    @property
    def title(self) -> str:
        return self.kind.title_of(self.record)


def owner_of(record: Model) -> OwnerRecord:
    return OwnerRecord(owners.kind_of(record), record)


def get_owner_for(user: User, kind: str, key: str, action: str) -> OwnerRecord:
    """The owner ``kind``/``key`` as ``user`` may see it, checked for ``action``."""
    owner = owners.owner(kind)
    record = owner.get_for(user, str(key)[:40])
    if not permissions.can(user, action, record):
        raise PermissionDenied(action)
    return OwnerRecord(owner, record)


def documents_of(user: User, owner: OwnerRecord) -> list[Document]:
    """The owner's documents, newest first (none for a user without ``document.view``)."""
    if not permissions.can(user, permissions.DOCUMENT_VIEW, owner.record):
        return []
    return list(
        Document.objects.for_user(user)
        .filter(**{owner.kind.kind: owner.record})
        .select_related("uploaded_by")
    )


def get_document_for(user: User, document_id: int) -> Document:
    """The document, if its owner is visible to ``user`` (404) and ``document.view`` (403)."""
    document: Document | None = (
        Document.objects.for_user(user).select_related("case", "customer").filter(pk=document_id)
    ).first()
    if document is None:
        raise Http404
    owner = owner_of(document.case or document.customer)  # type: ignore[arg-type]
    owner.kind.get_for(user, owner.key)
    if not permissions.can(user, permissions.DOCUMENT_VIEW, document):
        raise PermissionDenied(permissions.DOCUMENT_VIEW)
    return document


def can_attach(user: User, owner: OwnerRecord) -> bool:
    return permissions.can(user, permissions.DOCUMENT_ATTACH, owner.record)


def path_of(document: Document) -> str:
    return str(storage.path_of(document.organisation_id, document.storage_name))
