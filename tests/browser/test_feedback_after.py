"""After the last word, in Chromium by keyboard alone, axe-core (WCAG 2.2 AA) on every page: the
complaints officer records the ombudsman's enquiry and decision and a learning action from the
complaint's page; the complainant answers the satisfaction survey without signing in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from onestop.feedback import services
from onestop.feedback.models import LearningAction, OmbudsmanCase, SatisfactionSurvey
from onestop.notify.models import Event, Message
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.browser.test_feedback import _tab_to, _tab_to_text
from tests.feedback.after_support import answered
from tests.feedback.conftest import World, world

__all__ = ["world"]  # the fixture used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _type_date(page: Any, prefix: str, day: Any) -> None:
    for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
        _tab_to(page, f"{prefix}_{part}")
        page.keyboard.type(str(value))


def _follow(page: Any, tag: str, text: str) -> None:
    _tab_to_text(page, tag, text)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_officer_records_the_ombudsman_and_a_lesson_by_keyboard(
    page: Any, live_server: Any, world: World
) -> None:
    feedback = answered(world)
    today = timezone.localdate()
    record = f"{live_server.url}/feedback/{feedback.reference}/"
    sign_in_browser(page, live_server.url, world.officer)
    page.goto(record)
    assert axe_violations(page) == []

    _follow(page, "A", "Record an ombudsman's enquiry")
    assert axe_violations(page) == []
    _tab_to(page, "id_ombudsman-ombudsman")
    page.keyboard.press("Space")  # the LGSCO, offered first
    _tab_to(page, "id_ombudsman-their_reference")
    page.keyboard.type("26 001 234")
    _type_date(page, "id_ombudsman-enquiry_on", today)
    _follow(page, "BUTTON", "Record the enquiry")
    assert page.url == record
    case = OmbudsmanCase.objects.for_organisation(world.organisation).get(feedback=feedback)
    assert (case.ombudsman, case.their_reference, case.enquiry_on) == ("lgsco", "26 001 234", today)

    _follow(page, "A", "Record the decision")
    assert axe_violations(page) == []
    _type_date(page, "id_decision-decision_on", today)
    _tab_to(page, "id_decision-finding")
    for _press in range(4):  # not investigated, premature, no fault, fault no injustice, fault
        page.keyboard.press("ArrowDown")
    _tab_to(page, "id_decision-remedy")
    page.keyboard.type("Apologise in writing")
    _tab_to(page, "id_decision-remedy_amount")
    page.keyboard.type("a lot")  # not a number: refused
    comply_by = today.replace(year=today.year + 1)
    _type_date(page, "id_decision-comply_by", comply_by)
    _follow(page, "BUTTON", "Record the decision")
    assert "must be a number" in page.locator(".govuk-error-summary").inner_text()
    assert axe_violations(page) == []
    _tab_to(page, "id_decision-remedy_amount")
    page.keyboard.press("Control+a")
    page.keyboard.type("150")
    _follow(page, "BUTTON", "Record the decision")
    assert page.url == record
    case.refresh_from_db()
    assert (case.finding, case.remedy_amount, case.comply_by) == (
        "fault-injustice",
        150,
        comply_by,
    )
    assert axe_violations(page) == []

    _follow(page, "A", "Add a learning action")
    assert axe_violations(page) == []
    _tab_to(page, "id_learning-action")
    page.keyboard.type("Crews check the street list each morning")
    _tab_to(page, "id_learning-owner")
    page.keyboard.type(world.leader.display_name)
    _type_date(page, "id_learning-due_on", today)
    _follow(page, "BUTTON", "Add the action")
    assert page.url == record
    action = LearningAction.objects.for_organisation(world.organisation).get(feedback=feedback)
    assert action.owner_id == world.leader.pk
    assert "Crews check the street list each morning" in page.content()
    assert axe_violations(page) == []


def test_the_complainant_answers_the_survey_by_keyboard(
    page: Any, live_server: Any, world: World
) -> None:
    cache.clear()
    feedback = answered(world)
    services.close(feedback, by=world.officer)
    body = (
        Message.objects.for_organisation(world.organisation).get(event=Event.COMPLAINT_SURVEY).body
    )
    found = re.search(r"(/feedback/survey/[^/\s]+/)", body)
    assert found is not None
    page.goto(f"{live_server.url}{found.group(1)}")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send your answers").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.locator(".govuk-error-summary__list li").count() == 3
    assert axe_violations(page) == []
    for name in ("overall", "fairly", "informed"):
        _tab_to(page, f"id_survey-{name}")
        page.keyboard.press("Space")  # the first answer
    _tab_to(page, "id_survey-comments")
    page.keyboard.type("Thank you for sorting it out.")
    _follow(page, "BUTTON", "Send your answers")
    assert page.url == f"{live_server.url}/feedback/survey/thanks/"
    assert axe_violations(page) == []
    row = SatisfactionSurvey.objects.for_organisation(world.organisation).get(feedback=feedback)
    assert (row.overall, row.fairly, row.informed, row.comments) == (
        "very-satisfied",
        "yes",
        "yes",
        "Thank you for sorting it out.",
    )
    page.goto(f"{live_server.url}{found.group(1)}")
    assert "This link cannot be used" in page.content()
    assert axe_violations(page) == []
