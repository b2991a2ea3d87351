"""Shared set-up for the ombudsman, learning and survey tests: complaints at the point each
part starts from, built through the services as staff would."""

from __future__ import annotations

from typing import Any

from onestop.feedback import queries, services
from onestop.feedback.models import Feedback, Kind, PointOutcome
from tests.feedback.conftest import World


def complaint(world: World, **values: Any) -> Feedback:
    return services.record_feedback(
        world.organisation,
        by=world.advisor,
        customer=values.pop("customer", world.customer),
        values=services.FeedbackInput(
            kind=values.pop("kind", Kind.COMPLAINT),
            what_happened=values.pop("what_happened", "The crew left rubbish in the road"),
            service=values.pop("service", world.waste),
            **values,
        ),
    )


def answered(world: World, *outcomes: str, **values: Any) -> Feedback:
    """A complaint answered with ``outcomes``, one per point (default: one point upheld)."""
    outcomes = outcomes or (PointOutcome.UPHELD,)
    points = tuple(f"Point {number}" for number in range(1, len(outcomes) + 1))
    feedback = complaint(world, points=points, **values)
    services.acknowledge(feedback, by=world.officer)
    services.respond(
        feedback,
        by=world.officer,
        findings="We looked at the crew's records.",
        decisions={
            point.pk: services.PointDecision(outcome)
            for point, outcome in zip(queries.points_of(feedback), outcomes, strict=True)
        },
        appeal_route="Ask us to look again.",
    )
    feedback.refresh_from_db()
    return feedback


def date_fields(prefix: str, name: str, day: Any) -> dict[str, str]:
    """The GOV.UK date input's three boxes for ``day`` (a date, or a (d, m, y) of strings)."""
    parts = (str(day.day), str(day.month), str(day.year)) if hasattr(day, "day") else day
    return {
        f"{prefix}-{name}_day": parts[0],
        f"{prefix}-{name}_month": parts[1],
        f"{prefix}-{name}_year": parts[2],
    }
