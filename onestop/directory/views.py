"""Staff pages of the directory.  Thin: parse the form, reach the object through an access
function, call one service, render or redirect."""

from __future__ import annotations

import csv
from functools import partial
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onestop.core import pages, permissions
from onestop.core.access import require
from onestop.core.errors import ServiceError
from onestop.core.forms import query_text
from onestop.core.http import staff_user
from onestop.core.models import User
from onestop.directory import forms, queries, services
from onestop.trust import services as trust_services

GET_POST = ["GET", "POST"]
MANAGE = permissions.DIRECTORY_MANAGE
VIEW = permissions.DIRECTORY_VIEW

_form_page = partial(pages.form_page, template="core/form_page.html")
_done = pages.done
_save = pages.save_form


def _user(request: HttpRequest) -> User:
    return staff_user(request)


def _can_manage(user: User) -> bool:
    return permissions.can(user, MANAGE)


# --- home and organisation ----------------------------------------------------------------------
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisation = queries.organisation_for(user)
    return render(
        request,
        "directory/home.html",
        {"organisation": organisation, "can_manage": _can_manage(user)},
    )


@require_http_methods(GET_POST)
def organisation_edit(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisation = queries.organisation_for(user, MANAGE)
    initial = {
        "name": organisation.name,
        "type": organisation.type,
        "nation": organisation.nation,
        "branding_text": organisation.branding_text,
        "offers_welsh": organisation.offers_welsh,
        "boundary_south": organisation.boundary_south,
        "boundary_north": organisation.boundary_north,
        "boundary_west": organisation.boundary_west,
        "boundary_east": organisation.boundary_east,
    }
    form = forms.OrganisationForm(request.POST or None, initial=initial)
    saved = _save(
        request,
        form,
        lambda data: services.update_organisation(organisation, by=user, **data),
        done=(_("Organisation details saved"), reverse("directory:home")),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Change organisation details"),
        back=reverse("directory:home"),
        submit=_("Save"),
    )


# --- services -----------------------------------------------------------------------------------
@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, VIEW)
    search, search_error = query_text(
        request.GET, "q", limit=100, label=_("Search by name or LGSL code")
    )
    return render(
        request,
        "directory/service_list.html",
        {
            "services": queries.services_for(user, search),
            "search": search,
            "search_error": search_error,
            "can_manage": _can_manage(user),
        },
    )


@require_GET
def service_detail(request: HttpRequest, service_id: int) -> HttpResponse:
    user = _user(request)
    service = queries.get_service_for(user, service_id)
    return render(
        request,
        "directory/service_detail.html",
        {
            "service": service,
            "teams": service.teams.order_by("name"),
            "can_manage": _can_manage(user),
        },
    )


def _service_values(form: forms.ServiceForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "description": data["description"],
        "lgsl_code": data["lgsl_code"],
        "phone": data["phone"],
        "email": data["email"],
        "name_cy": data["name_cy"],
        "description_cy": data["description_cy"],
    }


@require_http_methods(GET_POST)
def service_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, MANAGE)
    organisation = queries.organisation_for(user, MANAGE)
    form = forms.ServiceForm(request.POST or None)
    saved = _save(
        request,
        form,
        lambda data: services.create_service(organisation, by=user, **_service_values(form)),
        done=lambda service: (
            _("Service added"),
            reverse("directory:service-detail", args=[service.pk]),
        ),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Add a service"),
        back=reverse("directory:services"),
        submit=_("Add service"),
    )


@require_http_methods(GET_POST)
def service_edit(request: HttpRequest, service_id: int) -> HttpResponse:
    user = _user(request)
    service = queries.get_service_for(user, service_id, MANAGE)
    initial = {
        "name": service.name,
        "description": service.description,
        "lgsl_code": service.lgsl.code if service.lgsl else None,
        "phone": service.phone,
        "email": service.email,
        "name_cy": service.name_cy,
        "description_cy": service.description_cy,
    }
    form = forms.ServiceForm(request.POST or None, initial=initial)
    saved = _save(
        request,
        form,
        lambda data: services.update_service(service, by=user, **_service_values(form)),
        done=(
            _("Service saved"),
            reverse("directory:service-detail", args=[service.pk]),
        ),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Change service"),
        back=reverse("directory:service-detail", args=[service.pk]),
        submit=_("Save"),
    )


# --- teams --------------------------------------------------------------------------------------
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, VIEW)
    return render(
        request,
        "directory/team_list.html",
        {"teams": queries.teams_for(user), "can_manage": _can_manage(user)},
    )


@require_GET
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    user = _user(request)
    team = queries.get_team_for(user, team_id)
    return render(
        request,
        "directory/team_detail.html",
        {"team": team, "members": queries.members_of(team), "can_manage": _can_manage(user)},
    )


