"""``notify.services.reply_address``: the signed per-case reply address, made and checked."""

from __future__ import annotations

import pytest
from django.test import override_settings

from onestop.core import references
from onestop.notify.services import reply_address

REFERENCE = references.format_reference("SR", 26, 11)  # SR-26-000BB
SECRET = "a-reply-address-secret-of-at-least-32-characters"


def test_the_address_is_the_mailbox_tagged_with_the_reference_and_a_signature() -> None:
    address = reply_address.reply_address_for(
        "Waste@Council.example", organisation_id=7, reference=REFERENCE
    )
    local, domain = address.split("@")
    assert domain == "council.example"
    mailbox, tag = local.split("+")
    reference, signature = tag.split(".")
    assert (mailbox, reference) == ("waste", REFERENCE.lower())
    assert len(signature) == 16
    assert set(signature) <= set("abcdefghijklmnopqrstuvwxyz234567")
    assert reply_address.verify(address, organisation_id=7) == REFERENCE


def test_the_address_verifies_however_a_mail_system_cases_it() -> None:
    address = reply_address.reply_address_for(
        "waste@council.example", organisation_id=7, reference=REFERENCE
    )
    assert reply_address.verify(address.upper(), organisation_id=7) == REFERENCE
    assert reply_address.verify(f"<{address}>", organisation_id=7) == REFERENCE


def test_the_signature_binds_the_organisation_and_the_reference() -> None:
    address = reply_address.reply_address_for(
        "waste@council.example", organisation_id=7, reference=REFERENCE
    )
    assert reply_address.verify(address, organisation_id=8) is None
    other = references.format_reference("SR", 26, 12)
    _local, tag = address.split("@")[0].split("+")
    swapped = address.replace(REFERENCE.lower(), other.lower())
    assert reply_address.verify(swapped, organisation_id=7) is None
    assert tag.split(".")[1] != reply_address.signature(7, other)


def test_every_single_character_change_of_the_signature_is_refused() -> None:
    address = reply_address.reply_address_for(
        "waste@council.example", organisation_id=7, reference=REFERENCE
    )
    local, domain = address.split("@")
    head, signature = local.rsplit(".", 1)
    for position in range(len(signature)):
        for replacement in "a7":
            if signature[position] == replacement:
                continue
            altered = signature[:position] + replacement + signature[position + 1 :]
            assert reply_address.verify(f"{head}.{altered}@{domain}", organisation_id=7) is None


@pytest.mark.parametrize(
    "address",
    [
        "waste@council.example",
        "waste+bins@council.example",
        "waste+sr-26-000bb@council.example",
        "waste+sr-26-000bb.@council.example",
        "waste+sr-26-000bb.aaaaaaaaaaaaaaaa@council.example",
        "waste+sr-26-000bb.aaaaaaaaaaaaaaaaa@council.example",
        "waste+sr-26-000bc.aaaaaaaaaaaaaaaa@council.example",  # wrong check character
        "waste+../../etc.aaaaaaaaaaaaaaaa@council.example",
        "waste+sr-26-000bb.aaaaaaaaaaaaaaa1@council.example",  # 1 is not base32
        "waste+" + "a" * 5000 + "@council.example",
        "",
        "@",
        "+@",
        "waste+sr-26-000bb.aaaaaaaaaaaaaaaa",
        "waste+sr-26-000bb\x00.aaaaaaaaaaaaaaaa@council.example",
    ],
)
def test_anything_not_signed_by_us_verifies_as_nothing(address: str) -> None:
    assert reply_address.verify(address, organisation_id=7) is None


def test_the_secret_from_settings_signs_and_changing_it_invalidates_old_addresses() -> None:
    derived = reply_address.reply_address_for(
        "waste@council.example", organisation_id=7, reference=REFERENCE
    )
    with override_settings(ONESTOP_REPLY_ADDRESS_SECRET=SECRET):
        configured = reply_address.reply_address_for(
            "waste@council.example", organisation_id=7, reference=REFERENCE
        )
        assert configured != derived
        assert reply_address.verify(configured, organisation_id=7) == REFERENCE
        assert reply_address.verify(derived, organisation_id=7) is None
    with override_settings(SECRET_KEY="another-secret-key-" + "x" * 40):
        assert reply_address.verify(derived, organisation_id=7) is None


@pytest.mark.parametrize(
    ("mailbox", "reference"),
    [
        ("not-an-address", REFERENCE),
        ("waste+bins@council.example", REFERENCE),
        ("waste@council.example", "SR-26-000BC"),  # wrong check character
        ("waste@council.example", "Robert'); DROP TABLE"),
        ("w" * 40 + "@council.example", REFERENCE),  # the local part would pass 64 characters
    ],
)
def test_a_reply_address_is_not_made_from_what_is_not_a_mailbox_and_a_reference(
    mailbox: str, reference: str
) -> None:
    with pytest.raises(reply_address.ReplyAddressError):
        reply_address.reply_address_for(mailbox, organisation_id=7, reference=reference)
