"""Case types: create or update a type with its questions, escalation and routing rules."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from onestop.cases import queries
from onestop.cases.errors import CaseError
from onestop.cases.models import (
    CaseKind,
    CaseType,
    EscalationAction,
    EscalationRule,
    RoutingRule,
)
from onestop.cases.services._common import (
    TEXT_LIMIT,
    _check_text,
    _refuse,
    _same_organisation,
)
from onestop.cases.services.attributes import check_attribute_definitions
from onestop.cases.services.clocks import (
    _standard,
)
from onestop.core import audit
from onestop.core import services as core_services
from onestop.core.models import AuditAction, Organisation, User
from onestop.core.text import has_control_characters
from onestop.directory.models import Service, Team


# --- case types ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseTypeInput:
    code: str
    name: str
    kind: str
    service: Service
    default_team: Team
    standard_codes: Sequence[str] = ()
    attributes: Sequence[dict[str, Any]] = ()
    description: str = ""
    reopen_within_days: int = 28
    escalation: Sequence[tuple[int, str]] = ()  # (percent, EscalationAction)
    routing: Sequence[tuple[str, str, Team]] = ()  # (postcode prefix, ward, team)
    is_active: bool = True
    # The name residents read in Welsh (empty: the English name).
    name_cy: str = ""


CODE_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,59}")
REOPEN_DAYS_LIMIT = 3_650
ESCALATION_RULE_LIMIT = 20
ROUTING_RULE_LIMIT = 200


def _case_type_snapshot(case_type: CaseType) -> dict[str, Any]:
    """What an administrator can change on a case type, as plain values (for the audit)."""
    return {
        "name": case_type.name,
        "name_cy": case_type.name_cy,
        "kind": case_type.kind,
        "service": case_type.service_id,
        "default_team": case_type.default_team_id,
        "standard_codes": list(case_type.standard_codes),
        "attributes": case_type.attributes,
        "description": case_type.description,
        "reopen_within_days": case_type.reopen_within_days,
        "is_active": case_type.is_active,
        "escalation": sorted(
            [rule.percent, rule.action] for rule in case_type.escalation_rules.all()
        ),
        "routing": sorted(
            [rule.postcode_prefix, rule.ward, rule.team_id]
            for rule in case_type.routing_rules.all()
        ),
    }


def save_case_type(
    organisation: Organisation, *, by: User | None, data: CaseTypeInput, new: bool = False
) -> CaseType:
    """Create or update the case type ``data.code`` with its escalation and routing rules
    (``new``: only create; refused when the code is taken)."""
    checked = _check_case_type(organisation, data)
    with transaction.atomic():
        case_type = CaseType.objects.for_organisation(organisation).filter(code=data.code).first()
        created = case_type is None
        if new and not created:
            _refuse(
                CaseError.INVALID_ATTRIBUTE,
                _("A case type with code %(code)s already exists: choose another code")
                % {"code": data.code},
                "code",
            )
        if case_type is None:
            case_type = CaseType(organisation=organisation, code=data.code)
        before = {} if created else _case_type_snapshot(case_type)
        case_type.name = checked.name
        case_type.name_cy = checked.name_cy
        case_type.kind = data.kind
        case_type.service = data.service
        case_type.default_team = data.default_team
        case_type.standard_codes = list(data.standard_codes)
        case_type.attributes = checked.attributes
        case_type.description = checked.description
        case_type.reopen_within_days = data.reopen_within_days
        case_type.is_active = data.is_active
        case_type.save()
        _keep_escalation_rules(case_type, set(data.escalation))
        _keep_routing_rules(
            case_type,
            {
                (queries.postcode_key(prefix), ward.strip(), team.pk)
                for prefix, ward, team in data.routing
            },
        )
        changes = audit.changed_fields(before, _case_type_snapshot(case_type))
        if created or changes:
            audit.record(
                organisation=organisation,
                by=by,
                action=AuditAction.CREATED if created else AuditAction.CHANGED,
                obj=case_type,
                summary=f"Case type {data.code} saved",
                changes={} if created else changes,
            )
        # Its name, service and state show in the residents' list of forms.
        core_services.public_content_changed(organisation)
    return case_type


@dataclass(frozen=True)
class _CheckedCaseType:
    name: str
    name_cy: str
    description: str
    attributes: list[dict[str, Any]]


def _check_case_type(organisation: Organisation, data: CaseTypeInput) -> _CheckedCaseType:
    """``data`` checked (refused with the first thing to fix), with its texts trimmed and its
    questions cleaned."""
    if not isinstance(data.code, str) or not CODE_PATTERN.fullmatch(data.code):
        _refuse(
            CaseError.INVALID_ATTRIBUTE,
            _(
                "Give the case type a code of up to 60 lower case letters, digits and hyphens, "
                "like missed-bin"
            ),
            "code",
        )
    name = _check_text(data.name, field=_("name"), error_field="name", limit=200, required=True)
    name_cy = _check_text(data.name_cy, field=_("name in Welsh"), error_field="name_cy", limit=200)
    if has_control_characters(name_cy):  # residents read it
        _refuse(
            CaseError.INVALID_ATTRIBUTE,
            _(
                "Remove the special characters from the name in Welsh: only ordinary text is "
                "allowed"
            ),
            "name_cy",
        )
    description = _check_text(
        data.description, field=_("description"), error_field="description", limit=TEXT_LIMIT
    )
    if not 0 <= data.reopen_within_days <= REOPEN_DAYS_LIMIT:
        _refuse(
            CaseError.INVALID_ATTRIBUTE,
            _("The reopening period must be from 0 to %(limit)s days")
            % {"limit": REOPEN_DAYS_LIMIT},
            "reopen_within_days",
        )
    if len(data.escalation) > ESCALATION_RULE_LIMIT:
        _refuse(
            CaseError.TOO_MANY,
            _("Give at most %(limit)s escalation rules") % {"limit": ESCALATION_RULE_LIMIT},
            "escalation",
        )
    _check_routing(organisation, data)
    if data.kind not in CaseKind.values:
        _refuse(CaseError.UNKNOWN_TYPE, _("Choose a kind of case from the list"), "kind")
    attributes = check_attribute_definitions(list(data.attributes))
    for code in data.standard_codes:
        _standard(organisation.pk, code, data.service.pk)
    actions = set(EscalationAction.values)
    for percent, action in data.escalation:
        if action not in actions or not 1 <= percent <= 500:
            _refuse(
                CaseError.INVALID_ATTRIBUTE,
                _("Escalation needs a percentage from 1 to 500 and an action"),
                "escalation",
            )
    return _CheckedCaseType(
        name=name, name_cy=name_cy, description=description, attributes=attributes
    )


def _check_routing(organisation: Organisation, data: CaseTypeInput) -> None:
    """At most ``ROUTING_RULE_LIMIT`` rules, each for its own ward or postcode area, and the
    service and every team the organisation's own."""
    if len(data.routing) > ROUTING_RULE_LIMIT:
        _refuse(
            CaseError.TOO_MANY,
            _("Give at most %(limit)s routing rules") % {"limit": ROUTING_RULE_LIMIT},
            "routing",
        )
    areas: set[tuple[str, str]] = set()
    for prefix, ward, _team in data.routing:
        area = (queries.postcode_key(prefix), _check_text(ward, field=_("ward"), limit=100))
        if area == ("", "") or area in areas:
            _refuse(
                CaseError.INVALID_ATTRIBUTE,
                _("Each routing rule needs its own ward or postcode area"),
                "routing",
            )
        areas.add(area)
    for obj in (data.service, data.default_team, *(team for _p, _w, team in data.routing)):
        _same_organisation(
            obj, organisation.pk, _("Choose services and teams of your own organisation")
        )


