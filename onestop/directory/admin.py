"""Django admin for superusers (tenant tables are shown across organisations, unscoped)."""

from __future__ import annotations

from django.contrib import admin

from onestop.core.admin import OrganisationOwnedAdmin
from onestop.directory.models import (
    AccessPoint,
    AccessPointShare,
    ExceptionSession,
    LgslService,
    OpeningException,
    OpeningSession,
    OutOfHoursArrangement,
    Service,
    Team,
    TeamMembership,
)


@admin.register(LgslService)
class LgslServiceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name"]
    search_fields = ["name", "=code"]


@admin.register(Service)
class ServiceAdmin(OrganisationOwnedAdmin):
    list_display = ["name", "organisation", "lgsl"]
    list_filter = ["organisation"]
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(OrganisationOwnedAdmin):
    list_display = ["name", "service", "organisation"]
    list_filter = ["organisation"]


@admin.register(TeamMembership)
class TeamMembershipAdmin(OrganisationOwnedAdmin):
    list_display = ["team", "user", "organisation"]


@admin.register(AccessPoint)
class AccessPointAdmin(OrganisationOwnedAdmin):
    list_display = ["name", "kind", "organisation"]
    list_filter = ["organisation", "kind"]


@admin.register(AccessPointShare)
class AccessPointShareAdmin(OrganisationOwnedAdmin):
    list_display = ["access_point", "organisation", "shared_with"]


@admin.register(OpeningSession)
class OpeningSessionAdmin(OrganisationOwnedAdmin):
    list_display = ["access_point", "weekday", "opens", "closes"]


@admin.register(OpeningException)
class OpeningExceptionAdmin(OrganisationOwnedAdmin):
    list_display = ["access_point", "date", "reason"]


@admin.register(ExceptionSession)
class ExceptionSessionAdmin(OrganisationOwnedAdmin):
    list_display = ["exception", "opens", "closes"]


@admin.register(OutOfHoursArrangement)
class OutOfHoursArrangementAdmin(OrganisationOwnedAdmin):
    list_display = ["title", "access_point", "organisation"]
