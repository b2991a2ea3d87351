from __future__ import annotations

from django.urls import path

from onestop.contacts import views

app_name = "contacts"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("search/", views.search, name="search"),
    path("customers/<int:customer_id>/", views.customer, name="customer"),
    path("customers/<int:customer_id>/contacts/new/", views.log, name="log"),
    path("contacts/new/", views.log, name="log-anonymous"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("callbacks/<int:callback_id>/done/", views.callback_done, name="callback-done"),
    path("queue/", views.queue, name="queue"),
    path("queue/<int:access_point_id>/display/", views.calling_display, name="calling-display"),
    path("reasons/", views.reasons, name="reasons"),
    path("reasons/<int:reason_id>/retire/", views.reason_retire, name="reason-retire"),
    path(
        "queue/tickets/<int:ticket_id>/<str:action>/",
        views.ticket_action,
        name="ticket-action",
    ),
]
