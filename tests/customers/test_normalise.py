"""Parsers behind the desk search and the customer record: properties and examples."""

from __future__ import annotations

import datetime

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.customers import normalise


@pytest.mark.parametrize(
    "typed",
    ["07700 900123", "+447700900123", "07700900123", "(07700) 900 123", "+44 (0)7700 900123"],
)
def test_a_phone_number_typed_any_usual_way_is_stored_as_e164(typed: str) -> None:
    assert normalise.parse_phone(typed) == "+447700900123"


@pytest.mark.parametrize("typed", ["123", "0770090012345678", "not a number", "", "+99 123"])
def test_an_impossible_phone_number_is_refused(typed: str) -> None:
    with pytest.raises(normalise.InvalidPhoneNumber):
        normalise.parse_phone(typed)


@pytest.mark.parametrize(
    ("typed", "standard"),
    [
        ("hp19 8ff", "HP19 8FF"),
        ("SW1A1AA", "SW1A 1AA"),
        (" le1  6zg ", "LE1 6ZG"),
        ("GIR0AA", "GIR 0AA"),
    ],
)
def test_a_uk_postcode_is_put_in_its_standard_form(typed: str, standard: str) -> None:
    assert normalise.parse_postcode(typed) == standard


@pytest.mark.parametrize(
    "typed", ["HP19", "12345", "QQ1 1AA", "HP19 8F", "", "<script>", "GIR 1AA"]
)
def test_a_string_that_is_not_a_uk_postcode_is_refused(typed: str) -> None:
    with pytest.raises(normalise.InvalidPostcode):
        normalise.parse_postcode(typed)


@given(st.text(max_size=50))
def test_parsing_a_postcode_never_crashes_and_is_idempotent(text: str) -> None:
    try:
        standard = normalise.parse_postcode(text)
    except normalise.InvalidPostcode:
        return
    assert normalise.parse_postcode(standard) == standard


@given(st.text(max_size=300))
def test_any_desk_query_parses_without_crashing(text: str) -> None:
    parsed = normalise.parse_query(text, today=datetime.date(2026, 11, 24))
    assert len(parsed.text) <= 200


@given(st.text(max_size=60))
def test_a_normalised_name_is_lower_case_ascii_and_stable(text: str) -> None:
    once = normalise.normalise_name(text)
    assert once == normalise.normalise_name(once)
    assert once.isascii()
    assert once == once.lower()


@pytest.mark.parametrize(
    ("first", "second"), [("smith", "smiht"), ("jon", "john"), ("catherine", "kathryn")]
)
def test_soundex_groups_common_misspellings(first: str, second: str) -> None:
    assert normalise.soundex(first)[1:] == normalise.soundex(second)[1:]


def test_soundex_of_smith_is_s530() -> None:
    assert (normalise.soundex("smith"), normalise.soundex("Smiht"), normalise.soundex("")) == (
        "S530",
        "S530",
        "",
    )


def test_a_mistyped_name_is_still_similar() -> None:
    assert normalise.word_similarity("jonh smiht", "john smith") >= 0.5
    assert normalise.word_similarity("jo", "john smith") == 1.0
    assert normalise.word_similarity("zebedee", "john smith") < 0.2


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12/3/1980", datetime.date(1980, 3, 12)),
        ("12.03.80", datetime.date(1980, 3, 12)),
        ("1980-03-12", datetime.date(1980, 3, 12)),
        ("12 March 1980", datetime.date(1980, 3, 12)),
        ("31/2/1980", None),
        ("tomorrow", None),
    ],
)
def test_dates_typed_as_uk_people_write_them(typed: str, expected: datetime.date | None) -> None:
    assert normalise.parse_date(typed, today=datetime.date(2026, 11, 24)) == expected


