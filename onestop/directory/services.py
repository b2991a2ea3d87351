"""Every write to the directory: typed functions, one transaction each, audited inside it.

``by`` is the acting member of staff; ``None`` means the system itself (the demo loader and the
LGSL importer run from the command line).  A rejected request raises ``ServiceError`` with a
``DirectoryError`` code and changes nothing.
"""

from __future__ import annotations

import datetime
import itertools
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from onestop.core import audit, geo
from onestop.core import services as core_services
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, Organisation, Role, User
from onestop.directory import dns, postcodes
from onestop.directory.errors import DirectoryError
from onestop.directory.models import (
    AccessPoint,
    AccessPointShare,
    DomainClaim,
    DomainVerification,
    ExceptionSession,
    LgslService,
    MailDomain,
    OpeningException,
    OpeningSession,
    OutOfHoursArrangement,
    PostcodeDistrict,
    Service,
    Team,
    TeamMembership,
)

Session = tuple[datetime.time, datetime.time]


# --- helpers (no transactions of their own) -----------------------------------------------------
def _snapshot(obj: Model, fields: Iterable[str]) -> dict[str, Any]:
    values = {name: audit.plain(getattr(obj, name)) for name in fields}
    # Degrees (a boundary's edges) as text, as JSON keeps them exactly.
    return {
        name: f"{value:.6f}" if isinstance(value, Decimal) else value
        for name, value in values.items()
    }


def _delete(obj: Model, *, by: User | None, summary: str, shown_by: Sequence[int] = ()) -> None:
    """Remove one row, writing its audit record in the same transaction (and moving on the
    public version of ``shown_by``, the organisations whose residents' pages showed it)."""
    with transaction.atomic():
        audit.record_change(obj, by=by, action=AuditAction.DELETED, summary=summary)
        obj.delete()
        core_services.public_content_changed(*shown_by)


def _shown_by(access_point: AccessPoint) -> list[int]:
    """The organisations whose residents' pages show ``access_point``: its own, and each one
    it is shared with ("Run by ..., shared with us")."""
    shared = AccessPointShare.objects.for_organisation(access_point.organisation_id).filter(
        access_point_id=access_point.pk
    )
    return [access_point.organisation_id, *shared.values_list("shared_with_id", flat=True)]


def _lgsl_for(code: int | None) -> LgslService | None:
    if code is None:
        return None
    found = LgslService.objects.filter(code=code).first()
    if found is None:
        raise ServiceError(
            DirectoryError.UNKNOWN_LGSL_CODE,
            _(
                "LGSL code %(code)s is not in the service list: enter a code from the list, "
                "or leave it empty (unknown codes are refused)"
            )
            % {"code": code},
            field="lgsl_code",
        )
    return found


def check_sessions(sessions: Sequence[Session], *, field: str = "opens") -> list[Session]:
    """The sessions in order, or ``ServiceError`` if one closes before it opens or two overlap."""
    ordered = sorted(sessions)
    for opens, closes in ordered:
        if closes <= opens:
            raise ServiceError(
                DirectoryError.CLOSES_BEFORE_OPENS,
                _("The closing time must be after the opening time (%(opens)s to %(closes)s)")
                % {"opens": f"{opens:%H:%M}", "closes": f"{closes:%H:%M}"},
                field="closes",
            )
    for (first_opens, first_closes), (next_opens, next_closes) in itertools.pairwise(ordered):
        if next_opens < first_closes:
            raise ServiceError(
                DirectoryError.OVERLAPPING_SESSION,
                _("Sessions on the same day must not overlap: %(first)s overlaps %(second)s")
                % {
                    "first": f"{first_opens:%H:%M} to {first_closes:%H:%M}",
                    "second": f"{next_opens:%H:%M} to {next_closes:%H:%M}",
                },
                field=field,
            )
    return ordered


def _refuse_duplicate(exists: bool, message: str, field: str = "name") -> None:
    if exists:
        raise ServiceError(DirectoryError.DUPLICATE_NAME, message, field=field)


def _same_organisation(obj: Model, organisation_id: int | None, message: str) -> None:
    if getattr(obj, "organisation_id", None) != organisation_id:
        raise ServiceError(DirectoryError.WRONG_ORGANISATION, message)


