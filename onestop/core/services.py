"""Writes to the kernel's data: organisations, staff and their roles."""

from __future__ import annotations

from django.db import transaction

from onestop.core import audit, permissions
from onestop.core.models import AuditAction, Organisation, Role, RoleCode, User


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
