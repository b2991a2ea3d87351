from __future__ import annotations

from django.urls import path

from onestop.notify import views

app_name = "notify"

_TEMPLATE = "message-templates/<slug:event>/<slug:channel>/<slug:language>/"

urlpatterns = [
    path("staff-tasks/<int:task_id>/done/", views.task_done, name="task-done"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:message_id>/", views.outbox_message, name="outbox-message"),
    path("outbox/<int:message_id>/retry/", views.outbox_retry, name="outbox-retry"),
    path("outbox/<int:message_id>/cancel/", views.outbox_cancel, name="outbox-cancel"),
    path("message-templates/", views.template_list, name="templates"),
    path(_TEMPLATE, views.template_edit, name="template"),
    path(_TEMPLATE + "reset/", views.template_reset, name="template-reset"),
]
