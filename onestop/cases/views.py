"""Staff pages of cases: the work queues, the case page, raising a case, the Member view, and
the public disclosure log.  Thin: parse the form, reach the case through ``get_case_for``, call
one service, render or redirect."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any
from urllib.parse import quote

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onestop.cases import forms, queries, services
from onestop.cases.models import INFORMATION_KINDS, Case, CaseType, Source, Status
from onestop.contacts.models import Contact
from onestop.core import audit, dates, pages, permissions
from onestop.core.access import get_or_404, require
from onestop.core.decorators import public
from onestop.core.errors import ServiceError
from onestop.core.forms import GovukForm, query_text
from onestop.core.http import client_address, staff_user
from onestop.core.models import AuditAction, User
from onestop.customers import queries as customer_queries
from onestop.customers.models import Customer
from onestop.directory import queries as directory_queries

GET_POST = ["GET", "POST"]
_attach = pages.attach_error


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


# --- queues -------------------------------------------------------------------------------------
def _queue_filters(user: User, form: forms.QueueFilterForm) -> queries.QueueFilters:
    """The queue the filters ask for; a team that is not one of the user's organisation (another
    organisation's, unknown, or not a number) answers 404 rather than showing another queue."""
    if form.is_bound and "team" in form.errors:
        raise Http404
    data = form.cleaned_data if form.is_valid() else {}
    team = data.get("team")
    # The queue opens on the user's own team; "Any" (the team field sent empty) is every team
    # the user may see.
    if team is None and not data.get("mine") and "team" not in form.data:
        own = queries.team_ids_of(user)
        team_id = own[0] if own else None
    else:
        team_id = team.pk if team else None
    return queries.QueueFilters(
        team_id=team_id,
        assignee_id=data["assignee"].pk if data.get("assignee") else None,
        mine=bool(data.get("mine")),
        status=data.get("status") or "",
        case_type_id=data["case_type"].pk if data.get("case_type") else None,
        due_within_days=data.get("due_within"),
        ward=data.get("ward") or "",
    )


def _filter_form(request: HttpRequest, user: User) -> forms.QueueFilterForm:
    teams, types, people = queries.queue_filter_choices(user)
    return forms.QueueFilterForm(request.GET or None, teams=teams, types=types, people=people)


@dataclass(frozen=True, slots=True)
class QueueLine:
    """One row of the queue page's table with its texts worked out once, so that the template
    prints nine values a row and includes nothing (fifty rows a page)."""

    href: str
    reference: str
    title: str
    type_name: str
    status: str
    assignee: str
    due: str
    badges: SafeString  # ``cases/_badge.html``, rendered once per page for each combination


def queue_lines(rows: list[queries.QueueRow]) -> list[QueueLine]:
    """The queue's rows as the page shows them: the case's link, the status label, the assignee
    or "Unassigned", the deadline in GOV.UK style in local time ("1 December 2026 at 2:05pm", as
    ``core.dates.govuk_datetime`` writes it) or "No deadline", and the badges of
    ``cases/_badge.html``.  What is the same for many rows is worked out once a page: the link
    but for its reference (one ``reverse``), each status label, each day's date and each
    combination of badges."""
    before, _marker, after = reverse("cases:case", args=[_REFERENCE]).rpartition(_REFERENCE)
    zone = timezone.get_current_timezone()
    unassigned, no_deadline = _("Unassigned"), _("No deadline")
    at_time = _("%(date)s at %(time)s")
    statuses: dict[str, str] = {}
    days: dict[datetime.date, str] = {}
    badges: dict[tuple[bool, bool, bool], SafeString] = {}
    lines = []
    for row in rows:
        if row.status not in statuses:
            statuses[row.status] = str(row.status_label)
        due = no_deadline
        if row.due_at is not None:
            local = timezone.localtime(row.due_at, zone)
            if local.date() not in days:
                days[local.date()] = dates.govuk_date(local.date())
            due = at_time % {"date": days[local.date()], "time": dates.govuk_time(local)}
        key = (row.overdue, row.at_risk, row.is_clock_paused)
        if key not in badges:
            context = {"case": row, "overdue": row.overdue, "at_risk": row.at_risk}
            badges[key] = SafeString(render_to_string("cases/_badge.html", context))
        lines.append(
            QueueLine(
                href=f"{before}{quote(row.reference, safe=_URL_SAFE)}{after}",
                reference=row.reference,
                title=row.title,
                type_name=row.type_name,
                status=statuses[row.status],
                assignee=row.assignee_name or unassigned,
                due=due,
                badges=badges[key],
            )
        )
    return lines


