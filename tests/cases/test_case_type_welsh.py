"""A case type's Welsh name (``CaseType.name_cy``): written beside the English on the staff case
type page, and used by the messages ``cases`` sends to a customer who asked for Welsh (the
acknowledgement names the request in Welsh); English for everyone else and for staff."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import translation

from onestop.cases import queries, services
from onestop.cases.models import CaseType, Source
from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord, User
from onestop.customers.models import Customer, Language
from onestop.directory.models import Service
from onestop.notify.models import Message
from tests.cases import factories
from tests.cases.conftest import World

ClientFor = Callable[[User], Client]


def _edit(case_type: CaseType) -> str:
    return f"/case-types/{case_type.pk}/"


def _as_posted(form: object) -> dict[str, object]:
    """What the browser posts for the edit form as it is shown."""
    fields = form.fields  # type: ignore[attr-defined]
    submitted = {name: form[name].value() for name in fields}  # type: ignore[index]
    return {
        name: (["on"] if value is True else value)
        for name, value in submitted.items()
        if value not in (None, "", False, [])
    }


def _welsh(world: World, name_cy: str = "Bin heb ei gasglu") -> CaseType:
    CaseType.objects.unscoped("test: the Welsh name").filter(pk=world.missed_bin.pk).update(
        name_cy=name_cy
    )
    world.missed_bin.refresh_from_db()
    return world.missed_bin


def _customer(world: World, language: str) -> Customer:
    customer = factories.customer(world.organisation, "Siân Jones")
    Customer.objects.unscoped("test: the language").filter(pk=customer.pk).update(language=language)
    customer.refresh_from_db()
    return customer


# --- the staff page ----------------------------------------------------------------------------
def test_an_administrator_writes_the_welsh_name_beside_the_english(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    client = client_for(administrator)
    page = client.get(_edit(world.missed_bin))
    html = page.content.decode()
    assert "Name in Welsh (optional)" in html
    assert re.search(r'<input[^>]* name="name_cy"[^>]* lang="cy"', html)
    data = _as_posted(page.context["form"])
    data["name_cy"] = "  Bin heb ei gasglu "

    response = client.post(_edit(world.missed_bin), data)

    assert response.status_code == 302
    world.missed_bin.refresh_from_db()
    assert (world.missed_bin.name, world.missed_bin.name_cy) == ("Missed bin", "Bin heb ei gasglu")
    record = AuditRecord.objects.for_organisation(world.organisation).order_by("-id").first()
    assert record is not None
    assert record.changes == {"name_cy": ["", "Bin heb ei gasglu"]}
    assert 'value="Bin heb ei gasglu"' in client.get(_edit(world.missed_bin)).content.decode()


@pytest.mark.parametrize(
    ("name_cy", "message"),
    [
        ("x" * 201, "must be 200 characters or fewer"),
        ("Bin\x07heb", "Remove the special characters from “Name in Welsh”"),
    ],
)
def test_a_welsh_name_that_does_not_fit_is_refused_and_nothing_changes(
    world: World, administrator: User, client_for: ClientFor, name_cy: str, message: str
) -> None:
    client = client_for(administrator)
    data = _as_posted(client.get(_edit(world.missed_bin)).context["form"])
    audits = AuditRecord.objects.for_organisation(world.organisation).count()

    response = client.post(_edit(world.missed_bin), {**data, "name_cy": name_cy})

    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert message in html
    world.missed_bin.refresh_from_db()
    assert world.missed_bin.name_cy == ""
    assert AuditRecord.objects.for_organisation(world.organisation).count() == audits


def test_the_service_refuses_special_characters_in_the_welsh_name(world: World) -> None:
    data = services.CaseTypeInput(
        code="missed-bin",
        name="Missed bin",
        name_cy="Bin\u202eheb",
        kind=world.missed_bin.kind,
        service=world.waste,
        default_team=world.crews,
    )
    with pytest.raises(ServiceError) as refused:
        services.save_case_type(world.organisation, by=None, data=data)
    assert refused.value.field == "name_cy"
    assert str(refused.value) == (
        "Remove the special characters from the name in Welsh: only ordinary text is allowed"
    )
    world.missed_bin.refresh_from_db()
    assert world.missed_bin.name_cy == ""


def test_the_name_in_each_language() -> None:
    case_type = CaseType(name="Missed bin", name_cy="Bin heb ei gasglu")
    assert [case_type.name_in(language) for language in ("cy", "en", "")] == [
        "Bin heb ei gasglu",
        "Missed bin",
        "Missed bin",
    ]
    with translation.override("cy"):
        assert case_type.public_name == "Bin heb ei gasglu"
    with translation.override("en-gb"):
        assert case_type.public_name == "Missed bin"
    # No Welsh name: the English one in Welsh too.
    assert CaseType(name="Pothole").name_in("cy") == "Pothole"


# --- the messages to the customer ----------------------------------------------------------------
def test_a_welsh_customers_messages_name_the_request_and_service_in_welsh(world: World) -> None:
    _welsh(world)
    Service.objects.for_organisation(world.organisation).filter(pk=world.waste.pk).update(
        name_cy="Gwastraff ac Ailgylchu"
    )
    customer = _customer(world, Language.WELSH)

    case = factories.raise_case(world.organisation, customer=customer, source=Source.WEB)

    context = queries.message_context(case)
    assert (context["case_type"], context["case_title"], context["service"]) == (
        "Bin heb ei gasglu",
        "Bin heb ei gasglu",
        "Gwastraff ac Ailgylchu",
    )
    # Asked for in English (a member of staff's copy), the same case reads in English.
    english = queries.message_context(case, "")
    assert (english["case_type"], english["case_title"], english["service"]) == (
        "Missed bin",
        "Missed bin",
        "Waste and Recycling",
    )
    acknowledgement = Message.objects.for_organisation(world.organisation).get(case=case)
    assert acknowledgement.language == "cy"
    assert "Rydym wedi cael eich cais: Bin heb ei gasglu.\n\nEich cyfeirnod yw" in (
        acknowledgement.body
    )


def test_an_english_customer_reads_the_english_name(world: World) -> None:
    _welsh(world)
    case = factories.raise_case(
        world.organisation, customer=_customer(world, Language.ENGLISH), source=Source.WEB
    )
    acknowledgement = Message.objects.for_organisation(world.organisation).get(case=case)
    assert acknowledgement.language == "en"
    assert "We have received your request: Missed bin.\n\nYour reference is" in acknowledgement.body


def test_a_welsh_customer_of_a_type_without_a_welsh_name_reads_the_english_one(
    world: World,
) -> None:
    case = factories.raise_case(
        world.organisation, customer=_customer(world, Language.WELSH), source=Source.WEB
    )
    acknowledgement = Message.objects.for_organisation(world.organisation).get(case=case)
    assert "Rydym wedi cael eich cais: Missed bin.\n\nEich cyfeirnod yw" in acknowledgement.body


def test_a_case_raised_by_staff_is_still_named_by_its_title(world: World) -> None:
    _welsh(world)
    case = factories.raise_case(
        world.organisation,
        customer=_customer(world, Language.WELSH),
        by=world.officer,
        title="Bin glas heb ei wagio",
    )
    acknowledgement = Message.objects.for_organisation(world.organisation).get(case=case)
    assert "Rydym wedi cael eich cais: Bin glas heb ei wagio.\n\nEich cyfeirnod yw" in (
        acknowledgement.body
    )
