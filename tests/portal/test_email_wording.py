"""Residents read "email", as GOV.UK writes it, and "e-bost" in Welsh: the contact details on
the start page, the preferred channel on "How we contact you", and the sign-in link they are
sent.  (``test_welsh_catalogue`` checks every other word a resident can be shown.)"""

from __future__ import annotations

import re

from django.test import Client

from onestop.cases.models import Case
from onestop.core.models import Organisation
from onestop.notify import sealing
from tests.cases.conftest import World
from tests.portal.test_your_requests import START, _link_messages, _signed_in, sams

__all__ = ["sams"]  # the fixture, used here

PREFERENCES = f"{START}preferences/"


def _labels(html: str) -> list[str]:
    """The preferred channel's choices, as the radios' labels say them."""
    return [
        " ".join(label.split())
        for label in re.findall(
            r'<label[^>]*for="id_preferred_channel_\d+"[^>]*>([^<]*)</label>', html
        )
    ]


def test_the_preferred_channel_says_email(world: World, sams: list[Case], client: Client) -> None:
    _signed_in(client, world.organisation)
    html = client.get(PREFERENCES).content.decode()
    assert "Email" in _labels(html)
    assert "E-mail" not in html


def test_the_preferred_channel_says_e_bost_in_welsh(
    world: World, sams: list[Case], client: Client
) -> None:
    Organisation.objects.filter(pk=world.organisation.pk).update(offers_welsh=True)
    _signed_in(client, world.organisation)
    html = client.get(PREFERENCES, {"lang": "cy"}).content.decode()
    assert '<html lang="cy"' in html
    assert "E-bost" in _labels(html)


def test_the_sign_in_link_says_email(world: World, sams: list[Case], client: Client) -> None:
    _signed_in(client, world.organisation)
    body = sealing.opened(_link_messages(world.organisation)[-1]).body
    assert "you can ignore this email: nobody can use it without access to your email." in body
    assert "e-mail" not in body
