from __future__ import annotations

from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "onestop.customers"
    label = "customers"

    def ready(self) -> None:
        # Documents and photos can be attached to a customer (see ``documents.owners``).
        from onestop.customers import documents

        documents.register()