@require_http_methods(GET_POST)
def team_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, MANAGE)
    form = forms.TeamForm(request.POST or None, services=queries.services_for(user))
    saved = _save(
        request,
        form,
        lambda data: services.create_team(
            data["service"], by=user, name=data["name"], email=data["email"], phone=data["phone"]
        ),
        done=lambda team: (_("Team added"), reverse("directory:team-detail", args=[team.pk])),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Add a team"),
        back=reverse("directory:teams"),
        submit=_("Add team"),
    )


@require_http_methods(GET_POST)
def team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    user = _user(request)
    team = queries.get_team_for(user, team_id, MANAGE)
    initial = {
        "service": team.service_id,
        "name": team.name,
        "email": team.email,
        "phone": team.phone,
    }
    form = forms.TeamForm(
        request.POST or None, initial=initial, services=queries.services_for(user)
    )
    saved = _save(
        request,
        form,
        lambda data: services.update_team(team, by=user, **data),
        done=(_("Team saved"), reverse("directory:team-detail", args=[team.pk])),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Change team"),
        back=reverse("directory:team-detail", args=[team.pk]),
        submit=_("Save"),
    )


@require_http_methods(GET_POST)
def team_member_add(request: HttpRequest, team_id: int) -> HttpResponse:
    user = _user(request)
    team = queries.get_team_for(user, team_id, MANAGE)
    form = forms.TeamMemberForm(request.POST or None, staff=queries.staff_for(user))
    saved = _save(
        request,
        form,
        lambda data: services.add_team_member(team, by=user, user=data["user"]),
        done=(_("Member added"), reverse("directory:team-detail", args=[team.pk])),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Add a member to %(team)s") % {"team": team.name},
        back=reverse("directory:team-detail", args=[team.pk]),
        submit=_("Add member"),
    )


@require_POST
def team_member_remove(request: HttpRequest, team_id: int, membership_id: int) -> HttpResponse:
    user = _user(request)
    team = queries.get_team_for(user, team_id, MANAGE)
    membership = queries.get_membership_for(user, team, membership_id)
    services.remove_team_member(membership, by=user)
    return _done(request, _("Member removed"), reverse("directory:team-detail", args=[team.pk]))


# --- staff --------------------------------------------------------------------------------------
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, VIEW)
    return render(
        request,
        "directory/staff_list.html",
        {"staff": queries.staff_for(user), "can_manage": _can_manage(user)},
    )


@require_http_methods(GET_POST)
def staff_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, MANAGE)
    organisation = queries.organisation_for(user, MANAGE)
    form = forms.StaffCreateForm(
        pages.posted(request),
        roles=list(queries.roles_for(user)),
        organisation_slug=organisation.slug,
    )
    saved = pages.save_form(
        request,
        form,
        lambda data: services.create_staff(
            organisation,
            by=user,
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            job_title=data["job_title"],
            password=data["password"],
            role_codes=data["roles"],
        ),
        done=lambda created: (
            _("Member of staff added: they sign in as %(username)s")
            % {"username": created.username},
            reverse("directory:staff"),
        ),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Add a member of staff"),
        back=reverse("directory:staff"),
        submit=_("Add member of staff"),
        template="directory/staff_create.html",
    )


@require_POST
def staff_deactivate(request: HttpRequest, staff_id: int) -> HttpResponse:
    user = _user(request)
    member = queries.get_staff_for(user, staff_id, MANAGE)
    try:
        services.deactivate_staff(member, by=user)
    except ServiceError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(reverse("directory:staff"))
    return _done(
        request,
        _("%(name)s can no longer sign in") % {"name": member.display_name},
        reverse("directory:staff"),
    )


@require_POST
def staff_reset_second_factor(request: HttpRequest, staff_id: int) -> HttpResponse:
    user = _user(request)
    member = queries.get_staff_for(user, staff_id, MANAGE)
    try:
        trust_services.reset_second_factor(member, by=user)
    except ServiceError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(reverse("directory:staff"))
    return _done(
        request,
        _("%(name)s will set up a new authenticator when they next sign in")
        % {"name": member.display_name},
        reverse("directory:staff"),
    )


@require_http_methods(GET_POST)
def staff_roles(request: HttpRequest, staff_id: int) -> HttpResponse:
    user = _user(request)
    member = queries.get_staff_for(user, staff_id, MANAGE)
    roles = list(queries.roles_for(user))
    initial = {"roles": [role.code for role in member.roles.all()]}
    form = forms.StaffRolesForm(request.POST or None, initial=initial, roles=roles)
    saved = _save(
        request,
        form,
        lambda data: services.set_staff_roles(member, by=user, role_codes=data["roles"]),
        done=(_("Roles saved"), reverse("directory:staff")),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Roles of %(name)s") % {"name": member.display_name},
        back=reverse("directory:staff"),
        submit=_("Save roles"),
        template="directory/staff_roles.html",
    )


