"""The kept report files a member of staff may list and download (their organisation's only)."""

from __future__ import annotations

from django.db.models import QuerySet

from onestop.core import permissions
from onestop.core.access import get_or_404, require
from onestop.core.models import User
from onestop.directory.models import Service
from onestop.performance.models import ReportFile


def files_for(user: User) -> QuerySet[ReportFile]:
    """Newest first, without their bytes."""
    require(user, permissions.PERFORMANCE_VIEW)
    return ReportFile.objects.for_user(user).defer("content").order_by("-generated_at", "-id")


def get_file_for(user: User, pk: int) -> ReportFile:
    """404 outside the user's organisation; 403 without ``performance.view``."""
    found: ReportFile = get_or_404(
        user, ReportFile.objects.all(), permissions.PERFORMANCE_VIEW, pk=pk
    )
    return found


def services_for(user: User) -> list[tuple[str, str]]:
    return [
        (service.slug, str(service.name))
        for service in Service.objects.for_user(user).order_by("name")
    ]
