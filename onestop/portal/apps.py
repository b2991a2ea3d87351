from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from onestop.core.public_links import FOOTER, HOME, START, TRACK, PublicLink, register


class PortalConfig(AppConfig):
    name = "onestop.portal"
    label = "portal"

    def ready(self) -> None:
        # The portal's own links on the residents' site (core.public_links): reporting a
        # problem on the start page, the information pages in every public footer, and the
        # start page as the organisation's home (the header's link on the error pages).
        register(
            PublicLink(
                key="portal-start",
                label=_("Home"),
                url_name="portal:start",
                places=(HOME,),
                position=0,
            )
        )
        register(
            PublicLink(
                key="portal-report",
                label=_("Report a problem"),
                url_name="portal:report-index",
                places=(START,),
                description=_("Tell us about a problem or ask for a service. You get a reference."),
                position=10,
            )
        )
        register(
            PublicLink(
                # Messages about a case link to it by this key (core.public_links.TRACK).
                key=TRACK,
                label=_("Track a request"),
                url_name="portal:track",
                places=(START, FOOTER),
                description=_("See what has happened to a report, using its reference."),
                position=15,
            )
        )
        register(
            PublicLink(
                key="portal-your-requests",
                label=_("Your requests"),
                url_name="portal:your-requests",
                places=(START,),
                description=_(
                    "Get a sign-in link by email to see everything you have sent us, and how we "
                    "contact you."
                ),
                position=16,
            )
        )
        for position, (key, label) in enumerate(
            (
                ("portal-contact", _("Contact us")),
                ("portal-accessibility", _("Accessibility statement")),
                ("portal-privacy", _("Privacy")),
                ("portal-cookies", _("Cookies")),
            ),
            start=200,
        ):
            register(
                PublicLink(
                    key=key,
                    label=label,
                    url_name=f"portal:{key.removeprefix('portal-')}",
                    places=(FOOTER,),
                    position=position,
                )
            )
