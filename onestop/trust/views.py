"""Sign-in (password, then a second factor), sign-out, lockout and the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from onestop.core import permissions
from onestop.core.access import require
from onestop.core.decorators import public


@public
def sign_in(request: HttpRequest) -> HttpResponse:
    return render(request, "trust/sign_in.html")


@public
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect(reverse("trust:sign-in"))


@public
def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    return render(request, "trust/locked_out.html", status=429)


def audit_trail(request: HttpRequest) -> HttpResponse:
    require(request.user, permissions.AUDIT_VIEW)
    return render(request, "trust/audit.html")
