"""Staff pages of cases: the work queues, the case page, raising a case, the Member view, and
the public disclosure log.  Thin: parse the form, reach the case through ``get_case_for``, call
one service, render or redirect."""

from __future__ import annotations

import csv
import datetime
import html
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any
from urllib.parse import quote

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onestop.cases import forms, queries, services
from onestop.cases.errors import CaseError
from onestop.cases.models import INFORMATION_KINDS, Case, CaseKind, CaseType, Source, Status
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
from onestop.notify.models import Event

GET_POST = ["GET", "POST"]


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
            # A rendered template is escaped by the template engine already.
            badge = render_to_string("cases/_badge.html", context)
            badges[key] = SafeString(badge)  # nosec B703
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


# One row of the queue's table, as ``cases/queues.html`` wrote it in a loop over the lines (the
# whitespace included): the same markup, written in one pass of Python.
_TABLE_ROW = (
    '\n        <tr class="govuk-table__row">\n'
    '          <td class="govuk-table__cell"><a class="govuk-link" href="{href}">{reference}</a>'
    "<br>{title}</td>\n"
    '          <td class="govuk-table__cell">{type_name}</td>\n'
    '          <td class="govuk-table__cell">{status}</td>\n'
    '          <td class="govuk-table__cell">{assignee}</td>\n'
    '          <td class="govuk-table__cell">{due} {badges}</td>\n'
    "        </tr>\n        "
)


def queue_table_rows(lines: list[QueueLine]) -> SafeString:
    """The ``<tr>`` of each line, exactly as a template loop printing the line's nine values
    would write them (each text escaped as ``{{ }}`` escapes it; the badges are markup already),
    without the template engine's work for 450 values a page."""
    escape = html.escape
    rows = "".join(
        _TABLE_ROW.format(
            href=escape(line.href),
            reference=escape(line.reference),
            title=escape(line.title),
            type_name=escape(line.type_name),
            status=escape(line.status),
            assignee=escape(line.assignee),
            due=escape(line.due),
            badges=line.badges,
        )
        for line in lines
    )
    return SafeString(rows)  # nosec B703  # every text escaped above


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
            "table_rows": queue_table_rows(queue_lines(queue.cases)),
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
def _case_context(user: User, case: Case) -> dict[str, Any]:
    can_see_customer = permissions.can(user, permissions.CUSTOMER_VIEW)
    return {
        "case": case,
        "now": timezone.now(),
        "clocks": queries.clocks_of(case),
        "answers": queries.answers_of(case),
        "point": queries.point_of(case),
        "timeline": queries.timeline_of(case, viewer=user),
        "links": queries.links_of(case),
        "tasks": queries.tasks_of(case),
        "messages_sent": queries.messages_of(user, case),
        "failed_messages": queries.failed_messages_of(user, case),
        "staff_tasks": queries.staff_tasks_of(user, case),
        "can_complete_tasks": permissions.can(user, permissions.CASE_WORK),
        "can_work": permissions.can(user, permissions.CASE_WORK),
        "can_assign": permissions.can(user, permissions.CASE_ASSIGN),
        "can_close": permissions.can(user, permissions.CASE_CLOSE),
        "can_statutory": queries.can_handle_statutory(user) and case.is_statutory,
        "can_move": forms.StatusForm(current=case.status).can_move,
        "is_information": case.kind in INFORMATION_KINDS,
        "can_see_customer": can_see_customer,
        "customer_markers": customer_queries.open_markers(user, case.customer)
        if can_see_customer and case.customer is not None
        else [],
        "overdue": queries.is_overdue(case, timezone.now()),
        "at_risk": queries.is_at_risk(case, timezone.now()),
    }


@dataclass(frozen=True)
class MenuItem:
    """One entry of the case's button menu: a link to the action's own page."""

    label: str
    url_name: str


