"""``contacts.services.channel_label``: what ``Contact.get_channel_display()`` answers (the
contact's audit summary), in English and in Welsh, for every channel and for an unknown one."""

from __future__ import annotations

import pytest
from django.utils import translation

from onestop.contacts.models import Channel, Contact
from onestop.contacts.services import channel_label


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_the_label_is_the_contacts_own_display(language: str) -> None:
    with translation.override(language):
        for channel in [*Channel.values, "carrier-pigeon"]:
            assert channel_label(channel) == Contact(channel=channel).get_channel_display()
        assert channel_label(Channel.EMAIL) == str(Channel.EMAIL.label)
