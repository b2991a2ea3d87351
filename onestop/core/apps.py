from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "onestop.core"
    label = "core"
    verbose_name = "OneStop core"

    def ready(self) -> None:
        from onestop.core import signals  # noqa: F401  (framework glue: sign-in audit)