def _menu(case: Case, context: dict[str, Any]) -> list[MenuItem]:
    """The actions this user's roles may take on the case as it stands, in the order a
    caseworker reaches for them (nothing is offered that would answer 403)."""
    work, statutory = context["can_work"], context["can_statutory"]
    information = statutory and context["is_information"]
    offered: list[tuple[bool, str, str]] = [
        (case.is_open and work and context["can_move"], _("Change status"), "cases:case-status"),
        (case.is_open and context["can_assign"], _("Assign"), "cases:case-assign"),
        (case.is_open and work, _("Add a note"), "cases:case-note"),
        (case.is_open and statutory, _("Clarification received"), "cases:case-clarification"),
        (case.is_open and statutory and not case.extended_at, _("Extend the deadline"),
         "cases:case-extend"),
        (case.is_open and statutory and case.kind == CaseKind.SUBJECT_ACCESS
         and not case.identity_verified_at, _("Verify identity"), "cases:case-identity"),
        (case.is_open and information, _("Exemptions or exceptions"), "cases:case-exemptions"),
        (case.is_open and context["can_close"], _("Finish the case"), "cases:case-close"),
        (case.status == Status.RESOLVED and context["can_close"], _("Close the case"),
         "cases:case-close"),
        (case.is_open and work, _("Ask another service"), "cases:case-task"),
        (not case.is_open and work, _("Reopen"), "cases:case-reopen"),
        (not case.is_open and information and not case.published_at,
         _("Publish in the disclosure log"), "cases:case-publish"),
        (work, _("Link to another case"), "cases:case-link"),
    ]  # fmt: skip
    return [MenuItem(label, url_name) for allowed, label, url_name in offered if allowed]


@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    case = queries.get_case_for(user, reference)
    services.record_case_viewed(case, by=user)
    context = _case_context(user, case)
    context["menu"] = _menu(case, context)
    return render(request, "cases/case_detail.html", context)


# --- the case's actions: one page each, at its own address --------------------------------------
Posted = QueryDict | None


def _version(case: Case) -> dict[str, Any]:
    return {"version": case.version}


def _action(
    request: HttpRequest,
    reference: str,
    permission: str,
    *,
    form: Callable[[Posted, User, Case], django_forms.Form],
    save: Callable[[User, Case, dict[str, Any]], object],
    title: str,
    submit: str,
    done: str,
    **extra: Any,
) -> HttpResponse:
    """One action on a case: its form on a page of its own (GET), posted to the same address;
    success returns to the case with a banner, refused input shows this page again (400)."""
    user = staff_user(request)
    case = queries.get_case_for(user, reference, permission)
    bound = form(pages.posted(request), user, case)
    case_url = reverse("cases:case", args=[case.reference])
    saved = pages.save_form(
        request, bound, lambda data: save(user, case, data), done=(done, case_url)
    )
    if saved is not None:
        return saved
    return pages.form_page(
        request,
        bound,
        template="cases/action.html",
        title=title,
        back=case_url,
        submit=submit,
        case=case,
        **extra,
    )


@require_http_methods(GET_POST)
def case_status(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.CASE_WORK,
        form=lambda data, user, case: forms.StatusForm(
            data, prefix="status", initial=_version(case), current=case.status
        ),
        save=lambda user, case, data: services.change_status(
            case, by=user, status=data["status"], expected_version=data["version"]
        ),
        title=_("Change status"),
        submit=_("Change status"),
        done=_("Status changed"),
    )


