from __future__ import annotations

from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "onestop.channels"
    label = "channels"
