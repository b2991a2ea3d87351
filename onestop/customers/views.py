"""Staff pages of customers.  Thin: parse the form, reach the object through an access function,
call one service, render or redirect."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onestop.core import audit, pages, permissions, sources
from onestop.core.access import action_for, require
from onestop.core.errors import ServiceError
from onestop.core.http import client_address, staff_user
from onestop.core.models import AuditAction, User
from onestop.core.pagination import page_links
from onestop.customers import forms, history, queries, services
from onestop.customers.errors import CustomerError
from onestop.customers.models import EQUALITY_FIELDS, Customer

GET_POST = ["GET", "POST"]


_form_page = partial(pages.form_page, template="customers/form.html")


def _customer_url(customer: Customer) -> str:
    return reverse("customers:detail", args=[customer.pk])


# --- create, view, edit ---------------------------------------------------------------------------
@require_http_methods(GET_POST)
def create(request: HttpRequest) -> HttpResponse:
    """A new customer; possible duplicates are shown before anything is saved."""
    user = staff_user(request)
    require(user, permissions.CUSTOMER_EDIT)
    typed = request.GET.get("name", "")[:150].split()
    initial = {"given_name": " ".join(typed[:-1]), "family_name": " ".join(typed[-1:])}
    form = forms.CustomerCreateForm(pages.posted(request), initial=initial)
    duplicates: list[queries.PossibleDuplicate] = []
    if request.method == "POST" and form.is_valid():
        duplicates = _possible_duplicates(request, user, form)
    # Possible duplicates are shown (not an error) until the advisor says none is the same.
    held_back = bool(duplicates) and not form.cleaned_data["not_a_duplicate"]
    saved = (
        None
        if held_back
        else pages.save_form(
            request,
            form,
            lambda data: services.create_customer(
                user.organisation_id or 0,
                by=user,
                details=form.details(),
                contact_details=form.contact_details(),
            ),
            done=lambda customer: (
                _("Customer %(name)s created (%(reference)s)")
                % {"name": customer.display_name, "reference": customer.reference},
                reverse("contacts:customer", args=[customer.pk]),
            ),
        )
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("New customer"),
        back=reverse("contacts:desk"),
        submit=_("Save customer") if not duplicates else _("Create a new record anyway"),
        template="customers/customer_form.html",
        duplicates=duplicates,
        creating=True,
    )


def _possible_duplicates(
    request: HttpRequest, user: User, form: forms.CustomerCreateForm
) -> list[queries.PossibleDuplicate]:
    """Records the new customer may already have; shown (and their list read audited) unless
    the advisor has already said this is not one of them."""
    data = form.cleaned_data
    name = services.display_name_of(form.details())
    duplicates = queries.possible_duplicates(
        user,
        name=name,
        date_of_birth=data["date_of_birth"],
        postcodes=[data["postcode"]] if data["postcode"] else [],
        phones=[data["phone"]] if data["phone"] else [],
        emails=[data["email"]] if data["email"] else [],
    )
    if duplicates and not data["not_a_duplicate"]:  # shown, not passed over: audited
        audit.record_list_read(
            user,
            what="customers.customer",
            action=AuditAction.SEARCHED,
            query={"possible_duplicates_of": name},
            ids=[found.customer.pk for found in duplicates],
            ip_address=client_address(request),
        )
    return duplicates


def _history_href(number: int) -> str:
    """A page of the history, scrolled to its heading."""
    return f"?page={number}#history"


@require_GET
def detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    user = staff_user(request)
    record = queries.open_customer(user, customer_id, ip_address=client_address(request))
    customer = record.customer
    found = history.history_of(user, customer, history.page_number(request.GET.get("page")))
    return render(
        request,
        "customers/detail.html",
        {
            "record": record,
            "customer": customer,
            "markers": queries.open_markers(user, customer),
            "cases": sources.open_cases_for_customer(user, customer.pk),
            "panels": sources.customer_panels(user, customer.pk),
            "history": found,
            "pagination": page_links(found, _history_href),
            "can_edit": permissions.can(user, permissions.CUSTOMER_EDIT),
            "can_merge": permissions.can(user, permissions.CUSTOMER_MERGE),
            "can_manage_markers": permissions.can(user, permissions.MARKER_MANAGE),
            "can_see_equality": permissions.can(user, permissions.CUSTOMER_EQUALITY_VIEW),
            "can_log": permissions.can(user, permissions.CONTACT_LOG),
        },
    )


@require_http_methods(GET_POST)
def edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    user = staff_user(request)
    customer = queries.get_customer_for(user, customer_id, permissions.CUSTOMER_EDIT)
    initial = {**services.details_dict(services.details_of(customer)), "version": customer.version}
    form = forms.CustomerEditForm(pages.posted(request), initial=initial)
    saved = pages.save_form(
        request,
        form,
        lambda data: services.update_customer(
            customer, by=user, version=data["version"], details=form.details()
        ),
        done=(_("Customer details saved"), _customer_url(customer)),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Change customer details"),
        back=_customer_url(customer),
        submit=_("Save"),
        template="customers/customer_form.html",
        duplicates=[],
        creating=False,
    )


def _add_detail(
    request: HttpRequest,
    customer_id: int,
    form_class: type[django_forms.Form],
    title: str,
    save: Any,
) -> HttpResponse:
    user = staff_user(request)
    customer = queries.get_customer_for(user, customer_id, permissions.CUSTOMER_EDIT)
    form = form_class(pages.posted(request))
    saved = pages.save_form(
        request,
        form,
        lambda data: save(customer, user, form),
        done=(_("Customer details saved"), _customer_url(customer)),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=title,
        back=_customer_url(customer),
        submit=_("Save"),
        customer=customer,
    )


@require_http_methods(GET_POST)
def add_address(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _add_detail(
        request,
        customer_id,
        forms.AddressForm,
        _("Add an address"),
        lambda customer, user, form: services.add_address(
            customer, by=user, address=form.address()
        ),
    )


@require_http_methods(GET_POST)
def add_phone(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _add_detail(
        request,
        customer_id,
        forms.PhoneForm,
        _("Add a phone number"),
        lambda customer, user, form: services.add_phone(
            customer, by=user, number=form.cleaned_data["number"], kind=form.cleaned_data["kind"]
        ),
    )


@require_http_methods(GET_POST)
def add_email(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _add_detail(
        request,
        customer_id,
        forms.EmailForm,
        _("Add an email address"),
        lambda customer, user, form: services.add_email(
            customer, by=user, address=form.cleaned_data["address"]
        ),
    )


@require_http_methods(GET_POST)
def add_name(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _add_detail(
        request,
        customer_id,
        forms.PreviousNameForm,
        _("Add a previous name"),
        lambda customer, user, form: services.add_previous_name(
            customer,
            by=user,
            full_name=form.cleaned_data["full_name"],
            used_until=form.cleaned_data["used_until"],
        ),
    )


# --- markers --------------------------------------------------------------------------------------
@require_http_methods(GET_POST)
def marker_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    user = staff_user(request)
    customer = queries.get_customer_for(user, customer_id, permissions.MARKER_MANAGE)
    form = forms.MarkerForm(pages.posted(request))
    saved = pages.save_form(
        request,
        form,
        lambda data: services.add_marker(customer, by=user, **data),
        done=(_("Warning added"), _customer_url(customer)),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Add a warning"),
        back=_customer_url(customer),
        submit=_("Add warning"),
        customer=customer,
    )


@require_http_methods(GET_POST)
def marker_review(request: HttpRequest, marker_id: int) -> HttpResponse:
    user = staff_user(request)
    marker = queries.get_marker_for(user, marker_id, permissions.MARKER_MANAGE)
    form = forms.MarkerReviewForm(pages.posted(request))
    saved = pages.save_form(
        request,
        form,
        lambda data: services.review_marker(
            marker, by=user, review_on=data["review_on"], end=data["end"]
        ),
        done=(_("Warning reviewed"), reverse("customers:markers-due")),
    )
    if saved is not None:
        return saved
    services.record_marker_views([marker], by=user, detail=True)
    return _form_page(
        request,
        form,
        title=_("Review a warning"),
        back=reverse("customers:markers-due"),
        submit=_("Save review"),
        marker=marker,
        template="customers/marker_review.html",
    )


@require_GET
def markers_due(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, permissions.MARKER_MANAGE)
    markers = list(queries.markers_due_for_review(user))
    audit.record_list_read(
        user,
        what="customers.marker",
        query={"due_for_review": True},
        ids=[marker.pk for marker in markers],
        ip_address=client_address(request),
    )
    return render(request, "customers/markers_due.html", {"markers": markers})


# --- equality monitoring --------------------------------------------------------------------------
@require_http_methods(GET_POST)
def equality(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Seen with ``customer.equality.view``; saved only with ``customer.equality.edit``.  A blank
    answer leaves the answer held as it is (erasing is ``equality_erase``)."""
    user = staff_user(request)
    action = action_for(
        request.method,
        read=permissions.CUSTOMER_EQUALITY_VIEW,
        write=permissions.CUSTOMER_EQUALITY_EDIT,
    )
    customer = queries.get_customer_for(user, customer_id, action)
    can_edit = permissions.can(user, permissions.CUSTOMER_EQUALITY_EDIT, customer)
    found = queries.open_equality_monitoring(user, customer) if request.method == "GET" else None
    initial = {name: getattr(found, name) for name in EQUALITY_FIELDS} if found else {}
    form = forms.EqualityForm(pages.posted(request), initial=initial)
    saved = pages.save_form(
        request,
        form,
        lambda data: services.save_equality_monitoring(customer, by=user, answers=data),
        done=(_("Equality monitoring answers saved"), _customer_url(customer)),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Equality monitoring"),
        back=_customer_url(customer),
        submit=_("Save answers"),
        template="customers/equality.html",
        customer=customer,
        can_edit=can_edit,
        held=queries.equality_answers(found),
        intro=_(
            "Every question is optional. Answers are seen only by staff who need them and "
            "reported only in totals. Choosing \u201cNot answered\u201d keeps an answer "
            "already held: to remove one, erase it."
        ),
    )


