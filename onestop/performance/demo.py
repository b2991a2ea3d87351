"""The demo council's comparator authorities and quarterly returns (``onestop demo``).

Comparators (perf-standards): the MORI (1998) comparator table
of Leicester's Best Value Review of Customer Care (2001) and Northampton Borough Council's
contact volumes for calendar year 2011, exactly as those reports print them (names included,
e.g. "Sutton ('93)" and the table's own "NCC (BG)")."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from onestop.core import reporting
from onestop.core.models import Organisation, User
from onestop.directory import services as directory_services
from onestop.directory.models import Service
from onestop.performance.models import Comparator, QuarterlyReturn
from onestop.performance.services import returns as services

MORI_SOURCE = (
    "MORI (1998) comparators on helpfulness, efficiency, ease of contact and satisfaction with "
    "the final outcome, in Leicester City Council's Best Value Review of Customer Care (2001)"
)
NORTHAMPTON_SOURCE = (
    "Northampton Borough Council, Scrutiny Panel on Customer Services: contact volumes for "
    "calendar year 2011"
)
MORI: dict[str, list[tuple[str, int]]] = {
    "mori-helpfulness": [
        ("Gateshead", 84), ("Birmingham", 80), ("Sunderland", 79), ("Richmond", 78),
        ("Kingston", 78), ("Solihull", 78), ("NCC (GB)", 76), ("Sutton ('93)", 75),
        ("Trafford", 74), ("Westminster", 74), ("Brent", 72), ("Birmingham", 72),
        ("Wandsworth", 72), ("Leicester", 70), ("Tower Hamlets", 69), ("Enfield", 68),
        ("Sutton ('97)", 67), ("Lewisham", 66), ("Sandwell", 64),
    ],
    "mori-efficiency": [
        ("Sunderland", 76), ("Kingston", 71), ("Westminster", 69), ("Solihull", 69),
        ("NCC (GB)", 68), ("Portsmouth", 67), ("Trafford", 65), ("Richmond", 65),
        ("Enfield", 62), ("Leicester", 60), ("Brent", 58), ("Birmingham", 56),
        ("Tower Hamlets", 55), ("Lewisham", 52), ("Camden", 45), ("Manchester", 44),
    ],
    "mori-ease-of-contact": [
        ("Gateshead", 78), ("Kingston", 76), ("Richmond", 73), ("Birmingham", 70),
        ("Solihull", 70), ("Portsmouth", 69), ("Sunderland", 67), ("NCC (BG)", 65),
        ("Sandwell", 65), ("Tower Hamlets", 65), ("Westminster", 63), ("Kingston", 62),
        ("Sutton", 61), ("Leicester", 59), ("Wandsworth", 59), ("Enfield", 55),
        ("Brent", 55), ("Camden", 49), ("Manchester", 41),
    ],
    "mori-satisfaction": [
        ("Kingston", 64), ("Solihull", 64), ("Sunderland", 62), ("Richmond", 60),
        ("Trafford", 59), ("Leicester", 58), ("NCC (GB)", 58), ("Birmingham", 57),
        ("Brent", 55), ("Lewisham", 47), ("Tower Hamlets", 47), ("Wandsworth", 46),
        ("Camden", 41), ("Manchester", 38),
    ],
}  # fmt: skip
NORTHAMPTON: list[tuple[str, int]] = [
    ("calls", 359218),
    ("visits", 67000),
    ("emails", 21567),
    ("online-transactions", 5377),
    ("online-visits", 926529),
]
MORI_YEAR = (datetime.date(1998, 1, 1), datetime.date(1998, 12, 31))
NORTHAMPTON_YEAR = (datetime.date(2011, 1, 1), datetime.date(2011, 12, 31))


def load_demo(organisation: Organisation) -> int:
    """The comparator rows (idempotent: the two sources' rows are replaced); how many."""
    rows = [
        Comparator(
            organisation=organisation,
            comparator=name,
            measure=measure,
            period_first=MORI_YEAR[0],
            period_last=MORI_YEAR[1],
            value=Decimal(value),
            unit=Comparator.Unit.PERCENT,
            source=MORI_SOURCE,
        )
        for measure, table in MORI.items()
        for name, value in table
    ]
    rows += [
        Comparator(
            organisation=organisation,
            comparator="Northampton Borough Council",
            measure=measure,
            period_first=NORTHAMPTON_YEAR[0],
            period_last=NORTHAMPTON_YEAR[1],
            value=Decimal(value),
            unit=Comparator.Unit.COUNT,
            source=NORTHAMPTON_SOURCE,
        )
        for measure, value in NORTHAMPTON
    ]
    with transaction.atomic():
        Comparator.objects.for_organisation(organisation).filter(
            source__in=[MORI_SOURCE, NORTHAMPTON_SOURCE]
        ).delete()
        Comparator.objects.for_organisation(organisation).bulk_create(rows)
    return len(rows)


# --- perf-telephony: the quarterly returns ---
# The demo council's quarterly returns (called by ``onestop demo``; idempotent): the manager,
# head of Customer Services (a member of its Advisors team), has submitted the return for the last
# whole quarter and has a draft for the current one.
HEAD_OF_SERVICE = "manager"
SERVICE = "Customer Services"
SUBMITTED_COMMENTARY = (
    "Calls to the switchboard were answered faster than in the quarter before, but the service "
    "level is still short of the 90% target at the Monday morning peak. Abandoned calls fell "
    "after the council tax bills' helpline message was changed."
)
SUBMITTED_ACTIONS = (
    "Move two advisors to the telephone on Monday mornings\n"
    "Review the switchboard's recorded message with the Council Tax team"
)
DRAFT_COMMENTARY = "First month of the quarter: figures so far. To be completed by the manager."


def load_returns(council: Organisation) -> None:
    head = User.objects.filter(
        organisation=council, username=directory_services.sign_in_name(HEAD_OF_SERVICE, council)
    ).first()
    service = Service.objects.for_organisation(council).filter(name=SERVICE).first()
    if head is None or service is None:
        return
    current = reporting.quarter_of(timezone.localdate(timezone=reporting.LONDON))
    last = reporting.previous(current)
    existing = set(
        QuarterlyReturn.objects.for_organisation(council)
        .filter(service=service)
        .values_list("first", flat=True)
    )
    if last.first not in existing:
        submitted = services.start_return(head, service, last.first)
        services.save_return(
            submitted,
            by=head,
            commentary=SUBMITTED_COMMENTARY,
            actions=SUBMITTED_ACTIONS,
            submit=True,
        )
    if current.first not in existing:
        draft = services.start_return(head, service, current.first)
        services.save_return(draft, by=head, commentary=DRAFT_COMMENTARY, actions="")


# --- end perf-telephony ---
