from __future__ import annotations

from django.urls import path

from onestop.cases import views

app_name = "cases"

urlpatterns = [
    path("queues/", views.queues, name="queues"),
    path("enquiries/", views.member, name="member"),
    path("cases/new/", views.raise_case, name="raise"),
]
