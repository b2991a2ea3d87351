"""Every write of documents: checking an upload, attaching it to its owner, recording reads.

``check_upload`` (``documents.checks``) runs every check and writes nothing, so a caller that
creates the owner in the same request (the portal's report) checks first and attaches last.
``attach_document`` stores the checked bytes and the row, with its audit record, in one
transaction; if the transaction fails the file is removed, so a refused or failed upload leaves
neither a row nor a file.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core import audit
from onestop.core.models import AuditAction, User
from onestop.documents import checks, owners, storage
from onestop.documents.checks import CheckedFile
from onestop.documents.errors import DocumentError, DocumentRefused
from onestop.documents.models import Document, DocumentSource

check_upload = checks.check_upload

__all__ = [
    "HELD_SECONDS",
    "CheckedFile",
    "HeldFile",
    "attach_document",
    "check_upload",
    "check_uploaded_file",
    "held_file",
    "hold_file",
    "record_document_downloaded",
    "record_documents_listed",
    "release_held_file",
    "size_limit_text",
]


def size_limit_text() -> str:
    """The largest file taken, as people write it ("10 MB")."""
    return checks.megabytes(settings.ONESTOP_DOCUMENT_MAX_BYTES)


def check_uploaded_file(
    upload: UploadedFile[Any], *, name: str, field: str, pictures_only: bool = False
) -> CheckedFile:
    """``check_upload`` for a file a page received; ``name`` is the name it was sent with
    (``documents.uploads.sent_name``); ``pictures_only`` for a field that takes a JPG or PNG
    picture only.  Reads at most one byte more than the size limit."""
    upload.seek(0)
    data = bytes(upload.read(settings.ONESTOP_DOCUMENT_MAX_BYTES + 1))
    return check_upload(data, name, field=field, pictures_only=pictures_only)


# --- a checked file held for a form that is not sent yet ------------------------------------
#: How long a held file is kept for its form (a day: longer than any session of the portal's).
HELD_SECONDS = 24 * 3600


@dataclass(frozen=True)
class HeldFile:
    """A checked file written aside for a form still being filled in (the report's question
    pages keep the resident's photo this way, never in the session).  ``token`` names the
    file (256 random bits); the rest describes it, and ``sha256`` proves it unchanged."""

    token: str
    name: str
    content_type: str
    sha256: str
    original_type: str
    size: int

    def as_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: object) -> HeldFile | None:
        """The held file ``data`` describes (as ``as_data`` wrote it), or ``None``."""
        if not isinstance(data, dict):
            return None
        try:
            held = cls(
                token=str(data["token"]),
                name=str(data["name"]),
                content_type=str(data["content_type"]),
                sha256=str(data["sha256"]),
                original_type=str(data["original_type"]),
                size=int(data["size"]),
            )
            storage.held_path(0, held.token)  # a token of the right shape, or ValueError
        except (KeyError, TypeError, ValueError):
            return None
        return held


def hold_file(checked: CheckedFile, *, organisation_id: int) -> HeldFile:
    """Write ``checked`` aside for a form not sent yet; files held longer than
    ``HELD_SECONDS`` (forms never sent) are removed first."""
    storage.remove_held_older_than(organisation_id, HELD_SECONDS)
    held = HeldFile(
        token=storage.new_name(),
        name=checked.name,
        content_type=checked.content_type,
        sha256=checked.sha256,
        original_type=checked.original_type,
        size=len(checked.data),
    )
    storage.write(
        organisation_id, "", checked.data, path=storage.held_path(organisation_id, held.token)
    )
    return held


def held_file(organisation_id: int, held: HeldFile) -> CheckedFile | None:
    """The checked file ``held`` describes, or ``None`` when it is gone (expired) or its bytes
    are not the ones held."""
    try:
        data = storage.held_path(organisation_id, held.token).read_bytes()
    except (OSError, ValueError):
        return None
    if hashlib.sha256(data).hexdigest() != held.sha256:
        return None
    return CheckedFile(
        name=held.name,
        content_type=held.content_type,
        data=data,
        sha256=held.sha256,
        original_type=held.original_type,
    )


def release_held_file(organisation_id: int, held: HeldFile) -> None:
    """Remove a held file (its form was sent, or the file was replaced or removed)."""
    with contextlib.suppress(ValueError):
        storage.held_path(organisation_id, held.token).unlink(missing_ok=True)


def _lock_owner(owner: Model) -> None:
    """Hold the owner's row until commit, so two uploads cannot both take the last place."""
    model = type(owner)
    # A short lock on one row, to make the count-then-insert below one step per owner.
    list(
        model._default_manager.select_for_update(of=("self",))  # type: ignore[attr-defined]
        .for_organisation(owner.organisation_id)  # type: ignore[attr-defined]
        .filter(pk=owner.pk)
        .values_list("pk", flat=True)
    )


def attach_document(
    owner: Model,
    checked: CheckedFile,
    *,
    by: User | None,
    source: DocumentSource = DocumentSource.STAFF,
    ip_address: str | None = None,
) -> Document:
    """Store ``checked`` and attach it to ``owner`` (a case or a customer).

    Refused (``DocumentRefused``, nothing stored) when the owner already has
    ``ONESTOP_DOCUMENTS_PER_OWNER`` documents.
    """
    kind = owners.kind_of(owner)
    organisation_id: int = owner.organisation_id  # type: ignore[attr-defined]
    name = storage.new_name()
    storage.write(organisation_id, name, checked.data)
    try:
        with transaction.atomic():
            _lock_owner(owner)
            existing = (
                Document.objects.for_organisation(organisation_id)
                .filter(**{kind.kind: owner})
                .count()
            )
            limit = settings.ONESTOP_DOCUMENTS_PER_OWNER
            if existing >= limit:
                raise DocumentRefused(
                    DocumentError.TOO_MANY,
                    _("This %(owner)s already has %(limit)s documents, the most it can have")
                    % {"owner": kind.label, "limit": limit},
                    field="file",
                )
            document = Document(
                organisation_id=organisation_id,
                name=checked.name,
                content_type=checked.content_type,
                size=len(checked.data),
                sha256=checked.sha256,
                storage_name=name,
                source=source,
                uploaded_by=by,
                uploaded_at=timezone.now(),
                **{kind.kind: owner},
            )
            document.save(force_insert=True)
            audit.record(
                organisation=organisation_id,
                by=by,
                action=AuditAction.CREATED,
                obj=document,
                summary=f"Document attached to {kind.label} {kind.key_of(owner)}",
                changes={
                    "owner": [kind.kind, kind.key_of(owner)],
                    "name": document.name,
                    "content_type": document.content_type,
                    "size": document.size,
                    "sha256": document.sha256,
                    "source": source.value,
                },
                ip_address=ip_address,
            )
    except BaseException:
        storage.remove(organisation_id, name)
        raise
    return document


def record_documents_listed(
    user: User, owner: Model, documents: list[Document], *, ip_address: str | None = None
) -> None:
    """The audit record of a list of an owner's documents shown to ``user``."""
    kind = owners.kind_of(owner)
    audit.record_list_read(
        user,
        what=audit.object_type_of(Document),
        ids=[document.pk for document in documents],
        query={kind.kind: kind.key_of(owner)},
        ip_address=ip_address,
    )


def record_document_downloaded(
    document: Document, *, by: User, ip_address: str | None = None
) -> None:
    audit.viewed(
        document,
        by=by,
        ip_address=ip_address,
        summary=f"Document {document.pk} downloaded",
    )