# --- organisations ------------------------------------------------------------------------------
ORGANISATION_FIELDS = (
    "name",
    "type",
    "nation",
    "branding_text",
    "offers_welsh",
    "boundary_south",
    "boundary_north",
    "boundary_west",
    "boundary_east",
)
#: ``update_organisation``'s ``boundary`` when the boundary is to stay as it is.
UNCHANGED = object()


def check_boundary(boundary: geo.Box) -> geo.Box:
    """``boundary`` with its edges to six decimal places, refused unless its south is below its
    north, its west left of its east, and it lies in the United Kingdom."""
    places = Decimal("0.000001")
    box = geo.Box(
        south=Decimal(boundary.south).quantize(places),
        north=Decimal(boundary.north).quantize(places),
        west=Decimal(boundary.west).quantize(places),
        east=Decimal(boundary.east).quantize(places),
    )
    if box.south >= box.north:
        raise ServiceError(
            DirectoryError.INVALID_BOUNDARY,
            _("The southern edge must be south of (less than) the northern edge"),
            field="boundary_south",
        )
    if box.west >= box.east:
        raise ServiceError(
            DirectoryError.INVALID_BOUNDARY,
            _("The western edge must be west of (less than) the eastern edge"),
            field="boundary_west",
        )
    if not geo.UNITED_KINGDOM.holds(box):
        raise ServiceError(
            DirectoryError.INVALID_BOUNDARY,
            _(
                "The boundary must be in the United Kingdom: latitudes from 49.8 to 60.95 and "
                "longitudes from -8.7 to 1.9"
            ),
            field="boundary_south",
        )
    return box


def update_organisation(
    organisation: Organisation,
    *,
    by: User | None,
    name: str,
    type: str,
    nation: str,
    branding_text: str,
    offers_welsh: bool | None = None,
    boundary: geo.Box | object | None = UNCHANGED,
) -> Organisation:
    """Change the organisation's details; ``boundary`` (a box, or ``None`` for none) is the
    area points on its cases must be in, left as it is unless given."""
    if isinstance(boundary, geo.Box):
        boundary = check_boundary(boundary)
    with transaction.atomic():
        before = _snapshot(organisation, ORGANISATION_FIELDS)
        organisation.name = name
        organisation.type = type
        organisation.nation = nation
        organisation.branding_text = branding_text
        if offers_welsh is not None:
            organisation.offers_welsh = offers_welsh
        if boundary is None or isinstance(boundary, geo.Box):
            for edge in ("south", "north", "west", "east"):
                value = getattr(boundary, edge) if boundary is not None else None
                setattr(organisation, f"boundary_{edge}", value)
        organisation.full_clean()
        organisation.save(update_fields=[*ORGANISATION_FIELDS, "updated_at"])
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.CHANGED,
            obj=organisation,
            summary=f"Organisation {organisation.slug} changed",
            changes=audit.changed_fields(before, _snapshot(organisation, ORGANISATION_FIELDS)),
        )
        # Its name shows on the pages of the partners it shares offices with ("Run by ...").
        partners = AccessPointShare.objects.for_organisation(organisation).values_list(
            "shared_with_id", flat=True
        )
        core_services.public_content_changed(organisation, *partners)
    return organisation


def create_organisation(
    *, by: User | None, slug: str, name: str, type: str, nation: str, branding_text: str = ""
) -> Organisation:
    """A new organisation (a council or partner agency) with the default roles."""
    with transaction.atomic():
        _refuse_duplicate(
            Organisation.objects.filter(slug=slug).exists(),
            _("There is already an organisation %(slug)s") % {"slug": slug},
            field="slug",
        )
        organisation = Organisation(
            slug=slug, name=name, type=type, nation=nation, branding_text=branding_text
        )
        organisation.full_clean()
        organisation.save(force_insert=True)
        core_services.ensure_default_roles(organisation)
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.CREATED,
            obj=organisation,
            summary=f"Organisation {slug} created",
            changes=_snapshot(organisation, ("slug", *ORGANISATION_FIELDS)),
        )
    return organisation


# --- services -----------------------------------------------------------------------------------
SERVICE_FIELDS = (
    "name",
    "slug",
    "lgsl",
    "description",
    "phone",
    "email",
    "name_cy",
    "description_cy",
)


