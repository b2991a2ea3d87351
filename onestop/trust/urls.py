from __future__ import annotations

from django.urls import path

from onestop.trust import views

app_name = "trust"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("audit/", views.audit_trail, name="audit"),
]
