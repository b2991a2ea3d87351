from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from onestop.performance.views import dashboard as dashboard_views
from onestop.performance.views import public_standards, returns
from onestop.performance.views import standards as standards_views
from onestop.performance.views import volumes as volume_views

app_name = "performance"

urlpatterns: list[URLPattern | URLResolver] = [
    # The dashboard, downloads, the cases behind a compliance figure, people's own figures,
    # comparators (perf-standards).
    path("", dashboard_views.dashboard, name="dashboard"),
    path("report/<slug:code>/", dashboard_views.report, name="report"),
    path("reports/<slug:code>/download/", standards_views.download, name="download"),
    path("standards/records/", standards_views.records, name="standards-records"),
    path("people/", standards_views.people_list, name="people"),
    path("people/<str:officer_id>/", standards_views.person, name="person"),
    path("comparators/", standards_views.comparators, name="comparators"),
    # The records behind the volumes and backlog figures; report files (perf-volumes).
    path("records/<slug:kind>/", volume_views.records, name="records"),
    path("reports/", volume_views.report_files, name="report-files"),
    path("reports/<int:pk>/", volume_views.report_file, name="report-file"),
    # The quarterly returns (perf-telephony).
    path("returns/", returns.returns_list, name="returns"),
    path("returns/start/", returns.return_start, name="return-start"),
    path("returns/collated/", returns.collated, name="returns-collated"),
    path("returns/<int:return_id>/", returns.return_page, name="return"),
    path("returns/<int:return_id>/reopen/", returns.return_reopen, name="return-reopen"),
]

# The first words of the addresses above: an organisation may not take one as its slug, or its
# public page below would never be reached (``core.models.reserve_organisation_slugs``, from
# ``apps.ready``).
FIXED_WORDS = tuple(
    sorted(
        {
            str(pattern.pattern).split("/", 1)[0]
            for pattern in urlpatterns
            if str(pattern.pattern) and not str(pattern.pattern).startswith("<")
        }
    )
)

# The public page last: an organisation's slug is any word not taken above.
urlpatterns += [
    path("<slug:organisation>/", public_standards.public_page, name="public"),
]
