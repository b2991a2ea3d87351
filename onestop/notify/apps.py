from __future__ import annotations

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "onestop.notify"
    label = "notify"

    def ready(self) -> None:
        # What this app shows on the customer page and the desk (see ``core.sources``).
        from onestop.notify import sources

        sources.register()
