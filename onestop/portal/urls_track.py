"""Issue 18 part B: track a request, and "Your requests" (under ``/o/<organisation>/``)."""

from __future__ import annotations

from django.urls import path

from onestop.portal import views_track

ORGANISATION = "o/<slug:organisation_slug>/"

urlpatterns = [
    path(f"{ORGANISATION}track/", views_track.track, name="track"),
    path(f"{ORGANISATION}track/<str:reference>/", views_track.tracked, name="tracked"),
    path(f"{ORGANISATION}your-requests/", views_track.your_requests, name="your-requests"),
    path(
        f"{ORGANISATION}your-requests/sent/",
        views_track.your_requests_sent,
        name="your-requests-sent",
    ),
    path(
        f"{ORGANISATION}your-requests/sign-in/",
        views_track.your_requests_sign_in,
        name="your-requests-sign-in",
    ),
    path(
        f"{ORGANISATION}your-requests/sign-out/",
        views_track.your_requests_sign_out,
        name="your-requests-sign-out",
    ),
    path(
        f"{ORGANISATION}your-requests/preferences/",
        views_track.your_requests_preferences,
        name="your-requests-preferences",
    ),
    path(
        f"{ORGANISATION}your-requests/<str:reference>/",
        views_track.your_request,
        name="your-request",
    ),
]
