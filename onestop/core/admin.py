"""Django admin for superusers.  Organisation-owned models are shown across organisations here
(``unscoped``), which is why the admin is for superusers only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from onestop.core import services
from onestop.core.models import AuditRecord, Organisation, Role, User


class PublicContentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A superuser's change here skips the services, so it moves every organisation's public
    version on itself: the residents' pages never show a cached copy from before it."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            services.every_public_content_changed()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            super().delete_model(request, obj)
            services.every_public_content_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            services.every_public_content_changed()


class OrganisationOwnedAdmin(PublicContentAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.model._default_manager.unscoped("superuser admin")  # type: ignore[no-any-return]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_superuser", False))


@admin.register(Organisation)
class OrganisationAdmin(PublicContentAdmin):
    list_display = ["name", "slug", "type", "nation", "is_active"]
    search_fields = ["name", "slug"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "code", "organisation"]
    list_filter = ["organisation"]


@admin.register(User)
class StaffAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["organisation", "is_active", "is_superuser"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("OneStop", {"fields": ("organisation", "roles", "job_title")}),
    )


@admin.register(AuditRecord)
class AuditRecordAdmin(OrganisationOwnedAdmin):
    list_display = ["organisation", "sequence", "at", "actor_label", "action", "object_type"]
    list_filter = ["organisation", "action"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
