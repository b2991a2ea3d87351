from __future__ import annotations

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "onestop.directory"
    label = "directory"
