from __future__ import annotations

from django.apps import AppConfig


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
