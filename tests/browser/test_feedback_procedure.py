"""Issue 15's procedure in Chromium by keyboard alone, axe-core (WCAG 2.2 AA) on every page:
the restriction on a customer's contact shown on the desk and on logging a contact (a
restricted channel taken with the advisor's reason), and a stage's owner reassigned."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from onestop.contacts.models import Channel, Contact
from onestop.core.models import RoleCode
from onestop.feedback import services
from onestop.feedback.models import ComplaintStage, Kind
from onestop.feedback.procedure_models import RestrictedContact
from onestop.feedback.services import restrictions
from tests import factories as core_factories
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.cases import factories as case_factories
from tests.feedback.conftest import World, world

__all__ = ["world"]  # the fixture used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _focused(page: Any, what: str = "id") -> str:
    return str(page.evaluate(f"document.activeElement && document.activeElement.{what}"))


def _tab_to(page: Any, element_id: str, limit: int = 80) -> None:
    for _press in range(limit):
        if _focused(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id} (at #{_focused(page)})")


def _tab_to_text(page: Any, tag: str, text: str, limit: int = 80) -> None:
    for _press in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "document.activeElement.tagName + ':' + document.activeElement.textContent.trim()"
        )
        if focused == f"{tag}:{text}":
            return
    raise AssertionError(f"Tab never reached the {tag} {text!r}")


def _choose(page: Any, value: str, limit: int = 40) -> None:
    """Choose the focused select's option ``value`` with the arrow keys (from the first)."""
    page.keyboard.press("Home")
    for _press in range(limit):
        if _focused(page, "value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"No option {value!r}")


def test_the_desk_shows_the_restriction_and_a_restricted_channel_needs_a_reason(
    page: Any, live_server: Any, world: World
) -> None:
    manager = core_factories.staff(world.organisation, RoleCode.MANAGER, username="ops.manager")
    today = timezone.localdate()
    row = restrictions.propose(
        world.customer,
        by=world.officer,
        values=restrictions.RestrictionInput(
            reason="Abusive telephone calls",
            starts_on=today,
            review_on=today + datetime.timedelta(days=90),
            single_point=world.leader,
            allowed_channels=(Channel.LETTER, Channel.EMAIL),
        ),
    )
    restrictions.approve(row, by=manager)
    sign_in_browser(page, live_server.url, world.advisor)
    page.goto(f"{live_server.url}/desk/customers/{world.customer.pk}/")
    banner = page.get_by_test_id("contact-rule")
    assert "This customer's contact is restricted" in banner.inner_text()
    assert "Contact us only by e-mail or letter" in banner.inner_text()
    assert axe_violations(page) == []
    _tab_to(page, "log-contact")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Contact us only by e-mail or letter" in page.get_by_test_id("contact-rule").inner_text()
    assert axe_violations(page) == []
    _tab_to(page, "id_notes")
    page.keyboard.type("Rang to complain about the restriction")
    _tab_to(page, "save-contact")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the telephone is restricted: refused without a reason
    page.locator(".govuk-error-summary").wait_for()
    assert "say why you took this contact by another channel" in page.content()
    assert not Contact.objects.for_organisation(world.organisation).exists()
    assert axe_violations(page) == []
    _tab_to(page, "id_restriction_reason")
    page.keyboard.type("The customer reported a gas leak")
    _tab_to(page, "save-contact")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    seen = RestrictedContact.objects.for_organisation(world.organisation).get()
    assert seen.shown
    assert seen.channel_restricted
    assert seen.reason == "The customer reported a gas leak"


def test_a_stages_owner_is_reassigned_by_keyboard(
    page: Any, live_server: Any, world: World
) -> None:
    head = core_factories.staff(world.organisation, RoleCode.MANAGER, username="head.waste")
    case_factories.member(world.crews, head)
    feedback = services.record_feedback(
        world.organisation,
        by=world.advisor,
        customer=world.customer,
        values=services.FeedbackInput(
            kind=Kind.COMPLAINT, what_happened="Missed again", service=world.waste
        ),
    )
    sign_in_browser(page, live_server.url, world.officer)
    page.goto(f"{live_server.url}/feedback/{feedback.reference}/")
    assert axe_violations(page) == []
    _tab_to_text(page, "A", "Change the owner")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert axe_violations(page) == []
    _tab_to(page, "id_owner-owner")
    # choose the team leader first (refused: stage 1 needs an operational manager)
    _choose(page, str(world.leader.pk))
    _tab_to(page, "id_owner-reason")
    page.keyboard.type("The head of the service takes it")
    _tab_to_text(page, "BUTTON", "Change the owner")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator(".govuk-error-summary").wait_for()
    assert "must be owned by at least an operational manager" in page.content()
    assert axe_violations(page) == []
    _tab_to(page, "id_owner-owner")
    _choose(page, str(head.pk))
    _tab_to_text(page, "BUTTON", "Change the owner")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    stage = ComplaintStage.objects.for_organisation(world.organisation).get(feedback=feedback)
    assert stage.owner == head
    assert head.display_name in page.get_by_test_id("stage-owner").inner_text()
    assert axe_violations(page) == []
