"""``core.addresses.reverse``: Django's ``reverse``, each answer kept for the URL
configuration and script prefix it was made under."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from onestop.core import addresses


@pytest.mark.parametrize(
    ("viewname", "args"),
    [
        ("portal:report-step", ("demo-council", "missed-bin", "problem")),
        ("portal:report-check", ("demo-council", "missed-bin")),
        ("feedback:public-question", ("demo-council", "kind")),
        ("healthz", ()),
    ],
)
def test_it_answers_as_django_does(viewname: str, args: tuple[str, ...]) -> None:
    assert addresses.reverse(viewname, *args) == reverse(viewname, args=args)
    assert addresses.reverse(viewname, *args) == reverse(viewname, args=args)  # kept


def test_a_site_served_under_a_prefix_gets_its_prefixed_address() -> None:
    plain = addresses.reverse("portal:report-check", "demo-council", "missed-bin")
    set_script_prefix("/council/")
    try:
        prefixed = addresses.reverse("portal:report-check", "demo-council", "missed-bin")
    finally:
        clear_script_prefix()
    assert prefixed == f"/council{plain}"
    assert addresses.reverse("portal:report-check", "demo-council", "missed-bin") == plain


@override_settings(ROOT_URLCONF="tests.core.urls_without_portal")
def test_another_url_configuration_is_asked_afresh() -> None:
    with pytest.raises(NoReverseMatch):
        addresses.reverse("portal:report-check", "demo-council", "missed-bin")


def test_an_address_that_does_not_exist_is_refused_as_django_refuses_it() -> None:
    with pytest.raises(NoReverseMatch):
        addresses.reverse("portal:report-step", "demo-council")  # an argument missing
