"""The residents' site's link registry: each capability adds its own link, in its place and
order, and a link whose page is not installed is left out rather than breaking every page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from onestop.core import public_links
from onestop.core.public_links import FOOTER, HOME, START, PublicLink
from onestop.core.templatetags.govuk import public_home


@pytest.fixture
def registry() -> Iterator[None]:
    saved = dict(public_links._LINKS)
    yield
    public_links._LINKS.clear()
    public_links._LINKS.update(saved)


def test_the_installed_apps_register_their_links() -> None:
    assert [link.key for link in public_links.registered(START)][:4] == [
        "portal-report",
        "portal-track",
        "portal-your-requests",
        "feedback",
    ]
    assert [link.key for link in public_links.registered(FOOTER)] == [
        "portal-track",
        "feedback",
        "portal-contact",
        "portal-accessibility",
        "portal-privacy",
        "portal-cookies",
    ]
    assert [link.key for link in public_links.registered(HOME)] == ["portal-start"]


class _Organisation:
    slug = "vale"


def test_an_organisations_home_is_its_start_page_and_the_sites_root_without_one(
    registry: None,
) -> None:
    assert public_home(_Organisation()) == "/o/vale/"
    assert public_home(None) == "/"

    public_links.unregister("portal-start")

    assert public_home(_Organisation()) == "/"


def test_a_capability_adds_its_link_without_the_portal_importing_it(registry: None) -> None:
    public_links.register(
        PublicLink(
            key="performance",
            label="How we are doing",
            url_name="portal:start",  # any page taking the organisation's slug
            places=(START,),
            position=30,
        )
    )

    found = public_links.links_for("vale", START)

    assert [(link.key, link.label, link.href) for link in found][:5] == [
        ("portal-report", "Report a problem", "/report/vale/"),
        ("portal-track", "Track a request", "/o/vale/track/"),
        ("portal-your-requests", "Your requests", "/o/vale/your-requests/"),
        ("feedback", "Complain, comment or compliment", "/feedback/o/vale/"),
        ("performance", "How we are doing", "/o/vale/"),
    ]
    assert "performance" not in [link.key for link in public_links.links_for("vale", FOOTER)]


def test_registering_again_replaces_rather_than_repeats(registry: None) -> None:
    link = PublicLink(key="feedback", label="Tell us", url_name="feedback:public")
    public_links.register(link)
    public_links.register(link)

    assert [item.label for item in public_links.links_for("vale", FOOTER)].count("Tell us") == 1


def test_a_link_to_a_page_that_is_not_installed_is_left_out(registry: None) -> None:
    public_links.register(PublicLink(key="gone", label="Gone", url_name="nowhere:page"))

    assert "gone" not in [link.key for link in public_links.links_for("vale", START)]


def test_an_unknown_place_is_refused(registry: None) -> None:
    with pytest.raises(ValueError, match="Unknown public link places"):
        public_links.register(
            PublicLink(key="x", label="X", url_name="portal:start", places=("x",))
        )