def _keep_escalation_rules(case_type: CaseType, wanted: set[tuple[int, str]]) -> None:
    """The type's escalation rules become ``wanted`` (percent, action): rules that stay are kept
    (their identity makes each escalation happen once per case), the others removed (applied
    escalations keep their percent and action)."""
    for rule in case_type.escalation_rules.all():
        if (rule.percent, rule.action) in wanted:
            wanted.discard((rule.percent, rule.action))
        else:
            rule.delete()
    for percent, action in sorted(wanted):
        EscalationRule(
            organisation_id=case_type.organisation_id,
            case_type=case_type,
            percent=percent,
            action=action,
        ).save(force_insert=True)


def _keep_routing_rules(case_type: CaseType, wanted: set[tuple[str, str, int]]) -> None:
    """The type's routing rules become ``wanted`` (postcode prefix, ward, team id)."""
    for rule in case_type.routing_rules.all():
        key = (rule.postcode_prefix, rule.ward, rule.team_id)
        if key in wanted:
            wanted.discard(key)
        else:
            rule.delete()
    for prefix, ward, team_id in sorted(wanted):
        RoutingRule(
            organisation_id=case_type.organisation_id,
            case_type=case_type,
            postcode_prefix=prefix,
            ward=ward,
            team_id=team_id,
        ).save(force_insert=True)
