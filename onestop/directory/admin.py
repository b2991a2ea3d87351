"""Django admin for superusers (tenant tables are shown across organisations, unscoped)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from onestop.core.admin import OrganisationOwnedAdmin
from onestop.core.errors import ServiceError
from onestop.directory import services
from onestop.directory.models import (
    AccessPoint,
    AccessPointShare,
    ExceptionSession,
    LgslService,
    MailDomain,
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


@admin.register(MailDomain)
class MailDomainAdmin(OrganisationOwnedAdmin):
    """Superusers (system administrators) see every organisation's mail domains and may verify
    one without a DNS proof; a domain another organisation verified is refused."""

    list_display = ["domain", "organisation", "verified_at", "verified_by"]
    list_filter = ["organisation", "verified_by"]
    search_fields = ["domain"]
    readonly_fields = ["organisation", "domain", "token", "claim", "verified_at", "verified_by"]
    actions = ["verify"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Verify the selected domains (system administrator)")
    def verify(self, request: HttpRequest, queryset: QuerySet[MailDomain]) -> None:
        for mail_domain in queryset.select_related("organisation"):
            try:
                services.verify_mail_domain(
                    mail_domain.organisation,
                    by=request.user if request.user.is_authenticated else None,
                    domain=mail_domain.domain,
                )
            except ServiceError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, f"{mail_domain.domain} verified", messages.SUCCESS)
