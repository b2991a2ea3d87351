from __future__ import annotations

from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "onestop.standards"
    label = "standards"
