from __future__ import annotations

from django.apps import AppConfig


class TelephonyConfig(AppConfig):
    name = "onestop.telephony"
    label = "telephony"

    def ready(self) -> None:
        # The telephone measures' report in ``onestop report`` (``core.reporting``).
        from onestop.telephony import reports

        reports.register()
        # Calls in the compliance figures (``standards.measures``).
        from onestop.telephony.queries import compliance

        compliance.register()
