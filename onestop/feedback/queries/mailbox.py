"""Reads for the feedback mailbox (fb-public): the feedback a reply's subject quotes."""

from __future__ import annotations

from onestop.core import references
from onestop.feedback.models import REFERENCE_PREFIX, Feedback

OTHER_PREFIX = "FB"  # as ``services.OTHER_PREFIX``: comments, compliments and suggestions
PREFIXES = frozenset({REFERENCE_PREFIX, OTHER_PREFIX})


def feedback_reference_in(text: str, organisation_id: int) -> Feedback | None:
    """The first feedback of ``organisation_id`` whose reference appears in ``text`` (read as
    the desk reads references); another organisation's reference, or a mistyped one, is just
    text."""
    for reference in references.references_in(text[:1000], PREFIXES):
        found: Feedback | None = (
            Feedback.objects.for_organisation(organisation_id)
            .filter(reference=reference)
            .select_related("customer")
            .first()
        )
        if found is not None:
            return found
    return None
