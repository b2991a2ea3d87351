"""The demo's Welsh-offering organisation (the housing association) reads in Welsh on its
start page: its forms, services, the office shared with it and its promises."""

from __future__ import annotations

from django.test import Client

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
