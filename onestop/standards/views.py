from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onestop.core import pages, permissions
from onestop.core.access import require
from onestop.core.http import StaffRequest
from onestop.standards import clock, queries, services
from onestop.standards.forms import ClosureDayForm, StandardForm, TargetForm, WhenDueForm


@require_GET
def home(request: StaffRequest) -> HttpResponse:
    require(request.user, permissions.STANDARD_VIEW)
    year = timezone.localdate().year
    rows = [
        queries.StandardRow(
            standard=standard,
            target_this_year=queries.target_for_year(standard, year),
            history=list(standard.targets.all()),
        )
        for standard in queries.standards_for(request.user)
    ]
    return render(request, "standards/home.html", {"rows": rows, "year": year})


@require_http_methods(["GET", "POST"])
def standard_detail(request: StaffRequest, standard_id: int) -> HttpResponse:
    standard = queries.get_standard_for(request.user, standard_id)
    can_manage = permissions.can(request.user, permissions.STANDARD_MANAGE)
    initial = {
        "title": standard.title,
        "title_cy": standard.title_cy,
        "amount": standard.amount,
        "unit": standard.unit,
        "target_percent": standard.target_percent,
    }
    form = StandardForm(
        request.POST if request.POST.get("form") == "standard" else None, initial=initial
    )
    target_form = TargetForm(
        request.POST if request.POST.get("form") == "target" else None, prefix="target"
    )
    if request.method == "POST":
        require(request.user, permissions.STANDARD_MANAGE)
        here = reverse("standards:standard", args=[standard.pk])
        saved = pages.save_form(
            request,
            form,
            lambda data: services.change_standard(standard, by=request.user, **data),
            done=(_("Standard changed"), here),
        ) or pages.save_form(
            request,
            target_form,
            lambda data: services.set_standard_target(standard, by=request.user, **data),
            done=(_("Target recorded"), here),
        )
        if saved is not None:
            return saved
    context = {
        "standard": standard,
        "history": list(standard.targets.order_by("year")),
        "form": form if form.is_bound else target_form if target_form.is_bound else form,
        "standard_form": form,
        "target_form": target_form,
        "can_manage": can_manage,
    }
    return render(request, "standards/standard.html", context)


@require_http_methods(["GET", "POST"])
def calendar(request: StaffRequest) -> HttpResponse:
    require(request.user, permissions.STANDARD_VIEW)
    form = ClosureDayForm(request.POST or None)
    if request.method == "POST":
        require(request.user, permissions.CALENDAR_MANAGE)
        saved = pages.save_form(
            request,
            form,
            lambda data: services.add_closure_day(
                request.user.organisation,  # type: ignore[arg-type]
                by=request.user,
                day=data["day"],
                reason=data["reason"],
            ),
            done=(
                _(
                    "Closure day added. Open case deadlines are being recalculated: none "
                    "will be brought forward, and customers whose reply date moves later "
                    "will be told."
                ),
                reverse("standards:calendar"),
            ),
        )
        if saved is not None:
            return saved
    context = {
        "form": form,
        "closure_days": queries.closure_days_for(request.user),
        "version": queries.calendar_version_of(request.user.organisation_id or 0),
        "can_manage": permissions.can(request.user, permissions.CALENDAR_MANAGE),
    }
    return render(request, "standards/calendar.html", context)


@require_POST
def remove_closure_day(request: StaffRequest, closure_day_id: int) -> HttpResponse:
    closure = queries.get_closure_day_for(request.user, closure_day_id, permissions.CALENDAR_MANAGE)
    services.remove_closure_day(closure, by=request.user)
    messages.success(
        request,
        _(
            "Closure day removed. Open case deadlines are being recalculated: promised dates "
            "are kept, none is brought forward."
        ),
    )
    return redirect("standards:calendar")


@require_GET
def when_due(request: StaffRequest) -> HttpResponse:
    user = request.user
    require(user, permissions.STANDARD_VIEW)
    organisation = user.organisation
    if organisation is None:
        raise Http404
    standards = list(queries.standards_for(user).filter(amount__isnull=False))
    form = WhenDueForm(request.GET or None, standards=[(s.pk, s.title) for s in standards])
    answer = None
    if request.GET and form.is_valid():
        start = form.cleaned_data["start"]
        chosen = next((s for s in standards if s.pk == form.cleaned_data["standard"]), None)
        if chosen is not None:
            amount, unit = chosen.amount or 0, chosen.unit
            calendar_used = queries.calendar_for_standard(chosen, organisation)
        else:
            amount, unit = form.cleaned_data["amount"], form.cleaned_data["unit"]
            calendar_used = queries.calendar_for_organisation(organisation)
        try:
            answer = clock.deadline(start, amount, unit, calendar_used)
        except ValueError as error:
            form.add_error("start", str(error))
    return render(request, "standards/when_due.html", {"form": form, "answer": answer})
