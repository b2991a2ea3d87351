"""``onestop demo totp``: a name nobody has is an error (the demo itself, loaded, is tested in
``tests/demo/test_story.py``, where every test of the loaded demo shares one load)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_totp_for_an_unknown_user_is_an_error() -> None:
    with pytest.raises(CommandError, match="nobody has no authenticator device"):
        call_command("demo", "totp", "nobody", stdout=StringIO())