def _check_service_name(organisation_id: int, name: str, *, exclude: int | None = None) -> str:
    slug = slugify(name)[:200]
    others = Service.objects.for_organisation(organisation_id).exclude(pk=exclude)
    _refuse_duplicate(
        others.filter(name__iexact=name).exists() or others.filter(slug=slug).exists(),
        _("There is already a service called %(name)s") % {"name": name},
    )
    return slug


def create_service(
    organisation: Organisation,
    *,
    by: User | None,
    name: str,
    description: str = "",
    lgsl_code: int | None = None,
    phone: str = "",
    email: str = "",
    name_cy: str = "",
    description_cy: str = "",
) -> Service:
    with transaction.atomic():
        slug = _check_service_name(organisation.pk, name)
        service = Service(
            organisation=organisation,
            name=name,
            slug=slug,
            description=description,
            lgsl=_lgsl_for(lgsl_code),
            phone=phone,
            email=email,
            name_cy=name_cy,
            description_cy=description_cy,
        )
        service.save(force_insert=True)
        audit.record_change(
            service,
            by=by,
            action=AuditAction.CREATED,
            summary=f"Service {name} created",
            changes=_snapshot(service, SERVICE_FIELDS),
        )
        core_services.public_content_changed(organisation)
    return service


def update_service(
    service: Service,
    *,
    by: User | None,
    name: str,
    description: str,
    lgsl_code: int | None,
    phone: str | None = None,
    email: str | None = None,
    name_cy: str | None = None,
    description_cy: str | None = None,
) -> Service:
    """``phone``, ``email`` and the Welsh words left as ``None`` stay as they are."""
    with transaction.atomic():
        before = _snapshot(service, SERVICE_FIELDS)
        service.slug = _check_service_name(service.organisation_id, name, exclude=service.pk)
        service.lgsl = _lgsl_for(lgsl_code)
        service.name = name
        service.description = description
        if phone is not None:
            service.phone = phone
        if email is not None:
            service.email = email
        if name_cy is not None:
            service.name_cy = name_cy
        if description_cy is not None:
            service.description_cy = description_cy
        service.save(update_fields=[*SERVICE_FIELDS, "updated_at"])
        audit.record_change(
            service,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Service {name} changed",
            changes=audit.changed_fields(before, _snapshot(service, SERVICE_FIELDS)),
        )
        core_services.public_content_changed(service.organisation_id)
    return service


# --- teams --------------------------------------------------------------------------------------
TEAM_FIELDS = ("service", "name", "email", "phone")


def _check_team_name(service: Service, name: str, *, exclude: int | None = None) -> None:
    _refuse_duplicate(
        Team.objects.for_organisation(service.organisation_id)
        .filter(service=service, name__iexact=name)
        .exclude(pk=exclude)
        .exists(),
        _("%(service)s already has a team called %(name)s")
        % {"service": service.name, "name": name},
    )


def create_team(
    service: Service, *, by: User | None, name: str, email: str = "", phone: str = ""
) -> Team:
    with transaction.atomic():
        _check_team_name(service, name)
        team = Team(
            organisation_id=service.organisation_id,
            service=service,
            name=name,
            email=email,
            phone=phone,
        )
        team.save(force_insert=True)
        audit.record_change(
            team,
            by=by,
            action=AuditAction.CREATED,
            summary=f"Team {name} created",
            changes=_snapshot(team, TEAM_FIELDS),
        )
    return team


def update_team(
    team: Team, *, by: User | None, service: Service, name: str, email: str, phone: str
) -> Team:
    _same_organisation(
        service, team.organisation_id, _("Choose a service of your own organisation")
    )
    with transaction.atomic():
        before = _snapshot(team, TEAM_FIELDS)
        _check_team_name(service, name, exclude=team.pk)
        team.service = service
        team.name = name
        team.email = email
        team.phone = phone
        team.save(update_fields=[*TEAM_FIELDS, "updated_at"])
        audit.record_change(
            team,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Team {name} changed",
            changes=audit.changed_fields(before, _snapshot(team, TEAM_FIELDS)),
        )
    return team


def add_team_member(team: Team, *, by: User | None, user: User) -> TeamMembership:
    _same_organisation(
        team, user.organisation_id, _("Choose a member of staff of your own organisation")
    )
    with transaction.atomic():
        if team.memberships.filter(user=user).exists():
            raise ServiceError(
                DirectoryError.ALREADY_MEMBER,
                _("%(name)s is already in this team") % {"name": user.display_name},
                field="user",
            )
        membership = TeamMembership(organisation_id=team.organisation_id, team=team, user=user)
        membership.save(force_insert=True)
        audit.record_change(
            membership,
            by=by,
            action=AuditAction.CREATED,
            summary=f"{user.username} joined team {team.name}",
        )
    return membership


