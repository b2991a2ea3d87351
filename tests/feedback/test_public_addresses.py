"""Defect (issue 15): an organisation whose slug is also a staff path under /feedback/ (``new``,
``procedure``, and any added later: reports, learning, restrictions, ...) lost its public form,
because staff paths match first.  Public pages now live under /feedback/o/<organisation>/,
where no staff path can reach; the old address /feedback/<organisation>/ redirects only when no
staff page takes it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from onestop.core.models import Organisation
from onestop.feedback.models import Feedback
from onestop.feedback.views import public
from tests import factories as core_factories


@pytest.fixture(autouse=True)
def fresh_limit() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _staff_segments(*, own_page: bool = False) -> set[str]:
    """The first segment after /feedback/ of every staff path (a literal word, not a slug);
    with ``own_page``, only those with a page at /feedback/<segment>/ itself."""
    found: set[str] = set()
    ending = "$" if own_page else ""

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
                continue
            match = re.match(r"^\^?feedback/([a-z][a-z0-9-]*)/\$?" + ending, route)
            if match and pattern.callback.__module__ != public.__name__:
                found.add(match.group(1))

    walk(get_resolver().url_patterns, "")
    return found


def test_the_staff_paths_that_took_organisations_addresses_are_still_there() -> None:
    assert {"new", "procedure"} <= _staff_segments()


@pytest.mark.parametrize("slug", ["new", "procedure", "o", "check", "sent"])
def test_an_organisation_named_like_a_staff_path_keeps_its_public_form(db: None, slug: str) -> None:
    organisation = core_factories.organisation(slug=slug, name=f"Council {slug}")
    client = Client()
    start = client.get(f"/feedback/o/{slug}/")
    assert start.status_code == 200
    assert f"Council {slug}" in start.content.decode()
    for path, data in (
        ("kind", {"kind": "comment"}),
        ("about", {"about": "service"}),
        ("service", {"service": ""}),
        ("what-happened", {"what_happened": "The library is lovely"}),
        ("wanted", {"wanted": ""}),
        ("reply", {"email": "", "phone": ""}),
        ("name", {"given_name": "", "family_name": ""}),
    ):
        assert client.post(f"/feedback/o/{slug}/{path}/", data).status_code == 302
    response = client.post(f"/feedback/o/{slug}/check/")
    feedback = Feedback.objects.for_organisation(organisation).get()
    assert response["Location"] == f"/feedback/o/{slug}/sent/{feedback.reference}/"


def test_every_staff_path_leaves_every_organisation_its_public_form(db: None) -> None:
    """Whatever staff paths exist now or are added later: an organisation with that slug is
    reached under /feedback/o/, and the staff page keeps its own address."""
    for segment in sorted(_staff_segments()):
        assert resolve(f"/feedback/o/{segment}/").func is public.start
        assert resolve(f"/feedback/o/{segment}/kind/").func is public.question
    # A path with a page of its own keeps it (learning, new, procedure, reports, ...); a word
    # that only begins longer paths (survey/<token>/) is no page, so the old address may redirect.
    own = _staff_segments(own_page=True)
    assert {"new", "procedure", "learning", "reports"} <= own
    for segment in sorted(own):
        assert resolve(f"/feedback/{segment}/").func is not public.legacy_address


@pytest.mark.parametrize("slug", ["new", "procedure"])
def test_the_staff_page_keeps_its_address_for_such_an_organisation(db: None, slug: str) -> None:
    core_factories.organisation(slug=slug, name=f"Council {slug}")
    response = Client().get(f"/feedback/{slug}/")
    assert (response.status_code, response["Location"]) == (
        302,
        f"/sign-in/?next=%2Ffeedback%2F{slug}%2F",
    )


def test_the_old_address_redirects_where_no_staff_page_has_it(council: Organisation) -> None:
    response = Client().get(f"/feedback/{council.slug}/")
    assert (response.status_code, response["Location"]) == (302, f"/feedback/o/{council.slug}/")
    assert Client().post(f"/feedback/{council.slug}/", {"kind": "comment"}).status_code == 405
    assert Client().get("/feedback/no-such-council/").status_code == 404
    inactive = core_factories.organisation(slug="closed-council", name="Closed", is_active=False)
    assert Client().get(f"/feedback/{inactive.slug}/").status_code == 404