# --- access points ------------------------------------------------------------------------------
@require_GET
def access_point_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, VIEW)
    return render(
        request,
        "directory/access_point_list.html",
        {"access_points": queries.access_points_for(user), "can_manage": _can_manage(user)},
    )


@require_GET
def access_point_detail(request: HttpRequest, access_point_id: int) -> HttpResponse:
    user = _user(request)
    access_point = queries.get_access_point_for(user, access_point_id)
    shared = queries.is_shared_with_user(user, access_point)
    return render(
        request,
        "directory/access_point_detail.html",
        {
            "access_point": access_point,
            "shared": shared,
            "hours": queries.weekly_hours(access_point),
            "exceptions": queries.exceptions_of(access_point),
            "out_of_hours": queries.out_of_hours_of(access_point),
            "shares": [] if shared else queries.shares_of(access_point),
            "can_manage": _can_manage(user) and not shared,
        },
    )


def _access_point_url(access_point_id: int) -> str:
    return reverse("directory:access-point-detail", args=[access_point_id])


@require_http_methods(GET_POST)
def access_point_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisation = queries.organisation_for(user, MANAGE)
    form = forms.AccessPointForm(request.POST or None)
    saved = _save(
        request,
        form,
        lambda data: services.create_access_point(organisation, by=user, **data),
        done=lambda point: (_("Access point added"), _access_point_url(point.pk)),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Add an access point"),
        back=reverse("directory:access-points"),
        submit=_("Add access point"),
    )


@require_http_methods(GET_POST)
def access_point_edit(request: HttpRequest, access_point_id: int) -> HttpResponse:
    user = _user(request)
    access_point = queries.get_access_point_for(user, access_point_id, MANAGE)
    initial = {
        "kind": access_point.kind,
        "name": access_point.name,
        "address": access_point.address,
        "phone": access_point.phone,
        "email": access_point.email,
        "has_hearing_loop": access_point.has_hearing_loop,
        "has_step_free_access": access_point.has_step_free_access,
        "interview_rooms": access_point.interview_rooms,
        "name_cy": access_point.name_cy,
        "address_cy": access_point.address_cy,
    }
    form = forms.AccessPointForm(request.POST or None, initial=initial)
    saved = _save(
        request,
        form,
        lambda data: services.update_access_point(access_point, by=user, **data),
        done=(_("Access point saved"), _access_point_url(access_point.pk)),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Change access point"),
        back=_access_point_url(access_point.pk),
        submit=_("Save"),
    )


@require_http_methods(GET_POST)
def session_add(request: HttpRequest, access_point_id: int) -> HttpResponse:
    user = _user(request)
    access_point = queries.get_access_point_for(user, access_point_id, MANAGE)
    form = forms.OpeningSessionForm(request.POST or None)
    saved = _save(
        request,
        form,
        lambda data: services.add_opening_session(access_point, by=user, **data),
        done=(_("Opening session added"), _access_point_url(access_point.pk)),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Add opening hours to %(name)s") % {"name": access_point.name},
        back=_access_point_url(access_point.pk),
        submit=_("Add session"),
    )


@require_POST
def session_remove(request: HttpRequest, access_point_id: int, session_id: int) -> HttpResponse:
    user = _user(request)
    access_point = queries.get_access_point_for(user, access_point_id, MANAGE)
    session = queries.get_session_for(user, access_point, session_id)
    services.remove_opening_session(session, by=user)
    return _done(request, _("Opening session removed"), _access_point_url(access_point.pk))


@require_http_methods(GET_POST)
def exception_add(request: HttpRequest, access_point_id: int) -> HttpResponse:
    user = _user(request)
    access_point = queries.get_access_point_for(user, access_point_id, MANAGE)
    form = forms.OpeningExceptionForm(request.POST or None)
    saved = _save(
        request,
        form,
        lambda data: services.set_opening_exception(access_point, by=user, **data),
        done=(_("Date exception saved"), _access_point_url(access_point.pk)),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Add a date exception to %(name)s") % {"name": access_point.name},
        back=_access_point_url(access_point.pk),
        submit=_("Save exception"),
    )


@require_POST
def exception_remove(request: HttpRequest, access_point_id: int, exception_id: int) -> HttpResponse:
    user = _user(request)
    access_point = queries.get_access_point_for(user, access_point_id, MANAGE)
    exception = queries.get_exception_for(user, access_point, exception_id)
    services.remove_opening_exception(exception, by=user)
    return _done(request, _("Date exception removed"), _access_point_url(access_point.pk))


