from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from onestop.core import permissions
from onestop.core.navigation import PRIMARY


def shell(request: HttpRequest) -> dict[str, Any]:
    """The staff shell: navigation the user may use, with the current section marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"primary_navigation": []}
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match is not None else ""
    items = [
        {
            "label": item.label,
            "href": reverse(item.url_name),
            "current": namespace == item.section,
        }
        for item in PRIMARY
        if permissions.can(user, item.action)
    ]
    return {"primary_navigation": items}
