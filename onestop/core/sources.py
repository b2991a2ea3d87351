"""Sources: what a capability shows on the pages of a capability below it.

The customer page (``customers``) and the advisor's desk (``contacts``) show records of
capabilities that sit above them in the layers (cases, their messages; complaints and appointments
when those arrive).  They must not import those apps, so each app registers what it offers here
from its ``AppConfig.ready``, and the page reads what is registered:

- :func:`register_history_source`: one kind of record in a customer's history (``contacts``
  registers contacts, ``cases`` registers cases and the messages sent about them);
- :func:`register_case_finder`: the cases a customer has open and the case an advisor's typed
  reference names (``cases``);
- :func:`register_customer_panel`: a part of the customer page drawn by a capability above it
  (``notify``: messages that failed, tasks for staff);
- :func:`register_customer_action`: a button the desk's customer panel offers for the chosen
  customer, with its keyboard shortcut (``feedback``: record a comment, compliment or
  complaint);
- :func:`register_customer_group`: a kind of group of customers a message to many customers can
  go to (``cases``: customers with open cases of a type, or in a ward);
- :func:`register_contact_guard`: rules on how a customer may be in touch, shown on the desk and
  on logging a contact, and checked by ``contacts.services.log_contact`` (``feedback``:
  unreasonable-behaviour restrictions).

``core`` imports no capability app; the types here are plain data, so a source depends on ``core``
and the page depends on ``core``, never on each other.  Nothing registered means nothing shown
(a customer page without ``cases`` installed lists no cases), never an error.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import CharField, F, Model, Value

from onestop.core.models import User
from onestop.core.scoping import ScopedQuerySet


# --- a customer's history ------------------------------------------------------------------------
@dataclass(frozen=True)
class HistoryEntry:
    """One line of a customer's history, whatever its kind."""

    kind: str
    kind_label: str
    at: datetime.datetime
    title: str
    detail: str = ""
    reference: str = ""
    url: str = ""
    status_label: str = ""
    due_at: datetime.datetime | None = None
    is_overdue: bool = False
    is_repeat: bool = False
    by: str = ""


Timeline = Callable[[User, Model], ScopedQuerySet[Any] | None]
Entries = Callable[[User, Sequence[int]], dict[int, HistoryEntry]]


@dataclass(frozen=True)
class HistorySource:
    """One kind of record in the history (see ``customers.history`` for how they are paged).

    - ``timeline(user, customer)``: a queryset of ``(history_kind, id, history_at)`` rows
      (:func:`history_rows`) of the records the user may see, pinned to the user's organisation,
      or ``None`` when the user may see none of that kind;
    - ``entries(user, ids)``: those of the page's records, as :class:`HistoryEntry`, in one query.
    """

    kind: str
    timeline: Timeline
    entries: Entries


def history_rows(queryset: ScopedQuerySet[Any], kind: str, at: str) -> ScopedQuerySet[Any]:
    """A source's ``(history_kind, id, history_at)`` rows, unordered (the union orders)."""
    rows = (
        queryset.annotate(history_kind=Value(kind, output_field=CharField()), history_at=F(at))
        .order_by()
        .values_list("history_kind", "id", "history_at")
    )
    return cast(ScopedQuerySet[Any], rows)


_SHOWN = 200


def shorten(text: str) -> str:
    """Notes and bodies as one line of at most 200 characters."""
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


_HISTORY: dict[str, HistorySource] = {}


def register_history_source(source: HistorySource) -> None:
    """Add a kind of record to every customer's history (idempotent per kind)."""
    _HISTORY[source.kind] = source


def history_sources() -> tuple[HistorySource, ...]:
    return tuple(_HISTORY.values())


# --- cases, for the desk and the customer page ---------------------------------------------------
@dataclass(frozen=True)
class CaseSummary:
    """A case as the desk and the customer page list it."""

    reference: str
    title: str
    status_label: str
    due_at: datetime.datetime | None
    is_overdue: bool
    url: str