def remove_team_member(membership: TeamMembership, *, by: User | None) -> None:
    _delete(
        membership, by=by, summary=f"{membership.user.username} left team {membership.team.name}"
    )


# --- staff --------------------------------------------------------------------------------------
def set_staff_roles(staff: User, *, by: User | None, role_codes: list[str]) -> User:
    """Give a member of staff exactly these roles of their organisation (audited by core)."""
    if staff.organisation_id is None:
        raise ServiceError(
            DirectoryError.WRONG_ORGANISATION, _("This person belongs to no organisation")
        )
    with transaction.atomic():
        known = set(
            Role.objects.filter(organisation_id=staff.organisation_id).values_list(
                "code", flat=True
            )
        )
        unknown = sorted(set(role_codes) - known)
        if unknown:
            raise ServiceError(
                DirectoryError.UNKNOWN_ROLE,
                _("There is no role %(codes)s in your organisation")
                % {"codes": ", ".join(unknown)},
                field="roles",
            )
        core_services.set_user_roles(staff, by=by, role_codes=sorted(set(role_codes)))
    return staff


USERNAME_NAME_LIMIT = 80


def sign_in_name(name: str, organisation: Organisation) -> str:
    """The name staff sign in with: their username within the organisation, ``@`` its slug."""
    return f"{name.strip()}@{organisation.slug}"


def create_staff(
    organisation: Organisation,
    *,
    by: User | None,
    username: str,
    first_name: str,
    last_name: str,
    password: str,
    role_codes: list[str],
    job_title: str = "",
    email: str = "",
) -> User:
    """A member of staff of ``organisation`` holding ``role_codes`` (audited).

    ``username`` is their name within the organisation; they sign in as ``username@<slug>``
    (``sign_in_name``), so usernames are unique per organisation and creating one never reveals
    another organisation's staff.  The password is a temporary one the administrator passes on;
    it must meet the password rules.  The new member of staff sets up their authenticator at
    first sign-in, then must choose their own password before anything else.
    """
    name = username.strip()
    if not name or "@" in name or len(name) > USERNAME_NAME_LIMIT:
        raise ServiceError(
            DirectoryError.INVALID_USERNAME,
            _(
                "Enter a username of up to %(limit)s characters without @: your "
                "organisation's part is added for you"
            )
            % {"limit": USERNAME_NAME_LIMIT},
            field="username",
        )
    login = sign_in_name(name, organisation)
    candidate = User(username=login, first_name=first_name, last_name=last_name, email=email)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as error:
        raise ServiceError(
            DirectoryError.WEAK_PASSWORD, " ".join(error.messages), field="password"
        ) from None
    taken = ServiceError(
        DirectoryError.DUPLICATE_NAME,
        _("The username %(username)s is taken") % {"username": login},
        field="username",
    )
    with transaction.atomic():
        # The name is unique within the organisation's own namespace (``name@slug``), which no
        # other organisation can create in: the answer never says anything about another's staff.
        if User.objects.filter(organisation=organisation, username__iexact=login).exists():
            raise taken
        try:
            with transaction.atomic():
                staff = User.objects.create_user(
                    username=login,
                    password=password,
                    first_name=first_name,
                    last_name=last_name,
                    email=email,
                    organisation=organisation,
                    job_title=job_title,
                    must_change_password=True,
                )
        except IntegrityError:
            raise taken from None
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.CREATED,
            obj=staff,
            summary=f"Staff {login} created",
        )
        set_staff_roles(staff, by=by, role_codes=role_codes)
    return staff


def deactivate_staff(staff: User, *, by: User) -> User:
    """A leaver: they can no longer sign in; their records and audit history stay."""
    if staff.pk == by.pk:
        raise ServiceError(DirectoryError.OWN_ACCOUNT, _("You cannot deactivate your own account"))
    with transaction.atomic():
        if not staff.is_active:
            return staff
        staff.is_active = False
        # Their open sessions end at their next request: the authentication backend does not
        # load inactive users.
        staff.save(update_fields=["is_active"])
        audit.record(
            organisation=staff.organisation_id or by.organisation_id or 0,
            by=by,
            action=AuditAction.CHANGED,
            obj=staff,
            summary=f"Staff {staff.username} deactivated",
            changes={"is_active": [True, False]},
        )
    return staff


