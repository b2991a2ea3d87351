from __future__ import annotations

from django.apps import AppConfig


class TelephonyConfig(AppConfig):
    name = "onestop.telephony"
    label = "telephony"
