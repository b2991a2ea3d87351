"""A case type's date question says which dates it accepts (any, today or in the past, today or
in the future): administrators set it on the case type's page, the services keep it in the
question's definition and refuse other dates, and whatever it says no year nobody means is
accepted.  Questions saved before there was a setting accept any date, as they did."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from onestop.cases import services
from onestop.cases.errors import CaseError
from onestop.cases.models import Case, CaseType
from onestop.core.errors import ServiceError
from onestop.core.models import User
from tests.cases import factories
from tests.cases.conftest import World
from tests.govuk_dates import date_input

ClientFor = Callable[[User], Client]
TODAY = "2026-12-07 10:00+00:00"
NEXT_WEEK = "2026-12-14 10:00+00:00"
FIELD = "attribute_collection-day"


def _limit_collection_day(world: World, dates: str) -> None:
    attributes = [
        {**question, "dates": dates} if question["code"] == "collection-day" else question
        for question in world.missed_bin.attributes
    ]
    CaseType.objects.for_organisation(world.organisation).filter(pk=world.missed_bin.pk).update(
        attributes=attributes
    )
    world.missed_bin.refresh_from_db()


def _count(world: World) -> int:
    return Case.objects.for_organisation(world.organisation).count()


# --- the definition ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "kept"),
    [
        ({"code": "day", "kind": "date", "dates": "past"}, {"dates": "past"}),
        ({"code": "day", "kind": "date", "dates": "future"}, {"dates": "future"}),
        # any date, said or not, is the shape questions had before: no "dates"
        ({"code": "day", "kind": "date", "dates": "any"}, {}),
        ({"code": "day", "kind": "date"}, {}),
        # only a date question limits its dates
        ({"code": "day", "kind": "text", "dates": "past"}, {}),
    ],
)
def test_the_definition_keeps_the_dates_a_date_question_accepts(
    question: dict[str, Any], kept: dict[str, str]
) -> None:
    [cleaned] = services.check_attribute_definitions([question])
    assert cleaned == {
        "code": "day",
        "label": "day",
        "kind": question["kind"],
        "required": False,
        "choices": [],
        **kept,
    }


@pytest.mark.parametrize("dates", ["sideways", "<script>alert(1)</script>", "x" * 5_000, ["past"]])
def test_a_definition_with_unknown_dates_is_refused(dates: Any) -> None:
    with pytest.raises(ServiceError) as refused:
        services.check_attribute_definitions([{"code": "day", "kind": "date", "dates": dates}])
    assert refused.value.code == CaseError.INVALID_ATTRIBUTE
    assert refused.value.field == "attributes"
    assert len(refused.value.message) < 120


# --- the answers ---------------------------------------------------------------------------------
@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("dates", "answer", "message"),
    [
        ("past", "2026-12-08", "Collection day must be today or in the past"),
        ("past", "2030-12-01", "Collection day must be today or in the past"),
        ("future", "2026-12-06", "Collection day must be today or in the future"),
        ("any", "0001-01-01", "Collection day must be the same as or after 1 January 1900"),
        ("any", "2032-01-01", "Collection day must be the same as or before 31 December 2031"),
        ("any", "99999-01-01", "“Collection day” must be a real date, like 2026-03-27"),
        ("past", "2026-02-31", "“Collection day” must be a real date, like 2026-03-27"),
        ("past", "<script>", "“Collection day” must be a real date, like 2026-03-27"),
    ],
)
def test_a_date_the_question_does_not_accept_is_refused_and_nothing_is_raised(
    world: World, dates: str, answer: str, message: str
) -> None:
    _limit_collection_day(world, dates)
    with pytest.raises(ServiceError) as refused:
        factories.raise_case(
            world.organisation, attributes={"bin": "blue", "collection-day": answer}
        )
    assert (refused.value.code, refused.value.field) == (CaseError.INVALID_ATTRIBUTE, FIELD)
    assert refused.value.message == message
    assert _count(world) == 0


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("dates", "answer"),
    [("past", "2026-12-07"), ("past", "1900-01-01"), ("future", "2026-12-07"),
     ("future", "2031-12-31"), ("any", "2029-06-30")],
)  # fmt: skip
def test_a_date_the_question_accepts_is_kept(world: World, dates: str, answer: str) -> None:
    _limit_collection_day(world, dates)
    case = factories.raise_case(
        world.organisation, attributes={"bin": "blue", "collection-day": answer}
    )
    assert case.attributes == {"bin": "blue", "collection-day": answer}


@time_machine.travel(TODAY, tick=False)
def test_a_question_saved_before_there_was_a_setting_accepts_any_sensible_date(
    world: World,
) -> None:
    assert "dates" not in next(
        q for q in world.missed_bin.attributes if q["code"] == "collection-day"
    )
    case = factories.raise_case(
        world.organisation, attributes={"bin": "blue", "collection-day": "2030-01-01"}
    )
    assert case.attributes["collection-day"] == "2030-01-01"


def test_a_kept_future_date_that_has_passed_does_not_stop_a_change(world: World) -> None:
    _limit_collection_day(world, "future")
    with time_machine.travel(TODAY, tick=False):
        case = factories.raise_case(
            world.organisation, attributes={"bin": "blue", "collection-day": "2026-12-10"}
        )
    with time_machine.travel(NEXT_WEEK, tick=False):
        changed = services.update_case(
            case,
            by=world.officer,
            expected_version=case.version,
            attributes={"bin": "green", "collection-day": "2026-12-10"},
        )
        assert changed.attributes == {"bin": "green", "collection-day": "2026-12-10"}
        with pytest.raises(ServiceError) as refused:
            services.update_case(
                changed,
                by=world.officer,
                expected_version=changed.version,
                attributes={"bin": "green", "collection-day": "2026-12-11"},
            )
    assert refused.value.message == "Collection day must be today or in the future"
    case.refresh_from_db()
    assert case.attributes == {"bin": "green", "collection-day": "2026-12-10"}


# --- the pages -----------------------------------------------------------------------------------
@time_machine.travel(TODAY, tick=False)
def test_the_staff_raise_form_refuses_a_date_the_question_does_not_accept(
    world: World, advisor: User, client_for: ClientFor
) -> None:
    _limit_collection_day(world, "past")
    response = client_for(advisor).post(
        f"/cases/new/?type={world.missed_bin.code}",
        {
            "case_type": world.missed_bin.pk,
            "title": "Missed blue bin",
            "attribute_bin": "blue",
            **date_input(FIELD, "1/12/2030"),
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Collection day must be today or in the past" in html
    assert f'href="#id_{FIELD}_day"' in html
    assert _count(world) == 0


def _question(world: World, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Missed bin",
        "code": world.missed_bin.code,
        "kind": "service-request",
        "service": world.waste.pk,
        "default_team": world.crews.pk,
        "primary_standard": "answer-letters",
        "reopen_within_days": "14",
        "is_active": "on",
        "question_0_label": "Collection day",
        "question_0_code": "collection-day",
        "question_0_kind": "date",
        "question_0_dates": "past",
        "question_0_order": "1",
    }
    data.update(changes)
    return data


def test_an_administrator_sets_the_dates_a_date_question_accepts(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    client = client_for(administrator)
    edit = f"/case-types/{world.missed_bin.pk}/"
    response = client.post(edit, _question(world))
    assert response.status_code == 302, response.content.decode()[-2000:]
    world.missed_bin.refresh_from_db()
    assert world.missed_bin.attributes == [
        {"code": "collection-day", "label": "Collection day", "kind": "date",
         "required": False, "choices": [], "dates": "past"},
    ]  # fmt: skip
    page = client.get(edit)
    assert page.context["form"]["question_0_dates"].value() == "past"
    html = page.content.decode()
    assert 'name="question_0_dates"' in html
    assert '<option value="past" selected>Today or in the past</option>' in html


def test_dates_are_kept_only_for_a_date_question(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    response = client_for(administrator).post(
        f"/case-types/{world.missed_bin.pk}/", _question(world, question_0_kind="text")
    )
    assert response.status_code == 302
    world.missed_bin.refresh_from_db()
    assert "dates" not in world.missed_bin.attributes[0]


@pytest.mark.parametrize("dates", ["sideways", "<script>alert(1)</script>", "x" * 5_000])
def test_unknown_dates_on_the_page_are_refused_and_nothing_changes(
    world: World, administrator: User, client_for: ClientFor, dates: str
) -> None:
    before = list(world.missed_bin.attributes)
    response = client_for(administrator).post(
        f"/case-types/{world.missed_bin.pk}/", _question(world, question_0_dates=dates)
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Select dates accepted from the list" in html
    assert "<script>alert(1)</script>" not in html
    world.missed_bin.refresh_from_db()
    assert world.missed_bin.attributes == before
