"""Every staff form names its field in GOV.UK words, and a refused POST stays at the form's own
address (issue 13 item 13).

* Every form class of the project, bound to an empty body and to a body of oversized or wrong
  values, gives no error in Django's own words ("This field is required.", "Enter a whole
  number.", "Select a valid choice. …"): ``core.forms.apply_govuk_messages`` words each one
  after the field ("Enter postcode", "Select team").
* Every staff URL pattern of one organisation's world, POSTed an empty body by the first role
  the page lets in: a refused form is answered 400 at the same address (no redirect), with the
  GOV.UK error summary and no message in Django's words.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from django import forms
from django.db import transaction
from django.test import Client

import onestop
from onestop.cases.models import CaseKind, CaseType
from onestop.core import sources
from onestop.core.models import Organisation, OrganisationType, User
from onestop.directory.models import Service, Team
from onestop.notify.queries_bulk import GroupChoices
from tests import factories
from tests.invariants import walking
from tests.invariants.world import ROLES, World, build

# Django's wording of its own errors (the beginning of each): none may reach a page.
DJANGO_WORDS = (
    "This field is required.",
    "Enter a valid",
    "Enter a whole number.",
    "Enter a number.",
    "Select a valid choice.",
    "Ensure this value",
)


def _form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(onestop.__path__, "onestop."):
        # forms, forms_bulk, ... and every module of a forms package (feedback.forms.*)
        if any(part.startswith("forms") for part in module.name.split(".")[2:]):
            importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    pending: list[type[forms.BaseForm]] = [forms.Form]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("onestop."):
                found.append(subclass)
    return found


def _arguments(form_class: type[forms.BaseForm]) -> dict[str, Any]:
    """Keyword arguments a form's ``__init__`` needs, by name (empty choices are enough: an
    empty body is refused before any choice is looked up)."""
    none: dict[str, Any] = {
        "case_types": CaseType.objects.none(),
        "reasons": Service.objects.none(),
        "services": Service.objects.none(),
        "access_points": Service.objects.none(),
        "teams": Team.objects.none(),
        "types": CaseType.objects.none(),
        "people": User.objects.none(),
        "staff": User.objects.none(),
        "organisations": Organisation.objects.none(),
        "councillors": User.objects.none(),
        "earlier": [],
        # Every registered group of customers, with no values yet (its select is still added).
        "groups": [GroupChoices(group, []) for group in sources.customer_groups()],
        "roles": [],
        "standards": [],
        "quarters": [],
        "councillor": False,
        "current": "new",
        "case_type": CaseType(code="walk", name="Walk", kind=CaseKind.SERVICE_REQUEST),
    }
    parameters = inspect.signature(form_class.__init__).parameters
    return {name: value for name, value in none.items() if name in parameters}


FORM_CLASSES = _form_classes()


def _empty(form_class: type[forms.BaseForm]) -> dict[str, str]:
    return {}


def _wrong(form_class: type[forms.BaseForm]) -> dict[str, str]:
    fields: dict[str, forms.Field] = getattr(form_class, "base_fields", {})
    return dict.fromkeys(fields, "x" * 5_000)


BODIES = {"empty": _empty, "wrong": _wrong}


@pytest.mark.parametrize("body", list(BODIES))
@pytest.mark.parametrize(
    "form_class", FORM_CLASSES, ids=lambda cls: f"{cls.__module__}.{cls.__name__}"
)
def test_no_form_words_an_error_in_djangos_own_words(
    form_class: type[forms.BaseForm], body: str
) -> None:
    form = form_class(BODIES[body](form_class), **_arguments(form_class))
    form.is_valid()
    messages = [str(message) for errors in form.errors.values() for message in errors]
    assert [m for m in messages if m.startswith(DJANGO_WORDS)] == []


def test_the_every_form_walk_finds_the_forms() -> None:
    names = {cls.__name__ for cls in FORM_CLASSES}
    assert {"StaffCreateForm", "CustomerCreateForm", "LogContactForm", "CloseForm"} <= names


# --- every staff page, POSTed empty ------------------------------------------------------------
PAGES = [page for page in walking.pages() if not page.public and page.name]


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build("walk-forms", OrganisationType.DISTRICT_COUNCIL)
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def clients(world: World, django_db_blocker: Any) -> dict[str, Client]:
    made: dict[str, Client] = {}
    with django_db_blocker.unblock():
        for role in ROLES:
            client = Client()
            factories.sign_in_verified(client, world.staff[role])
            made[role] = client
    return made


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_a_refused_post_names_its_fields_at_the_forms_own_address(
    page: walking.Page, world: World, clients: dict[str, Client]
) -> None:
    url = page.route
    for parameter in page.parameters:
        url = url.replace(f"<{parameter}>", str(world.fill(page.name, parameter)))
    url = "/" + url.replace("^", "").replace("$", "")
    for role in ROLES:
        with transaction.atomic():
            response = clients[role].post(url, {})
            transaction.set_rollback(True)
        if response.status_code in {403, 404, 405}:
            continue
        body = response.content.decode(errors="replace")
        assert [words for words in DJANGO_WORDS if words in body] == [], (role, url)
        if response.status_code == 400 and "text/html" in response.get("Content-Type", ""):
            assert "govuk-error-summary" in body, (role, url)
        return


@pytest.mark.parametrize(
    "form_class", FORM_CLASSES, ids=lambda cls: f"{cls.__module__}.{cls.__name__}"
)
def test_every_select_is_a_govuk_select(form_class: type[forms.BaseForm]) -> None:
    """A select a form adds after its styling (choices known only at ``__init__``) is still a
    GOV.UK select: the class that gives it its look and its focus state."""
    form = form_class(**_arguments(form_class))
    bare = [
        name
        for name, field in form.fields.items()
        if isinstance(field.widget, forms.Select)
        and not isinstance(field.widget, forms.SelectMultiple)
        and "govuk-select" not in str(field.widget.attrs.get("class", "")).split()
    ]
    assert bare == []
