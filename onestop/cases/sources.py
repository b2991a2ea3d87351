"""What cases offer the pages below them (registered in ``core.sources`` by ``apps.py``).

The customer page's history lists the customer's cases (the messages sent to the customer are
``notify``'s); the desk and the customer page list the customer's open cases and find a case by the
reference an advisor types; a message to many customers can go to the customers with open cases
of a type or in a ward.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Model, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.cases import queries
from onestop.cases.models import OPEN_STATUSES, REFERENCE_PREFIXES, Case, CaseType, Status
from onestop.cases.models import Outcome as CaseOutcome
from onestop.core import sources
from onestop.core.models import User
from onestop.core.scoping import ScopedQuerySet
from onestop.documents import owners as document_owners


# --- the customer's cases in the history ---------------------------------------------------------
def case_timeline(user: User, customer: Model) -> ScopedQuerySet[Any] | None:
    cases = queries.cases_for(user)
    if cases.query.is_empty():
        return None
    return sources.history_rows(cases.filter(customer_id=customer.pk), "case", "received_at")


def case_entries(user: User, ids: Sequence[int]) -> dict[int, sources.HistoryEntry]:
    now = timezone.now()
    cases = (
        queries.cases_for(user)
        .filter(pk__in=ids)
        .only("organisation_id", "reference", "title", "status", "outcome", "received_at", "due_at")
    )
    entries = {}
    for case in cases:
        is_open = case.is_open
        status = str(Status(case.status).label)
        if not is_open and case.outcome:
            status = f"{status}: {CaseOutcome(case.outcome).label}"
        entries[case.pk] = sources.HistoryEntry(
            kind="case",
            kind_label=_("Case"),
            at=case.received_at,
            title=case.title,
            reference=case.reference,
            url=reverse("cases:case", args=[case.reference]),
            status_label=status,
            due_at=case.due_at if is_open else None,
            is_overdue=queries.is_overdue(case, now),
        )
    return entries


# --- the desk and the customer page ------------------------------------------------------------
def case_by_reference(
    user: User, reference: str, language: str | None = None
) -> sources.FoundCase | None:
    try:
        case = queries.get_case_for(user, reference)
    except (Http404, PermissionDenied):
        return None
    summary = queries.case_summary(case, timezone.now())
    if not case.is_open:
        summary = dataclasses.replace(summary, due_at=None)  # a closed case is due nothing
    return sources.FoundCase(
        summary=summary,
        customer_id=case.customer_id,
        message_context=queries.message_context(case, language),
    )


def _case_of(user: User, reference: str) -> Model:
    return queries.get_case_for(user, reference)


# --- customers with open cases of a type (notify's messages to many customers) -------------------
def case_type_choices(organisation_id: int) -> list[tuple[str, str]]:
    """The organisation's case types, by name."""
    return [
        (str(pk), name)
        for pk, name in CaseType.objects.for_organisation(organisation_id)
        .order_by("name", "id")
        .values_list("pk", "name")
    ]


def customers_with_open_cases(organisation_id: int, value: str) -> ScopedQuerySet[Any] | None:
    """The customers of open cases of the case type ``value`` (its id), or ``None`` when the
    organisation has no such case type."""
    if not value.isdigit() or len(value) > 18:
        return None
    types = CaseType.objects.for_organisation(organisation_id)
    if not types.filter(pk=int(value)).exists():
        return None
    found = Case.objects.for_organisation(organisation_id).filter(
        case_type_id=int(value), status__in=sorted(OPEN_STATUSES), customer_id__isnull=False
    )
    return cast(ScopedQuerySet[Any], found.values("customer_id"))


# --- customers with open cases in a ward (notify's messages to many customers) --------------------
def _open_cases(organisation_id: int) -> QuerySet[Case]:
    return Case.objects.for_organisation(organisation_id).filter(status__in=sorted(OPEN_STATUSES))


def _ward_key(ward: str) -> str:
    return ward.strip().casefold()


def _wards(organisation_id: int) -> dict[str, list[str]]:
    """The wards of the organisation's open cases, each as typed (every spelling), by its key
    (trimmed, case-insensitive), the most typed spelling first.  Matched in Python, not by the
    database's ``lower``, so SQLite and PostgreSQL agree on wards with accents (Welsh wards)."""
    typed = Counter(
        dict(
            _open_cases(organisation_id)
            .exclude(ward="")
            .values_list("ward")
            .annotate(count=Count("id"))
            .order_by()
        )
    )
    wards: dict[str, list[str]] = {}
    for spelling, _count in sorted(typed.items(), key=lambda item: (-item[1], item[0].strip())):
        key = _ward_key(spelling)
        if key:
            wards.setdefault(key, []).append(spelling)
    return wards


def ward_choices(organisation_id: int) -> list[tuple[str, str]]:
    """The distinct wards of the organisation's open cases (trimmed, one per ward whatever its
    case, shown as most often typed), by name."""
    shown = [spellings[0].strip() for spellings in _wards(organisation_id).values()]
    return [(ward, ward) for ward in sorted(shown, key=lambda ward: (ward.casefold(), ward))]


def customers_in_ward(organisation_id: int, value: str) -> ScopedQuerySet[Any] | None:
    """The customers of open cases in the ward ``value`` (trimmed, any case), or ``None`` when
    none of the organisation's open cases is in such a ward."""
    if len(value) > 200:
        return None
    spellings = _wards(organisation_id).get(_ward_key(value))
    if not spellings:
        return None
    found = _open_cases(organisation_id).filter(ward__in=spellings, customer_id__isnull=False)
    return cast(ScopedQuerySet[Any], found.values("customer_id"))


def register() -> None:
    document_owners.register(
        document_owners.Owner(
            kind="case",
            label=str(_("case")),
            get_for=_case_of,
            key_of=lambda case: str(case.reference),  # type: ignore[attr-defined]
            url_of=lambda case: reverse("cases:case", args=[case.reference]),  # type: ignore[attr-defined]
            title_of=lambda case: f"{case.reference}: {case.title}",  # type: ignore[attr-defined]
        )
    )
    sources.register_history_source(sources.HistorySource("case", case_timeline, case_entries))
    sources.register_case_finder(
        sources.CaseFinder(
            prefixes=frozenset(REFERENCE_PREFIXES.values()),
            open_for_customer=queries.open_cases_for_customer,
            by_reference=case_by_reference,
        )
    )
    sources.register_customer_group(
        sources.CustomerGroup(
            kind="case-type",
            label=str(_("Customers with open cases of a type")),
            question=str(_("Type of case (customers with open cases of a type)")),
            blank=str(_("Select a type of case")),
            refusal=str(_("Select the type of case")),
            named=str(_("Customers with open cases of %(name)s")),
            choices=case_type_choices,
            customer_ids=customers_with_open_cases,
        )
    )
    sources.register_customer_group(
        sources.CustomerGroup(
            kind="ward",
            label=str(_("Customers with open cases in a ward")),
            question=str(_("Ward (customers with open cases in a ward)")),
            blank=str(_("Select a ward")),
            refusal=str(_("Select the ward")),
            named=str(_("Customers with open cases in %(name)s")),
            choices=ward_choices,
            customer_ids=customers_in_ward,
        )
    )
