from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from onestop.api import api
from onestop.core import views as core_views

handler400 = "onestop.core.views.bad_request"
handler403 = "onestop.core.views.forbidden"
handler404 = "onestop.core.views.not_found"
handler500 = "onestop.core.views.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    # The residents' pages first: the most requested, found without trying the staff pages'
    # patterns (no other app's address starts as theirs do: "", "o/", "report/").
    path("", include("onestop.portal.urls")),
    # Then the complaints route and the public performance page (under their own prefixes,
    # so every other address passes each with one comparison).
    path("feedback/", include("onestop.feedback.urls")),
    path("performance/", include("onestop.performance.urls")),
    path("", include("onestop.trust.urls")),
    path("", include("onestop.core.urls")),
    path("directory/", include("onestop.directory.urls")),
    path("standards/", include("onestop.standards.urls")),
    path("customers/", include("onestop.customers.urls")),
    path("desk/", include("onestop.contacts.urls")),
    path("", include("onestop.cases.urls")),
    path("mailboxes/", include("onestop.channels.urls")),
    path("calls/", include("onestop.telephony.urls")),
    path("letters/", include("onestop.notify.urls_notifyletters")),
    path("documents/", include("onestop.documents.urls")),
    path("", include("onestop.notify.urls")),
    path("notify/callbacks/", include("onestop.notify.urls_send")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]