@dataclass(frozen=True)
class FoundCase:
    """The case a typed reference names, the id of its customer, if it has one, and the values
    a message about it fills its placeholders with (``notify``'s template preview)."""

    summary: CaseSummary
    customer_id: int | None
    message_context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseFinder:
    """What the cases capability answers for the pages below it.

    - ``prefixes``: the reference prefixes of every case kind (``SR``, ``FOI``, …), so the desk
      knows a case reference from a customer's;
    - ``open_for_customer(user, customer_id)``: the customer's open cases the user may see,
      soonest deadline first;
    - ``by_reference(user, reference, language)``: the case with that (canonical) reference if
      the user may see it, else ``None`` (missing, another organisation's or not allowed alike);
      its ``due_at`` only while it is open, its ``message_context`` in ``language`` (``None``:
      the customer's).
    """

    prefixes: frozenset[str]
    open_for_customer: Callable[[User, int], list[CaseSummary]]
    by_reference: Callable[[User, str, str | None], FoundCase | None]


_CASES: list[CaseFinder] = []


def register_case_finder(finder: CaseFinder) -> None:
    """Make cases findable from the desk and the customer page (one finder; the last wins)."""
    _CASES[:] = [finder]


def case_prefixes() -> frozenset[str]:
    return _CASES[0].prefixes if _CASES else frozenset()


def open_cases_for_customer(user: User, customer_id: int) -> list[CaseSummary]:
    return _CASES[0].open_for_customer(user, customer_id) if _CASES else []


def case_by_reference(user: User, reference: str, language: str | None = None) -> FoundCase | None:
    return _CASES[0].by_reference(user, reference, language) if _CASES else None


# --- parts of the customer page drawn by capabilities above it ----------------------------------
@dataclass(frozen=True)
class Panel:
    """A part of the customer page: the template that draws it and what it shows."""

    template: str
    context: dict[str, Any]


CustomerPanel = Callable[[User, int], Panel | None]
_PANELS: dict[str, CustomerPanel] = {}


def register_customer_panel(name: str, panel: CustomerPanel) -> None:
    """Draw ``panel(user, customer_id)`` near the top of the customer page (idempotent by name);
    it answers ``None`` when it has nothing to show the user."""
    _PANELS[name] = panel


def customer_panels(user: User, customer_id: int) -> list[Panel]:
    return [found for panel in _PANELS.values() if (found := panel(user, customer_id))]


# --- groups of customers, for a message to many customers (notify) -------------------------------
@dataclass(frozen=True)
class CustomerGroup:
    """A kind of group of customers a capability above ``notify`` can name (``cases``: customers
    with open cases of a type, customers with open cases in a ward), for a message to many
    customers.  ``notify`` knows none of them by name: its form offers each registered kind as a
    radio option with a select of its values, and stores ``{"kind": kind, "value": value}``.

    - ``kind``: the key stored in the group's definition (``"case-type"``, ``"ward"``); the
      form's select is named after it (``case_type``, ``ward``);
    - ``label``: the radio option (``"Customers with open cases in a ward"``);
    - ``question``: the select's label; ``blank``: its empty option (``"Select a ward"``);
    - ``refusal``: the error when no value or one not offered is chosen (``"Select the ward"``);
    - ``named``: how a group is named, with ``%(name)s`` for the chosen value's label
      (``"Customers with open cases in %(name)s"``);
    - ``choices(organisation_id)``: the values staff choose from, as ``(value, label)``;
    - ``customer_ids(organisation_id, value)``: a queryset of the ``customer_id`` of the group's
      customers (one column, duplicates allowed), pinned to the organisation, or ``None`` when
      ``value`` names nothing of the organisation's.
    """

    kind: str
    label: str
    question: str
    blank: str
    refusal: str
    named: str
    choices: Callable[[int], list[tuple[str, str]]]
    customer_ids: Callable[[int, str], ScopedQuerySet[Any] | None]

    @property
    def field(self) -> str:
        """The name of the form's select of values."""
        return self.kind.replace("-", "_")


_GROUPS: dict[str, CustomerGroup] = {}


