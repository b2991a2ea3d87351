from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onestop.core import permissions
from onestop.core.access import require


def desk(request: HttpRequest) -> HttpResponse:
    require(request.user, permissions.CONTACT_LOG)
    return render(request, "contacts/desk.html")
