from __future__ import annotations

from django.urls import path

from onestop.trust import views

app_name = "trust"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/code/", views.verify, name="verify"),
    path("sign-in/set-up/", views.enrol, name="enrol"),
    path("sign-in/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("account/password/", views.password_change, name="password-change"),
    path("audit/", views.audit_trail, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit-export"),
]
