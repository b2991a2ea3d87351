from __future__ import annotations

from django.urls import path

from onestop.standards import views

app_name = "standards"

urlpatterns = [
    path("", views.home, name="home"),
]
