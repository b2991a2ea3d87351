from __future__ import annotations

from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "onestop.trust"
    label = "trust"
