from __future__ import annotations

from django.urls import path

from onestop.portal import urls_track, views

app_name = "portal"

urlpatterns = [
    # The residents' site: the root, and each organisation's start and information pages.
    path("", views.root, name="root"),
    path("o/<slug:organisation_slug>/", views.start, name="start"),
    path("o/<slug:organisation_slug>/contact/", views.contact, name="contact"),
    path("o/<slug:organisation_slug>/accessibility/", views.accessibility, name="accessibility"),
    path("o/<slug:organisation_slug>/privacy/", views.privacy, name="privacy"),
    path("o/<slug:organisation_slug>/cookies/", views.cookies, name="cookies"),
    path("report/<slug:organisation_slug>/", views.report_index, name="report-index"),
    path("report/<slug:organisation_slug>/done/", views.report_received, name="report-received"),
    path(
        "report/<slug:organisation_slug>/done/<str:reference>/",
        views.report_done,
        name="report-done",
    ),
    path(
        "report/<slug:organisation_slug>/<slug:type_code>/",
        views.report_form,
        name="report-form",
    ),
    path(
        "report/<slug:organisation_slug>/<slug:type_code>/check/",
        views.report_check,
        name="report-check",
    ),
    path(
        "report/<slug:organisation_slug>/<slug:type_code>/<slug:step>/",
        views.report_step,
        name="report-step",
    ),
    path("report-forms/", views.web_forms, name="web-forms"),
    path("report-forms/<int:case_type_id>/", views.web_form_edit, name="web-form-edit"),
]

# Issue 18 part B: track a request and "Your requests" (their own module, urls_track).
urlpatterns += urls_track.urlpatterns
