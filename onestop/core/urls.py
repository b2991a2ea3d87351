from __future__ import annotations

from django.urls import path

from onestop.core import views

app_name = "core"

urlpatterns = [
    # The staff home page ("/" is the residents' site: portal.views.root).
    path("staff/", views.home, name="home"),
]
