"""An organisation's slug is never a fixed word of an address it shares a place with: the
public performance page ``/performance/<organisation>/`` sits beside ``/performance/people/``,
so an organisation called ``people`` would never reach its page; the feedback form's old
address ``/feedback/<organisation>/`` sits beside ``/feedback/procedure/`` and the rest."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import resolve

from onestop.core.models import Nation, Organisation, OrganisationType, reserved_organisation_slugs
from onestop.directory import services
from onestop.feedback.urls import FIXED_WORDS as FEEDBACK_WORDS
from onestop.performance.urls import FIXED_WORDS, urlpatterns

pytestmark = pytest.mark.django_db


def _organisation(slug: str) -> Organisation:
    return Organisation(
        slug=slug, name="Somewhere", type=OrganisationType.DISTRICT_COUNCIL, nation=Nation.ENGLAND
    )


def test_every_fixed_word_under_performance_is_reserved() -> None:
    fixed = {
        str(pattern.pattern).split("/", 1)[0]
        for pattern in urlpatterns
        if str(pattern.pattern) and not str(pattern.pattern).startswith("<")
    }
    assert set(FIXED_WORDS) == fixed
    assert {"people", "reports", "report", "standards", "comparators", "records", "returns"} <= (
        fixed
    )
    reserved = reserved_organisation_slugs()
    # A word fixed under /feedback/ too is named by whichever app reserved it first.
    assert {word: reserved[word] for word in fixed - set(FEEDBACK_WORDS)} == dict.fromkeys(
        fixed - set(FEEDBACK_WORDS), "/performance/"
    )
    assert {reserved[word] for word in fixed} <= {"/performance/", "/feedback/"}


@pytest.mark.parametrize("word", sorted({*FIXED_WORDS, *FEEDBACK_WORDS}))
def test_a_reserved_word_is_refused_as_a_slug(word: str) -> None:
    under = reserved_organisation_slugs()[word]
    with pytest.raises(ValidationError) as refused:
        _organisation(word).full_clean()
    assert refused.value.message_dict == {
        "slug": [
            f"{word} is a word OneStop's addresses use ({under}{word}/ is another page): "
            "choose another slug"
        ]
    }


def test_a_fixed_page_wins_its_address_over_the_public_page() -> None:
    assert resolve("/performance/people/").url_name == "people"
    assert resolve("/performance/comparators/").url_name == "comparators"


def test_an_ordinary_slug_is_accepted_and_reaches_its_public_page() -> None:
    _organisation("peoples-council").full_clean()
    assert resolve("/performance/peoples-council/").url_name == "public"


def test_creating_an_organisation_with_a_reserved_slug_changes_nothing() -> None:
    before = Organisation.objects.count()
    with pytest.raises(ValidationError):
        services.create_organisation(
            by=None,
            slug="comparators",
            name="Comparators",
            type=OrganisationType.DISTRICT_COUNCIL,
            nation=Nation.ENGLAND,
        )
    assert Organisation.objects.count() == before


def test_every_fixed_word_under_feedback_is_reserved_for_the_old_public_address() -> None:
    assert {"new", "procedure", "reports", "learning", "councillor", "o"} <= set(FEEDBACK_WORDS)
    reserved = reserved_organisation_slugs()
    assert set(FEEDBACK_WORDS) <= set(reserved)
    # Each word's single-word address is some other page; any other slug is the old address.
    for word in ("new", "procedure", "learning", "councillor"):
        assert resolve(f"/feedback/{word}/").url_name != "public-legacy"
        with pytest.raises(ValidationError):
            _organisation(word).full_clean()
    assert resolve("/feedback/peoples-council/").url_name == "public-legacy"
    _organisation("peoples-council").full_clean()
