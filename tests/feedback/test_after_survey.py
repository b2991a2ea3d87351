"""The complainant's satisfaction survey: sent through C7 when a complaint closes (English and
Welsh), answered once on a public page reached by a signed link without signing in, kept with
the complaint and shown on its page; a forged, altered, expired or used link gets the same plain
page; the page is rate-limited as the public form is."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core import signing
from django.core.cache import cache
from django.test import Client

from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord, User
from onestop.customers.models import Language as CustomerLanguage
from onestop.feedback import services
from onestop.feedback.models import Feedback, SatisfactionSurvey
from onestop.feedback.services import survey
from onestop.notify.models import Event, Message
from tests.customers import factories as customer_factories
from tests.feedback.after_support import answered
from tests.feedback.conftest import World
from tests.matrix import covers

ClientFor = Callable[[User], Client]
ANSWERS = {
    "survey-overall": "dissatisfied",
    "survey-fairly": "partly",
    "survey-informed": "no",
    "survey-comments": "Nobody rang me back.",
}
UNUSABLE = "This link cannot be used"


def _closed(world: World, **values: Any) -> Feedback:
    feedback = answered(world, **values)
    services.close(feedback, by=world.officer)
    feedback.refresh_from_db()
    return feedback


def _survey(feedback: Feedback) -> SatisfactionSurvey:
    row: SatisfactionSurvey = SatisfactionSurvey.objects.for_organisation(
        feedback.organisation_id
    ).get(feedback=feedback)
    return row


def _link(feedback: Feedback) -> str:
    message = Message.objects.for_organisation(feedback.organisation_id).get(
        event=Event.COMPLAINT_SURVEY, subject__contains=feedback.reference
    )
    found = re.search(r"http://localhost:8000(/feedback/survey/[^/\s]+/)", message.body)
    assert found is not None
    return found.group(1)


def _main(body: str) -> str:
    """The page's main content (the rest carries per-request values such as nonces)."""
    found = re.search(r"<main.*</main>", body, re.DOTALL)
    assert found is not None
    return found.group(0)


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _answers(feedback: Feedback) -> tuple[Any, ...]:
    row = _survey(feedback)
    return (row.answered_at is not None, row.overall, row.fairly, row.informed, row.comments)


def test_closing_a_complaint_sends_the_survey_once_with_a_working_link(world: World) -> None:
    feedback = _closed(world)
    message = Message.objects.for_organisation(world.organisation).get(event=Event.COMPLAINT_SURVEY)
    assert message.address == "pat@example.org"
    assert message.subject == f"How did we handle your complaint {feedback.reference}?"
    link = _link(feedback)
    found = survey.survey_for_token(link.split("/")[-2])
    assert found is not None
    assert found.pk == _survey(feedback).pk
    assert (
        AuditRecord.objects.filter(
            organisation=world.organisation,
            summary=f"Complaint {feedback.reference}: satisfaction survey sent",
        ).count()
        == 1
    )


def test_a_welsh_speaker_gets_the_survey_in_welsh(world: World) -> None:
    welsh = customer_factories.customer(
        world.organisation, "Gwen", "Jones", email="gwen@example.org"
    )
    welsh.language = CustomerLanguage.WELSH
    welsh.save(update_fields=["language"])
    feedback = _closed(world, customer=welsh)
    message = Message.objects.for_organisation(world.organisation).get(event=Event.COMPLAINT_SURVEY)
    assert message.language == "cy"
    assert message.subject == f"Sut wnaethom ymdrin â'ch cwyn {feedback.reference}?"
    assert "/feedback/survey/" in message.body


def test_no_survey_for_an_anonymous_complaint_or_one_nobody_can_reach(world: World) -> None:
    anonymous = _closed(world, customer=None)
    unreachable = customer_factories.customer(world.organisation, "No", "Address")
    unreached = _closed(world, customer=unreachable)
    for feedback in (anonymous, unreached):
        assert (
            not SatisfactionSurvey.objects.for_organisation(world.organisation)
            .filter(feedback=feedback)
            .exists()
        )
    assert (
        not Message.objects.for_organisation(world.organisation)
        .filter(event=Event.COMPLAINT_SURVEY)
        .exists()
    )