# --- access points ------------------------------------------------------------------------------
ACCESS_POINT_FIELDS = (
    "kind",
    "name",
    "address",
    "phone",
    "email",
    "has_hearing_loop",
    "has_step_free_access",
    "interview_rooms",
    "name_cy",
    "address_cy",
)


def _check_access_point_name(organisation_id: int, name: str, exclude: int | None = None) -> None:
    _refuse_duplicate(
        AccessPoint.objects.for_organisation(organisation_id)
        .filter(name__iexact=name)
        .exclude(pk=exclude)
        .exists(),
        _("There is already an access point called %(name)s") % {"name": name},
    )


def create_access_point(
    organisation: Organisation,
    *,
    by: User | None,
    kind: str,
    name: str,
    address: str = "",
    phone: str = "",
    email: str = "",
    has_hearing_loop: bool = False,
    has_step_free_access: bool = False,
    interview_rooms: int = 0,
    name_cy: str = "",
    address_cy: str = "",
) -> AccessPoint:
    with transaction.atomic():
        _check_access_point_name(organisation.pk, name)
        access_point = AccessPoint(
            organisation=organisation,
            kind=kind,
            name=name,
            address=address,
            phone=phone,
            email=email,
            has_hearing_loop=has_hearing_loop,
            has_step_free_access=has_step_free_access,
            interview_rooms=interview_rooms,
            name_cy=name_cy,
            address_cy=address_cy,
        )
        access_point.save(force_insert=True)
        audit.record_change(
            access_point,
            by=by,
            action=AuditAction.CREATED,
            summary=f"Access point {name} created",
            changes=_snapshot(access_point, ACCESS_POINT_FIELDS),
        )
        core_services.public_content_changed(organisation)
    return access_point


def update_access_point(
    access_point: AccessPoint,
    *,
    by: User | None,
    kind: str,
    name: str,
    address: str,
    phone: str,
    email: str | None = None,
    has_hearing_loop: bool | None = None,
    has_step_free_access: bool | None = None,
    interview_rooms: int | None = None,
    name_cy: str | None = None,
    address_cy: str | None = None,
) -> AccessPoint:
    """The contact details, facilities and Welsh words left as ``None`` stay as they are."""
    with transaction.atomic():
        before = _snapshot(access_point, ACCESS_POINT_FIELDS)
        _check_access_point_name(access_point.organisation_id, name, exclude=access_point.pk)
        access_point.kind = kind
        access_point.name = name
        access_point.address = address
        access_point.phone = phone
        if email is not None:
            access_point.email = email
        if has_hearing_loop is not None:
            access_point.has_hearing_loop = has_hearing_loop
        if has_step_free_access is not None:
            access_point.has_step_free_access = has_step_free_access
        if interview_rooms is not None:
            access_point.interview_rooms = interview_rooms
        if name_cy is not None:
            access_point.name_cy = name_cy
        if address_cy is not None:
            access_point.address_cy = address_cy
        access_point.save(update_fields=[*ACCESS_POINT_FIELDS, "updated_at"])
        audit.record_change(
            access_point,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Access point {name} changed",
            changes=audit.changed_fields(before, _snapshot(access_point, ACCESS_POINT_FIELDS)),
        )
        core_services.public_content_changed(*_shown_by(access_point))
    return access_point


def share_access_point(
    access_point: AccessPoint, *, by: User | None, organisation: Organisation
) -> AccessPointShare:
    """Let ``organisation``'s staff see ``access_point`` and its hours (read-only)."""
    if organisation.pk == access_point.organisation_id:
        raise ServiceError(
            DirectoryError.WRONG_ORGANISATION,
            _("Choose a partner organisation, not your own"),
            field="organisation",
        )
    with transaction.atomic():
        share: AccessPointShare
        share, created = AccessPointShare.objects.for_organisation(
            access_point.organisation_id
        ).get_or_create(
            organisation_id=access_point.organisation_id,
            access_point=access_point,
            shared_with=organisation,
        )
        if created:
            audit.record_change(
                share,
                by=by,
                action=AuditAction.CREATED,
                summary=f"Access point {access_point.name} shared with {organisation.slug}",
            )
            core_services.public_content_changed(organisation)
    return share