@require_http_methods(GET_POST)
def equality_erase(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Erase chosen equality answers: its own page, confirmed, audited as an erasure."""
    user = staff_user(request)
    customer = queries.get_customer_for(user, customer_id, permissions.CUSTOMER_EQUALITY_EDIT)
    form = forms.EqualityEraseForm(pages.posted(request))
    saved = pages.save_form(
        request,
        form,
        lambda data: services.erase_equality_monitoring(
            customer, by=user, questions=data["questions"]
        ),
        done=(_("Equality monitoring answers erased"), _customer_url(customer)),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Erase equality monitoring answers"),
        back=reverse("customers:equality", args=[customer.pk]),
        submit=_("Erase answers"),
        customer=customer,
        intro=_(
            "Erased answers cannot be recovered. The audit trail records which questions were "
            "erased and by whom, never the answers."
        ),
    )


@require_GET
def equality_report(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, permissions.CUSTOMER_EQUALITY_VIEW)
    rows = queries.equality_report(user)
    questions: dict[str, list[queries.EqualityRow]] = {}
    for row in rows:
        questions.setdefault(row.question, []).append(row)
    return render(
        request,
        "customers/equality_report.html",
        {"questions": questions, "small_number": queries.SMALL_NUMBER},
    )


# --- merge ----------------------------------------------------------------------------------------
@require_http_methods(GET_POST)
def merge(request: HttpRequest, customer_id: int) -> HttpResponse:
    user = staff_user(request)
    kept = queries.get_customer_for(user, customer_id, permissions.CUSTOMER_MERGE)
    form = forms.MergeForm(
        pages.posted(request), initial={"other": request.GET.get("other", "")[:20]}
    )
    saved = pages.save_form(
        request,
        form,
        lambda data: _merge_into(user, kept, data["other"]),
        done=lambda merged: (
            _("%(merged)s merged into this record") % {"merged": merged.reference},
            _customer_url(kept),
        ),
    )
    if saved is not None:
        return saved
    candidates = queries.merge_candidates(user, kept)
    audit.record_list_read(
        user,
        what="customers.customer",
        query={"merge_candidates_for": kept.pk},
        ids=[found.customer.pk for found in candidates],
        ip_address=client_address(request),
    )
    return _form_page(
        request,
        form,
        title=_("Merge records"),
        back=_customer_url(kept),
        submit=_("Merge"),
        template="customers/merge.html",
        customer=kept,
        candidates=candidates,
    )


def _merge_into(user: User, kept: Customer, reference: str) -> Customer:
    """Merge the customer ``reference`` names into ``kept``; the merged record is returned."""
    other = queries.customers_for(user).filter(reference=reference.strip().upper()).first()
    if other is None:
        raise ServiceError(
            CustomerError.WRONG_ORGANISATION,
            _("There is no customer with that reference"),
            field="other",
        )
    services.merge_customers(kept, other, by=user)
    return other


@require_POST
def unmerge(request: HttpRequest, merge_id: int) -> HttpResponse:
    user = staff_user(request)
    found = queries.get_merge_for(user, merge_id)
    try:
        services.unmerge_customers(found, by=user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Merge undone: both records are back as they were"))
    return HttpResponseRedirect(reverse("customers:detail", args=[found.kept_id]))
