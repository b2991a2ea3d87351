from __future__ import annotations

from django.urls import path

from onestop.notify import views, views_bulk

app_name = "notify"

_TEMPLATE = "message-templates/<slug:event>/<slug:channel>/<slug:language>/"

urlpatterns = [
    path("staff-tasks/<int:task_id>/done/", views.task_done, name="task-done"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/bulk/", views_bulk.bulk_list, name="bulk-list"),
    path("outbox/bulk/new/", views_bulk.bulk_new, name="bulk-new"),
    path("outbox/bulk/<int:bulk_id>/", views_bulk.bulk_detail, name="bulk"),
    path("outbox/bulk/<int:bulk_id>/send/", views_bulk.bulk_send, name="bulk-send"),
    path("outbox/bulk/<int:bulk_id>/cancel/", views_bulk.bulk_cancel, name="bulk-cancel"),
    path("outbox/<int:message_id>/", views.outbox_message, name="outbox-message"),
    path("outbox/<int:message_id>/retry/", views.outbox_retry, name="outbox-retry"),
    path("outbox/<int:message_id>/cancel/", views.outbox_cancel, name="outbox-cancel"),
    path("message-templates/", views.template_list, name="templates"),
    path(_TEMPLATE, views.template_edit, name="template"),
    path(_TEMPLATE + "reset/", views.template_reset, name="template-reset"),
]
