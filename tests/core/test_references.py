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


PREFIXES = frozenset({"SR", "FOI"})


@pytest.mark.parametrize(
    "typed", ["SR-26-00011", "sr-26-00011", "SR 26 00011", "sr2600011", " sr-26-oo011 "]
)
def test_a_reference_is_read_however_it_is_typed(typed: str) -> None:
    assert references.read_typed(typed, PREFIXES) == references.TypedReference(
        typed=_typed(typed), reference="SR-26-00011"
    )


def _typed(text: str) -> str:
    """As typed: upper case, with its dashes (the letter O left as it is)."""
    compact = text.strip().upper().replace(" ", "").replace("-", "")
    return f"{compact[:2]}-{compact[2:4]}-{compact[4:]}"


def test_a_mistyped_reference_is_read_as_one_without_a_reference() -> None:
    assert references.read_typed("SR-26-00012", PREFIXES) == references.TypedReference(
        typed="SR-26-00012", reference=None
    )


@pytest.mark.parametrize("text", ["Smith", "XX-26-00011", "SR-26-00011 and more", "", "SR-26"])
def test_text_not_shaped_like_a_reference_with_one_of_the_prefixes_is_not_one(text: str) -> None:
    assert references.read_typed(text, PREFIXES) is None


def test_references_quoted_in_text_are_found_in_order_and_mistyped_ones_skipped() -> None:
    text = "Re: [SR-26-00012] your report sr 26 00011, see also FOI-26-00022 and XSR-26-00011"
    assert list(references.references_in(text, PREFIXES)) == ["SR-26-00011", "FOI-26-00022"]
