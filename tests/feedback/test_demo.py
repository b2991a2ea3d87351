"""The demo council's feedback: complaints at each point of the procedure, loaded once, with
every date where the story put it."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.test import Client

from onestop.core.models import Organisation, User
from onestop.feedback import queries
from onestop.feedback.models import (
    ClosedAs,
    Feedback,
    FeedbackEvent,
    LearningAction,
    OmbudsmanCase,
    SatisfactionSurvey,
    Status,
)
from tests import factories


def test_the_demo_holds_complaints_at_every_stage_once(db: None) -> None:
    call_command("demo", stdout=StringIO())
    council = Organisation.objects.get(slug="demo-council")
    held = Feedback.objects.for_organisation(council)
    assert held.count() == 7  # with the one taken to the ombudsman (fb-after)
    officer = User.objects.get(username="complaints@demo-council")
    open_rows = queries.complaint_rows(officer)
    assert len(open_rows) == 4  # answered, extended, at stage 2, to acknowledge
    assert sum(1 for row in open_rows if row.is_extended) == 1
    assert sum(1 for row in open_rows if row.stage is not None and row.stage.stage == 2) == 1
    assert held.filter(status=Status.RESPONDED).count() == 1
    assert held.filter(closed_as=ClosedAs.OUTSIDE).count() == 1
    # After the last word (fb-after): a lesson, a survey answered, a remedy to carry out.
    assert LearningAction.objects.for_organisation(council).count() == 1
    assert (
        SatisfactionSurvey.objects.for_organisation(council)
        .filter(answered_at__isnull=False)
        .count()
        == 1
    )
    assert list(
        OmbudsmanCase.objects.for_organisation(council).values_list("finding", "complied_on")
    ) == [("fault-injustice", None)]
    # Every event happened after its record was received.
    for event in FeedbackEvent.objects.for_organisation(council).select_related("feedback"):
        assert event.at >= event.feedback.received_at
    call_command("demo", stdout=StringIO())
    assert Feedback.objects.for_organisation(council).count() == 7
    assert OmbudsmanCase.objects.for_organisation(council).count() == 1
    client = Client()
    factories.sign_in_verified(client, officer)
    page = client.get("/feedback/")
    assert page.status_code == 200
    assert "Open complaints (4)" in page.content.decode()
