"""A URL configuration with no residents' pages (``tests/core/test_addresses.py``)."""

from django.urls import path

from onestop.core import views

urlpatterns = [path("healthz", views.healthz, name="healthz")]
