"""Every write of standards and calendars: one transaction, audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core import audit
from onestop.core import services as core_services
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, Organisation, User
from onestop.standards import clock
from onestop.standards.errors import StandardsError
from onestop.standards.models import CalendarVersion, ClosureDay, Standard, StandardTarget


def _bump_calendar_version(organisation: Organisation) -> int:
    """The next calendar version.  An organisation without a row is at version 1
    (``queries.calendar_version_of``), so its first change makes version 2: deadlines stored at
    version 1 must be seen as older than the calendar that has the new closure day."""
    version: CalendarVersion
    version, created = CalendarVersion.objects.for_organisation(organisation).get_or_create(
        organisation=organisation, defaults={"number": 2, "changed_at": timezone.now()}
    )
    if not created:
        CalendarVersion.objects.for_organisation(organisation).filter(pk=version.pk).update(
            number=F("number") + 1, changed_at=timezone.now()
        )
        version.refresh_from_db(fields=["number"])
    number: int = version.number
    return number


def add_closure_day(
    organisation: Organisation, *, by: User | None, day: date, reason: str
) -> ClosureDay:
    """Close the organisation on ``day`` (a weekday that is not already a bank holiday)."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(
            StandardsError.REASON_REQUIRED, _("Enter why the council is closed"), field="reason"
        )
    if not clock.DEFAULT_FIRST_YEAR <= day.year <= clock.DEFAULT_LAST_YEAR:
        raise ServiceError(
            StandardsError.CLOSURE_DAY_OUT_OF_RANGE,
            _("Enter a date between 2000 and 2060"),
            field="day",
        )
    calendar = clock.nation_calendar(clock.ORGANISATION_NATIONS[organisation.nation])
    if not calendar.is_working_day(day):
        raise ServiceError(
            StandardsError.CLOSURE_DAY_NOT_WORKING_DAY,
            _("Enter a weekday that is not a bank holiday"),
            field="day",
        )
    with transaction.atomic():
        if ClosureDay.objects.for_organisation(organisation).filter(date=day).exists():
            raise ServiceError(
                StandardsError.CLOSURE_DAY_EXISTS,
                _("The council is already closed on that date"),
                field="day",
            )
        closure: ClosureDay = ClosureDay.objects.create(
            organisation=organisation, date=day, reason=reason
        )
        version = _bump_calendar_version(organisation)
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.CREATED,
            obj=closure,
            summary=f"Closure day {day.isoformat()} added (calendar version {version})",
            changes={"date": [None, day.isoformat()], "reason": [None, reason]},
        )
    return closure


def remove_closure_day(closure: ClosureDay, *, by: User | None) -> int:
    """Open the organisation again on a closure day; returns the new calendar version."""
    with transaction.atomic():
        organisation = closure.organisation
        day, closure_id = closure.date, closure.pk
        ClosureDay.objects.for_organisation(organisation).filter(pk=closure_id).delete()
        version = _bump_calendar_version(organisation)
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.DELETED,
            object_type=audit.object_type_of(ClosureDay),
            object_id=str(closure_id),
            summary=f"Closure day {day.isoformat()} removed (calendar version {version})",
            changes={"date": [day.isoformat(), None]},
        )
    return version


def save_standard(
    organisation: Organisation,
    *,
    by: User | None,
    code: str,
    title: str,
    applies_to: str,
    start_event: str,
    stop_event: str,
    amount: int | None,
    unit: str,
    target_percent: Decimal,
    calendar: str = "organisation",
    service_id: int | None = None,
    source: str = "",
    title_cy: str | None = None,
) -> Standard:
    """Create or update the standard ``code`` (for ``service_id``, if given); ``title_cy``
    left as ``None`` stays as it is."""
    values: dict[str, Any] = {
        "title": title,
        "applies_to": applies_to,
        "start_event": start_event,
        "stop_event": stop_event,
        "amount": amount,
        "unit": unit,
        "target_percent": target_percent,
        "calendar": calendar,
        "source": source,
    }
    if title_cy is not None:
        values["title_cy"] = title_cy
    with transaction.atomic():
        standard: Standard | None = (
            Standard.objects.for_organisation(organisation)
            .filter(code=code, service_id=service_id)
            .first()
        )
        if standard is None:
            created_standard: Standard = Standard.objects.create(
                organisation=organisation, code=code, service_id=service_id, **values
            )
            audit.record(
                organisation=organisation,
                by=by,
                action=AuditAction.CREATED,
                obj=created_standard,
                summary=f"Standard {code} created",
            )
            core_services.public_content_changed(organisation)
            return created_standard
        before = {name: getattr(standard, name) for name in values}
        changes = audit.changed_fields(before, values)
        if changes:
            for name in changes:
                setattr(standard, name, values[name])
            standard.save(update_fields=[*changes, "updated_at"])
            audit.record(
                organisation=organisation,
                by=by,
                action=AuditAction.CHANGED,
                obj=standard,
                summary=f"Standard {code} changed",
                changes={name: [str(old), str(new)] for name, (old, new) in changes.items()},
            )
            core_services.public_content_changed(organisation)
    return standard


def change_standard(
    standard: Standard,
    *,
    by: User | None,
    title: str,
    amount: int | None,
    unit: str,
    target_percent: Decimal,
    title_cy: str | None = None,
) -> Standard:
    """Change a standard's title, time limit or target (an administrator's edit)."""
    return save_standard(
        standard.organisation,
        by=by,
        code=standard.code,
        title=title,
        applies_to=standard.applies_to,
        start_event=standard.start_event,
        stop_event=standard.stop_event,
        amount=amount,
        unit=unit or "",
        target_percent=target_percent,
        calendar=standard.calendar,
        service_id=standard.service_id,
        source=standard.source,
        title_cy=title_cy,
    )


def set_standard_target(
    standard: Standard, *, by: User | None, year: int, target_percent: Decimal
) -> StandardTarget:
    """Record the target share in force from ``year`` on."""
    with transaction.atomic():
        target: StandardTarget
        target, created = StandardTarget.objects.for_organisation(
            standard.organisation_id
        ).get_or_create(
            organisation_id=standard.organisation_id,
            standard=standard,
            year=year,
            defaults={"target_percent": target_percent},
        )
        if not created and target.target_percent == target_percent:
            return target
        old = None if created else str(target.target_percent)
        if not created:
            target.target_percent = target_percent
            target.save(update_fields=["target_percent"])
        audit.record(
            organisation=standard.organisation_id,
            by=by,
            action=AuditAction.CREATED if created else AuditAction.CHANGED,
            obj=target,
            summary=f"Target of {standard.code} from {year}: {target_percent}%",
            changes={"target_percent": [old, str(target_percent)]},
        )
        core_services.public_content_changed(standard.organisation_id)
    return target


def remove_standard(standard: Standard, *, by: User | None) -> None:
    """Remove a standard and its target history (audited).  Clocks already started keep their
    own copy of the time limit, so cases running on it keep their deadlines."""
    with transaction.atomic():
        organisation, code, standard_id = standard.organisation, standard.code, standard.pk
        StandardTarget.objects.for_organisation(organisation).filter(
            standard_id=standard_id
        ).delete()
        Standard.objects.for_organisation(organisation).filter(pk=standard_id).delete()
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.DELETED,
            object_type=audit.object_type_of(Standard),
            object_id=str(standard_id),
            summary=f"Standard {code} removed",
            changes={"code": [code, None], "title": [standard.title, None]},
        )
        core_services.public_content_changed(organisation)