_REFERENCE = "REFERENCE"  # stands for a case's reference in its link, reversed once a page
_URL_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what reverse() leaves unquoted in a path


@require_GET
def queues(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, permissions.CASE_WORK)
    form = _filter_form(request, user)
    filters = _queue_filters(user, form)
    team = form.team_with_id(filters.team_id)
    if filters.team_id is not None and team is None:
        raise Http404
    queue = queries.queue_for(user, filters)
    audit.record_list_read(
        user,
        what="cases.case",
        query=asdict(filters),
        ids=[row.reference for row in queue.cases],
        ip_address=client_address(request),
    )
    return render(
        request,
        "cases/queues.html",
        {
            "form": form,
            "queue": queue,
            "rows": queue.cases,
            "lines": queue_lines(queue.cases),
            "team": team,
            "filters": filters,
            "query": request.GET.urlencode(),
        },
    )


@require_GET
def queue_export(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, permissions.CASE_WORK)
    require(user, permissions.CASE_ASSIGN)  # leaders; no default role has personal-data.export
    filters = _queue_filters(user, _filter_form(request, user))
    rows = queries.queue_export_rows(user, filters)
    audit.record_list_read(
        user,
        what="cases.case",
        action=AuditAction.EXPORTED,
        query=asdict(filters),
        ids=[row[0] for row in rows],
        ip_address=client_address(request),
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="queue.csv"'
    writer = csv.writer(response)
    writer.writerow(["reference", "type", "title", "status", "team", "assignee", "due_at"])
    writer.writerows([[_safe_cell(cell) for cell in row] for row in rows])
    return response


def _safe_cell(value: str) -> str:
    """Stop spreadsheet formula injection (a cell starting with = + - @)."""
    return f"'{value}" if value[:1] in {"=", "+", "-", "@"} else value


# --- the case page ------------------------------------------------------------------------------
def _case_context(user: User, case: Case, **bound: django_forms.Form) -> dict[str, Any]:
    version = {"version": case.version}
    teams = queries.teams_for(user)
    can_see_customer = permissions.can(user, permissions.CUSTOMER_VIEW)
    context: dict[str, Any] = {
        "case": case,
        "now": timezone.now(),
        "clocks": queries.clocks_of(case),
        "answers": queries.answers_of(case),
        "timeline": queries.timeline_of(case, viewer=user),
        "links": queries.links_of(case),
        "tasks": queries.tasks_of(case),
        "messages_sent": queries.messages_of(case),
        "failed_messages": queries.failed_messages_of(case),
        "staff_tasks": queries.staff_tasks_of(case),
        "can_complete_tasks": permissions.can(user, permissions.CASE_WORK),
        "can_work": permissions.can(user, permissions.CASE_WORK),
        "can_assign": permissions.can(user, permissions.CASE_ASSIGN),
        "can_close": permissions.can(user, permissions.CASE_CLOSE),
        "can_statutory": queries.can_handle_statutory(user) and case.is_statutory,
        "is_information": case.kind in INFORMATION_KINDS,
        "status_form": forms.StatusForm(prefix="status", initial=version, current=case.status),
        "assign_form": forms.AssignForm(
            prefix="assign",
            initial={**version, "team": case.team_id, "assignee": case.assignee_id},
            teams=teams,
            people=queries.team_members(case.team),
        ),
        "note_form": forms.NoteForm(prefix="note", recipient=queries.update_recipient(case)),
        "close_form": forms.CloseForm(prefix="close", initial=version, kind=case.kind),
        "reopen_form": forms.ReasonForm(prefix="reopen"),
        "link_form": forms.LinkForm(
            prefix="link",
        ),
        "task_form": forms.TaskForm(prefix="task", teams=teams.exclude(service_id=case.service_id)),
        "extend_form": forms.ReasonForm(prefix="extend"),
        "clarification_form": forms.ClarificationForm(
            prefix="clarification",
        ),
        "exemptions_form": forms.ExemptionsForm(
            prefix="exemptions", initial={"exemptions": ", ".join(case.exemptions)}
        ),
        "publish_form": forms.PublishForm(
            prefix="publish",
        ),
        "can_see_customer": can_see_customer,
        "customer_markers": customer_queries.open_markers(user, case.customer)
        if can_see_customer and case.customer is not None
        else [],
        "overdue": queries.is_overdue(case, timezone.now()),
        "at_risk": queries.is_at_risk(case, timezone.now()),
    }
    context.update(bound)
    bound_forms = list(bound.values())
    context["form"] = next((form for form in bound_forms if form.errors), None)
    return context


@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    case = queries.get_case_for(user, reference)
    services.record_case_viewed(case, by=user)
    return render(request, "cases/case_detail.html", _case_context(user, case))


ActionHandler = Callable[[HttpRequest, User, Case], "django_forms.Form | None"]


def _act(
    request: HttpRequest, reference: str, action: str, name: str, handler: ActionHandler
) -> HttpResponse:
    """Run one case action: success redirects to the case; refused input re-renders it (400)."""
    user = staff_user(request)
    case = queries.get_case_for(user, reference, action)
    form = handler(request, user, case)
    if form is None:
        return HttpResponseRedirect(reverse("cases:case", args=[case.reference]))
    case = queries.get_case_for(user, reference)
    return render(
        request, "cases/case_detail.html", _case_context(user, case, **{name: form}), status=400
    )


def _run(
    form: django_forms.Form, request: HttpRequest, call: Callable[[], object], done: str
) -> django_forms.Form | None:
    if not form.is_valid():
        return form
    try:
        call()
    except ServiceError as error:
        _attach(form, error)
        return form
    messages.success(request, done)
    return None


@require_POST
def case_status(request: HttpRequest, reference: str) -> HttpResponse:
    def handle(request: HttpRequest, user: User, case: Case) -> django_forms.Form | None:
        form = forms.StatusForm(request.POST, prefix="status", current=case.status)
        return _run(
            form,
            request,
            lambda: services.change_status(
                case,
                by=user,
                status=form.cleaned_data["status"],
                expected_version=form.cleaned_data["version"],
            ),
            _("Status changed"),
        )

    return _act(request, reference, permissions.CASE_WORK, "status_form", handle)


@require_POST
def case_claim(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    case = queries.get_case_for(user, reference, permissions.CASE_WORK)
    if services.claim_case(case, by=user):
        messages.success(request, _("The case is yours"))
    else:
        messages.info(request, _("Someone else took this case first"))
    return HttpResponseRedirect(reverse("cases:case", args=[case.reference]))


@require_POST
def case_assign(request: HttpRequest, reference: str) -> HttpResponse:
    def handle(request: HttpRequest, user: User, case: Case) -> django_forms.Form | None:
        form = forms.AssignForm(
            request.POST,
            prefix="assign",
            teams=queries.teams_for(user),
            people=queries.staff_of_organisation(user),
        )
        return _run(
            form,
            request,
            lambda: services.assign_case(
                case,
                by=user,
                assignee=form.cleaned_data["assignee"],
                team=form.cleaned_data["team"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            ),
            _("Case assigned"),
        )

    return _act(request, reference, permissions.CASE_ASSIGN, "assign_form", handle)


@require_POST
def case_note(request: HttpRequest, reference: str) -> HttpResponse:
    def handle(request: HttpRequest, user: User, case: Case) -> django_forms.Form | None:
        form = forms.NoteForm(request.POST, prefix="note", recipient=queries.update_recipient(case))
        return _run(
            form,
            request,
            lambda: services.add_note(
                case, by=user, kind=form.cleaned_data["kind"], text=form.cleaned_data["text"]
            ),
            _("Note added"),
        )

    return _act(request, reference, permissions.CASE_WORK, "note_form", handle)


@require_POST
def case_close(request: HttpRequest, reference: str) -> HttpResponse:
    def handle(request: HttpRequest, user: User, case: Case) -> django_forms.Form | None:
        form = forms.CloseForm(request.POST, prefix="close", kind=case.kind)

        def call() -> object:
            finish = (
                services.close_case
                if form.cleaned_data["finish"] == Status.CLOSED
                else services.resolve_case
            )
            return finish(
                case,
                by=user,
                outcome=form.cleaned_data["outcome"],
                resolution=form.cleaned_data["resolution"],
                expected_version=form.cleaned_data["version"],
            )

        return _run(form, request, call, _("Case finished"))

    return _act(request, reference, permissions.CASE_CLOSE, "close_form", handle)


@require_POST
def case_reopen(request: HttpRequest, reference: str) -> HttpResponse:
    def handle(request: HttpRequest, user: User, case: Case) -> django_forms.Form | None:
        form = forms.ReasonForm(request.POST, prefix="reopen")
        return _run(
            form,
            request,
            lambda: services.reopen_case(case, by=user, reason=form.cleaned_data["reason"]),
            _("Case reopened with a new deadline"),
        )

    return _act(request, reference, permissions.CASE_WORK, "reopen_form", handle)


@require_POST
def case_link(request: HttpRequest, reference: str) -> HttpResponse:
    def handle(request: HttpRequest, user: User, case: Case) -> django_forms.Form | None:
        form = forms.LinkForm(request.POST, prefix="link")
        if not form.is_valid():
            return form
        other = queries.case_by_reference(user, form.cleaned_data["other"])
        if other is None:
            form.add_error("other", _("There is no case with that reference"))
            return form
        return _run(
            form,
            request,
            lambda: services.link_cases(case, by=user, other=other, kind=form.cleaned_data["kind"]),
            _("Cases linked"),
        )

    return _act(request, reference, permissions.CASE_WORK, "link_form", handle)


@require_POST
def case_task(request: HttpRequest, reference: str) -> HttpResponse:
    def handle(request: HttpRequest, user: User, case: Case) -> django_forms.Form | None:
        form = forms.TaskForm(request.POST, prefix="task", teams=queries.teams_for(user))
        return _run(
            form,
            request,
            lambda: services.add_contribution_task(
                case,
                by=user,
                team=form.cleaned_data["team"],
                description=form.cleaned_data["description"],
            ),
            _("Task added for the contributing service"),
        )

    return _act(request, reference, permissions.CASE_WORK, "task_form", handle)


@require_POST
def case_task_done(request: HttpRequest, reference: str, task_id: int) -> HttpResponse:
    def handle(request: HttpRequest, user: User, case: Case) -> django_forms.Form | None:
        task = queries.get_task_for(user, case, task_id)
        form = forms.TaskDoneForm(request.POST)
        return _run(
            form,
            request,
            lambda: services.complete_contribution_task(
                task, by=user, response=form.cleaned_data["response"]
            ),
            _("Task done"),
        )

    return _act(request, reference, permissions.CASE_WORK, "task_done_form", handle)


# --- statutory requests -------------------------------------------------------------------------
@require_POST
def case_clarification(request: HttpRequest, reference: str) -> HttpResponse:
    def handle(request: HttpRequest, user: User, case: Case) -> django_forms.Form | None:
        form = forms.ClarificationForm(request.POST, prefix="clarification")
        return _run(
            form,
            request,
            lambda: services.record_clarification(case, by=user, note=form.cleaned_data["note"]),
            _("Clarification recorded: the clock has started again"),
        )

    return _act(
        request, reference, permissions.STATUTORY_REQUEST_HANDLE, "clarification_form", handle
    )


@require_POST
def case_extend(request: HttpRequest, reference: str) -> HttpResponse:
    def handle(request: HttpRequest, user: User, case: Case) -> django_forms.Form | None:
        form = forms.ReasonForm(request.POST, prefix="extend")
        return _run(
            form,
            request,
            lambda: services.extend_deadline(case, by=user, reason=form.cleaned_data["reason"]),
            _("Deadline extended"),
        )

    return _act(request, reference, permissions.STATUTORY_REQUEST_HANDLE, "extend_form", handle)


@require_POST
def case_identity(request: HttpRequest, reference: str) -> HttpResponse:
    def handle(request: HttpRequest, user: User, case: Case) -> django_forms.Form | None:
        form = GovukForm(request.POST)
        return _run(
            form, request, lambda: services.verify_identity(case, by=user), _("Identity verified")
        )

    return _act(request, reference, permissions.STATUTORY_REQUEST_HANDLE, "identity_form", handle)


@require_POST
def case_exemptions(request: HttpRequest, reference: str) -> HttpResponse:
    def handle(request: HttpRequest, user: User, case: Case) -> django_forms.Form | None:
        form = forms.ExemptionsForm(request.POST, prefix="exemptions")
        return _run(
            form,
            request,
            lambda: services.record_exemptions(case, by=user, exemptions=form.values()),
            _("Exemptions recorded"),
        )

    return _act(request, reference, permissions.STATUTORY_REQUEST_HANDLE, "exemptions_form", handle)


@require_POST
def case_publish(request: HttpRequest, reference: str) -> HttpResponse:
    def handle(request: HttpRequest, user: User, case: Case) -> django_forms.Form | None:
        form = forms.PublishForm(request.POST, prefix="publish")
        return _run(
            form,
            request,
            lambda: services.publish_response(case, by=user, summary=form.cleaned_data["summary"]),
            _("Response published in the disclosure log"),
        )

    return _act(request, reference, permissions.STATUTORY_REQUEST_HANDLE, "publish_form", handle)


# --- raising a case -----------------------------------------------------------------------------
@require_http_methods(GET_POST)
def raise_case(request: HttpRequest) -> HttpResponse:
    """Raise a case, optionally for ``?customer=<id>`` from ``?contact=<id>`` (the desk)."""
    user = staff_user(request)
    require(user, permissions.CASE_RAISE)
    customer_id = _int(request.GET.get("customer"))
    contact_id = _int(request.GET.get("contact"))
    customer = (
        get_or_404(user, Customer.objects.for_user(user), permissions.CASE_RAISE, pk=customer_id)
        if customer_id is not None
        else None
    )
    contact = (
        get_or_404(user, Contact.objects.for_user(user), permissions.CASE_RAISE, pk=contact_id)
        if contact_id is not None
        else None
    )
    types = queries.case_types_for(user)
    councillor = queries.is_councillor(user)
    type_code, _refused = query_text(request.GET, "type", limit=60, label="type")
    case_type = queries.case_type_by_code(user, type_code) if type_code else None
    if councillor and case_type is None and types.count() == 1:
        case_type = types.first()
    if case_type is None:
        return render(
            request,
            "cases/raise_choose.html",
            {
                "types": types,
                "customer": customer,
                "contact": contact,
                "unknown": bool(type_code),
                "query": request.GET.copy(),
            },
            status=400 if type_code else 200,
        )
    form = forms.RaiseCaseForm(
        request.POST or None,
        case_type=case_type,
        councillor=councillor,
        councillors=queries.councillors_of(user) if not councillor else None,
        has_customer=customer is not None,
    )
    if request.method == "POST" and form.is_valid():
        customer = _constituent(user, form, customer)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.raise_case(
                user.organisation,  # type: ignore[arg-type]
                by=user,
                case_type_code=case_type.code,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                attributes=form.answers(),
                customer=customer,
                contact=contact,
                postcode=form.cleaned_data["postcode"],
                ward=form.cleaned_data["ward"],
                source=Source.COUNCILLOR if councillor else Source.DESK,
                councillor=form.cleaned_data.get("councillor"),
                constituent_name=form.cleaned_data.get("constituent_name", ""),
            )
        except ServiceError as error:
            _attach(form, error)
        else:
            messages.success(
                request, _("Case %(reference)s raised") % {"reference": case.reference}
            )
            return HttpResponseRedirect(reverse("cases:case", args=[case.reference]))
    return render(
        request,
        "cases/raise.html",
        {"form": form, "case_type": case_type, "customer": customer, "contact": contact},
        status=400 if form.is_bound and form.errors else 200,
    )


def _constituent(
    user: User, form: forms.RaiseCaseForm, customer: Customer | None
) -> Customer | None:
    """The customer record named by the form's ``customer_reference``, if any (else
    ``customer``); an unknown reference is an error on the form."""
    reference = str(form.cleaned_data.get("customer_reference") or "").strip()
    if customer is not None or not reference:
        if form.on_behalf and customer is None and not form.cleaned_data.get("constituent_name"):
            form.add_error(
                "constituent_name", _("Enter the name of the constituent the enquiry is for")
            )
        return customer
    found = queries.customer_by_reference(user, reference)
    if found is None:
        form.add_error("customer_reference", _("There is no customer with that reference"))
    return found


# --- the Member view ----------------------------------------------------------------------------
@require_GET
def member(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, permissions.CASE_VIEW_OWN)
    enquiries = queries.enquiries_of_councillor(user)
    audit.record_list_read(
        user,
        what="cases.case",
        query={"councillor_enquiries": True},
        ids=[case.reference for case in enquiries],
        ip_address=client_address(request),
    )
    now = timezone.now()
    rows = [
        {
            "case": case,
            "overdue": queries.is_overdue(case, now),
            "at_risk": queries.is_at_risk(case, now),
        }
        for case in enquiries
    ]
    return render(request, "cases/member.html", {"rows": rows})


# --- the disclosure log (public) ----------------------------------------------------------------
@public
@require_GET
def disclosure_log(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    organisation = queries.public_organisation(organisation_slug)
    return render(
        request,
        "cases/disclosure_log.html",
        {"organisation": organisation, "responses": queries.disclosure_log(organisation)},
    )


# --- case-type administration -------------------------------------------------------------------
MANAGE_TYPES = permissions.CASE_TYPE_MANAGE
_case_type_page = partial(pages.form_page, template="cases/case_type_form.html")


def _case_type_form(
    request: HttpRequest, user: User, case_type: CaseType | None = None
) -> forms.CaseTypeForm:
    rows = (0, 0, 0)
    initial: dict[str, Any] = {}
    if case_type is not None:
        initial = forms.case_type_initial(case_type)
        rows = (
            len(case_type.attributes),
            case_type.routing_rules.count(),
            case_type.escalation_rules.count(),
        )
    return forms.CaseTypeForm(
        request.POST or None,
        initial=initial,
        services=directory_queries.services_for(user),
        teams=queries.teams_for(user),
        standards=queries.standard_choices(user),
        rows=rows,
        editing=case_type is not None,
    )


def _save_case_type(user: User, form: forms.CaseTypeForm, *, code: str, new: bool) -> CaseType:
    data = form.cleaned_data
    return services.save_case_type(
        user.organisation,  # type: ignore[arg-type]  # staff always have one
        by=user,
        new=new,
        data=services.CaseTypeInput(
            code=code,
            name=data["name"],
            kind=data["kind"],
            service=data["service"],
            default_team=data["default_team"],
            standard_codes=data["standard_codes"],
            attributes=form.questions,
            description=data["description"],
            reopen_within_days=data["reopen_within_days"],
            escalation=form.escalation,
            routing=form.routing,
            is_active=data["is_active"],
        ),
    )


@require_GET
def case_types(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, MANAGE_TYPES)
    types = queries.all_case_types_for(user).select_related("service", "default_team")
    return render(
        request,
        "cases/case_types.html",
        {"types": sorted(types, key=lambda t: (t.service.name.lower(), t.name.lower()))},
    )


@require_http_methods(GET_POST)
def case_type_create(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, MANAGE_TYPES)
    form = _case_type_form(request, user)
    saved = pages.save_form(
        request,
        form,
        lambda data: _save_case_type(user, form, code=data["code"], new=True),
        done=(_("Case type added"), reverse("cases:case-types")),
    )
    if saved is not None:
        return saved
    return _case_type_page(
        request,
        form,
        title=_("Add a case type"),
        back=reverse("cases:case-types"),
        submit=_("Add case type"),
    )


@require_http_methods(GET_POST)
def case_type_edit(request: HttpRequest, case_type_id: int) -> HttpResponse:
    user = staff_user(request)
    case_type = get_or_404(
        user,
        CaseType.objects.for_user(user).select_related("service"),
        MANAGE_TYPES,
        pk=case_type_id,
    )
    form = _case_type_form(request, user, case_type)
    saved = pages.save_form(
        request,
        form,
        lambda data: _save_case_type(user, form, code=case_type.code, new=False),
        done=(
            _("Case type %(name)s saved") % {"name": case_type.name},
            reverse("cases:case-types"),
        ),
    )
    if saved is not None:
        return saved
    return _case_type_page(
        request,
        form,
        title=_("Change %(name)s") % {"name": case_type.name},
        back=reverse("cases:case-types"),
        submit=_("Save"),
    )
