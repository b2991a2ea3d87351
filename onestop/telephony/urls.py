from __future__ import annotations

from django.urls import URLPattern, path

from onestop.telephony import views

app_name = "telephony"

urlpatterns: list[URLPattern] = [
    path("import/", views.import_page, name="import"),
    path("imports/<int:run_id>/", views.run_page, name="run"),
    path("imports/<int:run_id>/refused.csv", views.run_refusals, name="run-refusals"),
    path("queues/", views.queues, name="queues"),
    path("queues/<int:queue_id>/", views.queue_edit, name="queue-edit"),
    path("list/", views.calls, name="calls"),
]
