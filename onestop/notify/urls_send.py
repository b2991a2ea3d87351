"""GOV.UK Notify's callbacks (``/notify/callbacks/...``)."""

from __future__ import annotations

from django.urls import path

from onestop.notify import views_send

app_name = "notify_send"

urlpatterns = [
    path("delivery", views_send.delivery, name="delivery-callback"),
    path("received-text", views_send.received_text, name="received-text-callback"),
]
