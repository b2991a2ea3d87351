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
    items = []
    for item in PRIMARY:
        if not permissions.can(user, item.action):
            continue
        href = reverse(item.url_name)
        items.append({"label": item.label, "href": href, "current": request.path.startswith(href)})
    return {"primary_navigation": items}
