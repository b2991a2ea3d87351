"""``portal.0004``: the Welsh names of the online forms move to their case types (a case type's own
Welsh name wins), and going back puts them on the forms again, on the real database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from onestop.cases.models import CaseType
from tests.cases.conftest import World, world

__all__ = ["world"]  # fixtures used here

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("portal", "0003_webform_welsh_and_layout"), ("cases", "0012_casetype_name_cy")]
AFTER = [("portal", "0004_webform_name_cy_to_case_type")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.fixture
def at_the_latest() -> Iterator[None]:
    yield
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_the_forms_welsh_names_move_to_their_case_types_and_back(
    world: World, at_the_latest: None
) -> None:
    foi_named = "Cais rhyddid gwybodaeth (enw’r math)"
    CaseType.objects.unscoped("test").filter(pk=world.foi.pk).update(name_cy=foi_named)
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    web_form = old.get_model("portal", "WebForm")
    for case_type, name_cy in (
        (world.missed_bin, "Bin heb ei gasglu"),
        (world.foi, "Cais rhyddid gwybodaeth (enw’r ffurflen)"),
        (world.eir, ""),
    ):
        web_form.objects.create(
            organisation_id=world.organisation.pk, case_type_id=case_type.pk, name_cy=name_cy
        )

    _migrate(AFTER)

    names = dict(CaseType.objects.unscoped("test").values_list("code", "name_cy"))
    assert (names["missed-bin"], names["foi"], names["eir"], names["subject-access"]) == (
        "Bin heb ei gasglu",
        foi_named,  # the case type's own Welsh name is kept
        "",
        "",
    )

    back = _migrate(BEFORE).loader.project_state(BEFORE).apps
    forms = dict(
        back.get_model("portal", "WebForm").objects.values_list("case_type__code", "name_cy")
    )
    assert forms == {"missed-bin": "Bin heb ei gasglu", "foi": foi_named, "eir": ""}
