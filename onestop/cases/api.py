"""REST endpoints of cases, mounted at ``/api/v1/cases/``.

Scoped to the caller's organisation (anything else: 404), checked per action (403), audited by
the services they call; refused input answers problem details with a ``CaseError`` code.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from onestop.cases import queries, services
from onestop.cases.errors import CaseError
from onestop.cases.models import Case, Source
from onestop.cases.schemas import (
    AssignIn,
    BulkReassignIn,
    BulkReassignOut,
    CaseIn,
    CaseOut,
    CaseUpdateIn,
    ClockOut,
    CloseIn,
    NoteIn,
    NoteOut,
)
from onestop.contacts.models import Contact
from onestop.core import audit, permissions
from onestop.core.access import get_or_404, require
from onestop.core.errors import ServiceError
from onestop.core.http import client_address, staff_user
from onestop.core.models import AuditAction, User
from onestop.customers.models import Customer
from onestop.directory.models import Team

router = Router(tags=["cases"])


def _out(case: Case) -> CaseOut:
    return CaseOut(
        reference=case.reference,
        case_type=case.case_type.code,
        kind=case.kind,
        title=case.title,
        description=case.description,
        status=case.status,
        attributes=case.attributes,
        team_id=case.team_id,
        service_id=case.service_id,
        assignee_id=case.assignee_id,
        customer_id=case.customer_id,
        received_at=case.received_at,
        due_at=case.due_at,
        outcome=case.outcome,
        resolution=case.resolution,
        version=case.version,
        clocks=[
            ClockOut(
                standard_code=clock.standard_code,
                due_at=clock.due_at,
                calendar_version=clock.calendar_version,
                paused=clock.paused_at is not None,
                met=clock.is_met,
            )
            for clock in queries.clocks_of(case)
        ],
    )


def _staff(user: User, staff_id: int | None) -> User | None:
    if staff_id is None:
        return None
    found: User = get_or_404(
        user,
        queries.staff_of_organisation(user),
        permissions.CASE_ASSIGN,
        pk=staff_id,
    )
    return found


def _team(user: User, team_id: int | None) -> Team | None:
    return None if team_id is None else queries.get_team_for(user, team_id)


@router.post("/", response={201: CaseOut}, summary="Raise a case")
def create_case(request: HttpRequest, payload: CaseIn) -> Status[CaseOut]:
    user = staff_user(request)
    require(user, permissions.CASE_RAISE)
    customer = (
        get_or_404(
            user, Customer.objects.for_user(user), permissions.CASE_RAISE, pk=payload.customer_id
        )
        if payload.customer_id is not None
        else None
    )
    contact = (
        get_or_404(
            user, Contact.objects.for_user(user), permissions.CASE_RAISE, pk=payload.contact_id
        )
        if payload.contact_id is not None
        else None
    )
    if queries.case_type_by_code(user, payload.case_type) is None:
        raise ServiceError(
            CaseError.UNKNOWN_TYPE, "There is no such case type you may raise.", field="case_type"
        )
    case = services.raise_case(
        user.organisation,  # type: ignore[arg-type]
        by=user,
        case_type_code=payload.case_type,
        title=payload.title,
        description=payload.description,
        attributes=payload.attributes,
        customer=customer,
        contact=contact,
        postcode=payload.postcode,
        ward=payload.ward,
        source=Source.API,
        constituent_name=payload.constituent_name,
    )
    return Status(201, _out(case))


@router.get("/", response=list[CaseOut], summary="Search cases")
def search_cases(
    request: HttpRequest,
    q: str = "",
    status: str = "",
    case_type: str = "",
    team_id: int | None = None,
    assignee_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[CaseOut]:
    user = staff_user(request)
    if not permissions.can(user, permissions.CASE_VIEW):
        require(user, permissions.CASE_VIEW_OWN)
    found = queries.search_cases(
        user,
        text=q,
        status=status,
        case_type_code=case_type,
        team_id=team_id,
        assignee_id=assignee_id,
        limit=limit,
        offset=min(offset, 100_000),
    )
    audit.record_list_read(
        user,
        what="cases.case",
        action=AuditAction.SEARCHED,
        query={
            "q": q,
            "status": status,
            "case_type": case_type,
            "team_id": team_id,
            "assignee_id": assignee_id,
            "limit": limit,
            "offset": offset,
        },
        ids=[case.reference for case in found],
        ip_address=client_address(request),
    )
    return [_out(case) for case in found]


@router.post("/bulk-reassign", response=BulkReassignOut, summary="Reassign many cases (leaders)")
def bulk_reassign(request: HttpRequest, payload: BulkReassignIn) -> BulkReassignOut:
    user = staff_user(request)
    require(user, permissions.CASE_REASSIGN_BULK)
    cases = [
        queries.get_case_for(user, reference, permissions.CASE_REASSIGN_BULK)
        for reference in payload.references
    ]
    team = queries.get_team_for(user, payload.team_id)
    count = services.bulk_reassign(
        cases, by=user, team=team, assignee=_staff(user, payload.assignee_id), reason=payload.reason
    )
    return BulkReassignOut(reassigned=count)


@router.get("/{reference}", response=CaseOut, summary="One case")
def read_case(request: HttpRequest, reference: str) -> CaseOut:
    user = staff_user(request)
    case = queries.get_case_for(user, reference)
    services.record_case_viewed(case, by=user)
    return _out(case)


@router.patch("/{reference}", response=CaseOut, summary="Change a case (send its version)")
def update_case(request: HttpRequest, reference: str, payload: CaseUpdateIn) -> CaseOut:
    user = staff_user(request)
    case = queries.get_case_for(user, reference, permissions.CASE_WORK)
    if any(
        value is not None
        for value in (payload.title, payload.description, payload.attributes, payload.ward)
    ):
        case = services.update_case(
            case,
            by=user,
            expected_version=payload.version,
            title=payload.title,
            description=payload.description,
            attributes=payload.attributes,
            ward=payload.ward,
        )
        payload.version = case.version
    if payload.status is not None:
        case = services.change_status(
            case, by=user, status=payload.status, expected_version=payload.version
        )
    return _out(case)


@router.post("/{reference}/assign", response=CaseOut, summary="Assign to a person or a team")
def assign_case(request: HttpRequest, reference: str, payload: AssignIn) -> CaseOut:
    user = staff_user(request)
    case = queries.get_case_for(user, reference, permissions.CASE_ASSIGN)
    case = services.assign_case(
        case,
        by=user,
        assignee=_staff(user, payload.assignee_id),
        team=_team(user, payload.team_id),
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _out(case)


@router.post("/{reference}/notes", response={201: NoteOut}, summary="Add a note or an update")
def add_note(request: HttpRequest, reference: str, payload: NoteIn) -> Status[NoteOut]:
    user = staff_user(request)
    case = queries.get_case_for(user, reference, permissions.CASE_WORK)
    note = services.add_note(case, by=user, kind=payload.kind, text=payload.text)
    return Status(
        201, NoteOut(id=note.pk, kind=note.kind, text=note.text, written_at=note.written_at)
    )


@router.post("/{reference}/close", response=CaseOut, summary="Close with outcome and resolution")
def close_case(request: HttpRequest, reference: str, payload: CloseIn) -> CaseOut:
    user = staff_user(request)
    case = queries.get_case_for(user, reference, permissions.CASE_CLOSE)
    case = services.close_case(
        case,
        by=user,
        outcome=payload.outcome,
        resolution=payload.resolution,
        expected_version=payload.version,
        tell_customer=payload.tell_customer,
    )
    return _out(case)
