"""Staff pages for issue 15's procedural steps: restrictions on a customer's contact (propose,
read, approve, lift), a stage's owner, contributions to a cross-service complaint, and a
councillor's feedback for a constituent with its progress.  Thin: parse, one service, render."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from onestop.core import audit, pages, permissions
from onestop.core.access import require
from onestop.core.http import client_address, staff_user
from onestop.core.models import User
from onestop.customers import queries as customer_queries
from onestop.directory.models import Team
from onestop.feedback import queries
from onestop.feedback.forms import ConfirmForm
from onestop.feedback.forms import procedure as forms
from onestop.feedback.models import Feedback
from onestop.feedback.queries import procedure as procedure_queries
from onestop.feedback.queries import restrictions as restriction_queries
from onestop.feedback.services import procedure as procedure_services
from onestop.feedback.services import restrictions as restriction_services
from onestop.feedback.views import GET_POST, Posted, _action

FORM_TEMPLATE = "feedback/procedure/form.html"


# --- restrictions on a customer's contact --------------------------------------------------------
def _restriction_url(pk: int) -> str:
    return reverse("feedback:restriction", args=[pk])


@require_http_methods(GET_POST)
def restriction_new(request: HttpRequest, customer_id: int) -> HttpResponse:
    user = staff_user(request)
    require(user, permissions.RESTRICTION_PROPOSE)
    customer = customer_queries.get_customer_for(user, customer_id)
    form = forms.RestrictionForm(
        pages.posted(request), staff=restriction_queries.staff_choices(user), prefix="restriction"
    )
    saved = pages.save_form(
        request,
        form,
        lambda data: restriction_services.propose(customer, by=user, values=form.values()),
        done=lambda row: (
            _("Restriction proposed: a manager must approve it"),
            _restriction_url(row.pk),
        ),
    )
    if saved is not None:
        return saved
    return pages.form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        title=_("Restrict how the customer contacts us"),
        back=reverse("customers:detail", args=[customer.pk]),
        submit=_("Propose the restriction"),
        caption=f"{customer.display_name} ({customer.reference})",
        intro=_(
            "For unreasonable behaviour only. A manager other than you approves it; the customer "
            "is then sent a notice. It ends on its review date unless it is lifted earlier."
        ),
    )


@require_GET
def restriction_detail(request: HttpRequest, restriction_id: int) -> HttpResponse:
    user = staff_user(request)
    restriction = restriction_queries.open_restriction(
        user, restriction_id, client_address(request)
    )
    may_manage = permissions.can(user, permissions.RESTRICTION_APPROVE, restriction)
    return render(
        request,
        "feedback/procedure/restriction.html",
        {
            "restriction": restriction,
            "lines": restriction_queries.describe(restriction),
            "contacts": restriction_queries.contacts_under(restriction),
            "can_approve": may_manage
            and restriction.status == "proposed"
            and restriction.proposed_by_id != user.pk,
            "can_lift": may_manage and restriction.status != "ended",
        },
    )


def _restriction_step(
    request: HttpRequest,
    pk: int,
    *,
    form: django_forms.Form,
    save: Any,
    title: str,
    submit: str,
    done: str,
    intro: str,
) -> HttpResponse:
    user = staff_user(request)
    restriction = restriction_queries.get_restriction_for(user, pk, permissions.RESTRICTION_APPROVE)
    url = _restriction_url(restriction.pk)
    saved = pages.save_form(
        request, form, lambda data: save(user, restriction, data), done=(done, url)
    )
    if saved is not None:
        return saved
    return pages.form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        title=title,
        back=url,
        submit=submit,
        caption=f"{restriction.customer.display_name} ({restriction.customer.reference})",
        intro=intro,
        lines=restriction_queries.describe(restriction),
    )


@require_http_methods(GET_POST)
def restriction_approve(request: HttpRequest, restriction_id: int) -> HttpResponse:
    return _restriction_step(
        request,
        restriction_id,
        form=ConfirmForm(pages.posted(request)),
        save=lambda user, restriction, data: restriction_services.approve(restriction, by=user),
        title=_("Approve the restriction"),
        submit=_("Approve and send the notice"),
        done=_("Restriction approved: the customer is sent a notice"),
        intro=_("You cannot approve a restriction you proposed."),
    )


@require_http_methods(GET_POST)
def restriction_lift(request: HttpRequest, restriction_id: int) -> HttpResponse:
    return _restriction_step(
        request,
        restriction_id,
        form=forms.ReasonForm(pages.posted(request), prefix="lift"),
        save=lambda user, restriction, data: restriction_services.lift(
            restriction, by=user, reason=data["reason"]
        ),
        title=_("End the restriction"),
        submit=_("End it"),
        done=_("Restriction ended"),
        intro=_("A restriction in force is lifted and the customer told; a proposal is declined."),
    )


# --- a stage's owner and contributions -----------------------------------------------------------
@require_http_methods(GET_POST)
def feedback_owner(request: HttpRequest, reference: str) -> HttpResponse:
    def make(data: Posted, user: User, feedback: Feedback) -> django_forms.Form:
        return forms.OwnerForm(data, staff=procedure_queries.owner_choices(user), prefix="owner")

    return _action(
        request,
        reference,
        permissions.COMPLAINT_HANDLE,
        form=make,
        save=lambda user, feedback, data, form: procedure_services.reassign_owner(
            feedback, by=user, owner=data.get("owner"), reason=data["reason"]
        ),
        title=_("Change the stage's owner"),
        submit=_("Change the owner"),
        done=_("Owner changed"),
        intro=_(
            "The informal stage is owned by the front line or a team leader, stage 1 by at least "
            "an operational manager, stage 2 by the head of the service."
        ),
    )


@require_http_methods(GET_POST)
def contribution_new(request: HttpRequest, reference: str) -> HttpResponse:
    def make(data: Posted, user: User, feedback: Feedback) -> django_forms.Form:
        return forms.ContributionRequestForm(
            data,
            services=queries.services_for(user),
            teams=Team.objects.for_user(user).order_by("name"),
            prefix="contribution",
        )

    return _action(
        request,
        reference,
        permissions.COMPLAINT_HANDLE,
        form=make,
        save=lambda user, feedback, data, form: procedure_services.request_contribution(
            feedback,
            by=user,
            service=data.get("service"),
            team=data.get("team"),
            question=data["question"],
            due_on=data.get("due_on"),
        ),
        title=_("Ask another service to contribute"),
        submit=_("Ask for the contribution"),
        done=_("Contribution asked for"),
        intro=_(
            "The lead service answers once, with every service's part. Its team leaders and "
            "managers are told."
        ),
    )


@require_http_methods(GET_POST)
def contribution_record(request: HttpRequest, reference: str, contribution_id: int) -> HttpResponse:
    user = staff_user(request)
    feedback = queries.get_feedback_for(user, reference, permissions.COMPLAINT_HANDLE)
    contribution = procedure_queries.get_contribution_for(user, feedback, int(contribution_id))

    return _action(
        request,
        reference,
        permissions.COMPLAINT_HANDLE,
        form=lambda data, user, feedback: forms.ContributionForm(data, prefix="contribute"),
        save=lambda user, feedback, data, form: procedure_services.record_contribution(
            contribution, by=user, text=data["text"]
        ),
        title=_("Record %(service)s's contribution") % {"service": contribution.service.name},
        submit=_("Record the contribution"),
        done=_("Contribution recorded"),
        intro=contribution.question,
    )


def record_extras(user: User, feedback: Feedback) -> dict[str, Any]:
    """What the record page shows of this part: its actions and the contributions."""
    handle = permissions.can(user, permissions.COMPLAINT_HANDLE)
    stage = queries.current_stage(feedback)
    actions: list[tuple[str, str]] = []
    contributions = procedure_queries.contributions_of(feedback) if feedback.is_complaint else []
    if handle and feedback.is_complaint and feedback.is_open and stage is not None:
        if stage.responded_at is None:
            actions.append(
                (_("Change the owner"), reverse("feedback:owner", args=[feedback.reference]))
            )
        actions.append(
            (
                _("Ask another service to contribute"),
                reverse("feedback:contribution-new", args=[feedback.reference]),
            )
        )
    return {
        "procedure_actions": actions,
        "contributions": [
            (
                row,
                reverse("feedback:contribution", args=[feedback.reference, row.pk])
                if handle and feedback.is_open and row.is_outstanding
                else "",
            )
            for row in contributions
        ],
        "lead_service": procedure_queries.lead_service(feedback),
    }


# --- a councillor's feedback ---------------------------------------------------------------------
@require_GET
def councillor_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, permissions.FEEDBACK_COUNCILLOR)
    rows = procedure_queries.councillor_progress(user)
    audit.record_list_read(
        user,
        what="feedback.councillor",
        ids=[row.reference for row in rows],
        ip_address=client_address(request),
    )
    return render(request, "feedback/procedure/councillor_list.html", {"rows": rows})


@require_http_methods(GET_POST)
def councillor_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, permissions.FEEDBACK_COUNCILLOR)
    assert user.organisation is not None  # noqa: S101  # require() answered for staff
    organisation = user.organisation
    form = forms.CouncillorForm(
        pages.posted(request), services=queries.services_for(user), prefix="councillor"
    )
    saved = pages.save_form(
        request,
        form,
        lambda data: procedure_services.record_for_constituent(
            organisation, by=user, values=form.values()
        ),
        done=lambda feedback: (
            _("%(reference)s recorded for your constituent") % {"reference": feedback.reference},
            reverse("feedback:councillor"),
        ),
    )
    if saved is not None:
        return saved
    return pages.form_page(
        request,
        form,
        template=FORM_TEMPLATE,
        title=_("Feedback for a constituent"),
        back=reverse("feedback:councillor"),
        submit=_("Send"),
        intro=_(
            "A comment, compliment, complaint or suggestion your constituent asked you to pass "
            "on. You can follow its progress; the council replies to your constituent."
        ),
    )