def unshare_access_point(share: AccessPointShare, *, by: User | None) -> None:
    _delete(
        share,
        by=by,
        summary=f"Access point {share.access_point.name} no longer shared with "
        f"{share.shared_with.slug}",
        shown_by=[share.shared_with_id],
    )


# --- opening hours ------------------------------------------------------------------------------
def add_opening_session(
    access_point: AccessPoint,
    *,
    by: User | None,
    weekday: int,
    opens: datetime.time,
    closes: datetime.time,
) -> OpeningSession:
    """Add a session to the weekly pattern; it must not overlap that day's other sessions."""
    with transaction.atomic():
        existing = [
            (session.opens, session.closes)
            for session in access_point.sessions.filter(weekday=weekday)
        ]
        check_sessions([*existing, (opens, closes)])
        session = OpeningSession(
            organisation_id=access_point.organisation_id,
            access_point=access_point,
            weekday=weekday,
            opens=opens,
            closes=closes,
        )
        session.save(force_insert=True)
        audit.record_change(
            session,
            by=by,
            action=AuditAction.CREATED,
            summary=f"{access_point.name}: session {session} added",
        )
        core_services.public_content_changed(*_shown_by(access_point))
    return session


def remove_opening_session(session: OpeningSession, *, by: User | None) -> None:
    _delete(
        session,
        by=by,
        summary=f"{session.access_point.name}: session {session} removed",
        shown_by=_shown_by(session.access_point),
    )


def set_opening_exception(
    access_point: AccessPoint,
    *,
    by: User | None,
    date: datetime.date,
    reason: str,
    sessions: Sequence[Session] = (),
    reason_cy: str = "",
) -> OpeningException:
    """Replace the weekly pattern on ``date``: no sessions means closed all day."""
    ordered = check_sessions(sessions, field="sessions")
    with transaction.atomic():
        exception = access_point.exceptions.filter(date=date).first()
        action = AuditAction.CHANGED
        if exception is None:
            action = AuditAction.CREATED
            exception = OpeningException(
                organisation_id=access_point.organisation_id,
                access_point=access_point,
                date=date,
                reason=reason,
                reason_cy=reason_cy,
            )
            exception.save(force_insert=True)
        else:
            exception.reason, exception.reason_cy = reason, reason_cy
            exception.save(update_fields=["reason", "reason_cy"])
            exception.sessions.all().delete()
        ExceptionSession.objects.bulk_create(
            ExceptionSession(
                organisation_id=access_point.organisation_id,
                exception=exception,
                opens=opens,
                closes=closes,
            )
            for opens, closes in ordered
        )
        audit.record_change(
            exception,
            by=by,
            action=action,
            summary=f"{access_point.name}: exception on {date.isoformat()}",
            changes={
                "reason": reason,
                "reason_cy": reason_cy,
                "sessions": [f"{opens:%H:%M}-{closes:%H:%M}" for opens, closes in ordered],
            },
        )
        core_services.public_content_changed(*_shown_by(access_point))
    return exception


def remove_opening_exception(exception: OpeningException, *, by: User | None) -> None:
    _delete(
        exception,
        by=by,
        summary=f"{exception.access_point.name}: exception on {exception.date.isoformat()} removed",
        shown_by=_shown_by(exception.access_point),
    )


OUT_OF_HOURS_FIELDS = (
    "title",
    "contact",
    "phone",
    "details",
    "starts_weekday",
    "starts_at",
    "ends_weekday",
    "ends_at",
    "title_cy",
    "contact_cy",
    "details_cy",
)


@dataclass(frozen=True)
class OutOfHoursInput:
    title: str
    contact: str
    phone: str
    details: str
    starts_weekday: int
    starts_at: datetime.time
    ends_weekday: int
    ends_at: datetime.time
    title_cy: str = ""
    contact_cy: str = ""
    details_cy: str = ""


def _check_window(data: OutOfHoursInput) -> None:
    if (data.starts_weekday, data.starts_at) == (data.ends_weekday, data.ends_at):
        raise ServiceError(
            DirectoryError.CLOSES_BEFORE_OPENS,
            _("The arrangement must end at a different time from when it starts"),
            field="ends_at",
        )


