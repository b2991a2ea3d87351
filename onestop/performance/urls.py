from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from onestop.performance.views import returns

app_name = "performance"

urlpatterns: list[URLPattern | URLResolver] = []

# --- perf-telephony: the quarterly returns ---
urlpatterns += [
    path("returns/", returns.returns_list, name="returns"),
    path("returns/start/", returns.return_start, name="return-start"),
    path("returns/collated/", returns.collated, name="returns-collated"),
    path("returns/<int:return_id>/", returns.return_page, name="return"),
    path("returns/<int:return_id>/reopen/", returns.return_reopen, name="return-reopen"),
]
# --- end perf-telephony ---
