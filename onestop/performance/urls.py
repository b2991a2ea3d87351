from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from onestop.performance.views import volumes as volume_views

app_name = "performance"

urlpatterns: list[URLPattern | URLResolver] = []

# --- perf-volumes ---------------------------------------------------------------------------------
urlpatterns += [
    path("records/<slug:kind>/", volume_views.records, name="records"),
    path("reports/", volume_views.report_files, name="report-files"),
    path("reports/<int:pk>/", volume_views.report_file, name="report-file"),
]
# --- end perf-volumes -----------------------------------------------------------------------------