def save_out_of_hours(
    access_point: AccessPoint,
    *,
    by: User | None,
    data: OutOfHoursInput,
    arrangement: OutOfHoursArrangement | None = None,
) -> OutOfHoursArrangement:
    """Create an out-of-hours arrangement, or change ``arrangement``."""
    _check_window(data)
    if arrangement is not None:
        _same_organisation(
            arrangement, access_point.organisation_id, _("That arrangement is not yours")
        )
    with transaction.atomic():
        _refuse_duplicate(
            access_point.out_of_hours.filter(title__iexact=data.title)
            .exclude(pk=arrangement.pk if arrangement is not None else 0)
            .exists(),
            _("This access point already has an arrangement called %(title)s")
            % {"title": data.title},
            field="title",
        )
        action = AuditAction.CHANGED
        if arrangement is None:
            action = AuditAction.CREATED
            arrangement = OutOfHoursArrangement(
                organisation_id=access_point.organisation_id, access_point=access_point
            )
        before = _snapshot(arrangement, OUT_OF_HOURS_FIELDS) if arrangement.pk else {}
        for name in OUT_OF_HOURS_FIELDS:
            setattr(arrangement, name, getattr(data, name))
        if arrangement.pk is None:
            arrangement.save(force_insert=True)
        else:
            arrangement.save(update_fields=[*OUT_OF_HOURS_FIELDS, "updated_at"])
        audit.record_change(
            arrangement,
            by=by,
            action=action,
            summary=f"{access_point.name}: out-of-hours {data.title} saved",
            changes=audit.changed_fields(before, _snapshot(arrangement, OUT_OF_HOURS_FIELDS)),
        )
        core_services.public_content_changed(*_shown_by(access_point))
    return arrangement


def remove_out_of_hours(arrangement: OutOfHoursArrangement, *, by: User | None) -> None:
    _delete(
        arrangement,
        by=by,
        summary=f"Out-of-hours {arrangement.title} removed",
        shown_by=_shown_by(arrangement.access_point),
    )


# --- LGSL import and export audit ---------------------------------------------------------------
@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def import_lgsl(entries: Sequence[tuple[int, str]]) -> ImportResult:
    """Add or rename LGSL entries (never deletes: services may point at them).  Shared reference
    data has no organisation and so no audit chain; the command reports the counts."""
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {entry.code: entry for entry in LgslService.objects.all()}
        new_entries = []
        for code, name in entries:
            current = existing.get(code)
            if current is None:
                new_entries.append(LgslService(code=code, name=name))
                created += 1
            elif current.name != name:
                current.name = name
                current.save(update_fields=["name"])
                updated += 1
            else:
                unchanged += 1
        LgslService.objects.bulk_create(new_entries)
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def import_postcode_districts(districts: Sequence[postcodes.District]) -> ImportResult:
    """Add districts' centres or move them (never deletes: a file of one region leaves the
    others).  Shared reference data has no organisation and so no audit chain; the command
    reports the counts."""
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {district.outward_code: district for district in PostcodeDistrict.objects.all()}
        new, moved = [], []
        for district in districts:
            current = existing.get(district.outward_code)
            if current is None:
                new.append(
                    PostcodeDistrict(
                        outward_code=district.outward_code,
                        latitude=district.latitude,
                        longitude=district.longitude,
                        postcodes=district.postcodes,
                    )
                )
                created += 1
            elif (current.latitude, current.longitude, current.postcodes) != (
                district.latitude,
                district.longitude,
                district.postcodes,
            ):
                current.latitude = district.latitude
                current.longitude = district.longitude
                current.postcodes = district.postcodes
                moved.append(current)
                updated += 1
            else:
                unchanged += 1
        PostcodeDistrict.objects.bulk_create(new, batch_size=1000)
        PostcodeDistrict.objects.bulk_update(
            moved, ["latitude", "longitude", "postcodes"], batch_size=1000
        )
        if new or moved:  # every organisation's map centres on them (portal's kept copies)
            core_services.every_public_content_changed()
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def record_export(
    organisation: Organisation | int, *, by: User, services: int, access_points: int
) -> None:
    """Audit a download of the directory export."""
    with transaction.atomic():
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.EXPORTED,
            object_type="directory.export",
            summary=f"Directory exported: {services} services, {access_points} access points",
            changes={"services": services, "access_points": access_points},
        )


