"""The demo council's online forms load once and leave administrators' changes alone."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.test import Client

from onestop.core.models import AuditRecord, Organisation
from onestop.portal import services
from onestop.portal.demo import PUBLISHED, load_demo
from onestop.portal.models import WebForm


def test_the_demo_publishes_everyday_types_once(db: None, client: Client) -> None:
    call_command("demo", stdout=StringIO())
    council = Organisation.objects.get(slug="demo-council")
    forms = WebForm.objects.for_organisation(council)
    assert sorted(forms.values_list("case_type__code", flat=True)) == sorted(
        code for code, _position, _guidance in PUBLISHED
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