@covers("feedback:survey", "feedback:survey-thanks")
def test_the_survey_is_answered_once_without_signing_in(
    world: World, client_for: ClientFor
) -> None:
    feedback = _closed(world)
    link = _link(feedback)
    page = Client().get(link)
    assert page.status_code == 200
    assert "How did we handle your complaint?" in page.content.decode()
    response = Client().post(link, ANSWERS)
    assert response.status_code == 302
    assert response["Location"] == "/feedback/survey/thanks/"
    assert Client().get("/feedback/survey/thanks/").status_code == 200
    assert _answers(feedback) == (True, "dissatisfied", "partly", "no", "Nobody rang me back.")
    used = Client().post(link, {**ANSWERS, "survey-overall": "very-satisfied"})
    assert used.status_code == 404
    assert UNUSABLE in used.content.decode()
    assert _answers(feedback)[1] == "dissatisfied"
    record = client_for(world.officer).get(f"/feedback/{feedback.reference}/").content.decode()
    assert "Dissatisfied" in record
    assert "Nobody rang me back." in record
    assert "Satisfaction survey answered" in record


def test_forged_altered_expired_and_used_links_get_the_same_page(world: World) -> None:
    feedback = _closed(world)
    link = _link(feedback)
    token = link.split("/")[-2]
    row = _survey(feedback)
    forged = signing.dumps({"o": row.organisation_id, "s": row.pk, "n": "guess"}, salt=survey.SALT)
    wrong_salt = signing.dumps({"o": row.organisation_id, "s": row.pk, "n": row.nonce})
    pages = [
        Client().get("/feedback/survey/not-a-token/"),
        Client().get(f"/feedback/survey/{token[:-2]}xx/"),
        Client().get(f"/feedback/survey/{forged}/"),
        Client().get(f"/feedback/survey/{wrong_salt}/"),
        Client().get("/feedback/survey/" + "a" * 5000 + "/"),
    ]
    with time_machine.travel(row.expires_at, tick=False):
        pages.append(Client().get(link))
    bodies = {_main(page.content.decode()) for page in pages}
    assert {page.status_code for page in pages} == {404}
    assert len(bodies) == 1
    assert UNUSABLE in bodies.pop()
    assert _answers(feedback) == (False, "", "", "", "")
    assert Client().get(link).status_code == 200


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"survey-overall": ""}, "Select how satisfied you are with how we handled"),
        ({"survey-overall": "delighted"}, "Select how satisfied you are from the list"),
        ({"survey-fairly": ""}, "Select whether we handled your complaint fairly"),
        ({"survey-informed": "maybe"}, "Select whether we kept you informed from the list"),
        ({"survey-comments": "Rang\u200bme"}, "special characters"),
        ({"survey-comments": "x" * 2001}, "2000 characters or fewer"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_kept(
    world: World, changes: dict[str, str], words: str
) -> None:
    feedback = _closed(world)
    link = _link(feedback)
    refused = Client().post(link, {**ANSWERS, **changes})
    assert refused.status_code == 400
    assert words in refused.content.decode()
    assert _answers(feedback) == (False, "", "", "", "")
    assert Client().post(link, ANSWERS).status_code == 302


def test_the_service_refuses_a_second_answer(world: World) -> None:
    feedback = _closed(world)
    row = _survey(feedback)
    values = survey.Answers("satisfied", "yes", "yes")
    survey.answer(row, answers=values)
    with pytest.raises(ServiceError, match="already been answered"):
        survey.answer(row, answers=survey.Answers("very-dissatisfied", "no", "no"))
    assert _answers(feedback) == (True, "satisfied", "yes", "yes", "")


def test_the_survey_is_rate_limited_like_the_public_form(world: World, settings: Any) -> None:
    settings.ONESTOP_FEEDBACK_PER_HOUR = 2
    feedback = _closed(world)
    link = _link(feedback)
    client = Client(REMOTE_ADDR="203.0.113.9")
    # Mistakes give their place back; a link that cannot be used is refused before counting.
    for _attempt in range(4):
        assert client.post(link, {**ANSWERS, "survey-overall": ""}).status_code == 400
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post("/feedback/survey/forged/", ANSWERS).status_code == 404
    assert client.post(link, ANSWERS).status_code == 302
    second = _closed(world)
    assert client.post(_link(second), ANSWERS).status_code == 302
    third = _closed(world)
    blocked = client.post(_link(third), ANSWERS)
    assert blocked.status_code == 429
    assert _answers(third) == (False, "", "", "", "")
    assert "You have sent too many forms" in blocked.content.decode()
    assert Client(REMOTE_ADDR="198.51.100.7").post(_link(third), ANSWERS).status_code == 302
