"""``core.sources``: what the apps above the customer page and the desk register for them."""

from __future__ import annotations

from django.core.management import get_commands

from onestop.cases.models import REFERENCE_PREFIXES
from onestop.core import sources


def test_contacts_and_cases_register_their_history_sources_at_start_up() -> None:
    assert {source.kind for source in sources.history_sources()} == {
        "contact",
        "case",
        "message",
        "feedback",
    }


def test_cases_registers_its_reference_prefixes_for_the_desk() -> None:
    assert sources.case_prefixes() == frozenset(REFERENCE_PREFIXES.values())


def test_the_demo_command_belongs_to_the_demo_app_at_the_top() -> None:
    assert get_commands()["demo"] == "onestop.demo"
