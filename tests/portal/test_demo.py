"""The demo council's online forms load once and leave administrators' changes alone."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command
from django.test import Client

from onestop.cases.models import CaseType
from onestop.core.models import AuditRecord, Organisation
from onestop.portal import services
from onestop.portal.demo import PUBLISHED, load_demo
from onestop.portal.models import WebForm


def test_the_demo_publishes_everyday_types_once(db: None, client: Client) -> None:
    call_command("demo", stdout=StringIO())
    council = Organisation.objects.get(slug="demo-council")
    forms = WebForm.objects.for_organisation(council)
    assert sorted(forms.values_list("case_type__code", flat=True)) == sorted(
        row[0] for row in PUBLISHED
    )
    missed_bin = forms.get(case_type__code="missed-bin")
    services.save_web_form(
        missed_bin.case_type, by=None, is_published=False, guidance="", position=1
    )

    load_demo(council)
    call_command("demo", stdout=StringIO())

    assert forms.count() == len(PUBLISHED)
    missed_bin.refresh_from_db()
    assert missed_bin.is_published is False  # the administrator's change stands
    assert (
        AuditRecord.objects.for_organisation(council).filter(object_type="portal.webform").count()
        == len(PUBLISHED) + 1
    )
    index = client.get("/report/demo-council/").content.decode()
    assert "/report/demo-council/fly-tipping/" in index
    assert "/report/demo-council/missed-bin/" not in index
    assert client.get("/report/demo-council/fly-tipping/").status_code == 200

    # The housing association offers Welsh, with its forms translated.
    housing = Organisation.objects.get(slug="demo-housing")
    assert housing.offers_welsh is True
    welsh = client.get("/report/demo-housing/?lang=cy").content.decode()
    assert '<html lang="cy"' in welsh
    assert ">Atgyweirio</a>" in welsh
    assert ">Ymholiad am denantiaeth</a>" in welsh
    repair = client.get("/report/demo-housing/repair/").content.decode()
    assert "ffurflen hon ar gyfer argyfyngau" in repair
    assert 'href="/report/demo-housing/repair/question-where/"' in repair
    question = client.get("/report/demo-housing/repair/question-where/").content.decode()
    assert "Pa ystafell" in question


def _found(client: Client, organisation: str, search: str, language: str = "en") -> list[str]:
    html = client.get(f"/report/{organisation}/", {"q": search, "lang": language})
    return re.findall(rf'href="/report/{organisation}/([a-z-]+)/"', html.content.decode())


def test_the_demo_forms_are_found_by_the_words_residents_use(db: None, client: Client) -> None:
    call_command("demo", stdout=StringIO())

    assert _found(client, "demo-council", "rubbish") == ["missed-bin", "fly-tipping"]
    assert _found(client, "demo-council", "wheelie bins") == ["missed-bin"]
    assert _found(client, "demo-council", "dustbin") == ["missed-bin"]
    assert _found(client, "demo-council", "sbwriel") == ["missed-bin", "fly-tipping"]
    assert _found(client, "demo-council", "loud music") == ["noise"]
    assert _found(client, "demo-housing", "boeler", "cy") == ["repair"]
    assert _found(client, "demo-housing", "leak") == ["repair"]
    assert _found(client, "demo-housing", "rhent", "cy") == ["tenancy-enquiry"]
    # A missed collection has happened: its date is today or in the past.
    missed_bin = CaseType.objects.for_organisation(
        Organisation.objects.get(slug="demo-council")
    ).get(code="missed-bin")
    day = next(q for q in missed_bin.attributes if q["code"] == "collection-day")
    assert day["dates"] == "past"
