from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

# --- perf-standards
from onestop.performance.views import public_standards
from onestop.performance.views import standards as standards_views

# --- end perf-standards

app_name = "performance"

urlpatterns: list[URLPattern | URLResolver] = [
    # --- perf-standards: the dashboard, downloads, the cases behind a compliance figure, people's
    # own figures, comparators; the public page last (an organisation's slug is any other word).
    path("", standards_views.dashboard, name="dashboard"),
    path("reports/<slug:code>/download/", standards_views.download, name="download"),
    path("standards/records/", standards_views.records, name="standards-records"),
    path("people/", standards_views.people_list, name="people"),
    path("people/<str:officer_id>/", standards_views.person, name="person"),
    path("comparators/", standards_views.comparators, name="comparators"),
    path("<slug:organisation>/", public_standards.public_page, name="public"),
    # --- end perf-standards
]
