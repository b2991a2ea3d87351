from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from onestop.core import permissions
from onestop.core.navigation import PRIMARY


def shell(request: HttpRequest) -> dict[str, Any]:
    """The staff shell: navigation the user may use, with the current section marked.  Worked
    out only when a page shows it (the staff pages): asking whether the user is signed in
    reads the session, which a resident's page would otherwise read on every visit once the
    resident has a session (a form's answers, "Your requests")."""
    return {"primary_navigation": SimpleLazyObject(lambda: _navigation(request))}


def _navigation(request: HttpRequest) -> list[dict[str, Any]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    for item in PRIMARY:
        if not permissions.can(user, item.action):
            continue
        href = reverse(item.url_name)
        items.append({"label": item.label, "href": href, "current": request.path.startswith(href)})
    return items
