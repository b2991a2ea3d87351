from __future__ import annotations

from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "onestop.performance"
    label = "performance"
    verbose_name = "Performance"

    def ready(self) -> None:
        # Each report registers itself in ``core.reporting`` from its own module, added here as
        # the measures land (``onestop report --list`` names them).
        # --- perf-telephony: the quarterly returns collated ---
        from onestop.performance import reports_returns

        reports_returns.register()
        # --- end perf-telephony ---