@require_POST
def case_claim(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    case = queries.get_case_for(user, reference, permissions.CASE_WORK)
    if services.claim_case(case, by=user):
        messages.success(request, _("The case is yours"))
    else:
        messages.info(request, _("Someone else took this case first"))
    return HttpResponseRedirect(reverse("cases:case", args=[case.reference]))


@require_http_methods(GET_POST)
def case_assign(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.CASE_ASSIGN,
        form=lambda data, user, case: forms.AssignForm(
            data,
            prefix="assign",
            initial={**_version(case), "team": case.team_id, "assignee": case.assignee_id},
            teams=queries.teams_for(user),
            # Shown: the case's team; accepted: anyone of the organisation (the service checks).
            people=queries.team_members(case.team)
            if data is None
            else queries.staff_of_organisation(user),
        ),
        save=lambda user, case, data: services.assign_case(
            case,
            by=user,
            assignee=data["assignee"],
            team=data["team"],
            reason=data["reason"],
            expected_version=data["version"],
        ),
        title=_("Assign"),
        submit=_("Assign"),
        done=_("Case assigned"),
    )


@require_http_methods(GET_POST)
def case_note(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.CASE_WORK,
        form=lambda data, user, case: forms.NoteForm(
            data,
            prefix="note",
            recipient=queries.update_recipient(case),
            why=queries.no_recipient_reason(case),
        ),
        save=lambda user, case, data: services.add_note(
            case, by=user, kind=data["kind"], text=data["text"]
        ),
        title=_("Add a note"),
        submit=_("Add note"),
        done=_("Note added"),
    )


def _finish(user: User, case: Case, data: dict[str, Any]) -> object:
    finish = services.close_case if data["finish"] == Status.CLOSED else services.resolve_case
    return finish(
        case,
        by=user,
        outcome=data["outcome"],
        resolution=data["resolution"],
        expected_version=data["version"],
        tell_customer=bool(data.get("tell_customer")),
    )


@require_http_methods(GET_POST)
def case_close(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.CASE_CLOSE,
        form=lambda data, user, case: forms.CloseForm(
            data,
            prefix="close",
            initial=_version(case),
            kind=case.kind,
            # Resolved or closed, the resolution is an answer: it goes by the same route.
            recipient=queries.update_recipient(case, event=Event.RESPONSE),
            why=queries.no_recipient_reason(case, event=Event.RESPONSE),
        ),
        save=_finish,
        title=_("Finish the case"),
        submit=_("Finish"),
        done=_("Case finished"),
    )


@require_http_methods(GET_POST)
def case_reopen(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.CASE_WORK,
        form=lambda data, user, case: forms.ReopenForm(
            data,
            prefix="reopen",
            recipient=queries.update_recipient(case, event=Event.REOPENING)
            if queries.customer_told_it_was_finished(case)
            else None,
        ),
        save=lambda user, case, data: services.reopen_case(case, by=user, reason=data["reason"]),
        title=_("Reopen the case"),
        submit=_("Reopen"),
        done=_("Case reopened with a new deadline"),
    )


def _link(user: User, case: Case, data: dict[str, Any]) -> object:
    other = queries.case_by_reference(user, data["other"])
    if other is None:
        raise ServiceError(
            CaseError.UNKNOWN_CASE, _("There is no case with that reference"), field="other"
        )
    return services.link_cases(case, by=user, other=other, kind=data["kind"])


@require_http_methods(GET_POST)
def case_link(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.CASE_WORK,
        form=lambda data, user, case: forms.LinkForm(data, prefix="link"),
        save=_link,
        title=_("Link to another case"),
        submit=_("Link"),
        done=_("Cases linked"),
    )


@require_http_methods(GET_POST)
def case_task(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.CASE_WORK,
        form=lambda data, user, case: forms.TaskForm(
            data,
            prefix="task",
            teams=queries.teams_for(user).exclude(service_id=case.service_id)
            if data is None
            else queries.teams_for(user),
        ),
        save=lambda user, case, data: services.add_contribution_task(
            case, by=user, team=data["team"], description=data["description"]
        ),
        title=_("Ask another service"),
        submit=_("Add task"),
        done=_("Task added for the contributing service"),
    )


@require_http_methods(GET_POST)
def case_task_done(request: HttpRequest, reference: str, task_id: int) -> HttpResponse:
    user = staff_user(request)
    task = queries.get_task_for(
        user, queries.get_case_for(user, reference, permissions.CASE_WORK), task_id
    )
    return _action(
        request,
        reference,
        permissions.CASE_WORK,
        form=lambda data, user, case: forms.TaskDoneForm(data),
        save=lambda user, case, data: services.complete_contribution_task(
            task, by=user, response=data["response"]
        ),
        title=_("Mark the task done"),
        submit=_("Mark task done"),
        done=_("Task done"),
        intro=task.description,
    )


# --- statutory requests -------------------------------------------------------------------------
@require_http_methods(GET_POST)
def case_clarification(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.STATUTORY_REQUEST_HANDLE,
        form=lambda data, user, case: forms.ClarificationForm(data, prefix="clarification"),
        save=lambda user, case, data: services.record_clarification(
            case, by=user, note=data["note"]
        ),
        title=_("Clarification received"),
        submit=_("Restart the clock"),
        done=_("Clarification recorded: the clock has started again"),
    )


@require_http_methods(GET_POST)
def case_extend(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.STATUTORY_REQUEST_HANDLE,
        form=lambda data, user, case: forms.ExtendForm(
            data,
            prefix="extend",
            recipient=queries.update_recipient(case, event=Event.EXTENSION),
            why=queries.no_recipient_reason(case, event=Event.EXTENSION),
            has_customer=case.customer_id is not None or bool(case.constituent_name),
        ),
        save=lambda user, case, data: services.extend_deadline(
            case, by=user, reason=data["reason"]
        ),
        title=_("Extend the deadline"),
        submit=_("Extend"),
        done=_("Deadline extended"),
    )


@require_http_methods(GET_POST)
def case_identity(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.STATUTORY_REQUEST_HANDLE,
        form=lambda data, user, case: GovukForm(data),
        save=lambda user, case, data: services.verify_identity(case, by=user),
        title=_("Verify the requester's identity"),
        submit=_("Identity verified"),
        done=_("Identity verified"),
        intro=_("Confirm that you have checked the requester's proof of identity."),
    )


@require_http_methods(GET_POST)
def case_exemptions(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.STATUTORY_REQUEST_HANDLE,
        form=lambda data, user, case: forms.ExemptionsForm(
            data, prefix="exemptions", initial={"exemptions": ", ".join(case.exemptions)}
        ),
        save=lambda user, case, data: services.record_exemptions(
            case, by=user, exemptions=data["exemptions"]
        ),
        title=_("Exemptions or exceptions"),
        submit=_("Record"),
        done=_("Exemptions recorded"),
    )


@require_http_methods(GET_POST)
def case_publish(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.STATUTORY_REQUEST_HANDLE,
        form=lambda data, user, case: forms.PublishForm(data, prefix="publish"),
        save=lambda user, case, data: services.publish_response(
            case, by=user, summary=data["summary"]
        ),
        title=_("Publish in the disclosure log"),
        submit=_("Publish"),
        done=_("Response published in the disclosure log"),
    )


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
        pages.posted(request),
        case_type=case_type,
        councillor=councillor,
        councillors=queries.councillors_of(user) if not councillor else None,
        has_customer=customer is not None,
    )
    saved = pages.save_form(
        request,
        form,
        lambda data: services.raise_case(
            user.organisation,  # type: ignore[arg-type]
            by=user,
            case_type_code=case_type.code,
            title=data["title"],
            description=data["description"],
            attributes=form.answers(),
            customer=_constituent(user, form, customer),
            contact=contact,
            postcode=data["postcode"],
            ward=data["ward"],
            source=Source.COUNCILLOR if councillor else Source.DESK,
            councillor=data.get("councillor"),
            constituent_name=data.get("constituent_name", ""),
        ),
        done=lambda case: (
            _("Case %(reference)s raised") % {"reference": case.reference},
            reverse("cases:case", args=[case.reference]),
        ),
    )
    if saved is not None:
        return saved
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
    ``customer``); an unknown reference, or a Member enquiry for nobody, is refused."""
    reference = str(form.cleaned_data.get("customer_reference") or "").strip()
    if customer is not None or not reference:
        if form.on_behalf and customer is None and not form.cleaned_data.get("constituent_name"):
            raise ServiceError(
                CaseError.MISSING_CONSTITUENT,
                _("Enter the name of the constituent the enquiry is for"),
                field="constituent_name",
            )
        return customer
    found = queries.customer_by_reference(user, reference)
    if found is None:
        raise ServiceError(
            CaseError.UNKNOWN_CUSTOMER,
            _("There is no customer with that reference"),
            field="customer_reference",
        )
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
    organisation = queries.public_organisation(organisation_slug, request)
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
            name_cy=data["name_cy"],
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
    saved = (
        None
        if form.adding
        else pages.save_form(
            request,
            form,
            lambda data: _save_case_type(user, form, code=data["code"], new=True),
            done=(_("Case type added"), reverse("cases:case-types")),
        )
    )
    if saved is not None:
        return saved
    return _case_type_page(
        request,
        form.unchecked() if form.adding else form,
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
    saved = (
        None
        if form.adding
        else pages.save_form(
            request,
            form,
            lambda data: _save_case_type(user, form, code=case_type.code, new=False),
            done=(
                _("Case type %(name)s saved") % {"name": case_type.name},
                reverse("cases:case-types"),
            ),
        )
    )
    if saved is not None:
        return saved
    return _case_type_page(
        request,
        form.unchecked() if form.adding else form,
        title=_("Change %(name)s") % {"name": case_type.name},
        back=reverse("cases:case-types"),
        submit=_("Save"),
    )