@pytest.mark.parametrize(
    ("typed", "part", "value"),
    [
        ("jane@example.com", "email", "jane@example.com"),
        ("CU-26-0001A", "reference", "CU-26-0001A"),
        ("07700 900123", "phone_e164", "+447700900123"),
        ("900123", "phone_digits", "900123"),
        ("hp19 8ff", "postcode", "HP19 8FF"),
        ("12/03/1980", "date_of_birth", datetime.date(1980, 3, 12)),
        ("Jonh Smiht", "name", "jonh smiht"),
    ],
)
def test_a_desk_query_is_recognised_by_its_shape(typed: str, part: str, value: object) -> None:
    parsed = normalise.parse_query(typed, today=datetime.date(2026, 11, 24))
    assert getattr(parsed, part) == value


def test_a_name_with_a_date_and_an_outward_code_is_split() -> None:
    parsed = normalise.parse_query("smith 12/3/1980 HP19", today=datetime.date(2026, 11, 24))
    assert (parsed.name, parsed.date_of_birth, parsed.outward_code) == (
        "smith",
        datetime.date(1980, 3, 12),
        "HP19",
    )


def _formatted_by_phonenumbers(e164: str) -> str:
    number = phonenumbers.parse(e164, None)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 44
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


@given(st.from_regex(r"\A[1-9][0-9]{5,12}\Z"))
def test_a_uk_number_is_shown_exactly_as_phonenumbers_formats_it(national: str) -> None:
    e164 = f"+44{national}"
    assert normalise.format_phone(e164) == _formatted_by_phonenumbers(e164)


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+447700900123", "07700 900123"),
        ("+441296585858", "01296 585858"),
        ("+442079460123", "020 7946 0123"),
        ("+441632960123", "01632 960123"),
        ("+448001111", "0800 1111"),
        ("+33123456789", "+33 1 23 45 67 89"),
        ("not a number", "not a number"),
    ],
)
def test_stored_numbers_are_shown_as_advisors_say_them(e164: str, shown: str) -> None:
    assert normalise.format_phone(e164) == shown


_WORDS = st.lists(st.from_regex(r"\A[a-z0-9]{1,12}\Z"), min_size=1, max_size=4)


@given(_WORDS, _WORDS)
def test_scoring_stored_words_matches_scoring_the_typed_text(
    typed: list[str], name: list[str]
) -> None:
    assert normalise.words_similarity(typed, name) == normalise.word_similarity(
        " ".join(typed), " ".join(name)
    )


def _reference_edit_distance(first: str, second: str) -> int:
    """Optimal string alignment distance, the textbook table (what the bit-parallel one must
    equal)."""
    table = [[0] * (len(second) + 1) for _ in range(len(first) + 1)]
    for i in range(len(first) + 1):
        table[i][0] = i
    for j in range(len(second) + 1):
        table[0][j] = j
    for i in range(1, len(first) + 1):
        for j in range(1, len(second) + 1):
            cost = 0 if first[i - 1] == second[j - 1] else 1
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and first[i - 1] == second[j - 2] and first[i - 2] == second[j - 1]:
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
    return table[-1][-1]


@given(st.text(alphabet="abcdé", max_size=12), st.text(alphabet="abcdé", max_size=12))
def test_edit_distance_equals_the_textbook_table(first: str, second: str) -> None:
    assert normalise.edit_distance(first, second) == _reference_edit_distance(first, second)


@pytest.mark.parametrize(
    ("first", "second", "distance"),
    [("jonh", "john", 1), ("smith", "smiht", 1), ("", "abc", 3), ("kitten", "sitting", 3)],
)
def test_edit_distance_examples(first: str, second: str, distance: int) -> None:
    assert normalise.edit_distance(first, second) == distance


@given(st.text(alphabet="abyz09²É -", max_size=10), st.text(alphabet="abyz09²É -", max_size=10))
def test_a_word_scores_the_same_by_its_own_trigrams_as_by_the_texts(
    typed: str, candidate: str
) -> None:
    expected = 0.0
    if typed and candidate:
        edits = 1 - _reference_edit_distance(typed, candidate) / max(len(typed), len(candidate))
        expected = max(normalise.similarity(typed, candidate), edits)
    assert normalise.word_score(typed, candidate) == expected
