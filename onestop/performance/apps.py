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
        # --- end perf-standards
        # --- perf-telephony: the quarterly returns collated ---
        from onestop.performance import reports_returns

        reports_returns.register()
        # --- end perf-telephony ---