def register_customer_group(group: CustomerGroup) -> None:
    """Offer a kind of group of customers to ``notify``'s messages to many (idempotent by kind)."""
    _GROUPS[group.kind] = group


def customer_group(kind: str) -> CustomerGroup | None:
    return _GROUPS.get(kind)


def customer_groups() -> tuple[CustomerGroup, ...]:
    """Every registered kind of group, in the order registered."""
    return tuple(_GROUPS.values())


# --- actions the desk offers for the chosen customer ----------------------------------------------
@dataclass(frozen=True)
class Action:
    """A button on the desk's customer panel: its words, its address, and the ``Alt`` shortcut
    (``KeyF``: the ``KeyboardEvent.code`` the desk's script follows; empty for none) with the
    words the desk's list of shortcuts gives it."""

    label: str
    url: str
    shortcut: str = ""
    shortcut_label: str = ""


CustomerAction = Callable[[User, int], Action | None]
_ACTIONS: dict[str, CustomerAction] = {}


def register_customer_action(name: str, action: CustomerAction) -> None:
    """Offer ``action(user, customer_id)`` on the desk's customer panel (idempotent by name); it
    answers ``None`` when the user may not do it."""
    _ACTIONS[name] = action


def customer_actions(user: User, customer_id: int) -> list[Action]:
    return [found for action in _ACTIONS.values() if (found := action(user, customer_id))]


# --- rules on how a customer may be in touch (the desk, logging a contact) ----------------------
@dataclass(frozen=True)
class ContactRule:
    """A rule a capability above ``contacts`` puts on a customer's contact (``feedback``: an
    unreasonable-behaviour restriction), shown prominently on the desk and the contact form.

    - ``guard``: the registered name of the guard that made it; ``key``: its id within that guard;
    - ``title`` and ``lines``: what the advisor reads;
    - ``refused_channels``: channels a contact is logged by only with the advisor's reason why
      (``refusal``: the error when no reason is given).
    """

    guard: str
    key: str
    title: str
    lines: tuple[str, ...] = ()
    refused_channels: frozenset[str] = frozenset()
    refusal: str = ""


@dataclass(frozen=True)
class ContactGuard:
    """- ``rules(organisation_id, customer_id)``: the rules in force for the customer now;
    - ``logged(by, contact, rules, shown, reason)``: a contact was logged under ``rules`` (this
      guard's own), in the logging transaction; ``shown``: the keys the advisor's form showed."""

    rules: Callable[[int, int], list[ContactRule]]
    logged: Callable[[User | None, Model, Sequence[ContactRule], frozenset[str], str], None]
    #: ``restricted(organisation_id, customer_ids)``: those of the customers this guard may have
    #: rules for now (one read for many, such as a batch of e-mail); ``None``: any of them.
    restricted: Callable[[int, Sequence[int]], set[int]] | None = None


_GUARDS: dict[str, ContactGuard] = {}


def register_contact_guard(name: str, guard: ContactGuard) -> None:
    """Put ``guard``'s rules on customers' contacts (idempotent by name)."""
    _GUARDS[name] = guard


def contact_rules(organisation_id: int, customer_id: int) -> list[ContactRule]:
    return [
        rule for guard in _GUARDS.values() for rule in guard.rules(organisation_id, customer_id)
    ]


def without_contact_rules(organisation_id: int, customer_ids: Sequence[int]) -> set[int]:
    """Those of ``customer_ids`` no guard has a rule for now (``contact_rules`` would answer
    ``[]``), in one read per guard whatever their number."""
    free = set(customer_ids)
    for guard in _GUARDS.values():
        if not free:
            break
        free -= (
            set(free)
            if guard.restricted is None
            else guard.restricted(organisation_id, sorted(free))
        )
    return free


def contact_logged(
    by: User | None,
    contact: Model,
    rules: Sequence[ContactRule],
    shown: frozenset[str],
    reason: str,
) -> None:
    """Tell each guard the contact logged under its rules."""
    for name, guard in _GUARDS.items():
        own = [rule for rule in rules if rule.guard == name]
        if own:
            guard.logged(by, contact, own, shown, reason)
