from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from onestop.core.public_links import FOOTER, START, PublicLink, register


class FeedbackConfig(AppConfig):
    name = "onestop.feedback"
    label = "feedback"

    def ready(self) -> None:
        # What this app shows on the desk and the customer page (see ``core.sources``).
        from onestop.feedback import report_definitions, report_sources, sources

        sources.register()
        # The learning actions' and the ombudsman's figures in the complaint reports.
        report_sources.register()
        # The complaint reports in ``onestop report`` (``core.reporting``).
        report_definitions.register()
        # Complaint stages in the compliance figures (``standards.measures``).
        from onestop.feedback.queries import compliance

        compliance.register()
        # The old public address, /feedback/<organisation>/, shares its place with fixed pages:
        # their words are no organisation's slug.
        from onestop.core.models import reserve_organisation_slugs
        from onestop.feedback.urls import FIXED_WORDS

        reserve_organisation_slugs(FIXED_WORDS, under="/feedback/")
        # One route to complain, comment or compliment from the residents' start page and from
        # every public footer (core.public_links): the portal never imports this app.
        register(
            PublicLink(
                key="feedback",
                label=_("Complain, comment or compliment"),
                url_name="feedback:public",
                places=(START, FOOTER),
                description=_(
                    "Tell us what went wrong, what went well, or what we could do better."
                ),
                position=20,
            )
        )
