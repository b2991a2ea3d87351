from __future__ import annotations

from django.urls import path

from onestop.standards import views

app_name = "standards"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:standard_id>/", views.standard_detail, name="standard"),
    path("calendar/", views.calendar, name="calendar"),
    path(
        "calendar/closure-days/<int:closure_day_id>/remove/",
        views.remove_closure_day,
        name="closure-day-remove",
    ),
    path("when-due/", views.when_due, name="when-due"),
]
