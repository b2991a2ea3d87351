from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onestop.core import permissions
from onestop.core.access import require


def home(request: HttpRequest) -> HttpResponse:
    require(request.user, permissions.STANDARD_VIEW)
    return render(request, "standards/home.html")
