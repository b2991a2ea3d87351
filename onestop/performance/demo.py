"""The demo council's quarterly returns (called by ``onestop demo``; idempotent): the manager,
head of Customer Services (a member of its Advisors team), has submitted the return for the last
whole quarter and has a draft for the current one."""

from __future__ import annotations

from django.utils import timezone

from onestop.core import reporting
from onestop.core.models import Organisation, User
from onestop.directory import services as directory_services
from onestop.directory.models import Service
from onestop.performance.models import QuarterlyReturn
from onestop.performance.services import returns as services

# --- perf-telephony: the quarterly returns ---
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
