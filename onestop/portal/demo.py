"""The demo council's portal data (called by ``onestop demo``; idempotent).

Publishes a few of the demo case types online with guidance.  A case type that already has a
web form is left as it is, so running the demo again neither duplicates nor undoes what an
administrator changed.
"""

from __future__ import annotations

from onestop.cases.models import CaseType
from onestop.core.models import Organisation
from onestop.portal import services
from onestop.portal.models import WebForm

# code, position, guidance
PUBLISHED = (
    (
        "missed-bin",
        10,
        "Report a missed collection by the end of the day after your collection day. "
        "Leave the bin out where it is until we collect it.",
    ),
    (
        "fly-tipping",
        20,
        "Do not touch the waste: it may be dangerous. Tell us where it is and what it looks like.",
    ),
    ("pothole", 30, "Tell us the road and the nearest house number or landmark."),
    (
        "noise",
        40,
        "For noise happening now that puts anyone at risk, call 999. "
        "Otherwise tell us where the noise comes from and when it happens.",
    ),
)


def load_demo(council: Organisation) -> None:
    """Publish the demo's everyday case types online (once)."""
    existing = set(
        WebForm.objects.for_organisation(council).values_list("case_type__code", flat=True)
    )
    types = {
        case_type.code: case_type
        for case_type in CaseType.objects.for_organisation(council).filter(
            code__in=[code for code, _position, _guidance in PUBLISHED]
        )
    }
    for code, position, guidance in PUBLISHED:
        case_type = types.get(code)
        if case_type is None or code in existing:
            continue
        services.save_web_form(
            case_type, by=None, is_published=True, guidance=guidance, position=position
        )
