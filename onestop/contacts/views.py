"""The advisor desk (``/desk/``): search as you type, the customer panel, logging a contact,
call-backs and the visitor queue.  Thin views over ``queries`` and ``services``."""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onestop.contacts import forms, queries, services
from onestop.contacts.errors import ContactError
from onestop.contacts.models import Outcome, VisitorTicket
from onestop.core import audit, pages, permissions, sources
from onestop.core.access import require
from onestop.core.errors import ServiceError
from onestop.core.http import client_address, staff_user
from onestop.core.models import AuditAction, User
from onestop.customers import queries as customer_queries
from onestop.customers.models import Customer
from onestop.directory import queries as directory_queries
from onestop.directory.models import AccessPoint

SEARCH_LIMIT = 20


def _results(user: User, query: str) -> dict[str, object]:
    """What the search box found: a case when a case reference was typed, else customers."""
    if not query.strip():
        return {"query": query, "results": [], "case_lookup": None, "searched": False}
    case_lookup = queries.case_for_reference(user, query)
    return {
        "query": query,
        "results": customer_queries.search_customers(user, query) if case_lookup is None else [],
        "case_lookup": case_lookup,
        "searched": True,
    }


def _record_search(request: HttpRequest, user: User, found: dict[str, object]) -> None:
    """Audit what the search box showed: one record per search, none for an empty box."""
    if not found["searched"]:
        return
    lookup = found["case_lookup"]
    if isinstance(lookup, queries.CaseLookup):
        what = "cases.case"
        ids: list[object] = [lookup.result.reference] if lookup.result is not None else []
    else:
        what = "customers.customer"
        results = cast("list[customer_queries.SearchResult]", found["results"])
        ids = [result.customer_id for result in results]
    audit.record_list_read(
        user,
        what=what,
        action=AuditAction.SEARCHED,
        query={"q": found["query"]},
        ids=ids,
        ip_address=client_address(request),
    )


def _desk_context(user: User, query: str) -> dict[str, object]:
    return {
        **_results(user, query),
        "callback_count": queries.callbacks_for(user).count(),
        "can_create": permissions.can(user, permissions.CUSTOMER_EDIT),
        "can_raise": permissions.can(user, permissions.CASE_RAISE),
    }


def _raise_url(customer: Customer | None, contact_id: int | None) -> str:
    parameters = {"customer": customer.pk} if customer is not None else {}
    if contact_id is not None:
        parameters["contact"] = contact_id
    return reverse("cases:raise") + "?" + urlencode(parameters)


@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, permissions.CONTACT_LOG)
    query = request.GET.get("q", "")[:200]
    context = _desk_context(user, query)
    _record_search(request, user, context)
    return render(request, "contacts/desk.html", context)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Results as the advisor types (htmx swaps this fragment into the desk)."""
    user = staff_user(request)
    require(user, permissions.CONTACT_LOG)
    query = request.GET.get("q", "")[:200]
    found = _results(user, query)
    _record_search(request, user, found)
    return render(request, "contacts/includes/results.html", found)


@require_GET
def customer(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The desk with a customer chosen: warnings, preferences, open cases, recent contacts."""
    user = staff_user(request)
    require(user, permissions.CONTACT_LOG)
    record = customer_queries.open_customer(user, customer_id, ip_address=client_address(request))
    chosen = record.customer
    if chosen.merged_into_id is not None:
        return HttpResponseRedirect(reverse("contacts:customer", args=[chosen.merged_into_id]))
    panel = queries.desk_panel(user, chosen)
    query = request.GET.get("q", "")[:200]
    return render(
        request,
        "contacts/desk.html",
        {
            **_desk_context(user, query),
            "record": record,
            "customer": chosen,
            "panel": panel,
            "raise_url": _raise_url(chosen, panel.recent[0].pk if panel.recent else None),
        },
    )


