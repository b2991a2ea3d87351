from __future__ import annotations

from django.urls import URLPattern, path

from onestop.channels import views

app_name = "channels"

urlpatterns: list[URLPattern] = [
    path("", views.mailboxes, name="mailboxes"),
    path("new/", views.mailbox_create, name="mailbox-create"),
    path("<int:mailbox_id>/", views.mailbox_edit, name="mailbox-edit"),
    path("<int:mailbox_id>/imap/", views.mailbox_imap, name="mailbox-imap"),
]
