"""Pages that only show things refuse a POST (405) instead of answering it like a GET: a POST to
any page either needs a permission to change something or is refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from onestop.core.models import AuditRecord, User

pytestmark = pytest.mark.django_db

READ_ONLY_PAGES = ["/", "/standards/", "/standards/when-due/", "/audit/"]


@pytest.mark.parametrize("url", READ_ONLY_PAGES)
def test_a_post_to_a_page_that_only_shows_is_refused(
    client_for: Callable[[User], Client], auditor: User, url: str
) -> None:
    client = client_for(auditor)
    shown = client.get(url)
    written = AuditRecord.objects.unscoped("test: count").exclude(action="viewed").count()
    posted = client.post(url, {"name": "x"})
    assert (shown.status_code, posted.status_code) == (200, 405)
    assert AuditRecord.objects.unscoped("test: count").exclude(action="viewed").count() == written