@require_http_methods(["GET", "POST"])
def log(request: HttpRequest, customer_id: int | None = None) -> HttpResponse:
    """Log a contact in one form (for a customer, or anonymous)."""
    user = staff_user(request)
    require(user, permissions.CONTACT_LOG)
    chosen = (
        customer_queries.get_customer_for(user, customer_id) if customer_id is not None else None
    )
    record = customer_queries.record_of(chosen) if chosen is not None else None
    rules = sources.contact_rules(chosen.organisation_id, chosen.pk) if chosen is not None else []
    initial = {
        "received_at": timezone.now().isoformat(),
        "outcome": request.GET.get("outcome", Outcome.RESOLVED),
        "callback_phone": record.formatted_phones[0][1] if record and record.phones else "",
    }
    form = forms.LogContactForm(
        pages.posted(request),
        initial=initial,
        reasons=queries.reasons_for(user),
        services=directory_queries.services_for(user),
        access_points=directory_queries.access_points_for(user),
        earlier=queries.repeatable_contacts(user, chosen) if chosen is not None else [],
        rules=rules,
    )
    back = reverse("contacts:customer", args=[chosen.pk]) if chosen else reverse("contacts:desk")
    saved = pages.save_form(
        request,
        form,
        lambda data: services.log_contact(
            directory_queries.organisation_for(user, permissions.CONTACT_LOG),
            by=user,
            customer=chosen,
            values=form.contact_input(),
        ),
        done=lambda contact: (
            (_("Contact logged: now raise the request"), _raise_url(chosen, contact.pk))
            if contact.outcome == Outcome.REQUEST_NOT_COMPLETED
            else (_("Contact logged"), back)
        ),
    )
    if saved is not None:
        return saved
    return render(
        request,
        "contacts/log.html",
        {"form": form, "customer": chosen, "back": back, "rules": rules},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
def callbacks(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, permissions.CONTACT_LOG)
    items = list(queries.callbacks_for(user))
    audit.record_list_read(
        user,
        what="contacts.callback",
        ids=[item.pk for item in items],
        ip_address=client_address(request),
    )
    markers = customer_queries.open_markers_of(
        user, [c.customer_id for c in items if c.customer_id]
    )
    return render(
        request,
        "contacts/callbacks.html",
        {
            "callbacks": items,
            "rows": [(item, markers.get(item.customer_id or 0, [])) for item in items],
            "now": timezone.now(),
        },
    )


@require_POST
def callback_done(request: HttpRequest, callback_id: int) -> HttpResponse:
    user = staff_user(request)
    callback = queries.get_callback_for(user, callback_id)
    try:
        services.complete_callback(callback, by=user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Call-back marked as made"))
    return HttpResponseRedirect(reverse("contacts:callbacks"))


@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    """The one-stop-shop queue: issue a ticket on arrival, then see the visitor."""
    user = staff_user(request)
    require(user, permissions.CONTACT_LOG)
    points = directory_queries.access_points_for(user)
    chosen_id = request.GET.get("access_point", "")
    point = (
        directory_queries.get_access_point_for(user, int(chosen_id))
        if chosen_id.isdigit()
        else points.first()
    )
    form = forms.TicketForm(pages.posted(request) if point is not None else None)
    saved = pages.save_form(
        request,
        form,
        lambda data: _issue_ticket(user, point, data["customer_reference"]),
        done=lambda ticket: (
            _("Ticket %(ticket)s issued") % {"ticket": ticket.ticket},
            reverse("contacts:queue") + "?" + urlencode({"access_point": ticket.access_point_id}),
        ),
    )
    if saved is not None:
        return saved
    rows = queries.room_queue(user, point) if point is not None else []
    if point is not None:
        audit.record_list_read(
            user,
            what="contacts.visitorticket",
            query={"access_point": point.pk},
            ids=[row.ticket.pk for row in rows if row.own],  # partners' show only a ticket
            ip_address=client_address(request),
        )
    return render(
        request,
        "contacts/queue.html",
        {
            "form": form,
            "points": points,
            "point": point,
            "rows": rows,
            "shared": point is not None and len(directory_queries.organisations_at(point)) > 1,
            "measure": queries.visitors_seen_in_time(user, point) if point is not None else None,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _issue_ticket(user: User, point: AccessPoint | None, reference: str) -> VisitorTicket:
    """A ticket for a visitor at ``point``, for the customer ``reference`` names if any."""
    assert point is not None  # noqa: S101  # the form is bound only when there is a point
    reference = reference.strip().upper()
    visitor = (
        customer_queries.customers_for(user).filter(reference=reference).first()
        if reference
        else None
    )
    if reference and visitor is None:
        raise ServiceError(
            ContactError.WRONG_ORGANISATION,
            _("There is no customer with that reference"),
            field="customer_reference",
        )
    organisation = directory_queries.organisation_for(user, permissions.CONTACT_LOG)
    return services.issue_ticket(organisation, by=user, access_point=point, customer=visitor)


@require_GET
def calling_display(request: HttpRequest, access_point_id: int) -> HttpResponse:
    """The room's calling display (one per access point, shared by every organisation in it):
    ticket numbers only.  htmx refreshes the board every few seconds."""
    user = staff_user(request)
    require(user, permissions.CONTACT_LOG)
    point = directory_queries.get_access_point_for(user, access_point_id)
    board = queries.calling_display(user, point)
    template = (
        "contacts/includes/calling_board.html"
        if request.headers.get("HX-Request")
        else "contacts/calling_display.html"
    )
    return render(request, template, {"point": point, "board": board})


@require_POST
def ticket_action(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    user = staff_user(request)
    ticket = queries.get_ticket_for(user, ticket_id)
    actions = {
        "seen": services.see_visitor,
        "left": services.visitor_left,
        "call": services.call_visitor,
    }
    if action not in actions:
        raise Http404
    try:
        actions[action](ticket, by=user)
    except ServiceError as error:
        messages.error(request, error.message)
    return HttpResponseRedirect(
        reverse("contacts:queue") + "?" + urlencode({"access_point": ticket.access_point_id})
    )


@require_http_methods(["GET", "POST"])
def reasons(request: HttpRequest) -> HttpResponse:
    """Administrators configure the reasons for contact offered on the desk."""
    user = staff_user(request)
    require(user, permissions.DIRECTORY_MANAGE)
    form = forms.ReasonForm(pages.posted(request), services=directory_queries.services_for(user))
    saved = pages.save_form(
        request,
        form,
        lambda data: services.add_reason(
            user.organisation,  # type: ignore[arg-type]
            by=user,
            label=data["label"],
            service=data["service"],
        ),
        done=(_("Reason added"), reverse("contacts:reasons")),
    )
    if saved is not None:
        return saved
    context = {"form": form, "reasons": queries.all_reasons_for(user)}
    return render(request, "contacts/reasons.html", context, status=400 if form.errors else 200)


@require_POST
def reason_retire(request: HttpRequest, reason_id: int) -> HttpResponse:
    user = staff_user(request)
    reason = queries.get_reason_for(user, reason_id, permissions.DIRECTORY_MANAGE)
    services.retire_reason(reason, by=user)
    messages.success(request, _("%(label)s is no longer offered") % {"label": reason.label})
    return HttpResponseRedirect(reverse("contacts:reasons"))
