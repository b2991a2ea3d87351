"""Writes to the kernel's data: organisations, staff and their roles."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from onestop.core import audit, permissions, public_rows, reporting
from onestop.core.models import (
    AuditAction,
    Organisation,
    Role,
    RoleCode,
    User,
)


def public_content_changed(*organisations: Organisation | int | None) -> None:
    """Something the residents' pages of ``organisations`` show has just changed (a service's
    phone number, an office's hours, a standard, a published form): move their
    ``public_version`` on, so the cached copies of those reads (``portal.queries``) are
    read afresh, and drop the organisations' rows the residents' pages keep for a few seconds
    (``core.public_rows``).  Call it inside the write's transaction, after the
    write: the new version is then never seen with the old data, whatever process reads it.
    ``None`` is ignored."""
    ids = sorted(
        {
            item.pk if isinstance(item, Organisation) else item
            for item in organisations
            if item is not None
        }
    )
    if ids:
        changed = Organisation.objects.filter(pk__in=ids)
        changed.update(public_version=F("public_version") + 1)
        public_rows.forget(changed.values_list("slug", flat=True))


def every_public_content_changed() -> None:
    """As ``public_content_changed`` for every organisation: for the Django admin, whose
    superusers change rows directly (rarely), where working out whose pages show a row is
    not worth the risk of missing one."""
    Organisation.objects.update(public_version=F("public_version") + 1)
    public_rows.forget(Organisation.objects.values_list("slug", flat=True))


def ensure_default_roles(organisation: Organisation) -> list[Role]:
    """Give an organisation the standard roles it lacks; existing mappings are left as edited."""
    roles = []
    with transaction.atomic():
        for code, actions in permissions.DEFAULT_ROLES.items():
            role, _created = Role.objects.get_or_create(
                organisation=organisation,
                code=code,
                defaults={"name": str(RoleCode(code).label), "actions": sorted(actions)},
            )
            roles.append(role)
    return roles


def set_role_actions(role: Role, *, by: User, actions: list[str]) -> Role:
    unknown = sorted(set(actions) - permissions.ALL_ACTIONS)
    if unknown:
        raise ValueError(f"Unknown actions: {', '.join(unknown)}")
    with transaction.atomic():
        before = sorted(role.actions)
        role.actions = sorted(set(actions))
        role.save(update_fields=["actions", "updated_at"])
        audit.record(
            organisation=role.organisation_id,
            by=by,
            action=AuditAction.CHANGED,
            obj=role,
            summary=f"Role {role.code} actions changed",
            changes={"actions": [before, role.actions]},
        )
    return role


def set_user_roles(user: User, *, by: User | None, role_codes: list[str]) -> User:
    """Give ``user`` exactly these roles of their own organisation."""
    if user.organisation_id is None:
        raise ValueError("A user without an organisation cannot hold roles.")
    with transaction.atomic():
        roles = list(Role.objects.filter(organisation_id=user.organisation_id, code__in=role_codes))
        missing = sorted(set(role_codes) - {role.code for role in roles})
        if missing:
            raise ValueError(f"Unknown roles: {', '.join(missing)}")
        before = sorted(user.roles.values_list("code", flat=True))
        user.roles.set(roles)
        permissions.forget_actions(user)
        audit.record(
            organisation=user.organisation_id,
            by=by,
            action=AuditAction.CHANGED,
            obj=user,
            summary=f"Roles of {user.username} changed",
            changes={"roles": [before, sorted(role_codes)]},
        )
    return user


def record_report_run(
    definition: reporting.ReportDefinition,
    output: reporting.ReportOutput,
    *,
    file_format: str = "",
    ip_address: str | None = None,
) -> None:
    """Audit one showing (``file_format`` empty) or export (``csv``, ``xlsx``, ``pdf``) of a
    registered report, by ``output.request.by`` (``None`` for the command line and the worker).
    A report holds counts, not personal data, but who looked at which figures, for which period
    and service, and in which file, is kept like any other read."""
    request = output.request
    with transaction.atomic():
        audit.record(
            organisation=request.organisation,
            by=request.by,
            action=AuditAction.EXPORTED if file_format else AuditAction.VIEWED,
            object_type=definition.object_type,
            object_id=definition.code,
            summary=f"{definition.code} {request.period.first.isoformat()} to "
            f"{request.period.last.isoformat()}",
            changes={
                "from": request.period.first.isoformat(),
                "to": request.period.last.isoformat(),
                "service": request.service,
                "format": file_format or "page",
            },
            ip_address=ip_address,
        )
