from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onestop.core import permissions
from onestop.core.access import require


def queues(request: HttpRequest) -> HttpResponse:
    require(request.user, permissions.CASE_WORK)
    return render(request, "cases/queues.html")


def member(request: HttpRequest) -> HttpResponse:
    require(request.user, permissions.CASE_VIEW_OWN)
    return render(request, "cases/queues.html")


def raise_case(request: HttpRequest) -> HttpResponse:
    """Raise a case, optionally for ``?customer=<id>`` from ``?contact=<id>`` (the desk)."""
    require(request.user, permissions.CASE_RAISE)
    return render(request, "cases/queues.html")