# --- mail domains ---------------------------------------------------------------------------------
DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_domain(text: str) -> str:
    """A domain as stored and compared: trimmed, lower case, no final dot, IDNA A-labels; or
    ``ServiceError`` saying what a domain looks like."""
    bad = ServiceError(
        DirectoryError.INVALID_DOMAIN,
        _("Enter a domain name like council.gov.uk, without @ or https://"),
        field="domain",
    )
    domain = text.strip().rstrip(".").lower()
    if not domain or len(domain) > 253 or any(ch.isspace() or ord(ch) < 32 for ch in domain):
        raise bad
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise bad from None
    labels = domain.split(".")
    if len(labels) < 2 or not all(DOMAIN_LABEL.match(label) for label in labels):
        raise bad
    if labels[-1].isdigit():
        raise bad
    return domain


def add_mail_domain(organisation: Organisation, *, by: User | None, domain: str) -> MailDomain:
    """Ask to use ``domain`` for mailboxes: a pending domain with the token to publish in DNS.

    Any organisation may ask for any domain (whether another has verified it is not revealed
    here); only proof makes it theirs.  Asking again for the same domain returns the one held.
    """
    domain = normalise_domain(domain)
    with transaction.atomic():
        existing: MailDomain | None = (
            MailDomain.objects.for_organisation(organisation.pk).filter(domain=domain).first()
        )
        if existing is not None:
            return existing
        created: MailDomain = MailDomain.objects.create(
            organisation=organisation, domain=domain, token=secrets.token_urlsafe(24)
        )
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.CREATED,
            obj=created,
            summary=f"Mail domain {domain} added (not yet verified)",
            changes={"domain": domain},
        )
    return created


def _claim(mail_domain: MailDomain, *, by: User | None, method: DomainVerification) -> MailDomain:
    """Make the domain the organisation's (inside the caller's transaction)."""
    if mail_domain.claim_id is not None:
        return mail_domain
    try:
        with transaction.atomic():
            claim = DomainClaim.objects.create(domain=mail_domain.domain)
    except IntegrityError:
        raise ServiceError(
            DirectoryError.DOMAIN_TAKEN,
            _(
                "%(domain)s is verified by another organisation. If it should be yours, ask "
                "the system administrator"
            )
            % {"domain": mail_domain.domain},
            field="domain",
        ) from None
    mail_domain.claim = claim
    mail_domain.verified_at = timezone.now()
    mail_domain.verified_by = method
    mail_domain.save(update_fields=["claim", "verified_at", "verified_by", "updated_at"])
    audit.record(
        organisation=mail_domain.organisation_id,
        by=by,
        action=AuditAction.CHANGED,
        obj=mail_domain,
        summary=f"Mail domain {mail_domain.domain} verified ({method.label})",
        changes={"verified_by": method.value},
    )
    return mail_domain


def verify_mail_domain_by_dns(mail_domain: MailDomain, *, by: User | None) -> MailDomain:
    """Verify ``mail_domain`` if its TXT record is published; ``ServiceError`` otherwise."""
    if mail_domain.is_verified:
        return mail_domain
    try:
        published = dns.txt_records(mail_domain.txt_name)
    except dns.DnsLookupError:
        raise ServiceError(
            DirectoryError.DNS_UNAVAILABLE,
            _("The DNS could not be asked just now: try again in a few minutes"),
            field="domain",
        ) from None
    if mail_domain.txt_value not in published:
        raise ServiceError(
            DirectoryError.DOMAIN_NOT_PROVEN,
            _(
                "No TXT record %(name)s with the value %(value)s was found. Publish it in the "
                "domain's DNS, wait for it to appear, then check again"
            )
            % {"name": mail_domain.txt_name, "value": mail_domain.txt_value},
            field="domain",
        )
    with transaction.atomic():
        return _claim(mail_domain, by=by, method=DomainVerification.DNS)


def verify_mail_domain(organisation: Organisation, *, by: User | None, domain: str) -> MailDomain:
    """A system administrator's word that ``domain`` is ``organisation``'s (the platform
    operator's ``onestop directory verify-domain``, or the Django admin); no DNS proof."""
    with transaction.atomic():
        mail_domain = add_mail_domain(organisation, by=by, domain=domain)
        return _claim(mail_domain, by=by, method=DomainVerification.ADMINISTRATOR)
