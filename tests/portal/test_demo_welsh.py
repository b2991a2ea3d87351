"""The demo's Welsh-offering organisation (the housing association) reads in Welsh on its
start page: its forms, services, the office shared with it and its promises."""

from __future__ import annotations

from django.test import Client

from onestop.cases import demo as cases_demo
from onestop.cases.models import CaseType
from onestop.core.models import Organisation
from onestop.directory import demo as directory_demo
from onestop.directory import services as directory_services
from onestop.directory.models import Service
from onestop.standards import demo as standards_demo
from tests.conftest import LoadedDemo


def test_the_housing_associations_start_page_in_welsh(
    loaded_demo: LoadedDemo, client: Client
) -> None:
    welsh = client.get("/o/demo-housing/?lang=cy").content.decode()
    english = client.get("/o/demo-housing/?lang=en").content.decode()

    assert '<html lang="cy"' in welsh
    for words in (
        ">Atgyweirio</a>",
        "Gwasanaethau Tenantiaeth",
        "Rhent, newidiadau i denantiaethau a materion cymdogion.",
        "Atgyweiriadau",
        "Siop Un Stop Buckingham",
        "Llyfrgell Buckingham<br>Buckingham",
        "Byddwn yn ateb ymholiadau am denantiaeth o fewn 10 diwrnod gwaith",
        "Byddwn yn gwneud atgyweiriad brys yn ddiogel o fewn 24 awr",
        "Byddwn yn cwblhau atgyweiriad arferol o fewn 20 diwrnod gwaith",
        "Byddwn yn gweld ymwelwyr o fewn 15 munud",
    ):
        assert words in welsh, words
    for words in ("Tenancy Services", "Buckingham One-Stop Shop", "We answer tenancy enquiries"):
        assert words in english, words
        assert words not in welsh, words


def test_loading_the_welsh_again_keeps_an_administrators_words(loaded_demo: LoadedDemo) -> None:
    housing = Organisation.objects.get(slug="demo-housing")
    repairs = Service.objects.for_organisation(housing).get(name="Repairs")
    directory_services.update_service(
        repairs,
        by=None,
        name=repairs.name,
        description=repairs.description,
        lgsl_code=None,
        name_cy="Gwaith trwsio",
    )

    directory_demo.load_welsh(housing)
    standards_demo.load_welsh(housing)

    repairs.refresh_from_db()
    assert repairs.name_cy == "Gwaith trwsio"


def test_the_housing_associations_case_types_have_their_welsh_names(
    loaded_demo: LoadedDemo,
) -> None:
    housing = Organisation.objects.get(slug="demo-housing")
    assert dict(CaseType.objects.for_organisation(housing).values_list("code", "name_cy")) == {
        "tenancy-enquiry": "Ymholiad am denantiaeth",
        "repair": "Atgyweirio",
        "emergency-repair": "Atgyweiriad brys",
    }
    # Loading the types again keeps an administrator's Welsh name.
    CaseType.objects.for_organisation(housing).filter(code="repair").update(name_cy="Trwsio")
    cases_demo.load_types(housing, cases_demo.HOUSING_TYPES, (), cases_demo.HOUSING_WELSH_NAMES)
    assert CaseType.objects.for_organisation(housing).get(code="repair").name_cy == "Trwsio"
