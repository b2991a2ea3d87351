from __future__ import annotations

from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "onestop.contacts"
    label = "contacts"

    def ready(self) -> None:
        # What this app shows on the desk and the customer page (see ``core.sources``).
        from onestop.contacts import sources

        sources.register()
        # Call-backs and visitors in the compliance figures (``standards.measures``).
        sources.register_measures()
