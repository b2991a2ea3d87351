"""``customers.services.clean_email``: Django's ``validate_email`` answer is remembered per
address (``_email_valid``), and the answers are those of asking it every time, the first time
and every time after, whichever ``field_name`` asks."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from onestop.core.errors import ServiceError
from onestop.customers import services
from onestop.customers.errors import CustomerError

VALUES = [
    "resident12@example.org",
    "  Sian@Example.com \n",
    "ann.able+bins@mx.example.org",
    "not-an-email",
    "ann@",
    "@example.org",
    "ann@example",
    "ann@localhost",
    "ann able@example.org",
    "ann@exa mple.org",
    "siân@example.org",
    "ann@ex\x00ample.org",
    "",
    "   ",
    "a" * 64 + "@" + "b" * 185 + ".org",  # 254 characters: long, but allowed by the length rule
    "a" * 64 + "@" + "b" * 186 + ".org",  # 255: refused
]


def _asked_every_time(text: str) -> str | None:
    """What ``clean_email`` answered before the answer was remembered (None: refused)."""
    address = text.strip()
    try:
        if len(address) > 254:
            raise ValidationError("too long")
        validate_email(address)
    except ValidationError:
        return None
    return address


@pytest.mark.parametrize("text", VALUES)
def test_an_address_is_cleaned_as_asking_the_validator_every_time_cleans_it(text: str) -> None:
    expected = _asked_every_time(text)
    for field_name in ("email", "emails", "email"):  # the second "email" is remembered
        if expected is None:
            with pytest.raises(ServiceError) as refused:
                services.clean_email(text, field_name)
            assert refused.value.code == CustomerError.INVALID_EMAIL
            assert refused.value.field == field_name
        else:
            assert services.clean_email(text, field_name) == expected


def test_the_remembered_answers_are_bounded() -> None:
    services._email_valid.cache_clear()
    for number in range(5000):
        services.clean_email(f"resident{number}@example.org")
    info = services._email_valid.cache_info()
    assert info.currsize == info.maxsize == 4096
