"""REST endpoints of the directory, mounted at ``/api/v1/directory/``.

Scoped to the caller's organisation; access points shared with it are included (read-only,
``shared: true``).  Anything else of another organisation answers 404.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from onestop.core import permissions
from onestop.core.access import require
from onestop.core.http import staff_user
from onestop.core.models import User
from onestop.directory import queries
from onestop.directory.models import AccessPoint
from onestop.directory.schemas import (
    AccessPointDetailOut,
    AccessPointOut,
    DayOut,
    ExceptionOut,
    LgslOut,
    OutOfHoursOut,
    ServiceOut,
    SessionOut,
)

router = Router(tags=["directory"])


def _user(request: HttpRequest) -> User:
    return staff_user(request)


def _access_point_out(user: User, point: AccessPoint) -> AccessPointOut:
    return AccessPointOut(
        id=point.pk,
        kind=point.kind,
        name=point.name,
        address=point.address,
        phone=point.phone,
        organisation=point.organisation.slug,
        shared=queries.is_shared_with_user(user, point),
    )


@router.get("/services", response=list[ServiceOut], summary="Services of your organisation")
def list_services(request: HttpRequest, q: str = "") -> list[ServiceOut]:
    user = _user(request)
    require(user, permissions.DIRECTORY_VIEW)
    return [
        ServiceOut(
            id=service.pk,
            name=service.name,
            slug=service.slug,
            description=service.description,
            lgsl=LgslOut(code=service.lgsl.code, name=service.lgsl.name) if service.lgsl else None,
        )
        for service in queries.services_for(user, q[:100])
    ]


@router.get("/services/{service_id}", response=ServiceOut, summary="One service")
def get_service(request: HttpRequest, service_id: int) -> ServiceOut:
    service = queries.get_service_for(_user(request), service_id)
    return ServiceOut(
        id=service.pk,
        name=service.name,
        slug=service.slug,
        description=service.description,
        lgsl=LgslOut(code=service.lgsl.code, name=service.lgsl.name) if service.lgsl else None,
    )


@router.get(
    "/access-points",
    response=list[AccessPointOut],
    summary="Access points of your organisation and those shared with it",
)
def list_access_points(request: HttpRequest) -> list[AccessPointOut]:
    user = _user(request)
    require(user, permissions.DIRECTORY_VIEW)
    return [_access_point_out(user, point) for point in queries.access_points_for(user)]


@router.get(
    "/access-points/{access_point_id}",
    response=AccessPointDetailOut,
    summary="One access point with its weekly hours, date exceptions and out-of-hours cover",
)
def get_access_point(request: HttpRequest, access_point_id: int) -> AccessPointDetailOut:
    user = _user(request)
    point = queries.get_access_point_for(user, access_point_id)
    summary = _access_point_out(user, point)
    return AccessPointDetailOut(
        **summary.dict(),
        hours=[
            DayOut(
                weekday=day.weekday,
                day=day.label,
                sessions=[SessionOut(opens=s.opens, closes=s.closes) for s in day.sessions],
            )
            for day in queries.weekly_hours(point)
        ],
        exceptions=[
            ExceptionOut(
                date=exception.date,
                reason=exception.reason,
                sessions=[
                    SessionOut(opens=s.opens, closes=s.closes) for s in exception.sessions.all()
                ],
            )
            for exception in queries.exceptions_of(point)
        ],
        out_of_hours=[
            OutOfHoursOut(
                title=arrangement.title,
                contact=arrangement.contact,
                phone=arrangement.phone,
                details=arrangement.details,
                starts_weekday=arrangement.starts_weekday,
                starts_at=arrangement.starts_at,
                ends_weekday=arrangement.ends_weekday,
                ends_at=arrangement.ends_at,
            )
            for arrangement in queries.out_of_hours_of(point)
        ],
    )
