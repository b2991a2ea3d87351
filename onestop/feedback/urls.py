from __future__ import annotations

from django.urls import path, re_path

from onestop.feedback import views
from onestop.feedback.views import procedure_steps

app_name = "feedback"

# References are upper case (``CO-26-0001A``), organisation slugs lower case, so the two never
# meet under /feedback/.
REFERENCE = r"(?P<reference>[A-Z]{2,4}-[0-9]{2}-[0-9A-Z*~$=]{5,14})"

urlpatterns = [
    path("feedback/", views.feedback_list, name="list"),
    path("feedback/new/", views.feedback_new, name="new"),
    path("feedback/new/for/<int:customer_id>/", views.feedback_new_for, name="record-for"),
    path("feedback/procedure/", views.procedure, name="procedure"),
    re_path(rf"^feedback/{REFERENCE}/$", views.feedback_record, name="record"),
    re_path(rf"^feedback/{REFERENCE}/acknowledge/$", views.feedback_acknowledge,
            name="acknowledge"),
    re_path(rf"^feedback/{REFERENCE}/extend/$", views.feedback_extend, name="extend"),
    re_path(rf"^feedback/{REFERENCE}/escalate/$", views.feedback_escalate, name="escalate"),
    re_path(rf"^feedback/{REFERENCE}/respond/$", views.feedback_respond, name="respond"),
    re_path(rf"^feedback/{REFERENCE}/close/$", views.feedback_close, name="close"),
    re_path(rf"^feedback/{REFERENCE}/outside/$", views.feedback_outside, name="outside"),
    re_path(rf"^feedback/{REFERENCE}/pass-on/$", views.feedback_pass_on, name="pass-on"),
    # Restrictions, stage owners, contributions, councillors' feedback (fb-procedure).
    path("feedback/restrictions/new/for/<int:customer_id>/", procedure_steps.restriction_new,
         name="restriction-new"),
    path("feedback/restrictions/<int:restriction_id>/", procedure_steps.restriction_detail,
         name="restriction"),
    path("feedback/restrictions/<int:restriction_id>/approve/", procedure_steps.restriction_approve,
         name="restriction-approve"),
    path("feedback/restrictions/<int:restriction_id>/lift/", procedure_steps.restriction_lift,
         name="restriction-lift"),
    path("feedback/councillor/", procedure_steps.councillor_list, name="councillor"),
    path("feedback/councillor/new/", procedure_steps.councillor_new, name="councillor-new"),
    re_path(rf"^feedback/{REFERENCE}/owner/$", procedure_steps.feedback_owner, name="owner"),
    re_path(rf"^feedback/{REFERENCE}/contributions/new/$", procedure_steps.contribution_new,
            name="contribution-new"),
    re_path(rf"^feedback/{REFERENCE}/contributions/(?P<contribution_id>[0-9]{{1,18}})/$",
            procedure_steps.contribution_record, name="contribution"),
    # The public form ("On the Record"), without signing in.
    path("feedback/<slug:organisation_slug>/", views.public_form, name="public"),
    path("feedback/<slug:organisation_slug>/sent/", views.public_sent, name="public-sent"),
    path(
        "feedback/<slug:organisation_slug>/sent/<str:reference>/",
        views.public_done,
        name="public-done",
    ),
    path(
        "feedback/<slug:organisation_slug>/sent/<str:reference>/equality/",
        views.public_equality,
        name="public-equality",
    ),
]  # fmt: skip
