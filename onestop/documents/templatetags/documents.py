"""``{% owner_documents owner as section %}``: the "Documents" section of a case or customer
page (``documents/includes/section.html``), so the owning page needs one include and nothing in
its view.  The list shown is recorded in the audit trail like any other list read."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model

from onestop.core import permissions
from onestop.core.models import User
from onestop.documents import queries, sections

register = template.Library()


@register.simple_tag(takes_context=True)
def owner_documents(context: template.Context, record: Model) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not permissions.can(user, permissions.DOCUMENT_VIEW, record):
        return {"can_view": False}
    return sections.section(request, user, queries.owner_of(record), None)
