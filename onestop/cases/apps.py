from __future__ import annotations

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "onestop.cases"
    label = "cases"

    def ready(self) -> None:
        # What this app shows on the desk and the customer page (see ``core.sources``).
        from onestop.cases import sources

        sources.register()
