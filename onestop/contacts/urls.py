from __future__ import annotations

from django.urls import path

from onestop.contacts import views

app_name = "contacts"

urlpatterns = [
    path("", views.desk, name="desk"),
]
