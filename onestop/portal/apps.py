from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from onestop.core.public_links import FOOTER, START, PublicLink, register


class PortalConfig(AppConfig):
    name = "onestop.portal"
    label = "portal"

    def ready(self) -> None:
        # The portal's own links on the residents' site (core.public_links): reporting a
        # problem on the start page, the information pages in every public footer.
        register(
            PublicLink(
                key="portal-report",
                label=_("Report a problem"),
                url_name="portal:report-index",
                places=(START,),
                description=_("Missed bins, fly-tipping, potholes and more. You get a reference."),
                position=10,
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
