"""The "Documents" section's content, for the owner's page (``templatetags``) and the documents
page (``views``) alike: the list the user may see (recorded as a list read), whether they may add
one, and the upload form."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from onestop.core.http import client_address
from onestop.core.models import User
from onestop.documents import forms, queries, services
from onestop.documents.queries import OwnerRecord


def section(
    request: HttpRequest | None, user: User, owner: OwnerRecord, form: forms.UploadForm | None
) -> dict[str, Any]:
    documents = queries.documents_of(user, owner)
    services.record_documents_listed(
        user, owner.record, documents, ip_address=client_address(request)
    )
    return {
        "can_view": True,
        "owner": owner,
        "documents": documents,
        "can_attach": queries.can_attach(user, owner),
        "form": form or forms.UploadForm(),
    }
