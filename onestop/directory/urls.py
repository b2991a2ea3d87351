from __future__ import annotations

from django.urls import path

from onestop.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
]