@require_http_methods(GET_POST)
def out_of_hours_edit(
    request: HttpRequest, access_point_id: int, arrangement_id: int | None = None
) -> HttpResponse:
    user = _user(request)
    access_point = queries.get_access_point_for(user, access_point_id, MANAGE)
    arrangement = (
        queries.get_out_of_hours_for(user, access_point, arrangement_id)
        if arrangement_id is not None
        else None
    )
    initial = (
        {name: getattr(arrangement, name) for name in services.OUT_OF_HOURS_FIELDS}
        if arrangement is not None
        else {}
    )
    for name in ("starts_at", "ends_at"):
        if name in initial:
            initial[name] = f"{initial[name]:%H:%M}"
    form = forms.OutOfHoursForm(request.POST or None, initial=initial)
    saved = _save(
        request,
        form,
        lambda data: services.save_out_of_hours(
            access_point, by=user, data=services.OutOfHoursInput(**data), arrangement=arrangement
        ),
        done=(_("Out-of-hours arrangement saved"), _access_point_url(access_point.pk)),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Out-of-hours arrangement for %(name)s") % {"name": access_point.name},
        back=_access_point_url(access_point.pk),
        submit=_("Save arrangement"),
    )


@require_POST
def out_of_hours_remove(
    request: HttpRequest, access_point_id: int, arrangement_id: int
) -> HttpResponse:
    user = _user(request)
    access_point = queries.get_access_point_for(user, access_point_id, MANAGE)
    arrangement = queries.get_out_of_hours_for(user, access_point, arrangement_id)
    services.remove_out_of_hours(arrangement, by=user)
    return _done(request, _("Out-of-hours arrangement removed"), _access_point_url(access_point.pk))


@require_http_methods(GET_POST)
def share_add(request: HttpRequest, access_point_id: int) -> HttpResponse:
    user = _user(request)
    access_point = queries.get_access_point_for(user, access_point_id, MANAGE)
    form = forms.ShareForm(
        request.POST or None, organisations=queries.partner_organisations_for(user)
    )
    saved = _save(
        request,
        form,
        lambda data: services.share_access_point(
            access_point, by=user, organisation=data["organisation"]
        ),
        done=(_("Access point shared"), _access_point_url(access_point.pk)),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Share %(name)s with a partner") % {"name": access_point.name},
        back=_access_point_url(access_point.pk),
        submit=_("Share"),
    )


@require_POST
def share_remove(request: HttpRequest, access_point_id: int, share_id: int) -> HttpResponse:
    user = _user(request)
    access_point = queries.get_access_point_for(user, access_point_id, MANAGE)
    share = queries.get_share_for(user, access_point, share_id)
    services.unshare_access_point(share, by=user)
    return _done(request, _("Sharing stopped"), _access_point_url(access_point.pk))


# --- export -------------------------------------------------------------------------------------
def _safe_cell(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    return f"'{value}" if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rows, service_count, access_point_count = queries.export_rows(user)
    services.record_export(
        user.organisation_id or 0,
        by=user,
        services=service_count,
        access_points=access_point_count,
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="directory.csv"'
    writer = csv.writer(response)
    writer.writerow(queries.EXPORT_HEADER)
    writer.writerows([[_safe_cell(cell) for cell in row] for row in rows])
    return response


# --- mail domains -------------------------------------------------------------------------------
@require_http_methods(GET_POST)
def mail_domains(request: HttpRequest) -> HttpResponse:
    """The organisation's mail domains, the TXT record that proves each, and a form to add one."""
    user = _user(request)
    domains = queries.mail_domains_for(user)
    organisation = queries.organisation_for(user, MANAGE)
    form = forms.MailDomainForm(request.POST or None)
    added = _save(
        request,
        form,
        lambda data: services.add_mail_domain(organisation, by=user, domain=data["domain"]),
        done=(
            _("Domain added: publish its TXT record, then check it"),
            reverse("directory:mail-domains"),
        ),
    )
    if added is not None:
        return added
    return render(
        request,
        "directory/mail_domains.html",
        {"domains": domains, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
def mail_domain_check(request: HttpRequest, mail_domain_id: int) -> HttpResponse:
    """Look for the domain's TXT record now; verified when it is there."""
    user = _user(request)
    mail_domain = queries.get_mail_domain_for(user, mail_domain_id, MANAGE)
    try:
        services.verify_mail_domain_by_dns(mail_domain, by=user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(domain)s is verified") % {"domain": mail_domain.domain})
    return HttpResponseRedirect(reverse("directory:mail-domains"))
