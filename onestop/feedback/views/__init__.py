"""Staff pages of feedback: the complaints officer's list, a record with its stages, taking
feedback at the desk, each step of the procedure on a page of its own, and the procedure.
Thin: parse the form, reach objects through ``queries``, call one service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from onestop.core import pages, permissions
from onestop.core.access import require
from onestop.core.http import client_address, staff_user
from onestop.core.models import User
from onestop.customers import queries as customer_queries
from onestop.customers.models import Customer
from onestop.feedback import forms, queries, services
from onestop.feedback.models import Feedback, Kind, Status
from onestop.feedback.queries import procedure as procedure_queries
from onestop.feedback.views import reports

GET_POST = ["GET", "POST"]
Posted = QueryDict | None

FILTER_LABELS = {
    queries.Filter.ALL_OPEN: gettext_lazy("Open complaints"),
    queries.Filter.AWAITING: gettext_lazy("To acknowledge"),
    queries.Filter.AT_RISK: gettext_lazy("At risk"),
    queries.Filter.OVERDUE: gettext_lazy("Overdue"),
    queries.Filter.EXTENDED: gettext_lazy("Extended"),
    queries.Filter.OMBUDSMAN: gettext_lazy("With the ombudsman"),
    queries.Filter.OTHER_FEEDBACK: gettext_lazy("Comments, compliments and suggestions"),
    queries.Filter.CLOSED: gettext_lazy("Closed"),
}

EVENT_LABELS = {
    services.EventCode.RECORDED: gettext_lazy("Recorded"),
    services.EventCode.ACKNOWLEDGED: gettext_lazy("Acknowledged"),
    services.EventCode.EXTENDED: gettext_lazy("Deadline extended"),
    services.EventCode.ESCALATED: gettext_lazy("Escalated"),
    services.EventCode.RESPONDED: gettext_lazy("Answered"),
    services.EventCode.CLOSED: gettext_lazy("Closed"),
    services.EventCode.OUTSIDE: gettext_lazy("Closed as outside the procedure"),
    services.EventCode.PASSED_ON: gettext_lazy("Passed on"),
    services.EventCode.EMAIL_RECEIVED: gettext_lazy("E-mail received"),
    services.EventCode.CLASSIFIED: gettext_lazy("Classified"),
    services.EventCode.INFORMATION_ADDED: gettext_lazy("More information from the customer"),
    # Issue 15's procedural steps (``services.procedure``).
    "contribution-asked": gettext_lazy("Contribution asked of another service"),
    "contributed": gettext_lazy("Contribution received"),
    "owner-changed": gettext_lazy("Owner changed"),
    "councillor-submitted": gettext_lazy("Sent by a councillor"),
}


@require_GET
def feedback_list(request: HttpRequest) -> HttpResponse:
    if "measure" in request.GET:  # the records behind a report's figure (reports)
        return reports.report_records(request)
    user = staff_user(request)
    require(user, permissions.FEEDBACK_VIEW)
    wanted = str(request.GET.get("show", queries.Filter.ALL_OPEN))[:40]
    if wanted not in queries.FILTERS:
        wanted = queries.Filter.ALL_OPEN
    counts = queries.counts(user)
    tabs = [
        {
            "code": code,
            "label": str(FILTER_LABELS[code]),
            "count": counts.get(code),
            "current": code == wanted,
        }
        for code in queries.FILTERS
    ]
    return render(
        request,
        "feedback/list.html",
        {
            "rows": queries.complaint_rows(user, wanted),
            "tabs": tabs,
            "wanted": wanted,
            "title": FILTER_LABELS[wanted],
            "can_record": permissions.can(user, permissions.FEEDBACK_RECORD),
        },
    )


def _record_url(feedback: Feedback) -> str:
    return reverse("feedback:record", args=[feedback.reference])


@require_GET
def feedback_record(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    feedback = queries.get_feedback_for(user, reference)
    services.record_feedback_viewed(feedback, by=user, ip_address=client_address(request))
    stage = queries.current_stage(feedback)
    handle = permissions.can(user, permissions.COMPLAINT_HANDLE)
    is_open = feedback.status != Status.CLOSED
    actions: list[tuple[str, str]] = []
    if handle and is_open and feedback.kind == Kind.UNCLASSIFIED:  # came by e-mail (fb-public)
        actions.append((_("Classify"), "classify"))
    elif handle and is_open:
        if feedback.is_complaint and stage is not None:
            if stage.acknowledged_at is None and stage.responded_at is None:
                actions.append((_("Acknowledge"), "acknowledge"))
            if stage.responded_at is None:
                actions.append((_("Answer this stage"), "respond"))
                if not stage.is_extended and stage.extension_days:
                    actions.append((_("Extend the deadline"), "extend"))
            if feedback.status == Status.RESPONDED:
                actions.append((_("Close"), "close"))
            actions.append((_("Close as outside the procedure"), "outside"))
        elif not feedback.is_complaint:
            if feedback.acknowledged_at is None and feedback.customer_id is not None:
                actions.append((_("Acknowledge"), "acknowledge"))
            actions.append((_("Pass on"), "pass-on"))
    if feedback.is_complaint and is_open and permissions.can(user, permissions.COMPLAINT_ESCALATE):
        actions.append((_("Escalate to the next stage"), "escalate"))
    # The ombudsman, learning actions and the satisfaction survey (fb-after).
    from onestop.feedback.views import after

    labels = {**EVENT_LABELS, **after.EVENT_LABELS}
    return render(
        request,
        "feedback/record.html",
        {
            "feedback": feedback,
            "stages": queries.stages_of(feedback),
            "points": queries.points_of(feedback),
            "events": [
                (event, labels.get(event.code, event.code), event.data.get("stage", ""))
                for event in queries.events_of(feedback)
            ],
            "current": stage,
            "actions": [
                (label, reverse(f"feedback:{name}", args=[feedback.reference]))
                for label, name in actions
            ],
            **after.record_context(user, feedback),
            # Stage owners and contributions (``views.procedure``).
            **procedure_views.record_extras(user, feedback),
        },
    )


# --- taking feedback -----------------------------------------------------------------------------
def _record_page(request: HttpRequest, customer: Customer | None) -> HttpResponse:
    user = staff_user(request)
    require(user, permissions.FEEDBACK_RECORD)
    assert user.organisation is not None  # noqa: S101  # require() answered for staff
    organisation = user.organisation
    form = forms.RecordForm(
        pages.posted(request),
        services=queries.services_for(user),
        staff=queries.staff_for(user),
        prefix="feedback",
    )
    saved = pages.save_form(
        request,
        form,
        lambda data: services.record_feedback(
            organisation, by=user, customer=customer, values=form.values()
        ),
        done=lambda feedback: (
            _("%(kind)s %(reference)s recorded")
            % {"kind": Kind(feedback.kind).label, "reference": feedback.reference},
            _record_url(feedback)
            if queries.feedback_for(user).filter(pk=feedback.pk).exists()
            else reverse("customers:detail", args=[customer.pk])
            if customer is not None
            else reverse("feedback:new"),
        ),
    )
    if saved is not None:
        return saved
    back = (
        reverse("customers:detail", args=[customer.pk])
        if customer is not None
        else reverse("feedback:list")
        if permissions.can(user, permissions.FEEDBACK_VIEW)
        else "/"
    )
    return pages.form_page(
        request,
        form,
        template="feedback/record_form.html",
        title=_("Record comments, compliments or complaints"),
        back=back,
        submit=_("Record"),
        customer=customer,
    )


@require_http_methods(GET_POST)
def feedback_new(request: HttpRequest) -> HttpResponse:
    return _record_page(request, None)


@require_http_methods(GET_POST)
def feedback_new_for(request: HttpRequest, customer_id: int) -> HttpResponse:
    user = staff_user(request)
    customer = customer_queries.get_customer_for(user, customer_id)
    return _record_page(request, customer)


# --- the procedure's steps: one page each --------------------------------------------------------
def _action(
    request: HttpRequest,
    reference: str,
    permission: str,
    *,
    form: Callable[[Posted, User, Feedback], django_forms.Form],
    save: Callable[[User, Feedback, dict[str, Any], django_forms.Form], object],
    title: str,
    submit: str,
    done: str,
    intro: str = "",
) -> HttpResponse:
    """One step on a record: its form on a page of its own (GET), posted to the same address;
    success returns to the record with a banner, refused input shows this page again (400)."""
    user = staff_user(request)
    feedback = queries.get_feedback_for(user, reference, permission)
    bound = form(pages.posted(request), user, feedback)
    url = _record_url(feedback)
    saved = pages.save_form(
        request, bound, lambda data: save(user, feedback, data, bound), done=(done, url)
    )
    if saved is not None:
        return saved
    return pages.form_page(
        request,
        bound,
        template="feedback/action.html",
        title=title,
        back=url,
        submit=submit,
        feedback=feedback,
        intro=intro,
    )


@require_http_methods(GET_POST)
def feedback_acknowledge(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.COMPLAINT_HANDLE,
        form=lambda data, user, feedback: forms.ConfirmForm(data),
        save=lambda user, feedback, data, form: services.acknowledge(feedback, by=user),
        title=_("Acknowledge"),
        submit=_("Acknowledge and tell the customer"),
        done=_("Acknowledged"),
        intro=_("The customer is sent an acknowledgement with the date they will be answered by."),
    )


@require_http_methods(GET_POST)
def feedback_extend(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.COMPLAINT_HANDLE,
        form=lambda data, user, feedback: forms.ExtendForm(data, prefix="extend"),
        save=lambda user, feedback, data, form: services.extend(
            feedback, by=user, days=data["days"], reason=data["reason"]
        ),
        title=_("Extend the deadline"),
        submit=_("Extend and tell the customer"),
        done=_("Deadline extended"),
        intro=_("The procedure allows one extension. The customer is told the new date and why."),
    )


@require_http_methods(GET_POST)
def feedback_escalate(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.COMPLAINT_ESCALATE,
        form=lambda data, user, feedback: forms.EscalateForm(data, prefix="escalate"),
        save=lambda user, feedback, data, form: services.escalate(
            feedback, by=user, reason=data["reason"]
        ),
        title=_("Escalate to the next stage"),
        submit=_("Escalate"),
        done=_("Escalated"),
        intro=_("At the customer's request, once this stage is answered or overdue."),
    )


@require_http_methods(GET_POST)
def feedback_respond(request: HttpRequest, reference: str) -> HttpResponse:
    def make(data: Posted, user: User, feedback: Feedback) -> django_forms.Form:
        return forms.RespondForm(
            data,
            prefix="respond",
            points=queries.points_of(feedback),
            appeal_route=services.default_appeal_route(feedback),
            outstanding=procedure_queries.outstanding_count(feedback),
        )

    def save(user: User, feedback: Feedback, data: dict[str, Any], form: Any) -> object:
        return services.respond(
            feedback,
            by=user,
            findings=data["findings"],
            decisions=form.decisions(),
            appeal_route=data["appeal_route"],
            outstanding_reason=data.get("outstanding_reason") or "",
        )

    return _action(
        request,
        reference,
        permissions.COMPLAINT_HANDLE,
        form=make,
        save=save,
        title=_("Answer this stage"),
        submit=_("Send the answer"),
        done=_("Answer sent"),
        intro=_("Record the outcome of every point of complaint. The customer is sent the answer."),
    )


@require_http_methods(GET_POST)
def feedback_close(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.COMPLAINT_HANDLE,
        form=lambda data, user, feedback: forms.ConfirmForm(data),
        save=lambda user, feedback, data, form: services.close(feedback, by=user),
        title=_("Close the complaint"),
        submit=_("Close"),
        done=_("Complaint closed"),
        intro=_("A closed complaint can no longer be escalated."),
    )


@require_http_methods(GET_POST)
def feedback_outside(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.COMPLAINT_HANDLE,
        form=lambda data, user, feedback: forms.OutsideForm(data, prefix="outside"),
        save=lambda user, feedback, data, form: services.close_outside_procedure(
            feedback, by=user, route=data["route"], signposting=data["signposting"]
        ),
        title=_("Close as outside the procedure"),
        submit=_("Close and tell the customer"),
        done=_("Closed as outside the procedure"),
    )


@require_http_methods(GET_POST)
def feedback_pass_on(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.COMPLAINT_HANDLE,
        form=lambda data, user, feedback: forms.ConfirmForm(data),
        save=lambda user, feedback, data, form: services.pass_on(feedback, by=user),
        title=_("Pass on"),
        submit=_("Pass on"),
        done=_("Passed on"),
        intro=_(
            "It is sent to the member of staff named and their managers, or to the service's "
            "team leaders and managers, and then closed."
        ),
    )


# --- the procedure -------------------------------------------------------------------------------
@require_http_methods(GET_POST)
def procedure(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, permissions.STANDARD_MANAGE)
    assert user.organisation is not None  # noqa: S101  # require() answered for staff
    organisation = user.organisation
    current = queries.procedure_of(organisation)
    form = forms.ProcedureForm(pages.posted(request), initial={"preset": current.preset})
    saved = pages.save_form(
        request,
        form,
        lambda data: services.set_procedure(organisation, by=user, preset=data["preset"]),
        done=(_("Complaints procedure saved"), reverse("feedback:procedure")),
    )
    if saved is not None:
        return saved
    return pages.form_page(
        request,
        form,
        template="feedback/procedure.html",
        title=_("Complaints procedure"),
        back="/",
        submit=_("Save"),
        procedure=current,
    )


# Issue 15's procedural pages; imported last, as they build on ``_action`` above.
from onestop.feedback.views import procedure_steps as procedure_views  # noqa: E402
