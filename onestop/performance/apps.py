"""C9 Performance: how the council does against every promise it publishes."""

from __future__ import annotations

from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "onestop.performance"
    label = "performance"
    verbose_name = "Performance"

    def ready(self) -> None:
        # Each report registers itself in ``core.reporting`` from its own module, added here as
        # the measures land (``onestop report --list`` names them).
        # --- perf-volumes: the volumes and backlog reports
        from onestop.performance import reports_volumes

        reports_volumes.register()
        # --- end perf-volumes
        # --- perf-standards
        from onestop.performance import reports_standards

        reports_standards.register()
        # The public performance page, from the residents' start page (core.public_links): the
        # portal never imports this app.
        from django.utils.translation import gettext_lazy as _

        from onestop.core.public_links import START, PublicLink, register

        register(
            PublicLink(
                key="performance",
                label=_("How we are doing"),
                url_name="performance:public",
                places=(START,),
                description=_(
                    "Our service standards and how well we kept them last month and last quarter."
                ),
                position=80,
            )
        )
        # The public page's address, /performance/<organisation>/, shares its place with the
        # fixed pages: their words are no organisation's slug.
        from onestop.core.models import reserve_organisation_slugs
        from onestop.performance.urls import FIXED_WORDS

        reserve_organisation_slugs(FIXED_WORDS, under="/performance/")
        # --- end perf-standards
        # --- perf-telephony: the quarterly returns collated ---
        from onestop.performance import reports_returns

        reports_returns.register()
        # --- end perf-telephony ---
