from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.core import references
from onestop.core.models import Organisation


@given(st.integers(min_value=0, max_value=32**8))
def test_a_formatted_reference_parses_back_to_its_number(number: int) -> None:
    text = references.format_reference("SR", 2026, number)
    assert references.parse(text) == ("SR", 26, number)


@given(st.integers(min_value=1, max_value=32**6), st.data())
def test_any_single_mistyped_character_is_caught(number: int, data: st.DataObject) -> None:
    text = references.format_reference("SR", 2026, number)
    body_start = len("SR-26-")
    position = data.draw(st.integers(min_value=body_start, max_value=len(text) - 1))
    replacement = data.draw(
        st.sampled_from(references.ALPHABET).filter(lambda c: c != text[position])
    )
    mistyped = text[:position] + replacement + text[position + 1 :]
    with pytest.raises(references.InvalidReference):
        references.parse(mistyped)


def test_references_are_read_the_way_people_type_them() -> None:
    text = references.format_reference("SR", 2026, 1)
    assert text == "SR-26-00011"
    assert references.parse(" sr-26-oo011 ") == ("SR", 26, 1)


@pytest.mark.parametrize(
    "text", ["", "SR2600011", "SR-26-", "SR-26-0001!", "x" * 10_000, "SR-26-UUUU1"]
)
def test_malformed_references_are_refused(text: str) -> None:
    with pytest.raises(references.InvalidReference):
        references.parse(text)


def test_each_organisation_counts_its_own_references(
    council: Organisation, partner: Organisation
) -> None:
    first = references.next_reference(council, "SR", 2026)
    second = references.next_reference(council, "SR", 2026)
    partner_first = references.next_reference(partner, "SR", 2026)
    next_year = references.next_reference(council, "SR", 2027)
    assert [first, second, partner_first, next_year] == [
        "SR-26-00011",
        "SR-26-00022",
        "SR-26-00011",
        "SR-27-00011",
    ]
